// follow_support.hpp — what the tests of subscriptions and projections share: writers that append at full speed
// in every way the server allows, the log read back independently, and read-model tables.
#pragma once

#include "test_db.hpp"

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace dcb_test {

/// An event as the final log holds it (read from the events table, not through dcb_read).
struct LogEvent {
	std::int64_t seq = 0;
	std::string type;
	std::set<std::string> tags;
	bool has(const std::string& tag) const { return tags.count(tag) > 0; }
};

/// The whole log with seq > after, in seq order.
std::vector<LogEvent> read_log(std::int64_t after = 0);
/// dcb_head() now.
std::int64_t head_now();

/// The seqs of `log` matching `match`.
std::vector<std::int64_t> seqs_matching(const std::vector<LogEvent>& log, const std::function<bool(const LogEvent&)>& match);

/// Writers appending at full speed, each on a connection of its own, until stop(). Writer t does, by t % 4:
///   0  conditional appends: read the boundary of one tag, append at its max_seq (40001 counted, not retried)
///   1  unconditional appends of one event, some with more than three tags (wide keys)
///   2  batches of 20 to 60 events with dcb.max_lock_keys = 8 (escalated), half of them conditional
///   3  explicit transactions that stay open 2 to 30 ms after appending (lower positions in flight), a quarter
///      rolled back
/// Event types are `<prefix>A`, `<prefix>B`, `<prefix>C`; tags `w:<t>`, `k:<0..9>`, sometimes `x:1`..`x:3`.
class Writers {
public:
	Writers(std::string prefix, int count, std::chrono::microseconds pause = {});
	~Writers();
	void stop();
	std::int64_t appended() const { return appended_.load(); }
	std::int64_t rolled_back() const { return rolled_back_.load(); }
	std::int64_t conflicts() const { return conflicts_.load(); }
	std::int64_t escalated() const { return escalated_.load(); }
	std::vector<std::string> errors();

private:
	void run(int t);
	std::string prefix_;
	std::chrono::microseconds pause_;
	std::atomic<bool> stop_{false};
	std::atomic<std::int64_t> appended_{0}, rolled_back_{0}, conflicts_{0}, escalated_{0};
	std::mutex mutex_;
	std::vector<std::string> errors_;
	std::vector<std::thread> threads_;
};

/// Collects what a subscription delivers and checks each batch against the previous one.
struct Delivered {
	std::mutex mutex;
	std::vector<std::int64_t> seqs;
	std::vector<std::string> problems;
	std::int64_t last_position = 0;
	std::size_t batches = 0;

	explicit Delivered(std::int64_t after = 0) : last_position(after) {}
	void add(const dcb::SubscriptionBatch& batch);
	std::vector<std::int64_t> snapshot();
};

/// Describes the first difference between what was delivered and what was expected ("" when equal).
std::string compare(const std::vector<std::int64_t>& delivered, const std::vector<std::int64_t>& expected);

/// A read model: `<name>_applied(seq, instance)` (one row per application, no unique key, so that a duplicate
/// shows) and `<name>_counts(k, n)` (events per `k:` tag).
struct ReadModel {
	std::string name;
	explicit ReadModel(std::string n);
	/// The handler's statements for one event, in the caller's transaction.
	static std::string apply_sql(const std::string& name);
	std::vector<std::int64_t> applied() const;
	std::map<std::string, std::int64_t> counts() const;
	/// The fold of `log` the counts must equal.
	static std::map<std::string, std::int64_t> fold(const std::vector<LogEvent>& log, const std::vector<std::int64_t>& seqs);
};

/// The `k:` value of an event's tags ("" when none).
std::string k_of(const std::vector<std::string>& tags);

}  // namespace dcb_test
