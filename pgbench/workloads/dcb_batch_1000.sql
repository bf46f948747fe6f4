-- dcb: unconditional append of a batch of 1000 events (filter NULL). Each client fetches its batch once (a
-- 1000-event JSON array from bench_batches, prepared by pgbench/run) and then sends it as a parameter on
-- every transaction, as an application would.
\if :{?batch}
\else
SELECT body::text AS batch FROM bench_batches WHERE size = 1000 AND k = :client_id % 8 \gset
\endif
SELECT dcb_append(NULL, NULL, :batch::jsonb);
