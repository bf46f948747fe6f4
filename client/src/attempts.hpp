// attempts.hpp — the attempts of a command handler (execute, execute_from_snapshot): a decision is made again after
// a concurrency conflict, one step of it is done again after a lost connection, each after a backoff.
#pragma once

#include "dcb/errors.hpp"
#include "dcb/event.hpp"
#include "dcb/options.hpp"

#include <string_view>
#include <vector>

namespace dcb::detail {

class Attempts {
public:
	/// `call` bounds the backoffs (its deadline and stop token); retries are counted in `store`'s metrics.
	Attempts(const StoreOptions& store, const RetryPolicy& policy, const CallOptions& call) noexcept
	    : store_(store), policy_(policy), call_(call) {}

	/// Runs decision(attempt) for attempt = 1, 2, ... until it returns: after a ConcurrencyConflict it backs off and
	/// decides again, up to policy.max_attempts.
	template <class Decision>
	auto decisions(Decision&& decision) {
		for (int attempt = 1;; ++attempt) {
			try {
				return decision(attempt);
			} catch (const ConcurrencyConflict&) {
				if (attempt >= policy_.max_attempts) throw;
			}
			retry(attempt, "conflict");
		}
	}

	/// Runs one step of a decision (a read, a save, an append) until it keeps its connection. A lost connection costs
	/// one of max_connection_retries (over the whole call) and a backoff, not a decision: the same read is done
	/// again, or the same decision (same event ids) is sent again, whose outcome was unknown.
	template <class Step>
	auto step(Step&& s) {
		for (;;) {
			try {
				return s();
			} catch (const ConnectionError&) {
				if (++connection_failures_ > policy_.max_connection_retries) throw;
			}
			retry(connection_failures_, "connection");
		}
	}

private:
	/// Counts the retry (label `reason`: conflict or connection) and sleeps the n-th backoff.
	void retry(int n, std::string_view reason) const;

	const StoreOptions& store_;
	const RetryPolicy& policy_;
	const CallOptions& call_;
	int connection_failures_ = 0;
};

/// Gives every event without an id one, once per decision, before its first append: a retry after a lost
/// acknowledgement sends the same ids again, and the store answers with the stored seq instead of appending twice.
void stamp_ids(std::vector<Event>& events);

}  // namespace dcb::detail
