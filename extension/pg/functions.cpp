/*
 * functions.cpp — the SQL-callable functions dcb_append, dcb_read and dcb_head.
 *
 * The protocol that keeps G1–G5 (see docs/design.md):
 *   append: validate → lock (check keys Share, write keys RowExclusive, in key order, held to the
 *           end of the transaction) → idempotency lookup → condition check (holding the positions
 *           key against escalated writers) → take positions and insert. Among appends that could
 *           conflict, locks order the whole critical section, so seq order equals commit order
 *           where it matters.
 *   read:   note the last position handed out (h), wait for the transactions holding write locks
 *           on the filter's check keys (without queueing a lock request) and for escalated writers
 *           of matching events, take the snapshot, return matching events with positions <= h (see
 *           barrier_snapshot).
 *   head:   the same barrier over (*,*), then the highest visible position <= h.
 */
#include "pg/pg.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(dcb_append);
PG_FUNCTION_INFO_V1(dcb_read);
PG_FUNCTION_INFO_V1(dcb_head);
}

namespace dcb::pg {
namespace {

/* The last position handed out by dcb.events_seq (0 before the first). */
int64
last_assigned_position()
{
	LOCAL_FCINFO(fcinfo, 1);
	InitFunctionCallInfoData(*fcinfo, nullptr, 1, InvalidOid, nullptr, nullptr);
	fcinfo->args[0].value = ObjectIdGetDatum(catalog().events_seq);
	fcinfo->args[0].isnull = false;
	Datum last = pg_sequence_last_value(fcinfo);
	return fcinfo->isnull ? 0 : DatumGetInt64(last);
}

/* The transaction that inserted a row (found with a dirty snapshot). */
TransactionId
inserter(TupleTableSlot *ev)
{
	bool isnull;
	return DatumGetTransactionId(slot_getsysattr(ev, MinTransactionIdAttributeNumber, &isnull));
}

/* Is xid another transaction, still running? */
bool
running_elsewhere(TransactionId xid)
{
	return !TransactionIdIsCurrentTransactionId(xid) && TransactionIdIsInProgress(xid);
}

/* Transactions inserting matching rows, found by a dirty scan. */
struct InFlight
{
	TransactionId *xids;
	int n;
	int cap;
};

bool
note_in_flight(void *arg, TupleTableSlot *ev)
{
	InFlight *f = static_cast<InFlight *>(arg);
	TransactionId xid = inserter(ev);
	if (!running_elsewhere(xid))
		return true;
	for (int i = 0; i < f->n; i++)
		if (f->xids[i] == xid)
			return true;
	if (f->n == f->cap)
	{
		f->cap *= 2;
		f->xids = static_cast<TransactionId *>(repalloc(f->xids, sizeof(TransactionId) * f->cap));
	}
	f->xids[f->n++] = xid;
	return true;
}

/*
 * An escalated writer holds no keys of its events, so the read finds its in-flight rows instead: it
 * waits for the escalated writers taking positions now to finish their chunk (every row with a
 * position <= upto is then in the indexes), scans the read's range with a dirty snapshot, and waits
 * for the transactions inserting matching rows. It looks at as many matching rows as the read may
 * return, and again after waiting (some may have rolled back), until all of them are decided.
 */
void
wait_for_escalated_rows(const Filter *filter, int64 after, int64 upto, int64 limit, bool backwards)
{
	wait_for_position_takers();
	InFlight f{static_cast<TransactionId *>(palloc(sizeof(TransactionId) * 8)), 0, 8};
	for (;;)
	{
		SnapshotData dirty;
		InitDirtySnapshot(dirty);
		f.n = 0;
		ScanRequest req{filter, after, upto, limit, backwards, note_in_flight, &f};
		scan_events(req, &dirty);
		if (f.n == 0)
			break;
		for (int i = 0; i < f.n; i++)
			XactLockTableWait(f.xids[i], nullptr, nullptr, XLTW_None);
	}
	pfree(f.xids);
}

/*
 * The read barrier. Notes the last position handed out (h), waits for the transactions that hold a
 * write lock on the read's keys at that moment (without queueing a lock request, so appends that
 * start meanwhile are not held up), then takes the snapshot. A matching event with a position <= h
 * was written by a transaction that took its keys before h was read: it has ended by now, so the
 * snapshot shows the event if it committed. Escalated writers hold no keys of their events: when
 * one is running, the read waits for those that are inserting matching events (a whole-log read,
 * for all of them). Returning only positions <= h is therefore gap-free; a matching event committed
 * before the read started has a position <= h, so nothing is stale.
 */
Snapshot
barrier_snapshot(const Filter *filter, int64 after, int64 limit, bool backwards, int64 *upto)
{
	LockPlan plan = plan_locks(filter, nullptr, 0, true);
	*upto = last_assigned_position();
	wait_for_writers(plan);
	pfree(plan.requests);
	/* An escalated writer holds lock_key_escalated() from before its first position to its end: if
	 * none holds it now, every one that took a position <= h has ended. */
	if (escalated_writers_in_flight())
	{
		if (plan.check_all)
			wait_for_escalated_writers();
		else
			wait_for_escalated_rows(filter, after, *upto, limit, backwards);
	}
	PushActiveSnapshot(GetLatestSnapshot());
	return GetActiveSnapshot();
}

/* The condition check's findings: the newest committed (or own) match, or a running inserter. */
struct Check
{
	int64 conflict;
	TransactionId wait_for;
};

bool
check_row(void *arg, TupleTableSlot *ev)
{
	Check *c = static_cast<Check *>(arg);
	TransactionId xmin = inserter(ev);
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
 * The condition check, under the append's check keys and the positions key. It scans with a dirty
 * snapshot: besides the committed events it sees the rows of escalated writers still running
 * (writers holding keys the condition checks have ended: the check keys waited for them). A running
 * one's matching row is decided by its outcome: the check waits for it -- without holding up other
 * escalated writers meanwhile -- and looks again.
 */
void
check_condition(const Filter *condition, int64 expected_max, LOCKMODE positions)
{
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
		unlock_positions(positions);
		XactLockTableWait(c.wait_for, nullptr, nullptr, XLTW_None);
		lock_positions(positions);
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
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("event id %s already exists with another type",
							DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(&evs[i].id)))),
					 errdetail("The stored event at seq %lld has type \"%.*s\"; this call gives type \"%.*s\".",
							   (long long) seq, (int) stored_type.size(), stored_type.data(), (int) evs[i].type.size(),
							   evs[i].type.data())));
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
					   first_missing >= 0 ? psprintf(", events[%d] is not", first_missing)
										  : ", others carry no id"),
			 errhint("An idempotent retry must repeat the original call with the same events and ids.")));
	pg_unreachable();
}

