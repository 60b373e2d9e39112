-- GET /api/v1/patients/{id} as get_patient.lua, but each connection waits
-- PAUSE_MS after an answer before its next request: a client that reads a
-- record, then looks at it, instead of one that asks as fast as the server
-- answers (where the latency of N connections is N / throughput, whatever
-- the server does).
-- wrk ... -s get_patient_paced.lua URL -- TOKEN IDS_FILE PAUSE_MS
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "get_patient.lua")
local base_init = init
local pause_ms = 0

function init(args)
  base_init(args)
  pause_ms = tonumber(args[3]) or 0
end

function delay()
  return pause_ms
end
