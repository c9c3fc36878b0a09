#!/usr/bin/env bash
# The JMH micro benchmarks (schema compiler, cached check, uncached depth-20 check on the
# memory store, token codec). Extra arguments go to JMH, e.g. a name filter or -f/-wi/-i.
#   benchmarks/run-jmh.sh
#   benchmarks/run-jmh.sh Token -i 3
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d benchmarks/target/lib ] || [ ! -d benchmarks/target/classes ]; then
  echo "building the benchmarks (once) ..." >&2
  mvn -B -q -pl benchmarks -am package -DskipTests >&2
fi
exec java -cp "benchmarks/target/classes:benchmarks/target/lib/*" org.openjdk.jmh.Main "$@"
