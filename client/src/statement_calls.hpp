// statement_calls.hpp — building the StatementCall of a read or an append (shared by the single and batch calls).
#pragma once

#include "dcb/event_store.hpp"

namespace dcb::detail {

ExecutionControl control_of(const CallOptions& c);
/// Validates the read options; a filter matching everything without bounds is sent as NULL.
StatementCall read_call(const Filter& filter, std::int64_t after, std::optional<std::int32_t> limit, bool backwards,
                        const std::string& traceparent);
StatementCall append_call(const std::optional<Filter>& filter, std::int64_t expected_max, const std::vector<Event>& events,
                          const std::string& traceparent);

}  // namespace dcb::detail
