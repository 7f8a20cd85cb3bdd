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

echo "== Running tests"
dotnet test --solution Gazouille.slnx -c Release --no-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Microsoft.Testing.Platform prints a summary per test assembly: "succeeded: N" and "failed: N".
passed=$(grep -E '^\s*succeeded:\s*[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -E '^\s*failed:\s*[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
exit "$status"
