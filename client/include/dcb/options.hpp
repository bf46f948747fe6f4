// dcb/options.hpp — per-call options, retry policy and store configuration.
#pragma once

#include "dcb/event.hpp"
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
	std::optional<Clock::time_point> deadline;
	std::stop_token stop;
	/// The caller's current span (W3C traceparent) used as the parent of the library's span.
	std::string traceparent;

	/// Options whose deadline is `timeout` from now.
	static CallOptions within(Clock::duration timeout) {
		CallOptions o;
		o.deadline = Clock::now() + timeout;
		return o;
	}
};

struct QueryOptions {
	std::int64_t after = 0;             ///< only events with seq > after
	std::optional<std::int32_t> limit;  ///< at most this many events
	bool backwards = false;             ///< newest first
	Consistency consistency = Consistency::strong;
	CallOptions call;
};

/// Exponential backoff with jitter for EventStore::execute. Attempt n (n >= 1) that failed with a conflict
/// sleeps a random duration in [(1 - jitter) * d, d] with d = min(max_backoff, initial_backoff * multiplier^(n-1)).
struct RetryPolicy {
	int max_attempts = 10;  ///< total tries, including the first
	std::chrono::microseconds initial_backoff{1000};
	std::chrono::microseconds max_backoff{100000};
	double multiplier = 2.0;
	double jitter = 0.5;  ///< 0 = no jitter, 1 = full jitter
	/// Also retry an append whose outcome is unknown (connection lost) with the same event ids.
	int max_connection_retries = 2;

	/// The sleep before the retry that follows failed attempt `attempt` (1-based), for a uniform `random01`.
	std::chrono::microseconds backoff(int attempt, double random01) const;
};

struct ExecuteOptions {
	RetryPolicy retry;
	CallOptions call;  ///< the deadline covers all attempts and backoff sleeps
};

struct StoreOptions {
	std::size_t pool_size = 8;          ///< maximum connections per server (primary, replica)
	std::string replica;                ///< conninfo of a streaming replica for Consistency::eventual reads
	Clock::duration cancel_grace = std::chrono::seconds(5);  ///< wait for a canceled statement to end
	RetryPolicy retry;                  ///< default policy of execute()
	std::shared_ptr<Logger> logger;
	std::shared_ptr<ContextualLogger> contextual_logger;
	std::shared_ptr<MetricsCollector> metrics;
	std::shared_ptr<TracingCollector> tracing;
};

}  // namespace dcb
