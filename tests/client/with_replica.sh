#!/usr/bin/env bash
# with_replica.sh <test binary> — runs the replica routing tests against the dev cluster's streaming replica.
# Uses DCB_REPLICA_DSN when set, else the replica of scripts/replica when it is running. Exit 77 (skipped)
# when there is none: start it with `scripts/replica start` (or set DCB_TEST_REQUIRE_SERVER=1 to fail).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ -z "${DCB_REPLICA_DSN:-}" ] && [ -x "$here/scripts/replica" ]; then
	if "$here/scripts/replica" status >/dev/null 2>&1; then
		eval "$("$here/scripts/replica" env)"
		export DCB_REPLICA_DSN
	fi
fi
if [ -z "${DCB_REPLICA_DSN:-}" ]; then
	echo "no replica (run: scripts/replica start, or set DCB_REPLICA_DSN)" >&2
	[ "${DCB_TEST_REQUIRE_SERVER:-}" = 1 ] && exit 1
	exit 77
fi
exec "$@"
