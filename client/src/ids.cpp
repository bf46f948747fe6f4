// ids.cpp — random UUIDs, W3C traceparent parsing/generation and the retry backoff.
#include "dcb/event_store.hpp"
#include "dcb/observability.hpp"
#include "dcb/traceparent.hpp"

#include "dcb/errors.hpp"
#include "random.hpp"

#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

namespace dcb {

namespace detail {

void random_bytes(void* out, std::size_t n) {
	auto* p = static_cast<unsigned char*>(out);
	while (n > 0) {
		const ssize_t got = getrandom(p, n, 0);
		if (got < 0) {
			if (errno == EINTR) continue;
			throw Error("58000", std::string("dcb: getrandom failed: ") + std::strerror(errno));
		}
		p += got;
		n -= static_cast<std::size_t>(got);
	}
}

std::uint64_t random_u64() {
	std::uint64_t v = 0;
	random_bytes(&v, sizeof v);
	return v;
}

double random01() { return static_cast<double>(random_u64() >> 11) * 0x1.0p-53; }

}  // namespace detail

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

/// `2 * N` random hex digits (trace ids: N = 16, span ids: N = 8).
template <std::size_t N>
std::string random_hex() {
	unsigned char b[N];
	detail::random_bytes(b, N);
	std::string s;
	s.reserve(2 * N);
	for (unsigned char c : b) {
		s += hex_digits[c >> 4];
		s += hex_digits[c & 0xf];
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
	unsigned char b[16];
	detail::random_bytes(b, sizeof b);
	b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
	b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // variant 10xx
	std::string s;
	s.reserve(36);
	for (int i = 0; i < 16; ++i) {
		if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
		s += hex_digits[b[i] >> 4];
		s += hex_digits[b[i] & 0xf];
	}
	return s;
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

TraceParent TraceParent::generate() { return TraceParent{random_hex<16>(), random_hex<8>(), true}; }

TraceParent TraceParent::child() const { return TraceParent{trace_id, random_hex<8>(), sampled}; }

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
