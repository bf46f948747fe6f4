-- dcb: full workflow, client c only uses books and readers of its own 1/16 of the dataset: no two clients share a boundary.
-- read the boundary (all rows to the client; \aset keeps the last row, i.e. the highest seq), decide
-- (trivially: lend), append conditionally on "nothing new in the boundary since m".
\set b (:client_id % 16) * (:nbooks / 16) + random(1, :nbooks / 16)
\set r (:client_id % 16) * (:nreaders / 16) + random(1, :nreaders / 16)
\set m 0
SELECT seq AS m, type, tags, data, metadata, occurred_at FROM dcb_read(format('{"items":[{"types":["BookCopyAddedToCirculation","BookCopyRemovedFromCirculation","ReaderRegistered","ReaderContractCanceled","BookCopyLentToReader","BookCopyReturnedByReader"],"tags":["BookID:%s"]},{"types":["BookCopyAddedToCirculation","BookCopyRemovedFromCirculation","ReaderRegistered","ReaderContractCanceled","BookCopyLentToReader","BookCopyReturnedByReader"],"tags":["ReaderID:%s"]}]}', '0b000000-0000-4000-8000-' || lpad(:b::text, 12, '0'), '0a000000-0000-4000-8000-' || lpad(:r::text, 12, '0'))::jsonb) \aset
SELECT dcb_append(format('{"items":[{"types":["BookCopyAddedToCirculation","BookCopyRemovedFromCirculation","ReaderRegistered","ReaderContractCanceled","BookCopyLentToReader","BookCopyReturnedByReader"],"tags":["BookID:%s"]},{"types":["BookCopyAddedToCirculation","BookCopyRemovedFromCirculation","ReaderRegistered","ReaderContractCanceled","BookCopyLentToReader","BookCopyReturnedByReader"],"tags":["ReaderID:%s"]}]}', '0b000000-0000-4000-8000-' || lpad(:b::text, 12, '0'), '0a000000-0000-4000-8000-' || lpad(:r::text, 12, '0'))::jsonb, :m,
  jsonb_build_object('type', 'BookCopyLentToReader',
                     'tags', jsonb_build_array('BookID:' || '0b000000-0000-4000-8000-' || lpad(:b::text, 12, '0'), 'ReaderID:' || '0a000000-0000-4000-8000-' || lpad(:r::text, 12, '0')),
                     'data', jsonb_build_object('BookID', '0b000000-0000-4000-8000-' || lpad(:b::text, 12, '0'), 'ReaderID', '0a000000-0000-4000-8000-' || lpad(:r::text, 12, '0')), 'metadata', jsonb_build_object('MessageID', gen_random_uuid(), 'CausationID', gen_random_uuid(), 'CorrelationID', gen_random_uuid())));
