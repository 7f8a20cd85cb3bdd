# Shared by the load scripts (sourced, from the repository's root, with set -euo pipefail):
#   bench_database SET   reads DATABASE, CONNECTION and REDIS; sets db_args (for admin commands), serve_args, engine and
#                        data (BENCH_DATA, default /tmp/gazouille-bench-SET, -pg on PostgreSQL)
#   bench_build          builds the server and the load driver (Release); sets gz and load
#   bench_serve URL SECS starts `gazouille serve` on URL with rate limits off, stopped at exit (and after SECS at most),
#                        and waits until it answers; sets pid (the server's process)
# They use $out, a scratch folder the caller made and that bench_serve's exit handler removes.

bench_database() {
  local set_name=$1
  case "${DATABASE:-sqlite}" in
    sqlite) db_args=(); engine=SQLite ;;
    postgres) [ -n "${CONNECTION:-}" ] || { echo "DATABASE=postgres needs CONNECTION (an Npgsql connection string)." >&2; exit 2; }
      db_args=(--database postgres --connection "$CONNECTION"); engine=PostgreSQL ;;
    *) echo "Unknown DATABASE '$DATABASE': use sqlite or postgres." >&2; exit 2 ;;
  esac
  serve_args=("${db_args[@]}")
  if [ -n "${REDIS:-}" ]; then serve_args+=(--redis "$REDIS"); engine="$engine + Redis"; fi
  local suffix=; [ "${DATABASE:-sqlite}" = postgres ] && suffix=-pg
  data=${BENCH_DATA:-/tmp/gazouille-bench-$set_name$suffix}
}

bench_build() {
  echo "== Building (Release)"
  local p
  for p in src/Gazouille bench/Gazouille.Load; do
    dotnet build "$p" -c Release -nologo -v q >"$out/build.log" 2>&1 || { grep -E "error" "$out/build.log" | sort -u | head -20; exit 1; }
  done
  gz=(dotnet "$PWD/src/Gazouille/bin/Release/net10.0/gazouille.dll")
  load=(dotnet "$PWD/bench/Gazouille.Load/bin/Release/net10.0/gazouille-load.dll")
}

bench_serve() {
  local url=$1 seconds=$2
  echo "== Starting the server on $url"
  Gazouille__RateLimits__Enabled=false ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
    timeout --signal=TERM --kill-after=10 "$seconds" "${gz[@]}" serve --urls "$url" --data "$data" "${serve_args[@]}" >"$out/server.log" 2>&1 &
  bench_wrapper=$!
  trap 'kill "$bench_wrapper" 2>/dev/null || true; wait "$bench_wrapper" 2>/dev/null || true; rm -rf "$out"' EXIT
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "$url/api/v1/custom_emojis" 2>/dev/null && break
    sleep 0.5
  done
  curl -fsS -o /dev/null "$url/api/v1/custom_emojis" || { echo "The server did not start:" >&2; tail -20 "$out/server.log" >&2; exit 1; }
  pid=$(pgrep -P "$bench_wrapper" | head -1)
}
