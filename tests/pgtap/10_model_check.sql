-- pgTAP: dcb_read and the append condition against a reference model. 300 pseudo-random events
-- (fixed seed) and 600 pseudo-random filters mixing every kind of item (types, tags, both, payload,
-- several items, time bounds), each read with pseudo-random after / max_count / backwards, and 300
-- conditional appends with pseudo-random expected_max. The reference evaluates the contract's
-- matching rules in plain SQL over the whole log (dcb_read(NULL)).
\ir lib/begin.sql
\ir ../common/model.sql

-- The reference's copy of the log (filled below from dcb_read(NULL)).
CREATE TEMP TABLE log (seq bigint, type text, tags text[], data jsonb, metadata jsonb, occurred_at timestamptz, id uuid) ON COMMIT DROP;
-- A pseudo-random minute of 2025-01-01 00:00-00:59 UTC, as an ISO 8601 string.

SELECT setseed(0.4242);
-- The log: 300 events in batches of 1-5, on a 60-minute grid (many equal timestamps).
DO $$
DECLARE batch jsonb;
BEGIN
    FOR b IN 1..100 LOOP
        SELECT jsonb_agg(jsonb_build_object(
                   'type', (ARRAY['T1', 'T2', 'T3', 'T4'])[1 + floor(random() * 4)::int],
                   'tags', pg_temp.pick(ARRAY['a', 'b', 'c', 'd', 'e', 'f'], floor(random() * 4)::int),
                   'data', jsonb_build_object('k', floor(random() * 3)::int, 'g', jsonb_build_object('h', floor(random() * 2)::int), 'b', b),
                   'occurred_at', pg_temp.rand_ts()))
          INTO batch FROM generate_series(1, 1 + floor(random() * 5)::int);
        PERFORM dcb_append(NULL, NULL, batch);
    END LOOP;
END $$;

-- The reference's copy of the whole log.
INSERT INTO log SELECT seq, type, tags, data, metadata, occurred_at, id FROM dcb_read(NULL);

-- Reads.
CREATE TEMP TABLE reads (n int, filter jsonb, after bigint, max_count int, backwards boolean, got bigint[], want bigint[]) ON COMMIT DROP;
DO $$
DECLARE f jsonb; a bigint; m int; bw boolean; head bigint := dcb_head();
BEGIN
    FOR i IN 1..600 LOOP
        f := pg_temp.rand_filter();
        a := CASE WHEN random() < 0.5 THEN 0 ELSE floor(random() * (head + 2))::bigint END;
        m := CASE WHEN random() < 0.5 THEN NULL ELSE 1 + floor(random() * 6)::int END;
        bw := random() < 0.4;
        INSERT INTO reads VALUES (i, f, a, m, bw, pg_temp.dcb_seqs(f, a, m, bw), pg_temp.ref_read(f, a, m, bw));
    END LOOP;
END $$;

-- Conditions: each conditional append fails exactly when the reference finds a match after expected_max.
CREATE TEMP TABLE conds (n int, filter jsonb, expected_max bigint, failed boolean, should_fail boolean) ON COMMIT DROP;
DO $$
DECLARE f jsonb; p bigint; s bigint; dice float8; failed boolean; should boolean; last bigint; lastmatch bigint;
BEGIN
    FOR i IN 1..300 LOOP
        f := pg_temp.rand_filter();
        SELECT max(seq) INTO last FROM pg_temp.log;
        -- expected_max: often exactly at the last match, or just below it, where off-by-one bugs live.
        SELECT coalesce(max(r.seq), 0) INTO lastmatch FROM pg_temp.log r WHERE pg_temp.ref_match(f, r.type, r.tags, r.data, r.occurred_at);
        dice := random();
        p := CASE WHEN dice < 0.1 THEN NULL
                  WHEN dice < 0.4 THEN lastmatch
                  WHEN dice < 0.7 THEN greatest(lastmatch - 1, 0)
                  ELSE floor(random() * (last + 2))::bigint END;
        should := pg_temp.ref_conflict(f, p);
        BEGIN
            s := dcb_append(f, p, jsonb_build_object('type', 'Probe', 'tags', jsonb_build_array('probe'), 'data', jsonb_build_object('i', i),
                                                     'occurred_at', '2024-06-01T00:00:00Z'));
            INSERT INTO pg_temp.log SELECT seq, type, tags, data, metadata, occurred_at, id FROM dcb_read(NULL, s - 1) WHERE seq = s;
            failed := false;
        EXCEPTION WHEN serialization_failure THEN
            failed := true;
        END;
        INSERT INTO conds VALUES (i, f, p, failed, should);
    END LOOP;
END $$;

SELECT plan(8);
SELECT is((SELECT count(*) FROM dcb_read(NULL)), (SELECT count(*) FROM pg_temp.log), 'the reference log has every event');
SELECT cmp_ok((SELECT count(*) FROM reads WHERE cardinality(want) > 0), '>', 300::bigint, 'most generated reads match something (the model check is not vacuous)');
SELECT is_empty($$SELECT n, filter, after, max_count, backwards, got, want FROM reads WHERE NOT backwards AND max_count IS NULL AND got IS DISTINCT FROM want$$,
                'forward reads without max_count equal the reference');
SELECT is_empty($$SELECT n, filter, after, max_count, backwards, got, want FROM reads WHERE NOT backwards AND max_count IS NOT NULL AND got IS DISTINCT FROM want$$,
                'forward reads with max_count equal the reference');
SELECT is_empty($$SELECT n, filter, after, max_count, backwards, got, want FROM reads WHERE backwards AND got IS DISTINCT FROM want$$,
                'backwards reads equal the reference');
SELECT cmp_ok((SELECT count(*) FROM conds WHERE failed), '>', 30::bigint, 'many generated conditions fail');
SELECT cmp_ok((SELECT count(*) FROM conds WHERE NOT failed), '>', 30::bigint, 'many generated conditions hold');
SELECT is_empty($$SELECT n, filter, expected_max, failed, should_fail FROM conds WHERE failed IS DISTINCT FROM should_fail$$,
                'every conditional append fails exactly when the reference finds a matching event after expected_max');

SELECT * FROM finish();
ROLLBACK;
