-- floor: the batch of dcb_batch_1000.sql (same 1000 noise events, fetched once per client and sent as a
-- parameter) as one INSERT ... SELECT + COMMIT into the floor table (bigint primary key only).
\if :loaded = 0
SELECT body::text AS batch, 1 AS loaded FROM bench_batches WHERE size = 1000 AND k = :client_id % 8 \gset
\endif
INSERT INTO floor_events (type, tags, data, metadata, occurred_at)
SELECT e->>'type', ARRAY(SELECT jsonb_array_elements_text(e->'tags')), e->'data', e->'metadata', now()
  FROM jsonb_array_elements(:batch::jsonb) AS e;
