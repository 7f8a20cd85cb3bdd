#!/usr/bin/env bash
# First contentful paint of the web app (issue 3: < 1 s on loopback), in Debian's Chromium, on a generated data set.
#   bench/web/fcp.sh [S|M]     RUNS (default 20), PORT (5093), BENCH_DATA (default /tmp/gazouille-bench-<set>, as
#   bench/load/run.sh makes it; generated here when missing), NO_DOC=1 to skip appending to docs/benchmarks.md.
# The server listens on 127.0.0.1 only, is killed at the end, and stops by itself after 15 minutes at most.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
set_name=${1:-S}
case "$set_name" in
  S) users=1000; follows=100; posts=50000 ;;
  M) users=10000; follows=100; posts=1000000 ;;
  *) echo "Unknown data set '$set_name': use S or M." >&2; exit 2 ;;
esac
runs=${RUNS:-20}
port=${PORT:-5093}
data=${BENCH_DATA:-/tmp/gazouille-bench-$set_name}
tokens=$data/bench-tokens.txt
url=http://127.0.0.1:$port
out=$(mktemp -d)

command -v node >/dev/null || { echo "Node.js 20+ is required (apt-get install nodejs npm)." >&2; exit 2; }
if [ ! -x /usr/bin/chromium ]; then
  echo "== Installing Debian's chromium"
  (apt-get install -y chromium || (apt-get update && apt-get install -y chromium)) >/dev/null
fi
(cd bench/web && npm ci --no-audit --no-fund >/dev/null 2>&1 || npm install --no-audit --no-fund >/dev/null)

echo "== Building (Release)"
dotnet build src/Gazouille -c Release -nologo -v q >"$out/build.log" 2>&1 || { grep -E "error" "$out/build.log" | sort -u | head -20; exit 1; }
gz=(dotnet "$root/src/Gazouille/bin/Release/net10.0/gazouille.dll")
if [ ! -s "$tokens" ]; then
  rm -rf "$data"
  echo "== Generating data set $set_name into $data"
  "${gz[@]}" admin generate --data "$data" --users "$users" --follows-per-user "$follows" --posts "$posts" --tokens 200 --tokens-file "$tokens" >/dev/null 2>&1
fi

echo "== Starting the server on $url"
Gazouille__RateLimits__Enabled=false ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  timeout --signal=TERM --kill-after=10 900 "${gz[@]}" serve --urls "$url" --data "$data" >"$out/server.log" 2>&1 &
wrapper=$!
cleanup() { kill "$wrapper" 2>/dev/null || true; wait "$wrapper" 2>/dev/null || true; rm -rf "$out"; }
trap cleanup EXIT
for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "$url/health/live" 2>/dev/null && break
  sleep 0.5
done
# Warm the server up (JIT, caches) as a reader would find it, before measuring the browser.
token1=$(head -1 "$tokens" | awk "{print \$NF}")
for _ in $(seq 1 30); do curl -fsS -o /dev/null -H "Authorization: Bearer $token1" "$url/"; done

echo "== Measuring first contentful paint ($runs cold and $runs warm loads per page)"
node bench/web/fcp.mjs --url "$url" --tokens "$tokens" --runs "$runs" --path "/,/public,/notifications" | tee "$out/fcp.jsonl"

commit=$(git rev-parse --short HEAD)$(git diff --quiet -- src && echo "" || echo "+local changes")
load=$(cut -d' ' -f1-3 /proc/loadavg)
rows=$(node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
  for (const r of lines) console.log(`| ${r.path} | ${r.cold_fcp_median_ms} ms | ${r.cold_fcp_p95_ms} ms | ${r.warm_fcp_median_ms} ms | ${r.warm_fcp_p95_ms} ms | ${r.ttfb_median_ms} ms |`);
' "$out/fcp.jsonl")
report=$(cat <<MD

### $(date -u +%Y-%m-%d\ %H:%M) UTC — web first contentful paint, data set $set_name, Chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}')

Machine: $(nproc) cores, load average $load at the end. Commit: $commit. \`bench/web/fcp.sh $set_name\`: $runs cold loads (fresh
context, empty cache) and $runs warm reloads per page, 390×844, loopback, signed in with generated users' tokens in rotation.

| page | cold FCP median | cold FCP p95 | warm FCP median | warm FCP p95 | time to first byte (median, cold) |
|---|---|---|---|---|---|
$rows

Budget (issue 3): first contentful paint < 1 s on loopback.
MD
)
echo "$report"
if [ "${NO_DOC:-0}" != 1 ]; then echo "$report" >>docs/benchmarks.md; fi
