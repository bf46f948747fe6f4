--
-- dcb_state: snapshots and consumer positions — the text of their errors (with DETAIL and HINT)
-- and the canonical form of filters that keys a snapshot, which is part of the storage format.
-- The SQLSTATE follows each error (\echo :LAST_ERROR_SQLSTATE). Starts from a fresh store.
--
\set VERBOSITY default
SET client_min_messages = warning;
DROP EXTENSION dcb;
CREATE EXTENSION dcb;
RESET client_min_messages;
SET timezone = 'UTC';

SELECT dcb_append(NULL, NULL, '[{"type": "Lent", "tags": ["book:1"], "data": {}}, {"type": "Returned", "tags": ["book:1"], "data": {}}]');

-- Canonical forms (stored with each snapshot; the key is the SHA-256 of the compact text).
SELECT dcb_snapshot_save('canon:1', '{"items": [{"types": ["Returned", "Lent", "Lent"], "tags": ["book:1"]}, {"tags": ["book:1"], "types": ["Lent", "Returned"]}]}', 1, '{}');
SELECT dcb_snapshot_save('canon:2', '{"occurred_until": "2025-03-01T10:00:00+01:00", "occurred_from": "2025-01-01", "items": [{"payload": {"b": [3, 1.50, 1.5, {"y": 1, "x": 2}], "a": 1e1}}, {"types": ["Lent"]}]}', 1, '{}');
SELECT dcb_snapshot_save('canon:3', NULL, 1, '{}');
SELECT dcb_snapshot_save('canon:4', '{"items": [{"tags": ["quote\"d", "back\\slash", "a,b"]}]}', 1, '{}');
SELECT projection, filter, encode(filter_key, 'hex') AS filter_key FROM dcb.snapshots ORDER BY projection;

-- Snapshots: 22023 and 22004 for bad arguments, 22023 naming the JSON path for bad filters.
SELECT dcb_snapshot_save('p', NULL, 3, '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_snapshot_save('p', NULL, -1, '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_snapshot_save('p', NULL, NULL, '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_snapshot_save('p', NULL, 1, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_snapshot_save('', NULL, 1, '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM dcb_snapshot_load(NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_snapshot_delete('p', '{"items": [{"types": ["Lent"], "tag": ["book:1"]}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM dcb_snapshot_load('p', '{"items": []}');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_snapshot_save('p', '{"occurred_from": "soon"}', 1, '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM dcb_snapshot_load('p', NULL, 'nosuchstore');
\echo :LAST_ERROR_SQLSTATE

-- Consumers: 40001 when the consumer is elsewhere, 22023 for a position that goes back.
SELECT dcb_consumer_advance('c', 0, 2);
SELECT dcb_consumer_advance('c', 0, 2);
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_consumer_advance('c', 2, 1);
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_consumer_advance('c', -1, 1);
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_consumer_advance('c', 2, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_consumer_position(repeat('c', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT consumer, position FROM dcb.consumers;

-- Read-only transactions.
BEGIN READ ONLY;
SELECT dcb_consumer_advance('c', 2, 3);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
