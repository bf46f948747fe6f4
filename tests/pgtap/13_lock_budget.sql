-- pgTAP: the lock-key budget (README, "Limits and settings"; docs/design.md, "Escalation"). It
-- counts the keys a transaction actually holds: keys taken in a subtransaction that rolled back
-- are released with it and no longer count, and one call never holds more than the budget it has
-- left (its check keys included). Observed in pg_locks, where the keys are advisory locks with
-- objsubid 3531.
\ir lib/begin.sql
-- dcb keys this backend holds.
CREATE FUNCTION pg_temp.keys() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory' AND objsubid = 3531 $$;

SELECT plan(6);

-- One call holds at most the budget it has left, check keys included: with 20 keys left, an event
-- with three tags (14 write keys) and a condition whose keys would not fit into the 6 keys that
-- remain, before and after the call.
CREATE TEMP TABLE held ON COMMIT DROP AS SELECT pg_temp.keys() AS before;
DO $$BEGIN PERFORM set_config('dcb.max_lock_keys', ((SELECT before FROM held) + 20)::text, true); END$$;
SELECT lives_ok($$SELECT dcb_append(
    (SELECT jsonb_build_object('items', jsonb_agg(jsonb_build_object('types', jsonb_build_array('T' || i), 'tags', jsonb_build_array('budget:' || i))))
       FROM generate_series(1, 10) i),
    0, '{"type": "Budget", "tags": ["b:1", "b:2", "b:3"], "data": {}}')$$, 'an append whose keys fill the budget');
SELECT cmp_ok(pg_temp.keys() - (SELECT before FROM held), '<=', 20::bigint,
              'after the call, the transaction holds no more than the 20 keys it had left');

-- A PL/pgSQL loop that appends and catches an error 60 times, the natural way to retry inside a
-- function: every subtransaction rolls back, and with it the keys it took.
-- (relative to the keys the call above still holds)
UPDATE held SET before = pg_temp.keys();
DO $$BEGIN PERFORM set_config('dcb.max_lock_keys', ((SELECT before FROM held) + 64)::text, true); END$$;
DO $$BEGIN
    FOR i IN 1..60 LOOP
        BEGIN
            PERFORM dcb_append(NULL, NULL, jsonb_build_object('type', 'Try', 'tags', jsonb_build_array('try:' || i), 'data', i));
            RAISE EXCEPTION 'roll back this attempt' USING ERRCODE = 'P0001';
        EXCEPTION WHEN sqlstate 'P0001' THEN NULL;
        END;
    END LOOP;
END$$;
SELECT is(pg_temp.keys() - (SELECT before FROM held), 0::bigint, 'no key is held after 60 rolled-back attempts');
-- The next append is within the budget: it takes its own write keys (three new ones: (*,*) is held
-- already), not the one Escalated key.
SELECT lives_ok($$SELECT dcb_append('{"items": [{"tags": ["after:1"]}]}', 0, '{"type": "After", "tags": ["after:1"], "data": {}}')$$,
                'a conditional append after the loop');
SELECT is(pg_temp.keys() - (SELECT before FROM held), 3::bigint, 'it takes its own write keys: rolled-back attempts did not spend the budget');

-- Committed subtransactions hand their keys to the parent: they keep counting.
DO $$BEGIN
    FOR i IN 1..20 LOOP
        BEGIN
            PERFORM dcb_append(NULL, NULL, jsonb_build_object('type', 'Kept', 'tags', jsonb_build_array('kept:' || i), 'data', i));
        EXCEPTION WHEN OTHERS THEN RAISE;
        END;
    END LOOP;
END$$;
SELECT cmp_ok(pg_temp.keys() - (SELECT before FROM held), '<=', 64 + 2::bigint, 'committed subtransactions count: the transaction stays within its budget');

SELECT * FROM finish();
ROLLBACK;
