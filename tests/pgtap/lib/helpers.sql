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
