// dcb/traceparent.hpp — W3C Trace Context helpers (https://www.w3.org/TR/trace-context/).
#pragma once

#include "dcb/export.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace dcb {

struct DCB_API TraceParent {
	std::string trace_id{};  ///< 32 lower-case hex digits, not all zero
	std::string span_id{};   ///< 16 lower-case hex digits, not all zero
	bool sampled = true;

	/// Parses "00-<trace-id>-<span-id>-<flags>"; nullopt when malformed (it is then never put into SQL).
	static std::optional<TraceParent> parse(std::string_view header);
	/// A new root: random trace and span ids.
	static TraceParent generate();
	/// A child of this span: same trace id, new random span id.
	TraceParent child() const;
	std::string to_string() const;
};

/// The SQL comment carrying a traceparent (sqlcommenter style), e.g. `/*traceparent='00-...-01'*/ `,
/// or an empty string when `traceparent` is not a valid W3C traceparent.
DCB_API std::string traceparent_sql_comment(std::string_view traceparent);

}  // namespace dcb
