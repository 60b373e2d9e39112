-- POST /api/v1/patients/{id}/weights with a bearer token. Each request uses a
-- distinct (patient, date) pair: k -> patient ids[k % N], date today - (k / N) % 30.
-- wrk ... -s post_weight.lua URL -- TOKEN IDS_FILE NTHREADS
local ids = {}
local token = ""
local k = 0
local step = 1
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  token = args[1]
  for line in io.lines(args[2]) do
    if line ~= "" then ids[#ids + 1] = line end
  end
  step = tonumber(args[3]) or 1
  k = tid or 0
end

function request()
  local n = #ids
  local id = ids[(k % n) + 1]
  local back = math.floor(k / n) % 30
  k = k + step
  local date = os.date("!%Y-%m-%d", os.time() - back * 86400)
  local kg = 40 + (k % 800) / 10
  local body = string.format('{"date":"%s","kg":%.1f}', date, kg)
  return wrk.format("POST", "/api/v1/patients/" .. id .. "/weights",
                    { ["Authorization"] = "Bearer " .. token,
                      ["Content-Type"] = "application/json" }, body)
end
