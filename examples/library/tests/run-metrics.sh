#!/usr/bin/env bash
# CTest driver of dcb-library-sim --metrics-port: while the run lasts, its store's metrics are served for
# Prometheus; a scrape in the middle of the run must show the execute calls made so far, and no more than the
# run reports at its end.
#   run-metrics.sh path/to/dcb-library-sim
set -uo pipefail
exe=$1
port=$((40000 + $$ % 20000))
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$exe" --seconds 4 --threads 4 --quiet --metrics-port "$port" >"$out" 2>&1 &
sim=$!
for _ in $(seq 50); do grep -q '^metrics: ' "$out" && break; sleep 0.1; done
sleep 2
scrape() {
	exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
	printf 'GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
	cat <&3
	exec 3<&-
}
metrics=$(scrape)
wait $sim
rc=$?
cat "$out"
[ $rc = 0 ] || { echo "the simulation failed ($rc)"; exit 1; }
executed=$(printf '%s\n' "$metrics" | awk '/^eventstore_execute_method_calls_total\{/ { n += $2 } END { print n + 0 }')
commands=$(sed -n 's/^run: \([0-9,]*\) commands.*/\1/p' "$out" | tr -d ,)
max=$(printf '%s\n' "$metrics" | sed -n 's/^eventstore_pool_connections_max{pool="primary"} //p')
echo "scraped mid-run: $executed execute calls; the run made $commands commands; pool max $max"
[ "$executed" -gt 0 ] || { echo "no execute calls in the scrape"; printf '%s\n' "$metrics" | head -20; exit 1; }
[ -n "$commands" ] && [ "$executed" -le "$commands" ] || { echo "more execute calls than commands"; exit 1; }
[ "$max" = 4 ] || { echo "pool gauge: expected a maximum of 4 connections"; exit 1; }
