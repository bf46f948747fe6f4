-- pgTAP: dcb_wait. It returns at once when the head is past `after`, on its timeout, on
-- statement_timeout and on pg_cancel_backend; a sleeping waiter holds no lock and is woken by the
-- commit (or rollback, or COMMIT PREPARED) of an append that moves the head; an append still open
-- with a lower position holds the head back, but the waiter still returns on its timeout; a
-- transaction outside dcb that stays open does not delay it.
--
-- Other sessions come from dblink: 'a' appends (autocommit), 'h' holds transactions open, 'w'
-- waits in the background, 'x' is a transaction outside dcb. They work in a store of their own,
-- tap_wait (committed, so that every session sees it; dropped after the test's transaction), whose positions start
-- at 1. Wake-ups are tested by order, not by speed: a waiter that was not woken would sleep until
-- its 8 s timeout and return the old head, which the tests tell apart.
\ir lib/begin_sessions.sql
SELECT plan(38);

SELECT dblink_connect('a', :'dsn') \g /dev/null
SELECT dblink_connect('h', :'dsn') \g /dev/null
SELECT dblink_connect('w', :'dsn') \g /dev/null
SELECT dblink_connect('x', :'dsn') \g /dev/null
SELECT pid AS w_pid FROM dblink('w', 'SELECT pg_backend_pid()') AS t(pid int) \gset

SELECT * FROM dblink('a', $$SELECT count(dcb_drop_store(name, drop_events => true)::text) FROM dcb.stores WHERE name = 'tap_wait'$$) AS t(n bigint) \g /dev/null
SELECT * FROM dblink('a', $$SELECT dcb_create_store('tap_wait')::text$$) AS t(r text) \g /dev/null

-- Appends one event to tap_wait in session s (autocommit unless s is in a transaction); its seq.
CREATE FUNCTION pg_temp.append(s text, type text DEFAULT 'T') RETURNS bigint LANGUAGE sql AS $$
    SELECT seq FROM dblink(s, format($q$SELECT dcb_append(NULL, NULL, %L, 'tap_wait')$q$,
                                     jsonb_build_object('type', type, 'data', '{}'::jsonb))) AS t(seq bigint)
$$;
-- Starts dcb_wait(after, timeout) in session w; returns once w sleeps in it (false if it never did).
CREATE FUNCTION pg_temp.start_waiter(after bigint, timeout text DEFAULT '8 s') RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF dblink_send_query('w', format($q$SELECT dcb_wait(%s, %L, 'tap_wait'), clock_timestamp() - statement_timestamp()$q$,
                                     after, timeout)) <> 1 THEN
        RETURN false;
    END IF;
    RETURN pg_temp.waiting(current_setting('tap.w_pid')::int, 'Extension');
END $$;
-- The result of the waiter: its head, and whether it returned well before its 8 s timeout.
CREATE FUNCTION pg_temp.waiter_result(OUT head bigint, OUT early boolean) LANGUAGE plpgsql AS $$
BEGIN
    SELECT t.head, t.took < interval '6 s' INTO head, early FROM dblink_get_result('w') AS t(head bigint, took interval);
    PERFORM * FROM dblink_get_result('w') AS t(head bigint, took interval); -- the end of the query
END $$;
SELECT set_config('tap.w_pid', :'w_pid', true) IS NOT NULL AS set \g /dev/null

-- Argument checks.
SELECT throws_ok($$SELECT dcb_wait(-1, '1 s', 'tap_wait')$$, '22023', 'after must not be negative', 'a negative after is refused');
SELECT throws_ok($$SELECT dcb_wait(0, '-1 s', 'tap_wait')$$, '22023', 'timeout must not be negative', 'a negative timeout is refused');
SELECT throws_ok($$SELECT dcb_wait(0, NULL, 'tap_wait')$$, '22004', 'timeout must not be null', 'a null timeout is refused');
SELECT throws_ok($$SELECT dcb_wait(0, '1 s', 'no_such_store')$$, '42704', NULL, 'an unknown store is refused');

-- Returns at once when the head is past after (a statement_timeout of 10 s would cut a 1-hour wait).
SELECT is(pg_temp.append('a'), 1::bigint, 'a appends seq 1');
SELECT is(pg_temp.append('a'), 2::bigint, 'a appends seq 2');
SET LOCAL statement_timeout = '10s';
SELECT is(dcb_wait(0, '1 hour', 'tap_wait'), 2::bigint, 'dcb_wait(0) returns the head at once');
SELECT is(dcb_wait(1, '1 hour', 'tap_wait'), dcb_head('tap_wait'), 'dcb_wait(1) returns dcb_head() at once');
-- On the timeout with nothing new: the head, equal to after.
SELECT is(dcb_wait(2, '50 ms', 'tap_wait'), 2::bigint, 'on its timeout dcb_wait returns the head (= after)');
SELECT is(dcb_wait(7, '50 ms', 'tap_wait'), 2::bigint, 'after past the head: the head, on the timeout');
SELECT is(dcb_wait(2, '0', 'tap_wait'), 2::bigint, 'a zero timeout looks once');
-- statement_timeout ends a wait cleanly.
SET LOCAL statement_timeout = '100ms';
SELECT is(pg_temp.err($$SELECT dcb_wait(2, '1 hour', 'tap_wait')$$), '57014: canceling statement due to statement timeout',
          'statement_timeout cancels a waiting dcb_wait');
SET LOCAL statement_timeout = '10s';

-- pg_cancel_backend ends a wait cleanly; the sleeping waiter says so in pg_stat_activity and holds
-- no lock an append or a read could wait for.
SELECT ok(pg_temp.start_waiter(2, '1 hour'), 'a waiter sleeps in dcb_wait');
SELECT is((SELECT wait_event_type || '/' || wait_event FROM pg_stat_activity WHERE pid = :w_pid), 'Extension/Extension',
          'pg_stat_activity shows the sleeping waiter waiting in an extension');
SELECT is((SELECT count(*) FROM pg_locks WHERE pid = :w_pid AND locktype NOT IN ('virtualxid', 'relation')), 0::bigint,
          'the sleeping waiter holds no advisory or transaction lock');
SELECT is((SELECT count(*) FROM pg_locks WHERE pid = :w_pid AND locktype = 'relation' AND mode NOT IN ('AccessShareLock', 'RowExclusiveLock')), 0::bigint,
          'its relation locks are ones no append or read conflicts with');
SELECT is((SELECT count(*) FROM dcb_read(NULL, 0, NULL, false, 'tap_wait')), 2::bigint, 'a read does not wait for the sleeping waiter');
SELECT ok(pg_cancel_backend(:w_pid), 'pg_cancel_backend');
SELECT is(pg_temp.err($$SELECT * FROM dblink_get_result('w') AS t(head bigint, took interval)$$),
          '57014: canceling statement due to user request', 'the cancelled dcb_wait fails with query_canceled');
SELECT dblink_get_result('w') \g /dev/null

-- A commit wakes a sleeping waiter.
SELECT ok(pg_temp.start_waiter(2), 'a waiter sleeps on head 2');
SELECT is(pg_temp.append('a'), 3::bigint, 'a appends seq 3 and commits');
SELECT is(pg_temp.waiter_result(), ROW(3::bigint, true), 'the waiter wakes and returns the new head');

-- An append still open with a lower position holds the head back; dcb_wait returns on its timeout.
SELECT dblink_exec('h', 'BEGIN') \g /dev/null
SELECT is(pg_temp.append('h', 'Held'), 4::bigint, 'h appends seq 4 and keeps its transaction open');
SELECT is(pg_temp.append('a'), 5::bigint, 'a appends seq 5 and commits');
SELECT is(dcb_wait(3, '200 ms', 'tap_wait'), 3::bigint, 'dcb_wait(3) returns 3 on its timeout while seq 4 is in flight');
SELECT ok(pg_temp.start_waiter(3), 'a waiter sleeps while seq 4 is in flight');
SELECT dblink_exec('h', 'COMMIT') \g /dev/null
SELECT is(pg_temp.waiter_result(), ROW(5::bigint, true), 'the commit of seq 4 wakes it, with head 5');

-- A rollback that unblocks the head wakes the waiter too.
SELECT dblink_exec('h', 'BEGIN') \g /dev/null
SELECT is(pg_temp.append('h', 'Held'), 6::bigint, 'h appends seq 6 and keeps its transaction open');
SELECT is(pg_temp.append('a'), 7::bigint, 'a appends seq 7 and commits');
SELECT ok(pg_temp.start_waiter(5), 'a waiter sleeps while seq 6 is in flight');
SELECT dblink_exec('h', 'ROLLBACK') \g /dev/null
SELECT is(pg_temp.waiter_result(), ROW(7::bigint, true), 'the rollback of seq 6 wakes it, with head 7');

-- So does COMMIT PREPARED.
SELECT dblink_exec('h', 'BEGIN') \g /dev/null
SELECT is(pg_temp.append('h', 'Prepared'), 8::bigint, 'h appends seq 8');
SELECT dblink_exec('h', $$PREPARE TRANSACTION 'tap_wait_prepared'$$) \g /dev/null
SELECT ok(pg_temp.start_waiter(7), 'a waiter sleeps while seq 8 is prepared');
SELECT dblink_exec('a', $$COMMIT PREPARED 'tap_wait_prepared'$$) \g /dev/null
SELECT is(pg_temp.waiter_result(), ROW(8::bigint, true), 'COMMIT PREPARED wakes it, with head 8');

-- A transaction outside dcb that stays open (with an xid and a snapshot) delays nothing.
SELECT dblink_exec('x', 'BEGIN ISOLATION LEVEL REPEATABLE READ') \g /dev/null
SELECT * FROM dblink('x', 'SELECT txid_current() > 0, count(*) > 0 FROM pg_class') AS t(a boolean, b boolean) \g /dev/null
SELECT ok(pg_temp.start_waiter(8), 'a waiter sleeps beside an open transaction outside dcb');
SELECT is(pg_temp.append('a'), 9::bigint, 'a appends seq 9 and commits');
SELECT is(pg_temp.waiter_result(), ROW(9::bigint, true), 'the waiter returns head 9, not held up by the open transaction');
SELECT dblink_exec('x', 'COMMIT') \g /dev/null

-- Reading the store is needed to wait on it.
CREATE ROLE dcb_pgtap_waiter NOLOGIN;
SET LOCAL ROLE dcb_pgtap_waiter;
SELECT throws_ok($$SELECT dcb_wait(0, '1 s', 'tap_wait')$$, '42501', NULL, 'a role that cannot read the store cannot wait on it');
RESET ROLE;

SELECT dblink_disconnect(c) FROM unnest(ARRAY['a', 'h', 'w', 'x']) c \g /dev/null
SELECT * FROM finish();
ROLLBACK;
-- This session's reads hold the store's sequence until their transaction ends: drop it after.
SELECT dcb_drop_store('tap_wait', drop_events => true) \g /dev/null
