-- pgTAP: bad input (README, "The SQL API", "Errors"): every malformed event or filter
-- is SQLSTATE 22023 with a message naming the JSON path, events = NULL is 22004, and nothing is
-- written by a rejected call. Paths index arrays from 0, as in the contract's example
-- "filter.items[1].tags[0] must be a non-empty string".
\ir lib/begin.sql
-- The error of an unconditional append of events / of a read and a conditional append with filter.
CREATE FUNCTION pg_temp.ev(events jsonb) RETURNS text LANGUAGE sql
AS $$ SELECT pg_temp.err(format('SELECT dcb_append(NULL, NULL, %L::jsonb)', events)) $$;
CREATE FUNCTION pg_temp.rd(filter jsonb) RETURNS text LANGUAGE sql
AS $$ SELECT pg_temp.err(format('SELECT * FROM dcb_read(%L::jsonb)', filter)) $$;
CREATE FUNCTION pg_temp.ap(filter jsonb) RETURNS text LANGUAGE sql
AS $$ SELECT pg_temp.err(format('SELECT dcb_append(%L::jsonb, 0, %L::jsonb)', filter, '{"type": "Ok", "tags": ["v:1"], "data": {}}')) $$;

SELECT plan(79);

-- events: NULL, shape of the argument.
SELECT matches(pg_temp.err('SELECT dcb_append(NULL, NULL, NULL)'), '^22004: .*events', 'events NULL is 22004 naming events');
SELECT matches(pg_temp.err('SELECT dcb_append(''{}'', 0, NULL)'), '^22004: ', 'events NULL with a condition is 22004');
SELECT matches(pg_temp.ev('[]'), '^22023: .*events', 'an empty events array is 22023');
SELECT matches(pg_temp.ev('5'), '^22023: .*events', 'events as a number is 22023');
SELECT matches(pg_temp.ev('"x"'), '^22023: .*events', 'events as a string is 22023');
SELECT matches(pg_temp.ev('null'), '^22023: .*events', 'events as JSON null is 22023');
SELECT matches(pg_temp.ev('[5]'), '^22023: .*events\[0\]', 'a non-object event is 22023 naming events[0]');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}}, []]'), '^22023: .*events\[1\]', 'a non-object second event names events[1]');

-- type.
SELECT matches(pg_temp.ev('[{"data": {}}]'), '^22023: .*events\[0\]\.type', 'a missing type names events[0].type');
SELECT matches(pg_temp.ev('[{"type": "", "data": {}}]'), '^22023: .*events\[0\]\.type', 'an empty type names events[0].type');
SELECT matches(pg_temp.ev('[{"type": 5, "data": {}}]'), '^22023: .*events\[0\]\.type', 'a numeric type names events[0].type');
SELECT matches(pg_temp.ev('[{"type": null, "data": {}}]'), '^22023: .*events\[0\]\.type', 'a null type names events[0].type');
SELECT matches(pg_temp.ev('[{"type": ["A"], "data": {}}]'), '^22023: .*events\[0\]\.type', 'an array type names events[0].type');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}}, {"type": "A", "data": {}}, {"type": "A", "data": {}}, {"type": "", "data": {}}]'),
               '^22023: .*events\[3\]\.type', 'the fourth event is events[3] (the contract''s example)');
SELECT matches(pg_temp.ev(jsonb_build_object('type', repeat('t', 256), 'data', '{}'::jsonb)), '^22023: .*events\.?(\[0\])?\.?type',
               'a 256-byte type is 22023 (single-object form)');
SELECT is(pg_temp.ev(jsonb_build_array(jsonb_build_object('type', repeat('t', 255), 'data', '{}'::jsonb))), 'no error', 'a 255-byte type is accepted');
SELECT matches(pg_temp.ev(jsonb_build_array(jsonb_build_object('type', repeat('é', 128), 'data', '{}'::jsonb))), '^22023: .*events\[0\]\.type',
               'the limit is in bytes: 128 two-byte characters (256 bytes) are too long');
SELECT is(pg_temp.ev(jsonb_build_array(jsonb_build_object('type', repeat('é', 127), 'data', '{}'::jsonb))), 'no error',
          '127 two-byte characters (254 bytes) are accepted');

