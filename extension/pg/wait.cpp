/*
 * wait.cpp — dcb_wait and the wake-ups; see wait.hpp.
 */
#include "pg/wait.hpp"

#include "core/lock_plan.hpp"
#include "pg/guards.hpp"
#include "pg/locks.hpp"
#include "pg/read.hpp"
#include "pg/shmem.hpp"
#include "pg/stats.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(dcb_wait);
PG_FUNCTION_INFO_V1(dcb_check_preload);
}

namespace dcb::pg {
namespace {

int wait_poll_interval = 100; /* dcb.wait_poll_interval, in milliseconds */

/* ---- waking ------------------------------------------------------------------------------- */

/* The slots of the stores this transaction appends to, woken when it ends. */
constexpr int max_wake_slots = 8;
StoreSlot *wake_slots[max_wake_slots];
int nwake = 0;
bool wake_database = false; /* more stores than that: wake every store of the database */

ProcessUtility_hook_type prev_utility_hook = nullptr;

/*
 * Counts the end of a transaction that appended to the store, and sets the latch of every waiter of the
 * store whose target the count reaches. A store nobody waits on costs one atomic addition.
 */
void
wake(StoreSlot *slot)
{
	const uint64 count = pg_atomic_add_fetch_u64(&slot->wakeups, 1); /* a full barrier */
	if (pg_atomic_read_u32(&slot->nwaiters) == 0)
		return;
	pg_read_barrier(); /* the entries of the waiters counted are visible */
	int n;
	Waiter *waiters = all_waiters(&n);
	const uint64 me = static_cast<uint64>(slot_index(slot)) + 1;
	for (int i = 0; i < n; i++)
		if (pg_atomic_read_u64(&waiters[i].slot) == me && pg_atomic_read_u64(&waiters[i].target) <= count)
			SetLatch(&ProcGlobal->allProcs[i].procLatch);
}

/*
 * Runs for every resource owner of the transaction once all its locks are released (PostgreSQL
 * releases locks after the commit is visible, and the XACT_EVENT_COMMIT callbacks run before the
 * release): a woken waiter finds the transaction ended both in its snapshot and in the lock table.
 */
void
after_locks_released(ResourceReleasePhase phase, bool, bool is_top_level, void *)
{
	if (phase != RESOURCE_RELEASE_AFTER_LOCKS || !is_top_level || (nwake == 0 && !wake_database))
		return;
	if (wake_database)
		for_each_database_slot(wake);
	else
		for (int i = 0; i < nwake; i++)
			wake(wake_slots[i]);
	nwake = 0;
	wake_database = false;
}

/* A prepared transaction ends in COMMIT PREPARED / ROLLBACK PREPARED, whose transaction does not
 * know which stores it appended to: wake every store of the database (2PC is rare). */
void
utility_hook(PlannedStmt *pstmt, const char *query, bool read_only_tree, ProcessUtilityContext context,
			 ParamListInfo params, QueryEnvironment *query_env, DestReceiver *dest, QueryCompletion *qc)
{
	if (prev_utility_hook)
		prev_utility_hook(pstmt, query, read_only_tree, context, params, query_env, dest, qc);
	else
		standard_ProcessUtility(pstmt, query, read_only_tree, context, params, query_env, dest, qc);
	Node *stmt = pstmt->utilityStmt;
	if (IsA(stmt, TransactionStmt))
	{
		const TransactionStmtKind kind = castNode(TransactionStmt, stmt)->kind;
		if (kind == TRANS_STMT_COMMIT_PREPARED || kind == TRANS_STMT_ROLLBACK_PREPARED)
			for_each_database_slot(wake); /* FinishPreparedTransaction has released its locks */
	}
}

/* ---- known heads -------------------------------------------------------------------------- */

/* Without shared memory: the heads this backend established. */
struct LocalHead
{
	Oid schema;
	int64 head;
};
constexpr int max_local_heads = 16;
LocalHead local_heads[max_local_heads];
int nlocal_heads = 0;

/* A head that a transaction with writes of its own computed includes its own uncommitted events:
 * right for itself, not for others. */
bool
head_is_shareable()
{
	return !TransactionIdIsValid(GetTopTransactionIdIfAny());
}

void
remember_head(const Store &store, StoreSlot *slot, int64 head)
{
	if (!head_is_shareable())
		return;
	if (slot != nullptr)
	{
		uint64 known = pg_atomic_read_u64(&slot->known_head);
		while (static_cast<uint64>(head) > known &&
			   !pg_atomic_compare_exchange_u64(&slot->known_head, &known, static_cast<uint64>(head)))
		{
		}
		return;
	}
	for (int i = 0; i < nlocal_heads; i++)
		if (local_heads[i].schema == store.schema)
		{
			local_heads[i].head = Max(local_heads[i].head, head);
			return;
		}
	if (nlocal_heads == max_local_heads)
		nlocal_heads = 0;
	local_heads[nlocal_heads++] = LocalHead{store.schema, head};
}

/* The highest head established so far that is still consistent with the store's sequence (the
 * owner may have reset it), or 0. */
int64
known_head(const Store &store, StoreSlot *slot, int64 upto)
{
	int64 known = 0;
	if (slot != nullptr)
		known = static_cast<int64>(pg_atomic_read_u64(&slot->known_head));
	else
		for (int i = 0; i < nlocal_heads; i++)
			if (local_heads[i].schema == store.schema)
				known = local_heads[i].head;
	return known <= upto ? known : 0;
}

/* ---- waiting ------------------------------------------------------------------------------ */

/* One look at the store: h and the appends that could still commit an event at or below it. */
struct Round
{
	int64 upto;
	VirtualTransactionId *holders;
	int nholders;
};
DCB_PG_FRAME_TYPE(Round);

Round
begin_round(const Store &store)
{
	Round r{};
	/* h first: an append that took a position <= h took (*,*) or the escalated key before (read.cpp) */
	r.upto = assigned_position(store);
	int nall = 0, nescalated = 0;
	VirtualTransactionId *all = key_holders(store, lock_key(KeyFamily::All), ShareLock, &nall);
	VirtualTransactionId *escalated = key_holders(store, lock_key(KeyFamily::Escalated), ShareLock, &nescalated);
	r.holders = static_cast<VirtualTransactionId *>(palloc(sizeof(VirtualTransactionId) * (nall + nescalated + 1)));
	memcpy(r.holders, all, sizeof(VirtualTransactionId) * nall);
	r.nholders = nall;
	/* once each: a holder counts as one wake-up still to come */
	for (int i = 0; i < nescalated; i++)
	{
		bool listed = false;
		for (int j = 0; j < nall && !listed; j++)
			listed = VirtualTransactionIdEquals(escalated[i], all[j]);
		if (!listed)
			r.holders[r.nholders++] = escalated[i];
	}
	return r;
}

/* Forgets the holders that have ended; true when none is left. */
bool
holders_ended(Round &r)
{
	for (int i = r.nholders - 1; i >= 0; i--)
		if (VirtualXactLock(r.holders[i], false))
			r.holders[i] = r.holders[--r.nholders];
	return r.nholders == 0;
}

/* The head once every holder of the round has ended. */
int64
round_head(const Store &store, const Round &r)
{
	PushActiveSnapshot(GetLatestSnapshot());
	const int64 head = visible_position(store, r.upto, GetActiveSnapshot());
	PopActiveSnapshot();
	return head;
}

/* The slot this process's waiter entry is registered on (nullptr: none). */
StoreSlot *sleeping_on = nullptr;

void
stop_sleeping()
{
	if (sleeping_on == nullptr)
		return;
	pg_atomic_write_u64(&my_waiter()->slot, 0);
	pg_atomic_fetch_sub_u32(&sleeping_on->nwaiters, 1);
	sleeping_on = nullptr;
}

/* A FATAL error (pg_terminate_backend) leaves without running PG_FINALLY, but aborts the transaction. */
void
stop_sleeping_at_abort(XactEvent event, void *)
{
	if (event == XACT_EVENT_ABORT)
		stop_sleeping();
}

uint64
wakeups_of(StoreSlot *slot)
{
	/* an atomic addition of 0: a full barrier, so the look that follows comes after this read */
	return slot == nullptr ? 0 : pg_atomic_fetch_add_u64(&slot->wakeups, 0);
}

/*
 * Sleeps until the store's wake-up counter reaches target (or, without a slot, for one polling
 * interval) or the deadline passes; false when it has passed. Interrupts end it with an ERROR.
 *
 * The waiter's entry (slot, target) is written and counted in the slot's nwaiters before the counter
 * is read, and a waker adds to the counter before it reads nwaiters and the entries (both with full
 * barriers): either the waiter sees the count, or the waker sees the waiter and sets its latch, which
 * was reset before the count was read.
 */
bool
sleep_until(StoreSlot *slot, uint64 target, TimestampTz deadline)
{
	TimestampTz now = GetCurrentTimestamp();
	if (now >= deadline)
		return false;
	if (slot == nullptr)
	{
		const long remaining_ms = static_cast<long>((deadline - now + 999) / 1000);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Min(remaining_ms, static_cast<long>(wait_poll_interval)), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		return true;
	}
	Waiter *me = my_waiter();
	pg_atomic_write_u64(&me->target, target);
	pg_atomic_write_u64(&me->slot, static_cast<uint64>(slot_index(slot)) + 1);
	pg_atomic_fetch_add_u32(&slot->nwaiters, 1);
	sleeping_on = slot;
	PG_TRY();
	{
		for (;;)
		{
			ResetLatch(MyLatch);
			if (wakeups_of(slot) >= target)
				break;
			now = GetCurrentTimestamp();
			if (now >= deadline)
				break;
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 static_cast<long>((deadline - now + 999) / 1000), PG_WAIT_EXTENSION);
			CHECK_FOR_INTERRUPTS();
		}
	}
	PG_FINALLY();
	{
		stop_sleeping();
	}
	PG_END_TRY();
	return true;
}

/* Microseconds of an interval (a month counts 30 days), or -1 when negative. */
int64
interval_us(const Interval *iv)
{
	const __int128 us = static_cast<__int128>(iv->time) + static_cast<__int128>(iv->day) * USECS_PER_DAY +
						static_cast<__int128>(iv->month) * DAYS_PER_MONTH * USECS_PER_DAY;
	if (us < 0)
		return -1;
	return us > static_cast<__int128>(PG_INT64_MAX / 2) ? PG_INT64_MAX / 2 : static_cast<int64>(us);
}

int64
wait_for_head(const Store &store, int64 after, int64 timeout_us)
{
	/* on a standby nothing commits here to wake us: poll */
	StoreSlot *slot = RecoveryInProgress() ? nullptr : store_slot(store);
	const TimestampTz deadline = GetCurrentTimestamp() + timeout_us;
	MemoryContext round_context = AllocSetContextCreate(CurrentMemoryContext, "dcb_wait round", ALLOCSET_SMALL_SIZES);
	int64 head = -1; /* the head of the last round that completed */
	int64 upto = PG_INT64_MAX;
	for (;;)
	{
		uint64 seen = wakeups_of(slot); /* before the look: what ends later counts after it */
		MemoryContextReset(round_context);
		MemoryContext caller = MemoryContextSwitchTo(round_context);
		Round r = begin_round(store);
		upto = r.upto;
		bool settled = true;
		while (!holders_ended(r))
		{
			/* appends in flight hold the head back; a head established before them may do */
			const int64 known = known_head(store, slot, r.upto);
			if (known > after)
			{
				head = known;
				break;
			}
			/* each holder still running adds one to the counter when it ends, after this look */
			if (!sleep_until(slot, seen + static_cast<uint64>(r.nholders), deadline))
			{
				settled = false;
				break;
			}
			seen = wakeups_of(slot);
		}
		if (settled && head <= after)
		{
			head = round_head(store, r);
			remember_head(store, slot, head);
		}
		MemoryContextSwitchTo(caller);
		if (head > after || !settled || !sleep_until(slot, seen + 1, deadline))
			break;
	}
	MemoryContextDelete(round_context);
	/* on a timeout while appends in flight held the head back: the highest head established */
	return Max(head, known_head(store, slot, upto));
}

} // namespace

