--
-- dcb_operations: what an operator meets (README, "Operations"): a missing storage object is
-- reported with the statement that rebuilds it (never "drop and recreate the extension", which
-- would drop the log), the limits are settings only superusers (or roles granted SET) can change,
-- per role through ALTER ROLE ... SET, and the maintenance function runs with a pinned search_path.
--
\set VERBOSITY default
SET client_min_messages = warning;

-- A named store whose index went missing: the error names it and the hint rebuilds it.
SELECT dcb_create_store('ops');
SELECT dcb_append(NULL, NULL, '{"type": "A", "tags": ["ops:1"], "data": {}}', 'ops');
DROP INDEX dcb_ops.event_tags_tag_idx;
SELECT count(*) FROM dcb_read('{"items": [{"tags": ["ops:1"]}]}', store => 'ops');
CREATE INDEX event_tags_tag_idx ON dcb_ops.event_tags (tag_key, seq) INCLUDE (type_key, event_tid);
SELECT count(*) FROM dcb_read('{"items": [{"tags": ["ops:1"]}]}', store => 'ops');
-- The index of the events' second tags: the hint's statement rebuilds it, and reads find the event
-- through it again.
DROP INDEX dcb_ops.events_tag2_idx;
SELECT count(*) FROM dcb_read('{"items": [{"tags": ["ops:2"]}]}', store => 'ops');
CREATE INDEX events_tag2_idx ON dcb_ops.events (dcb.tag_key(tags, 2), seq, dcb.type_key(type)) WHERE cardinality(tags) >= 2;
SELECT dcb_append(NULL, NULL, '{"type": "A", "tags": ["ops:1", "ops:2"], "data": {}}', 'ops');
SELECT count(*) FROM dcb_read('{"items": [{"tags": ["ops:2"]}]}', store => 'ops');
DROP INDEX dcb_ops.events_id_idx;
SELECT dcb_append(NULL, NULL, '{"type": "A", "data": {}, "id": "00000000-0000-4000-8000-00000000000a"}', 'ops');
CREATE UNIQUE INDEX events_id_idx ON dcb_ops.events (id) WHERE id IS NOT NULL;
SELECT dcb_append(NULL, NULL, '{"type": "A", "data": {}, "id": "00000000-0000-4000-8000-00000000000a"}', 'ops');
-- The default store's alike.
BEGIN;
DROP INDEX dcb.events_type_idx;
SELECT count(*) FROM dcb_read('{"items": [{"types": ["A"]}]}');
ROLLBACK;
SELECT dcb_drop_store('ops', drop_events => true);

-- The limits are superuser settings.
CREATE ROLE dcb_ops_user LOGIN;
\c - dcb_ops_user
-- (once the library is loaded; a value set before waits in a placeholder, which loading it drops)
SELECT dcb_head() >= 0 AS loaded;
SET dcb.max_lock_keys = 10000000;
SET dcb.max_events_per_call = 1000000;
SET dcb.standby_reads = on;   -- only changes what the role's own reads accept
\c - postgres
GRANT SET ON PARAMETER dcb.max_lock_keys TO dcb_ops_user;
ALTER ROLE dcb_ops_user SET dcb.max_events_per_call = 2;
\c - dcb_ops_user
SET dcb.max_lock_keys = 100;
SHOW dcb.max_lock_keys;
SHOW dcb.max_events_per_call;
SELECT dcb_append(NULL, NULL, '[{"type": "A", "data": 1}, {"type": "A", "data": 2}, {"type": "A", "data": 3}]');
\c - postgres
REVOKE SET ON PARAMETER dcb.max_lock_keys FROM dcb_ops_user;
ALTER ROLE dcb_ops_user RESET ALL;
DROP ROLE dcb_ops_user;

-- The maintenance function does not depend on the caller's search_path.
SELECT proname, proconfig FROM pg_proc WHERE proname IN ('dcb_refresh_hints', 'dcb_create_store', 'dcb_drop_store') ORDER BY 1;