-- data, metadata, occurred_at, id, unknown keys.
SELECT matches(pg_temp.ev('[{"type": "A"}]'), '^22023: .*events\[0\]\.data', 'a missing data names events[0].data');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "metadata": []}]'), '^22023: .*events\[0\]\.metadata', 'metadata must be an object (array)');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "metadata": "m"}]'), '^22023: .*events\[0\]\.metadata', 'metadata must be an object (string)');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "occurred_at": 5}]'), '^22023: .*events\[0\]\.occurred_at', 'a numeric occurred_at');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "occurred_at": "not a date"}]'), '^22023: .*events\[0\]\.occurred_at', 'an unparsable occurred_at');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "occurred_at": "2025-02-30T00:00:00Z"}]'), '^22023: .*events\[0\]\.occurred_at', 'an impossible date');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "occurred_at": "2025-01-01T00:00:00 Mars/Olympus"}]'), '^22023: .*events\[0\]\.occurred_at',
               'an unknown time zone in occurred_at names the path');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "occurred_at": "yesterday noon-ish"}]'), '^22023: .*events\[0\]\.occurred_at',
               'a word the date parser takes for a time zone names the path');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "id": "nope"}]'), '^22023: .*events\[0\]\.id', 'an id that is not a uuid');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "id": 5}]'), '^22023: .*events\[0\]\.id', 'a numeric id');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "id": "11111111-1111-1111-1111-11111111111"}]'), '^22023: .*events\[0\]\.id', 'a uuid one digit short');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "id": "11111111-1111-1111-1111-1111111111111"}]'), '^22023: .*events\[0\]\.id', 'a uuid one digit long');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "id": "11111111--1111-1111-1111-111111111111"}]'), '^22023: .*events\[0\]\.id', 'a uuid with two hyphens in a row');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "id": "g1111111-1111-1111-1111-111111111111"}]'), '^22023: .*events\[0\]\.id', 'a uuid with a non-hex digit');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "id": ""}]'), '^22023: .*events\[0\]\.id', 'an empty id');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "foo": 1}]'), '^22023: .*events\[0\].*foo', 'an unknown key is 22023 naming it');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "Type": "B"}]'), '^22023: .*events\[0\].*Type', 'keys are case-sensitive');

-- tags.
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "tags": "x"}]'), '^22023: .*events\[0\]\.tags', 'tags as a string');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "tags": {"x": 1}}]'), '^22023: .*events\[0\]\.tags', 'tags as an object');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "tags": [1]}]'), '^22023: .*events\[0\]\.tags\[0\]', 'a numeric tag names events[0].tags[0]');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "tags": ["ok", ""]}]'), '^22023: .*events\[0\]\.tags\[1\] must be a non-empty string',
               'an empty tag: "events[0].tags[1] must be a non-empty string"');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}, "tags": [null]}]'), '^22023: .*events\[0\]\.tags\[0\]', 'a null tag');
SELECT matches(pg_temp.ev(jsonb_build_array(jsonb_build_object('type', 'A', 'data', '{}'::jsonb, 'tags', jsonb_build_array('ok', repeat('g', 256))))),
               '^22023: .*events\[0\]\.tags\[1\]', 'a 256-byte tag names events[0].tags[1]');
SELECT is(pg_temp.ev(jsonb_build_array(jsonb_build_object('type', 'A', 'data', '{}'::jsonb, 'tags', jsonb_build_array(repeat('g', 255))))),
          'no error', 'a 255-byte tag is accepted');
SELECT matches(pg_temp.ev('[{"type": "A", "data": {}}, {"type": "A", "data": {}, "tags": ["a", "b", ""]}]'), '^22023: .*events\[1\]\.tags\[2\]',
               'a bad tag of the second event names events[1].tags[2]');

SELECT is(pg_temp.n(), 3::bigint, 'only the three accepted appends wrote events');

-- Filters (dcb_read).
SELECT matches(pg_temp.rd('[]'), '^22023: .*filter', 'a filter that is an array');
SELECT matches(pg_temp.rd('"x"'), '^22023: .*filter', 'a filter that is a string');
SELECT matches(pg_temp.rd('{"foo": 1}'), '^22023: .*filter.*foo', 'an unknown filter key names it');
SELECT matches(pg_temp.rd('{"items": []}'), '^22023: .*filter\.items', '"items": [] is an error');
SELECT matches(pg_temp.rd('{"items": {}}'), '^22023: .*filter\.items', 'items as an object');
SELECT matches(pg_temp.rd('{"items": null}'), '^22023: .*filter\.items', 'items as JSON null');
SELECT matches(pg_temp.rd('{"items": [5]}'), '^22023: .*filter\.items\[0\]', 'a non-object item names filter.items[0]');
SELECT matches(pg_temp.rd('{"items": [{}]}'), '^22023: .*filter\.items\[0\]', 'an empty item');
SELECT matches(pg_temp.rd('{"items": [{"types": ["A"]}, {}]}'), '^22023: .*filter\.items\[1\]', 'an empty second item names filter.items[1]');
SELECT matches(pg_temp.rd('{"items": [{"types": []}]}'), '^22023: .*filter\.items\[0\]', 'an item whose only part is an empty types list');
SELECT matches(pg_temp.rd('{"items": [{"tags": []}]}'), '^22023: .*filter\.items\[0\]', 'an item whose only part is an empty tags list');
SELECT matches(pg_temp.rd('{"items": [{"types": [], "tags": []}]}'), '^22023: .*filter\.items\[0\] must have at least one', 'an item whose parts are all empty lists');
SELECT matches(pg_temp.rd('{"items": [{"payload": {}}]}'), '^22023: .*filter\.items\[0\]', 'an item whose only part is an empty payload');
SELECT matches(pg_temp.rd('{"items": [{"types": "A"}]}'), '^22023: .*filter\.items\[0\]\.types', 'types as a string');
SELECT matches(pg_temp.rd('{"items": [{"types": [""]}]}'), '^22023: .*filter\.items\[0\]\.types\[0\]', 'an empty type');
SELECT matches(pg_temp.rd('{"items": [{"types": ["A", 7]}]}'), '^22023: .*filter\.items\[0\]\.types\[1\]', 'a numeric type names types[1]');
SELECT matches(pg_temp.rd('{"items": [{"tags": "x"}]}'), '^22023: .*filter\.items\[0\]\.tags', 'tags as a string');
SELECT matches(pg_temp.rd('{"items": [{"types": ["A"]}, {"tags": [5]}]}'), '^22023: (dcb: )?filter\.items\[1\]\.tags\[0\] must be a non-empty string( DETAIL: .*)?$',
               'the contract''s own example message, exactly');
