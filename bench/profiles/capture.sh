#!/bin/bash
# One k6 CPU profile of a held bundle (bench/hold.ts), as the files beside this script were made:
#   bench/profiles/capture.sh BUNDLE OUT.pb.gz HOLD_S PROFILE_S [VAR=value ...]
# k6 runs pinned to core 1 (the service to core 0) with --profiling-enabled; after 5 s the
# profile is read from k6's REST API for PROFILE_S seconds. BASE_URL: a running reference service
# (service/bin/loadgate-service -addr 127.0.0.1:18080 … pinned with taskset -c 0). Prints k6's
# exit code and its rusage (user s, system s, peak RSS KB) from GNU time.
set -u
bundle=$1; out=$2; hold=$3; seconds=$4; shift 4
root=$(cd "$(dirname "$0")/../.." && pwd)
port=$((16000 + RANDOM % 1000))
run=$(mktemp -d)
env K6_NO_USAGE_REPORT=true LOADGATE_RUN_DIR="$run" LOADGATE_METRICS_URL=off BASE_URL="${BASE_URL:-http://127.0.0.1:18080}" \
  PROFILE=baseline BENCH_HOLD="${hold}s" "$@" \
  taskset -c 1 /usr/bin/time -f '%U %S %M' -o "$run/usage" "$root/.bin/k6" run --quiet --log-format=json \
  --profiling-enabled --address "127.0.0.1:$port" "$bundle" > "$run/out" 2> "$run/err" &
k6=$!
sleep 5
curl -s -o "$out" "http://127.0.0.1:$port/debug/pprof/profile?seconds=$seconds"
wait $k6; echo "exit $? usage $(tail -1 "$run/usage")"
rm -rf "$run"
