-- CPS requests (spec/protocol.md §8): store = POST of one blob of size bytes to a random bucket of the epoch,
-- retrieve = GET of a random bucket. store=P sets the percentage of stores (0: retrieve only, 100: store only).
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua"
local common = require("common")

local epoch, bits, size, store_percent, body

function init(argv)
  common.parse(argv)
  epoch = common.args.epoch
  bits = common.num("bits", 14)
  size = common.num("size", 2048)
  store_percent = common.num("store", 0)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
  body = common.body(size)
end

function request()
  local path = "/v1/epochs/" .. epoch .. "/buckets/" .. common.bucket(bits)
  if store_percent > 0 and math.random(1, 100) <= store_percent then
    return wrk.format("POST", path .. "?size=" .. size, { ["Content-Type"] = "application/octet-stream" }, body)
  end
  return wrk.format("GET", path)
end

function delay()
  return common.delay_ms()
end

done = common.done
