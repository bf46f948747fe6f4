-- reference: conditional append for a new entity, the reference's CTE statement (expected max 0).
\set nb random(100000000000, 999999999999)
WITH context AS (
  SELECT MAX(sequence_number) AS max_seq FROM events WHERE ((event_type = 'BookCopyAddedToCirculation' OR event_type = 'BookCopyRemovedFromCirculation' OR event_type = 'ReaderRegistered' OR event_type = 'ReaderContractCanceled' OR event_type = 'BookCopyLentToReader' OR event_type = 'BookCopyReturnedByReader') AND (payload @> jsonb_build_object('BookID', '0b000000-0000-4000-8000-' || lpad(:nb::text, 12, '0'))))
)
INSERT INTO events (event_type, occurred_at, payload, metadata)
SELECT 'BookCopyAddedToCirculation', now(), jsonb_build_object('BookID', '0b000000-0000-4000-8000-' || lpad(:nb::text, 12, '0'), 'ISBN', '978-3-16-148410-0', 'Title', 'A new book', 'Authors', 'Some Author', 'Edition', '1', 'Publisher', 'Some Publisher', 'PublicationYear', 2025), jsonb_build_object('MessageID', gen_random_uuid(), 'CausationID', gen_random_uuid(), 'CorrelationID', gen_random_uuid())
  FROM context WHERE COALESCE(max_seq, 0) = 0;
