// dcb/json.hpp — the JSON shapes of the SQL contract (events, timestamps), for users and tests.
#pragma once

#include "dcb/export.hpp"

#include "dcb/event.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace dcb {

/// The `events` argument of dcb_append: a JSON array of event objects. Validates every event (non-empty
/// type, JSON data, object metadata, non-empty tags) and throws dcb::InvalidArgument naming the path.
DCB_API std::string events_to_json(const std::vector<Event>& events);
/// Parses an events array (the inverse of events_to_json); data/metadata come back as compact JSON text.
DCB_API std::vector<Event> events_from_json(std::string_view json);

/// RFC 3339 in UTC with microseconds: "2025-01-01T00:00:00.000000Z".
DCB_API std::string format_timestamp(Timestamp t);
/// Parses RFC 3339 ("...Z" or "...+hh:mm", optional fraction); throws dcb::InvalidArgument.
DCB_API Timestamp parse_timestamp(std::string_view text);

}  // namespace dcb
