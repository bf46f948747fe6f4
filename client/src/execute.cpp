// execute.cpp — the command handler: read → decide → append at the read position, retried on conflicts.
#include "event_store_impl.hpp"

#include "back_off.hpp"
#include "dcb/errors.hpp"
#include "instrumentation.hpp"
#include "random.hpp"

#include <condition_variable>
#include <mutex>

namespace dcb {

namespace detail {

void back_off(Clock::duration d, const CallOptions& call, std::string_view after) {
	const auto until = Clock::now() + d;
	if (call.deadline && *call.deadline < until)
		throw Timeout("57014", "dcb: deadline exceeded while backing off after " + std::string(after));
	std::mutex m;
	std::condition_variable_any cv;
	std::unique_lock lock(m);
	cv.wait_until(lock, call.stop, until, [] { return false; });
	if (call.stop.stop_requested()) throw Canceled("57014", "dcb: canceled while backing off after " + std::string(after));
}

}  // namespace detail

using detail::back_off;

ExecuteResult EventStore::execute(const Filter& filter, const Decide& decide) const {
	return execute(filter, decide, ExecuteOptions{});
}

ExecuteResult EventStore::execute(const Filter& filter, const Decide& decide, const ExecuteOptions& options) const {
	detail::Operation op(impl_->options, "execute", spans::execute, options.call.traceparent, {});
	return op.run([&] {
		CallOptions inner = options.call;
		inner.traceparent = op.traceparent();  // query and append spans are children of this one
		const RetryPolicy policy = options.retry.applied_to(impl_->options.retry);
		int connection_failures = 0;
		auto retry = [&](int n, std::string_view reason) {
			if (impl_->options.metrics) {
				try {
					impl_->options.metrics->increment_counter(metrics::execute_retries,
					                                          Labels{{"operation", "execute"}, {"reason", std::string(reason)}});
				} catch (...) {
				}
			}
			back_off(policy.backoff(n, detail::random01()), options.call,
			         reason == "conflict" ? "a concurrency conflict" : "a connection failure");
		};
		// A lost connection costs one of max_connection_retries and a backoff, not a decision: the same read is
		// done again, or the same decision (same event ids) is sent again, whose outcome was unknown.
		auto connection_failed = [&] {
			if (++connection_failures > policy.max_connection_retries) throw;
			retry(connection_failures, "connection");
		};
		for (int attempt = 1;; ++attempt) {
			try {
				QueryResult read;
				for (;;) {
					try {
						read = query(filter, QueryOptions{.consistency = Consistency::strong, .call = inner});
						break;
					} catch (const ConnectionError&) {
						connection_failed();
					}
				}
				std::vector<Event> events = decide(read.events);
				if (events.empty()) {
					op.add_attribute("attempts", std::to_string(attempt));
					op.succeed("eventstore operation: execute", {{"attempts", std::to_string(attempt)}, {"appended", "0"}});
					return ExecuteResult{0, 0, attempt, std::move(read.events)};
				}
				// Ids once per decision, before its first append: a retry after a lost acknowledgement
				// re-sends the same ids and the store answers with the stored seq instead of appending twice.
				for (auto& e : events)
					if (e.id.empty()) e.id = new_uuid();
				for (;;) {
					try {
						const std::int64_t last = append(filter, read.max_seq, events, inner);
						op.add_attribute("attempts", std::to_string(attempt));
						op.succeed("eventstore operation: execute",
						           {{"attempts", std::to_string(attempt)}, {"appended", std::to_string(events.size())}});
						return ExecuteResult{last, events.size(), attempt, std::move(read.events)};
					} catch (const ConnectionError&) {
						connection_failed();
					}
				}
			} catch (const ConcurrencyConflict&) {
				if (attempt >= policy.max_attempts) throw;
			}
			retry(attempt, "conflict");
		}
	});
}

}  // namespace dcb
