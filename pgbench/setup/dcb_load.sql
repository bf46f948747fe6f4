-- Loads the dataset into the dcb extension through dcb_append(): pgbench/run COPYs the file into
-- bench_load, this script groups it into JSON arrays of :batch events (bench_load_batches, untimed), and
-- bench_load_run() appends them in dataset order, one dcb_append(NULL, NULL, <array>) and one transaction per
-- batch (timed). Nothing writes into the dcb.* tables directly.
CREATE TABLE bench_load_batches AS
SELECT (n - 1) / :batch AS b,
       jsonb_agg(jsonb_build_object('type', type, 'tags', tags, 'data', data, 'metadata', metadata,
                                    'occurred_at', occurred_at) ORDER BY n) AS body
  FROM bench_load GROUP BY 1;
ALTER TABLE bench_load_batches ADD PRIMARY KEY (b);

CREATE PROCEDURE bench_load_run()
LANGUAGE plpgsql AS $$
DECLARE
    nb bigint;
BEGIN
    SELECT max(b) INTO nb FROM bench_load_batches;
    FOR i IN 0 .. nb LOOP
        PERFORM dcb_append(NULL, NULL, (SELECT body FROM bench_load_batches WHERE b = i));
        COMMIT;
    END LOOP;
END $$;
