-- pgTAP: idempotent appends by event id (README, dcb_append, "Idempotency").
\ir lib/begin.sql
-- The result of an append, or its error, as text.
-- The seq an append returns, or its error as pg_temp.err() prints it.
CREATE FUNCTION pg_temp.app(filter jsonb, expected_max bigint, events jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text;
BEGIN
    RETURN dcb_append(filter, expected_max, events)::text;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
    RETURN st || ': ' || msg || coalesce(' DETAIL: ' || nullif(det, ''), '');
END $$;
CREATE FUNCTION pg_temp.seq_of(uuid) RETURNS bigint LANGUAGE sql AS $$ SELECT seq FROM dcb_read() WHERE id = $1 $$;
CREATE TEMP TABLE r (k text PRIMARY KEY, v bigint) ON COMMIT DROP;

-- A batch with ids, then unrelated events after it.
INSERT INTO r VALUES ('batch', dcb_append('{"items": [{"tags": ["order:1"]}]}', 0, '[
    {"type": "OrderPlaced", "tags": ["order:1"], "data": {"n": 1}, "id": "11111111-1111-1111-1111-111111111111"},
    {"type": "OrderPaid",   "tags": ["order:1"], "data": {"n": 2}, "id": "22222222-2222-2222-2222-222222222222"}]'));
INSERT INTO r VALUES ('single', dcb_append(NULL, NULL,
    '{"type": "Note", "tags": ["order:2"], "data": {}, "id": "33333333-3333-3333-3333-333333333333"}'));
INSERT INTO r VALUES ('later', dcb_append(NULL, NULL, '{"type": "OrderPlaced", "tags": ["order:1"], "data": {"n": 3}}'));
INSERT INTO r VALUES ('count', pg_temp.n());

SELECT plan(27);

SELECT is(pg_temp.n(), 4::bigint, 'four events stored');
SELECT is((SELECT id FROM dcb_read() WHERE seq = (SELECT v FROM r WHERE k = 'batch')), '22222222-2222-2222-2222-222222222222'::uuid,
          'the id is stored and returned by dcb_read');
SELECT is((SELECT id FROM dcb_read() WHERE seq = (SELECT v FROM r WHERE k = 'later')), NULL::uuid, 'an event without id has id NULL');

-- Full retry: same ids, same types → the stored seq of the last one, nothing written.
SELECT is(pg_temp.app('{"items": [{"tags": ["order:1"]}]}', 0, '[
    {"type": "OrderPlaced", "tags": ["order:1"], "data": {"n": 1}, "id": "11111111-1111-1111-1111-111111111111"},
    {"type": "OrderPaid",   "tags": ["order:1"], "data": {"n": 2}, "id": "22222222-2222-2222-2222-222222222222"}]'),
    (SELECT v FROM r WHERE k = 'batch')::text,
    'a retry returns the stored seq of the last event even though the condition now fails');
SELECT is(pg_temp.n(), 4::bigint, '...and writes nothing');
SELECT is(pg_temp.app(NULL, NULL, '[
    {"type": "OrderPlaced", "tags": ["order:1"], "data": {"n": 1}, "id": "11111111-1111-1111-1111-111111111111"},
    {"type": "OrderPaid",   "tags": ["order:1"], "data": {"n": 2}, "id": "22222222-2222-2222-2222-222222222222"}]'),
    (SELECT v FROM r WHERE k = 'batch')::text, 'a retry without a condition returns the same seq');
SELECT is(pg_temp.app('{"items": [{"tags": ["order:1"]}]}', (SELECT v FROM r WHERE k = 'later'), '[
    {"type": "OrderPlaced", "tags": ["order:1"], "data": {"n": 1}, "id": "11111111-1111-1111-1111-111111111111"},
    {"type": "OrderPaid",   "tags": ["order:1"], "data": {"n": 2}, "id": "22222222-2222-2222-2222-222222222222"}]'),
    (SELECT v FROM r WHERE k = 'batch')::text, 'a retry whose condition holds also returns the stored seq and writes nothing');
SELECT is(pg_temp.n(), 4::bigint, '...nothing written');
SELECT is(pg_temp.app(NULL, NULL, '[
    {"type": "OrderPlaced", "data": {"other": true}, "id": "11111111-1111-1111-1111-111111111111"},
    {"type": "OrderPaid",   "data": "changed",       "id": "22222222-2222-2222-2222-222222222222"}]'),
    (SELECT v FROM r WHERE k = 'batch')::text, 'ids and types decide: other tags/data still count as the retry');
SELECT is(pg_temp.app(NULL, NULL, '{"type": "Note", "data": {}, "id": "33333333-3333-3333-3333-333333333333"}'),
          (SELECT v FROM r WHERE k = 'single')::text, 'a single-object retry returns its stored seq');
SELECT is(pg_temp.app('{}', 0, '[{"type": "Note", "data": {}, "id": "33333333-3333-3333-3333-333333333333"}]'),
          (SELECT v FROM r WHERE k = 'single')::text, 'retry with a match-all condition that would fail returns the stored seq');
SELECT is(pg_temp.app(NULL, NULL, '{"type": "Note", "data": {}, "id": "33333333333333333333333333333333"}'),
          (SELECT v FROM r WHERE k = 'single')::text, 'ids are uuids: another spelling of the same uuid is the same id');
SELECT is(pg_temp.app(NULL, NULL, '{"type": "OrderPaid", "data": {}, "id": "22222222-2222-2222-2222-222222222222"}'),
          (SELECT v FROM r WHERE k = 'batch')::text, 'retrying only the last event of a batch returns its seq');
SELECT is(pg_temp.app(NULL, NULL, '{"type": "OrderPlaced", "data": {}, "id": "11111111-1111-1111-1111-111111111111"}'),
          pg_temp.seq_of('11111111-1111-1111-1111-111111111111')::text, 'retrying only the first event of a batch returns its own seq');
SELECT is(pg_temp.n(), 4::bigint, 'no retry wrote anything');
SELECT is(dcb_head(), (SELECT v FROM r WHERE k = 'later'), 'dcb_head unchanged by retries');

-- Partial overlap or another type: 23505 naming the id, nothing written.
SELECT matches(pg_temp.err($$SELECT dcb_append(NULL, NULL, '[
    {"type": "OrderPlaced", "data": {}, "id": "11111111-1111-1111-1111-111111111111"},
    {"type": "OrderShipped", "data": {}, "id": "44444444-4444-4444-4444-444444444444"}]')$$),
    '^23505: .*11111111-1111-1111-1111-111111111111', 'only some ids stored: 23505 naming the stored id');
SELECT is((SELECT count(*) FROM dcb_read('{"items": [{"types": ["OrderShipped"]}]}')), 0::bigint,
          'the new event of the rejected call was not written');
SELECT matches(pg_temp.err($$SELECT dcb_append(NULL, NULL, '[
    {"type": "OrderShipped", "data": {}, "id": "55555555-5555-5555-5555-555555555555"},
    {"type": "OrderPaid", "data": {}, "id": "22222222-2222-2222-2222-222222222222"}]')$$),
    '^23505: .*22222222-2222-2222-2222-222222222222', 'a stored id after a new one: 23505 naming the stored id');
SELECT matches(pg_temp.err($$SELECT dcb_append(NULL, NULL,
    '{"type": "SomethingElse", "data": {}, "id": "33333333-3333-3333-3333-333333333333"}')$$),
    '^23505: .*33333333-3333-3333-3333-333333333333', 'an id stored with another type: 23505 naming the id');
SELECT matches(pg_temp.app(NULL, NULL, '[
    {"type": "OrderPaid", "data": {}, "id": "22222222-2222-2222-2222-222222222222"},
    {"type": "OrderPlaced", "data": {}, "id": "11111111-1111-1111-1111-111111111111"}]'),
    '^(' || pg_temp.seq_of('11111111-1111-1111-1111-111111111111') || '|' || pg_temp.seq_of('22222222-2222-2222-2222-222222222222') || ')$',
    'all ids stored with the same types but given in another order is still a retry (returns a stored seq)');
SELECT matches(pg_temp.err($$SELECT dcb_append(NULL, NULL, '[
    {"type": "OrderPlaced", "data": {}, "id": "11111111-1111-1111-1111-111111111111"},
    {"type": "OrderShipped", "data": {}}]')$$),
    '^23505: .*11111111-1111-1111-1111-111111111111', 'a stored id next to an event without id: 23505');
SELECT is(pg_temp.n(), 4::bigint, 'none of the rejected calls wrote anything');

-- Ids must be unique within one call too, and every new id is stored.
SELECT matches(pg_temp.err($$SELECT dcb_append(NULL, NULL, '[
    {"type": "A", "data": {}, "id": "66666666-6666-6666-6666-666666666666"},
    {"type": "A", "data": {}, "id": "66666666-6666-6666-6666-666666666666"}]')$$),
    '^(23505: .*66666666-6666-6666-6666-666666666666|22023: .*events\[1\]\.id)',
    'the same id twice in one call is an error naming the id (23505) or the second one''s path (22023)');
SELECT is(pg_temp.n(), 4::bigint, '...and writes nothing');
INSERT INTO r VALUES ('mixed', dcb_append(NULL, NULL, '[{"type": "A", "data": {}, "id": "77777777-7777-7777-7777-777777777777"}, {"type": "B", "data": {}}]'));
SELECT is(pg_temp.seq_of('77777777-7777-7777-7777-777777777777') < (SELECT v FROM r WHERE k = 'mixed')
          AND pg_temp.n() = 6, true, 'a new id next to an event without id appends both');
-- A fresh id with a failing condition is not a retry: the condition applies.
SELECT matches(pg_temp.err($$SELECT dcb_append('{"items": [{"tags": ["order:1"]}]}', 0,
    '{"type": "OrderPlaced", "data": {}, "id": "88888888-8888-8888-8888-888888888888"}')$$),
    '^40001: dcb: append condition failed', 'a new id does not bypass the condition');

SELECT * FROM finish();
ROLLBACK;
