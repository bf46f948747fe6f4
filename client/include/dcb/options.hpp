// dcb/options.hpp — per-call options, retry policy and store configuration.
#pragma once

#include "dcb/event.hpp"
#include "dcb/export.hpp"
#include "dcb/observability.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

namespace dcb {

using Clock = std::chrono::steady_clock;

/// Controls one call. A passed deadline or a stop request cancels the server statement (PQcancel) and
/// the call throws dcb::Timeout or dcb::Canceled respectively.
struct CallOptions {
	std::optional<Clock::time_point> deadline{};
	std::stop_token stop{};
	/// The caller's current span (W3C traceparent) used as the parent of the library's span.
	std::string traceparent{};

	/// Options whose deadline is `timeout` from now.
	static CallOptions within(Clock::duration timeout) {
		CallOptions o;
		o.deadline = Clock::now() + timeout;
		return o;
	}
};

struct QueryOptions {
	std::int64_t after = 0;               ///< only events with seq > after
	std::optional<std::int32_t> limit{};  ///< at most this many events
	bool backwards = false;               ///< newest first
	Consistency consistency = Consistency::strong;
	CallOptions call{};
};

/// Exponential backoff with jitter for EventStore::execute. Attempt n (n >= 1) that failed with a conflict
/// sleeps a random duration in [(1 - jitter) * d, d] with d = min(max_backoff, initial_backoff * multiplier^(n-1)).
struct RetryPolicy {
	int max_attempts = 10;  ///< total tries, including the first
	std::chrono::microseconds initial_backoff{1000};
	std::chrono::microseconds max_backoff{100000};
	double multiplier = 2.0;
	double jitter = 0.5;  ///< 0 = no jitter, 1 = full jitter
	/// Lost connections execute() rides out: the read is done again, or an append whose outcome is unknown is sent
	/// again with the same event ids, after the backoff of the n-th failure.
	int max_connection_retries = 2;

	/// The sleep before the retry that follows failed attempt `attempt` (1-based), for a uniform `random01`.
	DCB_API std::chrono::microseconds backoff(int attempt, double random01) const;
};

/// Per-call changes to the store's RetryPolicy (StoreOptions::retry): each member that is set replaces the
/// store's value, the others keep it. `{.max_attempts = 20}` changes the number of attempts only.
struct RetryOverrides {
	std::optional<int> max_attempts{};
	std::optional<std::chrono::microseconds> initial_backoff{};
	std::optional<std::chrono::microseconds> max_backoff{};
	std::optional<double> multiplier{};
	std::optional<double> jitter{};
	std::optional<int> max_connection_retries{};

	/// Replaces every member: the whole of `policy` applies.
	static RetryOverrides all_of(const RetryPolicy& policy) {
		return {policy.max_attempts, policy.initial_backoff, policy.max_backoff,
		        policy.multiplier,   policy.jitter,          policy.max_connection_retries};
	}
	/// `base` with the members that are set replaced.
	RetryPolicy applied_to(RetryPolicy base) const {
		if (max_attempts) base.max_attempts = *max_attempts;
		if (initial_backoff) base.initial_backoff = *initial_backoff;
		if (max_backoff) base.max_backoff = *max_backoff;
		if (multiplier) base.multiplier = *multiplier;
		if (jitter) base.jitter = *jitter;
		if (max_connection_retries) base.max_connection_retries = *max_connection_retries;
		return base;
	}
};

struct ExecuteOptions {
	RetryOverrides retry{};  ///< what differs from the store's policy for this call; nothing by default
	CallOptions call{};      ///< the deadline covers all attempts and backoff sleeps
};

struct StoreOptions {
	/// The store every call addresses (the SQL functions' `store` argument; created with dcb_create_store): 1 to 58
	/// lower-case letters, digits and underscores, starting with a letter. Empty: the default store.
	std::string store{};
	std::size_t pool_size = 8;          ///< maximum connections per server (primary, replica)
	std::string replica{};              ///< conninfo of a streaming replica for Consistency::eventual reads
	Clock::duration cancel_grace = std::chrono::seconds(5);  ///< wait for a canceled statement to end
	/// A pooled connection older than this is closed instead of being handed out again (zero: kept for ever), so
	/// that server-side settings, memory and load balancers' routes do not stay with a connection indefinitely.
	Clock::duration max_connection_lifetime = std::chrono::minutes(30);
	RetryPolicy retry{};                ///< default policy of execute()
	/// Tags derived from the data of every appended event (see dcb::derive_tags).
	TagRules tag_rules{};
	std::shared_ptr<Logger> logger{};
	std::shared_ptr<ContextualLogger> contextual_logger{};
	std::shared_ptr<MetricsCollector> metrics{};
	std::shared_ptr<TracingCollector> tracing{};
};

}  // namespace dcb
