-- pgTAP: who may use snapshots and consumer positions (README, "Access"), and their storage.
-- Every one of the five functions needs SELECT on the store's events table; saving and deleting
-- snapshots and advancing consumers also need EXECUTE on the function (revocable from PUBLIC). The
-- tables behind them grant nothing: no role but their owner reads or writes them directly, and the
-- functions' statements cannot be redirected through the caller's search_path. The default store's
-- tables are dumped by pg_dump (extension configuration tables), also after an update from 0.1.0.
-- Roles and schemas are created inside the transaction and disappear with the ROLLBACK.
\ir lib/begin.sql
CREATE ROLE dcb_pgtap_state NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;

SELECT plan(51);

SELECT dcb_append(NULL, NULL, '[{"type": "A", "data": 1}, {"type": "A", "data": 2}]');
SELECT dcb_create_store('privstate');
SELECT dcb_append(NULL, NULL, '[{"type": "A", "data": 1}, {"type": "A", "data": 2}]', 'privstate');

-- A schema whose functions and operators would shadow pg_catalog's for a caller that puts it first
-- in its search_path: each records who called it.
CREATE SCHEMA dcb_pgtap_evil;
CREATE TABLE dcb_pgtap_evil.calls (who text);
GRANT USAGE ON SCHEMA dcb_pgtap_evil TO PUBLIC;
GRANT INSERT, SELECT ON dcb_pgtap_evil.calls TO PUBLIC;
CREATE FUNCTION dcb_pgtap_evil.now() RETURNS timestamptz LANGUAGE sql AS
$$ INSERT INTO dcb_pgtap_evil.calls VALUES (current_user) RETURNING '2000-01-01 00:00:00+00'::timestamptz $$;
CREATE FUNCTION dcb_pgtap_evil.text_eq(text, text) RETURNS boolean LANGUAGE sql AS
$$ INSERT INTO dcb_pgtap_evil.calls VALUES (current_user) RETURNING true $$;
CREATE OPERATOR dcb_pgtap_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = dcb_pgtap_evil.text_eq);
CREATE FUNCTION dcb_pgtap_evil.int8le(bigint, bigint) RETURNS boolean LANGUAGE sql AS
$$ INSERT INTO dcb_pgtap_evil.calls VALUES (current_user) RETURNING true $$;
CREATE OPERATOR dcb_pgtap_evil.<= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = dcb_pgtap_evil.int8le);

-- An ordinary role, default store (whose events every role may read, as in 0.1.0).
SET LOCAL ROLE dcb_pgtap_state;
SELECT lives_ok($$SELECT dcb_snapshot_save('p', NULL, 2, '"saved by the role"')$$, 'an ordinary role saves a snapshot');
SELECT is((SELECT data FROM dcb_snapshot_load('p', NULL)), '"saved by the role"'::jsonb, '... loads it');
SELECT is(dcb_snapshot_delete('p', NULL), true, '... deletes it');
SELECT lives_ok($$SELECT dcb_consumer_advance('c', 0, 2)$$, '... advances a consumer');
SELECT is(dcb_consumer_position('c'), 2::bigint, '... reads its position');

-- The tables are closed to it.
SELECT throws_ok($$SELECT * FROM dcb.snapshots$$, '42501', NULL, 'it cannot read dcb.snapshots directly');
SELECT throws_ok($$INSERT INTO dcb.snapshots VALUES ('p', '\x00', '{}', 1, '{}', now())$$, '42501', NULL, 'it cannot insert a snapshot directly');
SELECT throws_ok($$UPDATE dcb.snapshots SET seq = 1$$, '42501', NULL, 'it cannot update snapshots');
SELECT throws_ok($$DELETE FROM dcb.snapshots$$, '42501', NULL, 'it cannot delete snapshots');
SELECT throws_ok($$TRUNCATE dcb.snapshots$$, '42501', NULL, 'it cannot truncate snapshots');
SELECT throws_ok($$SELECT * FROM dcb.consumers$$, '42501', NULL, 'it cannot read dcb.consumers directly');
SELECT throws_ok($$INSERT INTO dcb.consumers VALUES ('c', 1000, now())$$, '42501', NULL, 'it cannot insert a consumer position directly');
SELECT throws_ok($$UPDATE dcb.consumers SET position = 1000$$, '42501', NULL, 'it cannot move a consumer directly');
SELECT throws_ok($$DELETE FROM dcb.consumers$$, '42501', NULL, 'it cannot delete consumer positions');
SELECT throws_ok($$TRUNCATE dcb.consumers$$, '42501', NULL, 'it cannot truncate consumer positions');

