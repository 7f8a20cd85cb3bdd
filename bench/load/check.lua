-- POST /api/v1/gazouille/leak_guard/check as rotating authors "typing": texts of growing length, some with findings,
-- to every audience. Usage: TOKENS_FILE=tokens.txt wrk -s check.lua http://127.0.0.1:PORT
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "rotation.lua")
local texts = {
  "Point d'étape",
  "Point d'étape sur la livraison de jeudi",
  "Point d'étape sur la livraison de jeudi : on a signé pour 2 millions d'euros",
  "Document confidentiel, ne pas diffuser : le planning de la release arrive demain",
  "Appelle-moi au 06 12 34 56 78 pour la démo, merci à tous ! #demo",
  "Mon IBAN FR76 3000 6000 0112 3456 7890 189 pour le remboursement du déplacement",
  "La réunion avec le support est déplacée à 15 h, salle Atlas, pensez à prendre vos portables et le compte rendu",
}
local audiences = { "company", "team", "followers", "partners", "public" }

function request()
  local token = next_token()
  local text = texts[(counter % #texts) + 1] .. " " .. counter
  local body = '{"text":"' .. text .. '","audience":"' .. audiences[(counter % #audiences) + 1] .. '"}'
  return wrk.format("POST", "/api/v1/gazouille/leak_guard/check",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
