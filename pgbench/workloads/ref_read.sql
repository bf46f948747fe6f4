-- reference: the same boundary read with the reference library's query (OR-ed event_type =, OR-ed payload @>).
\set b random(1, :nbooks)
\set r random(1, :nreaders)
SELECT event_type, occurred_at, payload, metadata, sequence_number FROM events
 WHERE ((event_type = 'BookCopyAddedToCirculation' OR event_type = 'BookCopyRemovedFromCirculation' OR event_type = 'ReaderRegistered' OR event_type = 'ReaderContractCanceled' OR event_type = 'BookCopyLentToReader' OR event_type = 'BookCopyReturnedByReader') AND (payload @> jsonb_build_object('BookID', '0b000000-0000-4000-8000-' || lpad(:b::text, 12, '0')) OR payload @> jsonb_build_object('ReaderID', '0a000000-0000-4000-8000-' || lpad(:r::text, 12, '0'))))
 ORDER BY sequence_number ASC;
