/*
 * stats.cpp — see stats.hpp; also the SQL functions behind dcb_stats and dcb_stats_reset().
 */
#include "pg/stats.hpp"

#include "pg/shmem.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(dcb_store_stats);
PG_FUNCTION_INFO_V1(dcb_stats_reset);
}

namespace dcb::pg {
namespace {

/* What a (sub)transaction wrote to one store, counted if it commits. */
struct Pending
{
	uint64 key;
	StoreSlot *slot; /* where the key was when counted (find_slot checks it again) */
	int level;       /* transaction nesting level */
	int64 appends;
	int64 events;
	int64 escalations;
};

Pending *pending = nullptr; /* in TopMemoryContext */
int npending = 0;
int pending_cap = 0;

void
add(StoreSlot *slot, StatCounter counter, uint64 n)
{
	pg_atomic_fetch_add_u64(&slot->counters[counter], n);
}

void
count_now(const Store &store, StatCounter counter, uint64 n)
{
	if (StoreSlot *slot = store_slot(store))
		add(slot, counter, n);
}

/* Adds what committed to the counters. */
void
flush_pending()
{
	for (int i = 0; i < npending; i++)
	{
		const Pending &p = pending[i];
		StoreSlot *slot = find_slot(p.key, p.slot);
		if (slot == nullptr)
			continue; /* the store's slot was recycled meanwhile (it was dropped, and all slots taken) */
		add(slot, stat_appends, p.appends);
		add(slot, stat_events, p.events);
		if (p.escalations > 0)
			add(slot, stat_escalations, p.escalations);
	}
	npending = 0;
}

void
on_transaction_end(XactEvent event, void *)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PREPARE:
			flush_pending();
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
			npending = 0;
			break;
		default:
			break;
	}
}

void
on_subtransaction_end(SubXactEvent event, SubTransactionId, SubTransactionId, void *)
{
	const int level = GetCurrentTransactionNestLevel();
	if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		/* hand this level's counts to the parent (merging entries of the same store) */
		for (int i = 0; i < npending; i++)
			if (pending[i].level == level)
			{
				int into = -1;
				for (int j = 0; j < npending && into < 0; j++)
					if (pending[j].level == level - 1 && pending[j].key == pending[i].key)
						into = j;
				if (into < 0)
					pending[i].level = level - 1;
				else
				{
					pending[into].appends += pending[i].appends;
					pending[into].events += pending[i].events;
					pending[into].escalations += pending[i].escalations;
					pending[i--] = pending[npending - 1];
					npending--;
				}
			}
	}
	else if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		/* what this subtransaction (and any below it) wrote is gone */
		for (int i = npending - 1; i >= 0; i--)
			if (pending[i].level >= level)
				pending[i] = pending[--npending];
	}
}

/* The store a text argument names (NULL: the default store). */
Store
store_arg(FunctionCallInfo fcinfo, int argno)
{
	return find_store(PG_ARGISNULL(argno) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(argno)));
}

void
require_shared_memory()
{
	if (!shared_memory_ready())
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						errmsg("dcb statistics are not available: the dcb library is not preloaded"),
						errdetail("dcb counts in shared memory, which PostgreSQL 15 gives only to libraries "
								  "loaded at server start."),
						errhint("Add dcb to shared_preload_libraries in postgresql.conf and restart the server.")));
}

} // namespace

void
count_append(const Store &store, int64 events, bool escalated)
{
	StoreSlot *slot = store_slot(store);
	if (slot == nullptr)
		return;
	const uint64 key = slot_key(store);
	const int level = GetCurrentTransactionNestLevel();
	Pending *p = nullptr;
	for (int i = 0; i < npending && p == nullptr; i++)
		if (pending[i].key == key && pending[i].level == level)
			p = &pending[i];
	if (p == nullptr)
	{
		if (npending == pending_cap)
		{
			pending_cap = Max(4, 2 * pending_cap);
			pending = static_cast<Pending *>(pending == nullptr
												 ? MemoryContextAlloc(TopMemoryContext, sizeof(Pending) * pending_cap)
												 : repalloc(pending, sizeof(Pending) * pending_cap));
		}
		p = &pending[npending++];
		*p = Pending{key, slot, level, 0, 0, 0};
	}
	p->appends++;
	p->events += events;
	p->escalations += escalated ? 1 : 0;
}

void
count_idempotent_replay(const Store &store)
{
	count_now(store, stat_idempotent_replays, 1);
}

void
count_conflict(const Store &store)
{
	count_now(store, stat_conflicts, 1);
}

void
count_read(const Store &store, int64 rows)
{
	if (StoreSlot *slot = store_slot(store))
	{
		add(slot, stat_reads, 1);
		if (rows > 0)
			add(slot, stat_rows_read, static_cast<uint64>(rows));
	}
}

void
count_wait(const Store &store)
{
	count_now(store, stat_waits, 1);
}

LockWait
lock_wait_begins()
{
	LockWait w;
	INSTR_TIME_SET_CURRENT(w.start);
	return w;
}

void
lock_wait_ends(const Store &store, LockWait wait)
{
	if (StoreSlot *slot = store_slot(store))
	{
		instr_time now;
		INSTR_TIME_SET_CURRENT(now);
		INSTR_TIME_SUBTRACT(now, wait.start);
		add(slot, stat_lock_waits, 1);
		add(slot, stat_lock_wait_us, INSTR_TIME_GET_MICROSEC(now));
	}
}

void
register_stats_accounting()
{
	RegisterXactCallback(on_transaction_end, nullptr);
	RegisterSubXactCallback(on_subtransaction_end, nullptr);
}

} // namespace dcb::pg

using namespace dcb::pg;

/* dcb.store_stats(store text) RETURNS record: one row of dcb_stats (without the store). */
extern "C" Datum
dcb_store_stats(PG_FUNCTION_ARGS)
{
	require_shared_memory();
	const Store store = store_arg(fcinfo, 0);
	TupleDesc desc;
	if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("dcb.store_stats() must return a record")));
	desc = BlessTupleDesc(desc);

	Datum values[stat_count + 1];
	bool nulls[stat_count + 1];
	StoreSlot *slot = store_slot(store);
	for (int i = 0; i <= stat_count; i++)
		nulls[i] = slot == nullptr; /* no slot left for this store: unknown */
	if (slot != nullptr)
	{
		for (int i = 0; i < stat_count; i++)
			values[i] = Int64GetDatum(static_cast<int64>(pg_atomic_read_u64(&slot->counters[i])));
		Interval *waited = static_cast<Interval *>(palloc0(sizeof(Interval)));
		waited->time = static_cast<int64>(pg_atomic_read_u64(&slot->counters[stat_lock_wait_us]));
		values[stat_lock_wait_us] = IntervalPGetDatum(waited);
		values[stat_count] = TimestampTzGetDatum(static_cast<TimestampTz>(pg_atomic_read_u64(&slot->stats_reset)));
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/* dcb_stats_reset(store text) RETURNS void */
extern "C" Datum
dcb_stats_reset(PG_FUNCTION_ARGS)
{
	require_shared_memory();
	const Store store = store_arg(fcinfo, 0);
	if (StoreSlot *slot = store_slot(store))
	{
		for (auto &c : slot->counters)
			pg_atomic_write_u64(&c, 0);
		pg_atomic_write_u64(&slot->stats_reset, static_cast<uint64>(GetCurrentTimestamp()));
	}
	PG_RETURN_VOID();
}
