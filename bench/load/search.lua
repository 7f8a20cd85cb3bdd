-- GET /api/v2/search?type=statuses with a bearer token rotating over the users in $TOKENS_FILE and a query rotating
-- over words of the generated posts: a frequent French word without its accent, a prefix, two words, an English stem.
-- Usage: TOKENS_FILE=tokens.txt wrk -s search.lua http://127.0.0.1:PORT
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "rotation.lua")
local queries = { "equipe", "livr*", "client+budget", "meetings", "reunion+produit", "securite" }

function request()
  local token = next_token()
  local q = queries[(counter % #queries) + 1]
  return wrk.format("GET", "/api/v2/search?type=statuses&limit=20&q=" .. q, { ["Authorization"] = "Bearer " .. token })
end
