#!/usr/bin/env bash
# Bulk import at 1,000,000 relationships through each way in: gRPC ImportBulkRelationships
# (GrpcBulkImport, 1,000 a message), HTTP POST /v1/relationships/importbulk (an NDJSON body
# of 1,000 a line, sent by curl), and `relata import FILE` (NDJSON, one relationship a line,
# straight into PostgreSQL). Each run gets a fresh database (dropped and created again). The
# last run is the floor: the same rows as COPY text, sent by psql's \copy into the same table
# (no Relata at all), so that what PostgreSQL itself takes is seen beside the three.
#
#   benchmarks/run-import.sh [--count N] [--url postgresql://.../relata_bench_import] [--only grpc|http|cli|psql]
#
# Prints one line per run and writes benchmarks/target/import/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."

count=1000000 url=postgresql://postgres@127.0.0.1:5432/relata_bench_import http_port=18453 grpc_port=15061 only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count=$2; shift ;;
    --url) url=$2; shift ;;
    --only) only=$2; shift ;;
    --http-port) http_port=$2; shift ;;
    --grpc-port) grpc_port=$2; shift ;;
    *) echo "run-import.sh: unknown option $1 (see the comment at the top of the script)" >&2; exit 2 ;;
  esac
  shift
done
command -v psql >/dev/null || { echo "run-import.sh: needs psql" >&2; exit 2; }
command -v python3 >/dev/null || { echo "run-import.sh: needs python3" >&2; exit 2; }
if [ ! -f http-api/target/relata.jar ] || [ ! -f benchmarks/target/classes/io/relata/benchmarks/GrpcBulkImport.class ] \
    || [ ! -d benchmarks/target/lib ]; then
  echo "building the server and the benchmarks ..." >&2
  mvn -B -q -pl http-api,benchmarks -am package -DskipTests >&2
