/*
 * read.cpp — the read path: the barrier that makes reads gap-free, the scan, dcb_read's result rows
 * and dcb_head.
 *
 * The barrier. Note the last position handed out (h), wait for the transactions that hold a write
 * lock on the read's check keys at that moment (without queueing a lock request, so appends that
 * start meanwhile are not held up), then take the snapshot and return only positions <= h. A
 * matching event with a position <= h was written by a transaction that took its keys before h
 * was read: it has ended by now, so the snapshot shows the event if it committed. A matching event
 * committed before the read started has a position <= h, so nothing is stale either (G5).
 * Escalated writers hold no keys of their events (append.cpp): when one is running, the read waits
 * for those that are inserting matching events (a whole-log read: for all of them).
 * docs/design.md ("The read") has the whole argument.
 */
#include "pg/read.hpp"

#include "core/lock_plan.hpp"
#include "pg/catalog.hpp"
#include "pg/locks.hpp"
#include "pg/scan.hpp"

namespace dcb::pg {
namespace {

/* The last position the store's sequence handed out (0 before the first). */
int64
last_assigned_position(const Store &store)
{
	LOCAL_FCINFO(fcinfo, 1);
	InitFunctionCallInfoData(*fcinfo, nullptr, 1, InvalidOid, nullptr, nullptr);
	fcinfo->args[0].value = ObjectIdGetDatum(store.events_seq);
	fcinfo->args[0].isnull = false;
	Datum last = pg_sequence_last_value(fcinfo);
	return fcinfo->isnull ? 0 : DatumGetInt64(last);
}

/* Transactions inserting matching rows, found by a dirty scan. */
struct InFlight
{
	TransactionId *xids;
	int n;
	int cap;
};
DCB_PG_FRAME_TYPE(InFlight);

bool
note_in_flight(void *arg, TupleTableSlot *ev)
{
	InFlight *f = static_cast<InFlight *>(arg);
	TransactionId xid = inserter_of(ev);
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
wait_for_escalated_rows(const Store &store, const Filter &filter, int64 after, int64 upto, int64 limit, bool backwards)
{
	/* holders of the Positions key are short (a chunk's insert, or one append's check and insert),
	 * so queueing behind them is fine */
	take_key(store, lock_key(KeyFamily::Positions), ShareLock);
	release_key(store, lock_key(KeyFamily::Positions), ShareLock);

	InFlight f{static_cast<TransactionId *>(palloc(sizeof(TransactionId) * 8)), 0, 8};
	for (;;)
	{
		SnapshotData dirty;
		InitDirtySnapshot(dirty);
		f.n = 0;
		ScanRequest req{&store, &filter, after, upto, limit, backwards, note_in_flight, &f};
		scan_events(req, &dirty);
		if (f.n == 0)
			break;
		for (int i = 0; i < f.n; i++)
			wait_for_transaction(store, f.xids[i], nullptr, nullptr);
	}
	pfree(f.xids);
}

/* The barrier (see the file comment); returns the snapshot to read with, pushed as the active one,
 * and sets *upto to h. */
Snapshot
barrier_snapshot(const Store &store, const Filter &filter, int64 after, int64 limit, bool backwards, int64 *upto)
{
	/* a barrier's keys are released at once: capped by the budget, they do not spend it */
	size_t nkeys;
	bool check_all;
	Key *keys = filter_check_keys(filter, lock_key_budget(), &nkeys, &check_all);
	const Key all = lock_key(KeyFamily::All);
	*upto = last_assigned_position(store);
	wait_for_holders(store, check_all ? &all : keys, check_all ? 1 : nkeys, ShareLock);
	pfree(keys);
	/* An escalated writer holds the Escalated key from before its first position to its end: if
	 * none holds it now, every one that took a position <= h has ended. */
	const Key escalated = lock_key(KeyFamily::Escalated);
	if (key_has_holders(store, escalated, ShareLock))
	{
		if (check_all)
			wait_for_holders(store, &escalated, 1, ShareLock);
		else
			wait_for_escalated_rows(store, filter, after, *upto, limit, backwards);
	}
	PushActiveSnapshot(GetLatestSnapshot());
	return GetActiveSnapshot();
}

struct ReadOutput
{
	Tuplestorestate *store;
	TupleDesc desc;
	TupleDesc checked; /* the event slots' descriptor that copy_rows was decided for */
	bool copy_rows;
};
DCB_PG_FRAME_TYPE(ReadOutput);

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

/* The highest position at or below upto that the snapshot shows (0 when none). */
int64
last_visible_position(const Store &store, int64 upto, Snapshot snapshot)
{
	Relation events = table_open(store.events, AccessShareLock);
	Relation pkey = index_open(store.events_pkey, AccessShareLock);
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
	return head;
}

} // namespace

void
read_events(const Store &store, const Filter &filter, int64 after, int64 limit, bool backwards, Tuplestorestate *result,
			TupleDesc desc)
{
	ReadOutput out{result, desc, nullptr, false};
	int64 upto;
	Snapshot snapshot = barrier_snapshot(store, filter, after, limit, backwards, &upto);
	ScanRequest req{&store, &filter, after, upto, limit, backwards, emit_row, &out};
	scan_events(req, snapshot);
	PopActiveSnapshot();
}

int64
read_head(const Store &store)
{
	int64 upto;
	Snapshot snapshot = barrier_snapshot(store, match_all_filter(), 0, 0, false, &upto);
	int64 head = last_visible_position(store, upto, snapshot);
	PopActiveSnapshot();
	return head;
}

/* For dcb_wait (wait.cpp), which runs the barrier's steps without blocking. */
int64
assigned_position(const Store &store)
{
	return last_assigned_position(store);
}

int64
visible_position(const Store &store, int64 upto, Snapshot snapshot)
{
	return last_visible_position(store, upto, snapshot);
}

} // namespace dcb::pg
