-- GET /api/v1/patients/{id} with a bearer token, spread over many ids.
-- wrk ... -s get_patient.lua URL -- TOKEN IDS_FILE   (IDS_FILE: one id a line)
-- The requests are formatted once, at start: at tens of thousands of
-- requests a second, formatting each anew cost the client a tenth of a core
-- that the server, on the same machine, then lacked.
local requests = {}
local i = 0
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  local token = args[1]
  for line in io.lines(args[2]) do
    if line ~= "" then
      requests[#requests + 1] = wrk.format("GET", "/api/v1/patients/" .. line,
                                           { ["Authorization"] = "Bearer " .. token })
    end
  end
  i = (tid or 0) * 7919
end

function request()
  i = i + 1
  return requests[(i % #requests) + 1]
end
