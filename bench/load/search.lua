-- GET /api/v2/search?type=statuses with a bearer token rotating over the users in $TOKENS_FILE and a query rotating
-- over words of the generated posts: a frequent French word without its accent, a prefix, two words, an English stem.
-- Usage: TOKENS_FILE=tokens.txt wrk -s search.lua http://127.0.0.1:PORT
local tokens = {}
local queries = { "equipe", "livr*", "client+budget", "meetings", "reunion+produit", "securite" }
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
  local q = queries[(counter % #queries) + 1]
  return wrk.format("GET", "/api/v2/search?type=statuses&limit=20&q=" .. q, { ["Authorization"] = "Bearer " .. token })
end
