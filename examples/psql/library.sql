-- examples/psql/library.sql — the library example as a psql walk-through.
--
-- A reader borrows a book copy. The decision "this copy is in circulation and not lent" spans the
-- copy's events AND the reader's events, so it reads one boundary across both entities and appends
-- on the condition that nothing in that boundary changed since the read.
\set ON_ERROR_STOP on
\set VERBOSITY default
\pset footer off
\echo
\echo '== 1. Register reader r1 and add book copy b1 (unconditional appends) =='
SELECT dcb_append(NULL, NULL, '{"type": "ReaderRegistered", "data": {"ReaderID": "r1", "Name": "Ada"}, "tags": ["ReaderID:r1"]}') AS seq;
SELECT dcb_append(NULL, NULL, '{"type": "BookCopyAddedToCirculation", "data": {"BookID": "b1", "ISBN": "978-3-16"}, "tags": ["BookID:b1"]}') AS seq;

\echo
\echo '== 2. The decision boundary for "lend b1 to r1": the copy''s history and the reader''s loans =='
\set boundary '{"items": [{"types": ["BookCopyAddedToCirculation", "BookCopyRemovedFromCirculation", "BookCopyLentToReader", "BookCopyReturnedByReader"], "tags": ["BookID:b1"]}, {"types": ["ReaderRegistered", "ReaderContractCanceled", "BookCopyLentToReader", "BookCopyReturnedByReader"], "tags": ["ReaderID:r1"]}]}'
SELECT seq, type, tags FROM dcb_read(:'boundary');
SELECT coalesce(max(seq), 0) AS seen FROM dcb_read(:'boundary') \gset
\echo 'both clerks read the boundary up to seq' :seen

\echo
\echo '== 3. Clerk A lends b1 to r1, on the condition that nothing in the boundary changed after' :seen '=='
SELECT dcb_append(:'boundary', :seen, '{"type": "BookCopyLentToReader", "data": {"BookID": "b1", "ReaderID": "r1"}, "tags": ["BookID:b1", "ReaderID:r1"]}') AS seq;

\echo
\echo '== 4. Clerk B decided on the same read and tries to lend b1 as well: the condition fails (40001) =='
\set ON_ERROR_STOP off
SELECT dcb_append(:'boundary', :seen, '{"type": "BookCopyLentToReader", "data": {"BookID": "b1", "ReaderID": "r1"}, "tags": ["BookID:b1", "ReaderID:r1"]}') AS seq;
\set ON_ERROR_STOP on

\echo
\echo '== 5. Clerk B reads again and sees why: the copy is already lent =='
SELECT seq, type, data FROM dcb_read(:'boundary', after => :seen);

\echo
\echo '== 6. Unrelated decisions never conflict: another reader registering meanwhile does not touch this boundary =='
SELECT dcb_append('{"items": [{"types": ["ReaderRegistered"], "tags": ["ReaderID:r2"]}]}', 0, '{"type": "ReaderRegistered", "data": {"ReaderID": "r2"}, "tags": ["ReaderID:r2"]}') AS seq;
SELECT dcb_head() AS head;
