-- dcb: conditional append for a new entity (a new book; its boundary: 6 types, BookID tag; expected 0).
\set nb random(100000000000, 999999999999)
SELECT dcb_append(format('{"items":[{"types":["BookCopyAddedToCirculation","BookCopyRemovedFromCirculation","ReaderRegistered","ReaderContractCanceled","BookCopyLentToReader","BookCopyReturnedByReader"],"tags":["BookID:%s"]}]}', '0b000000-0000-4000-8000-' || lpad(:nb::text, 12, '0'))::jsonb, 0,
  jsonb_build_object('type', 'BookCopyAddedToCirculation', 'tags', jsonb_build_array('BookID:' || '0b000000-0000-4000-8000-' || lpad(:nb::text, 12, '0')),
                     'data', jsonb_build_object('BookID', '0b000000-0000-4000-8000-' || lpad(:nb::text, 12, '0'), 'ISBN', '978-3-16-148410-0', 'Title', 'A new book', 'Authors', 'Some Author', 'Edition', '1', 'Publisher', 'Some Publisher', 'PublicationYear', 2025), 'metadata', jsonb_build_object('MessageID', gen_random_uuid(), 'CausationID', gen_random_uuid(), 'CorrelationID', gen_random_uuid())));
