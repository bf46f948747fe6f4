/*
 * stats.hpp — the server's statistics of each store (the view dcb_stats, dcb_stats_reset()),
 * counted in the store's shared memory slot (shmem.hpp) with atomic additions: no lock is taken
 * to count.
 *
 * What a transaction wrote -- appends, events, escalations -- is counted when it commits. The
 * calls add to a short list of this backend, per subtransaction level; a subtransaction that rolls
 * back drops its part, one that commits hands it to its parent, a rollback drops everything, and the
 * commit adds the list to the counters (from the commit callback, while the transaction still holds
 * its locks, so the store cannot have been dropped). A prepared transaction is counted when it is
 * prepared. Everything else is counted when it happens: conflicts (40001), idempotent replays,
 * reads and the rows they returned, dcb_wait calls, and the waits of appends and reads for other
 * transactions with their time (lock_wait_begins/lock_wait_ends around a wait that did not succeed
 * at once, so the path without waiting pays nothing).
 *
 * Without shared memory (the library is not preloaded) nothing is counted and dcb_stats refuses
 * with 55000.
 */
#pragma once

#include "pg/catalog.hpp"
#include "pg/postgres.hpp"

namespace dcb::pg {

/* An append of the current (sub)transaction wrote events: counted if it commits. */
void count_append(const Store &store, int64 events, bool escalated);
/* Counted now. */
void count_idempotent_replay(const Store &store);
void count_conflict(const Store &store);
void count_read(const Store &store, int64 rows);
void count_wait(const Store &store);

/* A wait for another transaction: begins when a lock or a transaction was not available at once. */
struct LockWait
{
	instr_time start;
};
DCB_PG_FRAME_TYPE(LockWait);
LockWait lock_wait_begins();
void lock_wait_ends(const Store &store, LockWait wait);

/* Registers the transaction callbacks that count at commit (from _PG_init). */
void register_stats_accounting();

} // namespace dcb::pg
