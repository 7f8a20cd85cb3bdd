#!/usr/bin/env bash
# Fan-out benchmark (issue 9): an author with 10 / 100 / 1,000 / 10,000 followers publishes; how long until the last
# follower's open user stream delivers the post, and until the last follower's home timeline shows it.
#   bench/load/fanout.sh
# Data set F: 10,100 users (50 follows each, 200k posts) with tokens for 10,050 of them, generated once into BENCH_DATA
# (default /tmp/gazouille-bench-F; REGENERATE=1 to start over). The followers are the first N token holders and follow
# their author through the API before each size is measured. Environment: FOLLOWERS (default 10,100,1000,10000),
# POSTS (posts per size and path, default 3), PORT (5097), NO_DOC=1 to skip appending to docs/benchmarks.md.
# PostgreSQL: DATABASE=postgres CONNECTION="Host=127.0.0.1;Port=5433;Username=postgres;Database=gazouille_f" (a server you
# started), and REDIS=127.0.0.1:6380 to add Redis; BENCH_DATA defaults to /tmp/gazouille-bench-F-pg then.
# The server listens on 127.0.0.1 only, is killed at the end, and stops by itself after 30 minutes at most.
set -euo pipefail
cd "$(dirname "$0")/../.."
followers=${FOLLOWERS:-10,100,1000,10000}
posts=${POSTS:-3}
port=${PORT:-5097}
source bench/load/common.sh
bench_database F
tokens=$data/bench-tokens.txt
url=http://127.0.0.1:$port
out=$(mktemp -d)
users=10100; follows=50; generated_posts=200000

# 10,000 streams are 10,000 sockets in the server and as many in the driver (the limit is per process).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge 12000 ] || echo "warning: only $(ulimit -n) open files allowed per process; 10,000 streams need about 11,000" >&2

bench_build

if [ "${REGENERATE:-0}" = 1 ]; then rm -rf "$data"; fi
if [ ! -s "$tokens" ]; then
  rm -rf "$data"
  echo "== Generating data set F ($users users, $follows follows each, $generated_posts posts, 10,050 tokens) into $data"
  "${gz[@]}" admin generate --data "$data" "${db_args[@]}" --users "$users" --follows-per-user "$follows" --posts "$generated_posts" \
    --tokens 10050 --tokens-file "$tokens" 2>&1 | tr '\r' '\n' | grep -v '^$' | awk '/%/ && !/100%/ { next } { print }'
else
  echo "== Reusing the data set in $data"
fi

bench_serve "$url" 1800

status=0
"${load[@]}" fanout --url "$url" --tokens "$tokens" --followers "$followers" --posts "$posts" | tee "$out/fanout.txt" || status=$?
[ "$status" -le 1 ] || exit "$status"
rows=$(sed -n 's/^ROW //p' "$out/fanout.txt")

commit=$(git rev-parse --short HEAD)$(git diff --quiet -- src && echo "" || echo "+local changes")
cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
report=$(cat <<MD

### $(date -u +%Y-%m-%d\ %H:%M) UTC — fan-out, data set F ($users users, $follows follows each, $generated_posts posts), $engine

Machine: $(nproc) cores, $cpu, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end.
Commit: $commit. \`gazouille-load fanout --followers $followers --posts $posts\`, loopback, rate limits off. Times from the
publishing request's send. "user stream": every follower holds \`/api/v1/streaming/user\` open (one connection each, on
the same two cores as the server); "home timeline read": once the POST has answered, every follower reads its home
timeline (newest 5, 32 connections), again if the post is not there yet; "last" is then when the last read that showed
it ended, so it includes reading N timelines one after another at the rate in the last column.

$(echo "${rows:+| followers | reached through | POST answered | first | median | p99 | last | not reached | |}")
$(echo "${rows:+|---|---|---|---|---|---|---|---|---|}")
$rows

Goal (issue 9, item 3): a 10k-follower fan-out visible everywhere in < 1 s.
MD
)
echo "$report"
if [ "${NO_DOC:-0}" != 1 ]; then
  echo "$report" >>docs/benchmarks.md
  echo "== Appended to docs/benchmarks.md"
fi
exit "$status"
