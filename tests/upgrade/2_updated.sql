-- After ALTER EXTENSION dcb UPDATE: the log as before, positions continuing, the 0.1.0 calls as
-- before, privileges carried over, and the 0.2.0 surface.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

SELECT plan(16);
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'dcb'), '0.2.0', 'the database is at 0.2.0');
SELECT is_empty($$SELECT * FROM before_update EXCEPT SELECT * FROM dcb_read()$$, 'every event is still there, unchanged');
SELECT is_empty($$SELECT * FROM dcb_read() WHERE seq <= (SELECT head FROM before_head) EXCEPT SELECT * FROM before_update$$,
                'and nothing else below the old head');
SELECT is(dcb_head(), (SELECT head FROM before_head), 'the head is the same');
SELECT is((SELECT array_agg(seq ORDER BY seq) FROM dcb_read('{"items": [{"tags": ["a:1"]}]}')), ARRAY[2, 3, 7]::bigint[],
          'a tag read returns the same positions');
SELECT is((SELECT count(*) FROM dcb_read('{"items": [{"tags": ["w:6", "w:2"]}]}')), 1::bigint, 'so does a read on two of many tags');
SELECT is(dcb_append(NULL, NULL, '{"type": "Tagged", "tags": ["a:1", "b:1"], "data": {"n": 2}, "id": "00000000-0000-4000-8000-000000000001"}'),
          2::bigint, 'an idempotent retry of a pre-update append returns its position');
SELECT is(dcb_append(NULL, NULL, (SELECT jsonb_agg(jsonb_build_object('type', 'Escalated', 'tags', jsonb_build_array('esc:' || i), 'data', i,
                                                                      'id', format('00000000-0000-4000-8000-1%s', lpad(i::text, 11, '0'))))
                                    FROM generate_series(1, 50) i)), 57::bigint, '...also of the escalated batch');
SELECT throws_ok($$SELECT dcb_append('{"items": [{"tags": ["a:1"]}]}', 6, '{"type": "Late", "tags": ["a:1"], "data": {}}')$$,
                 '40001', 'dcb: append condition failed', 'a condition against a pre-update position sees the pre-update events');
SELECT is(dcb_append('{"items": [{"tags": ["a:1"]}]}', 7, '{"type": "Next", "tags": ["a:1"], "data": {}}'),
          (SELECT head FROM before_head) + 1, 'a condition that holds appends at the next position');
SELECT is(dcb_append(NULL, NULL, '{"type": "Next", "data": {}}', NULL), (SELECT head FROM before_head) + 2,
          'the 0.2.0 signature with the store argument, default store');
-- privileges carried over to the new signature
SELECT ok(NOT has_function_privilege('public', 'dcb_append(jsonb, bigint, jsonb, text)', 'EXECUTE'), 'PUBLIC still cannot append');
SELECT ok(has_function_privilege('dcb_upgrade_app', 'dcb_append(jsonb, bigint, jsonb, text)', 'EXECUTE'), 'the granted role still can');
-- the 0.2.0 surface
SELECT lives_ok($$SELECT dcb_create_store('upgraded')$$, 'stores can be created');
SELECT is(dcb_append(NULL, NULL, '{"type": "S", "data": {}}', 'upgraded'), 1::bigint, 'a new store starts at 1');
SELECT is(dcb_head('upgraded'), 1::bigint, 'and has its own head');
SELECT * FROM finish();
