#!/usr/bin/env bash
# gRPC and HTTP side by side, each driven by a load generator in its own process: starts
# `relata serve` on PostgreSQL (a separate JVM), loads the deep-chain data set over gRPC, then
# measures /healthz and gRPC health (the floors), one cached check sent again and again, and
# pools of distinct NO and HAS checks, over HTTP with wrk and over gRPC with GrpcLoad (same
# connections/calls in flight), and a bulk import through gRPC ImportBulkRelationships.
# Prints one table (also written to benchmarks/results/grpc.md).
#   benchmarks/run-grpc.sh                 # the numbers in benchmarks/README.md
#   benchmarks/run-grpc.sh --smoke         # small data, short steps: a smoke test
# Options: --groups N (top-level chains; default 200), --seconds S per step (20), --warmup S (5),
#   --connections N (64: wrk connections and gRPC calls in flight), --pool N (distinct checks
#   per pool, 50000), --import N (relationships to bulk import, 1000000), --build (rebuild),
#   --url postgresql://.../DB (dropped and created again; default relata_bench_grpc),
#   --http-port P (18443), --grpc-port P (15051), --cached-only (only the floors and the cached
#   check: the four steps of the "cached check" comparison, no pools, no import).
#   SERVER_JAR=path runs another build of the server (default http-api/target/relata.jar; its lib/
#   beside it), e.g. a copy of an earlier build for a comparison in the same conditions;
#   SERVER_JAVA_OPTS adds JVM options to the server (e.g. -XX:StartFlightRecording=...).
#   Needs wrk (apt-get install wrk), psql, Java 17.
set -euo pipefail
cd "$(dirname "$0")/.."

groups=200 seconds=20 warmup=5 connections=64 pool=50000 import=1000000 build=0 smoke=0 cached_only=0
url=postgresql://postgres@127.0.0.1:5432/relata_bench_grpc http_port=18443 grpc_port=15051
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1; groups=20; seconds=3; warmup=1; pool=5000; import=20000 ;;
    --groups) groups=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --connections) connections=$2; shift ;;
    --pool) pool=$2; shift ;;
    --import) import=$2; shift ;;
    --build) build=1 ;;
    --url) url=$2; shift ;;
    --http-port) http_port=$2; shift ;;
    --grpc-port) grpc_port=$2; shift ;;
    --cached-only) cached_only=1 ;;
    *) echo "run-grpc.sh: unknown option $1 (see the comment at the top of the script)" >&2; exit 2 ;;
  esac
  shift
done
command -v wrk >/dev/null || { echo "run-grpc.sh: needs wrk (apt-get install wrk)" >&2; exit 2; }
command -v psql >/dev/null || { echo "run-grpc.sh: needs psql" >&2; exit 2; }

if [ "$build" = 1 ] || [ ! -f http-api/target/relata.jar ] || [ ! -f benchmarks/target/classes/io/relata/benchmarks/GrpcLoad.class ] \
    || [ ! -d benchmarks/target/lib ]; then
  echo "building the server and the benchmarks ..." >&2
  mvn -B -q -pl http-api,benchmarks -am package -DskipTests >&2
