-- dcb: a subscriber that only waits: dcb_wait until the head passes the last head seen (pgbench/follow runs N of
-- these beside the appending clients). Start with -D head=<head>.
SELECT dcb_wait(:head, '1 s') AS head \gset
