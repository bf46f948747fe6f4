/*
 * locks.cpp — turns an append's or a read's keys into heavyweight locks.
 *
 * Keys live in the advisory (user) lock method, in a key space of their own (field4 = 0xDCB, shown
 * as objsubid 3275 in pg_locks), so they cannot collide with pg_advisory_lock() keys. Appends hold
 * them to the end of the transaction; reads take none and only wait for the current holders. Waits
 * are ordinary lock waits: they honour lock_timeout and statement_timeout, can be cancelled, and are
 * seen by the deadlock detector (which never fires for single calls, as keys are taken in order).
 */
#include "pg/pg.hpp"

namespace dcb::pg {
namespace {

constexpr uint16 dcb_lock_space = 0xDCB;

/*
 * Keys this transaction holds (a key held in two modes counts twice). The budget is per transaction,
 * so a loop of appends in one transaction cannot exhaust the shared lock table either: once it is
 * spent, further calls escalate.
 */
int64 keys_held_in_xact = 0;

void
reset_keys_held(XactEvent, void *)
{
	keys_held_in_xact = 0;
}

void
set_tag(LOCKTAG *tag, Key key)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, (uint32) (key >> 32), (uint32) key, dcb_lock_space);
}

LOCKMODE
mode_of(std::uint8_t bits)
{
	if (bits & lock_id)
		return ExclusiveLock;
	if ((bits & lock_check) && (bits & lock_write))
		return ShareRowExclusiveLock;
	if (bits & lock_check)
		return ShareLock;
	return RowExclusiveLock;
}

/* The transaction's budget (dcb.max_lock_keys, by default 4 x max_locks_per_transaction). */
size_t
lock_key_budget()
{
	return static_cast<size_t>(max_lock_keys);
}

} // namespace

LockPlan
plan_locks(const Filter *condition, const Event *events, int nevents, bool barrier)
{
	const size_t budget = lock_key_budget();
	size_t nwrite = 0, nid = 0, ncheck = 0;
	for (int i = 0; i < nevents; i++)
	{
		nwrite += event_write_key_count(events[i].ntags);
		nid += events[i].has_id ? 1 : 0;
	}
	for (int i = 0; condition && i < condition->nitems; i++)
		ncheck += item_check_key_count(condition->items[i].view);

	LockPlanInput in{};
	in.write_keys = static_cast<Key *>(palloc(sizeof(Key) * (nwrite + 1)));
	in.id_keys = static_cast<Key *>(palloc(sizeof(Key) * (nid + 1)));
	/* a barrier's keys are released at once, so only held keys count against the budget */
	in.max_keys = static_cast<size_t>(std::max<int64>(0, static_cast<int64>(budget) - keys_held_in_xact));

	for (int i = 0; i < nevents; i++)
	{
		EventView view{events[i].type, events[i].tags, static_cast<size_t>(events[i].ntags)};
		in.nwrite += event_write_keys(view, in.write_keys + in.nwrite);
		if (events[i].has_id)
		{
			std::uint8_t bytes[16];
			memcpy(bytes, events[i].id.data, sizeof bytes);
			in.id_keys[in.nid++] = lock_key_event_id(bytes);
		}
	}

	Key *check_keys = nullptr;
	if (condition)
	{
		ItemView *items = static_cast<ItemView *>(palloc(sizeof(ItemView) * (condition->nitems + 1)));
		for (int i = 0; i < condition->nitems; i++)
			items[i] = condition->items[i].view;
		check_keys = static_cast<Key *>(palloc(sizeof(Key) * (ncheck + 1)));
		in.ncheck = condition_check_keys(items, condition->nitems, barrier ? budget : in.max_keys, check_keys,
										 &in.check_all);
		in.check_keys = check_keys;
		pfree(items);
	}

	LockPlan plan;
	plan.requests = static_cast<LockRequest *>(palloc(sizeof(LockRequest) * lock_plan_capacity(in)));
	plan.n = build_lock_plan(in, plan.requests, &plan.escalated);
	plan.check_all = in.check_all;
	pfree(in.write_keys);
	pfree(in.id_keys);
	if (check_keys)
		pfree(check_keys);
	return plan;
}

void
register_lock_accounting()
{
	RegisterXactCallback(reset_keys_held, nullptr);
}

void
acquire_locks(const LockPlan &plan)
{
	for (size_t i = 0; i < plan.n; i++)
	{
		LOCKTAG tag;
		set_tag(&tag, plan.requests[i].key);
		if (LockAcquire(&tag, mode_of(plan.requests[i].bits), false, false) == LOCKACQUIRE_OK)
			keys_held_in_xact++; /* keys taken again, like (*,*), are counted once */
	}
}

void
wait_for_writers(const LockPlan &plan)
{
	List *tags = NIL;
	for (size_t i = 0; i < plan.n; i++)
	{
		LOCKTAG *tag = static_cast<LOCKTAG *>(palloc(sizeof(LOCKTAG)));
		set_tag(tag, plan.requests[i].key);
		tags = lappend(tags, tag);
	}
	/* Waits for the transactions holding conflicting locks now, without queueing a request. */
	WaitForLockersMultiple(tags, ShareLock, false);
	list_free_deep(tags);
}

void
lock_positions(LOCKMODE mode)
{
	LOCKTAG tag;
	set_tag(&tag, lock_key_positions());
	(void) LockAcquire(&tag, mode, false, false);
}

void
unlock_positions(LOCKMODE mode)
{
	LOCKTAG tag;
	set_tag(&tag, lock_key_positions());
	LockRelease(&tag, mode, false);
}

void
wait_for_position_takers()
{
	/* Holders are short (a chunk's insert, or one append's check and insert), so queueing is fine. */
	lock_positions(ShareLock);
	unlock_positions(ShareLock);
}

bool
escalated_writers_in_flight()
{
	LOCKTAG tag;
	set_tag(&tag, lock_key_escalated());
	int count = 0;
	VirtualTransactionId *holders = GetLockConflicts(&tag, ShareLock, &count);
	pfree(holders);
	return count > 0;
}

void
wait_for_escalated_writers()
{
	LOCKTAG tag;
	set_tag(&tag, lock_key_escalated());
	WaitForLockers(tag, ShareLock, false);
}

} // namespace dcb::pg
