-- dcb: a subscriber following the whole log: wait until the head passes the last head seen, then read
-- what came after it (pgbench/follow runs N of these beside the appending clients). Start with -D head=<head>.
\set prev :head
SELECT dcb_wait(:prev, '1 s') AS head \gset
SELECT count(*) FROM dcb_read(NULL, :prev, 10000);
