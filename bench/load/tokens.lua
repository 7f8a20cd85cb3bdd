-- GET <path> with a bearer token that rotates over the users listed in $TOKENS_FILE ("username token" per line).
-- Usage: TOKENS_FILE=tokens.txt BENCH_PATH=/api/v1/timelines/home?limit=20 wrk -s tokens.lua http://127.0.0.1:PORT
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "rotation.lua")
local path = os.getenv("BENCH_PATH") or "/api/v1/timelines/home?limit=20"

function request()
  local token = next_token()
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
