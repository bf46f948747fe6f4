-- number of events in the boundary (book :b OR reader :r, 6 types), reference side (see check_dcb.sql).
SELECT count(*) FROM events
 WHERE ((event_type = 'BookCopyAddedToCirculation' OR event_type = 'BookCopyRemovedFromCirculation' OR event_type = 'ReaderRegistered' OR event_type = 'ReaderContractCanceled' OR event_type = 'BookCopyLentToReader' OR event_type = 'BookCopyReturnedByReader')
   AND (payload @> jsonb_build_object('BookID', '0b000000-0000-4000-8000-' || lpad(:'b', 12, '0')) OR payload @> jsonb_build_object('ReaderID', '0a000000-0000-4000-8000-' || lpad(:'r', 12, '0'))));
