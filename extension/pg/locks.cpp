/*
 * locks.cpp — turns an append's or a read's keys into heavyweight locks.
 *
 * Keys live in the advisory (user) lock method, in a key space of their own (field4 = 0xDCB, shown
 * as objsubid 3275 in pg_locks), so they cannot collide with pg_advisory_lock() keys. Lock waits are
 * ordinary lock waits: they honour lock_timeout and statement_timeout, can be cancelled, and are
 * seen by the deadlock detector (which never fires for single calls, as keys are taken in order).
 */
#include "pg/pg.hpp"

namespace dcb::pg {
namespace {

constexpr uint16 dcb_lock_space = 0xDCB;

/*
 * Keys this transaction holds (approximately: keys taken twice are counted twice). The budget
 * dcb.max_lock_keys is per transaction, so a loop of appends in one transaction cannot exhaust the
 * shared lock table either: once the budget is spent, further calls escalate.
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
	if (bits & lock_exclusive)
		return ExclusiveLock;
	if ((bits & lock_check) && (bits & lock_write))
		return ShareRowExclusiveLock;
	if (bits & lock_check)
		return ShareLock;
	if (bits & lock_write)
		return RowExclusiveLock;
	return RowShareLock; /* lock_escalation_check alone */
}

} // namespace

LockPlan
plan_locks(const Filter *condition, const Event *events, int nevents)
{
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
	in.check_keys = static_cast<Key *>(palloc(sizeof(Key) * (ncheck + 1)));
	in.check_all = condition != nullptr && condition->nitems == 0;
	in.max_keys = static_cast<size_t>(std::max<int64>(0, max_lock_keys - keys_held_in_xact));

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
	for (int i = 0; condition && i < condition->nitems; i++)
		in.ncheck += item_check_keys(condition->items[i].view, in.check_keys + in.ncheck);

	LockPlan plan;
	plan.requests = static_cast<LockRequest *>(palloc(sizeof(LockRequest) * lock_plan_capacity(in)));
	plan.n = build_lock_plan(in, plan.requests, &plan.escalated);
	pfree(in.write_keys);
	pfree(in.id_keys);
	pfree(in.check_keys);
	return plan;
}

void
register_lock_accounting()
{
	RegisterXactCallback(reset_keys_held, nullptr);
}

void
acquire_locks(const LockPlan &plan, bool *newly)
{
	if (!newly)
		keys_held_in_xact += plan.n;
	for (size_t i = 0; i < plan.n; i++)
	{
		LOCKTAG tag;
		set_tag(&tag, plan.requests[i].key);
		LockAcquireResult res = LockAcquire(&tag, mode_of(plan.requests[i].bits), false, false);
		if (newly)
			newly[i] = res == LOCKACQUIRE_OK;
	}
}

void
release_locks(const LockPlan &plan, const bool *newly)
{
	for (size_t i = 0; i < plan.n; i++)
	{
		if (!newly[i])
			continue;
		LOCKTAG tag;
		set_tag(&tag, plan.requests[i].key);
		LockRelease(&tag, mode_of(plan.requests[i].bits), false);
	}
}

} // namespace dcb::pg
