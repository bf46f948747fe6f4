-- pgTAP: filter semantics (README, "Filters"): types OR, tags AND, items OR, payload containment,
-- inclusive occurred_from / occurred_until, NULL and {} match everything.
\ir lib/begin.sql

-- Helpers: ev maps a label to the seq its append returned; labels() reads and prints labels in the
-- order dcb_read returned them ('#<seq>' for an event no label knows).
CREATE TEMP TABLE ev (label text PRIMARY KEY, seq bigint NOT NULL UNIQUE) ON COMMIT DROP;
CREATE FUNCTION pg_temp.put(text, jsonb) RETURNS bigint LANGUAGE sql
AS $$ INSERT INTO ev VALUES ($1, dcb_append(NULL, NULL, $2)) RETURNING seq $$;
CREATE FUNCTION pg_temp.labels(jsonb, bigint DEFAULT 0, integer DEFAULT NULL, boolean DEFAULT false) RETURNS text LANGUAGE sql
AS $$ SELECT coalesce(string_agg(coalesce(e.label, '#' || r.seq), ',' ORDER BY r.ordinality), '')
        FROM dcb_read($1, $2, $3, $4) WITH ORDINALITY AS r LEFT JOIN ev e ON e.seq = r.seq $$;

DO $$BEGIN
    PERFORM pg_temp.put('e1', '{"type": "A", "tags": ["x:1", "y:1"], "data": {"n": 1, "k": "a"}, "occurred_at": "2025-01-01T00:00:00Z"}');
    PERFORM pg_temp.put('e2', '{"type": "B", "tags": ["x:1"], "data": {"n": 2}, "occurred_at": "2025-06-01T12:00:00Z"}');
    PERFORM pg_temp.put('e3', '{"type": "A", "tags": ["x:2", "y:1"], "data": {"n": 3, "k": "b", "nested": {"z": 1, "w": [1, 2]}}, "occurred_at": "2025-12-31T23:59:59Z"}');
    PERFORM pg_temp.put('e4', '{"type": "C", "tags": [], "data": {"n": 4, "k": "a"}, "occurred_at": "2026-01-01T00:00:00Z"}');
    PERFORM pg_temp.put('e5', '{"type": "B", "tags": ["z:1", "x:1", "y:1"], "data": [1, 2, 3], "occurred_at": "2025-06-01T12:00:00Z"}');
    PERFORM pg_temp.put('e6', '{"type": "A", "tags": ["x:10"], "data": {"n": 6}}');
    PERFORM pg_temp.put('e7', '{"type": "a", "tags": ["X:1"], "data": {"n": 7}}');
    PERFORM pg_temp.put('e8', '{"type": "Ab", "tags": ["x:1 "], "data": {"n": 8, "k": "a", "extra": true}}');
END$$;
-- Opaque strings: wildcard-looking, quotes, backslashes, separators, non-ASCII, composed and
-- decomposed forms of the same letter (different bytes), a tag equal to a type name.
DO $$BEGIN
    PERFORM pg_temp.put('s1', '{"type": "*", "tags": ["*"], "data": {"n": 101}}');
    PERFORM pg_temp.put('s2', '{"type": "q\"t", "tags": ["a\\b", "c,d", "{e}", "k:v:w"], "data": {"n": 102}}');
    PERFORM pg_temp.put('s3', '{"type": "Ünïcødé 🎉", "tags": ["caf\u00e9"], "data": {"n": 103}}');
    PERFORM pg_temp.put('s4', '{"type": "S", "tags": ["cafe\u0301", "A"], "data": {"n": 104}}');
END$$;

SELECT plan(58);

-- Match everything.
SELECT is(pg_temp.labels(NULL), 'e1,e2,e3,e4,e5,e6,e7,e8,s1,s2,s3,s4', 'NULL filter matches every event, in seq order');
SELECT is(pg_temp.labels('{}'), 'e1,e2,e3,e4,e5,e6,e7,e8,s1,s2,s3,s4', '{} matches every event');
SELECT is((SELECT string_agg(e.label, ',' ORDER BY r.seq) FROM dcb_read() r JOIN ev e USING (seq)),
          'e1,e2,e3,e4,e5,e6,e7,e8,s1,s2,s3,s4', 'dcb_read() with no arguments returns every event');

-- types: OR, exact and case-sensitive.
SELECT is(pg_temp.labels('{"items": [{"types": ["A"]}]}'), 'e1,e3,e6', 'types [A]: exact type only (not a, not Ab)');
SELECT is(pg_temp.labels('{"items": [{"types": ["A", "B"]}]}'), 'e1,e2,e3,e5,e6', 'types [A, B] is A OR B');
SELECT is(pg_temp.labels('{"items": [{"types": ["B", "A"]}]}'), 'e1,e2,e3,e5,e6', 'order of types does not matter');
SELECT is(pg_temp.labels('{"items": [{"types": ["a"]}]}'), 'e7', 'types are case-sensitive');
SELECT is(pg_temp.labels('{"items": [{"types": ["Z"]}]}'), '', 'an unknown type matches nothing');
SELECT is(pg_temp.labels('{"items": [{"types": ["A", "A"]}]}'), 'e1,e3,e6', 'a repeated type does not repeat rows');

