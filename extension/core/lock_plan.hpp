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
 * Modes are abstract bits; the PostgreSQL layer maps a combined mask to a lock mode:
 *   Check -> ShareLock, Write -> RowExclusiveLock, Check|Write -> ShareRowExclusiveLock,
 *   Id (alone or combined) -> ExclusiveLock.
 * Writers never block writers; checkers never block checkers; a checker and a writer of the same
 * key serialize; appends of the same event id serialize. Acquired in ascending key order, so one
 * call cannot deadlock with another.
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

struct LockPlanInput
{
	Key *write_keys; /* sorted and deduplicated in place */
	std::size_t nwrite;
	Key *id_keys; /* likewise */
	std::size_t nid;
	const Key *check_keys; /* from condition_check_keys; nullptr/0 when there is no condition */
	std::size_t ncheck;
	bool check_all;       /* the condition (or read) covers every event: check (*,*) */
	std::size_t max_keys; /* write and id keys this call may still take (the transaction's budget) */
};

/* Upper bound of the plan's size, for the caller's buffer. */
constexpr std::size_t
lock_plan_capacity(const LockPlanInput &in) noexcept
{
	return in.nwrite + in.nid + in.ncheck + 3;
}

/*
 * Builds the plan into out (capacity lock_plan_capacity) sorted by key, one entry per key; returns
 * the entry count. A writer with more than max_keys distinct write and id keys escalates: instead
 * of its keys it takes the Escalated key for writing (and no id keys: the unique index on ids still
 * stops a duplicate), and takes the Positions key around each chunk it inserts, while checkers hold
 * that key from their check to their insert (docs/design.md, "Escalation").
 */
std::size_t build_lock_plan(LockPlanInput &in, LockRequest *out, bool *escalated) noexcept;

static_assert(std::is_trivially_destructible_v<LockRequest> && std::is_trivially_destructible_v<LockPlanInput>,
			  "lock plans live on PostgreSQL frames: they must be trivially destructible");

} // namespace dcb
