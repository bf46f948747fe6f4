/*
 * lock_plan.hpp — which keys an append locks, in which modes, and when it escalates.
 *
 * This is the one place that decides which keys an event writes and which keys a filter item
 * checks; the append path, the read barrier and the unit tests all call it. The invariant the
 * concurrency design rests on (checked by tests/unit over random inputs):
 *
 *     every event that matches an item writes at least one of that item's check keys,
 *
 * and its converse, which keeps unrelated decisions apart: an event with at most pair_tag_limit
 * tags that lacks one of the item's types, its primary or its secondary tag writes none of them.
 * docs/design.md ("Keys", "Lock modes", "Escalation") has the argument.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "core/filter.hpp"
#include "core/keys.hpp"

namespace dcb {

/*
 * Events with at most this many tags write a pair key for every two of their tags (3 tags: 3 pairs);
 * events with more write one "wide" key per tag instead.
 */
constexpr std::size_t pair_tag_limit = 3;

/* Write keys of an event: (T,g) and (*,g) per tag, (T,*) and (*,*), and per pair of tags (T,{g,h})
 * and (*,{g,h}) -- or, with more than pair_tag_limit tags, (T,g,+) and (*,g,+) per tag. */
constexpr std::size_t
event_write_key_count(std::size_t ntags) noexcept
{
	return 2 * ntags + 2 + (ntags <= pair_tag_limit ? ntags * (ntags - (ntags > 0 ? 1 : 0)) : 2 * ntags);
}
std::size_t event_write_keys(const EventView &event, Key *out) noexcept;

/*
 * Check keys of an item: (t,g) per type with the primary tag g; (*,g) without types; (t,*) per type
 * without tags; (*,*) for payload-only items. An item with two or more tags checks the pair of its
 * primary and secondary tags instead of the primary tag alone -- (t,{g,h}) and the wide key
 * (t,g,+) per type, or (*,{g,h}) and (*,g,+) without types -- so two decisions that share only one
 * tag (two students enrolling in one course) do not wait for each other. With coarse, an item with
 * types checks the keys without types instead: one or two keys instead of one or two per type,
 * still met by every matching event, at the price of also waiting for writers of other types.
 */
std::size_t item_check_key_count(const ItemView &item) noexcept;
std::size_t item_check_keys(const ItemView &item, Key *out, bool coarse = false) noexcept;

/*
 * The check keys of a condition (its items OR-ed), deduplicated and sorted into out (capacity: the
 * sum of item_check_key_count). When there are more than max_keys, the coarse keys are used, and
 * when even those are too many, *check_all is set: the condition checks (*,*), which every event
 * writes. Returns the number of keys (0 with *check_all).
 */
std::size_t condition_check_keys(const ItemView *items, std::size_t nitems, std::size_t max_keys, Key *out,
								 bool *check_all) noexcept;

/*
 * The distinct keys of a batch, collected in caller-owned memory whose size depends only on the
 * limit (key_set_slots), however many events the batch has: once more than limit distinct keys are
 * known, the set stops growing and says so (overflowed), and the writer escalates. An open-addressing
 * hash set; key 0 is kept apart, as 0 marks a free slot.
 */
struct KeySet
{
	Key *slots;
	std::size_t mask; /* slots - 1, a power of two minus one */
	std::size_t count;
	std::size_t limit;
	bool has_zero;
	bool overflowed;
};

/* The slots a key set with this limit needs (a power of two, at least twice limit + 1). */
constexpr std::size_t
key_set_slots(std::size_t limit) noexcept
{
	std::size_t n = 16;
	while (n < 2 * (limit + 1))
		n *= 2;
	return n;
}
/* slots: key_set_slots(limit) zeroed keys. */
KeySet key_set_init(Key *slots, std::size_t limit) noexcept;
void key_set_add(KeySet &set, Key key) noexcept;
/* Writes the distinct keys to out (room for set.count), sorted; returns their number. */
std::size_t key_set_sorted(const KeySet &set, Key *out) noexcept;

/*
 * Modes are abstract bits; the PostgreSQL layer maps them to lock modes:
 *   Write -> RowExclusiveLock and Id -> ExclusiveLock, held to the end of the transaction;
 *   Check -> ShareLock, held from before the condition check to the end of the call's insert.
 * A key with both Check and Write is held in both modes. Writers never block writers; checkers
 * never block checkers; a checker and a writer of the same key serialize; appends of the same event
 * id serialize. Acquired in ascending key order, so one call cannot deadlock with another.
 */
enum LockBits : std::uint8_t
{
	lock_check = 1,
	lock_write = 2,
	lock_id = 4,
};

struct LockRequest
{
	Key key;
	std::uint8_t bits;
};

/*
 * The escalation decision. A transaction may hold budget_left more keys. A writer whose distinct
 * write and id keys do not fit escalates: instead of its keys it holds the Escalated key for
 * writing (and no id keys: the unique index on ids still stops a duplicate), and takes the
 * Positions key around the chunks it inserts (docs/design.md, "Escalation").
 */
constexpr bool
writes_escalate(const KeySet &writes, std::size_t nid, std::size_t budget_left) noexcept
{
	return writes.overflowed || writes.count + nid > budget_left;
}

/* How many check keys the call may take besides the keys it holds: one call never takes more keys
 * than the budget it has left, except that a condition can always check (*,*). */
constexpr std::size_t
check_key_allowance(std::size_t budget_left, std::size_t held) noexcept
{
	return budget_left > held ? budget_left - held : 0;
}

struct LockPlanInput
{
	const Key *write_keys; /* distinct; ignored when escalated */
	std::size_t nwrite;
	const Key *id_keys; /* distinct; ignored when escalated */
	std::size_t nid;
	bool escalated;        /* writes_escalate() */
	const Key *check_keys; /* from condition_check_keys; nullptr/0 when there is no condition */
	std::size_t ncheck;
	bool check_all; /* the condition covers every event: check (*,*) */
};

/* Upper bound of the plan's size, for the caller's buffer. */
constexpr std::size_t
lock_plan_capacity(const LockPlanInput &in) noexcept
{
	return in.nwrite + in.nid + in.ncheck + 3;
}

/* Builds the plan into out (capacity lock_plan_capacity), sorted by key, one entry per key with the
 * bits of every role it has; returns the entry count. */
std::size_t build_lock_plan(const LockPlanInput &in, LockRequest *out) noexcept;

static_assert(std::is_trivially_destructible_v<LockRequest> && std::is_trivially_destructible_v<LockPlanInput> &&
				  std::is_trivially_destructible_v<KeySet>,
			  "lock plans live on PostgreSQL frames: they must be trivially destructible");

} // namespace dcb
