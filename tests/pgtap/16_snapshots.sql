-- pgTAP: snapshots (README, "Snapshots"): dcb_snapshot_save / dcb_snapshot_load / dcb_snapshot_delete.
-- The key is the projection and the filter's meaning: filters that differ only in the order or the
-- repetition of items, types and tags, in how a timestamp or a payload is written, name the same
-- snapshot, and filters that mean something else do not. A save never replaces a snapshot with a
-- higher seq, and its seq is at most the head. Bad filters are rejected as dcb_read rejects them.
\ir lib/begin.sql

SELECT plan(87);

-- Surface.
SELECT has_function('dcb_snapshot_save', ARRAY['text', 'jsonb', 'bigint', 'jsonb', 'text'], 'dcb_snapshot_save(projection, filter, seq, data, store) exists');
SELECT function_returns('dcb_snapshot_save', ARRAY['text', 'jsonb', 'bigint', 'jsonb', 'text'], 'void', 'dcb_snapshot_save returns void');
SELECT has_function('dcb_snapshot_load', ARRAY['text', 'jsonb', 'text'], 'dcb_snapshot_load(projection, filter, store) exists');
SELECT function_returns('dcb_snapshot_load', ARRAY['text', 'jsonb', 'text'], 'setof record', 'dcb_snapshot_load returns a set');
SELECT has_function('dcb_snapshot_delete', ARRAY['text', 'jsonb', 'text'], 'dcb_snapshot_delete(projection, filter, store) exists');
SELECT function_returns('dcb_snapshot_delete', ARRAY['text', 'jsonb', 'text'], 'boolean', 'dcb_snapshot_delete returns boolean');
SELECT is((SELECT proargnames FROM pg_proc WHERE proname = 'dcb_snapshot_save'),
          ARRAY['projection', 'filter', 'seq', 'data', 'store'], 'dcb_snapshot_save argument names');
SELECT is((SELECT proargnames FROM pg_proc WHERE proname = 'dcb_snapshot_load'),
          ARRAY['projection', 'filter', 'store', 'seq', 'data', 'created_at'], 'dcb_snapshot_load arguments and result columns');
SELECT is((SELECT pronargdefaults::int FROM pg_proc WHERE proname = 'dcb_snapshot_save'), 1, 'only the store is optional');

-- Ten events, so seqs up to 10 are at or below the head.
SELECT dcb_append(NULL, NULL, (SELECT jsonb_agg(jsonb_build_object('type', 'T', 'data', i, 'tags', jsonb_build_array('snap:' || i)))
                                 FROM generate_series(1, 10) i));

-- Nothing saved yet.
SELECT is_empty($$SELECT * FROM dcb_snapshot_load('p', '{"items": [{"types": ["T"]}]}')$$, 'no snapshot: no row');
SELECT is(dcb_snapshot_delete('p', '{"items": [{"types": ["T"]}]}'), false, 'deleting a missing snapshot returns false');

-- Round trip.
SELECT lives_ok($$SELECT dcb_snapshot_save('p', '{"items": [{"types": ["T"], "tags": ["snap:1"]}]}', 4, '{"count": 4}')$$, 'save');
SELECT results_eq($$SELECT seq, data, created_at FROM dcb_snapshot_load('p', '{"items": [{"types": ["T"], "tags": ["snap:1"]}]}')$$,
                  $$VALUES (4::bigint, '{"count": 4}'::jsonb, now())$$, 'load returns seq, data and the saving transaction''s time');
SELECT is((SELECT count(*) FROM dcb_snapshot_load('p', '{"items": [{"types": ["T"], "tags": ["snap:1"]}]}')), 1::bigint, 'exactly one row');

