/*
 * locks.cpp — see locks.hpp.
 */
#include "pg/locks.hpp"

#include "pg/settings.hpp"
#include "pg/stats.hpp"

namespace dcb::pg {
namespace {

constexpr uint16 dcb_lock_space = 0xDCB;

/*
 * Keys this transaction holds (a key held in two modes counts twice), per subtransaction nesting
 * level: a subtransaction that rolls back releases the keys it took, and one that commits hands
 * them to its parent. The budget is per transaction, so a loop of appends in one transaction cannot
 * exhaust the shared lock table either: once it is spent, further calls escalate.
 */
int64 *held_at_level = nullptr; /* [nesting level], in TopMemoryContext */
int levels = 0;

int64
keys_held()
{
	int64 n = 0;
	for (int i = 0; i < levels; i++)
		n += held_at_level[i];
	return n;
}

void
count_key_taken()
{
	const int level = GetCurrentTransactionNestLevel();
	if (level >= levels)
	{
		const int more = Max(level + 1, 2 * levels);
		held_at_level = static_cast<int64 *>(held_at_level == nullptr
												 ? MemoryContextAllocZero(TopMemoryContext, sizeof(int64) * more)
												 : repalloc(held_at_level, sizeof(int64) * more));
		memset(held_at_level + levels, 0, sizeof(int64) * (more - levels));
		levels = more;
	}
	held_at_level[level]++;
}

void
forget_transaction_keys(XactEvent event, void *)
{
	if ((event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE ||
		 event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT) &&
		levels > 0)
		memset(held_at_level, 0, sizeof(int64) * levels);
}

void
settle_subtransaction_keys(SubXactEvent event, SubTransactionId, SubTransactionId, void *)
{
	const int level = GetCurrentTransactionNestLevel();
	if (level >= levels || level < 1)
		return;
	if (event == SUBXACT_EVENT_COMMIT_SUB)
		held_at_level[level - 1] += held_at_level[level];
	if (event == SUBXACT_EVENT_COMMIT_SUB || event == SUBXACT_EVENT_ABORT_SUB)
		held_at_level[level] = 0;
}

LOCKTAG
tag_of(const Store &store, Key key)
{
	const Key k = store_key(key, store.key_space);
	LOCKTAG tag;
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) (k >> 32), (uint32) k, dcb_lock_space);
	return tag;
}

/* LockAcquire, counting a wait in the store's statistics when the lock is not free at once. */
LockAcquireResult
acquire(const Store &store, const LOCKTAG *tag, LOCKMODE mode)
{
	const LockAcquireResult now = LockAcquire(tag, mode, false, true);
	if (now != LOCKACQUIRE_NOT_AVAIL)
		return now;
	const LockWait wait = lock_wait_begins();
	const LockAcquireResult r = LockAcquire(tag, mode, false, false);
	lock_wait_ends(store, wait);
	return r;
}

/* The mode a held (write or id) request is taken in. */
LOCKMODE
held_mode_of(std::uint8_t bits)
{
	return (bits & lock_id) ? ExclusiveLock : RowExclusiveLock;
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
	return static_cast<size_t>(std::max<int64>(0, static_cast<int64>(lock_key_budget()) - keys_held()));
}

void
acquire_planned(const Store &store, const LockRequest *requests, size_t n)
{
	for (size_t i = 0; i < n; i++)
	{
		LOCKTAG tag = tag_of(store, requests[i].key);
		const bool held = (requests[i].bits & (lock_write | lock_id)) != 0;
		const bool check = (requests[i].bits & lock_check) != 0;
		/*
		 * A key both written and checked is first taken in ShareRowExclusiveLock, which conflicts with
		 * both and with itself: two calls on it serialize here. Taking the write mode and then ShareLock
		 * would let two of them each get the write mode and then wait for the other's (a deadlock).
		 * The write mode that follows is granted at once (nobody else can hold a conflicting mode).
		 */
		if (check)
			(void) acquire(store, &tag, held ? ShareRowExclusiveLock : ShareLock);
		if (held && acquire(store, &tag, held_mode_of(requests[i].bits)) == LOCKACQUIRE_OK)
			count_key_taken(); /* keys taken again, like (*,*), are counted once */
	}
}

void
release_check_keys(const Store &store, const LockRequest *requests, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (requests[i].bits & lock_check)
		{
			LOCKTAG tag = tag_of(store, requests[i].key);
			LockRelease(&tag, (requests[i].bits & (lock_write | lock_id)) ? ShareRowExclusiveLock : ShareLock, false);
		}
}

void
take_key(const Store &store, Key key, LOCKMODE mode)
{
	LOCKTAG tag = tag_of(store, key);
	(void) acquire(store, &tag, mode);
}

void
release_key(const Store &store, Key key, LOCKMODE mode)
{
	LOCKTAG tag = tag_of(store, key);
	LockRelease(&tag, mode, false);
}

/* WaitForLockersMultiple, counting the waits: all holders are found first, then awaited. */
void
wait_for_holders(const Store &store, const Key *keys, size_t n, LOCKMODE mode)
{
	VirtualTransactionId **holders = static_cast<VirtualTransactionId **>(palloc(sizeof(void *) * (n + 1)));
	for (size_t i = 0; i < n; i++)
	{
		LOCKTAG tag = tag_of(store, keys[i]);
		holders[i] = GetLockConflicts(&tag, mode, nullptr);
	}
	for (size_t i = 0; i < n; i++)
	{
		for (VirtualTransactionId *v = holders[i]; VirtualTransactionIdIsValid(*v); v++)
			if (!VirtualXactLock(*v, false))
			{
				const LockWait wait = lock_wait_begins();
				VirtualXactLock(*v, true);
				lock_wait_ends(store, wait);
			}
		pfree(holders[i]);
	}
	pfree(holders);
}

bool
key_has_holders(const Store &store, Key key, LOCKMODE mode)
{
	LOCKTAG tag = tag_of(store, key);
	int count = 0;
	VirtualTransactionId *holders = GetLockConflicts(&tag, mode, &count);
	pfree(holders);
	return count > 0;
}

VirtualTransactionId *
key_holders(const Store &store, Key key, LOCKMODE mode, int *n)
{
	LOCKTAG tag = tag_of(store, key);
	return GetLockConflicts(&tag, mode, n);
}

void
wait_for_transaction(const Store &store, TransactionId xid, Relation rel, ItemPointer tid)
{
	if (ConditionalXactLockTableWait(xid))
		return;
	const LockWait wait = lock_wait_begins();
	XactLockTableWait(xid, rel, tid, XLTW_None);
	lock_wait_ends(store, wait);
}

void
register_lock_accounting()
{
	RegisterXactCallback(forget_transaction_keys, nullptr);
	RegisterSubXactCallback(settle_subtransaction_keys, nullptr);
}

} // namespace dcb::pg
