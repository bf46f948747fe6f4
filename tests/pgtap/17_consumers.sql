-- pgTAP: consumer positions (README, "Consumers"): dcb_consumer_position / dcb_consumer_advance.
-- An unknown consumer is at 0; an advance is a compare-and-set from expected to seq in the
-- caller's transaction (40001 when the consumer is elsewhere, 22023 when seq < expected); each
-- store has its own consumers. (Two instances racing: tests/isolation/specs/consumer_advance_race.)
\ir lib/begin.sql

SELECT plan(45);

-- Surface.
SELECT has_function('dcb_consumer_position', ARRAY['text', 'text'], 'dcb_consumer_position(consumer, store) exists');
SELECT function_returns('dcb_consumer_position', ARRAY['text', 'text'], 'bigint', 'dcb_consumer_position returns bigint');
SELECT has_function('dcb_consumer_advance', ARRAY['text', 'bigint', 'bigint', 'text'], 'dcb_consumer_advance(consumer, expected, seq, store) exists');
SELECT function_returns('dcb_consumer_advance', ARRAY['text', 'bigint', 'bigint', 'text'], 'void', 'dcb_consumer_advance returns void');
SELECT is((SELECT proargnames FROM pg_proc WHERE proname = 'dcb_consumer_advance'), ARRAY['consumer', 'expected', 'seq', 'store'],
          'dcb_consumer_advance argument names');
SELECT is((SELECT proargnames FROM pg_proc WHERE proname = 'dcb_consumer_position'), ARRAY['consumer', 'store'],
          'dcb_consumer_position argument names');

-- An unknown consumer is at 0.
SELECT is(dcb_consumer_position('projection:a'), 0::bigint, 'an unknown consumer is at 0');
SELECT is((SELECT count(*) FROM dcb.consumers), 0::bigint, '... and asking stores nothing');

-- Compare-and-set.
SELECT lives_ok($$SELECT dcb_consumer_advance('projection:a', 0, 5)$$, 'a new consumer advances from 0');
SELECT is(dcb_consumer_position('projection:a'), 5::bigint, 'its position is the seq it advanced to');
SELECT is(pg_temp.err($$SELECT dcb_consumer_advance('projection:a', 0, 7)$$),
          '40001: another instance of consumer "projection:a" advanced it DETAIL: The consumer is at position 5, not at the expected 0.',
          'advancing from 0 again: 40001 naming the stored position');
SELECT is(dcb_consumer_position('projection:a'), 5::bigint, 'the failed advance changed nothing');
SELECT is(pg_temp.err($$SELECT dcb_consumer_advance('projection:a', 4, 7)$$),
          '40001: another instance of consumer "projection:a" advanced it DETAIL: The consumer is at position 5, not at the expected 4.',
          'advancing from a lower position: 40001');
SELECT is(pg_temp.err($$SELECT dcb_consumer_advance('projection:a', 6, 7)$$),
          '40001: another instance of consumer "projection:a" advanced it DETAIL: The consumer is at position 5, not at the expected 6.',
          'advancing from a higher position: 40001');
SELECT is(dcb_consumer_position('projection:a'), 5::bigint, 'still at 5');
SELECT lives_ok($$SELECT dcb_consumer_advance('projection:a', 5, 9)$$, 'advancing from the stored position');
SELECT is(dcb_consumer_position('projection:a'), 9::bigint, 'now at 9');
SELECT lives_ok($$SELECT dcb_consumer_advance('projection:a', 9, 9)$$, 'seq = expected is an advance by nothing');
SELECT is(dcb_consumer_position('projection:a'), 9::bigint, 'still at 9');
SELECT lives_ok($$SELECT dcb_consumer_advance('projection:a', 9, 9000000000)$$, 'positions are bigint');
SELECT is(dcb_consumer_position('projection:a'), 9000000000::bigint, 'at 9000000000');
SELECT is((SELECT count(*) FROM dcb.consumers WHERE consumer = 'projection:a'), 1::bigint, 'one row per consumer');

