-- pgTAP: what an append stores (README, "Filters"): the fields as given, defaults (metadata {},
-- occurred_at = transaction time, id NULL), tags deduplicated, one object or an array, any JSON
-- data; atomicity (all or nothing, seqs increasing in the order given).
\ir lib/begin.sql
CREATE TEMP TABLE r (k text PRIMARY KEY, v bigint) ON COMMIT DROP;
-- Appends one event and returns the data stored for it.
CREATE FUNCTION pg_temp.stored_data(event jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE s bigint;
BEGIN
    s := dcb_append(NULL, NULL, event);
    RETURN (SELECT data FROM dcb_read() WHERE seq = s);
END $$;

SELECT plan(38);

-- Every field as given.
INSERT INTO r VALUES ('full', dcb_append(NULL, NULL, '{"type": "Full", "tags": ["b:2", "a:1"],
    "data": {"x": [1, {"y": null}], "s": "é"}, "metadata": {"correlation_id": "c-1", "n": 2},
    "occurred_at": "2024-02-29T23:59:59.123456+05:30", "id": "0a0b0c0d-0000-4000-8000-00000000abcd"}'));
SELECT results_eq(
    $$SELECT type, array(SELECT unnest(tags) ORDER BY 1), data, metadata, occurred_at, id
        FROM dcb_read() WHERE seq = (SELECT v FROM r WHERE k = 'full')$$,
    $$VALUES ('Full'::text, ARRAY['a:1', 'b:2']::text[], '{"x": [1, {"y": null}], "s": "é"}'::jsonb,
              '{"correlation_id": "c-1", "n": 2}'::jsonb, '2024-02-29T18:29:59.123456Z'::timestamptz,
              '0a0b0c0d-0000-4000-8000-00000000abcd'::uuid)$$,
    'every field is stored as given (tags compared sorted)');
SELECT set_eq($$SELECT unnest(tags) FROM dcb_read() WHERE seq = (SELECT v FROM r WHERE k = 'full')$$,
              ARRAY['a:1', 'b:2'], 'the tags are the given set');

-- Ids in every spelling uuid_in accepts (any case, braces, hyphens after any group of four digits).
INSERT INTO r VALUES ('spellings', dcb_append(NULL, NULL, '[
    {"type": "Id", "data": {}, "id": "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"},
    {"type": "Id", "data": {}, "id": "{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a12}"},
    {"type": "Id", "data": {}, "id": "a0eebc999c0b4ef8bb6d6bb9bd380a13"},
    {"type": "Id", "data": {}, "id": "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a14"}]'));
SELECT is(ARRAY(SELECT id FROM dcb_read(NULL, (SELECT v FROM r WHERE k = 'spellings') - 4)),
          ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12',
                'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a14']::uuid[],
          'ids in every spelling uuid_in accepts are stored as that uuid');

-- Defaults.
INSERT INTO r VALUES ('min', dcb_append(NULL, NULL, '{"type": "Min", "data": {}}'));
SELECT is((SELECT metadata FROM dcb_read() WHERE seq = (SELECT v FROM r WHERE k = 'min')), '{}'::jsonb, 'metadata defaults to {}');
SELECT is((SELECT occurred_at FROM dcb_read() WHERE seq = (SELECT v FROM r WHERE k = 'min')), now(),
          'occurred_at defaults to the transaction time');
SELECT is((SELECT id FROM dcb_read() WHERE seq = (SELECT v FROM r WHERE k = 'min')), NULL::uuid, 'id defaults to NULL');
SELECT is((SELECT tags FROM dcb_read() WHERE seq = (SELECT v FROM r WHERE k = 'min')), '{}'::text[], 'tags default to the empty array');
SELECT is((SELECT tags FROM dcb_read() WHERE seq = (SELECT v FROM r WHERE k = 'full')) IS NOT NULL, true, 'tags are never NULL');
SELECT is(pg_temp.err($$SELECT dcb_append(NULL, NULL, '{"type": "Later", "data": {}}')$$), 'no error', 'an append later in the transaction');
SELECT is((SELECT occurred_at FROM dcb_read(NULL, 0, 1, true)), now(), 'occurred_at is the transaction time, not the statement time');
SELECT is((SELECT tags FROM dcb_read(NULL, 0, 1, true)), '{}'::text[], 'a missing tags key gives no tags');

-- A timestamp without a zone is read in the session's TimeZone, like timestamptz input.
SET LOCAL timezone = 'America/New_York';
INSERT INTO r VALUES ('localtime', dcb_append(NULL, NULL, '{"type": "Local", "data": {}, "occurred_at": "2025-07-01T00:00:00"}'));
SELECT is((SELECT occurred_at FROM dcb_read() WHERE seq = (SELECT v FROM r WHERE k = 'localtime')), '2025-07-01T04:00:00Z'::timestamptz,
          'occurred_at without a zone is in the session TimeZone');
SELECT is((SELECT count(*) FROM dcb_read('{"items": [{"types": ["Local"]}], "occurred_from": "2025-07-01 00:00:00", "occurred_until": "2025-07-01T00:00"}')),
          1::bigint, 'so are filter bounds without a zone');
RESET timezone;

-- Tags: duplicates removed, order not significant.
INSERT INTO r VALUES ('dup', dcb_append(NULL, NULL, '{"type": "Dup", "tags": ["t:2", "t:1", "t:2", "t:1", "t:3"], "data": {}}'));
SELECT is((SELECT array(SELECT unnest(tags) ORDER BY 1) FROM dcb_read() WHERE seq = (SELECT v FROM r WHERE k = 'dup')),
          ARRAY['t:1', 't:2', 't:3'], 'duplicate tags are stored once');
SELECT is((SELECT count(*) FROM dcb_read('{"items": [{"tags": ["t:2"]}]}')), 1::bigint, 'an event with a repeated tag is read once');
SELECT is((SELECT count(*) FROM dcb_read('{"items": [{"tags": ["t:3", "t:1"]}]}')), 1::bigint, 'and matches its tags in any order');

-- data: any JSON value.
SELECT is(pg_temp.stored_data('{"type": "J", "data": 42}'), '42'::jsonb, 'data may be a number');
SELECT is(pg_temp.stored_data('{"type": "J", "data": "text"}'), '"text"'::jsonb, 'data may be a string');
SELECT is(pg_temp.stored_data('{"type": "J", "data": [1, "a", null]}'), '[1, "a", null]'::jsonb, 'data may be an array');
SELECT is(pg_temp.stored_data('{"type": "J", "data": false}'), 'false'::jsonb, 'data may be a boolean');
SELECT is(pg_temp.stored_data('{"type": "J", "data": null}'), 'null'::jsonb, 'data may be JSON null');
SELECT is(pg_temp.stored_data('{"type": "J", "data": {"big": 123456789012345678901234567890.5}}'),
          '{"big": 123456789012345678901234567890.5}'::jsonb, 'numbers keep their precision');

-- One object or an array of them.
SELECT is(pg_temp.err($$SELECT dcb_append(NULL, NULL, '{"type": "One", "data": {}}')$$), 'no error', 'a single event object is accepted');
SELECT is((SELECT type FROM dcb_read(NULL, 0, 1, true)), 'One', '...and stored');

-- Atomicity and order: a batch gets increasing seqs in the order given, the last one returned.
INSERT INTO r VALUES ('before', pg_temp.n());
INSERT INTO r VALUES ('batch', dcb_append(NULL, NULL, '[
    {"type": "S3", "tags": ["batch:1"], "data": {"i": 0}},
    {"type": "S1", "tags": ["batch:1"], "data": {"i": 1}},
    {"type": "S2", "tags": ["batch:1"], "data": {"i": 2}},
    {"type": "S1", "tags": ["batch:1"], "data": {"i": 3}}]'));
SELECT is((SELECT array_agg((data->>'i')::int ORDER BY seq) FROM dcb_read('{"items": [{"tags": ["batch:1"]}]}')), ARRAY[0, 1, 2, 3],
          'seqs increase in the order the events were given');
SELECT is((SELECT max(seq) FROM dcb_read('{"items": [{"tags": ["batch:1"]}]}')), (SELECT v FROM r WHERE k = 'batch'),
          'the returned seq is that of the last event of the batch');
SELECT is(dcb_head(), (SELECT v FROM r WHERE k = 'batch'), 'dcb_head() is the last seq of the batch');
SELECT is((SELECT count(DISTINCT seq) FROM dcb_read('{"items": [{"tags": ["batch:1"]}]}')), 4::bigint, 'four distinct seqs');

-- A bad event anywhere (here the third, events[2]) writes nothing at all.
SELECT matches(pg_temp.err($$SELECT dcb_append(NULL, NULL, '[
    {"type": "Good", "tags": ["atom:1"], "data": {}},
    {"type": "Good", "tags": ["atom:1"], "data": {}},
    {"type": "", "tags": ["atom:1"], "data": {}},
    {"type": "Good", "tags": ["atom:1"], "data": {}}]')$$), '^22023: .*events\[2\]\.type', 'a bad third event: 22023 naming events[2].type');
SELECT is((SELECT count(*) FROM dcb_read('{"items": [{"tags": ["atom:1"]}]}')), 0::bigint, '...and none of the good events before it was written');
SELECT matches(pg_temp.err($$SELECT dcb_append(NULL, NULL, '[
    {"type": "Good", "tags": ["atom:2"], "data": {}},
    {"type": "Good", "tags": ["atom:2"], "data": {}},
    {"type": "Good", "tags": ["atom:2"]}]')$$), '^22023: .*events\[2\]\.data', 'a third event without data: 22023 naming events[2].data');
SELECT is((SELECT count(*) FROM dcb_read('{"items": [{"tags": ["atom:2"]}]}')), 0::bigint, '...nothing written');
SELECT matches(pg_temp.err($$SELECT dcb_append(NULL, NULL, '[
    {"type": "Good", "tags": ["atom:3"], "data": {}, "id": "aaaaaaaa-0000-4000-8000-000000000001"},
    {"type": "Good", "tags": ["atom:3"], "data": {}},
    {"type": "Full", "tags": ["atom:3"], "data": {}, "id": "0a0b0c0d-0000-4000-8000-00000000abcd"}]')$$),
    '^23505: .*0a0b0c0d-0000-4000-8000-00000000abcd', 'a third event with a stored id: 23505');
SELECT is((SELECT count(*) FROM dcb_read('{"items": [{"tags": ["atom:3"]}]}')), 0::bigint, '...nothing written');
SELECT is((SELECT count(*) FROM dcb_read() WHERE id = 'aaaaaaaa-0000-4000-8000-000000000001'), 0::bigint, '...not even the new id');
SELECT matches(pg_temp.err($$SELECT dcb_append('{"items": [{"tags": ["batch:1"]}]}', 0, '[
    {"type": "Good", "tags": ["atom:4"], "data": {}},
    {"type": "Good", "tags": ["atom:4"], "data": {}}]')$$), '^40001: ', 'a failed condition on a batch');
SELECT is((SELECT count(*) FROM dcb_read('{"items": [{"tags": ["atom:4"]}]}')), 0::bigint, '...writes none of it');
SELECT is(pg_temp.n(), (SELECT v FROM r WHERE k = 'before') + 4, 'only the one good batch was added');

SELECT * FROM finish();
ROLLBACK;
