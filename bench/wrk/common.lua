-- Shared by the wrk scripts of bench/load/run: arguments, random buckets, pacing and the JSON summary.
-- wrk -s <script> <url> -- key=value ...   (every script reads the keys it needs)
--   epoch=N bits=B         the CPS epoch and bucket width (buckets are drawn uniformly from 0 .. 2^B - 1)
--   buckets=N first=F      draw from the N buckets F .. F+N-1 only (default: all 2^B), e.g. to keep the cover
--                          cache hot or to read buckets filled to a known level
--   size=S                 blob size in bytes (store bodies are S bytes: one blob)
--   store=P                percentage of stores among requests (mix scripts)
--   rate=R                 total requests/s to aim for across all connections (0: as fast as possible)
--   latency=L              expected answer time in ms, taken off each connection's wait (paced runs only)
--   connections=C          the -c given to wrk, for pacing
local M = {}

M.args = {}
M.store_body = nil

function M.parse(argv)
  for _, a in ipairs(argv) do
    local k, v = a:match("^([%w_]+)=(.*)$")
    if k then M.args[k] = v end
  end
  return M.args
end

function M.num(name, default)
  local v = M.args[name]
  if v == nil or v == "" then return default end
  return tonumber(v)
end

-- The bucket as it appears in URLs: ceil(bits/4) lowercase hex digits (spec/protocol.md §8).
function M.bucket(bits)
  local digits = math.ceil(bits / 4)
  local first = M.num("first", 0)
  local value = first + math.random(0, math.min(M.num("buckets", 2 ^ bits), 2 ^ bits - first) - 1)
  return string.format("%0" .. digits .. "x", value)
end

-- Pacing for a fixed rate: each connection waits C/R seconds between requests, so C connections together
-- send about R requests/s while responses are much faster than C/R (wrk's latency excludes the wait).
-- latency=L (ms, default 0) is subtracted from the wait, for answers that take a known time (a CPS that holds
-- each retrieval until its deadline): C connections then still send about R/s as long as C/R > L.
function M.delay_ms()
  local rate = M.num("rate", 0)
  if rate <= 0 then return 0 end
  return math.max(0, 1000 * M.num("connections", 1) / rate - M.num("latency", 0))
end

function M.body(size)
  local parts = {}
  for i = 1, size do parts[i] = string.char(math.random(0, 255)) end
  return table.concat(parts)
end

-- One JSON line on stdout, read by the report (Report/HttpSection.cs). done() runs in wrk's main Lua state,
-- where init()'s arguments are not visible: the file name says what was measured.
function M.done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50us":%d,"p99us":%d,"p999us":%d,"maxus":%d,"meanus":%.1f,' ..
    '"non2xx":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"timeouts":%d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean,
    e.status, e.connect, e.read, e.write, e.timeout))
end

return M