SELECT matches(pg_temp.rd('{"items": [{"types": ["A"]}, {"tags": ["ok", ""]}]}'), '^22023: .*filter\.items\[1\]\.tags\[1\]', 'an empty tag names tags[1]');
SELECT matches(pg_temp.rd('{"items": [{"types": ["A"], "foo": 1}]}'), '^22023: .*filter\.items\[0\].*foo', 'an unknown item key names it');
SELECT matches(pg_temp.rd(jsonb_build_object('items', jsonb_build_array(jsonb_build_object('types', jsonb_build_array(repeat('t', 256)))))),
               '^22023: .*filter\.items\[0\]\.types\[0\]', 'a 256-byte type in a filter');
SELECT matches(pg_temp.rd(jsonb_build_object('items', jsonb_build_array(jsonb_build_object('tags', jsonb_build_array(repeat('g', 256)))))),
               '^22023: .*filter\.items\[0\]\.tags\[0\]', 'a 256-byte tag in a filter');
SELECT matches(pg_temp.rd('{"occurred_from": 5}'), '^22023: .*filter\.occurred_from', 'a numeric occurred_from');
SELECT matches(pg_temp.rd('{"occurred_from": "garbage"}'), '^22023: .*filter\.occurred_from', 'an unparsable occurred_from');
SELECT matches(pg_temp.rd('{"occurred_from": "2025-01-01 12:00 Mars/Olympus"}'), '^22023: .*filter\.occurred_from',
               'an unknown time zone in occurred_from names the path');
SELECT matches(pg_temp.rd('{"items": [{"types": ["A"]}], "occurred_until": "2025-13-45T00:00:00Z"}'), '^22023: .*filter\.occurred_until',
               'an invalid occurred_until');
SELECT is(pg_temp.rd('{"items": [{"types": ["A"], "tags": ["x"], "payload": {"a": 1}}], "occurred_from": "2025-01-01T00:00:00Z", "occurred_until": "2026-01-01T00:00:00Z"}'),
          'no error', 'a filter using every key is accepted');

-- The same rules apply to the filter of dcb_append; nothing is written.
SELECT matches(pg_temp.ap('{"items": []}'), '^22023: .*filter\.items', 'dcb_append: "items": [] is an error');
SELECT matches(pg_temp.ap('{"items": [{"types": ["A"]}, {"tags": [""]}]}'), '^22023: .*filter\.items\[1\]\.tags\[0\]', 'dcb_append: a bad filter tag');
SELECT matches(pg_temp.ap('{"items": [{"types": ["A"]}], "extra": true}'), '^22023: .*filter.*extra', 'dcb_append: an unknown filter key');
SELECT matches(pg_temp.ap('[]'), '^22023: .*filter', 'dcb_append: a filter that is an array');
SELECT matches(pg_temp.ap('null'), '^22023: .*filter', 'dcb_append: a JSON null filter is a wrong type, not "no condition" (that is SQL NULL)');
SELECT matches(pg_temp.rd('null'), '^22023: .*filter', 'dcb_read: a JSON null filter is a wrong type');
SELECT is(pg_temp.n(), 3::bigint, 'no append with a bad filter wrote anything');
SELECT is(pg_temp.ap('{"items": [{"types": ["Ok"], "tags": ["v:1"]}]}'), 'no error', 'a valid conditional append still works');

SELECT * FROM finish();
ROLLBACK;
