-- dcb 0.1.0 → 0.2.0. A fresh CREATE EXTENSION dcb runs dcb--0.1.0.sql and then this script, so an
-- updated database and a new one are the same by construction.
--
-- 0.2.0 adds several stores per database (each an independent log in a schema of its own), and
-- every function takes the store as its last, optional argument. Everything 0.1.0 callers use
-- works unchanged: without a store argument they address the default store, the log 0.1.0 kept in
-- the schema "dcb".

\echo Use "ALTER EXTENSION dcb UPDATE" to load this file. \quit

-- The update rewrites the default store's tag storage (see "Tag keys in the event row" below): no
-- append or read may run while it does, and none may see the new layout before it is complete.
-- (dcb's functions take AccessShareLock on a store's events table before reading its layout.)
LOCK TABLE dcb.events, dcb.event_tags IN ACCESS EXCLUSIVE MODE;

-- ---------------------------------------------------------------------------------------------
-- Tag keys in the event row
-- ---------------------------------------------------------------------------------------------

-- 0.1.0 wrote a dcb.event_tags row, with its own index entry, for every tag of every event. From
-- 0.2.0 on an event's first two tags (tags are stored sorted and unique) are indexed in the event
-- row itself, by two partial expression indexes on dcb.events:
--   events_tag1_idx (tag_key(tags, 1), seq, type_key(type)) WHERE cardinality(tags) >= 1
--   events_tag2_idx (tag_key(tags, 2), seq, type_key(type)) WHERE cardinality(tags) >= 2
-- and only the third and further tags get dcb.event_tags rows. A one-tag event writes one heap row
-- and three index entries (events_pkey, events_type_idx, events_tag1_idx) instead of two heap rows
-- and three entries; a two-tag event four entries instead of two more heap rows and four. A tag is
-- found by probing the three tag indexes, which return the same columns (extension/pg/scan.cpp).
-- The keys are the hashes dcb.event_tags has always stored (the on-disk format).
CREATE FUNCTION dcb.tag_key(tags text[], n integer) RETURNS bigint
AS 'MODULE_PATHNAME', 'dcb_tag_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION dcb.tag_key(text[], integer) IS
'storage key of the n-th tag (NULL when there are fewer): the expression of the tag slot indexes';
CREATE FUNCTION dcb.type_key(type text) RETURNS bigint
AS 'MODULE_PATHNAME', 'dcb_type_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION dcb.type_key(text) IS
'storage key of an event type, as in dcb.event_tags.type_key and the tag slot indexes';

-- ---------------------------------------------------------------------------------------------
-- Stores
-- ---------------------------------------------------------------------------------------------

-- The registry of named stores (the default store is not listed: it always exists). Store <name>
-- lives in the schema dcb_<name>.
CREATE TABLE dcb.stores (
	name       text        PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,57}$' AND name <> 'default'),
	created_at timestamptz NOT NULL DEFAULT now()
);
SELECT pg_catalog.pg_extension_config_dump('dcb.stores', '');
REVOKE ALL ON dcb.stores FROM PUBLIC;
GRANT SELECT ON dcb.stores TO PUBLIC;

