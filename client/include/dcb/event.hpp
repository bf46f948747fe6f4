// dcb/event.hpp — the event types exchanged with the store.
//
// Event is what a client appends; StoredEvent is what a read returns (with the store-assigned seq).
// data and metadata are JSON text; the store keeps them as jsonb.
#pragma once

#include "dcb/export.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dcb {

/// A point in time with microsecond precision (PostgreSQL's timestamptz resolution), UTC.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

/// An event to append. An aggregate: `dcb::Event{.type = "X", .data = R"({})", .tags = {"K:v"}}`.
// Every member has a default member initializer, so designated initializers that name only some members do
// not trip GCC's -Wmissing-field-initializers (part of -Wextra) in users' builds.
struct Event {
	std::string type{};                       ///< required, non-empty, at most 255 bytes
	std::string data{};                       ///< required JSON text (any JSON value)
	std::vector<std::string> tags{};          ///< "key:value": write them as dcb::P("key", value)
	std::string metadata{};                   ///< JSON object text; empty means {}
	std::string id{};                         ///< UUID text; empty means none. Makes the append idempotent.
	std::optional<Timestamp> occurred_at{};   ///< default: the appending transaction's time

	bool operator==(const Event&) const = default;
};

/// An event as stored, returned by reads.
struct StoredEvent {
	std::int64_t seq = 0;
	std::string type{};
	std::vector<std::string> tags{};
	std::string data{};       ///< JSON text as normalised by jsonb
	std::string metadata{};   ///< JSON object text
	Timestamp occurred_at{};
	std::string id{};         ///< empty when the event was appended without an id

	bool operator==(const StoredEvent&) const = default;
};

/// Per event type, the keys of its `data` whose values are also its tags ("key:value"). With them a tag cannot be
/// forgotten: `{{"BookCopyLentToReader", {"BookID", "ReaderID"}}}` gives every such event the tags
/// BookID:<its data's BookID> and ReaderID:<its data's ReaderID>, so a filter on either finds it.
using TagRules = std::map<std::string, std::vector<std::string>, std::less<>>;

/// Adds to every event whose type has a rule the tags "key:value" for the rule's keys, read from the top level of
/// its data (strings as they are, numbers and booleans as JSON writes them); tags it already has are not repeated.
/// Throws dcb::InvalidArgument naming the event when its data is not an object, lacks a key, or holds null, an
/// object or an array there. EventStore applies StoreOptions::tag_rules this way to everything it appends.
DCB_API void derive_tags(const TagRules& rules, std::vector<Event>& events);

/// The result of EventStore::query: the matching events and the position to append at.
struct QueryResult {
	std::vector<StoredEvent> events{};
	/// max(after, highest seq returned): pass it to append() as expected_max to
	/// fail when anything matching the same filter was appended since this read.
	std::int64_t max_seq = 0;
};

/// Which server a read goes to. Appends always go to the primary.
enum class Consistency {
	strong,    ///< primary: read-your-writes; use for command handlers (read → decide → append)
	eventual,  ///< replica when configured (may lag); use for pure query handlers only
};

}  // namespace dcb