-- Filters with the same meaning name the same snapshot: a save under the first is loaded under
-- the second, and a save under the second replaces it (one stored row).
CREATE TEMP TABLE same_meaning (label text, a jsonb, b jsonb) ON COMMIT DROP;
INSERT INTO same_meaning VALUES
  ('item order', '{"items": [{"types": ["A"]}, {"tags": ["x"]}]}', '{"items": [{"tags": ["x"]}, {"types": ["A"]}]}'),
  ('type order', '{"items": [{"types": ["A", "B", "C"]}]}', '{"items": [{"types": ["C", "A", "B"]}]}'),
  ('duplicate types', '{"items": [{"types": ["A", "B"]}]}', '{"items": [{"types": ["B", "A", "B", "A"]}]}'),
  ('tag order', '{"items": [{"tags": ["x", "y", "z"]}]}', '{"items": [{"tags": ["z", "x", "y"]}]}'),
  ('duplicate tags', '{"items": [{"types": ["A"], "tags": ["x", "y"]}]}', '{"items": [{"types": ["A"], "tags": ["y", "x", "y"]}]}'),
  ('duplicate items', '{"items": [{"types": ["A"], "tags": ["x"]}]}', '{"items": [{"types": ["A"], "tags": ["x"]}, {"tags": ["x"], "types": ["A"]}]}'),
  ('key order in an item and the filter', '{"items": [{"types": ["A"], "tags": ["x"]}], "occurred_from": "2025-01-01T00:00:00Z"}',
                                          '{"occurred_from": "2025-01-01T00:00:00Z", "items": [{"tags": ["x"], "types": ["A"]}]}'),
  ('a timestamp written two ways', '{"items": [{"types": ["A"]}], "occurred_from": "2025-01-01T00:00:00Z"}',
                                   '{"items": [{"types": ["A"]}], "occurred_from": "2025-01-01 01:00:00.000+01:00"}'),
  ('an until bound written two ways', '{"occurred_until": "2025-06-30T23:59:59.5Z"}', '{"occurred_until": "2025-07-01T01:59:59.500+02:00"}'),
  ('payload keys in another order', '{"items": [{"payload": {"a": 1, "b": {"c": 2, "d": 3}}}]}', '{"items": [{"payload": {"b": {"d": 3, "c": 2}, "a": 1}}]}'),
  ('payload numbers written two ways', '{"items": [{"payload": {"n": 1.5, "m": 100}}]}', '{"items": [{"payload": {"n": 1.50, "m": 1e2}}]}'),
  ('payload arrays in another order, repeated', '{"items": [{"payload": {"a": [1, "x", {"k": true}]}}]}', '{"items": [{"payload": {"a": [{"k": true}, "x", 1, 1]}}]}'),
  ('NULL and {}', NULL, '{}'),
  ('everything at once', '{"items": [{"types": ["A", "B"], "tags": ["x"]}, {"payload": {"p": 1}}], "occurred_until": "2025-01-01T00:00:00Z"}',
                         '{"occurred_until": "2024-12-31T19:00:00-05:00", "items": [{"payload": {"p": 1.0}}, {"tags": ["x", "x"], "types": ["B", "A"]}, {"types": ["A", "B"], "tags": ["x"]}]}');

SELECT count(*) FROM (SELECT dcb_snapshot_save('same:' || label, a, 1, '"saved under a"') FROM same_meaning) s;
SELECT is((SELECT array_agg(label ORDER BY label) FROM same_meaning
            WHERE (SELECT data FROM dcb_snapshot_load('same:' || label, b)) IS DISTINCT FROM '"saved under a"'),
          NULL, 'filters with the same meaning: saved under one, loaded under the other (every pair)');
SELECT count(*) FROM (SELECT dcb_snapshot_save('same:' || label, b, 2, '"saved under b"') FROM same_meaning) s;
SELECT is((SELECT array_agg(label ORDER BY label) FROM same_meaning
            WHERE (SELECT data FROM dcb_snapshot_load('same:' || label, a)) IS DISTINCT FROM '"saved under b"'),
          NULL, 'and the other way round: a save under the second replaces the snapshot loaded under the first');
SELECT is((SELECT count(*) FROM dcb.snapshots WHERE projection LIKE 'same:%'), (SELECT count(*) FROM same_meaning),
          'one stored snapshot per pair of same-meaning filters');
SELECT is((SELECT count(*) FROM same_meaning), 14::bigint, 'all the same-meaning pairs were tried');

