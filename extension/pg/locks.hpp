/*
 * locks.hpp — a store's keys as heavyweight locks.
 *
 * Keys live in the advisory (user) lock method, in a key space of their own (field4 = 0xDCB, shown
 * as objsubid 3531 in pg_locks), so they cannot collide with pg_advisory_lock() keys; a store other
 * than the default one mixes its key space into every key (core/keys.hpp, store_key). Waits are
 * ordinary lock waits: they honour lock_timeout and statement_timeout, can be cancelled, and are seen
 * by the deadlock detector. Which keys to take, and why, is the append's and the read's business
 * (append.cpp, read.cpp); this file only talks to the lock manager and keeps the budget.
 */
#pragma once

#include "core/lock_plan.hpp"
#include "pg/catalog.hpp"
#include "pg/filter_input.hpp"
#include "pg/postgres.hpp"

namespace dcb::pg {

/* The check keys of a filter (condition_check_keys over its items, at most max_keys of them),
 * palloc'd; *check_all when it checks (*,*) instead. */
Key *filter_check_keys(const Filter &filter, size_t max_keys, size_t *nkeys, bool *check_all);

/* Lock keys this transaction may still hold (dcb.max_lock_keys minus the keys it holds now). */
size_t lock_key_budget_left();
/* The whole budget (dcb.max_lock_keys). */
size_t lock_key_budget();

/*
 * Takes the planned keys in plan order (ascending keys): the write and id keys in the modes their
 * bits map to, held to the end of the transaction and counted against its budget, and the check
 * keys in ShareLock, held until release_check_keys (a key with both bits is taken in
 * ShareRowExclusiveLock until then, and in its write mode to the end of the transaction).
 */
void acquire_planned(const Store &store, const LockRequest *requests, size_t n);
void release_check_keys(const Store &store, const LockRequest *requests, size_t n);

/* Takes or releases one key in a mode, within the transaction (not counted against the budget). */
void take_key(const Store &store, Key key, LOCKMODE mode);
void release_key(const Store &store, Key key, LOCKMODE mode);

/* Waits until every transaction that holds one of the keys now, in a mode conflicting with mode,
 * has ended -- without queueing a lock request, so requests made meanwhile are not held up. */
void wait_for_holders(const Store &store, const Key *keys, size_t n, LOCKMODE mode);

/* Does another transaction hold the key in a mode conflicting with mode? */
bool key_has_holders(const Store &store, Key key, LOCKMODE mode);

/* The transactions that hold the key now in a mode conflicting with mode (an array of *n, palloc'd;
 * never this transaction). Looks only: queues nothing, waits for nothing. */
VirtualTransactionId *key_holders(const Store &store, Key key, LOCKMODE mode, int *n);

/* Waits for a transaction to end (XactLockTableWait), counting the wait in the store's statistics
 * when it did not end at once. */
void wait_for_transaction(const Store &store, TransactionId xid, Relation rel, ItemPointer tid);

/* Keeps the budget accounting right at the end of (sub)transactions (from _PG_init). */
void register_lock_accounting();

} // namespace dcb::pg
