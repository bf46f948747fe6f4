/*
 * shmem.cpp — see shmem.hpp.
 */
#include "pg/shmem.hpp"

namespace dcb::pg {
namespace {

int slot_count = 256; /* dcb.shared_store_slots */

/* A slot, padded so that two stores' counters never share a cache line. */
union PaddedSlot
{
	StoreSlot slot;
	char pad[TYPEALIGN(PG_CACHE_LINE_SIZE, sizeof(StoreSlot))];
};

struct SharedState
{
	int nslots;
};

/* This process's view of the shared memory (set in the postmaster, inherited by every backend). */
struct Shared
{
	LWLock *lock; /* taking and recycling slots */
	int nslots;
	PaddedSlot *slots;
	int nwaiters;
	Waiter *waiters; /* index: pgprocno */
};
Shared shared_view;
Shared *shared = nullptr;
shmem_request_hook_type prev_shmem_request_hook = nullptr;
shmem_startup_hook_type prev_shmem_startup_hook = nullptr;

constexpr const char *shmem_name = "dcb";

/* Every PGPROC: backends, auxiliary processes, prepared transactions (ProcGlobal->allProcCount). */
int
process_count()
{
	return MaxBackends + NUM_AUXILIARY_PROCS + max_prepared_xacts;
}

Size
shared_size(int nslots)
{
	const Size slots = add_size(mul_size(sizeof(PaddedSlot), nslots), PG_CACHE_LINE_SIZE);
	return add_size(add_size(MAXALIGN(sizeof(SharedState)), slots), mul_size(sizeof(Waiter), process_count()));
}

void
request_hook()
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(shared_size(slot_count));
	RequestNamedLWLockTranche(shmem_name, 1);
}

void
startup_hook()
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	bool found;
	void *mem = ShmemInitStruct(shmem_name, shared_size(slot_count), &found);
	SharedState *s = static_cast<SharedState *>(mem);
	char *first = static_cast<char *>(mem) + MAXALIGN(sizeof(SharedState));
	shared_view.slots = reinterpret_cast<PaddedSlot *>(TYPEALIGN(PG_CACHE_LINE_SIZE, first));
	shared_view.lock = &(GetNamedLWLockTranche(shmem_name))->lock;
	shared_view.nwaiters = process_count();
	shared_view.waiters = reinterpret_cast<Waiter *>(shared_view.slots + slot_count);
	if (!found)
	{
		for (int i = 0; i < shared_view.nwaiters; i++)
		{
			pg_atomic_init_u64(&shared_view.waiters[i].slot, 0);
			pg_atomic_init_u64(&shared_view.waiters[i].target, 0);
		}
		s->nslots = slot_count;
		for (int i = 0; i < s->nslots; i++)
		{
			StoreSlot *slot = &shared_view.slots[i].slot;
			pg_atomic_init_u64(&slot->key, 0);
			pg_atomic_init_u64(&slot->wakeups, 0);
			pg_atomic_init_u32(&slot->nwaiters, 0);
			pg_atomic_init_u64(&slot->known_head, 0);
			pg_atomic_init_u64(&slot->stats_reset, 0);
			for (auto &c : slot->counters)
				pg_atomic_init_u64(&c, 0);
		}
	}
	shared_view.nslots = s->nslots;
	LWLockRelease(AddinShmemInitLock);
	shared = &shared_view;
}

/* This backend's stores and their slots (the key is checked on every use). */
struct CachedSlot
{
	Oid schema;
	int index;
};
constexpr int max_cached_slots = 64;
CachedSlot cached[max_cached_slots];
int ncached = 0;

/* Stores told in this session that they have no slot (one WARNING each). */
Oid warned[max_cached_slots];
int nwarned = 0;

StoreSlot *
slot_at(int i)
{
	return &shared->slots[i].slot;
}

/* Is the store behind this slot gone (its database or its schema dropped)? Only answerable for
 * slots of the current database and for dropped databases. */
bool
slot_is_orphan(uint64 key)
{
	const Oid db = static_cast<Oid>(key >> 32), schema = static_cast<Oid>(key & 0xFFFFFFFF);
	if (db != MyDatabaseId)
		return !SearchSysCacheExists1(DATABASEOID, ObjectIdGetDatum(db));
	return !SearchSysCacheExists1(NAMESPACEOID, ObjectIdGetDatum(schema));
}

void
reset_slot(StoreSlot *slot, uint64 key)
{
	for (auto &c : slot->counters)
		pg_atomic_write_u64(&c, 0);
	pg_atomic_write_u64(&slot->known_head, 0);
	pg_atomic_write_u64(&slot->stats_reset, static_cast<uint64>(GetCurrentTimestamp()));
	pg_write_barrier();
	pg_atomic_write_u64(&slot->key, key); /* wakeups and nwaiters stay: waiters may sleep on it */
}

