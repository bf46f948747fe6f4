/*
 * locks.hpp — dcb's keys as heavyweight locks.
 *
 * Keys live in the advisory (user) lock method, in a key space of their own (field4 = 0xDCB, shown
 * as objsubid 3531 in pg_locks), so they cannot collide with pg_advisory_lock() keys. Waits are
 * ordinary lock waits: they honour lock_timeout and statement_timeout, can be cancelled, and are
 * seen by the deadlock detector. Which keys to take, and why, is the append's and the read's
 * business (append.cpp, read.cpp); this file only talks to the lock manager.
 */
#pragma once

#include "core/lock_plan.hpp"
#include "pg/filter_input.hpp"
#include "pg/postgres.hpp"

namespace dcb::pg {

/* The check keys of a filter (condition_check_keys over its items), palloc'd; *check_all when it
 * checks (*,*) instead. */
Key *filter_check_keys(const Filter &filter, size_t max_keys, size_t *nkeys, bool *check_all);

/* Lock keys this transaction may still take (dcb.max_lock_keys minus the keys it holds). */
size_t lock_key_budget_left();
/* The whole budget (dcb.max_lock_keys). */
size_t lock_key_budget();

/* Takes the planned keys in plan order (ascending keys), each in the mode its bits map to, held to
 * the end of the transaction and counted against its budget. */
void acquire_planned(const LockRequest *requests, size_t n);

/* Takes or releases one key in a mode, within the transaction (not counted against the budget). */
void take_key(Key key, LOCKMODE mode);
void release_key(Key key, LOCKMODE mode);

/* Waits until every transaction that holds one of the keys now, in a mode conflicting with mode,
 * has ended -- without queueing a lock request, so requests made meanwhile are not held up. */
void wait_for_holders(const Key *keys, size_t n, LOCKMODE mode);

/* Does another transaction hold the key in a mode conflicting with mode? */
bool key_has_holders(Key key, LOCKMODE mode);

/* Keeps the budget accounting right at transaction end (from _PG_init). */
void register_lock_accounting();

} // namespace dcb::pg
