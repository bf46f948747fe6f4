-- tests/pgtap/lib/helpers.sql — helpers shared by the pgTAP files (included with \ir lib/helpers.sql
-- inside each file's transaction; temporary, so they vanish with the session).

-- Runs q and returns 'no error', or 'SQLSTATE: message[ DETAIL: detail]' of its error (also of a
-- cancellation, which pgTAP's throws_ok cannot catch: WHEN OTHERS excludes query_canceled).
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text;
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS OR query_canceled THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
    RETURN st || ': ' || msg || coalesce(' DETAIL: ' || nullif(det, ''), '');
END $$;

-- The number of events in the store (a rejected call must leave it unchanged).
CREATE FUNCTION pg_temp.n() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM dcb_read() $$;

-- Waits up to 10 s for backend `pid` to wait on an event of type `wait_type` ('Lock': a lock, 'Extension':
-- dcb_wait asleep); returns whether it did.
CREATE FUNCTION pg_temp.waiting(pid int, wait_type text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..2000 LOOP
        PERFORM pg_stat_clear_snapshot();
        PERFORM 1 FROM pg_stat_activity a WHERE a.pid = waiting.pid AND a.state = 'active' AND a.wait_event_type = waiting.wait_type;
        IF FOUND THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.005);
    END LOOP;
    RETURN false;
END $$;
