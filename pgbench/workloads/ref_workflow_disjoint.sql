-- reference: full workflow, client c only uses books and readers of its own 1/16 of the dataset: no two clients share a boundary.
-- its query, then its CTE append with the highest sequence_number read as the expected max.
\set b (:client_id % 16) * (:nbooks / 16) + random(1, :nbooks / 16)
\set r (:client_id % 16) * (:nreaders / 16) + random(1, :nreaders / 16)
\set m 0
SELECT event_type, occurred_at, payload, metadata, sequence_number AS m FROM events
 WHERE ((event_type = 'BookCopyAddedToCirculation' OR event_type = 'BookCopyRemovedFromCirculation' OR event_type = 'ReaderRegistered' OR event_type = 'ReaderContractCanceled' OR event_type = 'BookCopyLentToReader' OR event_type = 'BookCopyReturnedByReader') AND (payload @> jsonb_build_object('BookID', '0b000000-0000-4000-8000-' || lpad(:b::text, 12, '0')) OR payload @> jsonb_build_object('ReaderID', '0a000000-0000-4000-8000-' || lpad(:r::text, 12, '0'))))
 ORDER BY sequence_number ASC \aset
WITH context AS (
  SELECT MAX(sequence_number) AS max_seq FROM events WHERE ((event_type = 'BookCopyAddedToCirculation' OR event_type = 'BookCopyRemovedFromCirculation' OR event_type = 'ReaderRegistered' OR event_type = 'ReaderContractCanceled' OR event_type = 'BookCopyLentToReader' OR event_type = 'BookCopyReturnedByReader') AND (payload @> jsonb_build_object('BookID', '0b000000-0000-4000-8000-' || lpad(:b::text, 12, '0')) OR payload @> jsonb_build_object('ReaderID', '0a000000-0000-4000-8000-' || lpad(:r::text, 12, '0'))))
)
INSERT INTO events (event_type, occurred_at, payload, metadata)
SELECT 'BookCopyLentToReader', now(), jsonb_build_object('BookID', '0b000000-0000-4000-8000-' || lpad(:b::text, 12, '0'), 'ReaderID', '0a000000-0000-4000-8000-' || lpad(:r::text, 12, '0')), jsonb_build_object('MessageID', gen_random_uuid(), 'CausationID', gen_random_uuid(), 'CorrelationID', gen_random_uuid())
  FROM context WHERE COALESCE(max_seq, 0) = :m;
