// dcb/filter.hpp — the filter model sent to dcb_read / dcb_append.
//
// A Filter is a list of SQL items (OR between items) plus optional occurred_at bounds. An item
// matches an event when its type is one of `types` (OR), its tags contain all of `tags` (AND) and its
// data contains `payload` (jsonb @>). Build filters with dcb::build_event_filter() (filter_builder.hpp);
// the builder expands "any predicate of" into one item per predicate.
#pragma once

#include "dcb/export.hpp"

#include "dcb/event.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dcb {

/// A tag "key:value": what a filter item requires of an event's tags, and what an event carries. P() is the one
/// spelling for both, so a condition and the events it guards cannot drift apart by a typo:
///   .tags = {dcb::P("BookID", id)}   and   .any_predicate_of({dcb::P("BookID", id)})
/// Unlike the reference library's P(), which matches the event payload, this is a tag; payload_contains()
/// matches the payload.
struct Predicate {
	std::string key{};
	std::string value{};

	/// The tag string stored with events: "key:value".
	std::string tag() const { return key + ':' + value; }
	/// The tag string, so that a Predicate can stand in an event's tag list.
	operator std::string() const { return tag(); }  // NOLINT: implicit by design
	auto operator<=>(const Predicate&) const = default;
};

/// The predicate (tag) "key:value".
inline Predicate P(std::string_view key, std::string_view value) {
	return Predicate{std::string(key), std::string(value)};
}

/// One SQL filter item; see the file comment.
struct FilterItem {
	std::vector<std::string> types{};  ///< sorted, unique; empty = any type
	std::vector<std::string> tags{};   ///< sorted, unique; all must be present
	std::string payload{};             ///< JSON object text for containment; empty = none

	bool operator==(const FilterItem&) const = default;
};

class DCB_API Filter {
public:
	/// The filter that matches every event (JSON `{}`), like matching_any_event().
	Filter() = default;
	Filter(std::vector<FilterItem> items, std::optional<Timestamp> occurred_from, std::optional<Timestamp> occurred_until);

	const std::vector<FilterItem>& items() const noexcept { return items_; }
	const std::optional<Timestamp>& occurred_from() const noexcept { return occurred_from_; }
	const std::optional<Timestamp>& occurred_until() const noexcept { return occurred_until_; }
	bool matches_all_events() const noexcept { return items_.empty(); }

	/// The filter as the JSON object of the SQL contract (items, occurred_from, occurred_until).
	std::string to_json() const;
	/// Parses and validates a filter JSON object (the inverse of to_json).
	static Filter from_json(std::string_view json);

	bool operator==(const Filter&) const = default;

private:
	std::vector<FilterItem> items_;
	std::optional<Timestamp> occurred_from_;
	std::optional<Timestamp> occurred_until_;
};

}  // namespace dcb