fi
cp="benchmarks/target/classes:benchmarks/target/lib/*"
out=benchmarks/target/grpc
rm -rf "$out" && mkdir -p "$out" benchmarks/results
results="$out/results.txt"
: > "$results"
began=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# A fresh database.
db=${url##*/}; db=${db%%\?*}
psql -q -v ON_ERROR_STOP=1 "${url%/*}/postgres" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" \
  -c "CREATE DATABASE \"$db\"" >&2

java ${SERVER_JAVA_OPTS:-} -jar "${SERVER_JAR:-http-api/target/relata.jar}" serve --datastore-url "$url" --migrate \
  --preshared-key bench --host 127.0.0.1 --port "$http_port" --grpc-port "$grpc_port" >"$out/server.log" 2>&1 &
server=$!
stop_server() { kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; }
trap stop_server EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { echo "run-grpc.sh: the server stopped; see $out/server.log" >&2; cat "$out/server.log" >&2; exit 1; }
  sleep 0.5
done
curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null || { echo "run-grpc.sh: the server did not start" >&2; exit 1; }
metrics="http://127.0.0.1:$http_port/metrics"

echo "loading the deep-chain data set ($groups top-level chains) over gRPC ..." >&2
java -cp "$cp" io.relata.benchmarks.GrpcSetup --target "127.0.0.1:$grpc_port" --key bench --groups "$groups" \
  --pool "$pool" --dir "$out" | tee "$out/setup.txt" >&2
psql -q "$url" -c "ANALYZE relation_tuples" >&2  # planner statistics for the new rows, as autovacuum would later
sleep 6  # checks read at minimizeLatency (5 s windows): let the window pass the load
# Every chain walked once before anything is measured, so that neither transport's first step
# pays for filling the server's relationship cache.
java ${LOAD_JAVA_OPTS:--Xmx1g} -cp "$cp" io.relata.benchmarks.GrpcLoad --target "127.0.0.1:$grpc_port" --key bench \
  --label "priming (every project once)" --inflight 16 --channels 1 --checks "$out/prime.txt" --once | tee "$out/prime.log" >&2

threads=2
# The server's CPU time so far (user + system, clock ticks): per request, a figure the other
# processes on a shared machine disturb less than the rates.
server_cpu() { awk '{print $14 + $15}' "/proc/$server/stat" 2>/dev/null || echo ""; }
ticks=$(getconf CLK_TCK)
# wrk_step NAME CHECKS-FILE|"" WARMUP-FILE|""
wrk_step() {
  local name=$1 checks=$2 warm=$3 before after file
  file="$out/$(echo "$name" | tr -c 'a-zA-Z0-9\n' '-').txt"
  echo "== $name (wrk, $connections connections, $threads threads) ==" >&2
  if [ "$warmup" != 0 ]; then
    CHECKS=$warm THREADS=$threads LABEL=warm-up wrk -t$threads -c$connections -d${warmup}s --timeout 30s \
      -s benchmarks/wrk/check.lua "http://127.0.0.1:$http_port" >/dev/null
  fi
  before=$(java -cp "$cp" io.relata.benchmarks.ServerCounters "$metrics")
  cpu0=$(server_cpu)
  CHECKS=$checks THREADS=$threads LABEL=$name wrk -t$threads -c$connections -d${seconds}s --timeout 30s --latency \
    -s benchmarks/wrk/check.lua "http://127.0.0.1:$http_port" >"$file"
  cpu1=$(server_cpu)
  after=$(java -cp "$cp" io.relata.benchmarks.ServerCounters "$metrics")
  cat "$file" >&2
  echo "$(grep '^RESULT|' "$file")|$before|$after|$cpu0|$cpu1" >>"$results"
}
# grpc_step NAME --checks FILE --warmup-checks FILE | --health
grpc_step() {
  local name=$1 file; shift
  file="$out/$(echo "$name" | tr -c 'a-zA-Z0-9\n' '-').txt"
  echo "== $name (GrpcLoad, $connections calls in flight, 2 channels) ==" >&2
  java ${LOAD_JAVA_OPTS:--Xmx1g} -cp "$cp" io.relata.benchmarks.GrpcLoad --target "127.0.0.1:$grpc_port" --key bench \
    --label "$name" --inflight "$connections" --channels 2 --warmup "$warmup" --seconds "$seconds" \
    --metrics "$metrics" "$@" >"$file"
  grep -v '^RESULT|\|^COUNTERS|' "$file" >&2
  # (No CPU figure: GrpcLoad's warm-up runs in the same call as its measured window.)
  echo "$(grep '^RESULT|' "$file")|$(grep '^COUNTERS|' "$file" | cut -d'|' -f2-)||" >>"$results"
}

wrk_step "http /healthz" "" ""
grpc_step "grpc health" --health
wrk_step "http cached check" "$out/cached.txt" "$out/cached.txt"
grpc_step "grpc cached check" --checks "$out/cached.txt" --warmup-checks "$out/cached.txt"
if [ "$cached_only" = 0 ]; then
  wrk_step "http NO checks (pool)" "$out/no-http.txt" "$out/warm-http.txt"
  grpc_step "grpc NO checks (pool)" --checks "$out/no-grpc.txt" --warmup-checks "$out/warm-grpc.txt"
  wrk_step "http HAS checks (pool)" "$out/has-http.txt" "$out/warm-http.txt"
  grpc_step "grpc HAS checks (pool)" --checks "$out/has-grpc.txt" --warmup-checks "$out/warm-grpc.txt"

  echo "== bulk import: $import relationships through gRPC ImportBulkRelationships, 1000 a message ==" >&2
  java ${LOAD_JAVA_OPTS:--Xmx1g} -cp "$cp" io.relata.benchmarks.GrpcBulkImport --target "127.0.0.1:$grpc_port" \
    --key bench --count "$import" --batch 1000 | tee "$out/import.txt" >&2
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
kill -0 "$server" 2>/dev/null || { echo "run-grpc.sh: the server died during the run; see $out/server.log" >&2; exit 1; }

{
  IFS='|' read -r _ g rels secs < <(grep '^DATA|' "$out/setup.txt")
  IFS='|' read -r _ has_n no_n warm_n < <(grep '^CHECKS|' "$out/setup.txt")
  echo "Data set: deep chain, $g top-level chains of 10 groups, $rels relationships (loaded over gRPC"
  echo "WriteRelationships in $secs s); pools: $no_n distinct NO and $has_n distinct HAS checks per transport."
  echo "Steps: $warmup s warm-up, then $seconds s measured; $connections connections (wrk, 2 threads) or calls in flight"
  echo "(GrpcLoad, 2 channels); before them, $(grep -o '[0-9,]* checks once each in [0-9.]* s' "$out/prime.log") primed the caches. Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)),"
  echo "$(free -g | awk '/^Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1); server, PostgreSQL and load generator share the cores."
  echo "Load average (1, 5, 15 min) at the start: $load_before; $([ "$cached_only" = 1 ] && echo "at the end" || echo "before the import"): $load_after (other processes on the machine count too)."
  echo
  echo "| workload | transport | requests | rate/s | p50 ms | p95 ms | p99 ms | max ms | errors | HAS | sub-result cache hits | relationship cache hits | store queries per check | server CPU µs per request |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  while IFS='|' read -r _ label n rate p50 p95 p99 max errors held s0 c0 m0 r0 q0 s1 c1 m1 r1 q1 u0 u1; do
    awk -v label="$label" -v n="$n" -v rate="$rate" -v p50="$p50" -v p95="$p95" -v p99="$p99" -v max="$max" \
      -v errors="$errors" -v held="$held" -v s0="$s0" -v c0="$c0" -v m0="$m0" -v r0="$r0" -v q0="$q0" \
      -v s1="$s1" -v c1="$c1" -v m1="$m1" -v r1="$r1" -v q1="$q1" -v u0="$u0" -v u1="$u1" -v ticks="$ticks" 'BEGIN {
        split(label, w, " "); transport = w[1]; workload = substr(label, length(transport) + 2)
        ch = (c1 - c0) + (m1 - m0); rh = (r1 - r0) + (q1 - q0)
        cache = (s1 == "" || ch <= 0) ? "" : sprintf("%.0f %%", 100 * (c1 - c0) / ch)
        rcache = (s1 == "" || rh <= 0) ? "" : sprintf("%.0f %%", 100 * (r1 - r0) / rh)
        queries = (s1 == "" || n <= 0 || workload ~ /health/) ? "" : sprintf("%.2f", (s1 - s0) / n)
        cpu = (u0 == "" || u1 == "" || n <= 0) ? "" : sprintf("%.1f", (u1 - u0) * 1e6 / ticks / n)
        printf "| %s | %s | %d | %d | %s | %s | %s | %s | %d | %s | %s | %s | %s | %s |\n", workload, transport, n, rate,
          p50, p95, p99, max, errors, held == "" ? "" : held " %", cache, rcache, queries, cpu
      }'
  done <"$results"
  echo
  awk -F'|' '{ rate[$2] = $4 } END {
      if (rate["http /healthz"] > 0 && rate["http cached check"] > 0)
        printf "Cached check against its floor: HTTP %.2f of /healthz'"'"'s rate", rate["http cached check"] / rate["http /healthz"]
      if (rate["grpc health"] > 0 && rate["grpc cached check"] > 0)
        printf ", gRPC %.2f of health'"'"'s rate", rate["grpc cached check"] / rate["grpc health"]
      print "."
    }' "$results"
  echo
  if [ "$cached_only" = 0 ]; then
    IFS='|' read -r _ status a b c d < <(grep '^IMPORT|' "$out/import.txt")
    case "$status" in
      OK) echo "Bulk import through gRPC ImportBulkRelationships: $a relationships sent, $b loaded, in $c s: $d relationships/s." ;;
      UNIMPLEMENTED) echo "Bulk import through gRPC ImportBulkRelationships: not measured, the server answered UNIMPLEMENTED ($a)." ;;
      *) echo "Bulk import through gRPC ImportBulkRelationships: failed: $a" ;;
    esac
    echo
  fi
  echo "Whole run: $(( $(date +%s) - began )) s."
} | tee benchmarks/results/grpc$([ "$smoke" = 1 ] && echo -smoke)$([ "$cached_only" = 1 ] && echo -cached).md
