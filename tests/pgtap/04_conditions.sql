-- pgTAP: append conditions (README, dcb_append): the append fails with 40001 when an event matching
-- filter has seq > coalesce(expected_max, 0); filter NULL means no condition; expected_max may be
-- above the last match; a failed condition writes nothing.
\ir lib/begin.sql

CREATE TEMP TABLE ev (label text PRIMARY KEY, seq bigint NOT NULL UNIQUE) ON COMMIT DROP;
CREATE FUNCTION pg_temp.put(text, jsonb) RETURNS bigint LANGUAGE sql
AS $$ INSERT INTO ev VALUES ($1, dcb_append(NULL, NULL, $2)) RETURNING seq $$;
CREATE FUNCTION pg_temp.s(text) RETURNS bigint LANGUAGE sql AS $$ SELECT seq FROM ev WHERE label = $1 $$;
-- Tries a conditional append of one event of type Probe (tag 'probe') and reports 'no error' or the error;
-- the event count afterwards tells whether anything was written.
CREATE FUNCTION pg_temp.try(filter jsonb, expected_max bigint) RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.err(format('SELECT dcb_append(%L::jsonb, %s, %L::jsonb)', filter,
                              coalesce(expected_max::text, 'NULL'),
                              '{"type": "Probe", "tags": ["probe"], "data": {}}'))
$$;
-- The seq of the newest stored event (dcb_head() may be higher when positions have gaps).
CREATE FUNCTION pg_temp.last() RETURNS bigint LANGUAGE sql AS $$ SELECT max(seq) FROM dcb_read() $$;

DO $$BEGIN
    PERFORM pg_temp.put('e1', '{"type": "Lent", "tags": ["book:1", "reader:1"], "data": {"isbn": "111"}, "occurred_at": "2025-01-01T00:00:00Z"}');
    PERFORM pg_temp.put('e2', '{"type": "Returned", "tags": ["book:1", "reader:1"], "data": {}, "occurred_at": "2025-02-01T00:00:00Z"}');
    PERFORM pg_temp.put('e3', '{"type": "Lent", "tags": ["book:2", "reader:1"], "data": {"isbn": "222"}, "occurred_at": "2025-03-01T00:00:00Z"}');
    PERFORM pg_temp.put('e4', '{"type": "Registered", "tags": ["reader:2"], "data": {}, "occurred_at": "2025-04-01T00:00:00Z"}');
END$$;

SELECT plan(40);

-- Condition holds / fails around the last matching event.
SELECT is(pg_temp.try('{"items": [{"types": ["Lent"], "tags": ["book:1"]}]}', pg_temp.s('e1')), 'no error',
          'expected_max = last matching seq: the condition holds');
SELECT is(pg_temp.try('{"items": [{"types": ["Lent"], "tags": ["book:1"]}]}', pg_temp.s('e2')), 'no error',
          'expected_max above the last match (a later non-matching event) holds');
SELECT is(pg_temp.try('{"items": [{"types": ["Lent"], "tags": ["book:1"]}]}', dcb_head()), 'no error',
          'expected_max = dcb_head() holds');
SELECT is(pg_temp.try('{"items": [{"types": ["Lent"], "tags": ["book:1"]}]}', dcb_head() + 1000), 'no error',
          'expected_max beyond the head holds');
SELECT is(pg_temp.try('{"items": [{"types": ["Lent"], "tags": ["book:1"]}]}', 9223372036854775807), 'no error',
          'expected_max = the largest bigint holds');
SELECT is(pg_temp.n(), 9::bigint, 'the five successful conditional appends wrote five events');

SELECT matches(pg_temp.try('{"items": [{"types": ["Lent"], "tags": ["book:1"]}]}', pg_temp.s('e1') - 1),
               '^40001: dcb: append condition failed', 'expected_max below the last match fails with 40001');
SELECT matches(pg_temp.try('{"items": [{"types": ["Lent"], "tags": ["book:1"]}]}', 0),
               '^40001: dcb: append condition failed', 'expected_max 0 with a match fails');
SELECT matches(pg_temp.try('{"items": [{"types": ["Lent"], "tags": ["book:1"]}]}', NULL),
               '^40001: dcb: append condition failed', 'expected_max NULL is treated as 0 (fails when anything matches)');
SELECT is(pg_temp.try('{"items": [{"types": ["Lent"], "tags": ["book:9"]}]}', NULL), 'no error',
          'expected_max NULL with no match holds');
SELECT is(pg_temp.try('{"items": [{"types": ["Lent"], "tags": ["book:9"]}]}', 0), 'no error',
          'expected_max 0 with no match holds');
SELECT is(pg_temp.n(), 11::bigint, 'failed conditions wrote nothing, the two that held wrote one event each');

-- The message and DETAIL of a failed condition: the newest conflicting seq and expected_max.
SELECT is(split_part(pg_temp.try('{"items": [{"tags": ["reader:1"]}]}', pg_temp.s('e1')), ' DETAIL: ', 1),
          '40001: dcb: append condition failed', 'the 40001 message text is exactly "dcb: append condition failed"');
SELECT matches(pg_temp.try('{"items": [{"tags": ["reader:1"]}]}', pg_temp.s('e1')),
               ' DETAIL: .*expected_max', 'the DETAIL names expected_max');
SELECT matches(pg_temp.try('{"items": [{"tags": ["reader:1"]}]}', pg_temp.s('e1')),
               ' DETAIL: .*\m' || pg_temp.s('e1') || '\M', 'the DETAIL gives the expected_max value');
