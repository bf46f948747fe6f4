-- pgTAP: dcb_stats and dcb_stats_reset, one step at a time. What committed is counted (a rollback,
-- a rolled-back savepoint, or a savepoint released into a parent that rolls back, count nothing);
-- conflicts, idempotent replays, reads, waits and lock waits are counted when they happen; every
-- store has its own row. tests/concurrency (scenario stats) checks the same under many clients.
--
-- Other sessions come from dblink ('a' appends, 'h' holds a transaction open); they work in a store
-- of their own, tap_stats (committed so that every session sees it; dropped after the test's
-- transaction). Appends must commit to be counted, so this session only reads.
\ir lib/begin_sessions.sql
SELECT plan(33);

SELECT dblink_connect('a', :'dsn') \g /dev/null
SELECT dblink_connect('h', :'dsn') \g /dev/null
SELECT pid AS a_pid FROM dblink('a', 'SELECT pg_backend_pid()') AS t(pid int) \gset
SELECT * FROM dblink('a', $$SELECT count(dcb_drop_store(name, drop_events => true)::text) FROM dcb.stores WHERE name = 'tap_stats'$$) AS t(n bigint) \g /dev/null
SELECT * FROM dblink('a', $$SELECT dcb_create_store('tap_stats')::text$$) AS t(r text) \g /dev/null

-- Runs sql in session s and returns its one bigint.
CREATE FUNCTION pg_temp.run(s text, sql text) RETURNS bigint LANGUAGE sql AS $$
    SELECT v FROM dblink(s, sql) AS t(v bigint)
$$;
CREATE FUNCTION pg_temp.ev(type text, tags text[] DEFAULT '{}', id uuid DEFAULT NULL) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object('type', type, 'data', '{}'::jsonb, 'tags', to_jsonb(tags), 'id', id))
$$;
-- Appends events (jsonb) to tap_stats in session s, with an optional condition.
CREATE FUNCTION pg_temp.append(s text, events jsonb, filter jsonb DEFAULT NULL, expected bigint DEFAULT NULL) RETURNS bigint LANGUAGE sql AS $$
    SELECT pg_temp.run(s, format('SELECT dcb_append(%L, %L, %L, %L)', filter, expected, events, 'tap_stats'))
$$;
CREATE FUNCTION pg_temp.stats() RETURNS dcb_stats LANGUAGE sql AS $$ SELECT * FROM dcb_stats WHERE store = 'tap_stats' $$;
-- The counters of tap_stats: appends, events, conflicts, idempotent_replays, escalations.
CREATE FUNCTION pg_temp.writes() RETURNS bigint[] LANGUAGE sql AS $$
    SELECT ARRAY[appends, events, conflicts, idempotent_replays, escalations] FROM dcb_stats WHERE store = 'tap_stats'
$$;