-- An unknown consumer is at 0 for advances too.
SELECT is(pg_temp.err($$SELECT dcb_consumer_advance('projection:b', 3, 7)$$),
          '40001: another instance of consumer "projection:b" advanced it DETAIL: The consumer is at position 0, not at the expected 3.',
          'an unknown consumer does not advance from 3');
SELECT is((SELECT count(*) FROM dcb.consumers WHERE consumer = 'projection:b'), 0::bigint, '... and is not stored');
SELECT lives_ok($$SELECT dcb_consumer_advance('projection:b', 0, 0)$$, 'an advance from 0 to 0 stores position 0');
SELECT lives_ok($$SELECT dcb_consumer_advance('projection:b', 0, 4)$$, '... from which it advances as from an unknown one');
SELECT is(dcb_consumer_position('projection:b'), 4::bigint, 'at 4');
SELECT lives_ok($$SELECT dcb_consumer_advance('projection:c', NULL, 2)$$, 'expected NULL is 0 (as expected_max of dcb_append)');
SELECT is(dcb_consumer_position('projection:c'), 2::bigint, 'at 2');
SELECT is(dcb_consumer_position('Projection:c'), 0::bigint, 'consumer names are case-sensitive');

-- Arguments (nothing is stored by a rejected call).
SELECT is(pg_temp.err($$SELECT dcb_consumer_advance('projection:a', 9000000000, 8999999999)$$),
          '22023: seq must not be below expected DETAIL: seq is 8999999999, expected is 9000000000: a consumer''s position never goes back.',
          'seq < expected: 22023');
SELECT is(pg_temp.err($$SELECT dcb_consumer_advance('projection:d', 0, -1)$$), '22023: seq must not be negative DETAIL: seq is -1.', 'negative seq: 22023');
SELECT is(pg_temp.err($$SELECT dcb_consumer_advance('projection:d', -1, 1)$$), '22023: expected must not be negative DETAIL: expected is -1.', 'negative expected: 22023');
SELECT is(pg_temp.err($$SELECT dcb_consumer_advance('projection:d', 0, NULL)$$), '22004: seq must not be null', 'NULL seq: 22004');
SELECT is(pg_temp.err($$SELECT dcb_consumer_advance(NULL, 0, 1)$$), '22004: consumer must not be null', 'NULL consumer: 22004');
SELECT is(pg_temp.err($$SELECT dcb_consumer_position(NULL)$$), '22004: consumer must not be null', 'NULL consumer (position): 22004');
SELECT is(pg_temp.err($$SELECT dcb_consumer_advance('', 0, 1)$$), '22023: consumer must be a non-empty string', 'empty consumer: 22023');
SELECT is(pg_temp.err(format('SELECT dcb_consumer_advance(%L, 0, 1)', repeat('c', 256))), '22023: consumer must be at most 255 bytes',
          'a consumer name of 256 bytes: 22023');
SELECT is((SELECT array_agg(consumer ORDER BY consumer) FROM dcb.consumers), ARRAY['projection:a', 'projection:b', 'projection:c'],
          'no rejected call stored anything');
SELECT is(dcb_consumer_position('projection:a'), 9000000000::bigint, 'and projection:a is where it was');

-- In the caller's transaction: a rolled-back advance is undone with the rest of the transaction.
SAVEPOINT s;
SELECT dcb_consumer_advance('projection:b', 4, 6);
ROLLBACK TO SAVEPOINT s;
SELECT is(dcb_consumer_position('projection:b'), 4::bigint, 'a rolled-back advance leaves the position');
SELECT lives_ok($$SELECT dcb_consumer_advance('projection:b', 4, 6)$$, '... and the same advance succeeds afterwards');

-- Stores: each has its own consumers.
SELECT dcb_create_store('consother');
SELECT dcb_consumer_advance('projection:a', 0, 3, 'consother');
SELECT is(dcb_consumer_position('projection:a', 'consother'), 3::bigint, 'the named store''s consumer');
SELECT is(dcb_consumer_position('projection:a'), 9000000000::bigint, 'the default store''s consumer of the same name is apart');
SELECT is((SELECT position FROM dcb_consother.consumers WHERE consumer = 'projection:a'), 3::bigint, 'the named store''s consumers live in its schema');

SELECT * FROM finish();
ROLLBACK;