-- Filters that mean something else name another snapshot: saving under b leaves a's alone.
CREATE TEMP TABLE other_meaning (label text, a jsonb, b jsonb) ON COMMIT DROP;
INSERT INTO other_meaning VALUES
  ('another type', '{"items": [{"types": ["A"]}]}', '{"items": [{"types": ["B"]}]}'),
  ('one more type', '{"items": [{"types": ["A"]}]}', '{"items": [{"types": ["A", "B"]}]}'),
  ('one more tag', '{"items": [{"tags": ["x"]}]}', '{"items": [{"tags": ["x", "y"]}]}'),
  ('a type is not a tag', '{"items": [{"types": ["x"]}]}', '{"items": [{"tags": ["x"]}]}'),
  ('tags are case-sensitive', '{"items": [{"tags": ["x"]}]}', '{"items": [{"tags": ["X"]}]}'),
  ('and within one item is not or across items', '{"items": [{"types": ["A"], "tags": ["x"]}]}', '{"items": [{"types": ["A"]}, {"tags": ["x"]}]}'),
  ('one more item', '{"items": [{"types": ["A"]}]}', '{"items": [{"types": ["A"]}, {"tags": ["x"]}]}'),
  ('a comma inside a tag', '{"items": [{"tags": ["a,b"]}]}', '{"items": [{"tags": ["a", "b"]}]}'),
  ('quotes inside a type', '{"items": [{"types": ["a\",\"b"]}]}', '{"items": [{"types": ["a", "b"]}]}'),
  ('from is not until', '{"occurred_from": "2025-01-01T00:00:00Z"}', '{"occurred_until": "2025-01-01T00:00:00Z"}'),
  ('one microsecond apart', '{"occurred_from": "2025-01-01T00:00:00Z"}', '{"occurred_from": "2025-01-01T00:00:00.000001Z"}'),
  ('a time bound or none', '{"items": [{"types": ["A"]}]}', '{"items": [{"types": ["A"]}], "occurred_from": "2025-01-01T00:00:00Z"}'),
  ('all events or some', NULL, '{"items": [{"types": ["A"]}]}'),
  ('payload number or string', '{"items": [{"payload": {"a": 1}}]}', '{"items": [{"payload": {"a": "1"}}]}'),
  ('payload array or scalar', '{"items": [{"payload": {"a": [1]}}]}', '{"items": [{"payload": {"a": 1}}]}'),
  ('payload nested deeper', '{"items": [{"payload": {"a": {"b": 1}}}]}', '{"items": [{"payload": {"a": {"b": {"b": 1}}}}]}'),
  ('payload with the item''s types or without', '{"items": [{"payload": {"a": 1}}]}', '{"items": [{"payload": {"a": 1}, "types": ["A"]}]}'),
  ('payload number 1 or 1.01', '{"items": [{"payload": {"a": 1}}]}', '{"items": [{"payload": {"a": 1.01}}]}');

SELECT count(*) FROM (SELECT dcb_snapshot_save('other:' || label, a, 1, '"a"') FROM other_meaning) s;
SELECT count(*) FROM (SELECT dcb_snapshot_save('other:' || label, b, 2, '"b"') FROM other_meaning) s;
SELECT is((SELECT array_agg(label ORDER BY label) FROM other_meaning
            WHERE (SELECT data FROM dcb_snapshot_load('other:' || label, a)) IS DISTINCT FROM '"a"'
               OR (SELECT data FROM dcb_snapshot_load('other:' || label, b)) IS DISTINCT FROM '"b"'),
          NULL, 'filters that mean something else: two snapshots, each loaded under its own filter (every pair)');
SELECT is((SELECT count(*) FROM dcb.snapshots WHERE projection LIKE 'other:%'), 2 * (SELECT count(*) FROM other_meaning),
          'two stored snapshots per pair of different filters');
SELECT is((SELECT count(*) FROM other_meaning), 18::bigint, 'all the different pairs were tried');

