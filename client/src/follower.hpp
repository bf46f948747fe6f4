// follower.hpp — what subscriptions and projection runners share: the thread and its handle's state, a
// connection of their own that runs the statements of following the log, backoff, logs and metrics.
#pragma once

#include "dcb/event_store.hpp"
#include "dcb/projection.hpp"
#include "dcb/subscription.hpp"

#include "pg_connection.hpp"

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace dcb {

/// The shared state of a subscription's handle and its thread.
struct Subscription::State {
	std::stop_source stop;
	std::atomic<std::int64_t> position{0};
	std::atomic<std::int64_t> head{0};
	std::atomic<bool> running{true};
	std::mutex start_mutex;  // held while `thread` and `thread_id` are set; the thread waits for it first
	std::mutex join_mutex;  // guards thread (joining)
	std::mutex error_mutex;  // guards error (set by the thread)
	std::exception_ptr error;
	std::thread thread;
	std::thread::id thread_id;
	/// options.stop → stop; constructed once the state is shared.
	struct Relay {
		std::stop_source* target;
		void operator()() const noexcept { target->request_stop(); }
	};
	std::optional<std::stop_callback<Relay>> relay;
};

namespace detail {

/// The store name sent as the `store` argument of every function of a follower: StoreOptions::store (nullopt: the
/// default store).
std::optional<std::string> store_of(const StoreOptions& options);

/// One connection of a follower, owned by its thread. Every call throws dcb::Error subclasses and honours the
/// stop token of `control` (the statement is canceled).
class FollowerConnection {
public:
	/// Opens the connection under `control` (throws ConnectionError, Timeout, Canceled).
	FollowerConnection(const std::string& conninfo, std::shared_ptr<const StoreOptions> options,
	                   std::optional<std::string> store, std::string consumer, const ExecutionControl& control);

	/// dcb_wait(after, timeout): the head, once above `after` or when the timeout passed.
	std::int64_t wait(std::int64_t after, Clock::duration timeout, const ExecutionControl& control);
	/// dcb_read(filter, after, limit), in the open transaction if there is one.
	std::vector<StoredEvent> read(const Filter& filter, std::int64_t after, std::int32_t limit, const ExecutionControl& control);
	/// dcb_consumer_position(consumer) (autocommit).
	std::int64_t position(const ExecutionControl& control);
	/// BEGIN ISOLATION LEVEL READ COMMITTED.
	void begin(const ExecutionControl& control);
	/// dcb_consumer_advance(consumer, expected, seq).
	void advance(std::int64_t expected, std::int64_t seq, const ExecutionControl& control);
	/// COMMIT; fails (25P02) without committing when the transaction is aborted, or (25000) when it is not open.
	void commit(const ExecutionControl& control);
	/// ROLLBACK when a transaction is open; a connection that cannot roll back is given up (broken()).
	void rollback() noexcept;
	/// True when the connection must be dropped (lost, abandoned mid-statement, or a failed rollback).
	bool broken() const noexcept { return given_up_ || conn_->broken(); }

	PgConnection& connection() noexcept { return *conn_; }
	const StoreOptions& store_options() const noexcept { return *options_; }
	/// A store borrowed on this connection (made once).
	const EventStore& borrowed_store();

	/// Runs one statement (see PgConnection::execute_sql).
	void sql(const std::string& text, std::span<const std::optional<std::string>> params, RowSink* sink,
	         const ExecutionControl& control);
	void sql(const std::string& text, std::initializer_list<std::optional<std::string>> params, RowSink* sink,
	         const ExecutionControl& control) {
		sql(text, std::span<const std::optional<std::string>>(params.begin(), params.size()), sink, control);
	}

private:
	std::shared_ptr<const StoreOptions> options_;
	NoticeSink notices_;  // before conn_: outlives it
	std::unique_ptr<PgConnection> conn_;
	std::optional<std::string> store_;
	std::string consumer_;
	bool given_up_ = false;
	std::optional<EventStore> borrowed_;
};

/// How a follower connects: opens a connection under `control` (throws ConnectionError, Canceled).
using Connector = std::function<std::unique_ptr<FollowerConnection>(const ExecutionControl& control)>;

/// A connector for `store`'s primary (or subscription.conninfo when not empty), following the store's store
/// (StoreOptions::store); throws InvalidArgument (22023) when the store has no conninfo and none is given.
Connector connector_for(const EventStore::Impl& store, const SubscriptionOptions& subscription, std::string consumer);

/// Logs and metrics of one follower, through the store's hooks; never throws.
class FollowerReport {
public:
	FollowerReport(const StoreOptions& options, std::string name) : options_(options), name_(std::move(name)) {}
	void info(std::string_view msg, LogFields fields) const noexcept { log(1, msg, std::move(fields)); }
	void warn(std::string_view msg, LogFields fields) const noexcept { log(2, msg, std::move(fields)); }
	void error(std::string_view msg, LogFields fields) const noexcept { log(3, msg, std::move(fields)); }
	void counter(std::string_view metric, Labels extra = {}) const noexcept;
	void value(std::string_view metric, double v) const noexcept;
	void gauge(std::string_view metric, double v) const noexcept;
	void duration(std::string_view metric, std::chrono::nanoseconds d) const noexcept;
	/// The lag gauges and the position gauge.
	void lag(std::int64_t position, std::int64_t head, double seconds) const noexcept;
	const std::string& name() const noexcept { return name_; }

private:
	void log(int level, std::string_view msg, LogFields fields) const noexcept;
	const StoreOptions& options_;
	std::string name_;
};

/// Called from a catch block with a dcb::Error of a follower's step: returns whether the connection must be opened
/// again (lost, or abandoned mid-statement); logs it. Rethrows what is fatal (not a lost connection, a timeout or a
/// cancel by someone else).
bool classify_failure(const Subscription::State& state, const FollowerReport& report, const FollowerConnection* conn);

/// Seconds since the event's occurred_at (0 when in the future).
double age_seconds(const StoredEvent& e);

/// Sleeps the n-th reconnect backoff, or less when stopped; returns false when stopped.
bool sleep_backoff(const SubscriptionOptions& options, int failures, std::stop_token stop);
/// Sleeps `d`, or less when stopped; returns false when stopped.
bool sleep_for(Clock::duration d, std::stop_token stop);
/// How a follower's wait for new events ended.
enum class Woken { head_moved, timed_out, stopped };
/// The wait step of a follower that has read everything up to `known`: sleeps until min_read_interval has passed
/// since `last_read` began, then waits for the head to pass `known` — what was seen, not the last matching event,
/// which the head may be far past already (dcb_wait would return at once, again and again). Raises `known` (when
/// the head moved), `head_seen` and the state's head to what the server returned.
Woken wait_for_news(FollowerConnection& conn, const SubscriptionOptions& options, const StoreOptions& store_options,
                    Clock::time_point last_read, std::int64_t& known, std::int64_t& head_seen, Subscription::State& state);

/// Starts `body` on the subscription's thread. The body reports the positions through the state and returns
/// normally when stopped; an exception it throws becomes the subscription's error.
Subscription start_follower(std::stop_token external, std::function<void(Subscription::State&)> body);

/// The control of a statement that may be canceled by stopping the follower.
inline ExecutionControl stoppable(const Subscription::State& s) { return ExecutionControl{std::nullopt, s.stop.get_token()}; }

}  // namespace detail
}  // namespace dcb