-- tags: AND, opaque strings (no prefix, case or whitespace folding).
SELECT is(pg_temp.labels('{"items": [{"tags": ["x:1"]}]}'), 'e1,e2,e5', 'tags [x:1]: not x:10, X:1 or "x:1 "');
SELECT is(pg_temp.labels('{"items": [{"tags": ["x:1", "y:1"]}]}'), 'e1,e5', 'tags [x:1, y:1] is x:1 AND y:1');

-- A filter that would need more index probes than a read keeps open (64) is answered by one scan
-- of the positions instead: the same events.
SELECT is(pg_temp.labels(jsonb_build_object('items',
              (SELECT jsonb_agg(jsonb_build_object('types', jsonb_build_array('T' || i, 'U' || i))) FROM generate_series(1, 40) i)
              || '[{"types": ["A"]}, {"tags": ["x:1"]}]'::jsonb)),
          'e1,e2,e3,e5,e6', 'a filter of 82 probes returns what its two matching items do');

-- An empty list of types or tags means "any", as other DCB clients send it.
SELECT is(pg_temp.labels('{"items": [{"types": [], "tags": ["x:1"]}]}'), 'e1,e2,e5', 'types [] with tags: any type');
SELECT is(pg_temp.labels('{"items": [{"types": ["A"], "tags": []}]}'), 'e1,e3,e6', 'tags [] with types: any tags');
SELECT is(pg_temp.labels('{"items": [{"types": [], "tags": [], "payload": {"k": "a"}}]}'), 'e1,e4,e8', 'empty lists with a payload');
SELECT matches(pg_temp.err($$SELECT dcb_append('{"items": [{"types": [], "tags": ["x:1"]}]}', 0, '{"type": "A", "data": {}}')$$),
               '^40001', 'a condition with types [] sees every type of its tag');
SELECT is(pg_temp.labels('{"items": [{"tags": ["y:1", "x:1"]}]}'), 'e1,e5', 'order of tags does not matter');
SELECT is(pg_temp.labels('{"items": [{"tags": ["x:1", "y:1", "z:1"]}]}'), 'e5', 'three tags AND-ed');
SELECT is(pg_temp.labels('{"items": [{"tags": ["x:1", "nope"]}]}'), '', 'one missing tag excludes the event');
SELECT is(pg_temp.labels('{"items": [{"tags": ["X:1"]}]}'), 'e7', 'tags are case-sensitive');
SELECT is(pg_temp.labels('{"items": [{"tags": ["x:1 "]}]}'), 'e8', 'trailing whitespace is part of the tag');
SELECT is(pg_temp.labels('{"items": [{"tags": ["y:1", "y:1"]}]}'), 'e1,e3,e5', 'a repeated tag does not repeat rows');

-- types and tags in one item: both must hold.
SELECT is(pg_temp.labels('{"items": [{"types": ["A"], "tags": ["y:1"]}]}'), 'e1,e3', 'types [A] AND tags [y:1]');
SELECT is(pg_temp.labels('{"items": [{"types": ["A", "B"], "tags": ["x:1"]}]}'), 'e1,e2,e5', '(A OR B) AND x:1');
SELECT is(pg_temp.labels('{"items": [{"types": ["B"], "tags": ["x:1", "y:1"]}]}'), 'e5', 'B AND x:1 AND y:1');
SELECT is(pg_temp.labels('{"items": [{"types": ["C"], "tags": ["x:1"]}]}'), '', 'matching type on another tag does not match');

-- items: OR, each event once, seq order kept.
SELECT is(pg_temp.labels('{"items": [{"types": ["C"]}, {"tags": ["x:2"]}]}'), 'e3,e4', 'items are OR-ed, result in seq order');
SELECT is(pg_temp.labels('{"items": [{"types": ["A"]}, {"tags": ["y:1"]}]}'), 'e1,e3,e5,e6', 'an event matching two items is returned once');
SELECT is(pg_temp.labels('{"items": [{"tags": ["z:1"]}, {"types": ["B"], "tags": ["x:1"]}, {"types": ["a"]}]}'), 'e2,e5,e7',
          'three items, overlapping');