SELECT matches(pg_temp.try('{"items": [{"tags": ["reader:1"]}]}', pg_temp.s('e1')),
               ' DETAIL: .*\m' || pg_temp.s('e3') || '\M', 'the DETAIL gives the newest conflicting seq (e3, not e2)');
SELECT matches(pg_temp.try('{"items": [{"types": ["Registered"]}]}', 0),
               ' DETAIL: .*\m' || pg_temp.s('e4') || '\M', 'the DETAIL of a types-only condition gives the conflicting seq');

-- Which events count as conflicts: exactly those matching the filter.
SELECT is(pg_temp.try('{"items": [{"types": ["Registered"], "tags": ["book:1"]}]}', 0), 'no error',
          'a non-matching type on the same tag does not conflict');
SELECT is(pg_temp.try('{"items": [{"types": ["Lent"], "tags": ["book:1", "reader:2"]}]}', 0), 'no error',
          'tags are AND-ed in conditions too');
SELECT matches(pg_temp.try('{"items": [{"types": ["Nope"]}, {"tags": ["reader:2"]}]}', pg_temp.s('e3')),
               '^40001: ', 'items are OR-ed in conditions: the second item conflicts');
SELECT is(pg_temp.try('{"items": [{"types": ["Lent"], "payload": {"isbn": "999"}}]}', 0), 'no error',
          'a payload that no event contains does not conflict');
SELECT matches(pg_temp.try('{"items": [{"types": ["Lent"], "payload": {"isbn": "222"}}]}', pg_temp.s('e2')),
               '^40001: ', 'a contained payload conflicts');
SELECT is(pg_temp.try('{"items": [{"payload": {"isbn": "111"}}]}', pg_temp.s('e1')), 'no error',
          'a payload-only condition holds at its last match');
SELECT is(pg_temp.try('{"items": [{"types": ["Lent"]}], "occurred_from": "2025-03-01T00:00:01Z"}', 0), 'no error',
          'events before occurred_from do not conflict');
SELECT matches(pg_temp.try('{"items": [{"types": ["Lent"]}], "occurred_from": "2025-03-01T00:00:00Z"}', 0),
               '^40001: ', 'an event exactly at occurred_from conflicts');
SELECT matches(pg_temp.try('{"items": [{"types": ["Lent"]}], "occurred_until": "2025-01-01T00:00:00Z"}', 0),
               '^40001: ', 'an event exactly at occurred_until conflicts');

-- filter NULL: no condition at all; {} : every event is a conflict.
SELECT is(pg_temp.try(NULL, 0), 'no error', 'filter NULL, expected_max 0: no condition');
SELECT is(pg_temp.try(NULL, NULL), 'no error', 'filter NULL, expected_max NULL: no condition');
SELECT is(pg_temp.try('{}', dcb_head()), 'no error', 'filter {} with expected_max = head holds');
SELECT matches(pg_temp.try('{}', pg_temp.last() - 1), '^40001: ', 'filter {} with expected_max below the last event fails');
SELECT matches(pg_temp.try('{}', pg_temp.last() - 1), ' DETAIL: .*\m' || pg_temp.last() || '\M',
               'filter {}: the DETAIL names the last event as the conflict');

-- A condition sees this transaction's own earlier appends.
SELECT lives_ok($$SELECT pg_temp.put('own', '{"type": "Lent", "tags": ["book:7"], "data": {}}')$$, 'append in this transaction');
SELECT matches(pg_temp.try('{"items": [{"types": ["Lent"], "tags": ["book:7"]}]}', pg_temp.s('own') - 1),
               '^40001: ', 'a condition sees an append made earlier in the same transaction');
SELECT is(pg_temp.try('{"items": [{"types": ["Lent"], "tags": ["book:7"]}]}', pg_temp.s('own')), 'no error',
          '...and holds at its seq');

-- Conditions do not consider the events of the same call (they are not stored yet).
SELECT is(pg_temp.err($$SELECT dcb_append('{"items": [{"tags": ["fresh:1"]}]}', 0,
                        '[{"type": "A", "tags": ["fresh:1"], "data": {}}, {"type": "B", "tags": ["fresh:1"], "data": {}}]')$$),
          'no error', 'events of the call itself are not conflicts');
SELECT is((SELECT count(*) FROM dcb_read('{"items": [{"tags": ["fresh:1"]}]}')), 2::bigint, 'both were written');

-- The returned seq of a conditional append is the last appended event.
SELECT is(dcb_append('{"items": [{"tags": ["ret:1"]}]}', 0, '[{"type": "A", "tags": ["ret:1"], "data": 1}, {"type": "B", "tags": ["ret:1"], "data": 2}]'),
          (SELECT max(seq) FROM dcb_read('{"items": [{"tags": ["ret:1"]}]}')), 'returns the seq of the last appended event');
SELECT is((SELECT type FROM dcb_read('{"items": [{"tags": ["ret:1"]}]}', 0, 1, true)), 'B', 'and that event is the last one given');

-- A negative expected_max is 22023, with or without a filter.
SELECT matches(pg_temp.try('{"items": [{"types": ["Lent"]}]}', -1), '^22023: .*expected_max', 'negative expected_max is 22023');
SELECT matches(pg_temp.try(NULL, -1), '^22023: .*expected_max', 'negative expected_max is 22023 even without a filter');

SELECT * FROM finish();
ROLLBACK;
