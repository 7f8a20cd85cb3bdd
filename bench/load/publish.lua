-- POST /api/v1/statuses as rotating users, every post with a unique text (company audience, Leak Guard included).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "rotation.lua")
local words = { "réunion", "livraison", "roadmap", "release", "démo", "client", "budget", "qualité", "support", "design" }

function request()
  local token = next_token()
  local text = string.format("Point d'étape %d-%d sur la %s : tout avance bien, merci à tous ! #%s %d",
    thread_id or 0, counter, words[(counter % #words) + 1], words[((counter + 3) % #words) + 1], math.random(1, 1000000000))
  local body = '{"status":"' .. text .. '","audience":"company"}'
  return wrk.format("POST", "/api/v1/statuses",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
