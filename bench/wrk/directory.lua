-- The directory's bucketed lookup: GET /v1/buckets/{bucket} of a random bucket of bits bits.
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua"
local common = require("common")

local bits

function init(argv)
  common.parse(argv)
  bits = common.num("bits", 12)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  return wrk.format("GET", "/v1/buckets/" .. common.bucket(bits))
end

function delay()
  return common.delay_ms()
end

done = common.done
