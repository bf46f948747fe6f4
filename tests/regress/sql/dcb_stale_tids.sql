--
-- dcb_stale_tids: dcb.event_tags.event_tid is only a hint. Reads fetch an event row at the ctid its
-- tag entry recorded, and must fall back to events_pkey when the row there is another one or gone:
-- after VACUUM FULL (or CLUSTER, or a restore) every hint may point at the wrong row, at an empty
-- slot or past the end of the table. Appends interleaved with rolled-back ones leave dead rows, so
-- VACUUM FULL moves the live ones; then reads and conditions are compared with a SQL reference.
-- Events here have one to five tags: the first two are indexed in the event row (events_tag1_idx,
-- events_tag2_idx, which VACUUM FULL rebuilds), the others have dcb.event_tags rows with hints.
--
\set VERBOSITY default
SET client_min_messages = warning;
DROP EXTENSION dcb;
CREATE EXTENSION dcb;
RESET client_min_messages;

\i tests/common/model.sql
CREATE FUNCTION pg_temp.random_events() RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_agg(jsonb_build_object(
               'type', (ARRAY['T1', 'T2', 'T3', 'T4'])[1 + floor(random() * 4)::int],
               'tags', pg_temp.pick(ARRAY['a', 'b', 'c', 'd', 'e', 'f'], 2 + floor(random() * 4)::int),
               'data', jsonb_build_object('k', floor(random() * 3)::int, 'g', jsonb_build_object('h', floor(random() * 2)::int)),
               'occurred_at', pg_temp.rand_ts()))
      FROM generate_series(1, 1 + floor(random() * 7)::int)
$$;
-- Every other batch is appended and rolled back (its rows stay behind, dead).
CREATE FUNCTION pg_temp.append_with_holes(batches int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    FOR b IN 1..batches LOOP
        PERFORM dcb_append(NULL, NULL, pg_temp.random_events());
        BEGIN
            PERFORM dcb_append(NULL, NULL, pg_temp.random_events());
            RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'roll back';
        EXCEPTION WHEN raise_exception THEN NULL;
        END;
    END LOOP;
END $$;
CREATE FUNCTION pg_temp.stale_hints() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM dcb.event_tags t LEFT JOIN dcb.events e ON e.ctid = t.event_tid
     WHERE e.seq IS DISTINCT FROM t.seq
$$;

SELECT setseed(0.1414) IS NULL AS seeded;
SELECT pg_temp.append_with_holes(120) IS NULL AS appended;
-- Fresh hints: every live tag entry points at its event's row.
SELECT pg_temp.stale_hints() = (SELECT count(*) FROM dcb.event_tags t WHERE NOT EXISTS (SELECT 1 FROM dcb.events e WHERE e.seq = t.seq))
       AS only_rolled_back_entries_are_stale;

CREATE TEMP TABLE log AS SELECT seq, type, tags, data, occurred_at FROM dcb_read();
SELECT count(*) > 300 AS enough_events FROM log;

VACUUM FULL dcb.events;
SELECT pg_temp.stale_hints() > 300 AS most_hints_stale,
       (SELECT count(*) FROM dcb.event_tags WHERE (event_tid::text::point)[0] >= pg_relation_size('dcb.events') / current_setting('block_size')::int) > 0
       AS some_hints_past_the_end;
-- A few more events after the rewrite (fresh hints again, mixed with the stale ones).
SELECT pg_temp.append_with_holes(5) IS NULL AS appended;
INSERT INTO log SELECT seq, type, tags, data, occurred_at FROM dcb_read() WHERE seq > (SELECT max(seq) FROM log);

CREATE TEMP TABLE reads (n int, filter jsonb, after bigint, max_count int, backwards boolean, got bigint[], want bigint[]);
DO $$
DECLARE f jsonb; a bigint; m int; bw boolean; head bigint := (SELECT max(seq) FROM pg_temp.log);
BEGIN
    FOR i IN 1..400 LOOP
        f := pg_temp.rand_filter();
        a := CASE WHEN random() < 0.5 THEN 0 ELSE floor(random() * (head + 2))::bigint END;
        m := CASE WHEN random() < 0.5 THEN NULL ELSE 1 + floor(random() * 6)::int END;
        bw := random() < 0.4;
        INSERT INTO reads VALUES (i, f, a, m, bw, pg_temp.dcb_seqs(f, a, m, bw), pg_temp.ref_read(f, a, m, bw));
    END LOOP;
END $$;
SELECT count(*) AS reads, count(*) FILTER (WHERE cardinality(want) > 0) > 200 AS mostly_non_empty,
       count(*) FILTER (WHERE got IS DISTINCT FROM want) AS mismatches FROM reads;
SELECT n, filter, after, max_count, backwards, got, want FROM reads WHERE got IS DISTINCT FROM want ORDER BY n LIMIT 5;

-- Whole rows, not only positions: what a stale hint points at must never be returned.
SELECT count(*) AS rows_differing FROM (
    SELECT seq, type, tags, data, occurred_at FROM dcb_read('{"items": [{"tags": ["a"]}, {"tags": ["c"]}, {"tags": ["e"]}]}')
    EXCEPT ALL
    SELECT seq, type, tags, data, occurred_at FROM log WHERE 'a' = ANY (tags) OR 'c' = ANY (tags) OR 'e' = ANY (tags)) x;

-- Conditions go through the same scan.
CREATE TEMP TABLE conds (n int, filter jsonb, expected_max bigint, failed boolean, should_fail boolean);
DO $$
DECLARE f jsonb; p bigint; lastmatch bigint; failed boolean;
BEGIN
    FOR i IN 1..100 LOOP
        f := pg_temp.rand_filter();
        SELECT coalesce(max(r.seq), 0) INTO lastmatch FROM pg_temp.log r WHERE pg_temp.ref_match(f, r.type, r.tags, r.data, r.occurred_at);
        p := CASE WHEN random() < 0.5 THEN lastmatch ELSE greatest(lastmatch - 1, 0) END;
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
SELECT count(*) AS conditions, count(*) FILTER (WHERE failed IS DISTINCT FROM should_fail) AS mismatches FROM conds;

-- dcb_refresh_hints() points the stale hints at the moved rows again; reads stay right, and a second
-- call has nothing left to do.
SELECT count(*) FILTER (WHERE t.event_tid <> e.ctid) > 0 AS some_hints_stale
  FROM dcb.event_tags t JOIN dcb.events e USING (seq);
SELECT dcb_refresh_hints() > 0 AS refreshed;
SELECT count(*) FILTER (WHERE t.event_tid <> e.ctid) AS hints_stale
  FROM dcb.event_tags t JOIN dcb.events e USING (seq);
SELECT dcb_refresh_hints() AS refreshed_again;
SELECT count(*) AS rows_differing FROM (
    SELECT seq, type, tags, data, occurred_at FROM dcb_read('{"items": [{"tags": ["a"]}, {"tags": ["c"]}, {"tags": ["e"]}]}')
    EXCEPT ALL
    SELECT seq, type, tags, data, occurred_at FROM log WHERE 'a' = ANY (tags) OR 'c' = ANY (tags) OR 'e' = ANY (tags)) x;
SELECT count(*) AS duplicate_tag_rows FROM (
    SELECT seq, tag_key FROM dcb.event_tags GROUP BY seq, tag_key HAVING count(*) > 1) dup;
