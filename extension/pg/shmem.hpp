/*
 * shmem.hpp — dcb's shared memory: one slot per (database, store), holding the store's wake-up
 * counter (wait.cpp) and its statistics counters (stats.cpp), and one waiter entry per process, which
 * says what a sleeping dcb_wait waits for.
 *
 * PostgreSQL 15 hands out shared memory only to libraries in shared_preload_libraries, so the slots
 * exist only then. Without them store_slot() returns nullptr and every caller degrades: dcb_wait
 * polls (dcb.wait_poll_interval), statistics are not counted and dcb_stats says so.
 *
 * A slot is found by its key, (database OID, the store's schema OID). Slots are taken on first use
 * and never given back while their store exists; when every slot is taken, a slot whose database or
 * schema is gone (a dropped store, DROP EXTENSION, a dropped database) is recycled. Each backend
 * remembers where its stores' slots are and checks the key on every use.
 */
#pragma once

#include "pg/catalog.hpp"
#include "pg/postgres.hpp"

namespace dcb::pg {

/* The statistics of a store (dcb_stats), in the order of its columns. */
enum StatCounter
{
	stat_appends,            /* committed dcb_append calls that wrote events */
	stat_events,             /* events they wrote */
	stat_conflicts,          /* 40001 raised by a failed condition */
	stat_idempotent_replays, /* calls that found all their ids stored and wrote nothing */
	stat_escalations,        /* committed appends whose writes escalated (dcb.max_lock_keys) */
	stat_lock_waits,         /* waits of appends and reads for other transactions */
	stat_lock_wait_us,       /* their time, in microseconds */
	stat_reads,              /* dcb_read calls that returned */
	stat_rows_read,          /* rows they returned */
	stat_waits,              /* dcb_wait calls */
	stat_count
};

struct StoreSlot
{
	pg_atomic_uint64 key;         /* slot_key(database, schema); 0: free */
	pg_atomic_uint64 wakeups;     /* ends of transactions that appended to the store (wait.cpp) */
	pg_atomic_uint32 nwaiters;    /* dcb_wait callers sleeping on the store (wait.cpp) */
	pg_atomic_uint64 known_head;  /* the highest head established so far (wait.cpp) */
	pg_atomic_uint64 stats_reset; /* TimestampTz of the last reset (or of taking the slot) */
	pg_atomic_uint64 counters[stat_count];
};

/* What a process sleeping in dcb_wait waits for: the store's wake-up counter to reach target. */
struct Waiter
{
	pg_atomic_uint64 slot;   /* 1 + the index of the slot; 0: not waiting */
	pg_atomic_uint64 target; /* wake me once the slot's wakeups reach this */
};

/* Does this server have dcb's shared memory (the library is in shared_preload_libraries)? */
bool shared_memory_ready();

/* The store's slot, taken on first use; nullptr without shared memory or when every slot is
 * taken by an existing store (a WARNING says so once per session). */
StoreSlot *store_slot(const Store &store);

/* The key of a store of the current database. */
uint64 slot_key(const Store &store);

/* The slot with this key if there is one (no catalog access, no allocation: safe at commit). */
StoreSlot *find_slot(uint64 key, StoreSlot *hint);

/* The index of a slot (0 ..), and this process's waiter entry. */
int slot_index(const StoreSlot *slot);
Waiter *my_waiter();
/* Every process's waiter entry (index: pgprocno), *n of them. */
Waiter *all_waiters(int *n);

/* Calls fn on every slot of the current database. */
void for_each_database_slot(void (*fn)(StoreSlot *slot));

/* Asks for the shared memory and defines dcb.shared_store_slots; from _PG_init, and only while
 * shared_preload_libraries are being loaded. */
void request_shared_memory();

} // namespace dcb::pg
