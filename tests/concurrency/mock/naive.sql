-- mock/naive.sql — a deliberately broken dcb store in plain SQL, with both classic bugs of client-side
-- conditions (README, "Why server-side"): (A) the condition is checked, then the events inserted, at READ COMMITTED
-- without any lock; (B) seqs come from a sequence at insert time, reads return whatever is committed.
--
-- `dcb_concurrency --setup-sql mock/naive.sql --expect-failure` runs scenarios against it instead of
-- CREATE EXTENSION dcb and succeeds only when every one of them reports a violation: the suite must be
-- able to see these bugs, not only pass on a good store. Never install this anywhere else.
CREATE TABLE naive_events (
	seq         bigserial PRIMARY KEY,
	type        text NOT NULL,
	tags        text[] NOT NULL,
	data        jsonb NOT NULL,
	metadata    jsonb NOT NULL,
	occurred_at timestamptz NOT NULL DEFAULT now(),
	id          uuid
);

CREATE FUNCTION naive_match(f jsonb, e_type text, e_tags text[], e_data jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT f IS NULL OR NOT (f ? 'items') OR EXISTS (
		SELECT 1 FROM jsonb_array_elements(f -> 'items') AS it
		WHERE (NOT it ? 'types' OR e_type IN (SELECT jsonb_array_elements_text(it -> 'types')))
		  AND (NOT it ? 'tags' OR e_tags @> ARRAY(SELECT jsonb_array_elements_text(it -> 'tags')))
		  AND (NOT it ? 'payload' OR e_data @> (it -> 'payload')))
$$;

CREATE FUNCTION dcb_append(filter jsonb, expected_max bigint, events jsonb) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	conflict bigint;
	last bigint;
	e jsonb;
BEGIN
	IF filter IS NOT NULL THEN
		SELECT max(n.seq) INTO conflict FROM naive_events n
		WHERE n.seq > coalesce(expected_max, 0) AND naive_match(filter, n.type, n.tags, n.data);
		IF conflict IS NOT NULL THEN
			RAISE EXCEPTION 'dcb: append condition failed' USING ERRCODE = '40001';
		END IF;
	END IF;
	PERFORM pg_sleep(0.005);  -- widens the window between check and insert
	FOR e IN SELECT * FROM jsonb_array_elements(events) LOOP
		INSERT INTO naive_events (type, tags, data, metadata)
		VALUES (e ->> 'type', ARRAY(SELECT jsonb_array_elements_text(coalesce(e -> 'tags', '[]'))), e -> 'data',
		        coalesce(e -> 'metadata', '{}'))
		RETURNING seq INTO last;
	END LOOP;
	RETURN last;
END
$$;

CREATE FUNCTION dcb_read(filter jsonb DEFAULT NULL, after bigint DEFAULT 0, max_count integer DEFAULT NULL,
                         backwards boolean DEFAULT false)
RETURNS TABLE (seq bigint, type text, tags text[], data jsonb, metadata jsonb, occurred_at timestamptz, id uuid)
LANGUAGE sql VOLATILE AS $$
	SELECT n.seq, n.type, n.tags, n.data, n.metadata, n.occurred_at, n.id FROM naive_events n
	WHERE n.seq > after AND naive_match(filter, n.type, n.tags, n.data)
	ORDER BY CASE WHEN backwards THEN -n.seq ELSE n.seq END
	LIMIT max_count
$$;

CREATE FUNCTION dcb_head() RETURNS bigint LANGUAGE sql VOLATILE AS $$
	SELECT coalesce(max(seq), 0) FROM naive_events
$$;