-- The functions' statements run as the tables' owner, so the caller's search_path must not reach
-- them: with the shadowing schema first, they still use pg_catalog's now(), = and <=. (The calls
-- run on their own, as pgTAP's functions would use the shadowing operators.)
CREATE TEMP TABLE shadowed (k text, v text) ON COMMIT DROP;
SET LOCAL search_path = dcb_pgtap_evil, pg_catalog, public;
SELECT dcb_snapshot_save('p', NULL, 1, '"one"');
SELECT dcb_snapshot_save('p', NULL, 0, '"zero"');
INSERT INTO pg_temp.shadowed SELECT 'p', seq::text FROM dcb_snapshot_load('p', NULL);
INSERT INTO pg_temp.shadowed SELECT 'q', seq::text FROM dcb_snapshot_load('q', NULL);
SELECT dcb_consumer_advance('c', 2, 3);
INSERT INTO pg_temp.shadowed SELECT 'd', dcb_consumer_position('d')::text;
RESET search_path;
SELECT is((SELECT array_agg(k || ':' || v ORDER BY k) FROM shadowed), ARRAY['d:0', 'p:1'],
          'with a shadowing search_path: the lower save was ignored (<=), another projection and another consumer are not found (=)');
SELECT is((SELECT created_at FROM dcb_snapshot_load('p', NULL)), now(), 'the save used pg_catalog''s now()');
SELECT is(dcb_consumer_position('c'), 3::bigint, 'the advance under the shadowing search_path happened');
SELECT is((SELECT count(*) FROM dcb_pgtap_evil.calls), 0::bigint, 'no function of the caller''s search_path ran');

-- A named store: reading it needs SELECT on its events table, for all five functions.
SELECT is(pg_temp.err($$SELECT * FROM dcb_snapshot_load('p', NULL, 'privstate')$$),
          '42501: permission denied for table dcb_privstate.events DETAIL: dcb_snapshot_load() reads the events of store "privstate".',
          'load from a store the role cannot read: 42501');
SELECT is(pg_temp.err($$SELECT dcb_snapshot_save('p', NULL, 1, '{}', 'privstate')$$),
          '42501: permission denied for table dcb_privstate.events DETAIL: dcb_snapshot_save() reads the events of store "privstate".',
          'save: 42501');
SELECT is(pg_temp.err($$SELECT dcb_snapshot_delete('p', NULL, 'privstate')$$),
          '42501: permission denied for table dcb_privstate.events DETAIL: dcb_snapshot_delete() reads the events of store "privstate".',
          'delete: 42501');
SELECT is(pg_temp.err($$SELECT dcb_consumer_position('c', 'privstate')$$),
          '42501: permission denied for table dcb_privstate.events DETAIL: dcb_consumer_position() reads the events of store "privstate".',
          'position: 42501');
SELECT is(pg_temp.err($$SELECT dcb_consumer_advance('c', 0, 1, 'privstate')$$),
          '42501: permission denied for table dcb_privstate.events DETAIL: dcb_consumer_advance() reads the events of store "privstate".',
          'advance: 42501');
RESET ROLE;
SELECT is((SELECT count(*) FROM dcb_privstate.snapshots) + (SELECT count(*) FROM dcb_privstate.consumers), 0::bigint,
          'the refused calls wrote nothing');

GRANT SELECT ON dcb_privstate.events TO dcb_pgtap_state;
SET LOCAL ROLE dcb_pgtap_state;
SELECT is_empty($$SELECT * FROM dcb_snapshot_load('p', NULL, 'privstate')$$, 'with SELECT on its events: load');
SELECT is(dcb_snapshot_delete('p', NULL, 'privstate'), false, '... delete');
SELECT lives_ok($$SELECT dcb_consumer_advance('c', 0, 2, 'privstate')$$, '... advance');
SELECT is(dcb_consumer_position('c', 'privstate'), 2::bigint, '... position');
SELECT is(dcb_head('privstate'), 2::bigint, 'the role can call dcb_head on the store');
SELECT lives_ok($$SELECT dcb_snapshot_save('p', NULL, 2, '"named"', 'privstate')$$, '... and save a snapshot in it');
SELECT is((SELECT data FROM dcb_snapshot_load('p', NULL, 'privstate')), '"named"'::jsonb, '... and load it');
SELECT throws_ok($$SELECT * FROM dcb_privstate.snapshots$$, '42501', NULL, 'the named store''s snapshots table stays closed');
SELECT throws_ok($$UPDATE dcb_privstate.consumers SET position = 0$$, '42501', NULL, 'the named store''s consumers table stays closed');
RESET ROLE;

-- The default store, once its events are not readable by everyone.
REVOKE SELECT ON dcb.events FROM PUBLIC;
SET LOCAL ROLE dcb_pgtap_state;
SELECT is(
    ARRAY[split_part(pg_temp.err($$SELECT * FROM dcb_snapshot_load('p', NULL)$$), ' DETAIL', 1),
          split_part(pg_temp.err($$SELECT dcb_snapshot_save('p', NULL, 2, '{}')$$), ' DETAIL', 1),
          split_part(pg_temp.err($$SELECT dcb_snapshot_delete('p', NULL)$$), ' DETAIL', 1),
          split_part(pg_temp.err($$SELECT dcb_consumer_position('c')$$), ' DETAIL', 1),
          split_part(pg_temp.err($$SELECT dcb_consumer_advance('c', 3, 4)$$), ' DETAIL', 1)],
    array_fill('42501: permission denied for table dcb.events'::text, ARRAY[5]), 'without SELECT on dcb.events, all five functions: 42501');
