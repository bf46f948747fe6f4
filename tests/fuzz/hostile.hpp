// hostile.hpp — seeded generators of the text the fuzz driver sends: JSON that is valid by the contract,
// JSON with exactly one known defect, and hostile JSON (wrong types, deep nesting, huge strings, NUL and
// bad Unicode escapes, invalid UTF-8, out-of-range numbers, unknown keys, broken syntax), plus the scalar
// arguments (bigint, integer, boolean, interval, text).
//
// Everything is produced as text, because much of it must not be valid JSON or even valid UTF-8; what the
// server is expected to make of it is decided by the caller (targets.cpp).
#pragma once

#include "gen.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dcbf {

using dcbc::Rng;
using dcbc::chance;
using dcbc::pick;

// The session's dcb.* limits as the driver last set them (README "Limits and settings").
struct Limits {
	int events = 100000;       // dcb.max_events_per_call
	int filter_items = 100;    // dcb.max_filter_items (items, and types or tags per item)
	int tags = 100;            // dcb.max_tags_per_event
	int payload = 1048576;     // dcb.max_payload_bytes
	int lock_keys = 0;         // dcb.max_lock_keys (0: the server's default)
	bool defaults = true;      // all of them at their defaults (RESET)
	static constexpr int name_bytes = 255;  // a type or a tag (fixed)
	static constexpr int payload_depth = 1000;  // nesting of a payload predicate (fixed)
};

// What the generators draw from: a seeded rng, the limits in force and where the log is.
struct Gen {
	Rng &rng;
	const Limits &limits;
	int64_t head;  // dcb_head() as the driver knows it (a single writer: the last committed position)

	int upto(int n) { return pick(rng, n + 1); }  // uniform in [0, n]
	bool p(double x) { return chance(rng, x); }
	std::string pick_one(const std::vector<std::string> &v) { return v[pick(rng, static_cast<int>(v.size()))]; }

	// --- strings -----------------------------------------------------------------------------------
	std::string type_name();          // a valid event type (mostly from a small universe)
	std::string tag_name();           // a valid tag
	std::string bytes_of_length(size_t n);  // valid UTF-8 of exactly n bytes, often multi-byte at the end
	std::string hostile_string_token();     // a JSON string token or something that tries to be one

	// --- JSON values -------------------------------------------------------------------------------
	std::string small_value();        // a small valid JSON value of any type
	std::string deep_value(int depth);  // valid, nested `depth` levels (arrays or objects)
	std::string hostile_value();      // anything: wrong types, deep, huge, broken syntax, bad escapes
	std::string uuid();               // a fresh UUID in one of the accepted spellings
	std::string hostile_uuid_token(); // JSON string tokens that are almost UUIDs, or not strings
	std::string timestamp();          // a valid ISO 8601 timestamp string token
	std::string hostile_timestamp_token();

	// --- filters and events (valid unless chaos > 0; chaos in [0, 1] is how hostile each slot gets) ---
	std::string item(double chaos);
	std::string filter(double chaos);  // a filter object text
	std::string event(double chaos, std::optional<std::string> id = std::nullopt);
	// events: one object or an array of n
	std::string events(double chaos, int n, bool as_object = false, bool with_ids = false);

	// --- scalar arguments, as text parameters (nullopt: SQL NULL) ----------------------------------
	std::optional<std::string> bigint_arg(bool valid_only);   // positions: around head, extremes, garbage
	std::optional<std::string> int_arg(bool valid_only);      // max_count
	std::optional<std::string> bool_arg(bool valid_only);
	std::optional<std::string> interval_arg(bool valid_only, bool short_only);
	std::optional<std::string> text_arg(bool valid_only);     // consumer / projection names

	// Byte-level damage to a text: flips, cuts, inserted invalid UTF-8, NUL, stray quotes and brackets.
	std::string mutate_text(std::string s);
};

// The JSON string token of s (escaped as needed; UTF-8 passes through).
std::string jstr(const std::string &s);
// [a,b,...] and {"k":v,...} from element / member texts.
std::string jarr(const std::vector<std::string> &elems);
std::string jobj(const std::vector<std::pair<std::string, std::string>> &members);

}  // namespace dcbf