-- The projection is part of the key.
SELECT dcb_snapshot_save('proj:1', '{"items": [{"types": ["A"]}]}', 1, '"one"');
SELECT dcb_snapshot_save('proj:2', '{"items": [{"types": ["A"]}]}', 1, '"two"');
SELECT is((SELECT data FROM dcb_snapshot_load('proj:1', '{"items": [{"types": ["A"]}]}')), '"one"'::jsonb, 'same filter, projection 1');
SELECT is((SELECT data FROM dcb_snapshot_load('proj:2', '{"items": [{"types": ["A"]}]}')), '"two"'::jsonb, 'same filter, projection 2');
SELECT is_empty($$SELECT * FROM dcb_snapshot_load('Proj:1', '{"items": [{"types": ["A"]}]}')$$, 'projection names are case-sensitive');

-- The stored filter is the canonical form, and the key its SHA-256.
SELECT is((SELECT filter FROM dcb.snapshots WHERE projection = 'same:everything at once'),
          '{"items": [{"payload": {"p": 1}}, {"tags": ["x"], "types": ["A", "B"]}], "occurred_until": "2025-01-01T00:00:00+00:00"}'::jsonb,
          'the canonical form: items sorted and unique, their lists sorted and unique, numbers normalized, bounds in UTC');
SELECT is((SELECT filter_key FROM dcb.snapshots WHERE projection = 'same:everything at once'),
          sha256(convert_to('{"items":[{"payload":{"p":1}},{"tags":["x"],"types":["A","B"]}],"occurred_until":"2025-01-01T00:00:00+00:00"}', 'UTF8')),
          'the key is the SHA-256 of the canonical text');
SELECT is((SELECT filter FROM dcb.snapshots WHERE projection = 'same:NULL and {}'), '{}'::jsonb, 'the NULL filter''s canonical form is {}');

-- A lower seq is ignored without an error; an equal or higher one replaces.
SELECT dcb_snapshot_save('seq', NULL, 5, '"five"');
SELECT lives_ok($$SELECT dcb_snapshot_save('seq', NULL, 4, '"four"')$$, 'a save with a lower seq is no error');
SELECT results_eq($$SELECT seq, data FROM dcb_snapshot_load('seq', NULL)$$, $$VALUES (5::bigint, '"five"'::jsonb)$$, '... and is ignored');
SELECT lives_ok($$SELECT dcb_snapshot_save('seq', '{}', 0, '"zero"')$$, 'a save at seq 0 below a stored one is no error');
SELECT results_eq($$SELECT seq, data FROM dcb_snapshot_load('seq', NULL)$$, $$VALUES (5::bigint, '"five"'::jsonb)$$, '... and is ignored');
SELECT dcb_snapshot_save('seq', NULL, 5, '"five again"');
SELECT results_eq($$SELECT seq, data FROM dcb_snapshot_load('seq', NULL)$$, $$VALUES (5::bigint, '"five again"'::jsonb)$$, 'an equal seq replaces');
SELECT dcb_snapshot_save('seq', NULL, 9, '"nine"');
SELECT results_eq($$SELECT seq, data FROM dcb_snapshot_load('seq', NULL)$$, $$VALUES (9::bigint, '"nine"'::jsonb)$$, 'a higher seq replaces');
SELECT is((SELECT count(*) FROM dcb.snapshots WHERE projection = 'seq'), 1::bigint, 'one row throughout');

-- seq is at most the head.
SELECT is(dcb_head(), 10::bigint, 'the head is 10');
SELECT lives_ok($$SELECT dcb_snapshot_save('head', NULL, 10, '"at the head"')$$, 'seq = head is accepted');
SELECT is(pg_temp.err($$SELECT dcb_snapshot_save('head', NULL, 11, '"above"')$$),
          '22023: seq must not be above the head DETAIL: seq is 11; the head of store "default" is 10.', 'seq above the head: 22023');
SELECT results_eq($$SELECT seq, data FROM dcb_snapshot_load('head', NULL)$$, $$VALUES (10::bigint, '"at the head"'::jsonb)$$,
                  'the rejected save wrote nothing');
SELECT dcb_append(NULL, NULL, '{"type": "T", "data": 11}');
SELECT lives_ok($$SELECT dcb_snapshot_save('head', NULL, 11, '"head moved"')$$, 'once the head moved, the same seq is accepted');
SELECT is(pg_temp.err($$SELECT dcb_snapshot_save('head', NULL, 9223372036854775807, '"max"')$$),
          '22023: seq must not be above the head DETAIL: seq is 9223372036854775807; the head of store "default" is 11.', 'the largest bigint is above the head');