fi
cp="benchmarks/target/classes:benchmarks/target/lib/*"
out=benchmarks/target/import
mkdir -p "$out"
results="$out/results.md"
db=${url##*/}; db=${db%%\?*}
schema='definition user {}
definition project {
    relation developer: user
}'

# The same relationships as GrpcBulkImport sends: project:bulk_{n/10}#developer@user:u{n*7919 % 20000}.
if [ ! -f "$out/messages-$count.ndjson" ]; then
  echo "writing the NDJSON files ($count relationships) ..." >&2
  python3 - "$count" "$out/messages-$count.ndjson" "$out/lines-$count.ndjson" <<'PY'
import sys
count, messages, lines = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def rel(n):
    return ('{"resource":{"objectType":"project","objectId":"bulk_%d"},"relation":"developer",'
            '"subject":{"object":{"objectType":"user","objectId":"u%d"}}}' % (n // 10, (n * 7919) % 20000))
with open(messages, "w") as m, open(lines, "w") as l:
    for start in range(0, count, 1000):
        rels = [rel(n) for n in range(start, min(count, start + 1000))]
        m.write('{"relationships":[' + ",".join(rels) + "]}\n")
        l.write("\n".join(rels) + "\n")
PY
fi

fresh_db() {
  psql -q -v ON_ERROR_STOP=1 "${url%/*}/postgres" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" \
    -c "CREATE DATABASE \"$db\"" >&2
}
server=""
start_server() {
  java ${SERVER_JAVA_OPTS:-} -jar http-api/target/relata.jar serve --datastore-url "$url" --migrate \
    --preshared-key bench --host 127.0.0.1 --port "$http_port" --grpc-port "$grpc_port" >"$out/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { echo "run-import.sh: the server stopped; see $out/server.log" >&2; exit 1; }
    sleep 0.5
  done
  python3 -c 'import json,sys; print(json.dumps({"schema": sys.argv[1]}))' "$schema" \
    | curl -sf -H "Authorization: Bearer bench" --data-binary @- "http://127.0.0.1:$http_port/v1/schema/write" >/dev/null
}
stop_server() { if [ -n "$server" ]; then kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; server=""; fi; }
trap stop_server EXIT
table_size() {
  psql -qtA "$url" -c "SELECT pg_size_pretty(sum(pg_table_size(inhrelid))) || ' tables + ' ||
    pg_size_pretty(sum(pg_indexes_size(inhrelid))) || ' indexes' FROM pg_inherits WHERE inhparent = 'relation_tuples'::regclass"
}
report() { # way, seconds, loaded, load before
  local rate
  rate=$(python3 -c "import sys; print(f'{int(sys.argv[1]) / float(sys.argv[2]):,.0f}')" "$3" "$2")
  echo "| $1 | $3 | $2 | $rate | $(table_size) | $4 | $(cut -d' ' -f1-3 /proc/loadavg) |" | tee -a "$results"
}
now() { date +%s.%N; }
{
  echo "$count relationships; machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)),"
  echo "$(free -g | awk '/^Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1), $(psql -qtA "${url%/*}/postgres" -c 'SHOW server_version')."
  echo
  echo "| way in | loaded | seconds | relationships/s | relation_tuples after | load average before | load average after |"
  echo "|---|---|---|---|---|---|---|"
} > "$results"

if [ -z "$only" ] || [ "$only" = grpc ]; then
  fresh_db; start_server; load=$(cut -d' ' -f1-3 /proc/loadavg)
  line=$(java ${LOAD_JAVA_OPTS:--Xmx1g} -cp "$cp" io.relata.benchmarks.GrpcBulkImport --target "127.0.0.1:$grpc_port" \
    --key bench --count "$count" --batch 1000)
  echo "$line" >&2
  IFS='|' read -r _ status _ loaded seconds _ <<<"$line"
  [ "$status" = OK ] || { echo "run-import.sh: gRPC import failed: $line" >&2; exit 1; }
  report "gRPC ImportBulkRelationships (GrpcBulkImport)" "$seconds" "$loaded" "$load"
  stop_server
fi
if [ -z "$only" ] || [ "$only" = http ]; then
  fresh_db; start_server; load=$(cut -d' ' -f1-3 /proc/loadavg)
  begin=$(now)
  answer=$(curl -sS -H "Authorization: Bearer bench" -H "Content-Type: application/x-ndjson" -T "$out/messages-$count.ndjson" \
    -X POST "http://127.0.0.1:$http_port/v1/relationships/importbulk")
  end=$(now)
  echo "$answer" >&2
  loaded=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["numLoaded"])' "$answer")
  report "HTTP POST /v1/relationships/importbulk (curl, NDJSON)" "$(python3 -c "print(round($end - $begin, 2))")" "$loaded" "$load"
  stop_server
fi
if [ -z "$only" ] || [ "$only" = cli ]; then
  fresh_db
  java -jar http-api/target/relata.jar migrate --datastore-url "$url" >&2
  printf 'schema: |-\n%s\nrelationships: ""\n' "$(echo "$schema" | sed 's/^/  /')" > "$out/schema.yaml"
  java -jar http-api/target/relata.jar import "$out/schema.yaml" --datastore-url "$url" --tenant default \
    --create-tenant --with-schema >&2
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  begin=$(now)
  said=$(java -jar http-api/target/relata.jar import "$out/lines-$count.ndjson" --datastore-url "$url" --tenant default)
  end=$(now)
  echo "$said" >&2
  loaded=$(echo "$said" | sed -n 's/.*imported \([0-9,]*\) relationships.*/\1/p' | tr -d ,)
  report "relata import FILE (NDJSON, JVM start included)" "$(python3 -c "print(round($end - $begin, 2))")" "$loaded" "$load"
fi
if [ -z "$only" ] || [ "$only" = psql ]; then
  fresh_db
  java -jar http-api/target/relata.jar migrate --datastore-url "$url" >&2
  java -jar http-api/target/relata.jar import "$out/schema.yaml" --datastore-url "$url" --tenant default \
    --create-tenant --with-schema >&2
  tenant_id=$(psql -qtA "$url" -c "SELECT id FROM tenants WHERE name = 'default'")
  python3 - "$count" "$tenant_id" "$out/copy-$count.txt" <<'PY'
import sys
count, tenant, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(path, "w") as f:
    for n in range(count):
        f.write("%s\tproject\tbulk_%d\tdeveloper\tuser\tu%d\t\t\\N\t\\N\t\\N\t3\n" % (tenant, n // 10, (n * 7919) % 20000))
PY
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  begin=$(now)
  psql -q -v ON_ERROR_STOP=1 "$url" -c "\\copy relation_tuples (tenant_id, resource_type, resource_id, relation,
    subject_type, subject_id, subject_relation, caveat_name, caveat_context, expires_at, created_rev) FROM '$out/copy-$count.txt'" >&2
  end=$(now)
  report "floor: psql \\copy of the same rows (no Relata)" "$(python3 -c "print(round($end - $begin, 2))")" \
    "$(psql -qtA "$url" -c 'SELECT count(*) FROM relation_tuples')" "$load"
fi
echo "results: $results" >&2
