#!/usr/bin/env bash
# Runs every test suite of Gazouille from a fresh checkout and ends with "N passed, N failed".
# It installs what the tests need that a fresh machine lacks (only the .NET SDK is assumed).
set -uo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

if ! command -v dotnet >/dev/null; then
  echo "The .NET 10 SDK is required (https://dot.net); install it and run again." >&2
  exit 2
fi

echo "== Restoring and building (Release)"
dotnet build Gazouille.slnx -c Release -nologo -v minimal >"$log" 2>&1
build=$?
grep -E " error |rror\(s\)|Elapsed" "$log" | sort -u | head -40
if [ "$build" -ne 0 ]; then
  echo "Build failed; see the errors above."
  echo "0 passed, 1 failed"
  exit 1
fi

# The Redis event bus tests (RedisBusTests) start a throw-away redis-server from Debian on 127.0.0.1.
if ! command -v redis-server >/dev/null && [ ! -x /usr/bin/redis-server ]; then
  echo "Installing Debian's redis-server for the Redis tests"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; } >"$log" 2>&1 || tail -20 "$log"
  # Debian starts a system-wide service on 6379; the tests use their own on a free port, so it is not needed.
fi

# ReverseProxyTests runs the nginx example of docs/examples/nginx.conf in front of two nodes.
if [ ! -x /usr/sbin/nginx ]; then
  echo "Installing Debian's nginx-light for the reverse proxy test"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light; } >"$log" 2>&1 || tail -20 "$log"
  # Debian may start a system-wide nginx on port 80; the test runs its own on a free port.
fi

# PostgreSQL: the second run below, and in both runs FaultTests (a private cluster it stops and starts).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "Installing Debian's postgresql for the PostgreSQL run"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >"$log" 2>&1 || tail -20 "$log"
fi

