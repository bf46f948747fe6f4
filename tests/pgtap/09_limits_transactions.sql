-- pgTAP: limits and transactions (README, "Limits and settings"): the documented limits (dcb.* settings)
-- reject oversized input with nothing written; a 100k-event batch and a long loop of appends in
-- one transaction stay within the lock table; savepoints; an interrupted append leaves nothing.
\ir lib/begin.sql
-- Lock-table entries this backend holds (dcb keys are advisory locks).
CREATE FUNCTION pg_temp.locks() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory' $$;
CREATE TEMP TABLE r (k text PRIMARY KEY, v bigint) ON COMMIT DROP;

SELECT plan(25);

-- The limits are settings, enforced with nothing written.
SELECT cmp_ok(current_setting('dcb.max_events_per_call')::int, '>=', 100000, 'dcb.max_events_per_call allows 100k-event batches by default');
SET LOCAL dcb.max_events_per_call = 3;
SELECT matches(pg_temp.err($$SELECT dcb_append(NULL, NULL, '[{"type": "A", "data": 1}, {"type": "A", "data": 2}, {"type": "A", "data": 3}, {"type": "A", "data": 4}]')$$),
               '^[0-9A-Z]{5}: .*events', 'more events than dcb.max_events_per_call is an error');
RESET dcb.max_events_per_call;
SET LOCAL dcb.max_tags_per_event = 2;
SELECT matches(pg_temp.err($$SELECT dcb_append(NULL, NULL, '[{"type": "A", "data": 1, "tags": ["a", "b", "c"]}]')$$),
               '^[0-9A-Z]{5}: .*events\[0\]\.tags', 'more tags than dcb.max_tags_per_event is an error naming the path');
RESET dcb.max_tags_per_event;
SET LOCAL dcb.max_filter_items = 2;
SELECT matches(pg_temp.err($$SELECT * FROM dcb_read('{"items": [{"types": ["a"]}, {"types": ["b"]}, {"types": ["c"]}]}')$$),
               '^[0-9A-Z]{5}: .*filter\.items', 'more items than dcb.max_filter_items is an error');
RESET dcb.max_filter_items;
SET LOCAL dcb.max_payload_bytes = 100;
SELECT matches(pg_temp.err(format('SELECT dcb_append(NULL, NULL, %L::jsonb)', jsonb_build_object('type', 'A', 'data', jsonb_build_object('x', repeat('x', 200))))),
               '^[0-9A-Z]{5}: .*events.*data', 'data above dcb.max_payload_bytes is an error');
RESET dcb.max_payload_bytes;
SELECT is(pg_temp.n(), 0::bigint, 'no over-limit call wrote anything');

-- A batch far above the lock-key budget: one call, increasing seqs, bounded locks.
CREATE TEMP TABLE big ON COMMIT DROP AS
    SELECT jsonb_agg(jsonb_build_object('type', 'Big', 'tags', jsonb_build_array('big:' || i, 'bulk'), 'data', jsonb_build_object('i', i)) ORDER BY i) AS events
      FROM generate_series(1, 100000) i;
INSERT INTO r VALUES ('big', dcb_append(NULL, NULL, (SELECT events FROM big)));
SELECT is((SELECT count(*) FROM dcb_read('{"items": [{"tags": ["bulk"]}]}')), 100000::bigint, 'a 100000-event batch with 100001 distinct tags is appended');
SELECT is((SELECT bool_and(i = rn) FROM (SELECT (data->>'i')::int AS i, row_number() OVER (ORDER BY seq) AS rn FROM dcb_read('{"items": [{"tags": ["bulk"]}]}')) x),
          true, 'its seqs follow the given order');
SELECT is((SELECT max(seq) FROM dcb_read()), (SELECT v FROM r WHERE k = 'big'), 'the call returned the last seq');
SELECT is((SELECT data->>'i' FROM dcb_read('{"items": [{"tags": ["big:98765"]}]}')), '98765', 'each event is found by its own tag');
SELECT cmp_ok(pg_temp.locks(), '<=', 2 * current_setting('dcb.max_lock_keys')::bigint,
              'the batch holds a bounded number of lock-table entries, not one per key');

