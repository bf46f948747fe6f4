-- Batches for the unconditional-append workloads (dcb_batch_*.sql): 8 arrays of 100 and 8 of 1000 events,
-- taken from the noise events of the dataset. Only noise: every transaction appends its batch again, and
-- copies of library events would grow the book/reader boundaries that the other workloads read.
DROP TABLE IF EXISTS bench_batches;
CREATE TABLE bench_batches (size integer, k integer, body jsonb, PRIMARY KEY (size, k));
CREATE TEMP TABLE noise AS
SELECT row_number() OVER (ORDER BY n) AS i, type, tags, data, metadata
  FROM (SELECT * FROM bench_load
         WHERE type NOT IN ('BookCopyAddedToCirculation', 'BookCopyRemovedFromCirculation', 'ReaderRegistered',
                            'ReaderContractCanceled', 'BookCopyLentToReader', 'BookCopyReturnedByReader')
         ORDER BY n LIMIT 8000) AS first_noise;
INSERT INTO bench_batches
SELECT s.size, k,
       (SELECT jsonb_agg(jsonb_build_object('type', type, 'tags', tags, 'data', data, 'metadata', metadata) ORDER BY i)
          FROM noise WHERE i > k * s.size AND i <= (k + 1) * s.size)
  FROM (VALUES (100), (1000)) AS s(size), generate_series(0, 7) AS k;
