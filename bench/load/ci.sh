#!/usr/bin/env bash
# CI performance regression check (issue 9 item 7): generates data set S (1k users, 100 follows each, 50k posts) in a
# temp folder, starts `gazouille serve` on 127.0.0.1 on a free port, and runs the S scenarios briefly with
# bench/Gazouille.Load (closed loop, 8 connections): each scenario's answers per server CPU second as a ratio to the
# trivial endpoint's, measured just before and after it, median of 3 rounds, against bench/load/baseline.json. It fails
# only when a ratio fell by more than 2× AND the server's CPU time per request grew by more than 2× (confirmed by extra
# rounds), or when a scenario answered anything but 2xx. Load on a shared machine moves the two figures apart (see
# docs/benchmarks.md); a scenario's own extra work moves both. Ends with "Performance regression check: N passed, N failed".
#   bench/load/ci.sh                  Environment: NO_BUILD=1 (already built in Release), SLICE (s, 2), ROUNDS (3),
#                                     FACTOR (2), BASELINE (file, bench/load/baseline.json), WRITE_BASELINE=1 to
#                                     measure and write that file instead of comparing (MERGE_BASELINE=1: merge
#                                     into it, keeping per scenario the lowest ratio and the highest CPU cost).
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
work=$(mktemp -d)
wrapper=""
cleanup() {
  if [ -n "$wrapper" ]; then kill "$wrapper" 2>/dev/null; wait "$wrapper" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "$1" >&2; [ -f "$work/server.log" ] && tail -20 "$work/server.log" >&2; echo "Performance regression check: 0 passed, 1 failed"; exit 1; }

if [ "${NO_BUILD:-0}" != 1 ]; then
  echo "== Building the server and the load driver (Release)"
  for p in src/Gazouille bench/Gazouille.Load; do
    dotnet build "$p" -c Release -nologo -v q >"$work/build.log" 2>&1 || { grep -E "error" "$work/build.log" | sort -u | head -20; fail "Build failed."; }
  done
fi
gz=(dotnet "$root/src/Gazouille/bin/Release/net10.0/gazouille.dll")
load=(dotnet "$root/bench/Gazouille.Load/bin/Release/net10.0/gazouille-load.dll")
[ -f "${gz[1]}" ] && [ -f "${load[1]}" ] || fail "Release builds missing: run without NO_BUILD=1."

data=$work/data
tokens=$work/tokens.txt
start=$(date +%s)
echo "== Generating data set S into $data"
"${gz[@]}" admin generate --data "$data" --users 1000 --follows-per-user 100 --posts 50000 --tokens 200 --tokens-file "$tokens" \
  >"$work/generate.log" 2>&1 || { tail -5 "$work/generate.log"; fail "admin generate failed."; }
# The check scenario's texts find something only with a policy that names clients and projects (as bench/load/check.sh).
cat >"$work/policy.json" <<'JSON'
{"dictionaries": {"client": ["Atlas", "Groupe Nordlys", "Initech"], "project": ["Hyperion"], "confidential": ["ne pas diffuser"]},
 "internal_domains": ["corp.example"], "internal_networks": ["10.20.0.0/16"]}
JSON
"${gz[@]}" admin policy import --data "$data" --file "$work/policy.json" >/dev/null 2>&1 || fail "admin policy import failed."

# Port 0: Kestrel picks a free port and the lifetime log says which. No thread-pool spinning: on a shared machine it
# burns CPU in proportion to the other work, which would blur the CPU time per request.
export DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0
env Gazouille__RateLimits__Enabled=false ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  'Logging__LogLevel__Microsoft.Hosting.Lifetime=Information' \
  timeout --signal=TERM --kill-after=10 600 "${gz[@]}" serve --urls http://127.0.0.1:0 --data "$data" >"$work/server.log" 2>&1 &
wrapper=$!
url=""
for _ in $(seq 1 240); do
  url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/server.log" | head -1)
  [ -n "$url" ] && break
  kill -0 "$wrapper" 2>/dev/null || fail "The server stopped while starting."
  sleep 0.5
done
[ -n "$url" ] || fail "The server did not start within 2 minutes."
echo "== Server on $url (started $(( $(date +%s) - start )) s after the start of the check, load average $(cut -d' ' -f1-3 /proc/loadavg))"

# The server is the child of `timeout`; read /proc when pgrep (procps) is missing.
pid=$(pgrep -P "$wrapper" 2>/dev/null | head -1)
if [ -z "$pid" ]; then
  for f in /proc/[0-9]*/stat; do read -r p _ _ pp _ <"$f" 2>/dev/null && [ "$pp" = "$wrapper" ] && pid=$p && break; done
fi
[ -n "$pid" ] || fail "Cannot find the server's process."
args=(regress --url "$url" --server-pid "$pid" --tokens "$tokens" --baseline "${BASELINE:-bench/load/baseline.json}" --slice "${SLICE:-2}" --rounds "${ROUNDS:-3}" --factor "${FACTOR:-2}")
[ "${WRITE_BASELINE:-0}" = 1 ] && args+=(--write-baseline)
[ "${MERGE_BASELINE:-0}" = 1 ] && args+=(--write-baseline --merge)
"${load[@]}" "${args[@]}"
status=$?
echo "== Performance check took $(( $(date +%s) - start )) s"
exit "$status"
