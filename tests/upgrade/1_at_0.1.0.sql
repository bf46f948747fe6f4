-- A 0.1.0 store with events of every shape, appended through the 0.1.0 functions while the 0.2.0
-- library is installed; what it held is kept in before_update for the checks after the update.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

SELECT plan(9);
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'dcb'), '0.1.0', 'the database is at 0.1.0');

SELECT is(dcb_append(NULL, NULL, '{"type": "Single", "data": {"n": 1}}'), 1::bigint, 'a single event');
SELECT is(dcb_append(NULL, NULL, '{"type": "Tagged", "tags": ["a:1", "b:1"], "data": {"n": 2}, "metadata": {"c": "x"},
                                   "occurred_at": "2025-03-01T10:00:00Z", "id": "00000000-0000-4000-8000-000000000001"}'),
          2::bigint, 'an event with tags, metadata, occurred_at and an id');
SELECT is(dcb_append(NULL, NULL, '[{"type": "Batch", "tags": ["a:1"], "data": 1}, {"type": "Batch", "tags": ["a:2"], "data": [1, 2]},
                                   {"type": "Batch", "data": "text", "id": "00000000-0000-4000-8000-000000000002"}]'),
          5::bigint, 'a batch');
SELECT is(dcb_append(NULL, NULL, '{"type": "Wide", "tags": ["w:1", "w:2", "w:3", "w:4", "w:5", "w:6"], "data": {}}'), 6::bigint,
          'an event with many tags');
SELECT is(dcb_append('{"items": [{"types": ["Tagged"], "tags": ["a:1"]}]}', 2, '{"type": "Decided", "tags": ["a:1"], "data": {}}'),
          7::bigint, 'a conditional append');
SET dcb.max_lock_keys = 4;
SELECT is(dcb_append('{"items": [{"tags": ["esc:none"]}]}', 0,
                     (SELECT jsonb_agg(jsonb_build_object('type', 'Escalated', 'tags', jsonb_build_array('esc:' || i), 'data', i,
                                                          'id', format('00000000-0000-4000-8000-1%s', lpad(i::text, 11, '0'))))
                        FROM generate_series(1, 50) i)), 57::bigint, 'an escalated conditional batch with ids');
RESET dcb.max_lock_keys;
SET upgrade.bulk = :'bulk';
DO $$BEGIN
    FOR b IN 0..(current_setting('upgrade.bulk')::int - 1) / 10000 LOOP
        PERFORM dcb_append(NULL, NULL, (SELECT jsonb_agg(jsonb_build_object('type', 'Bulk' || (i % 7), 'tags', jsonb_build_array('bulk:' || (i % 97))
                                                                                    || CASE WHEN i % 3 = 0 THEN jsonb_build_array('bulk2:' || (i % 13), 'bulk3:' || (i % 5))
                                                                                            WHEN i % 3 = 1 THEN jsonb_build_array('bulk2:' || (i % 13)) ELSE '[]' END,
                                                                            'data', jsonb_build_object('i', i)))
                                          FROM generate_series(b * 10000 + 1, least((b + 1) * 10000, current_setting('upgrade.bulk')::int)) i));
    END LOOP;
END$$;
SELECT is(dcb_head(), 57 + :bulk::bigint, 'more events, in batches of 10,000');
-- The 0.2.0 library serves the 0.1.0 functions as before.
SELECT is(dcb_append(NULL, NULL, '{"type": "Tagged", "tags": ["a:1", "b:1"], "data": {"n": 2}, "id": "00000000-0000-4000-8000-000000000001"}'),
          2::bigint, 'an idempotent retry returns the stored position');

-- Custom privileges on the 0.1.0 functions, and the log as it is now.
REVOKE EXECUTE ON FUNCTION dcb_append(jsonb, bigint, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dcb_append(jsonb, bigint, jsonb) TO dcb_upgrade_app;
CREATE TABLE before_update AS SELECT * FROM dcb_read();
CREATE TABLE before_head AS SELECT dcb_head() AS head;
SELECT * FROM finish();
