// ids.cpp — random UUIDs, W3C traceparent parsing/generation and the retry backoff.
#include "dcb/event_store.hpp"
#include "dcb/observability.hpp"
#include "dcb/traceparent.hpp"

#include "random.hpp"

#include <algorithm>
#include <cmath>

namespace dcb {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

std::string random_hex(std::size_t n) {
	std::string s(n, '0');
	std::uint64_t bits = 0;
	for (std::size_t i = 0; i < n; ++i) {
		if (i % 16 == 0) bits = detail::rng()();
		s[i] = hex_digits[bits & 0xf];
		bits >>= 4;
	}
	return s;
}

bool is_hex(std::string_view s) {
	return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool all_zero(std::string_view s) {
	return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
}

}  // namespace

std::string new_uuid() {
	std::string s = random_hex(32);
	s[12] = '4';                                              // version 4
	s[16] = hex_digits[8 + (detail::rng()() & 0x3)];          // variant 10xx
	return s.substr(0, 8) + '-' + s.substr(8, 4) + '-' + s.substr(12, 4) + '-' + s.substr(16, 4) + '-' + s.substr(20);
}

std::optional<TraceParent> TraceParent::parse(std::string_view h) {
	// 00-<32 hex>-<16 hex>-<2 hex>
	if (h.size() != 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
	const auto version = h.substr(0, 2), trace = h.substr(3, 32), span = h.substr(36, 16), flags = h.substr(53, 2);
	if (!is_hex(version) || version == "ff" || !is_hex(trace) || !is_hex(span) || !is_hex(flags)) return std::nullopt;
	if (all_zero(trace) || all_zero(span)) return std::nullopt;
	const int f = (flags[1] >= 'a' ? flags[1] - 'a' + 10 : flags[1] - '0');
	return TraceParent{std::string(trace), std::string(span), (f & 1) != 0};
}

TraceParent TraceParent::generate() { return TraceParent{random_hex(32), random_hex(16), true}; }

TraceParent TraceParent::child() const { return TraceParent{trace_id, random_hex(16), sampled}; }

std::string TraceParent::to_string() const {
	return "00-" + trace_id + "-" + span_id + (sampled ? "-01" : "-00");
}

std::string traceparent_sql_comment(std::string_view traceparent) {
	// Only a strictly valid header gets into SQL text: it is all hex digits and dashes, so it cannot close
	// the comment or inject anything.
	if (!TraceParent::parse(traceparent)) return {};
	return "/*traceparent='" + std::string(traceparent) + "'*/ ";
}

std::string_view LogContext::trace_id() const {
	return TraceParent::parse(traceparent) ? traceparent.substr(3, 32) : std::string_view{};
}

std::string_view LogContext::span_id() const {
	return TraceParent::parse(traceparent) ? traceparent.substr(36, 16) : std::string_view{};
}

std::chrono::microseconds RetryPolicy::backoff(int attempt, double random01) const {
	const double base = static_cast<double>(initial_backoff.count()) *
	                    std::pow(multiplier, static_cast<double>(std::max(attempt, 1) - 1));
	const double capped = std::min(base, static_cast<double>(max_backoff.count()));
	const double j = std::clamp(jitter, 0.0, 1.0);
	const double r = std::clamp(random01, 0.0, 1.0);
	return std::chrono::microseconds(static_cast<std::int64_t>(capped * (1.0 - j * r)));
}

}  // namespace dcb
