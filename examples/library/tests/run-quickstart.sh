#!/bin/sh
# CTest driver of dcb-quickstart: a fresh database with the extension on the private cluster
# (127.0.0.1:$DCB_PORT, default 54329), the program, then the database is dropped again.
#   run-quickstart.sh path/to/dcb-quickstart
set -u
exe=$1
port=${DCB_PORT:-54329}
db=dcb_quickstart_test_$$
psql_() { psql -qX -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"; }
psql_ -d postgres -c "CREATE DATABASE $db" || exit 2
rc=0
psql_ -d "$db" -c "CREATE EXTENSION dcb" && "$exe" "host=127.0.0.1 port=$port user=postgres dbname=$db" || rc=$?
[ "$rc" = 0 ] || echo "dcb-quickstart failed ($rc)" >&2
psql_ -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
exit "$rc"