-- A long loop of appends in one transaction stays bounded too.
DO $$BEGIN
    FOR i IN 1..3000 LOOP
        PERFORM dcb_append(jsonb_build_object('items', jsonb_build_array(jsonb_build_object('tags', jsonb_build_array('loop:' || i)))), 0,
                           jsonb_build_object('type', 'Loop', 'tags', jsonb_build_array('loop:' || i, 'loop2:' || i), 'data', i));
    END LOOP;
END$$;
SELECT is((SELECT count(*) FROM dcb_read('{"items": [{"types": ["Loop"]}]}')), 3000::bigint, '3000 conditional appends in one transaction');
SELECT cmp_ok(pg_temp.locks(), '<=', 2 * current_setting('dcb.max_lock_keys')::bigint,
              '...hold a bounded number of lock-table entries');
SELECT matches(pg_temp.err($$SELECT dcb_append('{"items": [{"tags": ["loop:17"]}]}', 0, '{"type": "Loop", "tags": ["loop:17"], "data": 0}')$$),
               '^40001: ', 'conditions still hold after escalation');

-- Savepoints: an append rolled back to a savepoint is gone, and conditions no longer see it.
INSERT INTO r VALUES ('before_sp', pg_temp.n());
SAVEPOINT sp;
SELECT dcb_append(NULL, NULL, '{"type": "Gone", "tags": ["sp:1"], "data": {}}') AS gone_seq \gset
ROLLBACK TO SAVEPOINT sp;
SELECT is((SELECT count(*) FROM dcb_read('{"items": [{"tags": ["sp:1"]}]}')), 0::bigint, 'an append rolled back to a savepoint is not read');
SELECT is(pg_temp.err($$SELECT dcb_append('{"items": [{"tags": ["sp:1"]}]}', 0, '{"type": "Kept", "tags": ["sp:1"], "data": {}}')$$),
          'no error', 'a condition does not see the rolled-back event');
SELECT is((SELECT array_agg(type) FROM dcb_read('{"items": [{"tags": ["sp:1"]}]}')), ARRAY['Kept'], 'only the kept event is stored');
SELECT cmp_ok((SELECT seq FROM dcb_read('{"items": [{"tags": ["sp:1"]}]}')), '>', :gone_seq::bigint,
              'the rolled-back seq is not reused');
SELECT cmp_ok(dcb_head(), '>=', (SELECT max(seq) FROM dcb_read()), 'dcb_head() covers every visible event after the savepoint rollback');
SELECT is(pg_temp.n(), (SELECT v FROM r WHERE k = 'before_sp') + 1, 'one event added around the savepoint');

-- A cancelled append (statement_timeout during a large batch) leaves nothing and the session works on.
CREATE TEMP TABLE big2 ON COMMIT DROP AS
    SELECT jsonb_agg(jsonb_build_object('type', 'Cancelled', 'tags', jsonb_build_array('cancel:' || i), 'data', i)) AS events
      FROM generate_series(1, 100000) i;
INSERT INTO r VALUES ('before_cancel', pg_temp.n());
SET LOCAL statement_timeout = '100ms';
SELECT matches(pg_temp.err('SELECT dcb_append(NULL, NULL, (SELECT events FROM big2))'), '^57014: ', 'a 100000-event append is cancelled by statement_timeout');
SET LOCAL statement_timeout = 0;
SELECT is(pg_temp.n(), (SELECT v FROM r WHERE k = 'before_cancel'), 'the cancelled append wrote nothing');
SELECT is((SELECT count(*) FROM dcb_read('{"items": [{"types": ["Cancelled"]}]}')), 0::bigint, 'no event of the cancelled batch is visible');
SELECT is(pg_temp.err($$SELECT dcb_append('{"items": [{"tags": ["after:cancel"]}]}', 0, '{"type": "After", "tags": ["after:cancel"], "data": {}}')$$),
          'no error', 'appends work after the cancellation');
SELECT is((SELECT count(*) FROM dcb_read('{"items": [{"tags": ["after:cancel"]}]}')), 1::bigint, '...and are read back');

SELECT * FROM finish();
ROLLBACK;
