#!/usr/bin/env bash
# A composite check against the bulk check of its two questions that it replaces: the GitLab
# example (examples/gitlab/gitlab.yaml) loaded into `relata serve` (memory store), then wrk
# posting the chains of benchmarks/composite-chains.txt (job tokens, fine-grained tokens and an
# agent; HAS and NO) as composite checks, then as two-item bulk checks, each for --seconds,
# with the sub-result cache on (the default) and then off (--cache-size 0: every request
# evaluates). A composite check also asks the schema's binding (the job's triggered_by, the
# token's owner), which the bulk check leaves out. Options: --seconds N (10), --connections N (16),
# --port N (18443). Needs wrk (apt-get install wrk). Prints the RESULT lines and the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=10 connections=16 port=18443
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    *) echo "run-composite.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "run-composite.sh: needs wrk (apt-get install wrk)" >&2; exit 2; }
[ -f http-api/target/relata.jar ] || ./relata --version >/dev/null 2>&1 || true
run() {
  local cache="$1"
  ./relata serve --preshared-key bench --port "$port" --grpc-port 0 --cache-size "$cache" \
    --bootstrap examples/gitlab/gitlab.yaml >/tmp/relata-composite-bench.log 2>&1 &
  local pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.5
  done
  # Past the first minimizeLatency window, so every request sees the bootstrapped data.
  sleep 6
  for mode in composite bulk; do
    # warm-up, then the measured run
    CHAINS=benchmarks/composite-chains.txt MODE=$mode LABEL=warm wrk -t2 -c"$connections" -d3s \
      -s benchmarks/wrk/composite.lua "http://127.0.0.1:$port" >/dev/null
    CHAINS=benchmarks/composite-chains.txt MODE=$mode LABEL="$mode cache=$cache" wrk -t2 -c"$connections" \
      -d"${seconds}s" -s benchmarks/wrk/composite.lua "http://127.0.0.1:$port" | grep '^RESULT'
  done
  kill $pid; wait $pid 2>/dev/null || true
  trap - EXIT
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
{ run 100000; run 0; } | tee /tmp/relata-composite-bench.txt
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -F'|' '/^RESULT/ { split($2, l, " "); rate[l[1] " " l[2]] = $4 }
  END { for (c in rate) if (c ~ /^composite/) { b = c; sub(/^composite/, "bulk", b);
        printf "%s: composite %s/s, bulk %s/s, ratio %.2f\n", substr(c, 11), rate[c], rate[b], rate[c] / rate[b] } }' \
  /tmp/relata-composite-bench.txt
