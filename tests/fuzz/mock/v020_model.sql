-- mock/v020_model.sql — a plain-SQL model of the 0.2.0 functions (following the log, checkpoints, snapshots)
-- beside the real 0.1.0 extension, so that the fuzz driver's generators and oracles for them run before
-- the extension has them: `tests/fuzz/run` uses it only while the extension lacks dcb_wait. It follows the
-- contract where the driver relies on it (codes of the defects, results of valid calls) and nothing more:
-- it is not an implementation. Never install this anywhere else.
CREATE EXTENSION dcb;

CREATE FUNCTION dcb_wait(after bigint, timeout interval DEFAULT '10 seconds') RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE h bigint;
BEGIN
	IF after IS NULL OR after < 0 THEN
		RAISE EXCEPTION 'after must not be negative' USING ERRCODE = '22023';
	END IF;
	h := dcb_head();
	IF h <= after AND timeout > interval '0' THEN
		PERFORM pg_sleep(least(extract(epoch FROM timeout), 0.05));
		h := dcb_head();
	END IF;
	RETURN h;
END $$;

CREATE TABLE dcb_model_consumers (consumer text PRIMARY KEY, pos bigint NOT NULL);

CREATE FUNCTION dcb_consumer_position(consumer text) RETURNS bigint
LANGUAGE sql AS $$ SELECT coalesce((SELECT pos FROM dcb_model_consumers c WHERE c.consumer = $1), 0) $$;

CREATE FUNCTION dcb_consumer_advance(consumer text, expected bigint, seq bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE stored bigint;
BEGIN
	IF consumer IS NULL OR expected IS NULL OR seq IS NULL OR seq < expected THEN
		RAISE EXCEPTION 'seq must not be below expected' USING ERRCODE = '22023';
	END IF;
	SELECT pos INTO stored FROM dcb_model_consumers c WHERE c.consumer = dcb_consumer_advance.consumer FOR UPDATE;
	IF coalesce(stored, 0) <> expected THEN
		RAISE EXCEPTION 'another instance of this consumer advanced it' USING ERRCODE = '40001';
	END IF;
	INSERT INTO dcb_model_consumers VALUES (consumer, seq)
	ON CONFLICT ON CONSTRAINT dcb_model_consumers_pkey DO UPDATE SET pos = excluded.pos;
END $$;

CREATE TABLE dcb_model_snapshots (projection text, filter jsonb, seq bigint NOT NULL, data jsonb,
                                  created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (projection, filter));

CREATE FUNCTION dcb_snapshot_save(projection text, filter jsonb, seq bigint, data jsonb) RETURNS void
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
	IF $1 IS NULL OR $2 IS NULL THEN
		RAISE EXCEPTION 'projection and filter must not be null' USING ERRCODE = '22004';
	END IF;
	PERFORM 1 FROM dcb_read($2, 0, 1);  -- the filter's validation, with its codes
	IF seq IS NULL OR seq < 0 OR seq > dcb_head() THEN
		RAISE EXCEPTION 'seq is above dcb_head()' USING ERRCODE = '22023';
	END IF;
	INSERT INTO dcb_model_snapshots AS s VALUES ($1, $2, $3, $4)
	ON CONFLICT (projection, filter) DO UPDATE SET seq = excluded.seq, data = excluded.data WHERE excluded.seq >= s.seq;
END $$;

CREATE FUNCTION dcb_snapshot_load(projection text, filter jsonb) RETURNS TABLE (seq bigint, data jsonb, created_at timestamptz)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM 1 FROM dcb_read(filter, 0, 1);
	RETURN QUERY SELECT s.seq, s.data, s.created_at FROM dcb_model_snapshots s
	              WHERE s.projection = dcb_snapshot_load.projection AND s.filter = dcb_snapshot_load.filter;
END $$;

CREATE FUNCTION dcb_snapshot_delete(projection text, filter jsonb) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM 1 FROM dcb_read(filter, 0, 1);
	DELETE FROM dcb_model_snapshots s WHERE s.projection = dcb_snapshot_delete.projection AND s.filter = dcb_snapshot_delete.filter;
	RETURN FOUND;
END $$;
