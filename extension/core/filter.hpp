/*
 * filter.hpp — the filter model, validation rules, key derivation, matching and the lock plan.
 *
 * This is the one place that decides which keys an event writes and which keys a filter item
 * checks; the append path, the read path and the unit tests all call it. The invariant everything
 * rests on (checked by tests/unit over random inputs):
 *
 *     every event that matches an item writes at least one of that item's check keys.
 *
 * The types here are views (string_view, raw arrays owned by the caller): they are trivially
 * destructible, so PostgreSQL code may hold them across calls that can ereport(). No function here
 * allocates, throws or calls into PostgreSQL.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/keys.hpp"

namespace dcb {

/* Fixed by the SQL contract. */
constexpr std::size_t max_name_bytes = 255;

/* An event as far as keys and matching are concerned. tags must be sorted and unique
 * (sort_unique_names), which the append path guarantees and the read path gets from storage. */
struct EventView
{
	std::string_view type;
	const std::string_view *tags;
	std::size_t ntags;
};

/* One filter item: types OR-ed, tags AND-ed; the payload predicate is evaluated by the caller. */
struct ItemView
{
	const std::string_view *types;
	std::size_t ntypes;
	const std::string_view *tags;
	std::size_t ntags;
	bool has_payload;
};

/* Validation of a type or tag: nullptr when valid, else the predicate for "<path> <predicate>". */
const char *check_name(std::string_view s) noexcept;

/* Sorts names bytewise and removes duplicates in place; returns the new count. */
std::size_t sort_unique_names(std::string_view *names, std::size_t n) noexcept;

/* Does the event match the item's types and tags? (Payload is the caller's part.) */
bool item_matches(const ItemView &item, const EventView &event) noexcept;

/*
 * Events with at most this many tags write a pair key for every two of their tags (3 tags: 3 pairs);
 * events with more write one "wide" key per tag instead (keys.hpp).
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
 * The item's "primary tag": the tag whose keys the item checks and whose index the read probes, and
 * for items with several tags the "secondary tag" that forms the checked pair with it. Every
 * matching event carries all of the item's tags, so any of them is correct; the PostgreSQL layer
 * moves the item's two rarest tags to these positions first (choose_primary_tags).
 */
constexpr std::size_t primary_tag = 0;
constexpr std::size_t secondary_tag = 1;

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

/* How an item's candidates are found (extension/pg/scan.cpp). */
enum class Probe : std::uint8_t
{
	TagType, /* dcb.event_tags (tag_key, seq) of the primary tag, skipping other types */
	Tag,	 /* dcb.event_tags (tag_key, seq) of the primary tag */
	Type,	 /* dcb.events (type, seq): one probe per type */
	All,	 /* dcb.events (seq): payload-only items scan every event after the position */
};
Probe item_probe(const ItemView &item) noexcept;

/*
 * Lock plan. Modes are abstract bits; the PostgreSQL layer maps a combined mask to a lock mode:
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
	bool check_all;		  /* the condition (or read) covers every event: check (*,*) */
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
 * of its keys it takes lock_key_escalated() for writing (and no id keys: the unique index on ids
 * still stops a duplicate), and the caller takes lock_key_positions() around each chunk it inserts
 * (docs/design.md, "Escalation"), while checkers hold that key from their check to their insert.
 */
std::size_t build_lock_plan(LockPlanInput &in, LockRequest *out, bool *escalated) noexcept;

/* Parses a UUID in PostgreSQL's accepted input forms (hex with optional hyphens between groups of
 * four digits, optionally in braces). */
bool parse_uuid(std::string_view s, std::uint8_t (&out)[16]) noexcept;

} // namespace dcb
