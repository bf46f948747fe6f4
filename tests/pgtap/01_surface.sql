-- pgTAP: the SQL surface of dcb (README, "The SQL API") and dcb_head on an empty / growing store.
--
-- Run: pg_prove -d <db> tests/pgtap/*.sql  (the database needs CREATE EXTENSION pgtap; CREATE EXTENSION dcb;)
-- Every file recreates the extension inside its transaction, so it starts from an empty store with
-- positions from 1; the final ROLLBACK restores whatever the database held before.
\ir lib/begin.sql

SELECT plan(24);

-- Signatures: the contract's arguments in its order and types, then the store, optional (NULL: the
-- default store), so calls with the contract's arguments alone resolve to them.
SELECT has_function('dcb_append', ARRAY['jsonb', 'bigint', 'jsonb', 'text'], 'dcb_append(jsonb, bigint, jsonb, store text) exists');
SELECT function_returns('dcb_append', ARRAY['jsonb', 'bigint', 'jsonb', 'text'], 'bigint', 'dcb_append returns bigint');
SELECT has_function('dcb_read', ARRAY['jsonb', 'bigint', 'integer', 'boolean', 'text'], 'dcb_read(jsonb, bigint, integer, boolean, store text) exists');
SELECT function_returns('dcb_read', ARRAY['jsonb', 'bigint', 'integer', 'boolean', 'text'], 'setof record', 'dcb_read returns a set');
SELECT has_function('dcb_head', ARRAY['text'], 'dcb_head(store text) exists');
SELECT function_returns('dcb_head', ARRAY['text'], 'bigint', 'dcb_head returns bigint');

-- The functions are reachable by plain name through the default search_path.
SELECT is(
    (SELECT n.nspname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = 'dcb_append'),
    (SELECT current_schemas(false))[1]::text,
    'dcb_append lives in the first schema of the default search_path');

-- Result columns of dcb_read, in order (extra columns at the end would be allowed by the contract).
SELECT is(
    (SELECT (array_agg(a.name || ' ' || format_type(a.typ, NULL) ORDER BY a.ord))[1:7]
       FROM pg_proc p,
            unnest(p.proargnames, p.proallargtypes::oid[], p.proargmodes::text[]) WITH ORDINALITY AS a(name, typ, mode, ord)
      WHERE p.proname = 'dcb_read' AND a.mode = 't'),
    ARRAY['seq bigint', 'type text', 'tags text[]', 'data jsonb', 'metadata jsonb',
          'occurred_at timestamp with time zone', 'id uuid'],
    'dcb_read returns (seq, type, tags, data, metadata, occurred_at, id)');

-- Argument names and defaults of dcb_read: callable with named arguments and with none.
SELECT is(
    (SELECT proargnames[1:4] FROM pg_proc WHERE proname = 'dcb_read'),
    ARRAY['filter', 'after', 'max_count', 'backwards'],
    'dcb_read argument names');
SELECT is((SELECT pronargdefaults::int FROM pg_proc WHERE proname = 'dcb_read'), 5, 'all dcb_read arguments have defaults');
SELECT is((SELECT proargnames[1:3] FROM pg_proc WHERE proname = 'dcb_append'),
          ARRAY['filter', 'expected_max', 'events'], 'dcb_append argument names');

-- Empty store.
SELECT is(dcb_head(), 0::bigint, 'dcb_head() is 0 on an empty store');
SELECT is((SELECT count(*) FROM dcb_read()), 0::bigint, 'dcb_read() returns nothing on an empty store');
SELECT is((SELECT count(*) FROM dcb_read(NULL, 0, NULL, true)), 0::bigint, 'backwards read of an empty store returns nothing');

-- dcb_head follows appends (and, inside this transaction, sees its own appends).
CREATE TEMP TABLE r (k int, v bigint) ON COMMIT DROP;
INSERT INTO r VALUES (1, dcb_append(NULL, NULL, '{"type": "T", "data": {}}'));
SELECT cmp_ok((SELECT v FROM r WHERE k = 1), '>', 0::bigint, 'the first seq is positive');
SELECT is(dcb_head(), (SELECT v FROM r WHERE k = 1), 'dcb_head() is the seq of the only event');
INSERT INTO r VALUES (2, dcb_append(NULL, NULL, '[{"type": "T", "data": 1}, {"type": "U", "data": 2}]'));
SELECT is(dcb_head(), (SELECT v FROM r WHERE k = 2), 'dcb_head() is the seq returned by the last append');
SELECT is((SELECT max(seq) FROM dcb_read()), (SELECT v FROM r WHERE k = 2), 'the returned seq is the seq of the last appended event');
SELECT is((SELECT count(*) FROM dcb_read()), 3::bigint, 'three events are stored');
SELECT cmp_ok((SELECT v FROM r WHERE k = 2), '>', (SELECT v FROM r WHERE k = 1), 'a later append gets a higher seq');

-- Named arguments, in any order.
SELECT is((SELECT array_agg(type ORDER BY seq) FROM dcb_read(backwards => true, max_count => 1)), ARRAY['U'],
          'dcb_read(backwards => true, max_count => 1) is the last event');
SELECT is((SELECT array_agg(type) FROM dcb_read(after => (SELECT v FROM r WHERE k = 1))), ARRAY['T', 'U'],
          'dcb_read(after => ...) by name');
INSERT INTO r VALUES (3, dcb_append(events => '{"type": "V", "data": {"v": 1}}', expected_max => (SELECT v FROM r WHERE k = 2), filter => '{}'));
SELECT is((SELECT v FROM r WHERE k = 3), dcb_head(), 'dcb_append callable with named arguments; returns the new head');
SELECT is((SELECT type FROM dcb_read(NULL, 0, 1, true)), 'V', 'the named-argument append wrote its event');

SELECT * FROM finish();
ROLLBACK;
