-- reference: full workflow, all clients lend the same few (hot_books) books starting from a fresh id range hot_base: heavy conflicts, 40001 retried by --max-tries.
-- its query, then its CTE append with the highest sequence_number read as the expected max.
\set b :hot_base + random(1, :hot_books)
\set r random(1, :nreaders)
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
