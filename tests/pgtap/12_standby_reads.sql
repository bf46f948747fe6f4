-- pgTAP: reads on a hot standby (docs/design.md, "Standbys"). G2 holds for
-- dcb_read and dcb_head without exception: a read never returns an event while a lower seq that
-- will still commit is missing, and no event committed later gets a seq <= dcb_head(). On a
-- standby the primary's key locks do not exist, so an in-flight lower seq is invisible there while
-- a higher one that committed first is already replayed.
--
-- Refusing dcb_read / dcb_head on a standby with an error would also keep G2 and passes.
--
-- Needs a streaming replica of this server (scripts/replica start; port from the psql variable
-- replica_port, default 54330) and dblink; skipped when the replica is not reachable. The events
-- committed through dblink stay in the store (their tags are unique to the run).
\if :{?replica_port}
\else
\set replica_port 54330
\endif
\ir lib/begin_sessions.sql

SELECT format('host=%s port=%s user=%s dbname=%s connect_timeout=3 options=-cstatement_timeout=10000', coalesce(host(inet_server_addr()), 'localhost'),
              :'replica_port', current_user, current_database()) AS replica_dsn,
       'standby-' || md5(random()::text) AS run \gset

CREATE FUNCTION pg_temp.replica_ok(dsn text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dblink_connect('replica', dsn);
    RETURN (SELECT r FROM dblink('replica', 'SELECT pg_is_in_recovery()') AS t(r boolean));
EXCEPTION WHEN OTHERS THEN
    RETURN false;
END $$;
-- Waits until the replica has replayed the primary's WAL up to now (at most 20 s).
CREATE FUNCTION pg_temp.await_replay() RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE target pg_lsn := (SELECT l FROM dblink('p2', 'SELECT pg_current_wal_flush_lsn()') AS t(l pg_lsn));
BEGIN
    FOR i IN 1..200 LOOP
        IF (SELECT l FROM dblink('replica', 'SELECT pg_last_wal_replay_lsn()') AS t(l pg_lsn)) >= target THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.1);
    END LOOP;
    RETURN false;
END $$;
-- The seqs a standby read of tag returns, or NULL when the standby refuses the read.
CREATE FUNCTION pg_temp.replica_read(tag text) RETURNS bigint[] LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT seen FROM dblink('replica', format('SELECT coalesce(array_agg(seq ORDER BY seq), ''{}'') FROM dcb_read(%L)',
                   jsonb_build_object('items', jsonb_build_array(jsonb_build_object('tags', jsonb_build_array(tag)))))) AS t(seen bigint[]));
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'the standby refused dcb_read: %', SQLERRM;
    RETURN NULL;
END $$;
CREATE FUNCTION pg_temp.replica_head() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT h FROM dblink('replica', 'SELECT dcb_head()') AS t(h bigint));
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'the standby refused dcb_head: %', SQLERRM;
    RETURN NULL;
END $$;
SELECT pg_temp.replica_ok(:'replica_dsn') AS have_replica \gset

SELECT plan(5);
\if :have_replica
SELECT dblink_connect('p1', :'dsn') \g /dev/null
SELECT dblink_connect('p2', :'dsn') \g /dev/null
-- a: an append held open on the primary (lower seq); b: a matching append that commits.
SELECT dblink_exec('p1', 'BEGIN') \g /dev/null
SELECT s AS seq_a FROM dblink('p1', format('SELECT dcb_append(NULL, NULL, %L)',
       jsonb_build_object('type', 'StandbyProbe', 'tags', jsonb_build_array(:'run'), 'data', jsonb_build_object('by', 'a'))))
       AS t(s bigint) \gset
SELECT s AS seq_b FROM dblink('p2', format('SELECT dcb_append(NULL, NULL, %L)',
       jsonb_build_object('type', 'StandbyProbe', 'tags', jsonb_build_array(:'run'), 'data', jsonb_build_object('by', 'b'))))
       AS t(s bigint) \gset
SELECT ok(:seq_a < :seq_b, 'the open append has the lower seq');
SELECT ok(pg_temp.await_replay(), 'the replica replayed the committed append');
SELECT diag(format('in flight on the primary: seq %s; committed: seq %s; the standby reads %s and reports dcb_head() = %s',
                   :seq_a, :seq_b, pg_temp.replica_read(:'run'), pg_temp.replica_head()));
SELECT ok(seen IS NULL OR NOT (:seq_b = ANY (seen) AND NOT :seq_a = ANY (seen)),
          'a standby read never returns the higher seq without the in-flight lower one (or is refused)')
  FROM pg_temp.replica_read(:'run') AS seen;
SELECT ok(h IS NULL OR h < :seq_a, 'dcb_head() on the standby stays below the in-flight seq, which commits later (or is refused)')
  FROM pg_temp.replica_head() AS h;
SELECT dblink_exec('p1', 'COMMIT') \g /dev/null
SELECT pg_temp.await_replay() \g /dev/null
SELECT ok(seen IS NULL OR seen = ARRAY[:seq_a, :seq_b]::bigint[], 'once both committed and replayed, the standby returns both (or is refused)')
  FROM pg_temp.replica_read(:'run') AS seen;
SELECT dblink_disconnect('p1'), dblink_disconnect('p2'), dblink_disconnect('replica') \g /dev/null
\else
SELECT skip('no streaming replica on port ' || :'replica_port' || ' (scripts/replica start)', 5);
\endif

SELECT * FROM finish();
ROLLBACK;
