-- pgTAP: an ordinary role (no superuser, no grants beyond the defaults) can use the API, and
-- cannot write the storage behind its back (the log is append-only through dcb_append). Reading
-- needs SELECT on the store's events table, as a plain SELECT would, and row-level security is
-- never bypassed; appending to a named store needs USAGE on its schema; the settings that bound
-- shared resources are for superusers (README, "Access"). The roles are created inside the
-- transaction and disappear with the ROLLBACK.
\ir lib/begin.sql
CREATE ROLE dcb_pgtap_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;

SELECT plan(30);

SET LOCAL ROLE dcb_pgtap_app;
SELECT is(current_user::text, 'dcb_pgtap_app', 'running as an ordinary role');
SELECT lives_ok($$SELECT dcb_append(NULL, NULL, '{"type": "A", "tags": ["priv:1"], "data": {}}')$$, 'it can append');
SELECT lives_ok($$SELECT dcb_append('{"items": [{"tags": ["priv:1"]}]}', dcb_head(), '{"type": "B", "tags": ["priv:1"], "data": {}, "id": "00000000-0000-4000-8000-0000000000a1"}')$$,
                'it can append with a condition and an id');
SELECT throws_ok($$SELECT dcb_append('{"items": [{"tags": ["priv:1"]}]}', 0, '{"type": "C", "tags": ["priv:1"], "data": {}}')$$,
                 '40001', 'dcb: append condition failed', 'its conditions are checked');
SELECT is((SELECT array_agg(type ORDER BY seq) FROM dcb_read('{"items": [{"tags": ["priv:1"]}]}')), ARRAY['A', 'B'], 'it can read');
SELECT cmp_ok(dcb_head(), '>', 0::bigint, 'it can call dcb_head');
SELECT throws_ok($$INSERT INTO dcb.events (seq, type, tags, data, metadata, occurred_at) VALUES (1000000, 'X', '{}', '{}', '{}', now())$$,
                 '42501', NULL, 'it cannot insert into the log directly');
SELECT throws_ok($$UPDATE dcb.events SET type = 'X'$$, '42501', NULL, 'it cannot update the log');
SELECT throws_ok($$DELETE FROM dcb.events$$, '42501', NULL, 'it cannot delete from the log');
SELECT throws_ok($$TRUNCATE dcb.events$$, '42501', NULL, 'it cannot truncate the log');
SELECT throws_ok($$SELECT dcb_refresh_hints()$$, '42501', NULL, 'it cannot run the maintenance function (it updates dcb.event_tags)');
RESET ROLE;
-- Every table and sequence of the storage schema, whatever the layout.
SELECT is_empty($$SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'dcb' AND c.relkind IN ('r', 'p')
                     AND has_table_privilege('dcb_pgtap_app', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')$$,
                'the role has no write privilege on any storage table');
SELECT is_empty($$SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'dcb' AND CASE WHEN c.relkind = 'S' THEN has_sequence_privilege('dcb_pgtap_app', c.oid, 'USAGE, UPDATE') END$$,
                'the role cannot take positions from any storage sequence');
SELECT is((SELECT count(*) FROM dcb_read()), 2::bigint, 'only the two appends are stored');
SELECT is((SELECT id FROM dcb_read() WHERE type = 'B'), '00000000-0000-4000-8000-0000000000a1'::uuid, 'with the id given by the ordinary role');

-- Reading needs SELECT on the events table: without it, reads and the head are refused like a
-- plain SELECT, and appending still works (it needs EXECUTE on dcb_append only).
REVOKE SELECT ON dcb.events FROM PUBLIC;
SET LOCAL ROLE dcb_pgtap_app;
SELECT throws_ok($$SELECT count(*) FROM dcb.events$$, '42501', NULL, 'without SELECT a plain read of the table is refused');
SELECT throws_ok($$SELECT count(*) FROM dcb_read()$$, '42501', NULL, '...and so is dcb_read()');
SELECT throws_ok($$SELECT count(*) FROM dcb_read('{"items": [{"tags": ["priv:1"]}]}')$$, '42501', NULL, '...with a filter too');
SELECT throws_ok($$SELECT dcb_head()$$, '42501', NULL, '...and dcb_head()');
SELECT lives_ok($$SELECT dcb_append(NULL, NULL, '{"type": "W", "tags": ["priv:2"], "data": {}}')$$, 'appending needs no SELECT');
RESET ROLE;
GRANT SELECT ON dcb.events TO dcb_pgtap_app;
SET LOCAL ROLE dcb_pgtap_app;
SELECT is((SELECT count(*) FROM dcb_read()), 3::bigint, 'a grant of SELECT lets it read again');
RESET ROLE;

-- Row-level security on the events table is honoured or refused, never bypassed.
ALTER TABLE dcb.events ENABLE ROW LEVEL SECURITY;
CREATE POLICY dcb_pgtap_only_a ON dcb.events FOR SELECT USING (type = 'A');
SET LOCAL ROLE dcb_pgtap_app;
SELECT is((SELECT count(*) FROM dcb.events), 1::bigint, 'the policy hides rows from a plain SELECT');
SELECT throws_ok($$SELECT count(*) FROM dcb_read()$$, '42501', NULL, 'dcb_read() refuses rather than bypass the policy');
SELECT throws_ok($$SELECT dcb_head()$$, '42501', NULL, 'so does dcb_head()');
RESET ROLE;
SELECT is((SELECT count(*) FROM dcb_read()), 3::bigint, 'the table owner, whom the policy does not apply to, reads everything');
ALTER TABLE dcb.events DISABLE ROW LEVEL SECURITY;

-- A named store: appending needs USAGE on its schema, reading SELECT on its events table.
SELECT dcb_create_store('pgtap_priv');
SET LOCAL ROLE dcb_pgtap_app;
SELECT throws_ok($$SELECT dcb_append(NULL, NULL, '{"type": "S", "data": {}}', 'pgtap_priv')$$, '42501', NULL,
                 'without USAGE on the store''s schema it cannot append to the store');
SELECT throws_ok($$SELECT count(*) FROM dcb_read(store => 'pgtap_priv')$$, '42501', NULL, '...nor read it');
SELECT throws_ok($$SELECT dcb_create_store('pgtap_other')$$, '42501', NULL, 'creating stores is for administrators');
RESET ROLE;
GRANT USAGE ON SCHEMA dcb_pgtap_priv TO dcb_pgtap_app;
GRANT SELECT ON dcb_pgtap_priv.events TO dcb_pgtap_app;
SET LOCAL ROLE dcb_pgtap_app;
SELECT is(dcb_append(NULL, NULL, '{"type": "S", "data": {}}', 'pgtap_priv'), 1::bigint, 'with USAGE it appends to the store');
SELECT is((SELECT count(*) FROM dcb_read(store => 'pgtap_priv')), 1::bigint, 'with SELECT it reads the store');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
