/*
 * append.cpp — the append protocol, which keeps G1 (no lost decisions) and, with the read barrier
 * (read.cpp), G2 (gap-free reads). docs/design.md ("The append", "Escalation") has the whole
 * argument; in short:
 *
 *   1. lock, in key order (lock_plan.hpp): the events' write keys in RowExclusiveLock and their ids
 *      in ExclusiveLock, held to the end of the transaction; the condition's check keys in
 *      ShareLock, held to the end of this call;
 *   2. idempotency: when every event's id is stored already, return the stored position;
 *   3. check: scan for events matching the condition after expected_max, with a snapshot taken
 *      after the locks;
 *   4. take positions, only now, and insert; then release the check keys.
 *
 * Why G1 holds. Let X be an event matching the condition with expected_max < seq(X) < our first
 * position. X writes a key k we check. If X's writer took k first, we waited for its commit and the
 * check saw X; if it took k after us, it waited until our positions were taken and took its own
 * after ours. (So check keys need not outlive the call: once our positions are taken, a later
 * writer of k can only get higher ones. Write keys are held to commit, for the readers.)
 *
 * Escalation. A transaction past its dcb.max_lock_keys budget takes the Escalated key instead of
 * its events' write and id keys, so other appends and reads cannot wait for it on those keys; they
 * find its rows in the indexes instead, with a dirty snapshot. What a dirty snapshot cannot show is
 * a position taken but not yet inserted: the Positions key covers that moment. An escalated writer
 * holds it (RowExclusiveLock) while it takes the positions of a chunk and inserts it; every checker
 * holds it (ShareLock) from its check to the end of its insert, so an escalated chunk either is in
 * the indexes when the check runs, or takes positions after the checker's. An escalated checker
 * takes positions too, so it holds the key in both modes (ShareRowExclusiveLock) from its check to
 * the end of its first chunk -- taking RowExclusiveLock per chunk while holding ShareLock would
 * deadlock two of them -- and inserts its further chunks like any escalated writer: its condition
 * is about its first position only.
 */
#include "pg/append.hpp"

#include "core/lock_plan.hpp"
#include "pg/catalog.hpp"
#include "pg/locks.hpp"
#include "pg/scan.hpp"
#include "pg/stats.hpp"
#include "pg/store.hpp"

