--
-- dcb_api: the SQL surface of dcb (README, "The SQL API") and a few appends and reads with
-- their exact output. Starts from a fresh store so positions are known: 1, 2, 3, ...
--
\set VERBOSITY default
SET client_min_messages = warning;
DROP EXTENSION dcb;
CREATE EXTENSION dcb;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

-- The functions, by plain name.
\df dcb_*

-- An empty store.
SELECT dcb_head();
SELECT * FROM dcb_read();

-- A library: register a reader, add a book copy, lend it.
SELECT dcb_append(NULL, NULL, '{"type": "ReaderRegistered", "tags": ["ReaderID:r7"], "data": {"name": "Ada"},
                                "occurred_at": "2025-03-01T09:00:00Z", "id": "00000000-0000-4000-8000-000000000001"}');
SELECT dcb_append('{"items": [{"types": ["BookCopyAddedToCirculation"], "tags": ["BookID:b1"]}]}', 0,
                  '[{"type": "BookCopyAddedToCirculation", "tags": ["BookID:b1"], "data": {"ISBN": "978-3-16"},
                     "metadata": {"correlation_id": "c-1"}, "occurred_at": "2025-03-01T10:00:00+01:00"}]');
-- Lend b1 to r7, if b1 was not lent since position 2 (the head the decision was taken on).
SELECT dcb_append('{"items": [{"types": ["BookCopyLentToReader", "BookCopyReturnedByReader"], "tags": ["BookID:b1"]}]}', 2,
                  '{"type": "BookCopyLentToReader", "tags": ["ReaderID:r7", "BookID:b1", "BookID:b1"], "data": {"reader": "r7"},
                    "occurred_at": "2025-03-02T12:30:00.5Z"}');
SELECT dcb_head();

-- Every column of every event. tags: a set, duplicates removed.
SELECT seq, type, array(SELECT unnest(tags) ORDER BY 1) AS tags, data, metadata, occurred_at, id FROM dcb_read();

-- Boundaries: by tag, by type, by payload, by time; newest first; paging.
SELECT seq, type FROM dcb_read('{"items": [{"tags": ["BookID:b1"]}]}');
SELECT seq, type FROM dcb_read('{"items": [{"types": ["ReaderRegistered"]}, {"payload": {"ISBN": "978-3-16"}}]}');
SELECT seq, type FROM dcb_read('{"items": [{"tags": ["BookID:b1", "ReaderID:r7"]}]}');
SELECT seq, type FROM dcb_read('{"occurred_from": "2025-03-01T09:00:00Z", "occurred_until": "2025-03-01T09:00:00Z"}');
SELECT seq, type FROM dcb_read(NULL, 1);
SELECT seq, type FROM dcb_read(NULL, 0, 2);
SELECT seq, type FROM dcb_read(NULL, 0, NULL, true);
SELECT seq, type FROM dcb_read('{"items": [{"tags": ["BookID:b1"]}]}', backwards => true, max_count => 1);
SELECT seq, type FROM dcb_read('{"items": [{"types": ["NoSuchType"]}]}');

-- Lending b1 again on the same decision fails: 40001 with the newest conflicting position.
SELECT dcb_append('{"items": [{"types": ["BookCopyLentToReader", "BookCopyReturnedByReader"], "tags": ["BookID:b1"]}]}', 2,
                  '{"type": "BookCopyLentToReader", "tags": ["ReaderID:r8", "BookID:b1"], "data": {"reader": "r8"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT dcb_head();

-- A retry of the registration (same id, same type) returns its position and writes nothing.
SELECT dcb_append('{"items": [{"tags": ["ReaderID:r7"]}]}', 0,
                  '{"type": "ReaderRegistered", "tags": ["ReaderID:r7"], "data": {"name": "Ada"}, "id": "00000000-0000-4000-8000-000000000001"}');
SELECT count(*) FROM dcb_read();

-- Inside a transaction, reads and the head see the transaction's own appends.
BEGIN;
SELECT dcb_append(NULL, NULL, '{"type": "BookCopyReturnedByReader", "tags": ["BookID:b1", "ReaderID:r7"], "data": {}}');
SELECT dcb_head();
SELECT seq, type, occurred_at = now() AS at_transaction_time, metadata FROM dcb_read(NULL, 3);
ROLLBACK;