int
lookup_slot(uint64 key)
{
	for (int i = 0; i < shared->nslots; i++)
		if (pg_atomic_read_u64(&slot_at(i)->key) == key)
			return i;
	return -1;
}

/* Finds or takes the slot of key; -1 when every slot belongs to an existing store. */
int
take_slot(uint64 key)
{
	LWLockAcquire(shared->lock, LW_SHARED);
	int found = lookup_slot(key);
	LWLockRelease(shared->lock);
	if (found >= 0)
		return found;

	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	found = lookup_slot(key);
	if (found < 0)
		for (int i = 0; i < shared->nslots && found < 0; i++)
			if (pg_atomic_read_u64(&slot_at(i)->key) == 0)
				found = i;
	if (found < 0)
		for (int i = 0; i < shared->nslots && found < 0; i++)
			if (slot_is_orphan(pg_atomic_read_u64(&slot_at(i)->key)))
				found = i;
	if (found >= 0 && pg_atomic_read_u64(&slot_at(found)->key) != key)
		reset_slot(slot_at(found), key);
	LWLockRelease(shared->lock);
	return found;
}

void
warn_no_slot(const Store &store)
{
	for (int i = 0; i < nwarned; i++)
		if (warned[i] == store.schema)
			return;
	if (nwarned < max_cached_slots)
		warned[nwarned++] = store.schema;
	ereport(WARNING,
			(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
			 errmsg("dcb has no shared memory slot left for store \"%s\"", NameStr(store.name)),
			 errdetail("All %d slots of dcb.shared_store_slots belong to existing stores; this store's appends and "
					   "reads are not counted in dcb_stats and dcb_wait polls it every dcb.wait_poll_interval.",
					   shared->nslots),
			 errhint("Raise dcb.shared_store_slots in postgresql.conf and restart the server.")));
}

} // namespace

bool
shared_memory_ready()
{
	return shared != nullptr;
}

uint64
slot_key(const Store &store)
{
	return (static_cast<uint64>(MyDatabaseId) << 32) | static_cast<uint64>(store.schema);
}

StoreSlot *
store_slot(const Store &store)
{
	if (shared == nullptr)
		return nullptr;
	const uint64 key = slot_key(store);
	for (int i = 0; i < ncached; i++)
		if (cached[i].schema == store.schema)
		{
			StoreSlot *slot = slot_at(cached[i].index);
			if (pg_atomic_read_u64(&slot->key) == key)
				return slot;
			cached[i] = cached[--ncached]; /* recycled since: look it up again */
			break;
		}
	const int index = take_slot(key);
	if (index < 0)
	{
		warn_no_slot(store);
		return nullptr;
	}
	if (ncached == max_cached_slots)
		ncached = 0; /* stores are few; a full cache starts over */
	cached[ncached++] = CachedSlot{store.schema, index};
	return slot_at(index);
}

StoreSlot *
find_slot(uint64 key, StoreSlot *hint)
{
	if (shared == nullptr)
		return nullptr;
	if (hint != nullptr && pg_atomic_read_u64(&hint->key) == key)
		return hint;
	const int i = lookup_slot(key);
	return i < 0 ? nullptr : slot_at(i);
}

int
slot_index(const StoreSlot *slot)
{
	return static_cast<int>(reinterpret_cast<const PaddedSlot *>(slot) - shared->slots);
}

Waiter *
my_waiter()
{
	return shared == nullptr || MyProc == nullptr ? nullptr : &shared->waiters[MyProc->pgprocno];
}

Waiter *
all_waiters(int *n)
{
	*n = shared == nullptr ? 0 : shared->nwaiters;
	return shared == nullptr ? nullptr : shared->waiters;
}

void
for_each_database_slot(void (*fn)(StoreSlot *slot))
{
	if (shared == nullptr)
		return;
	for (int i = 0; i < shared->nslots; i++)
		if ((pg_atomic_read_u64(&slot_at(i)->key) >> 32) == MyDatabaseId)
			fn(slot_at(i));
}

void
request_shared_memory()
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	DefineCustomIntVariable("dcb.shared_store_slots",
							"Stores (over all databases) that get a wake-up channel and statistics in shared memory.",
							"Each slot takes a few hundred bytes. Slots of dropped stores are reused once all are "
							"taken.",
							&slot_count, 256, 16, 1000000, PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = request_hook;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = startup_hook;
}

} // namespace dcb::pg