namespace dcb::pg {
namespace {

/* The locks of an append, planned against the transaction's remaining budget. */
struct AppendLocks
{
	LockRequest *requests;
	size_t n;
	bool escalated; /* the writes escalated: the plan holds the Escalated key instead of them */
};
DCB_PG_FRAME_TYPE(AppendLocks);

/* The distinct ids of the events, sorted (palloc'd). */
Key *
id_keys(const Event *evs, int n, size_t *nid)
{
	Key *ids = static_cast<Key *>(palloc(sizeof(Key) * (n + 1)));
	size_t m = 0;
	for (int i = 0; i < n; i++)
		if (evs[i].has_id)
		{
			std::uint8_t bytes[16];
			memcpy(bytes, evs[i].id.data, sizeof bytes);
			ids[m++] = event_id_key(bytes);
		}
	std::sort(ids, ids + m);
	*nid = static_cast<size_t>(std::unique(ids, ids + m) - ids);
	return ids;
}

/*
 * The write keys of the events, collected into a set whose size depends on the budget only: a batch
 * that has more distinct keys than the budget allows stops there and escalates, so memory stays
 * bounded whatever the batch.
 */
KeySet
write_key_set(const Event *evs, int n, size_t limit)
{
	size_t per_event = 0;
	for (int i = 0; i < n; i++)
		per_event = std::max(per_event, event_write_key_count(evs[i].ntags));
	Key *slots = static_cast<Key *>(palloc0(sizeof(Key) * key_set_slots(limit)));
	Key *keys = static_cast<Key *>(palloc(sizeof(Key) * per_event));
	KeySet set = key_set_init(slots, limit);
	for (int i = 0; i < n && !set.overflowed; i++)
	{
		EventView view{evs[i].type, evs[i].tags, static_cast<size_t>(evs[i].ntags)};
		const size_t m = event_write_keys(view, keys);
		for (size_t k = 0; k < m; k++)
			key_set_add(set, keys[k]);
	}
	pfree(keys);
	return set;
}

AppendLocks
plan_append_locks(const Filter *condition, const Event *evs, int n)
{
	const size_t budget = lock_key_budget_left();
	LockPlanInput in{};
	Key *ids = id_keys(evs, n, &in.nid);
	in.id_keys = ids;
	KeySet writes = write_key_set(evs, n, budget > in.nid ? budget - in.nid : 0);
	in.escalated = writes_escalate(writes, in.nid, budget);
	Key *write_keys = nullptr;
	if (!in.escalated)
	{
		write_keys = static_cast<Key *>(palloc(sizeof(Key) * (writes.count + 1)));
		in.nwrite = key_set_sorted(writes, write_keys);
		in.write_keys = write_keys;
	}
	pfree(writes.slots);
	Key *check_keys = nullptr;
	if (condition)
	{
		const size_t held = in.escalated ? 1 : in.nwrite + in.nid;
		check_keys = filter_check_keys(*condition, check_key_allowance(budget, held), &in.ncheck, &in.check_all);
		in.check_keys = check_keys;
	}

	AppendLocks locks;
	locks.requests = static_cast<LockRequest *>(palloc(sizeof(LockRequest) * lock_plan_capacity(in)));
	locks.n = build_lock_plan(in, locks.requests);
	locks.escalated = in.escalated;
	pfree(ids);
	if (write_keys)
		pfree(write_keys);
	if (check_keys)
		pfree(check_keys);
	return locks;
}

/*
 * The Positions key around an escalated writer's chunks. A conditional one holds it in
 * ShareRowExclusiveLock from its check; it lets go after its first chunk and takes
 * RowExclusiveLock around each further chunk, like an unconditional one does around every chunk.
 */
struct EscalatedChunks
{
	const Store *store;
	LOCKMODE held; /* the mode held now (before the first chunk), or NoLock */
};
DCB_PG_FRAME_TYPE(EscalatedChunks);

void
before_escalated_chunk(void *arg)
{
	EscalatedChunks *c = static_cast<EscalatedChunks *>(arg);
	if (c->held == NoLock)
	{
		take_key(*c->store, lock_key(KeyFamily::Positions), RowExclusiveLock);
		c->held = RowExclusiveLock;
	}
}

void
after_escalated_chunk(void *arg)
{
	EscalatedChunks *c = static_cast<EscalatedChunks *>(arg);
	release_key(*c->store, lock_key(KeyFamily::Positions), c->held);
	c->held = NoLock;
}

/* The condition check's findings: the newest committed (or own) match, or a running inserter. */
struct Check
{
	int64 conflict;
	TransactionId wait_for;
};
DCB_PG_FRAME_TYPE(Check);

bool
check_row(void *arg, TupleTableSlot *ev)
{
	Check *c = static_cast<Check *>(arg);
	TransactionId xmin = inserter_of(ev);
	if (running_elsewhere(xmin))
	{
		if (!TransactionIdIsValid(c->wait_for))
			c->wait_for = xmin;
		return true; /* an older committed match decides without waiting */
	}
	if (!TransactionIdIsCurrentTransactionId(xmin) && !TransactionIdDidCommit(xmin))
		return true; /* rolled back since the scan saw it */
	bool isnull;
	c->conflict = DatumGetInt64(slot_getattr(ev, attr_seq, &isnull));
	return false;
}

/*
 * The condition check, under the append's check keys and the Positions key (held in mode). It
 * scans with a dirty snapshot: besides the committed events it sees the rows of escalated writers
 * still running (writers holding keys the condition checks have ended: the check keys waited for
 * them). A running one's matching row is decided by its outcome: the check waits for it -- without
 * holding up other escalated writers meanwhile -- and looks again.
 */
void
check_condition(const Store &store, const Filter *condition, int64 expected_max, LOCKMODE positions)
{
	const Key positions_key = lock_key(KeyFamily::Positions);
	for (;;)
	{
		SnapshotData dirty;
		InitDirtySnapshot(dirty);
		Check c{0, InvalidTransactionId};
		ScanRequest req{&store, condition, expected_max, PG_INT64_MAX, 0, true, check_row, &c};
		scan_events(req, &dirty);
		if (c.conflict > 0)
		{
			count_conflict(store);
			ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE), errmsg("dcb: append condition failed"),
							errdetail("expected_max is %lld, but the event at seq %lld matches the filter.",
									  (long long) expected_max, (long long) c.conflict),
							errhint("Read the boundary again, decide again, and retry.")));
		}
		if (!TransactionIdIsValid(c.wait_for))
			return;
		release_key(store, positions_key, positions);
		wait_for_transaction(store, c.wait_for, nullptr, nullptr);
		take_key(store, positions_key, positions);
	}
}

/*
 * Idempotency: when every event carries an id and all are stored with the same types, returns true
 * and the stored seq of the last one. When none is stored, returns false. Anything in between is a
 * unique violation naming the id.
 */
