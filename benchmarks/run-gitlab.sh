#!/usr/bin/env bash
# The GitLab benchmark end to end: data set, PostgreSQL import, server, workloads, report.
#   benchmarks/run-gitlab.sh --size small --smoke    # a quick run (CI runs it); steps of 1 s
#   benchmarks/run-gitlab.sh --size medium           # the numbers in benchmarks/README.md
# Options: --url postgresql://... (the database is dropped and created again; default
# relata_bench on the local server), --seconds N per step, --start-rate N, --max-rate N,
# --p99-limit-ms MS, --out DIR (default benchmarks/results), --seed N.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d benchmarks/target/lib ] || [ ! -d benchmarks/target/classes ]; then
  echo "building the benchmarks (once) ..." >&2
  mvn -B -q -pl benchmarks -am package -DskipTests >&2
fi
exec java ${BENCH_JAVA_OPTS:--Xmx8g} -cp "benchmarks/target/classes:benchmarks/target/lib/*" \
  io.relata.benchmarks.GitLabBenchmark "$@"
