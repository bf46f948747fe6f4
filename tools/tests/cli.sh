#!/usr/bin/env bash
# cli.sh <dcb> — the dcb command line against the private cluster (or the PG* environment): head, tail of the
# whole log and of a filter, --from, --from head, --store, --follow picking up events appended after it started,
# and the errors. Exits 77 (skipped) when no server answers.
set -uo pipefail
dcb=$1
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ -z "${PGPORT:-}" ] && [ -x "$repo/scripts/cluster" ]; then eval "$("$repo/scripts/cluster" env)"; fi
export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}
db=dcb_cli_test_$$
psql -XqAt -d postgres -c "SELECT 1" >/dev/null 2>&1 || { echo "no server"; exit 77; }
psql -Xq -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" || exit 1
trap 'psql -Xq -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1' EXIT
export PGDATABASE=$db
psql -Xq -v ON_ERROR_STOP=1 -c "CREATE EXTENSION dcb" -c "SELECT dcb_create_store('side')" \
	-c "SELECT dcb_append(NULL, NULL, '[{\"type\": \"A\", \"data\": {\"n\": 1}, \"tags\": [\"k:1\"]},
	                                    {\"type\": \"B\", \"data\": \"tab\\there\", \"tags\": [\"k:2\"], \"metadata\": {\"m\": true}},
	                                    {\"type\": \"A\", \"data\": [1, 2], \"tags\": [\"k:2\", \"q:\\\"x\\\"\"]}]')" \
	-c "SELECT dcb_append(NULL, NULL, '{\"type\": \"S\", \"data\": 7}', 'side')" >/dev/null || exit 1

failed=0
check() { # check NAME EXPECTED ACTUAL
	if [ "$2" == "$3" ]; then echo "ok   $1"; else echo "FAIL $1"; echo "  expected: $2"; echo "  actual:   $3"; failed=1; fi
}

check "head" "3" "$("$dcb" head)"
check "head --store" "1" "$("$dcb" head --store side)"
out=$("$dcb" tail)
check "tail: one JSON line per event" "3" "$(printf '%s\n' "$out" | wc -l)"
check "tail: valid JSON, in order" "1 2 3" "$(printf '%s\n' "$out" | python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["seq"]) for l in sys.stdin))')"
check "tail: the fields" '2|B|["k:2"]|tab	here|{"m": true}|None' "$(printf '%s\n' "$out" | sed -n 2p | python3 -c '
import json,sys; e=json.loads(sys.stdin.read()); print("|".join(str(x) for x in [e["seq"], e["type"], json.dumps(e["tags"]), e["data"], json.dumps(e["metadata"]), e["id"]]))')"
check "tail: escaped tags" 'q:"x"' "$(printf '%s\n' "$out" | sed -n 3p | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["tags"][1])')"
check "tail: occurred_at" "1" "$(printf '%s\n' "$out" | head -1 | grep -cE '"occurred_at":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z"')"
check "tail --filter" "1 3" "$("$dcb" tail --filter '{"items": [{"types": ["A"]}]}' | python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["seq"]) for l in sys.stdin))')"
check "tail --from 1 --batch 1" "2 3" "$("$dcb" tail --from 1 --batch 1 | python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["seq"]) for l in sys.stdin))')"
check "tail --from head: nothing" "" "$("$dcb" tail --from head)"
check "tail --store" '1 S 7' "$("$dcb" tail --store side | python3 -c 'import json,sys; e=json.loads(sys.stdin.read()); print(e["seq"], e["type"], e["data"])')"
check "tail into a closed pipe exits 0" "0" "$("$dcb" tail --batch 1 | head -c 10 >/dev/null; echo "${PIPESTATUS[0]}")"

# --follow: prints what is appended after it started, then ends on SIGTERM with status 0
follow=$(mktemp)
"$dcb" tail --follow --from head --filter '{"items": [{"tags": ["k:9"]}]}' >"$follow" &
pid=$!
sleep 1
psql -Xq -c "SELECT dcb_append(NULL, NULL, '{\"type\": \"C\", \"data\": 1, \"tags\": [\"k:9\"]}')" \
	-c "SELECT dcb_append(NULL, NULL, '{\"type\": \"D\", \"data\": 2, \"tags\": [\"k:8\"]}')" \
	-c "SELECT dcb_append(NULL, NULL, '{\"type\": \"E\", \"data\": 3, \"tags\": [\"k:9\"]}')" >/dev/null
for _ in $(seq 1 100); do [ "$(wc -l <"$follow")" -ge 2 ] && break; sleep 0.05; done
kill -TERM $pid
wait $pid
status=$?
check "tail --follow: new events as they commit" "C E" "$(python3 -c 'import json,sys; print(" ".join(json.loads(l)["type"] for l in open(sys.argv[1])))' "$follow")"
check "tail --follow: SIGTERM ends it with 0" "0" "$status"
rm -f "$follow"

"$dcb" tail --filter '{"items": []}' >/dev/null 2>&1
check "an invalid filter is an error" "1" "$?"
"$dcb" tail --store missing >/dev/null 2>&1
check "a missing store is an error" "1" "$?"
"$dcb" tail --from x >/dev/null 2>&1
check "a bad option is a usage error" "2" "$?"
PGPORT=1 "$dcb" head >/dev/null 2>&1
check "no server is an error" "1" "$?"
exit $failed
