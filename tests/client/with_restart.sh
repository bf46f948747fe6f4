#!/usr/bin/env bash
# with_restart.sh <test binary> — runs the server-restart tests against the project's private cluster
# (scripts/cluster), which they restart in the middle of a run. They never restart a server they were pointed
# at with DCB_TEST_DSN: exit 77 (skipped) then, or when the cluster is not running (1 with
# DCB_TEST_REQUIRE_SERVER=1).
#   with_restart.sh --restart   restarts the cluster the way a crash would (immediate shutdown, then recovery)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if [ "${1:-}" = --restart ]; then
	eval "$("$here/scripts/cluster" env)"
	# the same server binaries as scripts/cluster
	bindir=${PGBIN:-$(${PG_CONFIG:-pg_config} --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)}
	as_owner=()
	[ "$(id -u)" = 0 ] && as_owner=(runuser -u postgres --)
	"${as_owner[@]}" "$bindir/pg_ctl" -D "$DCB_CLUSTER_DATA" -m immediate -w -t 60 \
		-l "$(dirname "$DCB_CLUSTER_DATA")/server.log" restart >/dev/null
	exit 0
fi

skip() {
	echo "$1" >&2
	[ "${DCB_TEST_REQUIRE_SERVER:-}" = 1 ] && exit 1
	exit 77
}
[ -z "${DCB_TEST_DSN:-}" ] || skip "DCB_TEST_DSN points at a server of someone else's: not restarting it"
"$here/scripts/cluster" status >/dev/null 2>&1 || skip "the private cluster is not running (scripts/cluster start)"
eval "$("$here/scripts/cluster" env)"
export DCB_TEST_RESTART="$here/tests/client/with_restart.sh --restart"
exec "$@"
