-- floor: the same event as dcb_append.sql, single-row INSERT + COMMIT into a table whose only index is a bigint PK.
\set nb random(100000000000, 999999999999)
INSERT INTO floor_events (type, tags, data, metadata, occurred_at)
VALUES ('BookCopyAddedToCirculation', ARRAY['BookID:' || '0b000000-0000-4000-8000-' || lpad(:nb::text, 12, '0')], jsonb_build_object('BookID', '0b000000-0000-4000-8000-' || lpad(:nb::text, 12, '0'), 'ISBN', '978-3-16-148410-0', 'Title', 'A new book', 'Authors', 'Some Author', 'Edition', '1', 'Publisher', 'Some Publisher', 'PublicationYear', 2025), jsonb_build_object('MessageID', gen_random_uuid(), 'CausationID', gen_random_uuid(), 'CorrelationID', gen_random_uuid()), now());