-- The storage of one store, in the given schema: the layout of dcb--0.1.0.sql (which created it
-- for the default store; see the comments there), and what 0.2.0 adds to every store. With
-- log_exists, only the additions (updating the default store).
CREATE FUNCTION dcb.create_store_storage(schema name, log_exists boolean)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT log_exists THEN
		EXECUTE format('CREATE SEQUENCE %I.events_seq AS bigint MINVALUE 1 CACHE 1 NO CYCLE', schema);
		EXECUTE format($ddl$
			CREATE TABLE %I.events (
				seq         bigint      NOT NULL,
				type        text        COLLATE "C" NOT NULL,
				tags        text[]      COLLATE "C" NOT NULL,
				data        jsonb       NOT NULL,
				metadata    jsonb       NOT NULL,
				occurred_at timestamptz NOT NULL,
				id          uuid,
				CONSTRAINT events_pkey PRIMARY KEY (seq))$ddl$, schema);
		EXECUTE format('CREATE INDEX events_type_idx ON %I.events (type, seq)', schema);
		EXECUTE format('CREATE UNIQUE INDEX events_id_idx ON %I.events (id) WHERE id IS NOT NULL', schema);
		EXECUTE format($ddl$
			CREATE TABLE %I.event_tags (
				tag_key   bigint NOT NULL,
				seq       bigint NOT NULL,
				type_key  bigint NOT NULL,
				event_tid tid    NOT NULL)$ddl$, schema);
		EXECUTE format('CREATE INDEX event_tags_tag_idx ON %I.event_tags (tag_key, seq) INCLUDE (type_key, event_tid)',
		               schema);
		-- Nothing but dcb's functions may write the log; reading it is granted per store.
		EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM PUBLIC', schema);
		EXECUTE format('REVOKE ALL ON SEQUENCE %I.events_seq FROM PUBLIC', schema);
		-- reads note the last position handed out (as in the default store)
		EXECUTE format('GRANT SELECT ON SEQUENCE %I.events_seq TO PUBLIC', schema);
	END IF;

	-- >>> tag keys in the event row (see the top of this file)
	IF log_exists THEN
		-- a 0.1.0 store: keep the event_tags rows of the third and further tags only (rebuilt from
		-- the events, which also points their ctid hints at the rows again)
		EXECUTE format('TRUNCATE %I.event_tags', schema);
		EXECUTE format($ddl$
			INSERT INTO %1$I.event_tags (tag_key, seq, type_key, event_tid)
			SELECT dcb.tag_key(e.tags, n), e.seq, dcb.type_key(e.type), e.ctid
			  FROM %1$I.events e, generate_series(3, cardinality(e.tags)) AS n
			 WHERE cardinality(e.tags) > 2
			 ORDER BY 1, 2$ddl$, schema);
	END IF;
	EXECUTE format('CREATE INDEX events_tag1_idx ON %I.events (dcb.tag_key(tags, 1), seq, dcb.type_key(type)) '
	               'WHERE cardinality(tags) >= 1', schema);
	EXECUTE format('CREATE INDEX events_tag2_idx ON %I.events (dcb.tag_key(tags, 2), seq, dcb.type_key(type)) '
	               'WHERE cardinality(tags) >= 2', schema);
	-- <<< tag keys in the event row

	-- >>> snapshots and consumer positions (state beside the log; see "Snapshots and consumer
	-- positions" at the end of this file). Written only by dcb's functions, which run their
	-- statements on them as the table's owner after checking the caller's rights: no grants.
	EXECUTE format($ddl$
		CREATE TABLE %I.snapshots (
			projection text        COLLATE "C" NOT NULL,
			filter_key bytea       NOT NULL,  -- SHA-256 of the filter's canonical form
			filter     jsonb       NOT NULL,  -- the canonical form (for people; the key is filter_key)
			seq        bigint      NOT NULL,  -- the last position the snapshot's data includes
			data       jsonb       NOT NULL,
			created_at timestamptz NOT NULL,
			CONSTRAINT snapshots_pkey PRIMARY KEY (projection, filter_key))$ddl$, schema);
	EXECUTE format($ddl$
		CREATE TABLE %I.consumers (
			consumer    text        COLLATE "C" NOT NULL,
			position    bigint      NOT NULL,  -- the last position the consumer has processed
			advanced_at timestamptz NOT NULL,
			CONSTRAINT consumers_pkey PRIMARY KEY (consumer))$ddl$, schema);
	EXECUTE format('REVOKE ALL ON %I.snapshots, %I.consumers FROM PUBLIC', schema, schema);
	-- <<< snapshots and consumer positions
END
$$;
REVOKE ALL ON FUNCTION dcb.create_store_storage(name, boolean) FROM PUBLIC;

SELECT dcb.create_store_storage('dcb', true);

-- Creates an empty store. Its owner is the caller; other roles need USAGE on its schema to append
-- and SELECT on its events table to read.
CREATE FUNCTION dcb_create_store(name text)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF name IS NULL OR name !~ '^[a-z][a-z0-9_]{0,57}$' OR name = 'default' THEN
		RAISE EXCEPTION 'store name "%" is not valid', name USING ERRCODE = '22023',
			DETAIL = 'A store name is 1 to 58 lower-case letters, digits and underscores, starting with a letter; "default" is the default store.';
	END IF;
	IF EXISTS (SELECT 1 FROM dcb.stores s WHERE s.name = dcb_create_store.name) THEN
		RAISE EXCEPTION 'dcb store "%" already exists', name USING ERRCODE = '42710';
	END IF;
	INSERT INTO dcb.stores (name) VALUES (dcb_create_store.name);
	EXECUTE format('CREATE SCHEMA %I', 'dcb_' || name);
	PERFORM dcb.create_store_storage(('dcb_' || name)::name, false);
END
$$;
REVOKE ALL ON FUNCTION dcb_create_store(text) FROM PUBLIC;
COMMENT ON FUNCTION dcb_create_store(text) IS
'creates store name (schema dcb_<name>): an independent log with its own positions, head, snapshots, consumers and statistics';

-- Drops a store. One that holds events needs drop_events => true: its events are gone with it.
CREATE FUNCTION dcb_drop_store(name text, drop_events boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET client_min_messages = warning
AS $$
DECLARE
	has_events boolean;
BEGIN
	IF name = 'default' THEN
		RAISE EXCEPTION 'the default store cannot be dropped' USING ERRCODE = '42809',
			HINT = 'DROP EXTENSION dcb drops it, with every event in it.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM dcb.stores s WHERE s.name = dcb_drop_store.name) THEN
		RAISE EXCEPTION 'dcb store "%" does not exist', name USING ERRCODE = '42704';
	END IF;
	EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.events)', 'dcb_' || name) INTO has_events;
	IF has_events AND NOT coalesce(drop_events, false) THEN
		RAISE EXCEPTION 'dcb store "%" holds events', name USING ERRCODE = '2BP01',
			HINT = format('To drop it with its events: SELECT dcb_drop_store(%L, drop_events => true);', name);
	END IF;
	EXECUTE format('DROP SCHEMA %I CASCADE', 'dcb_' || name);
	DELETE FROM dcb.stores s WHERE s.name = dcb_drop_store.name;
END
$$;
REVOKE ALL ON FUNCTION dcb_drop_store(text, boolean) FROM PUBLIC;
COMMENT ON FUNCTION dcb_drop_store(text, boolean) IS
'drops a store; one that holds events only with drop_events => true';

-- ---------------------------------------------------------------------------------------------
-- The 0.1.0 functions take the store as their last argument. Their privileges carry over: whoever
-- could execute the 0.1.0 function can execute its 0.2.0 successor.
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION dcb.copy_function_grants(old regprocedure, new regprocedure)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	g record;
BEGIN
	IF (SELECT proacl FROM pg_proc WHERE oid = old) IS NULL THEN
		RETURN; -- default privileges, as the new function has
	END IF;
	EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', new);
	FOR g IN SELECT a.grantee, a.privilege_type, a.is_grantable
	           FROM pg_proc p, aclexplode(p.proacl) a WHERE p.oid = old LOOP
		EXECUTE format('GRANT %s ON FUNCTION %s TO %s%s', g.privilege_type, new,
		               CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(g.grantee::regrole::text) END,
		               CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
	END LOOP;
	-- Grants made by an extension script count as the object's initial privileges, which pg_dump
	-- leaves out. These are the administrator's, so they must be dumped like any grant of theirs.
	DELETE FROM pg_init_privs WHERE objoid = new AND classoid = 'pg_proc'::regclass AND objsubid = 0;
END
$$;
REVOKE ALL ON FUNCTION dcb.copy_function_grants(regprocedure, regprocedure) FROM PUBLIC;

ALTER FUNCTION dcb_append(jsonb, bigint, jsonb) RENAME TO dcb_append_0_1_0;
CREATE FUNCTION dcb_append(filter jsonb, expected_max bigint, events jsonb, store text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'dcb_append'
LANGUAGE C VOLATILE PARALLEL UNSAFE CALLED ON NULL INPUT;
COMMENT ON FUNCTION dcb_append(jsonb, bigint, jsonb, text) IS
'append events when no event matching filter was appended after expected_max; returns the last seq';
SELECT dcb.copy_function_grants('dcb_append_0_1_0(jsonb, bigint, jsonb)', 'dcb_append(jsonb, bigint, jsonb, text)');
DROP FUNCTION dcb_append_0_1_0(jsonb, bigint, jsonb);

ALTER FUNCTION dcb_read(jsonb, bigint, integer, boolean) RENAME TO dcb_read_0_1_0;
CREATE FUNCTION dcb_read(filter jsonb DEFAULT NULL, after bigint DEFAULT 0,
                         max_count integer DEFAULT NULL, backwards boolean DEFAULT false,
                         store text DEFAULT NULL)
RETURNS TABLE (seq bigint, type text, tags text[], data jsonb, metadata jsonb,
               occurred_at timestamptz, id uuid)
AS 'MODULE_PATHNAME', 'dcb_read'
LANGUAGE C VOLATILE PARALLEL UNSAFE CALLED ON NULL INPUT ROWS 100;
COMMENT ON FUNCTION dcb_read(jsonb, bigint, integer, boolean, text) IS
'events matching filter with seq > after, in seq order (newest first when backwards); gap-free';
SELECT dcb.copy_function_grants('dcb_read_0_1_0(jsonb, bigint, integer, boolean)',
                                'dcb_read(jsonb, bigint, integer, boolean, text)');
DROP FUNCTION dcb_read_0_1_0(jsonb, bigint, integer, boolean);

ALTER FUNCTION dcb_head() RENAME TO dcb_head_0_1_0;
CREATE FUNCTION dcb_head(store text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'dcb_head'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION dcb_head(text) IS
'highest seq that is safe to read up to: every event at or below it is visible and none can appear later';
SELECT dcb.copy_function_grants('dcb_head_0_1_0()', 'dcb_head(text)');
DROP FUNCTION dcb_head_0_1_0();

-- Maintenance, now per store and with a pinned search_path.
ALTER FUNCTION dcb_refresh_hints() RENAME TO dcb_refresh_hints_0_1_0;
CREATE FUNCTION dcb_refresh_hints(store text DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	schema text := CASE WHEN store IS NULL OR store = 'default' THEN 'dcb' ELSE 'dcb_' || store END;
	updated bigint;
BEGIN
	IF to_regnamespace(quote_ident(schema)) IS NULL THEN
		RAISE EXCEPTION 'dcb store "%" does not exist', store USING ERRCODE = '42704';
	END IF;
	EXECUTE format($q$
		WITH refreshed AS (
			UPDATE %1$I.event_tags t SET event_tid = e.ctid
			  FROM %1$I.events e
			 WHERE e.seq = t.seq AND t.event_tid IS DISTINCT FROM e.ctid
			RETURNING 1)
		SELECT count(*) FROM refreshed$q$, schema) INTO updated;
	RETURN updated;
END
$$;
COMMENT ON FUNCTION dcb_refresh_hints(text) IS
'points the ctid hints of a store''s event_tags at its current events rows again (after VACUUM FULL, CLUSTER or a restore); returns the tag rows updated';
SELECT dcb.copy_function_grants('dcb_refresh_hints_0_1_0()', 'dcb_refresh_hints(text)');
DROP FUNCTION dcb_refresh_hints_0_1_0();

-- ---------------------------------------------------------------------------------------------
-- Snapshots and consumer positions
--
-- Each store keeps them in <schema>.snapshots and <schema>.consumers (dcb.create_store_storage).
-- The C functions check the caller's rights (SELECT on the store's events table: whoever may read
-- a store may read and keep its derived state; EXECUTE on the function, revocable from PUBLIC, to
-- write it) and then run their statements on the tables as the tables' owner, with a pinned
-- search_path; the tables themselves grant nothing.
-- ---------------------------------------------------------------------------------------------

-- The default store's tables are extension members: pg_dump must still carry their rows (a named
-- store's tables are ordinary tables and dumped as such).
SELECT pg_catalog.pg_extension_config_dump('dcb.snapshots', '');
SELECT pg_catalog.pg_extension_config_dump('dcb.consumers', '');

CREATE FUNCTION dcb_snapshot_save(projection text, filter jsonb, seq bigint, data jsonb, store text DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'dcb_snapshot_save'
LANGUAGE C VOLATILE PARALLEL UNSAFE CALLED ON NULL INPUT;
COMMENT ON FUNCTION dcb_snapshot_save(text, jsonb, bigint, jsonb, text) IS
'saves data as the snapshot of projection over filter at position seq (at most the head); a stored snapshot with a higher seq is kept';

CREATE FUNCTION dcb_snapshot_load(projection text, filter jsonb, store text DEFAULT NULL)
RETURNS TABLE (seq bigint, data jsonb, created_at timestamptz)
AS 'MODULE_PATHNAME', 'dcb_snapshot_load'
LANGUAGE C VOLATILE PARALLEL UNSAFE CALLED ON NULL INPUT ROWS 1;
COMMENT ON FUNCTION dcb_snapshot_load(text, jsonb, text) IS
'the snapshot of projection over filter (filters with the same meaning name the same snapshot); no row when there is none';

CREATE FUNCTION dcb_snapshot_delete(projection text, filter jsonb, store text DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'dcb_snapshot_delete'
LANGUAGE C VOLATILE PARALLEL UNSAFE CALLED ON NULL INPUT;
COMMENT ON FUNCTION dcb_snapshot_delete(text, jsonb, text) IS
'deletes the snapshot of projection over filter; returns whether there was one';

CREATE FUNCTION dcb_consumer_position(consumer text, store text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'dcb_consumer_position'
LANGUAGE C VOLATILE PARALLEL UNSAFE CALLED ON NULL INPUT;
COMMENT ON FUNCTION dcb_consumer_position(text, text) IS
'the last position consumer has processed (0 for an unknown consumer)';

CREATE FUNCTION dcb_consumer_advance(consumer text, expected bigint, seq bigint, store text DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'dcb_consumer_advance'
LANGUAGE C VOLATILE PARALLEL UNSAFE CALLED ON NULL INPUT;
COMMENT ON FUNCTION dcb_consumer_advance(text, bigint, bigint, text) IS
'moves consumer from position expected to seq in the caller''s transaction; 40001 when another instance moved it first';

-- =============================================================================================
-- Following the log and statistics: dcb_wait, dcb_stats, dcb_stats_reset
-- (both wake-ups and statistics live in shared memory, which needs dcb in
-- shared_preload_libraries; without it dcb_wait polls and dcb_stats refuses with 55000)
-- =============================================================================================

CREATE FUNCTION dcb_wait(after bigint, timeout interval DEFAULT '10 seconds', store text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'dcb_wait'
LANGUAGE C VOLATILE PARALLEL UNSAFE CALLED ON NULL INPUT;
COMMENT ON FUNCTION dcb_wait(bigint, interval, text) IS
'returns dcb_head() as soon as it is greater than after, else when the timeout passes; woken by the commits that move the head';

-- One row of dcb_stats (without the store's name).
CREATE FUNCTION dcb.store_stats(store text,
	OUT appends bigint, OUT events bigint, OUT conflicts bigint, OUT idempotent_replays bigint,
	OUT escalations bigint, OUT lock_waits bigint, OUT lock_wait_time interval, OUT reads bigint,
	OUT rows_read bigint, OUT waits bigint, OUT stats_reset timestamptz)
RETURNS record
AS 'MODULE_PATHNAME', 'dcb_store_stats'
LANGUAGE C VOLATILE PARALLEL UNSAFE CALLED ON NULL INPUT;

-- One row per store of this database, counted by the server since stats_reset (or the server's
-- start). Readable by everyone, like pg_stat_user_tables.
CREATE VIEW dcb_stats AS
SELECT s.appends, s.events, s.conflicts, s.idempotent_replays, s.escalations, s.lock_waits,
       s.lock_wait_time, s.reads, s.rows_read, s.waits, s.stats_reset, st.store
  FROM (SELECT 'default'::text AS store, 0 AS ord
        UNION ALL
        SELECT name, 1 FROM dcb.stores) st
 CROSS JOIN LATERAL dcb.store_stats(st.store) s
 ORDER BY st.ord, st.store;
COMMENT ON VIEW dcb_stats IS
'per store: appends, events, conflicts, idempotent replays, escalations, lock waits, reads, rows read, dcb_wait calls since stats_reset';
GRANT SELECT ON dcb_stats TO PUBLIC;

CREATE FUNCTION dcb_stats_reset(store text DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'dcb_stats_reset'
LANGUAGE C VOLATILE PARALLEL UNSAFE CALLED ON NULL INPUT;
REVOKE ALL ON FUNCTION dcb_stats_reset(text) FROM PUBLIC;
COMMENT ON FUNCTION dcb_stats_reset(text) IS
'zeroes the statistics of a store (NULL: the default store) in dcb_stats';

-- Says so (WARNING with a HINT) when the library is not in shared_preload_libraries.
CREATE FUNCTION dcb.check_preload()
RETURNS void
AS 'MODULE_PATHNAME', 'dcb_check_preload'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
SELECT dcb.check_preload();

-- =============================================================================================
-- end of: Following the log and statistics
-- =============================================================================================

-- =============================================================================================
-- Imports: an existing event log into a store, in order, resumable, idempotent
-- =============================================================================================

-- Appends the rows of source (a table or view with the columns type text, data jsonb and an
-- ordinal column, and optionally tags text[], metadata jsonb, occurred_at timestamptz, id uuid) to
-- the store in the order of the ordinal, batch_size rows per transaction. Each batch is appended
-- and the import's progress advanced in one transaction (the progress is the consumer position
-- 'dcb_import:<source>' of the store, the last ordinal imported), so an interrupted import that is
-- called again continues after the last committed batch; rows without an id get one derived from
-- the source and the ordinal, so a batch appended twice is stored once. Progress is reported as a
-- NOTICE per batch. CALL it outside a transaction block: it commits between batches.
CREATE PROCEDURE dcb_import(source regclass, ordinal text DEFAULT 'ord', batch_size integer DEFAULT 10000,
                            store text DEFAULT NULL)
LANGUAGE plpgsql
AS $$
-- (no SET search_path: a procedure with one cannot commit; dcb's own functions are named with their schema)
DECLARE
	progress text := 'dcb_import:' || source::text;
	done bigint;
	last_ordinal bigint;
	batch jsonb;
	n bigint;
	imported bigint := 0;
	started timestamptz := clock_timestamp();
BEGIN
	IF batch_size IS NULL OR batch_size < 1 THEN
		RAISE EXCEPTION 'batch_size must be positive' USING ERRCODE = '22023';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = source AND attname = ordinal AND attnum > 0 AND NOT attisdropped) THEN
		RAISE EXCEPTION 'source % has no column "%"', source, ordinal USING ERRCODE = '42703',
			HINT = 'Name the column that orders the events with ordinal => ''...''.';
	END IF;
	LOOP
		done := @extschema@.dcb_consumer_position(progress, store);
		EXECUTE format($q$
			SELECT max(o), count(*),
			       jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
			           'type', r->'type', 'data', coalesce(r->'data', 'null'::jsonb), 'tags', r->'tags',
			           'metadata', r->'metadata', 'occurred_at', r->'occurred_at',
			           'id', coalesce(r->'id', to_jsonb(md5(%2$L || ':' || o)::uuid)))) ORDER BY o)
			  FROM (SELECT (s.%1$I)::bigint AS o, to_jsonb(s) AS r FROM %2$s s
			         WHERE (s.%1$I)::bigint > $1 ORDER BY s.%1$I LIMIT $2) b$q$, ordinal, source)
		   INTO last_ordinal, n, batch USING done, batch_size;
		EXIT WHEN n = 0;
		PERFORM @extschema@.dcb_append(NULL, NULL, batch, store);
		PERFORM @extschema@.dcb_consumer_advance(progress, done, last_ordinal, store);
		COMMIT;
		imported := imported + n;
		RAISE NOTICE 'dcb_import: % events from % (up to % %), % events/s', imported, source, ordinal, last_ordinal,
			round(imported / greatest(extract(epoch FROM clock_timestamp() - started), 0.001));
	END LOOP;
END
$$;
COMMENT ON PROCEDURE dcb_import(regclass, text, integer, text) IS
'appends the rows of a table or view to a store in order, one committed batch at a time; resumable and idempotent';
