// execute.cpp — the command handler: read → decide → append at the read position, retried on conflicts.
#include "event_store_impl.hpp"

#include "attempts.hpp"
#include "dcb/errors.hpp"
#include "instrumentation.hpp"
#include "random.hpp"

#include <condition_variable>
#include <mutex>

namespace dcb {

namespace detail {

namespace {

/// Sleeps `d`, or less when the stop token fires (→ Canceled) or the deadline is nearer (→ Timeout); `after` says
/// what failed, for the exception's message.
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

}  // namespace

void Attempts::retry(int n, std::string_view reason) const {
	if (store_.metrics) {
		try {
			store_.metrics->increment_counter(metrics::execute_retries,
			                                  Labels{{"operation", "execute"}, {"reason", std::string(reason)}});
		} catch (...) {
		}
	}
	back_off(policy_.backoff(n, random01()), call_, reason == "conflict" ? "a concurrency conflict" : "a connection failure");
}

void stamp_ids(std::vector<Event>& events) {
	for (auto& e : events)
		if (e.id.empty()) e.id = new_uuid();
}

}  // namespace detail

ExecuteResult EventStore::execute(const Filter& filter, const Decide& decide) const {
	return execute(filter, decide, ExecuteOptions{});
}

ExecuteResult EventStore::execute(const Filter& filter, const Decide& decide, const ExecuteOptions& options) const {
	detail::Operation op(impl_->options, "execute", spans::execute, options.call.traceparent, {});
	return op.run([&] {
		CallOptions inner = options.call;
		inner.traceparent = op.traceparent();  // query and append spans are children of this one
		const RetryPolicy policy = options.retry.applied_to(impl_->options.retry);
		detail::Attempts attempts(impl_->options, policy, options.call);
		return attempts.decisions([&](int attempt) {
			QueryResult read = attempts.step([&] { return query(filter, QueryOptions{.consistency = Consistency::strong, .call = inner}); });
			std::vector<Event> events = decide(read.events);
			std::int64_t last = 0;
			if (!events.empty()) {
				detail::stamp_ids(events);
				last = attempts.step([&] { return append(filter, read.max_seq, events, inner); });
			}
			op.add_attribute("attempts", std::to_string(attempt));
			op.succeed("eventstore operation: execute",
			           {{"attempts", std::to_string(attempt)}, {"appended", std::to_string(events.size())}});
			return ExecuteResult{last, events.size(), attempt, std::move(read.events)};
		});
	});
}

}  // namespace dcb