void
note_appending(const Store &store)
{
	StoreSlot *slot = store_slot(store);
	if (slot == nullptr || wake_database)
		return;
	for (int i = 0; i < nwake; i++)
		if (wake_slots[i] == slot)
			return;
	if (nwake == max_wake_slots)
		wake_database = true;
	else
		wake_slots[nwake++] = slot;
}

int64
note_head(const Store &store, int64 head)
{
	remember_head(store, store_slot(store), head);
	return head;
}

void
define_wait_settings()
{
	DefineCustomIntVariable("dcb.wait_poll_interval",
							"How often dcb_wait looks at the head when no commit can wake it.",
							"Without dcb in shared_preload_libraries, and on a hot standby, dcb_wait cannot be woken "
							"by commits and polls the head at this interval instead.",
							&wait_poll_interval, 100, 1, 60000, PGC_USERSET, GUC_UNIT_MS, nullptr, nullptr, nullptr);
}

void
register_wake_ups()
{
	RegisterResourceReleaseCallback(after_locks_released, nullptr);
	RegisterXactCallback(stop_sleeping_at_abort, nullptr);
	if (process_shared_preload_libraries_in_progress)
	{
		prev_utility_hook = ProcessUtility_hook;
		ProcessUtility_hook = utility_hook;
	}
}

} // namespace dcb::pg

