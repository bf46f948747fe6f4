-- pg_dump/restore of the updated database: the log, positions, stores and privileges survive.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

SELECT plan(7);
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'dcb'), '0.2.0', 'the restored database is at 0.2.0');
SELECT is_empty($$SELECT * FROM before_update EXCEPT SELECT * FROM dcb_read()$$, 'every pre-update event is there');
SELECT is(dcb_head(), (SELECT head FROM before_head) + 2, 'with the two appended after the update');
SELECT is(dcb_append(NULL, NULL, '{"type": "AfterRestore", "data": {}}'), (SELECT head FROM before_head) + 3,
          'positions continue after the restore');
SELECT is(dcb_append(NULL, NULL, '{"type": "Tagged", "tags": ["a:1", "b:1"], "data": {"n": 2}, "id": "00000000-0000-4000-8000-000000000001"}'),
          2::bigint, 'idempotent retries still find their ids');
SELECT is(dcb_head('upgraded'), 1::bigint, 'the named store came along');
SELECT ok(has_function_privilege('dcb_upgrade_app', 'dcb_append(jsonb, bigint, jsonb, text)', 'EXECUTE')
          AND NOT has_function_privilege('public', 'dcb_append(jsonb, bigint, jsonb, text)', 'EXECUTE'), 'and so did the privileges');
SELECT * FROM finish();