bool
find_stored_ids(const Store &store, const Event *evs, int n, int64 *last_seq)
{
	int with_id = 0;
	for (int i = 0; i < n; i++)
		with_id += evs[i].has_id ? 1 : 0;
	if (with_id == 0)
		return false;

	Relation events = table_open(store.events, AccessShareLock);
	Relation idx = index_open(store.events_id_idx, AccessShareLock);
	/*
	 * A dirty snapshot also shows ids that another transaction is inserting right now: an escalated
	 * batch does not lock its ids, so a retry racing it waits for it here (as a unique index would)
	 * and then finds the ids stored, instead of failing on the index.
	 */
	SnapshotData dirty;
	InitDirtySnapshot(dirty);
	IndexScanDesc scan = index_beginscan(events, idx, &dirty, 1, 0);
	TupleTableSlot *slot = table_slot_create(events, nullptr);

	int stored = 0, first_missing = -1, first_stored = -1;
	for (int i = 0; i < n; i++)
	{
		if (!evs[i].has_id)
			continue;
		ScanKeyData key;
		ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_UUID_EQ, UUIDPGetDatum(&evs[i].id));
		bool found;
		for (;;)
		{
			index_rescan(scan, &key, 1, nullptr, 0);
			found = index_getnext_slot(scan, ForwardScanDirection, slot);
			if (!found || !TransactionIdIsValid(dirty.xmin))
				break;
			/* being inserted by a transaction in progress: wait for its outcome, then look again */
			TransactionId xwait = dirty.xmin;
			ItemPointerData tid = slot->tts_tid;
			index_endscan(scan);
			wait_for_transaction(store, xwait, events, &tid);
			scan = index_beginscan(events, idx, &dirty, 1, 0);
		}
		if (!found)
		{
			if (first_missing < 0)
				first_missing = i;
			continue;
		}
		bool isnull;
		text *type = DatumGetTextPP(slot_getattr(slot, attr_type, &isnull));
		std::string_view stored_type(VARDATA_ANY(type), VARSIZE_ANY_EXHDR(type));
		const int64 seq = DatumGetInt64(slot_getattr(slot, attr_seq, &isnull));
		if (stored_type != evs[i].type)
			ereport(ERROR, (errcode(ERRCODE_UNIQUE_VIOLATION),
							errmsg("event id %s already exists with another type",
								   DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(&evs[i].id)))),
							errdetail("The stored event at seq %lld has type \"%.*s\"; this call gives type \"%.*s\".",
									  (long long) seq, (int) stored_type.size(), stored_type.data(),
									  (int) evs[i].type.size(), evs[i].type.data())));
		if (first_stored < 0)
			first_stored = i;
		stored++;
		if (i == n - 1)
			*last_seq = seq;
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, AccessShareLock);
	table_close(events, AccessShareLock);

	if (stored == 0)
		return false;
	if (stored == n)
		return true;
	const int named = first_stored;
	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 errmsg("event id %s already exists",
					DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(&evs[named].id)))),
			 errdetail("%d of the %d events of this call are already stored%s.", stored, n,
					   first_missing >= 0 ? psprintf(", events[%d] is not", first_missing) : ", others carry no id"),
			 errhint("An idempotent retry must repeat the original call with the same events and ids.")));
	pg_unreachable();
}

} // namespace

int64
append_events(const Store &store, const Filter *condition, int64 expected_max, const Event *evs, int n)
{
	AppendLocks locks = plan_append_locks(condition, evs, n);
	acquire_planned(store, locks.requests, locks.n);

	int64 last = 0;
	if (find_stored_ids(store, evs, n, &last))
	{
		release_check_keys(store, locks.requests, locks.n);
		count_idempotent_replay(store);
		return last;
	}

	const Key positions_key = lock_key(KeyFamily::Positions);
	EscalatedChunks chunks{&store, NoLock};
	const ChunkHooks escalated_hooks{before_escalated_chunk, after_escalated_chunk, &chunks};
	LOCKMODE positions = NoLock; /* held by a non-escalated checker through its insert */
	if (condition)
	{
		const LOCKMODE mode = locks.escalated ? ShareRowExclusiveLock : ShareLock;
		take_key(store, positions_key, mode);
		check_condition(store, condition, expected_max, mode);
		if (locks.escalated)
			chunks.held = mode; /* until the end of the first chunk */
		else
			positions = mode;
	}

	PushActiveSnapshot(GetLatestSnapshot()); /* for triggers and index expressions */
	last = insert_events(store, evs, n, locks.escalated ? &escalated_hooks : nullptr);
	PopActiveSnapshot();
	if (positions != NoLock)
		release_key(store, positions_key, positions);
	release_check_keys(store, locks.requests, locks.n);
	count_append(store, n, locks.escalated); /* in the statistics if the transaction commits */

	/* Later calls in this statement or transaction (and their condition checks) see these events. */
	CommandCounterIncrement();
	return last;
}

} // namespace dcb::pg
