-- GET /api/v1/patients/{id} with a bearer token, spread over many ids.
-- wrk ... -s get_patient.lua URL -- TOKEN IDS_FILE   (IDS_FILE: one id a line)
local ids = {}
local token = ""
local i = 0
local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  token = args[1]
  for line in io.lines(args[2]) do
    if line ~= "" then ids[#ids + 1] = line end
  end
  i = (tid or 0) * 7919
end

function request()
  i = i + 1
  local id = ids[(i % #ids) + 1]
  return wrk.format("GET", "/api/v1/patients/" .. id,
                    { ["Authorization"] = "Bearer " .. token })
end