-- Arguments.
SELECT is(pg_temp.err($$SELECT dcb_snapshot_save('args', NULL, -1, '{}')$$), '22023: seq must not be negative DETAIL: seq is -1.', 'negative seq: 22023');
SELECT is(pg_temp.err($$SELECT dcb_snapshot_save('args', NULL, NULL, '{}')$$), '22004: seq must not be null', 'NULL seq: 22004');
SELECT is(pg_temp.err($$SELECT dcb_snapshot_save('args', NULL, 1, NULL)$$), '22004: data must not be null', 'NULL data: 22004');
SELECT is(pg_temp.err($$SELECT dcb_snapshot_save(NULL, NULL, 1, '{}')$$), '22004: projection must not be null', 'NULL projection (save): 22004');
SELECT is(pg_temp.err($$SELECT * FROM dcb_snapshot_load(NULL, NULL)$$), '22004: projection must not be null', 'NULL projection (load): 22004');
SELECT is(pg_temp.err($$SELECT dcb_snapshot_delete(NULL, NULL)$$), '22004: projection must not be null', 'NULL projection (delete): 22004');
SELECT is(pg_temp.err($$SELECT dcb_snapshot_save('', NULL, 1, '{}')$$), '22023: projection must be a non-empty string', 'empty projection: 22023');
SELECT is(pg_temp.err($$SELECT * FROM dcb_snapshot_load('', NULL)$$), '22023: projection must be a non-empty string', 'empty projection (load): 22023');
SELECT is(pg_temp.err(format('SELECT dcb_snapshot_save(%L, NULL, 1, %L)', repeat('p', 256), '{}')), '22023: projection must be at most 255 bytes',
          'a projection of 256 bytes: 22023');
SELECT lives_ok(format('SELECT dcb_snapshot_save(%L, NULL, 1, %L)', repeat('p', 255), '{}'), 'a projection of 255 bytes is fine');
SELECT is((SELECT data FROM dcb_snapshot_load('args', NULL)), NULL, 'no rejected save wrote anything');
SELECT lives_ok($$SELECT dcb_snapshot_save('any data', NULL, 1, '[1, "two", null]')$$, 'data may be any JSON value');
SELECT is((SELECT data FROM dcb_snapshot_load('any data', NULL)), '[1, "two", null]'::jsonb, '... and comes back as given');

-- Bad filters are rejected exactly as dcb_read rejects them (22023 naming the JSON path), by all three.
CREATE TEMP TABLE bad_filters (f jsonb) ON COMMIT DROP;
INSERT INTO bad_filters VALUES ('[]'), ('"x"'), ('{"items": []}'), ('{"items": {}}'), ('{"items": [{}]}'), ('{"items": [1]}'),
  ('{"items": [{"typo": ["A"]}]}'), ('{"items": [{"types": []}]}'), ('{"items": [{"types": [""]}]}'), ('{"items": [{"types": [1]}]}'),
  ('{"items": [{"types": ["A"]}, {"tags": ["x", ""]}]}'), ('{"items": [{"payload": {}}]}'), ('{"items": [{"payload": [1]}]}'),
  ('{"occurred_from": "yesterday-ish"}'), ('{"occurred_until": 5}'), ('{"occurred_from": null}'), ('{"typo": 1}'),
  (jsonb_build_object('items', jsonb_build_array(jsonb_build_object('tags', jsonb_build_array(repeat('t', 256)))))),
  (jsonb_build_object('items', (SELECT jsonb_agg(jsonb_build_object('types', jsonb_build_array('A'))) FROM generate_series(1, 101))));
SELECT is(
    (SELECT array_agg(b.f::text) FILTER (WHERE pg_temp.err(format('SELECT dcb_snapshot_save(%L, %L, 1, %L)', 'bad', b.f, '{}'))
                                             IS DISTINCT FROM pg_temp.err(format('SELECT * FROM dcb_read(%L)', b.f)))
       FROM bad_filters b),
    NULL, 'dcb_snapshot_save rejects every bad filter with dcb_read''s error');
