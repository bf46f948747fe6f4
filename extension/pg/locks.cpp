/*
 * locks.cpp — see locks.hpp.
 */
#include "pg/locks.hpp"

#include "pg/settings.hpp"

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

LOCKTAG
tag_of(Key key)
{
	LOCKTAG tag;
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) (key >> 32), (uint32) key, dcb_lock_space);
	return tag;
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

} // namespace

Key *
filter_check_keys(const Filter &filter, size_t max_keys, size_t *nkeys, bool *check_all)
{
	size_t capacity = 1;
	ItemView *items = static_cast<ItemView *>(palloc(sizeof(ItemView) * (filter.nitems + 1)));
	for (int i = 0; i < filter.nitems; i++)
	{
		items[i] = filter.items[i].view;
		capacity += item_check_key_count(items[i]);
	}
	Key *keys = static_cast<Key *>(palloc(sizeof(Key) * capacity));
	*nkeys = condition_check_keys(items, filter.nitems, max_keys, keys, check_all);
	pfree(items);
	return keys;
}

size_t
lock_key_budget()
{
	return static_cast<size_t>(max_lock_keys);
}

size_t
lock_key_budget_left()
{
	return static_cast<size_t>(std::max<int64>(0, static_cast<int64>(lock_key_budget()) - keys_held_in_xact));
}

void
acquire_planned(const LockRequest *requests, size_t n)
{
	for (size_t i = 0; i < n; i++)
	{
		LOCKTAG tag = tag_of(requests[i].key);
		if (LockAcquire(&tag, mode_of(requests[i].bits), false, false) == LOCKACQUIRE_OK)
			keys_held_in_xact++; /* keys taken again, like (*,*), are counted once */
	}
}

void
take_key(Key key, LOCKMODE mode)
{
	LOCKTAG tag = tag_of(key);
	(void) LockAcquire(&tag, mode, false, false);
}

void
release_key(Key key, LOCKMODE mode)
{
	LOCKTAG tag = tag_of(key);
	LockRelease(&tag, mode, false);
}

void
wait_for_holders(const Key *keys, size_t n, LOCKMODE mode)
{
	List *tags = NIL;
	for (size_t i = 0; i < n; i++)
	{
		LOCKTAG *tag = static_cast<LOCKTAG *>(palloc(sizeof(LOCKTAG)));
		*tag = tag_of(keys[i]);
		tags = lappend(tags, tag);
	}
	WaitForLockersMultiple(tags, mode, false);
	list_free_deep(tags);
}

bool
key_has_holders(Key key, LOCKMODE mode)
{
	LOCKTAG tag = tag_of(key);
	int count = 0;
	VirtualTransactionId *holders = GetLockConflicts(&tag, mode, &count);
	pfree(holders);
	return count > 0;
}

void
register_lock_accounting()
{
	RegisterXactCallback(reset_keys_held, nullptr);
}

} // namespace dcb::pg
