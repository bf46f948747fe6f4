-- dcb 0.1.0: the event log, its key index, and the SQL API.
--
-- The functions live in the schema CREATE EXTENSION installs into (normally public), so they are
-- callable by their plain names. The storage lives in the schema "dcb" and is written only through
-- dcb_append(): the C code relies on the invariants documented below.

\echo Use "CREATE EXTENSION dcb" to load this file. \quit

CREATE SCHEMA dcb;
COMMENT ON SCHEMA dcb IS 'dcb event store internals: write through dcb_append() only';

-- Positions. CACHE 1 (the default) is required: a position is taken only after the append's locks
-- are held, and with a cache larger than 1 positions would no longer follow that order.
CREATE SEQUENCE dcb.events_seq AS bigint MINVALUE 1 CACHE 1 NO CYCLE;

-- The log. One row per event; never updated or deleted by the extension.
CREATE TABLE dcb.events (
	seq         bigint      NOT NULL,
	type        text        COLLATE "C" NOT NULL,
	tags        text[]      COLLATE "C" NOT NULL,
	data        jsonb       NOT NULL,
	metadata    jsonb       NOT NULL,
	occurred_at timestamptz NOT NULL,
	id          uuid,
	CONSTRAINT events_pkey PRIMARY KEY (seq)
);
-- Types-only filter items and the type re-check scan this index.
CREATE INDEX events_type_idx ON dcb.events (type, seq);
-- Idempotent appends look ids up here.
CREATE UNIQUE INDEX events_id_idx ON dcb.events (id) WHERE id IS NOT NULL;

-- The tag index: one row per (event, distinct tag). tag_key and type_key are stable 64-bit hashes of
-- the tag and the event type (see extension/core/keys.cpp; the algorithm is part of the on-disk
-- format). One B-tree on (tag_key, seq) answers "events with tag g after position p, in order": a
-- condition check or a boundary read is one index probe per tag whose cost depends on the events it
-- returns, not on the size of the log. type_key rides along so probes skip other types cheaply.
-- event_tid is where the event's dcb.events row was stored (its ctid at insert): a probe fetches the
-- row from there directly instead of descending events_pkey. It is a hint, never trusted: the row
-- found there must be visible and carry the same seq, else the scan looks the seq up in events_pkey
-- (after VACUUM FULL, CLUSTER or a dump and restore of dcb.events the hints go stale and reads fall
-- back to that lookup; rows are never updated, so nothing else moves them).
CREATE TABLE dcb.event_tags (
	tag_key   bigint NOT NULL,
	seq       bigint NOT NULL,
	type_key  bigint NOT NULL,
	event_tid tid    NOT NULL
);
CREATE INDEX event_tags_tag_idx ON dcb.event_tags (tag_key, seq) INCLUDE (type_key, event_tid);

-- The log is user data: pg_dump must dump it (extension member tables are skipped otherwise).
SELECT pg_catalog.pg_extension_config_dump('dcb.events', '');
SELECT pg_catalog.pg_extension_config_dump('dcb.event_tags', '');
SELECT pg_catalog.pg_extension_config_dump('dcb.events_seq', '');

-- Nothing but the functions below may write the log.
REVOKE ALL ON ALL TABLES IN SCHEMA dcb FROM PUBLIC;
REVOKE ALL ON SEQUENCE dcb.events_seq FROM PUBLIC;
GRANT SELECT ON SEQUENCE dcb.events_seq TO PUBLIC; -- reads note the last position handed out
GRANT USAGE ON SCHEMA dcb TO PUBLIC;
GRANT SELECT ON dcb.events TO PUBLIC;

CREATE FUNCTION dcb_append(filter jsonb, expected_max bigint, events jsonb)
RETURNS bigint
AS 'MODULE_PATHNAME', 'dcb_append'
LANGUAGE C VOLATILE PARALLEL UNSAFE CALLED ON NULL INPUT;

COMMENT ON FUNCTION dcb_append(jsonb, bigint, jsonb) IS
'append events when no event matching filter was appended after expected_max; returns the last seq';

CREATE FUNCTION dcb_read(filter jsonb DEFAULT NULL, after bigint DEFAULT 0,
                         max_count integer DEFAULT NULL, backwards boolean DEFAULT false)
RETURNS TABLE (seq bigint, type text, tags text[], data jsonb, metadata jsonb,
               occurred_at timestamptz, id uuid)
AS 'MODULE_PATHNAME', 'dcb_read'
LANGUAGE C VOLATILE PARALLEL UNSAFE CALLED ON NULL INPUT ROWS 100;


COMMENT ON FUNCTION dcb_read(jsonb, bigint, integer, boolean) IS
'events matching filter with seq > after, in seq order (newest first when backwards); gap-free';

CREATE FUNCTION dcb_head()
RETURNS bigint
AS 'MODULE_PATHNAME', 'dcb_head'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION dcb_head() IS
'highest seq that is safe to read up to: every event at or below it is visible and none can appear later';

-- Maintenance: after VACUUM FULL, CLUSTER or a restore has moved dcb.events rows, the ctids kept in
-- dcb.event_tags (event_tid) are stale and reads fall back to a primary-key lookup per event. This
-- points them at the rows again; it runs beside appends and reads (it only updates tag rows whose hint
-- is stale) and needs the right to update dcb.event_tags. Returns the number of tag rows updated.
CREATE FUNCTION dcb_refresh_hints()
RETURNS bigint
LANGUAGE sql VOLATILE
AS $$
    WITH refreshed AS (
        UPDATE dcb.event_tags t SET event_tid = e.ctid
          FROM dcb.events e
         WHERE e.seq = t.seq AND t.event_tid IS DISTINCT FROM e.ctid
        RETURNING 1)
    SELECT count(*) FROM refreshed
$$;

COMMENT ON FUNCTION dcb_refresh_hints() IS
'points the ctid hints of dcb.event_tags at the current dcb.events rows again (after VACUUM FULL, CLUSTER or a restore); returns the tag rows updated';
