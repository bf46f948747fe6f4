-- Loads the dataset (COPYed into bench_load by pgbench/run) into the dcb extension through dcb_append():
-- batches of :batch events in dataset order, one transaction per batch, unconditional (filter NULL).
-- Nothing writes into the dcb.* tables directly.
CREATE OR REPLACE PROCEDURE bench_load_run(batch integer)
LANGUAGE plpgsql AS $$
DECLARE
    lo   bigint := 1;
    maxn bigint;
BEGIN
    SELECT max(n) INTO maxn FROM bench_load;
    WHILE lo <= maxn LOOP
        PERFORM dcb_append(NULL, NULL,
            (SELECT jsonb_agg(jsonb_build_object('type', type, 'tags', tags, 'data', data,
                                                 'metadata', metadata, 'occurred_at', occurred_at) ORDER BY n)
               FROM bench_load WHERE n >= lo AND n < lo + batch));
        COMMIT;
        lo := lo + batch;
    END LOOP;
END $$;
