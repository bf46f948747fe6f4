--
-- dcb_model_vacuumed: dcb_read and append conditions against a SQL reference, on committed and
-- vacuumed storage (all-visible pages, so index scans may skip heap visibility checks). The
-- pgTAP model check (tests/pgtap/09_model_check.sql) runs inside one transaction, where no page is
-- all-visible; this one commits about 400 pseudo-random events (fixed seed), VACUUMs, appends a
-- few more (not all-visible), and compares 600 pseudo-random reads and 200 conditions.
--
\set VERBOSITY default
SET client_min_messages = warning;
DROP EXTENSION dcb;
CREATE EXTENSION dcb;
RESET client_min_messages;

-- pg_regress feeds this file on standard input, so the path is relative to the repository root,
-- where make installcheck runs
\i tests/common/model.sql
CREATE FUNCTION pg_temp.append_random(batches int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    FOR b IN 1..batches LOOP
        PERFORM dcb_append(NULL, NULL, (SELECT jsonb_agg(jsonb_build_object(
                   'type', (ARRAY['T1', 'T2', 'T3', 'T4'])[1 + floor(random() * 4)::int],
                   'tags', pg_temp.pick(ARRAY['a', 'b', 'c', 'd', 'e', 'f'], floor(random() * 4)::int),
                   'data', jsonb_build_object('k', floor(random() * 3)::int, 'g', jsonb_build_object('h', floor(random() * 2)::int)),
                   'occurred_at', pg_temp.rand_ts()))
              FROM generate_series(1, 1 + floor(random() * 7)::int)));
    END LOOP;
END $$;

SELECT setseed(0.2718) IS NULL AS seeded;
SELECT pg_temp.append_random(100) IS NULL AS appended;
-- VACUUM can only mark pages all-visible once no snapshot anywhere can still miss these rows; a
-- replica with hot_standby_feedback (scripts/replica) holds the horizon back for a few seconds.
-- Wait (at most 30 s) until every replication slot's xmin has passed the newest row.
DO $$
DECLARE newest bigint := (SELECT max(xmin::text::bigint) FROM dcb.events);
BEGIN
    FOR i IN 1..300 LOOP
        EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE xmin IS NOT NULL AND xmin::text::bigint <= newest);
        PERFORM pg_sleep(0.1);
    END LOOP;
END $$;
VACUUM (FREEZE, ANALYZE) dcb.events;
VACUUM (FREEZE, ANALYZE) dcb.event_tags;
-- The storage is all-visible now (this is what the test is about).
SELECT c.relname, c.relpages > 0 AND c.relallvisible = c.relpages AS all_visible
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'dcb' AND c.relname IN ('events', 'event_tags') ORDER BY 1;
SELECT pg_temp.append_random(10) IS NULL AS appended;

CREATE TEMP TABLE log AS SELECT seq, type, tags, data, occurred_at FROM dcb_read();
SELECT count(*) > 300 AS enough_events FROM log;

CREATE TEMP TABLE reads (n int, filter jsonb, after bigint, max_count int, backwards boolean, got bigint[], want bigint[]);
DO $$
DECLARE f jsonb; a bigint; m int; bw boolean; head bigint := (SELECT max(seq) FROM pg_temp.log);
BEGIN
    FOR i IN 1..600 LOOP
        f := pg_temp.rand_filter();
        a := CASE WHEN random() < 0.5 THEN 0 ELSE floor(random() * (head + 2))::bigint END;
        m := CASE WHEN random() < 0.5 THEN NULL ELSE 1 + floor(random() * 6)::int END;
        bw := random() < 0.4;
        INSERT INTO reads VALUES (i, f, a, m, bw, pg_temp.dcb_seqs(f, a, m, bw), pg_temp.ref_read(f, a, m, bw));
    END LOOP;
END $$;
SELECT count(*) AS reads, count(*) FILTER (WHERE cardinality(want) > 0) > 300 AS mostly_non_empty,
       count(*) FILTER (WHERE got IS DISTINCT FROM want) AS mismatches FROM reads;
-- The first mismatches, if any.
SELECT n, filter, after, max_count, backwards, got, want FROM reads WHERE got IS DISTINCT FROM want ORDER BY n LIMIT 5;

-- Conditions: expected_max often exactly at, or just below, the last match. Probes are rolled back
-- (a savepoint each), so the log stays the reference.
CREATE TEMP TABLE conds (n int, filter jsonb, expected_max bigint, failed boolean, should_fail boolean);
DO $$
DECLARE f jsonb; p bigint; dice float8; lastmatch bigint; last bigint := (SELECT max(seq) FROM pg_temp.log); failed boolean;
BEGIN
    FOR i IN 1..200 LOOP
        f := pg_temp.rand_filter();
        SELECT coalesce(max(r.seq), 0) INTO lastmatch FROM pg_temp.log r WHERE pg_temp.ref_match(f, r.type, r.tags, r.data, r.occurred_at);
        dice := random();
        p := CASE WHEN dice < 0.1 THEN NULL WHEN dice < 0.4 THEN lastmatch WHEN dice < 0.7 THEN greatest(lastmatch - 1, 0)
                  ELSE floor(random() * (last + 2))::bigint END;
        BEGIN
            PERFORM dcb_append(f, p, '{"type": "Probe", "data": {}, "occurred_at": "2024-06-01T00:00:00Z"}');
            failed := false;
            RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'undo the probe';
        EXCEPTION
            WHEN serialization_failure THEN failed := true;
            WHEN raise_exception THEN NULL;
        END;
        INSERT INTO conds VALUES (i, f, p, failed, pg_temp.ref_conflict(f, p));
    END LOOP;
END $$;
SELECT count(*) AS conditions, count(*) FILTER (WHERE failed) > 40 AS many_fail, count(*) FILTER (WHERE NOT failed) > 40 AS many_hold,
       count(*) FILTER (WHERE failed IS DISTINCT FROM should_fail) AS mismatches FROM conds;
SELECT n, filter, expected_max, failed, should_fail FROM conds WHERE failed IS DISTINCT FROM should_fail ORDER BY n LIMIT 5;
SELECT count(*) = (SELECT count(*) FROM pg_temp.log) AS probes_left_nothing FROM dcb_read();
