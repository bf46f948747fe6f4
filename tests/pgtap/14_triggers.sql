-- pgTAP: row triggers on the log's tables (docs/design.md, "Storage"). AFTER triggers see every
-- event; a BEFORE ROW trigger that skips or changes a row would make dcb report a write that did not
-- happen, so the append is refused (27000) with nothing written -- no event, no orphan tag row.
-- The events have three tags, so each has a dcb.event_tags row (the first two are indexed in the
-- event row).
\ir lib/begin.sql
CREATE FUNCTION pg_temp.tag_rows() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM dcb.event_tags $$;
CREATE TEMP TABLE seen (seq bigint, type text) ON COMMIT DROP;

SELECT plan(13);

-- An AFTER trigger sees every appended event, single or batched.
CREATE FUNCTION pg_temp.note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO seen VALUES (NEW.seq, NEW.type); RETURN NULL; END $$;
CREATE TRIGGER note AFTER INSERT ON dcb.events FOR EACH ROW EXECUTE FUNCTION pg_temp.note();
SELECT lives_ok($$SELECT dcb_append(NULL, NULL, '[{"type": "A", "tags": ["t:1", "u", "v"], "data": {}}, {"type": "B", "tags": ["t:2", "u", "v"], "data": {}}]')$$,
                'a batch with an AFTER trigger');
SELECT is((SELECT array_agg(type ORDER BY seq) FROM seen), ARRAY['A', 'B'], 'the AFTER trigger saw both events');
DROP TRIGGER note ON dcb.events;

-- A BEFORE trigger that returns NEW unchanged is fine.
CREATE FUNCTION pg_temp.pass() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER pass BEFORE INSERT ON dcb.events FOR EACH ROW EXECUTE FUNCTION pg_temp.pass();
SELECT is(pg_temp.err($$SELECT dcb_append(NULL, NULL, '{"type": "C", "tags": ["t:3", "u", "v"], "data": {"s": "a longer text value"}, "metadata": {"m": 1}}')$$),
          'no error', 'a BEFORE trigger returning NEW unchanged');
DROP TRIGGER pass ON dcb.events;
SELECT is(pg_temp.n(), 3::bigint, 'three events so far');

-- One that skips the row.
CREATE FUNCTION pg_temp.skip() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER skip BEFORE INSERT ON dcb.events FOR EACH ROW EXECUTE FUNCTION pg_temp.skip();
SELECT matches(pg_temp.err($$SELECT dcb_append(NULL, NULL, '{"type": "D", "tags": ["t:4", "u", "v"], "data": {}}')$$),
               '^27000: a trigger on dcb\.events skipped events\[0\]', 'a BEFORE trigger that skips the row: 27000');
SELECT matches(pg_temp.err($$SELECT dcb_append(NULL, NULL, '[{"type": "E", "tags": ["t:5", "u", "v"], "data": {}}, {"type": "F", "data": {}}]')$$),
               '^27000:', '...also in a batch');
DROP TRIGGER skip ON dcb.events;
SELECT is(pg_temp.n(), 3::bigint, 'nothing was written');
SELECT is(pg_temp.tag_rows(), 3::bigint, 'and no orphan tag row was left');

-- One that changes the row.
CREATE FUNCTION pg_temp.retype() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.type := 'Other'; RETURN NEW; END $$;
CREATE TRIGGER retype BEFORE INSERT ON dcb.events FOR EACH ROW EXECUTE FUNCTION pg_temp.retype();
SELECT matches(pg_temp.err($$SELECT dcb_append(NULL, NULL, '{"type": "G", "tags": ["t:6", "u", "v"], "data": {}}')$$),
               '^27000: a trigger on dcb\.events changed events\[0\]', 'a BEFORE trigger that changes the row: 27000');
DROP TRIGGER retype ON dcb.events;

-- On the tag table too.
CREATE TRIGGER skip BEFORE INSERT ON dcb.event_tags FOR EACH ROW EXECUTE FUNCTION pg_temp.skip();
SELECT matches(pg_temp.err($$SELECT dcb_append(NULL, NULL, '{"type": "H", "tags": ["t:7", "u", "v"], "data": {}}')$$),
               '^27000: a trigger on dcb\.event_tags skipped a tag row of events\[0\]', 'a trigger that skips a tag row: 27000');
DROP TRIGGER skip ON dcb.event_tags;
SELECT is(pg_temp.n(), 3::bigint, 'still nothing written');
SELECT is(pg_temp.tag_rows(), 3::bigint, 'and no tag row either');
SELECT is(dcb_append(NULL, NULL, '{"type": "I", "tags": ["t:8", "u", "v"], "data": {}}') > 0, true, 'without the triggers appends work');

SELECT * FROM finish();
ROLLBACK;
