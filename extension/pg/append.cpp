/*
 * append.cpp — the append protocol, which keeps G1 (no lost decisions) and, with the read barrier
 * (read.cpp), G2 (gap-free reads). docs/design.md ("The append", "Escalation") has the whole
 * argument; in short:
 *
 *   1. lock: the condition's check keys in ShareLock, the events' write keys in RowExclusiveLock,
 *      their ids in ExclusiveLock (lock_plan.hpp), in key order, held to the end of the transaction;
 *   2. idempotency: when every event's id is stored already, return the stored position;
 *   3. check: scan for events matching the condition after expected_max, with a snapshot taken
 *      after the locks;
 *   4. take positions, only now, and insert.
 *
 * Why G1 holds. Let X be an event matching the condition with expected_max < seq(X) < our first
 * position. X writes a key k we check. If X's writer took k first, we waited for its commit and the
 * check saw X; if it took k after us, it waited for our commit and took its position after ours.
 * Among appends that could conflict, position order is therefore commit order.
 *
 * Escalation. A transaction past its dcb.max_lock_keys budget takes the Escalated key instead of
 * its events' write and id keys, so other appends and reads cannot wait for it on those keys; they
 * find its rows in the indexes instead, with a dirty snapshot. What a dirty snapshot cannot show is
 * a position taken but not yet inserted: the Positions key covers that moment. An escalated writer
 * holds it (RowExclusiveLock) while it takes the positions of a chunk and inserts it; every checker
 * holds it (ShareLock) from its check to the end of its insert, so an escalated chunk either is in
 * the indexes when the check runs, or takes positions after the checker's. An escalated checker
 * takes positions too, so it holds the key in both modes (ShareRowExclusiveLock): taking
 * RowExclusiveLock per chunk while holding ShareLock would deadlock two of them.
 */
#include "pg/append.hpp"

#include "core/lock_plan.hpp"
#include "pg/catalog.hpp"
#include "pg/locks.hpp"
#include "pg/scan.hpp"
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

AppendLocks
plan_append_locks(const Filter *condition, const Event *evs, int n)
{
	size_t nwrite = 0, nid = 0;
	for (int i = 0; i < n; i++)
	{
		nwrite += event_write_key_count(evs[i].ntags);
		nid += evs[i].has_id ? 1 : 0;
	}
	LockPlanInput in{};
	in.write_keys = static_cast<Key *>(palloc(sizeof(Key) * (nwrite + 1)));
	in.id_keys = static_cast<Key *>(palloc(sizeof(Key) * (nid + 1)));
	in.max_keys = lock_key_budget_left();
	for (int i = 0; i < n; i++)
	{
		EventView view{evs[i].type, evs[i].tags, static_cast<size_t>(evs[i].ntags)};
		in.nwrite += event_write_keys(view, in.write_keys + in.nwrite);
		if (evs[i].has_id)
		{
			std::uint8_t bytes[16];
			memcpy(bytes, evs[i].id.data, sizeof bytes);
			in.id_keys[in.nid++] = event_id_key(bytes);
		}
	}
	Key *check_keys = nullptr;
	if (condition)
	{
		check_keys = filter_check_keys(*condition, in.max_keys, &in.ncheck, &in.check_all);
		in.check_keys = check_keys;
	}

	AppendLocks locks;
	locks.requests = static_cast<LockRequest *>(palloc(sizeof(LockRequest) * lock_plan_capacity(in)));
	locks.n = build_lock_plan(in, locks.requests, &locks.escalated);
	pfree(in.write_keys);
	pfree(in.id_keys);
	if (check_keys)
		pfree(check_keys);
	return locks;
}

void
take_positions_key_for_chunk()
{
	take_key(lock_key(KeyFamily::Positions), RowExclusiveLock);
}

void
release_positions_key_after_chunk()
{
	release_key(lock_key(KeyFamily::Positions), RowExclusiveLock);
}

/* An unconditional escalated writer holds the Positions key around each chunk. */
const ChunkHooks escalated_chunks{take_positions_key_for_chunk, release_positions_key_after_chunk};

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
check_condition(const Filter *condition, int64 expected_max, LOCKMODE positions)
{
	const Key positions_key = lock_key(KeyFamily::Positions);
	for (;;)
	{
		SnapshotData dirty;
		InitDirtySnapshot(dirty);
		Check c{0, InvalidTransactionId};
		ScanRequest req{condition, expected_max, PG_INT64_MAX, 0, true, check_row, &c};
		scan_events(req, &dirty);
		if (c.conflict > 0)
			ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE), errmsg("dcb: append condition failed"),
							errdetail("expected_max is %lld, but the event at seq %lld matches the filter.",
									  (long long) expected_max, (long long) c.conflict),
							errhint("Read the boundary again, decide again, and retry.")));
		if (!TransactionIdIsValid(c.wait_for))
			return;
		release_key(positions_key, positions);
		XactLockTableWait(c.wait_for, nullptr, nullptr, XLTW_None);
		take_key(positions_key, positions);
	}
}

/*
 * Idempotency: when every event carries an id and all are stored with the same types, returns true
 * and the stored seq of the last one. When none is stored, returns false. Anything in between is a
 * unique violation naming the id.
 */
bool
find_stored_ids(const Event *evs, int n, int64 *last_seq)
{
	int with_id = 0;
	for (int i = 0; i < n; i++)
		with_id += evs[i].has_id ? 1 : 0;
	if (with_id == 0)
		return false;

	const Catalog &cat = catalog();
	Relation events = table_open(cat.events, AccessShareLock);
	Relation idx = index_open(cat.events_id_idx, AccessShareLock);
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
			XactLockTableWait(xwait, events, &tid, XLTW_None);
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
append_events(const Filter *condition, int64 expected_max, const Event *evs, int n)
{
	AppendLocks locks = plan_append_locks(condition, evs, n);
	acquire_planned(locks.requests, locks.n);

	int64 last = 0;
	if (find_stored_ids(evs, n, &last))
		return last;

	const Key positions_key = lock_key(KeyFamily::Positions);
	const LOCKMODE positions = !condition ? NoLock : locks.escalated ? ShareRowExclusiveLock : ShareLock;
	if (condition)
	{
		take_key(positions_key, positions);
		check_condition(condition, expected_max, positions);
	}

	PushActiveSnapshot(GetLatestSnapshot()); /* for triggers and index expressions */
	last = insert_events(evs, n, locks.escalated && !condition ? &escalated_chunks : nullptr);
	PopActiveSnapshot();
	if (condition)
		release_key(positions_key, positions);

	/* Later calls in this statement or transaction (and their condition checks) see these events. */
	CommandCounterIncrement();
	return last;
}

} // namespace dcb::pg
