-- pgTAP: several stores in one database (README, "Stores"). Each is an independent log: its own
-- positions from 1, its own head, reads and conditions that see only its events, its own event ids;
-- callers that name no store get the default store, as in 0.1.0. Created and dropped by an
-- administrator's function; dropping one that holds events needs drop_events => true.
\ir lib/begin.sql

SELECT plan(29);

SELECT is(pg_temp.err($$SELECT dcb_create_store('orders')$$), 'no error', 'a store is created');
SELECT is(pg_temp.err($$SELECT dcb_create_store('billing')$$), 'no error', 'and another');
SELECT is((SELECT array_agg(name ORDER BY name) FROM dcb.stores), ARRAY['billing', 'orders'], 'both are listed in dcb.stores');
SELECT has_table('dcb_orders', 'events', 'store orders lives in the schema dcb_orders');
SELECT matches(pg_temp.err($$SELECT dcb_create_store('orders')$$), '^42710: ', 'a store name is taken once');
-- A named store's storage is the default store's, column for column and index for index (the
-- default store's was made by the 0.1.0 install script and the update, a named one by dcb_create_store).
SELECT set_eq($$SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attcollation
                  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                 WHERE c.relnamespace = 'dcb_orders'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped$$,
              $$SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attcollation
                  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                 WHERE c.relnamespace = 'dcb'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
                   AND c.relname NOT IN ('stores', 'stores_pkey') AND c.relkind IN ('r', 'i', 'S')$$,
              'a named store has the default store''s tables, sequence and index columns');
SELECT set_eq($$SELECT indexname, replace(indexdef, 'ON dcb_orders.', 'ON S.') FROM pg_indexes WHERE schemaname = 'dcb_orders'$$,
              $$SELECT indexname, replace(indexdef, 'ON dcb.', 'ON S.') FROM pg_indexes WHERE schemaname = 'dcb' AND tablename <> 'stores'$$,
              'and the same indexes');
SELECT matches(pg_temp.err($$SELECT dcb_create_store('Orders!')$$), '^22023: store name "Orders!" is not valid', 'names are checked');
SELECT matches(pg_temp.err($$SELECT dcb_create_store('default')$$), '^22023: ', '"default" is the default store');

-- Positions from 1 in every store, independent heads.
SELECT is(dcb_append(NULL, NULL, '{"type": "D", "tags": ["k:1"], "data": {}}'), 1::bigint, 'the default store starts at 1');
SELECT is(dcb_append(NULL, NULL, '[{"type": "O", "tags": ["k:1"], "data": {}}, {"type": "O", "tags": ["k:2"], "data": {}}]', 'orders'),
          2::bigint, 'so does orders');
SELECT is(dcb_append(NULL, NULL, '{"type": "B", "tags": ["k:1"], "data": {}}', 'billing'), 1::bigint, 'and billing');
SELECT is(ARRAY[dcb_head(), dcb_head('default'), dcb_head('orders'), dcb_head('billing')], ARRAY[1, 1, 2, 1]::bigint[],
          'each store has its own head (NULL and ''default'' name the default store)');

-- Reads and conditions see their own store only.
SELECT is((SELECT array_agg(type ORDER BY seq) FROM dcb_read('{"items": [{"tags": ["k:1"]}]}', store => 'orders')), ARRAY['O'],
          'a read of orders returns its events only');
SELECT is((SELECT array_agg(type ORDER BY seq) FROM dcb_read('{"items": [{"tags": ["k:1"]}]}')), ARRAY['D'],
          'a read without a store returns the default store''s');
SELECT is(pg_temp.err($$SELECT dcb_append('{"items": [{"tags": ["k:1"]}]}', 0, '{"type": "B", "tags": ["k:1"], "data": {}}', 'billing')$$),
          '40001: dcb: append condition failed DETAIL: expected_max is 0, but the event at seq 1 matches the filter.',
          'a condition sees its store''s events');
SELECT is(pg_temp.err($$SELECT dcb_append('{"items": [{"tags": ["k:2"]}]}', 0, '{"type": "B", "tags": ["k:2"], "data": {}}', 'billing')$$),
          'no error', '...and not another store''s');

-- Event ids are unique per store: the same id in two stores is two events.
SELECT is(dcb_append(NULL, NULL, '{"type": "I", "data": {}, "id": "00000000-0000-4000-8000-000000000001"}', 'orders'), 3::bigint,
          'an id in orders');
SELECT is(dcb_append(NULL, NULL, '{"type": "I", "data": {}, "id": "00000000-0000-4000-8000-000000000001"}', 'billing'), 3::bigint,
          'the same id in billing is another event');
SELECT is(dcb_append(NULL, NULL, '{"type": "I", "data": {}, "id": "00000000-0000-4000-8000-000000000001"}', 'orders'), 3::bigint,
          'a retry in orders returns orders'' position');

-- Unknown stores.
SELECT matches(pg_temp.err($$SELECT dcb_head('nope')$$), '^42704: dcb store "nope" does not exist', 'an unknown store is 42704');
SELECT matches(pg_temp.err($$SELECT dcb_append(NULL, NULL, '{"type": "X", "data": {}}', 'nope')$$), '^42704: ', 'also for appends');

-- Dropping.
SELECT matches(pg_temp.err($$SELECT dcb_drop_store('orders')$$), '^2BP01: dcb store "orders" holds events',
               'a store with events is not dropped without drop_events');
SELECT is(dcb_head('orders'), 3::bigint, '...and keeps them');
SELECT is(pg_temp.err($$SELECT dcb_drop_store('orders', drop_events => true)$$), 'no error', 'with drop_events => true it is dropped');
SELECT matches(pg_temp.err($$SELECT dcb_head('orders')$$), '^42704: ', 'and is gone');
SELECT matches(pg_temp.err($$SELECT dcb_drop_store('default', true)$$), '^42809: ', 'the default store cannot be dropped');
SELECT is(ARRAY[dcb_head(), dcb_head('billing')], ARRAY[1, 3]::bigint[], 'the other stores are untouched');
SELECT matches(pg_temp.err($$DROP EXTENSION dcb$$), '^2BP01: ',
               'DROP EXTENSION refuses while named stores exist (their tag indexes use dcb''s key functions)');

SELECT * FROM finish();
ROLLBACK;
