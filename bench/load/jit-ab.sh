#!/usr/bin/env bash
# bench/load/jit-ab.sh PORT OUT : one server on data set M (run bench/load/run.sh M once first), with the runtime settings of the caller's environment (e.g. DOTNET_TieredPGO=1):
# Release server on M (extra env from the caller), JIT warm-up, home closed-loop 20 s, home fixed rate, webhome 50 conns; GC counters
# Needs dotnet-counters (dotnet tool install -g dotnet-counters) and wrk; prints home, fixed-rate home and web home rows and writes OUT.* files.
set -u
port=$1; out=$2
D=${BENCH_DATA:-/tmp/gazouille-bench-M}
export PATH=$PATH:~/.dotnet/tools
cd "$(dirname "$0")/../.."
Gazouille__RateLimits__Enabled=false ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning timeout 400 dotnet src/Gazouille/bin/Release/net10.0/gazouille.dll serve --urls http://127.0.0.1:$port --data $D > /tmp/srv-$port.log 2>&1 &
sleep 1
for i in $(seq 1 60); do curl -fs -o /dev/null http://127.0.0.1:$port/api/v1/custom_emojis && break; sleep 0.5; done
pid=$(pgrep -f "urls http://127.0.0.1:$port" | while read p; do [ "$(cat /proc/$p/comm)" = dotnet ] && echo $p; done | head -1)
TOKENS_FILE=$D/bench-tokens.txt wrk -t1 -c4 -d5s -s bench/load/tokens.lua http://127.0.0.1:$port >/dev/null
sleep 2
dotnet-counters collect -p $pid --counters System.Runtime --format csv -o $out.counters.csv --refresh-interval 1 >/dev/null 2>&1 &
cpid=$!
sleep 1
for s in home; do
  cpu0=$(awk '{print $14+$15}' /proc/$pid/stat)
  TOKENS_FILE=$D/bench-tokens.txt BENCH_PATH="/api/v1/timelines/home?limit=20" wrk -t2 -c32 -d20s --timeout 10s --latency -s bench/load/tokens.lua http://127.0.0.1:$port > $out.home.wrk
  cpu1=$(awk '{print $14+$15}' /proc/$pid/stat)
  reqs=$(awk '/requests in/ {print $1}' $out.home.wrk)
  echo "home: $(awk '/Requests\/sec/ {print $2}' $out.home.wrk) req/s  p50 $(awk '$1=="50%"{print $2}' $out.home.wrk) p90 $(awk '$1=="90%"{print $2}' $out.home.wrk) p99 $(awk '$1=="99%"{print $2}' $out.home.wrk)  CPU ms/req $(echo "($cpu1-$cpu0)*10/$reqs" | bc -l | cut -c1-5)"
done
rate=${RATE:-1800}
dotnet bench/Gazouille.Load/bin/Release/net10.0/gazouille-load.dll run --url http://127.0.0.1:$port --scenario home --tokens $D/bench-tokens.txt --rate $rate --connections 32 --duration 20 --warmup 0 --label "home fixed $rate" > $out.fixed.txt 2>&1
grep -v "^ROW" $out.fixed.txt | tail -4
if [ "${WEB:-1}" = 1 ]; then
TOKENS_FILE=$D/bench-tokens.txt BENCH_PATH="/" wrk -t2 -c50 -d20s --timeout 10s --latency -s bench/load/tokens.lua http://127.0.0.1:$port > $out.web.wrk
echo "webhome: $(awk '/Requests\/sec/ {print $2}' $out.web.wrk) req/s  p50 $(awk '$1=="50%"{print $2}' $out.web.wrk) p90 $(awk '$1=="90%"{print $2}' $out.web.wrk) p99 $(awk '$1=="99%"{print $2}' $out.web.wrk)"
fi
kill $cpid 2>/dev/null; sleep 1
echo "RSS MB $(awk '/^VmRSS/ {print int($2/1024)}' /proc/$pid/status)  load $(cut -d' ' -f1-3 /proc/loadavg)"
kill $pid
