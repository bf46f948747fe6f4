-- mock/leaky.sql — the real dcb extension behind wrappers with planted bugs, for the fuzz driver's self-test:
-- `dcb_fuzz --setup-sql mock/leaky.sql --expect-violations ...` passes only when the driver reports each of
-- them. The bugs fire on a hash of the arguments, so that every run of a few thousand calls meets each:
--   * an undocumented SQLSTATE (XX000, as an internal error would raise);
--   * an input-error SQLSTATE (22P02) raised by the function itself on arguments that are valid input;
--   * a dropped connection, as a crashing backend takes it down;
--   * a stray event: the call succeeds and writes one event more than it was given.
-- Never install this anywhere else.
CREATE SCHEMA dcb_real;
CREATE EXTENSION dcb SCHEMA dcb_real;

CREATE FUNCTION dcb_append(filter jsonb, expected_max bigint, events jsonb, store text DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	h text := md5(coalesce(filter::text, '-') || coalesce(expected_max::text, '-') || coalesce(events::text, '-'));
	seq bigint;
BEGIN
	-- each bug on 2 to 4 in 256 calls: a run of a few thousand calls meets every one of them
	IF left(h, 2) IN ('00', '01', '02', '03') THEN
		RAISE EXCEPTION 'planted: an internal error' USING ERRCODE = 'XX000';
	ELSIF left(h, 2) IN ('04', '05', '06', '07') THEN
		RAISE EXCEPTION 'planted: invalid input syntax, raised by the function' USING ERRCODE = '22P02';
	ELSIF left(h, 2) IN ('08', '09') THEN
		PERFORM pg_terminate_backend(pg_backend_pid());
	END IF;
	seq := dcb_real.dcb_append(filter, expected_max, events, store);
	IF left(h, 2) IN ('0a', '0b', '0c', '0d') THEN
		PERFORM dcb_real.dcb_append(NULL, NULL, '{"type": "Stray", "data": null}', store);
	END IF;
	RETURN seq;
END $$;

CREATE FUNCTION dcb_read(filter jsonb DEFAULT NULL, after bigint DEFAULT 0, max_count integer DEFAULT NULL,
                         backwards boolean DEFAULT false, store text DEFAULT NULL)
RETURNS TABLE (seq bigint, type text, tags text[], data jsonb, metadata jsonb, occurred_at timestamptz, id uuid)
LANGUAGE sql AS $$ SELECT * FROM dcb_real.dcb_read(filter, after, max_count, backwards, store) $$;

CREATE FUNCTION dcb_head(store text DEFAULT NULL) RETURNS bigint LANGUAGE sql AS $$ SELECT dcb_real.dcb_head(store) $$;
