-- pgTAP, on a server without dcb in shared_preload_libraries (tests/nopreload/run): dcb_wait polls
-- every dcb.wait_poll_interval and still returns at once, on its timeout, on statement_timeout, and
-- soon after a commit; dcb_stats and dcb_stats_reset refuse with 55000. A second session ('a',
-- appending) and a waiter ('w') come from dblink.
\ir ../pgtap/lib/begin_sessions.sql
SELECT plan(13);

-- Like pg_temp.err (lib/helpers.sql), with the error's HINT instead of its DETAIL.
CREATE FUNCTION pg_temp.err_hint(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; hint text;
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS OR query_canceled THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
    RETURN st || ': ' || msg || coalesce(' HINT: ' || nullif(hint, ''), '');
END $$;

SELECT dblink_connect('a', :'dsn') \g /dev/null
SELECT dblink_connect('w', :'dsn') \g /dev/null
SELECT pid AS w_pid FROM dblink('w', 'SELECT pg_backend_pid()') AS t(pid int) \gset

SELECT is(current_setting('shared_preload_libraries'), '', 'this server does not preload dcb');
SELECT is(dcb_head(), 0::bigint, 'an empty store');
SELECT is(current_setting('dcb.wait_poll_interval'), '100ms', 'dcb.wait_poll_interval defaults to 100 ms');
SELECT ok(current_setting('dcb.shared_store_slots', true) IS NULL, 'dcb.shared_store_slots exists only when preloaded');

SELECT * FROM dblink('a', $$SELECT dcb_append(NULL, NULL, '{"type": "A", "data": 1}')$$) AS t(seq bigint) \g /dev/null
SET LOCAL statement_timeout = '10s';
SELECT is(dcb_wait(0, '1 hour'), 1::bigint, 'dcb_wait returns at once when the head is past after');
SELECT is(dcb_wait(1, '150 ms'), 1::bigint, 'and the head on its timeout');
SET LOCAL statement_timeout = '100ms';
SELECT is(pg_temp.err_hint($$SELECT dcb_wait(1, '1 hour')$$), '57014: canceling statement due to statement timeout',
          'statement_timeout cancels a polling dcb_wait');
SET LOCAL statement_timeout = '10s';

-- A commit is seen at the next poll.
SELECT dblink_exec('w', $$SET dcb.wait_poll_interval = '20ms'$$) \g /dev/null
SELECT dblink_send_query('w', $$SELECT dcb_wait(1, '8 s'), clock_timestamp() - statement_timestamp()$$) = 1 AS sent \gset
SELECT ok(:'sent'::boolean AND pg_temp.waiting(:w_pid, 'Extension'), 'a waiter polls (waiting in an extension between looks)');
SELECT * FROM dblink('a', $$SELECT dcb_append(NULL, NULL, '{"type": "B", "data": 2}')$$) AS t(seq bigint) \g /dev/null
SELECT is((SELECT ROW(head, took < interval '6 s') FROM dblink_get_result('w') AS t(head bigint, took interval)), ROW(2::bigint, true),
          'it sees the commit at a following poll, long before its timeout');
SELECT dblink_get_result('w') \g /dev/null

-- Statistics need the shared memory.
SELECT is(pg_temp.err_hint('SELECT * FROM dcb_stats'),
          '55000: dcb statistics are not available: the dcb library is not preloaded HINT: Add dcb to shared_preload_libraries in postgresql.conf and restart the server.',
          'dcb_stats refuses with 55000 and says how to get it');
SELECT is(pg_temp.err_hint('SELECT dcb_stats_reset()'),
          '55000: dcb statistics are not available: the dcb library is not preloaded HINT: Add dcb to shared_preload_libraries in postgresql.conf and restart the server.',
          'so does dcb_stats_reset');
-- Everything else works.
SELECT is((SELECT array_agg(type ORDER BY seq) FROM dcb_read()), ARRAY['A', 'B'], 'reads work');
SELECT throws_ok($$SELECT dcb_append('{"items": [{"types": ["A"]}]}', 0, '{"type": "C", "data": 3}')$$, '40001', NULL,
                 'conditions work');

SELECT dblink_disconnect(c) FROM unnest(ARRAY['a', 'w']) c \g /dev/null
SELECT * FROM finish();
ROLLBACK;