-- payload: jsonb containment on data.
SELECT is(pg_temp.labels('{"items": [{"payload": {"k": "a"}}]}'), 'e1,e4,e8', 'payload {"k": "a"} is data @> payload');
SELECT is(pg_temp.labels('{"items": [{"payload": {"k": "a", "n": 1}}]}'), 'e1', 'every payload key must be contained');
SELECT is(pg_temp.labels('{"items": [{"payload": {"k": "b", "n": 1}}]}'), '', 'no event contains both');
SELECT is(pg_temp.labels('{"items": [{"payload": {"nested": {"z": 1}}}]}'), 'e3', 'nested containment');
SELECT is(pg_temp.labels('{"items": [{"payload": {"nested": {"w": [2]}}}]}'), 'e3', 'array containment inside data');
SELECT is(pg_temp.labels('{"items": [{"payload": {"n": "1"}}]}'), '', 'containment compares JSON types (string "1" is not 1)');
SELECT is(pg_temp.labels('{"items": [{"payload": {"n": 1.0}}]}'), 'e1', 'numbers compare by value, as in jsonb (1.0 is 1)');
SELECT is(pg_temp.labels('{"items": [{"payload": {"nested": {"w": [2, 1]}}}]}'), 'e3', 'array containment ignores order, as in jsonb');
SELECT is(pg_temp.labels('{"items": [{"types": ["C"], "payload": {"k": "a"}}]}'), 'e4', 'types AND payload');
SELECT is(pg_temp.labels('{"items": [{"tags": ["y:1"], "payload": {"k": "b"}}]}'), 'e3', 'tags AND payload');
SELECT is(pg_temp.labels('{"items": [{"payload": {"k": "a"}}, {"tags": ["z:1"]}]}'), 'e1,e4,e5,e8', 'payload item OR tag item');

-- occurred_from / occurred_until: inclusive bounds, with or without items.
SELECT is(pg_temp.labels('{"occurred_from": "2025-06-01T12:00:00Z"}'), 'e2,e3,e4,e5,e6,e7,e8,s1,s2,s3,s4',
          'occurred_from alone: inclusive lower bound over every event (defaults are the transaction time)');
SELECT is(pg_temp.labels('{"occurred_until": "2025-06-01T12:00:00Z"}'), 'e1,e2,e5', 'occurred_until alone: inclusive upper bound');
SELECT is(pg_temp.labels('{"occurred_from": "2025-06-01T12:00:00Z", "occurred_until": "2025-06-01T12:00:00Z"}'), 'e2,e5',
          'from = until selects exactly that instant');
SELECT is(pg_temp.labels('{"occurred_from": "2025-06-01T14:00:00+02:00", "occurred_until": "2025-06-01T08:00:00-04:00"}'), 'e2,e5',
          'bounds are timestamps with time zones');
SELECT is(pg_temp.labels('{"items": [{"types": ["A"]}], "occurred_from": "2025-01-01T00:00:00Z", "occurred_until": "2025-12-31T23:59:59Z"}'),
          'e1,e3', 'bounds with items: both ends inclusive');
SELECT is(pg_temp.labels('{"items": [{"types": ["A"]}], "occurred_from": "2025-01-01T00:00:00.000001Z", "occurred_until": "2025-12-31T23:59:58.999999Z"}'),
          '', 'one microsecond inside each bound excludes both ends');
SELECT is(pg_temp.labels('{"items": [{"tags": ["x:1"]}, {"types": ["C"]}], "occurred_until": "2025-12-31T23:59:59Z"}'),
          'e1,e2,e5', 'bounds apply to every item');

-- Opaque strings.
SELECT is(pg_temp.labels('{"items": [{"types": ["*"]}]}'), 's1', 'a type "*" is a type like any other, not a wildcard');
SELECT is(pg_temp.labels('{"items": [{"tags": ["*"]}]}'), 's1', 'a tag "*" is a tag like any other, not a wildcard');
SELECT is(pg_temp.labels('{"items": [{"types": ["*"], "tags": ["*"]}]}'), 's1', 'type "*" and tag "*"');
SELECT is(pg_temp.labels('{"items": [{"types": ["q\"t"], "tags": ["a\\b", "c,d", "{e}", "k:v:w"]}]}'), 's2', 'quotes, backslashes, commas and braces');
SELECT is((SELECT array(SELECT t FROM unnest(tags) t ORDER BY t COLLATE "C") FROM dcb_read('{"items": [{"types": ["q\"t"]}]}')),
          ARRAY['a\b', 'c,d', 'k:v:w', '{e}'], 'such tags are stored as given');
SELECT is(pg_temp.labels('{"items": [{"tags": ["k:v"]}]}'), '', 'a tag is not matched by its prefix');
SELECT is(pg_temp.labels('{"items": [{"types": ["Ünïcødé 🎉"]}]}'), 's3', 'a non-ASCII type');
SELECT is(pg_temp.labels('{"items": [{"tags": ["café"]}]}'), 's3', 'the composed é matches only itself');
SELECT is(pg_temp.labels('{"items": [{"tags": ["cafe\u0301"]}]}'), 's4', 'the decomposed e + U+0301 matches only itself');
SELECT is(pg_temp.labels('{"items": [{"tags": ["A"]}]}'), 's4', 'a tag spelled like a type matches the tag, not the type');
SELECT is(pg_temp.labels('{"items": [{"types": ["S"], "tags": ["A"]}, {"types": ["A"], "tags": ["x:2"]}]}'), 'e3,s4', 'types and tags are separate name spaces');

SELECT * FROM finish();
ROLLBACK;
