// statement_calls.hpp — building the StatementCall of a read or an append, and a read's result (shared by the
// single and batch calls).
#pragma once

#include "dcb/event_store.hpp"

namespace dcb::detail {

/// Number of StatementKind values (they are 0 .. statement_kind_count - 1).
inline constexpr int statement_kind_count = 6;

ExecutionControl control_of(const CallOptions& c);
/// The statements' store parameter: NULL for the default store (StoreOptions::store empty).
std::optional<std::string> store_param(const std::string& store);
/// Validates a store name as the server does (InvalidArgument, 22023); the empty name is the default store.
void check_store_name(const std::string& store);
/// Validates the read options; a filter matching everything without bounds is sent as NULL.
StatementCall read_call(const Filter& filter, std::int64_t after, std::optional<std::int32_t> limit, bool backwards,
                        const std::string& store, const std::string& traceparent);
/// Validates expected_max; derives the events' tags by `tag_rules` (StoreOptions::tag_rules) first.
StatementCall append_call(const std::optional<Filter>& filter, std::int64_t expected_max, const std::vector<Event>& events,
                          const TagRules& tag_rules, const std::string& store, const std::string& traceparent);
/// The result of a read that started after `after`: the events, and max_seq = max(after, their highest seq).
QueryResult query_result(std::int64_t after, std::vector<StoredEvent> events);

}  // namespace dcb::detail
