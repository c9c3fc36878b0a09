#!/usr/bin/env bash
# Streamed lookup subjects of a resource with 100,000 subjects over HTTP, measured by curl in its own
# process: time to the first result, to the last, and the server's heap growth.
#   benchmarks/run-subjects.sh               # the numbers in benchmarks/README.md
# Options: --url postgresql://... (dropped and created again; default
# relata_bench_subjects on the local server), --runs N.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d benchmarks/target/lib ] || [ ! -d benchmarks/target/classes ]; then
  echo "building the benchmarks (once) ..." >&2
  mvn -B -q -pl benchmarks -am package -DskipTests >&2
fi
exec java ${BENCH_JAVA_OPTS:--Xmx4g} -cp "benchmarks/target/classes:benchmarks/target/lib/*" \
  io.relata.benchmarks.SubjectStreamBenchmark "$@"
