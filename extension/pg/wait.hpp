/*
 * wait.hpp — following the log: dcb_wait(after, timeout, store), and the wake-ups that end its
 * sleep. docs/design.md ("Following the log") has the whole argument; in short:
 *
 * Waking. A transaction that appends to a store notes the store (note_appending, before it takes
 * any lock). When the transaction ends -- commit, rollback or PREPARE -- a resource-release
 * callback that runs after its locks are released adds one to the store slot's wake-up counter and
 * sets the latch of every waiter of the store whose target that count reaches: no lock, no NOTIFY
 * queue; one atomic addition and one read when nobody waits. COMMIT PREPARED and ROLLBACK PREPARED
 * wake every store of the database. Without shared memory (or on a standby, where nothing commits
 * locally) dcb_wait polls every dcb.wait_poll_interval instead.
 *
 * Waiting. A round notes the counter, then h, the last position handed out, and the transactions
 * that hold the whole-log write key (*,*) or the escalated key then: exactly the appends that could
 * still commit an event at or below h (the barrier of dcb_head, read.cpp). Instead of waiting for
 * them on their locks (unbounded), the waiter sleeps on its latch until the counter has grown by the
 * number of them still running (each adds one when it ends, after the look), looks again, and once
 * all have ended takes a snapshot: the head is the last visible position <= h. Otherwise it sleeps
 * until the counter passes the value it noted before looking, so an end between the look and the
 * sleep is never missed.
 */
#pragma once

#include "pg/catalog.hpp"
#include "pg/postgres.hpp"

namespace dcb::pg {

/* The current transaction is about to append to the store: waiters of the store are woken when it
 * ends (from dcb_append, before it takes its locks). */
void note_appending(const Store &store);

/* A head established by a full barrier (dcb_head): remembered for dcb_wait calls that time out
 * while appends in flight hold the head back. Returns head. */
int64 note_head(const Store &store, int64 head);

/* Defines dcb.wait_poll_interval (from _PG_init, before the dcb prefix is reserved). */
void define_wait_settings();

/* Registers the callback that wakes waiters, and when preloaded the hook for COMMIT PREPARED
 * (from _PG_init). */
void register_wake_ups();

} // namespace dcb::pg