SELECT is((SELECT array_agg(attname::text ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'dcb_stats'::regclass AND attnum > 0),
          ARRAY['appends', 'events', 'conflicts', 'idempotent_replays', 'escalations', 'lock_waits', 'lock_wait_time',
                'reads', 'rows_read', 'waits', 'stats_reset', 'store'], 'dcb_stats has the columns of the spec, then the store');
SELECT is((SELECT array_agg(store ORDER BY store) FROM dcb_stats WHERE store IN ('default', 'tap_stats')), ARRAY['default', 'tap_stats'],
          'one row per store');
SELECT is(pg_temp.stats(), ROW(0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, '0'::interval, 0::bigint, 0::bigint, 0::bigint,
                               (pg_temp.stats()).stats_reset, 'tap_stats')::dcb_stats, 'a new store counts nothing yet');
SELECT ok((pg_temp.stats()).stats_reset IS NOT NULL, 'and says since when it counts');
SELECT * FROM dcb_stats WHERE store = 'default' \gset default_before_

-- Committed appends.
SELECT is(pg_temp.append('a', pg_temp.ev('A')), 1::bigint, 'a appends one event');
SELECT is(pg_temp.append('a', jsonb_build_array(pg_temp.ev('A'), pg_temp.ev('B'))), 3::bigint, 'a appends two events in one call');
SELECT is(pg_temp.writes(), ARRAY[2, 3, 0, 0, 0]::bigint[], 'two appends, three events');

-- A rollback counts nothing.
SELECT dblink_exec('a', 'BEGIN') \g /dev/null
SELECT is(pg_temp.append('a', pg_temp.ev('Gone')), 4::bigint, 'a appends in a transaction');
SELECT dblink_exec('a', 'ROLLBACK') \g /dev/null
SELECT is(pg_temp.writes(), ARRAY[2, 3, 0, 0, 0]::bigint[], 'the rolled-back append is not counted');

-- Savepoints: a rolled-back one counts nothing, a released one counts with its parent.
SELECT dblink_exec('a', 'BEGIN') \g /dev/null
SELECT dblink_exec('a', 'SAVEPOINT s1') \g /dev/null
SELECT pg_temp.append('a', pg_temp.ev('Gone')) \g /dev/null
SELECT dblink_exec('a', 'ROLLBACK TO SAVEPOINT s1') \g /dev/null
SELECT dblink_exec('a', 'SAVEPOINT s2') \g /dev/null
SELECT pg_temp.append('a', jsonb_build_array(pg_temp.ev('Kept'), pg_temp.ev('Kept'))) \g /dev/null
SELECT dblink_exec('a', 'RELEASE SAVEPOINT s2') \g /dev/null
SELECT pg_temp.append('a', pg_temp.ev('Kept')) \g /dev/null
SELECT is(pg_temp.writes(), ARRAY[2, 3, 0, 0, 0]::bigint[], 'nothing is counted before the commit');
SELECT dblink_exec('a', 'COMMIT') \g /dev/null
SELECT is(pg_temp.writes(), ARRAY[4, 6, 0, 0, 0]::bigint[], 'the commit counts the released savepoint and the top level, not the rolled-back one');
SELECT dblink_exec('a', 'BEGIN') \g /dev/null
SELECT dblink_exec('a', 'SAVEPOINT s1') \g /dev/null
SELECT dblink_exec('a', 'SAVEPOINT s2') \g /dev/null
SELECT pg_temp.append('a', pg_temp.ev('Gone')) \g /dev/null
SELECT dblink_exec('a', 'RELEASE SAVEPOINT s2') \g /dev/null
SELECT dblink_exec('a', 'ROLLBACK TO SAVEPOINT s1') \g /dev/null
SELECT dblink_exec('a', 'COMMIT') \g /dev/null
SELECT is(pg_temp.writes(), ARRAY[4, 6, 0, 0, 0]::bigint[], 'a savepoint released into one that rolls back counts nothing');

-- Conflicts are counted when they happen, also in a transaction that rolls back.
-- (rolled-back appends took positions 4, 5 and 9)
SELECT is(pg_temp.append('a', pg_temp.ev('Tagged', '{k:1}')), 10::bigint, 'a appends a tagged event');
SELECT is(pg_temp.err(format($q$SELECT * FROM dblink('a', %L) AS t(v bigint)$q$,
          format('SELECT dcb_append(%L, 0, %L, %L)', '{"items": [{"tags": ["k:1"]}]}', pg_temp.ev('Late'), 'tap_stats'))),
          '40001: dcb: append condition failed DETAIL: expected_max is 0, but the event at seq 10 matches the filter.',
          'a stale decision fails');
SELECT dblink_exec('a', 'BEGIN') \g /dev/null
SELECT pg_temp.err(format($q$SELECT * FROM dblink('a', %L) AS t(v bigint)$q$,
       format('SELECT dcb_append(%L, 0, %L, %L)', '{"items": [{"tags": ["k:1"]}]}', pg_temp.ev('Late'), 'tap_stats'))) \g /dev/null
SELECT dblink_exec('a', 'ROLLBACK') \g /dev/null
SELECT is(pg_temp.writes(), ARRAY[5, 7, 2, 0, 0]::bigint[], 'both conflicts are counted, the second one in a rolled-back transaction too');

-- Idempotent replays.
SELECT is(pg_temp.append('a', pg_temp.ev('WithId', '{}', '00000000-0000-4000-8000-00000000ab01')), 11::bigint, 'a appends an event with an id');
SELECT is(pg_temp.append('a', pg_temp.ev('WithId', '{}', '00000000-0000-4000-8000-00000000ab01')), 11::bigint, 'and again: the stored seq');
SELECT is(pg_temp.writes(), ARRAY[6, 8, 2, 1, 0]::bigint[], 'the replay is counted as one, and not as an append');

-- Escalations: a batch past the lock-key budget.
SELECT dblink_exec('a', 'SET dcb.max_lock_keys = 4') \g /dev/null
SELECT is(pg_temp.append('a', jsonb_build_array(pg_temp.ev('Big', '{e:1,e:2}'), pg_temp.ev('Big', '{e:3,e:4}'), pg_temp.ev('Big', '{e:5}'))),
          14::bigint, 'a appends a batch past its lock-key budget');
SELECT dblink_exec('a', 'RESET dcb.max_lock_keys') \g /dev/null
SELECT is(pg_temp.writes(), ARRAY[7, 11, 2, 1, 1]::bigint[], 'the escalated batch is counted as an append and an escalation');
SELECT is((pg_temp.stats()).events, (SELECT count(*) FROM dcb_tap_stats.events), 'events equals the events in the store');

-- Reads and waits, when they happen (this session's transaction stays open).
SELECT is((SELECT count(*) FROM dcb_read(NULL, 0, NULL, false, 'tap_stats')), 11::bigint, 'a read returns 11 rows');
SELECT is((SELECT count(*) FROM dcb_read('{"items": [{"tags": ["k:1"]}]}', 0, NULL, false, 'tap_stats')), 1::bigint, 'a read returns 1 row');
SELECT is(pg_temp.err($$SELECT count(*) FROM dcb_read('{"items": []}', 0, NULL, false, 'tap_stats')$$), '22023: filter.items must be a non-empty array',
          'a refused read');
SELECT is(dcb_wait(0, '0', 'tap_stats') + dcb_wait(14, '0', 'tap_stats'), 28::bigint, 'two dcb_wait calls');
SELECT is(ARRAY[(pg_temp.stats()).reads, (pg_temp.stats()).rows_read, (pg_temp.stats()).waits], ARRAY[2, 12, 2]::bigint[],
          'two reads of 12 rows and two waits are counted; the refused read is not');

-- Lock waits: a conditional append on a key that another transaction is writing waits for it.
SELECT dblink_exec('h', 'BEGIN') \g /dev/null
SELECT pg_temp.append('h', pg_temp.ev('Held', '{k:2}')) \g /dev/null
SELECT dblink_send_query('a', format('SELECT dcb_append(%L, 14, %L, %L)', '{"items": [{"tags": ["k:2"]}]}', pg_temp.ev('After'), 'tap_stats')) \g /dev/null
SELECT ok(pg_temp.waiting(:a_pid, 'Lock'), 'a waits for h');
SELECT pg_sleep(0.2) \g /dev/null
SELECT dblink_exec('h', 'COMMIT') \g /dev/null
SELECT is(pg_temp.err($$SELECT * FROM dblink_get_result('a') AS t(v bigint)$$),
          '40001: dcb: append condition failed DETAIL: expected_max is 14, but the event at seq 15 matches the filter.',
          'after h commits, a''s condition fails on h''s event');
SELECT dblink_get_result('a') \g /dev/null
SELECT is(ARRAY[(pg_temp.stats()).lock_waits, (pg_temp.stats()).conflicts], ARRAY[1, 3]::bigint[], 'one lock wait, one more conflict');
SELECT ok((pg_temp.stats()).lock_wait_time >= interval '200 ms', 'the wait took at least the 200 ms h was held after a started waiting');

-- Statistics are per store; dcb_stats_reset zeroes one store.
SELECT is((SELECT ARRAY[appends, events, conflicts, reads, waits, lock_waits] FROM dcb_stats WHERE store = 'default'),
          ARRAY[:default_before_appends, :default_before_events, :default_before_conflicts, :default_before_reads,
                :default_before_waits, :default_before_lock_waits]::bigint[], 'the default store''s row did not move');
SELECT dcb_stats_reset('tap_stats') \g /dev/null
SELECT is(pg_temp.stats(), ROW(0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, '0'::interval, 0::bigint, 0::bigint, 0::bigint,
                               (pg_temp.stats()).stats_reset, 'tap_stats')::dcb_stats, 'dcb_stats_reset zeroes the store''s row');
SELECT ok(NOT has_function_privilege('public', 'dcb_stats_reset(text)', 'EXECUTE'), 'only privileged roles may reset');

SELECT dblink_disconnect(c) FROM unnest(ARRAY['a', 'h']) c \g /dev/null
SELECT * FROM finish();
ROLLBACK;
SELECT dcb_drop_store('tap_stats', drop_events => true) \g /dev/null
