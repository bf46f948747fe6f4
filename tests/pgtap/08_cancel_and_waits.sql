-- pgTAP: lock waits are ordinary lock waits. A conditional append or a read that has to wait for an
-- in-flight append on its keys honours lock_timeout and statement_timeout, can be cancelled with
-- pg_cancel_backend, writes nothing when interrupted, and a read on another boundary does not wait.
-- A second session comes from dblink (contrib). Tags are unique to this file; the events the other
-- session commits stay in the store.
\ir lib/begin_sessions.sql
SELECT plan(11);

-- pgTAP's throws_ok catches WHEN OTHERS, which by design excludes query_canceled (57014).
CREATE FUNCTION pg_temp.sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN query_canceled OR others THEN
    RETURN SQLSTATE;
END $$;

SELECT 'cancel-' || md5(random()::text) AS run \gset
SELECT dblink_connect('other', :'dsn');
SELECT pid AS other_pid FROM dblink('other', 'SELECT pg_backend_pid()') AS t(pid int) \gset

-- The other session appends on tag X and keeps its transaction open.
SELECT dblink_exec('other', 'BEGIN');
SELECT * FROM dblink('other', format($q$SELECT dcb_append(NULL, NULL, %L)$q$,
       jsonb_build_object('type', 'Held', 'data', '{}'::jsonb, 'tags', jsonb_build_array(:'run' || ':x')))) AS t(seq bigint);

SET LOCAL lock_timeout = '100ms';
SELECT throws_ok(format($q$SELECT dcb_append(%L, 0, %L)$q$,
       jsonb_build_object('items', jsonb_build_array(jsonb_build_object('tags', jsonb_build_array(:'run' || ':x')))),
       jsonb_build_object('type', 'Mine', 'data', '{}'::jsonb, 'tags', jsonb_build_array(:'run' || ':mine'))),
       '55P03', NULL, 'a conditional append waiting on an in-flight append of its boundary honours lock_timeout');
SELECT is((SELECT count(*) FROM dcb.events WHERE tags @> ARRAY[:'run' || ':mine']), 0::bigint,
       'the interrupted append wrote nothing');
SELECT throws_ok(format($q$SELECT count(*) FROM dcb_read(%L)$q$,
       jsonb_build_object('items', jsonb_build_array(jsonb_build_object('tags', jsonb_build_array(:'run' || ':x'))))),
       '55P03', NULL, 'a read of that boundary waits for the in-flight append (and honours lock_timeout)');
SELECT lives_ok(format($q$SELECT count(*) FROM dcb_read(%L)$q$,
       jsonb_build_object('items', jsonb_build_array(jsonb_build_object('tags', jsonb_build_array(:'run' || ':y'))))),
       'a read of another boundary does not wait');
SELECT lives_ok(format($q$SELECT dcb_append(%L, 0, %L)$q$,
       jsonb_build_object('items', jsonb_build_array(jsonb_build_object('tags', jsonb_build_array(:'run' || ':y')))),
       jsonb_build_object('type', 'Other', 'data', '{}'::jsonb, 'tags', jsonb_build_array(:'run' || ':y'))),
       'a conditional append on another boundary does not wait');
SET LOCAL lock_timeout = 0;
SET LOCAL statement_timeout = '150ms';
SELECT is(pg_temp.sqlstate_of(format($q$SELECT dcb_append(%L, 0, %L)$q$,
       jsonb_build_object('items', jsonb_build_array(jsonb_build_object('types', jsonb_build_array('Held'), 'tags', jsonb_build_array(:'run' || ':x')))),
       jsonb_build_object('type', 'Mine', 'data', '{}'::jsonb, 'tags', jsonb_build_array(:'run' || ':mine')))),
       '57014', 'statement_timeout cancels a waiting append');
SET LOCAL statement_timeout = 0;

-- Once the other session commits, the condition sees its event.
SELECT dblink_exec('other', 'COMMIT');
SELECT throws_ok(format($q$SELECT dcb_append(%L, 0, %L)$q$,
       jsonb_build_object('items', jsonb_build_array(jsonb_build_object('tags', jsonb_build_array(:'run' || ':x')))),
       jsonb_build_object('type', 'Mine', 'data', '{}'::jsonb, 'tags', jsonb_build_array(:'run' || ':mine'))),
       '40001', 'dcb: append condition failed', 'after the commit the condition fails on the committed event');

-- pg_cancel_backend: now this session holds tag Z and the other session waits for it.
SELECT dcb_append(NULL, NULL, jsonb_build_object('type', 'HeldHere', 'data', '{}'::jsonb,
       'tags', jsonb_build_array(:'run' || ':z'))) > 0 AS appended \gset
SELECT dblink_send_query('other', format($q$SELECT dcb_append(%L, 0, %L)$q$,
       jsonb_build_object('items', jsonb_build_array(jsonb_build_object('tags', jsonb_build_array(:'run' || ':z')))),
       jsonb_build_object('type', 'Theirs', 'data', '{}'::jsonb, 'tags', jsonb_build_array(:'run' || ':theirs'))));
SELECT set_config('dcb_test.other_pid', :'other_pid', true) IS NOT NULL AS set \gset
SELECT ok(pg_temp.waiting(:other_pid, 'Lock'), 'the other session waits on this session''s append');
SELECT ok(pg_cancel_backend(:other_pid), 'pg_cancel_backend');
SELECT is(pg_temp.sqlstate_of($q$SELECT * FROM dblink_get_result('other') AS t(seq bigint)$q$), '57014',
       'the cancelled append fails with query_canceled');
SELECT dblink_disconnect('other');
SELECT is((SELECT count(*) FROM dcb.events WHERE tags @> ARRAY[:'run' || ':theirs']), 0::bigint,
       'the cancelled append wrote nothing');

SELECT * FROM finish();
ROLLBACK;