SELECT is(
    (SELECT array_agg(b.f::text) FILTER (WHERE pg_temp.err(format('SELECT * FROM dcb_snapshot_load(%L, %L)', 'bad', b.f))
                                             IS DISTINCT FROM pg_temp.err(format('SELECT * FROM dcb_read(%L)', b.f)))
       FROM bad_filters b),
    NULL, 'dcb_snapshot_load rejects every bad filter with dcb_read''s error');
SELECT is(
    (SELECT array_agg(b.f::text) FILTER (WHERE pg_temp.err(format('SELECT dcb_snapshot_delete(%L, %L)', 'bad', b.f))
                                             IS DISTINCT FROM pg_temp.err(format('SELECT * FROM dcb_read(%L)', b.f)))
       FROM bad_filters b),
    NULL, 'dcb_snapshot_delete rejects every bad filter with dcb_read''s error');
SELECT is(
    (SELECT array_agg(b.f::text) FILTER (WHERE pg_temp.err(format('SELECT * FROM dcb_read(%L)', b.f)) !~ '^(22023: filter|54000: filter)')
       FROM bad_filters b),
    NULL, 'each of them is a 22023 (or, past a limit, 54000) naming the filter''s JSON path');
SELECT is(pg_temp.err($$SELECT dcb_snapshot_save('bad', '{"items": [{"types": ["A"]}, {"tags": ["x", ""]}]}', 1, '{}')$$),
          '22023: filter.items[1].tags[1] must be a non-empty string', 'for example: the path of an empty tag in the second item');
SELECT is(pg_temp.err($$SELECT dcb_snapshot_save('bad', '{"items": [{"typo": ["A"]}]}', 1, '{}')$$),
          '22023: filter.items[0].typo is not a valid filter item key', 'for example: the path of an unknown item key');
SELECT is((SELECT count(*) FROM dcb.snapshots WHERE projection = 'bad'), 0::bigint, 'no bad filter saved anything');

-- Delete: by any filter with the same meaning; true once, then false.
SELECT dcb_snapshot_save('del', '{"items": [{"types": ["A", "B"], "tags": ["x"]}]}', 3, '"d"');
SELECT is(dcb_snapshot_delete('del', '{"items": [{"types": ["A"]}]}'), false, 'deleting under another filter finds nothing');
SELECT is(dcb_snapshot_delete('other', '{"items": [{"types": ["A", "B"], "tags": ["x"]}]}'), false, 'deleting under another projection finds nothing');
SELECT is((SELECT data FROM dcb_snapshot_load('del', '{"items": [{"types": ["A", "B"], "tags": ["x"]}]}')), '"d"'::jsonb, '... and leaves it');
SELECT is(dcb_snapshot_delete('del', '{"items": [{"tags": ["x", "x"], "types": ["B", "A"]}]}'), true, 'deleting under a same-meaning filter returns true');
SELECT is_empty($$SELECT * FROM dcb_snapshot_load('del', '{"items": [{"types": ["A", "B"], "tags": ["x"]}]}')$$, 'the snapshot is gone');
SELECT is(dcb_snapshot_delete('del', '{"items": [{"types": ["A", "B"], "tags": ["x"]}]}'), false, 'a second delete returns false');
SELECT lives_ok($$SELECT dcb_snapshot_save('del', '{"items": [{"types": ["A", "B"], "tags": ["x"]}]}', 1, '"again"')$$,
                'after a delete, a save with a lower seq than the deleted one is stored');
SELECT is((SELECT data FROM dcb_snapshot_load('del', '{"items": [{"types": ["A", "B"], "tags": ["x"]}]}')), '"again"'::jsonb, '... and loaded');

-- In the caller's transaction: a rolled-back save or delete leaves nothing behind.
SAVEPOINT s;
SELECT dcb_snapshot_save('tx', NULL, 2, '"rolled back"');
ROLLBACK TO SAVEPOINT s;
SELECT is_empty($$SELECT * FROM dcb_snapshot_load('tx', NULL)$$, 'a rolled-back save stored nothing');
SELECT dcb_snapshot_save('tx', NULL, 2, '"kept"');
SAVEPOINT s;
SELECT dcb_snapshot_delete('tx', NULL);
ROLLBACK TO SAVEPOINT s;
SELECT is((SELECT data FROM dcb_snapshot_load('tx', NULL)), '"kept"'::jsonb, 'a rolled-back delete deleted nothing');

