-- dcb: read one decision boundary (book b OR reader r, 6 event types; ~30 events), all rows to the client.
\set b random(1, :nbooks)
\set r random(1, :nreaders)
SELECT seq, type, tags, data, metadata, occurred_at FROM dcb_read(format('{"items":[{"types":["BookCopyAddedToCirculation","BookCopyRemovedFromCirculation","ReaderRegistered","ReaderContractCanceled","BookCopyLentToReader","BookCopyReturnedByReader"],"tags":["BookID:%s"]},{"types":["BookCopyAddedToCirculation","BookCopyRemovedFromCirculation","ReaderRegistered","ReaderContractCanceled","BookCopyLentToReader","BookCopyReturnedByReader"],"tags":["ReaderID:%s"]}]}', '0b000000-0000-4000-8000-' || lpad(:b::text, 12, '0'), '0a000000-0000-4000-8000-' || lpad(:r::text, 12, '0'))::jsonb);
