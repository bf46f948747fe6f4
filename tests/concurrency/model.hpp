// model.hpp — the driver's own, independent model of dcb filters and events.
//
// The invariant checks must not trust the extension under test, so filter matching is re-implemented here
// from the README ("Filters"): an event matches an item when its type is one of `types` (OR), its tags contain all of
// `tags` (AND) and its data contains `payload`; it matches a filter when it matches any item. The driver only
// generates flat payloads of string values ({"k":"x"}), which is all the containment test supports.
//
// Every event the driver appends records, in its metadata, the call that wrote it (call id, index in the
// batch, batch size) and that call's condition (filter, expected_max), so that the final log alone is
// enough to check G1 and G4.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dcbc {

struct Item {
	std::vector<std::string> types;
	std::vector<std::string> tags;
	std::map<std::string, std::string> payload;  // flat string containment; empty = no payload part
};

// A filter; an empty `items` list means "{}" (matches every event). SQL NULL is std::optional<Filter>{}.
struct Filter {
	std::vector<Item> items;
};
using OptFilter = std::optional<Filter>;

std::string json_string(const std::string &s);  // JSON string literal, escaped
std::string to_json(const Filter &f);
std::optional<std::string> to_json(const OptFilter &f);  // nullopt for SQL NULL
std::string describe(const OptFilter &f);                // human-readable, for reports

// What a caller asks to append (metadata is filled in by append_events_json).
struct EventSpec {
	std::string type;
	std::vector<std::string> tags;
	std::map<std::string, std::string> data;  // flat object of strings
	std::optional<std::string> id;            // uuid text; makes the append idempotent
};

// The JSON array passed to dcb_append. Each event's metadata records (call, idx, n, filter, expected_max).
std::string append_events_json(const std::string &call_id, const OptFilter &filter,
                               std::optional<int64_t> expected_max, const std::vector<EventSpec> &events);

// One event as read back from the store, with the driver's bookkeeping parsed out of its metadata.
struct LogEvent {
	int64_t seq = 0;
	std::string type;
	std::vector<std::string> tags;
	std::map<std::string, std::string> data;  // top-level string members of data
	std::optional<std::string> id;            // uuid text, as stored
	// from metadata
	std::string call;
	int idx = 0;
	int n = 1;
	bool conditional = false;  // the call had a non-NULL filter
	Filter filter;             // meaningful when conditional
	std::optional<int64_t> expected_max;
};

// Parses the text columns of a dcb_read row: tags as a JSON array, data and metadata as JSON text.
LogEvent parse_event(int64_t seq, const std::string &type, const std::string &tags_json,
                     const std::string &data_json, const std::string &metadata_json,
                     std::optional<std::string> id = std::nullopt);

bool matches(const Item &item, const LogEvent &e);
bool matches(const OptFilter &f, const LogEvent &e);  // NULL and {} match everything

}  // namespace dcbc