using namespace dcb::pg;

/* dcb_wait(after bigint, timeout interval, store text) RETURNS bigint */
extern "C" Datum
dcb_wait(PG_FUNCTION_ARGS)
{
	require_read_committed("dcb_wait()");
	require_gap_free_reads("dcb_wait()");
	const int64 after = PG_ARGISNULL(0) ? 0 : PG_GETARG_INT64(0);
	if (after < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("after must not be negative"),
						errdetail("after is %lld.", (long long) after)));
	if (PG_ARGISNULL(1))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("timeout must not be null")));
	const int64 timeout_us = interval_us(PG_GETARG_INTERVAL_P(1));
	if (timeout_us < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("timeout must not be negative"),
				 errdetail("timeout is %s.", DatumGetCString(DirectFunctionCall1(interval_out, PG_GETARG_DATUM(1))))));
	const Store store = find_store(PG_ARGISNULL(2) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(2)));
	require_read_privilege(store, "dcb_wait()");
	count_wait(store);
	PG_RETURN_INT64(wait_for_head(store, after, timeout_us));
}

/* dcb.check_preload() RETURNS void: warns when the library is not preloaded (from the install and
 * update scripts). */
extern "C" Datum
dcb_check_preload(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	if (!shared_memory_ready())
		ereport(WARNING,
				(errmsg("dcb is not in shared_preload_libraries: dcb_wait polls and dcb_stats is not available"),
				 errdetail("Without shared memory, dcb_wait looks at the head every dcb.wait_poll_interval (%d ms) "
						   "instead of waking on commits, and the statistics of dcb_stats are not counted.",
						   wait_poll_interval),
				 errhint("Add dcb to shared_preload_libraries in postgresql.conf and restart the server; "
						 "everything else works without it.")));
	PG_RETURN_VOID();
}