-- Stores: each has its own snapshots and its own head.
SELECT dcb_create_store('snapother');
SELECT ok(EXISTS (SELECT FROM pg_tables WHERE schemaname = 'dcb_snapother' AND tablename = 'snapshots'), 'a new store has its snapshots table');
SELECT is(pg_temp.err($$SELECT dcb_snapshot_save('st', NULL, 1, '"other"', 'snapother')$$),
          '22023: seq must not be above the head DETAIL: seq is 1; the head of store "snapother" is 0.',
          'the seq is checked against the named store''s head (0), not the default store''s');
SELECT lives_ok($$SELECT dcb_snapshot_save('st', NULL, 0, '"other at 0"', 'snapother')$$, 'a named store takes seq 0 when empty');
SELECT dcb_append(NULL, NULL, '[{"type": "T", "data": 1}, {"type": "T", "data": 2}]', 'snapother');
SELECT dcb_snapshot_save('st', NULL, 2, '"other"', 'snapother');
SELECT dcb_snapshot_save('st', NULL, 5, '"default"');
SELECT is((SELECT data FROM dcb_snapshot_load('st', NULL, 'snapother')), '"other"'::jsonb, 'the named store''s snapshot');
SELECT is((SELECT data FROM dcb_snapshot_load('st', NULL)), '"default"'::jsonb, 'the default store''s snapshot (same projection and filter)');
SELECT is((SELECT data FROM dcb_snapshot_load('st', NULL, 'default')), '"default"'::jsonb, 'store => ''default'' is the default store');
SELECT dcb_snapshot_save('st', NULL, 1, '"lower in default"');
SELECT is((SELECT seq FROM dcb_snapshot_load('st', NULL, 'snapother')), 2::bigint, 'a save in one store does not compare with the other');
SELECT is(dcb_snapshot_delete('st', NULL, 'snapother'), true, 'delete in the named store');
SELECT is((SELECT data FROM dcb_snapshot_load('st', NULL)), '"default"'::jsonb, '... leaves the default store''s snapshot');
SELECT is_empty($$SELECT * FROM dcb_snapshot_load('st', NULL, 'snapother')$$, '... and removes the named store''s');
SELECT is((SELECT count(*) FROM dcb_snapother.snapshots), 0::bigint, 'the named store''s snapshots live in its schema');
SELECT is(pg_temp.err($$SELECT * FROM dcb_snapshot_load('st', NULL, 'nosuchstore')$$), '42704: dcb store "nosuchstore" does not exist',
          'an unknown store: 42704');
SELECT is(pg_temp.err($$SELECT dcb_snapshot_save('st', NULL, 0, '{}', 'Bad Name')$$),
          '22023: store name "Bad Name" is not valid DETAIL: A store name is 1 to 58 lower-case letters, digits and underscores, starting with a letter.',
          'an invalid store name: 22023');
SELECT dcb_drop_store('snapother', drop_events => true);
SELECT is(pg_temp.err($$SELECT * FROM dcb_snapshot_load('st', NULL, 'snapother')$$), '42704: dcb store "snapother" does not exist',
          'a dropped store''s snapshots are gone with it');

-- A read-only transaction cannot save or delete, but can load.
SET LOCAL transaction_read_only = on;
SELECT is(pg_temp.err($$SELECT dcb_snapshot_save('ro', NULL, 1, '{}')$$), '25006: cannot execute dcb_snapshot_save() in a read-only transaction', 'save in a read-only transaction: 25006');
SELECT is(pg_temp.err($$SELECT dcb_snapshot_delete('tx', NULL)$$), '25006: cannot execute dcb_snapshot_delete() in a read-only transaction', 'delete in a read-only transaction: 25006');
SELECT is((SELECT data FROM dcb_snapshot_load('tx', NULL)), '"kept"'::jsonb, 'load in a read-only transaction');

SELECT * FROM finish();
ROLLBACK;
