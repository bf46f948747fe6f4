/*
 * consumers.hpp — a store's consumer positions (checkpoints): the last position a consumer (a
 * projection, a process manager, an integration) has processed, advanced by compare-and-set in the
 * caller's transaction.
 *
 * The advance is one UPDATE ... WHERE position = expected (or, from 0, one INSERT ... ON CONFLICT
 * DO UPDATE ... WHERE position = 0). At READ COMMITTED a concurrent advance of the same consumer
 * waits for the row lock of the first one's transaction and then re-evaluates the condition on what
 * it committed: it fails if the first committed another position, and succeeds if the first rolled
 * back. So the committed advances of a consumer form one chain of positions, each transaction
 * owning the events between the position it expected and the one it stored, which is what makes a
 * projection that writes its read model and its position in one transaction apply each event once.
 *
 * SQL: dcb_consumer_position(consumer, store), dcb_consumer_advance(consumer, expected, seq, store)
 * — the entry points are in consumers.cpp.
 */
#pragma once

#include "pg/catalog.hpp"
#include "pg/postgres.hpp"

namespace dcb::pg {

/* The stored position of a consumer, 0 when there is none. */
int64 consumer_position(const Store &store, const char *consumer);

/* Stores seq as the consumer's position if it is at expected (0: also when unknown); 40001 naming
 * the stored position otherwise. */
void advance_consumer(const Store &store, const char *consumer, int64 expected, int64 seq);

} // namespace dcb::pg
