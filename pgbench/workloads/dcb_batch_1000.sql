-- dcb: unconditional append of a batch of 1000 events (filter NULL). Each client fetches its batch once (a
-- 1000-event JSON array of noise events from bench_batches, prepared by pgbench/run; pgbench -D loaded=0) and
-- then sends it as a parameter on every transaction, as an application would.
\if :loaded = 0
SELECT body::text AS batch, 1 AS loaded FROM bench_batches WHERE size = 1000 AND k = :client_id % 8 \gset
\endif
SELECT dcb_append(NULL, NULL, :batch::jsonb);