echo "== Running tests"
dotnet test --solution Gazouille.slnx -c Release --no-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Microsoft.Testing.Platform prints a summary per test assembly: "succeeded: N" and "failed: N".
passed=$(grep -E '^\s*succeeded:\s*[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -E '^\s*failed:\s*[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo ".NET tests on SQLite: $passed passed, $failed failed"

# PostgreSQL: the server tests again, each test server on its own database of a throw-away cluster that the tests start
# from Debian's binaries on 127.0.0.1 in a temp folder and delete at the end (tests/Gazouille.Tests/PostgresCluster.cs).
echo "== Running server tests on PostgreSQL (tests/Gazouille.Tests with GAZOUILLE_TEST_DATABASE=postgres)"
GAZOUILLE_TEST_DATABASE=postgres dotnet tests/Gazouille.Tests/bin/Release/net10.0/Gazouille.Tests.dll -noColor 2>&1 | tee "$log"
pg=${PIPESTATUS[0]}
summary=$(grep -E 'Total: [0-9]+, Errors: [0-9]+, Failed: [0-9]+' "$log" | tail -1)
ptotal=$(sed -E 's/.*Total: ([0-9]+).*/\1/' <<<"${summary:-Total: 0}")
pfail=$(( $(sed -E 's/.*Errors: ([0-9]+), Failed: ([0-9]+).*/\1 + \2/' <<<"${summary:-Errors: 0, Failed: 0}") ))
pskip=$(( $(sed -E 's/.*Skipped: ([0-9]+), Not Run: ([0-9]+).*/\1 + \2/' <<<"${summary:-Skipped: 0, Not Run: 0}") ))
ppass=$((ptotal - pfail - pskip)); [ "$ppass" -lt 0 ] && ppass=0
if { [ "$pg" -ne 0 ] || [ "$ptotal" -eq 0 ]; } && [ "$pfail" -eq 0 ]; then pfail=1; pg=1; fi
echo "Server tests on PostgreSQL: $ppass passed, $pfail failed"
passed=$((passed + ppass)); failed=$((failed + pfail))
if [ "$pg" -ne 0 ]; then status=1; fi

# Performance: the S scenarios against the committed baseline (bench/load/ci.sh, one test per scenario). It judges
# ratios to a trivial endpoint per server CPU second, so a slower or busier machine does not fail it; only a
# regression of more than 2× does (see docs/benchmarks.md).
echo "== Running the performance regression check (bench/load/ci.sh)"
NO_BUILD=1 bash bench/load/ci.sh 2>&1 | tee "$log"
perf=${PIPESTATUS[0]}
summary=$(grep -E '^Performance regression check: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
fpass=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"${summary:-x: 0 passed, 0 failed}")
ffail=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"${summary:-x: 0 passed, 0 failed}")
if [ "$perf" -ne 0 ] && [ "$ffail" -eq 0 ]; then ffail=1; fi
passed=$((passed + fpass)); failed=$((failed + ffail))
if [ "$perf" -ne 0 ]; then status=1; fi

# Compatibility: the Mastodon client libraries (masto, megalodon) against a real `gazouille serve` (tests/compat).
echo "== Running client compatibility tests (tests/compat)"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Node.js 20+ and npm are required for tests/compat; install them (e.g. apt-get install nodejs npm) and run again."
  failed=$((failed + 1)); status=1
elif ! (cd tests/compat && npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1); then
  cat "$log"
  echo "npm ci failed in tests/compat; see above."
  failed=$((failed + 1)); status=1
else
  (cd tests/compat && node --test --test-reporter=tap) 2>&1 | tee "$log"
  compat=${PIPESTATUS[0]}
  # Node's TAP reporter ends with "# pass N", "# fail N" and "# cancelled N" (tests stopped by a failed hook or timeout).
  cpass=$(grep -E '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
  cfail=$(grep -E '^# (fail|cancelled) [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
  if [ "$compat" -ne 0 ] && [ "$cfail" -eq 0 ]; then cfail=1; fi
  passed=$((passed + cpass)); failed=$((failed + cfail))
  if [ "$compat" -ne 0 ]; then status=1; fi
fi

# Browser: the web app in Debian's Chromium driven by Playwright (tests/Gazouille.BrowserTests), after the server tests so
# the browser never competes with them for the CPU. Screenshots are kept in artifacts/screenshots.
echo "== Running browser tests (tests/Gazouille.BrowserTests)"
if ! command -v chromium >/dev/null; then
  echo "Installing Debian's chromium for the browser tests"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$log" 2>&1 || tail -20 "$log"
fi
if ! command -v npm >/dev/null || ! (cd tests/Gazouille.BrowserTests && npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1); then
  cat "$log"
  echo "npm ci failed in tests/Gazouille.BrowserTests (axe-core); the accessibility tests will say so."
fi
rm -rf artifacts/screenshots && mkdir -p artifacts/screenshots
# Without chromium the suite fails, each test saying why: a browser suite that skipped would pass having tested nothing.
GAZOUILLE_CHROMIUM="$(command -v chromium || true)" GAZOUILLE_SCREENSHOTS="$PWD/artifacts/screenshots" \
  dotnet tests/Gazouille.BrowserTests/bin/Release/net10.0/Gazouille.BrowserTests.dll -noColor 2>&1 | tee "$log"
browser=${PIPESTATUS[0]}
# xUnit's own runner ends with "Total: N, Errors: N, Failed: N, Skipped: N, Not Run: N, Time: …".
summary=$(grep -E 'Total: [0-9]+, Errors: [0-9]+, Failed: [0-9]+' "$log" | tail -1)
btotal=$(sed -E 's/.*Total: ([0-9]+).*/\1/' <<<"${summary:-Total: 0}")
bfail=$(( $(sed -E 's/.*Errors: ([0-9]+), Failed: ([0-9]+).*/\1 + \2/' <<<"${summary:-Errors: 0, Failed: 0}") ))
bskip=$(( $(sed -E 's/.*Skipped: ([0-9]+), Not Run: ([0-9]+).*/\1 + \2/' <<<"${summary:-Skipped: 0, Not Run: 0}") ))
bpass=$((btotal - bfail - bskip)); [ "$bpass" -lt 0 ] && bpass=0
if { [ "$browser" -ne 0 ] || [ "$btotal" -eq 0 ]; } && [ "$bfail" -eq 0 ]; then bfail=1; browser=1; fi
passed=$((passed + bpass)); failed=$((failed + bfail))
if [ "$browser" -ne 0 ]; then status=1; fi

echo "$passed passed, $failed failed"
exit "$status"
