-- After ALTER EXTENSION dcb UPDATE: the log as before, positions continuing, the 0.1.0 calls as
-- before, privileges carried over, and the 0.2.0 surface.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

SELECT plan(20);
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
-- 0.2.0's tag storage: event_tags holds a row for each third and further tag, pointing at its event
-- row; every tag of the log reads exactly the events that carry it; every index is sound.
SELECT is_empty($$SELECT dcb.tag_key(e.tags, n), e.seq, dcb.type_key(e.type), e.ctid
                    FROM dcb.events e, generate_series(3, cardinality(e.tags)) n
                  EXCEPT ALL SELECT tag_key, seq, type_key, event_tid FROM dcb.event_tags$$,
                'every third and further tag has its dcb.event_tags row, with a fresh ctid');
SELECT is((SELECT count(*) FROM dcb.event_tags),
          (SELECT sum(greatest(cardinality(tags) - 2, 0)) FROM dcb.events),
          'and there are no others (the first two tags are in the event row''s indexes)');
SELECT is_empty($$SELECT t FROM (SELECT DISTINCT unnest(tags) t FROM dcb.events) tags
                   WHERE (SELECT array_agg(seq ORDER BY seq) FROM dcb_read(jsonb_build_object('items', jsonb_build_array(jsonb_build_object('tags', jsonb_build_array(t))))))
                         IS DISTINCT FROM (SELECT array_agg(seq ORDER BY seq) FROM dcb.events WHERE t = ANY (tags))$$,
                'every tag reads exactly the events that carry it');
SELECT is((SELECT count(*) FROM (SELECT bt_index_parent_check(i.indexrelid, heapallindexed => true) FROM pg_index i
                                   WHERE i.indrelid IN ('dcb.events'::regclass, 'dcb.event_tags'::regclass)) checked),
          6::bigint, 'amcheck finds the six indexes of dcb.events and dcb.event_tags sound');
-- the 0.2.0 surface
SELECT lives_ok($$SELECT dcb_create_store('upgraded')$$, 'stores can be created');
SELECT is(dcb_append(NULL, NULL, '{"type": "S", "data": {}}', 'upgraded'), 1::bigint, 'a new store starts at 1');
SELECT is(dcb_head('upgraded'), 1::bigint, 'and has its own head');
SELECT * FROM finish();
