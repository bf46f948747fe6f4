-- dcb: the append of the reference's lend decision: a condition of two items (the copy's and the reader's
-- boundary, six types each) and an event with two tags. expected_max is above every position, so the
-- condition holds: the figure is the append's own cost (keys, check, insert), not conflicts.
\set b random(1, :nbooks)
\set r random(1, :nreaders)
SELECT dcb_append(format('{"items":[{"types":["BookCopyAddedToCirculation","BookCopyRemovedFromCirculation","ReaderRegistered","ReaderContractCanceled","BookCopyLentToReader","BookCopyReturnedByReader"],"tags":["BookID:%s"]},{"types":["BookCopyAddedToCirculation","BookCopyRemovedFromCirculation","ReaderRegistered","ReaderContractCanceled","BookCopyLentToReader","BookCopyReturnedByReader"],"tags":["ReaderID:%s"]}]}', '0b000000-0000-4000-8000-' || lpad(:b::text, 12, '0'), '0a000000-0000-4000-8000-' || lpad(:r::text, 12, '0'))::jsonb, 9223372036854775806,
  jsonb_build_object('type', 'BookCopyLentToReader',
                     'tags', jsonb_build_array('BookID:' || '0b000000-0000-4000-8000-' || lpad(:b::text, 12, '0'), 'ReaderID:' || '0a000000-0000-4000-8000-' || lpad(:r::text, 12, '0')),
                     'data', jsonb_build_object('BookID', '0b000000-0000-4000-8000-' || lpad(:b::text, 12, '0'), 'ReaderID', '0a000000-0000-4000-8000-' || lpad(:r::text, 12, '0')), 'metadata', jsonb_build_object('MessageID', gen_random_uuid(), 'CausationID', gen_random_uuid(), 'CorrelationID', gen_random_uuid())));