int64
append(const Filter *condition, int64 expected_max, const Event *evs, int n)
{
	LockPlan plan = plan_locks(condition, evs, n, false);
	acquire_locks(plan);

	int64 last = 0;
	if (find_stored_ids(evs, n, &last))
		return last;

	/*
	 * From the check to the end of the insert, escalated writers cannot take positions: one that
	 * took them before has its rows in the indexes, one that takes them later takes higher ones. An
	 * escalated checker takes positions too, so it holds the key in both modes at once (taking
	 * RowExclusiveLock per chunk while holding ShareLock would deadlock two of them).
	 */
	const LOCKMODE positions = !condition ? NoLock : plan.escalated ? ShareRowExclusiveLock : ShareLock;
	if (condition)
	{
		lock_positions(positions);
		check_condition(condition, expected_max, positions);
	}

	PushActiveSnapshot(GetLatestSnapshot()); /* for triggers and index expressions */
	last = insert_events(evs, n, plan.escalated && !condition);
	PopActiveSnapshot();
	if (condition)
		unlock_positions(positions);

	/* Later calls in this statement or transaction (and their condition checks) see these events. */
	CommandCounterIncrement();
	return last;
}

struct ReadOutput
{
	Tuplestorestate *store;
	TupleDesc desc;
	TupleDesc checked; /* the event slots' descriptor that copy_rows was decided for */
	bool copy_rows;
};

/* Do rows of this descriptor have the physical layout of the result rows (same columns and types)? */
bool
same_row_layout(TupleDesc result, TupleDesc rows)
{
	if (result->natts != rows->natts)
		return false;
	for (int i = 0; i < result->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(result, i), b = TupleDescAttr(rows, i);
		if (a->attisdropped || b->attisdropped || a->atttypid != b->atttypid || a->attlen != b->attlen ||
			a->attbyval != b->attbyval || a->attalign != b->attalign)
			return false;
	}
	return true;
}

/*
 * Stores an event in the result. dcb.events rows have the result's row type, so the stored tuple is
 * copied as it is (one memcpy) instead of being taken apart into values and formed again.
 */
