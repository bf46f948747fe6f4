-- pgTAP: an ordinary role (no superuser, no grants beyond the defaults) can use the API, and
-- cannot write the storage behind its back (the log is append-only through dcb_append).
-- The role is created inside the transaction and disappears with the ROLLBACK.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
SET LOCAL client_min_messages = warning;
DROP EXTENSION IF EXISTS dcb CASCADE;
CREATE EXTENSION dcb;
CREATE ROLE dcb_pgtap_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;

SELECT plan(15);

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

SELECT * FROM finish();
ROLLBACK;
