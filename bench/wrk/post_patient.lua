-- POST /api/v1/patients with a bearer token: a new patient each request (the
-- duplicate check runs and finds none: every name is new), for the comparison
-- with another system's patient creations per second.
-- wrk ... -s post_patient.lua URL -- TOKEN IDS_FILE NTHREADS [INSTANCE] (IDS_FILE unused;
-- INSTANCE, 1 to 9, tells apart the names of wrk processes started side by side)
local token = ""
local k = 0
local step = 1
local counter = 0
local run = 0
local instance = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  token = args[1]
  step = tonumber(args[3]) or 1
  k = tid or 0
  instance = tonumber(args[4]) or 0
  run = os.time() % 100000 * 10 + instance
end

function request()
  k = k + step
  local body = string.format(
    '{"family_name":"Bench%d","given_names":"Run%d","birth_date":"%04d-%02d-%02d",' ..
    '"sex":"female","language":"fr"}',
    k, run, 1930 + k % 80, 1 + k % 12, 1 + k % 28)
  return wrk.format("POST", "/api/v1/patients",
                    { ["Authorization"] = "Bearer " .. token,
                      ["Content-Type"] = "application/json" }, body)
end
