/*
 * filter.hpp — the filter model: events and filter items as far as matching is concerned, the
 * validation rules of types and tags, and matching (types, tags, time bounds). The payload
 * predicate (jsonb containment) is the PostgreSQL layer's part.
 *
 * The types are views over caller-owned memory (string_view, raw arrays): trivially destructible, so
 * PostgreSQL code may hold them across calls that can ereport(). Nothing here allocates or throws.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace dcb {

/* Fixed by the SQL contract: the length of a type or a tag, in bytes. */
#define DCB_MAX_NAME_BYTES 255
constexpr std::size_t max_name_bytes = DCB_MAX_NAME_BYTES;

/* Validation of a type or tag: nullptr when valid, else the predicate for "<path> <predicate>". */
const char *check_name(std::string_view s) noexcept;

/* Sorts names bytewise and removes duplicates in place; returns the new count. */
std::size_t sort_unique_names(std::string_view *names, std::size_t n) noexcept;

/* An event. tags are sorted and unique (sort_unique_names): the append path sorts them, and the
 * read path gets them sorted from storage. */
struct EventView
{
	std::string_view type;
	const std::string_view *tags;
	std::size_t ntags;
};

/*
 * One filter item: types OR-ed, tags AND-ed, and a payload predicate evaluated by the caller. Both
 * lists are sorted and unique. primary and secondary index two distinct tags (when the item has that
 * many): the tag whose index a scan probes and whose keys the item checks, and the one that forms
 * the checked tag pair with it. Every matching event carries all of the item's tags, so any choice
 * is correct; the PostgreSQL layer picks the two rarest (prepare_filter).
 */
struct ItemView
{
	const std::string_view *types;
	std::size_t ntypes;
	const std::string_view *tags;
	std::size_t ntags;
	bool has_payload;
	std::size_t primary = 0;
	std::size_t secondary = 1;

	std::string_view
	primary_tag() const noexcept
	{
		return tags[primary];
	}
	std::string_view
	secondary_tag() const noexcept
	{
		return tags[secondary];
	}
};

/* Inclusive bounds on occurred_at, in PostgreSQL's timestamptz unit (microseconds since 2000). */
struct TimeBounds
{
	bool has_from;
	bool has_until;
	std::int64_t from;
	std::int64_t until;
};

/* Does the event match the item's types and tags? (The payload is the caller's part.) */
bool item_matches(const ItemView &item, const EventView &event) noexcept;

/* Does occurred_at lie within the bounds? */
bool within_bounds(const TimeBounds &bounds, std::int64_t occurred_at) noexcept;

/* How an item's candidates are found, which also decides which keys it checks (lock_plan.hpp). */
enum class Probe : std::uint8_t
{
	TagType, /* the tag index of the primary tag, skipping entries of other types */
	Tag,     /* the tag index of the primary tag */
	Type,    /* the type index: one probe per type */
	All,     /* payload-only items: every event after the position */
};
Probe item_probe(const ItemView &item) noexcept;

static_assert(std::is_trivially_destructible_v<EventView> && std::is_trivially_destructible_v<ItemView> &&
				  std::is_trivially_destructible_v<TimeBounds>,
			  "the filter model lives on PostgreSQL frames: it must be trivially destructible");

} // namespace dcb