RESET ROLE;
SELECT is((SELECT position FROM dcb.consumers WHERE consumer = 'c'), 3::bigint, 'the refused advance wrote nothing');

-- Writing needs EXECUTE on the function: revoked from PUBLIC, the role can still read.
GRANT SELECT ON dcb.events TO dcb_pgtap_state;
REVOKE EXECUTE ON FUNCTION dcb_snapshot_save(text, jsonb, bigint, jsonb, text), dcb_snapshot_delete(text, jsonb, text),
                           dcb_consumer_advance(text, bigint, bigint, text) FROM PUBLIC;
SET LOCAL ROLE dcb_pgtap_state;
SELECT throws_ok($$SELECT dcb_snapshot_save('p', NULL, 2, '{}')$$, '42501', 'permission denied for function dcb_snapshot_save',
                 'without EXECUTE: no save');
SELECT throws_ok($$SELECT dcb_snapshot_delete('p', NULL)$$, '42501', 'permission denied for function dcb_snapshot_delete',
                 'without EXECUTE: no delete');
SELECT throws_ok($$SELECT dcb_consumer_advance('c', 3, 4)$$, '42501', 'permission denied for function dcb_consumer_advance',
                 'without EXECUTE: no advance');
SELECT is((SELECT seq FROM dcb_snapshot_load('p', NULL)), 1::bigint, 'it still loads');
SELECT is(dcb_consumer_position('c'), 3::bigint, 'and reads positions');
RESET ROLE;
GRANT EXECUTE ON FUNCTION dcb_consumer_advance(text, bigint, bigint, text) TO dcb_pgtap_state;
SET LOCAL ROLE dcb_pgtap_state;
SELECT lives_ok($$SELECT dcb_consumer_advance('c', 3, 4)$$, 'granted EXECUTE, it advances');
RESET ROLE;

-- Nothing on the state tables is granted to the role (or to PUBLIC) in either store.
SELECT is_empty($$SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname IN ('dcb', 'dcb_privstate') AND c.relname IN ('snapshots', 'consumers')
                     AND has_table_privilege('dcb_pgtap_state', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')$$,
                'the role has no privilege on any snapshots or consumers table');

-- pg_dump carries the default store's rows (configuration tables of the extension); a named
-- store's tables are not extension members, so pg_dump dumps them as ordinary tables.
SELECT is((SELECT array_agg(t::regclass::text ORDER BY t::regclass::text) FROM pg_extension e, unnest(e.extconfig) t
            WHERE e.extname = 'dcb' AND t::regclass::text IN ('dcb.snapshots', 'dcb.consumers')),
          ARRAY['dcb.consumers', 'dcb.snapshots'], 'dcb.snapshots and dcb.consumers are extension configuration tables');
SELECT is_empty($$SELECT objid::regclass FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
                   WHERE e.extname = 'dcb' AND d.deptype = 'e' AND d.classid = 'pg_class'::regclass
                     AND d.objid IN ('dcb_privstate.snapshots'::regclass, 'dcb_privstate.consumers'::regclass)$$,
                'a named store''s tables are not extension members');

-- An update from 0.1.0 adds the default store's tables, registered for pg_dump, and they work.
DROP EXTENSION dcb CASCADE;
CREATE EXTENSION dcb VERSION '0.1.0';
SELECT dcb_append(NULL, NULL, '[{"type": "A", "data": 1}, {"type": "A", "data": 2}, {"type": "A", "data": 3}]');
ALTER EXTENSION dcb UPDATE TO '0.2.0';
SELECT is((SELECT array_agg(t::regclass::text ORDER BY t::regclass::text) FROM pg_extension e, unnest(e.extconfig) t
            WHERE e.extname = 'dcb' AND t::regclass::text IN ('dcb.snapshots', 'dcb.consumers')),
          ARRAY['dcb.consumers', 'dcb.snapshots'], 'after the update: configuration tables too');
SELECT lives_ok($$SELECT dcb_snapshot_save('upd', '{"items": [{"types": ["A"]}]}', 3, '"three"')$$, 'after the update: save');
SELECT is((SELECT data FROM dcb_snapshot_load('upd', '{"items": [{"types": ["A", "A"]}]}')), '"three"'::jsonb, 'after the update: load');
SELECT lives_ok($$SELECT dcb_consumer_advance('upd', 0, 3)$$, 'after the update: advance');
SELECT is(dcb_consumer_position('upd'), 3::bigint, 'after the update: position');
SELECT is_empty($$SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'dcb' AND c.relname IN ('snapshots', 'consumers')
                     AND has_table_privilege('dcb_pgtap_state', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')$$,
                'after the update: no privilege on them for an ordinary role');

SELECT * FROM finish();
ROLLBACK;
