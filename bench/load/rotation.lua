-- Shared by the wrk scripts: every thread loads the bearer tokens of $TOKENS_FILE ("username token" per line) and
-- rotates over them from its own starting point. A script loads it with
--   dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "rotation.lua")
-- and then calls next_token() in request(); `counter` counts the thread's requests.
tokens = {}
counter = 0
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
  math.randomseed(os.time() + (thread_id or 0))
end

function next_token()
  counter = counter + 1
  return tokens[(counter % #tokens) + 1]
end
