-- pgTAP: dcb_read paging: after (exclusive), max_count, backwards, their combinations with a
-- filter, and the 22023 errors for a negative after / non-positive max_count.
\ir lib/begin.sql

CREATE TEMP TABLE ev (label text PRIMARY KEY, seq bigint NOT NULL UNIQUE) ON COMMIT DROP;
CREATE FUNCTION pg_temp.put(text, jsonb) RETURNS bigint LANGUAGE sql
AS $$ INSERT INTO ev VALUES ($1, dcb_append(NULL, NULL, $2)) RETURNING seq $$;
CREATE FUNCTION pg_temp.s(text) RETURNS bigint LANGUAGE sql AS $$ SELECT seq FROM ev WHERE label = $1 $$;
CREATE FUNCTION pg_temp.labels(jsonb, bigint DEFAULT 0, integer DEFAULT NULL, boolean DEFAULT false) RETURNS text LANGUAGE sql
AS $$ SELECT coalesce(string_agg(coalesce(e.label, '#' || r.seq), ',' ORDER BY r.ordinality), '')
        FROM dcb_read($1, $2, $3, $4) WITH ORDINALITY AS r LEFT JOIN ev e ON e.seq = r.seq $$;
-- sqlstate: message [DETAIL: detail] of the error q raises, or 'no error'.

DO $$BEGIN
    PERFORM pg_temp.put('e1', '{"type": "A", "tags": ["p:1"], "data": {}}');
    PERFORM pg_temp.put('e2', '{"type": "B", "tags": ["p:1"], "data": {}}');
    PERFORM pg_temp.put('e3', '{"type": "A", "tags": ["p:1", "p:2"], "data": {}}');
    PERFORM pg_temp.put('e4', '{"type": "B", "tags": ["p:2"], "data": {}}');
    PERFORM pg_temp.put('e5', '{"type": "A", "tags": ["p:1"], "data": {}}');
    PERFORM pg_temp.put('e6', '{"type": "B", "tags": ["p:1", "p:2"], "data": {}}');
END$$;

SELECT plan(35);

-- after: strictly greater than.
SELECT is(pg_temp.labels(NULL, 0), 'e1,e2,e3,e4,e5,e6', 'after 0 is the whole log');
SELECT is(pg_temp.labels(NULL, pg_temp.s('e2')), 'e3,e4,e5,e6', 'after is exclusive');
SELECT is(pg_temp.labels(NULL, pg_temp.s('e2') - 1), 'e2,e3,e4,e5,e6', 'after just below a seq includes it');
SELECT is(pg_temp.labels(NULL, pg_temp.s('e6')), '', 'after the last seq returns nothing');
SELECT is(pg_temp.labels(NULL, dcb_head()), '', 'after dcb_head() returns nothing');
SELECT is(pg_temp.labels(NULL, pg_temp.s('e6') + 1000000), '', 'after beyond the head returns nothing');
SELECT is(pg_temp.labels(NULL, 9223372036854775807), '', 'after = the largest bigint returns nothing');
SELECT is(pg_temp.labels(NULL, 9223372036854775807, 1, true), '', '...backwards too');
SELECT is(pg_temp.labels('{"items": [{"types": ["A"]}]}', pg_temp.s('e1')), 'e3,e5', 'after with a filter');
SELECT is(pg_temp.labels('{"items": [{"tags": ["p:2"]}]}', pg_temp.s('e3')), 'e4,e6', 'after with a tag filter');
SELECT is(pg_temp.labels('{"items": [{"tags": ["p:2"]}]}', pg_temp.s('e2')), 'e3,e4,e6', 'after between two matches');

-- max_count: a limit on the rows returned, applied after the filter.
SELECT is(pg_temp.labels(NULL, 0, 2), 'e1,e2', 'max_count 2 returns the first two');
SELECT is(pg_temp.labels(NULL, 0, 1), 'e1', 'max_count 1 returns the first');
SELECT is(pg_temp.labels(NULL, 0, 6), 'e1,e2,e3,e4,e5,e6', 'max_count equal to the size returns all');
SELECT is(pg_temp.labels(NULL, 0, 1000), 'e1,e2,e3,e4,e5,e6', 'max_count above the size returns all');
SELECT is(pg_temp.labels(NULL, 0, NULL), 'e1,e2,e3,e4,e5,e6', 'max_count NULL means no limit');
SELECT is(pg_temp.labels('{"items": [{"types": ["B"]}]}', 0, 2), 'e2,e4', 'max_count counts matching events only');
SELECT is(pg_temp.labels('{"items": [{"types": ["B"]}]}', pg_temp.s('e2'), 1), 'e4', 'filter + after + max_count');
SELECT is(pg_temp.labels('{"items": [{"types": ["A"]}, {"tags": ["p:2"]}]}', 0, 3), 'e1,e3,e4',
          'max_count over several items counts each event once');

-- backwards: newest first, still seq > after.
SELECT is(pg_temp.labels(NULL, 0, NULL, true), 'e6,e5,e4,e3,e2,e1', 'backwards returns newest first');
SELECT is(pg_temp.labels(NULL, 0, 1, true), 'e6', 'backwards, max_count 1 is the last event');
SELECT is(pg_temp.labels(NULL, 0, 2, true), 'e6,e5', 'backwards, max_count 2');
SELECT is(pg_temp.labels('{"items": [{"types": ["A"]}]}', 0, 1, true), 'e5', 'the last matching event');
SELECT is(pg_temp.labels('{"items": [{"tags": ["p:2"]}]}', 0, NULL, true), 'e6,e4,e3', 'backwards with a tag filter');
SELECT is(pg_temp.labels('{"items": [{"types": ["A"], "tags": ["p:2"]}, {"types": ["B"], "tags": ["p:1"]}]}', 0, NULL, true),
          'e6,e3,e2', 'backwards over several items, each event once');
SELECT is(pg_temp.labels(NULL, pg_temp.s('e2'), NULL, true), 'e6,e5,e4,e3', 'backwards keeps seq > after');
SELECT is(pg_temp.labels(NULL, pg_temp.s('e4'), 5, true), 'e6,e5', 'backwards with after and a large max_count');
SELECT is(pg_temp.labels('{"items": [{"types": ["B"]}]}', pg_temp.s('e1'), 1, true), 'e6', 'backwards + filter + after + max_count');
SELECT is(pg_temp.labels(NULL, 0, NULL, false), 'e1,e2,e3,e4,e5,e6', 'backwards false is ascending');
SELECT is(pg_temp.labels(NULL, pg_temp.s('e6'), 1, true), '', 'backwards after the last seq returns nothing');

-- Bad paging arguments.
SELECT matches(pg_temp.err('SELECT * FROM dcb_read(NULL, -1)'), '^22023: .*after', 'negative after is 22023 naming after');
SELECT matches(pg_temp.err('SELECT * FROM dcb_read(NULL, 0, 0)'), '^22023: .*max_count', 'max_count 0 is 22023 naming max_count');
SELECT matches(pg_temp.err('SELECT * FROM dcb_read(NULL, 0, -5)'), '^22023: .*max_count', 'negative max_count is 22023');
SELECT matches(pg_temp.err('SELECT * FROM dcb_read(''{"items": [{"types": ["A"]}]}'', -100, 1, true)'), '^22023: .*after',
               'negative after is rejected with a filter and backwards too');
SELECT is(pg_temp.err('SELECT * FROM dcb_read(NULL, 0, 2147483647)'), 'no error', 'the largest max_count is accepted');

SELECT * FROM finish();
ROLLBACK;
