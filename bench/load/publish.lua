-- POST /api/v1/statuses as rotating users, every post with a unique text (company audience, Leak Guard included).
local tokens = {}
local counter = 0
local ids = 0
local words = { "réunion", "livraison", "roadmap", "release", "démo", "client", "budget", "qualité", "support", "design" }

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

function request()
  counter = counter + 1
  local token = tokens[(counter % #tokens) + 1]
  local text = string.format("Point d'étape %d-%d sur la %s : tout avance bien, merci à tous ! #%s %d",
    thread_id or 0, counter, words[(counter % #words) + 1], words[((counter + 3) % #words) + 1], math.random(1, 1000000000))
  local body = '{"status":"' .. text .. '","audience":"company"}'
  return wrk.format("POST", "/api/v1/statuses",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
