-- tests/common/model.sql — shared by the model checks (tests/pgtap/09_model_check.sql,
-- tests/regress/sql/dcb_model_vacuumed.sql and dcb_stale_tids.sql): the contract's matching rules in
-- plain SQL, the reference answers of reads and conditions over the caller's copy of the log (a temp
-- table pg_temp.log with at least seq, type, tags, data and occurred_at), and generators of
-- pseudo-random filters (seeded by the caller with setseed).

-- The contract's matching rules, in SQL.
CREATE FUNCTION pg_temp.ref_match(f jsonb, e_type text, e_tags text[], e_data jsonb, e_at timestamptz) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT f IS NULL OR (
        (NOT f ? 'occurred_from' OR e_at >= (f->>'occurred_from')::timestamptz) AND
        (NOT f ? 'occurred_until' OR e_at <= (f->>'occurred_until')::timestamptz) AND
        (NOT f ? 'items' OR EXISTS (
            SELECT 1 FROM jsonb_array_elements(f->'items') it
             WHERE (NOT it ? 'types' OR e_type IN (SELECT jsonb_array_elements_text(it->'types')))
               AND (NOT it ? 'tags' OR e_tags @> ARRAY(SELECT jsonb_array_elements_text(it->'tags')))
               AND (NOT it ? 'payload' OR e_data @> (it->'payload')))))
$$;
-- The seqs the reference returns for dcb_read(f, after, max_count, backwards), from pg_temp.log.
-- (PL/pgSQL, so that pg_temp.log need not exist yet when this file is read.)
CREATE FUNCTION pg_temp.ref_read(f jsonb, after bigint, max_count int, backwards boolean) RETURNS bigint[] LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(seq ORDER BY CASE WHEN backwards THEN -seq ELSE seq END), '{}') FROM (
                SELECT r.seq FROM pg_temp.log r
                 WHERE r.seq > after AND pg_temp.ref_match(f, r.type, r.tags, r.data, r.occurred_at)
                 ORDER BY CASE WHEN backwards THEN -r.seq ELSE r.seq END
                 LIMIT max_count) x);
END $$;
-- The seqs dcb_read returns, in its order.
CREATE FUNCTION pg_temp.dcb_seqs(f jsonb, after bigint, max_count int, backwards boolean) RETURNS bigint[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(seq ORDER BY ordinality), '{}') FROM dcb_read(f, after, max_count, backwards) WITH ORDINALITY
$$;
-- Must dcb_append(f, expected_max, ...) fail? Exactly when pg_temp.log has a match after expected_max.
CREATE FUNCTION pg_temp.ref_conflict(f jsonb, expected_max bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    RETURN f IS NOT NULL AND EXISTS (SELECT 1 FROM pg_temp.log r WHERE r.seq > coalesce(expected_max, 0)
                                                                   AND pg_temp.ref_match(f, r.type, r.tags, r.data, r.occurred_at));
END $$;
CREATE FUNCTION pg_temp.rand_ts() RETURNS text LANGUAGE sql AS $$
    SELECT to_char((timestamptz '2025-01-01 00:00Z' + floor(random() * 60) * interval '1 minute') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;
CREATE FUNCTION pg_temp.pick(arr text[], n int) RETURNS jsonb LANGUAGE sql AS $$
    SELECT coalesce(jsonb_agg(DISTINCT x), '[]') FROM (SELECT arr[1 + floor(random() * array_length(arr, 1))::int] AS x FROM generate_series(1, n)) s
$$;
-- A pseudo-random filter item: types, tags, both, or a payload (with or without the others).
CREATE FUNCTION pg_temp.rand_item() RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE item jsonb := '{}'; kind int := floor(random() * 6)::int;
BEGIN
    IF kind IN (0, 2, 4) THEN item := item || jsonb_build_object('types', pg_temp.pick(ARRAY['T1', 'T2', 'T3', 'T4'], 1 + floor(random() * 2)::int)); END IF;
    IF kind IN (1, 2, 5) THEN item := item || jsonb_build_object('tags', pg_temp.pick(ARRAY['a', 'b', 'c', 'd', 'e', 'f'], 1 + floor(random() * 2)::int)); END IF;
    IF kind IN (3, 4, 5) THEN
        item := item || jsonb_build_object('payload', CASE WHEN random() < 0.5 THEN jsonb_build_object('k', floor(random() * 3)::int)
                                                           ELSE jsonb_build_object('g', jsonb_build_object('h', floor(random() * 2)::int)) END);
    END IF;
    RETURN item;
END $$;
CREATE FUNCTION pg_temp.rand_filter() RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE f jsonb := '{}'; r float8 := random();
BEGIN
    IF r < 0.05 THEN RETURN NULL; END IF;
    IF r > 0.1 THEN
        f := jsonb_build_object('items', (SELECT jsonb_agg(pg_temp.rand_item()) FROM generate_series(1, 1 + floor(random() * 3)::int)));
    END IF;
    IF random() < 0.2 THEN f := f || jsonb_build_object('occurred_from', pg_temp.rand_ts()); END IF;
    IF random() < 0.2 THEN f := f || jsonb_build_object('occurred_until', pg_temp.rand_ts()); END IF;
    RETURN f;
END $$;
