-- GET <path> with a bearer token that rotates over the users listed in $TOKENS_FILE ("username token" per line).
-- Usage: TOKENS_FILE=tokens.txt BENCH_PATH=/api/v1/timelines/home?limit=20 wrk -s tokens.lua http://127.0.0.1:PORT
local tokens = {}
local path = os.getenv("BENCH_PATH") or "/api/v1/timelines/home?limit=20"
local counter = 0
local ids = 0

function setup(thread)
  ids = ids + 1
  thread:set("thread_id", ids)
end

function init(args)
  for line in io.lines(os.getenv("TOKENS_FILE")) do
    local token = line:match("(%S+)%s*$")
    if token then tokens[#tokens + 1] = token end
  end
  counter = (thread_id or 0) * 7919
end

function request()
  counter = counter + 1
  local token = tokens[(counter % #tokens) + 1]
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
