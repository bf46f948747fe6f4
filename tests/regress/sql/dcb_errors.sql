--
-- dcb_errors: the text of every error dcb raises for bad input, failed conditions and id conflicts.
-- The SQLSTATE follows each error (\echo :LAST_ERROR_SQLSTATE). Starts from a fresh store.
--
\set VERBOSITY default
SET client_min_messages = warning;
DROP EXTENSION dcb;
CREATE EXTENSION dcb;
RESET client_min_messages;

SELECT dcb_append(NULL, NULL, '[{"type": "Lent", "tags": ["book:1"], "data": {}, "id": "00000000-0000-4000-8000-00000000000a"},
                                {"type": "Lent", "tags": ["book:2"], "data": {}},
                                {"type": "Returned", "tags": ["book:1"], "data": {}}]');

-- 40001: failed conditions; the DETAIL names expected_max and the newest conflicting seq.
SELECT dcb_append('{"items": [{"tags": ["book:1"]}]}', 0, '{"type": "Lent", "tags": ["book:1"], "data": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append('{"items": [{"tags": ["book:1"]}]}', NULL, '{"type": "Lent", "tags": ["book:1"], "data": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append('{"items": [{"types": ["Lent"]}]}', 1, '{"type": "Lent", "tags": ["book:3"], "data": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append('{}', 2, '{"type": "Lent", "tags": ["book:3"], "data": {}}');
\echo :LAST_ERROR_SQLSTATE

-- 23505: ids.
SELECT dcb_append(NULL, NULL, '{"type": "Returned", "data": {}, "id": "00000000-0000-4000-8000-00000000000a"}');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append(NULL, NULL, '[{"type": "Lent", "data": {}, "id": "00000000-0000-4000-8000-00000000000a"},
                                {"type": "Lent", "data": {}, "id": "00000000-0000-4000-8000-00000000000b"}]');
\echo :LAST_ERROR_SQLSTATE

-- 22004 / 22023: arguments.
SELECT dcb_append(NULL, NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append(NULL, -1, '{"type": "A", "data": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM dcb_read(NULL, -1);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM dcb_read(NULL, 0, 0);
\echo :LAST_ERROR_SQLSTATE

-- 22023: events.
SELECT dcb_append(NULL, NULL, '[]');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append(NULL, NULL, '"event"');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append(NULL, NULL, '[{"type": "A", "data": {}}, 7]');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append(NULL, NULL, '[{"data": {}}]');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append(NULL, NULL, '[{"type": "A", "data": {}}, {"type": "A", "data": {}}, {"type": "A", "data": {}}, {"type": "", "data": {}}]');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append(NULL, NULL, '[{"type": 5, "data": {}}]');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append(NULL, NULL, jsonb_build_array(jsonb_build_object('type', repeat('t', 256), 'data', '{}'::jsonb)));
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append(NULL, NULL, '[{"type": "A"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append(NULL, NULL, '[{"type": "A", "data": {}, "tags": "book:1"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append(NULL, NULL, '[{"type": "A", "data": {}, "tags": ["book:1", ""]}]');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append(NULL, NULL, '[{"type": "A", "data": {}, "tags": [3]}]');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append(NULL, NULL, jsonb_build_array(jsonb_build_object('type', 'A', 'data', '{}'::jsonb, 'tags', jsonb_build_array(repeat('g', 256)))));
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append(NULL, NULL, '[{"type": "A", "data": {}, "metadata": [1]}]');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append(NULL, NULL, '[{"type": "A", "data": {}, "occurred_at": "yesterday noon-ish"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append(NULL, NULL, '[{"type": "A", "data": {}, "occurred_at": "2025-02-30T00:00:00Z"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append(NULL, NULL, '[{"type": "A", "data": {}, "occurred_at": 20250101}]');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append(NULL, NULL, '[{"type": "A", "data": {}, "id": "not-a-uuid"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append(NULL, NULL, '[{"type": "A", "data": {}, "payload": {}}]');
\echo :LAST_ERROR_SQLSTATE

-- 22023: filters.
SELECT * FROM dcb_read('[]');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM dcb_read('{"item": []}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM dcb_read('{"items": []}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM dcb_read('{"items": "all"}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM dcb_read('{"items": [{"types": ["A"]}, {}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM dcb_read('{"items": [true]}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM dcb_read('{"items": [{"types": "A"}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM dcb_read('{"items": [{"types": ["A", ""]}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM dcb_read('{"items": [{"types": ["A"]}, {"tags": [1]}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM dcb_read('{"items": [{"tags": ["x"], "tag": ["y"]}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM dcb_read('{"items": [{"payload": {}}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM dcb_read('{"occurred_from": "the dawn of time"}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM dcb_read('{"occurred_from": "2025-01-01 12:00 Mars/Olympus"}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM dcb_read('{"occurred_until": false}');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_append('{"items": [{"tags": [""]}]}', 0, '{"type": "A", "data": {}}');
\echo :LAST_ERROR_SQLSTATE

-- 54000: limits (settings).
SET dcb.max_events_per_call = 2;
SELECT dcb_append(NULL, NULL, '[{"type": "A", "data": 1}, {"type": "A", "data": 2}, {"type": "A", "data": 3}]');
\echo :LAST_ERROR_SQLSTATE
RESET dcb.max_events_per_call;
SET dcb.max_tags_per_event = 1;
SELECT dcb_append(NULL, NULL, '{"type": "A", "data": 1, "tags": ["a", "b"]}');
\echo :LAST_ERROR_SQLSTATE
RESET dcb.max_tags_per_event;
SET dcb.max_filter_items = 1;
SELECT * FROM dcb_read('{"items": [{"types": ["A"]}, {"types": ["B"]}]}');
\echo :LAST_ERROR_SQLSTATE
RESET dcb.max_filter_items;
SET dcb.max_payload_bytes = 64;
SELECT dcb_append(NULL, NULL, jsonb_build_object('type', 'A', 'data', jsonb_build_object('text', repeat('x', 100))));
\echo :LAST_ERROR_SQLSTATE
RESET dcb.max_payload_bytes;

-- Isolation levels above READ COMMITTED are refused (README, "Guarantees": keep them or refuse clearly).
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT dcb_append(NULL, NULL, '{"type": "A", "data": {}}');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM dcb_read();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT dcb_head();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SET default_transaction_isolation = 'serializable';
SELECT dcb_append(NULL, NULL, '{"type": "A", "data": {}}');
\echo :LAST_ERROR_SQLSTATE
RESET default_transaction_isolation;

-- None of the failed calls wrote anything.
SELECT count(*), dcb_head() >= 3 AS head_ok FROM dcb_read();