bool
emit_row(void *arg, TupleTableSlot *ev)
{
	ReadOutput *out = static_cast<ReadOutput *>(arg);
	if (ev->tts_tupleDescriptor != out->checked)
	{
		out->copy_rows = same_row_layout(out->desc, ev->tts_tupleDescriptor);
		out->checked = ev->tts_tupleDescriptor;
	}
	if (out->copy_rows)
		tuplestore_puttupleslot(out->store, ev);
	else
	{
		slot_getallattrs(ev);
		tuplestore_putvalues(out->store, out->desc, ev->tts_values, ev->tts_isnull);
	}
	return true;
}

} // namespace
} // namespace dcb::pg

using namespace dcb::pg;

/* dcb_append(filter jsonb, expected_max bigint, events jsonb) RETURNS bigint */
extern "C" Datum
dcb_append(PG_FUNCTION_ARGS)
{
	require_read_committed("dcb_append()");
	PreventCommandIfReadOnly("dcb_append()");
	PreventCommandIfParallelMode("dcb_append()");

	if (PG_ARGISNULL(2))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("events must not be null")));
	int64 expected_max = PG_ARGISNULL(1) ? 0 : PG_GETARG_INT64(1);
	if (expected_max < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("expected_max must not be negative"),
						errdetail("expected_max is %lld.", (long long) expected_max)));

	Filter filter;
	const Filter *condition = nullptr;
	if (!PG_ARGISNULL(0))
	{
		parse_filter(PG_GETARG_JSONB_P(0), &filter);
		choose_primary_tags(&filter);
		condition = &filter;
	}
	int n;
	Event *evs = parse_events(PG_GETARG_JSONB_P(2), &n);

	PG_RETURN_INT64(append(condition, expected_max, evs, n));
}

/* dcb_read(filter jsonb, after bigint, max_count integer, backwards boolean) RETURNS TABLE (...) */
extern "C" Datum
dcb_read(PG_FUNCTION_ARGS)
{
	require_read_committed("dcb_read()");
	require_gap_free_reads("dcb_read()");

	Filter filter;
	if (PG_ARGISNULL(0))
		match_all_filter(&filter);
	else
	{
		parse_filter(PG_GETARG_JSONB_P(0), &filter);
		choose_primary_tags(&filter);
	}
	int64 after = PG_ARGISNULL(1) ? 0 : PG_GETARG_INT64(1);
	if (after < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("after must not be negative"),
						errdetail("after is %lld.", (long long) after)));
	int64 limit = 0;
	if (!PG_ARGISNULL(2))
	{
		int32 max_count = PG_GETARG_INT32(2);
		if (max_count <= 0)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("max_count must be positive"),
							errdetail("max_count is %d.", max_count)));
		limit = max_count;
	}
	bool backwards = PG_ARGISNULL(3) ? false : PG_GETARG_BOOL(3);

	InitMaterializedSRF(fcinfo, 0);
	ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
	ReadOutput out{rsinfo->setResult, rsinfo->setDesc, nullptr, false};

	int64 upto;
	Snapshot snapshot = barrier_snapshot(&filter, after, limit, backwards, &upto);
	ScanRequest req{&filter, after, upto, limit, backwards, emit_row, &out};
	scan_events(req, snapshot);
	PopActiveSnapshot();
	return (Datum) 0;
}

/* dcb_head() RETURNS bigint */
extern "C" Datum
dcb_head(PG_FUNCTION_ARGS)
{
	require_read_committed("dcb_head()");
	require_gap_free_reads("dcb_head()");
	Filter all;
	match_all_filter(&all);
	int64 upto;
	Snapshot snapshot = barrier_snapshot(&all, 0, 0, false, &upto);

	const Catalog &cat = catalog();
	Relation events = table_open(cat.events, AccessShareLock);
	Relation pkey = index_open(cat.events_pkey, AccessShareLock);
	ScanKeyData key;
	ScanKeyInit(&key, 1, BTLessEqualStrategyNumber, F_INT8LE, Int64GetDatum(upto));
	IndexScanDesc scan = index_beginscan(events, pkey, snapshot, 1, 0);
	index_rescan(scan, &key, 1, nullptr, 0);
	TupleTableSlot *slot = table_slot_create(events, nullptr);
	int64 head = 0;
	if (index_getnext_slot(scan, BackwardScanDirection, slot))
	{
		bool isnull;
		head = DatumGetInt64(slot_getattr(slot, attr_seq, &isnull));
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(pkey, AccessShareLock);
	table_close(events, AccessShareLock);
	PopActiveSnapshot();
	PG_RETURN_INT64(head);
}
