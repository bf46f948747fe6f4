// follower.cpp — see follower.hpp.
#include "follower.hpp"

#include "dcb/errors.hpp"
#include "event_store_impl.hpp"
#include "pool.hpp"
#include "random.hpp"
#include "row_sinks.hpp"
#include "statement_calls.hpp"

#include <condition_variable>
#include <cstdio>

namespace dcb::detail {

std::optional<std::string> store_of(const StoreOptions& options) { return store_param(options.store); }

namespace {

/// Rows of a read → StoredEvent (the columns of the store's read statement).
constexpr const char* read_sql =
    "SELECT seq, type, to_json(tags)::text, data::text, metadata::text, "
    "(extract(epoch FROM occurred_at) * 1000000)::bigint, id::text "
    "FROM dcb_read($1::jsonb, $2::bigint, $3::integer, false, $4::text)";

std::string millis_interval(Clock::duration d) {
	return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " milliseconds";
}

}  // namespace

FollowerConnection::FollowerConnection(const std::string& conninfo, std::shared_ptr<const StoreOptions> options,
                                       std::optional<std::string> store, std::string consumer,
                                       const ExecutionControl& control)
    : options_(std::move(options)),
      notices_{options_->logger, options_->contextual_logger},
      conn_(PgConnection::open(conninfo, &notices_, control)),
      store_(std::move(store)),
      consumer_(std::move(consumer)) {}

void FollowerConnection::sql(const std::string& text, std::span<const std::optional<std::string>> params, RowSink* sink,
                             const ExecutionControl& control) {
	conn_->execute_sql(text, params, sink, control, options_->cancel_grace);
}

std::int64_t FollowerConnection::wait(std::int64_t after, Clock::duration timeout, const ExecutionControl& control) {
	ScalarSink sink;
	sql("SELECT dcb_wait($1::bigint, $2::interval, $3::text)", {std::to_string(after), millis_interval(timeout), store_},
	    &sink, control);
	return sink.required("dcb_wait");
}

std::vector<StoredEvent> FollowerConnection::read(const Filter& filter, std::int64_t after, std::int32_t limit,
                                                  const ExecutionControl& control) {
	StatementCall call = read_call(filter, after, limit, false, {}, {});  // validates, and NULL for "every event"
	EventSink sink;
	sql(read_sql, {call.params[0], call.params[1], call.params[2], store_}, &sink, control);
	return std::move(sink.events);
}

std::int64_t FollowerConnection::position(const ExecutionControl& control) {
	ScalarSink sink;
	sql("SELECT dcb_consumer_position($1::text, $2::text)", {consumer_, store_}, &sink, control);
	return sink.required("dcb_consumer_position");
}

void FollowerConnection::begin(const ExecutionControl& control) {
	sql("BEGIN ISOLATION LEVEL READ COMMITTED", {}, nullptr, control);
}

void FollowerConnection::advance(std::int64_t expected, std::int64_t seq, const ExecutionControl& control) {
	sql("SELECT dcb_consumer_advance($1::text, $2::bigint, $3::bigint, $4::text)",
	    {consumer_, std::to_string(expected), std::to_string(seq), store_}, nullptr, control);
}

void FollowerConnection::commit(const ExecutionControl& control) {
	// COMMIT of an aborted transaction "succeeds" as a ROLLBACK: never let that pass for a commit.
	switch (PQtransactionStatus(conn_->handle())) {
	case PQTRANS_INTRANS: break;
	case PQTRANS_INERROR:
		throw Error("25P02", "dcb: a statement of the projection's transaction failed and its handler did not throw; "
		                     "the batch is rolled back (throw the statement's error from the handler)");
	case PQTRANS_IDLE:
		throw Error("25000", "dcb: the projection's transaction was ended by its handler (never COMMIT or ROLLBACK in "
		                     "a handler)");
	default: throw ConnectionError("08006", "dcb: the projection's connection is not usable");
	}
	sql("COMMIT", {}, nullptr, control);
}

void FollowerConnection::rollback() noexcept {
	try {
		if (conn_->broken() || PQtransactionStatus(conn_->handle()) == PQTRANS_IDLE) return;
		// Not cancelable by stopping: a stopping runner still ends its transaction cleanly.
		sql("ROLLBACK", {}, nullptr, ExecutionControl{Clock::now() + options_->cancel_grace, {}});
	} catch (...) {
		// given up below: a transaction that cannot roll back ends with its session
	}
	if (!conn_->broken() && PQtransactionStatus(conn_->handle()) != PQTRANS_IDLE) given_up_ = true;
}

const EventStore& FollowerConnection::borrowed_store() {
	if (!borrowed_) borrowed_ = EventStore::borrow(conn_->handle(), *options_);
	return *borrowed_;
}

Connector connector_for(const EventStore::Impl& store, const SubscriptionOptions& subscription, std::string consumer) {
	std::string target = subscription.conninfo;
	if (target.empty()) {
		// An empty conninfo is a valid one (libpq's defaults and the PG* variables): only a pool has one at all.
		const auto* pool = dynamic_cast<const PoolBackend*>(store.primary.get());
		if (!pool)
			throw InvalidArgument("22023", "dcb: this store has no conninfo of its own (borrowed, or a custom backend): "
			                               "set SubscriptionOptions::conninfo");
		target = pool->conninfo();
	}
	auto options = std::make_shared<const StoreOptions>(store.options);
	return [target, options, name = store_of(store.options), consumer = std::move(consumer)](
	           const ExecutionControl& control) {
		return std::make_unique<FollowerConnection>(target, options, name, consumer, control);
	};
}

// ---- report ------------------------------------------------------------------------------------------------

namespace {

template <typename F>
void guarded(F&& f) noexcept {
	try {
		f();
	} catch (...) {
		// observability must never change what a subscription does
	}
}

}  // namespace

void FollowerReport::log(int level, std::string_view msg, LogFields fields) const noexcept {
	guarded([&] {
		fields.insert(fields.begin(), {"subscription", name_});
		if (options_.contextual_logger) {
			const LogContext ctx{};
			auto& l = *options_.contextual_logger;
			if (level == 1) l.info(ctx, msg, fields);
			else if (level == 2) l.warn(ctx, msg, fields);
			else l.error(ctx, msg, fields);
		} else if (options_.logger) {
			auto& l = *options_.logger;
			if (level == 1) l.info(msg, fields);
			else if (level == 2) l.warn(msg, fields);
			else l.error(msg, fields);
		}
	});
}

void FollowerReport::counter(std::string_view metric, Labels extra) const noexcept {
	if (!options_.metrics) return;
	guarded([&] {
		extra.emplace("subscription", name_);
		options_.metrics->increment_counter(metric, extra);
	});
}

void FollowerReport::value(std::string_view metric, double v) const noexcept {
	if (!options_.metrics) return;
	guarded([&] { options_.metrics->record_value(metric, v, Labels{{"subscription", name_}}); });
}

void FollowerReport::gauge(std::string_view metric, double v) const noexcept {
	if (!options_.metrics) return;
	guarded([&] { options_.metrics->set_gauge(metric, v, Labels{{"subscription", name_}}); });
}

void FollowerReport::duration(std::string_view metric, std::chrono::nanoseconds d) const noexcept {
	if (!options_.metrics) return;
	guarded([&] { options_.metrics->record_duration(metric, d, Labels{{"subscription", name_}}); });
}

void FollowerReport::lag(std::int64_t position, std::int64_t head, double seconds) const noexcept {
	gauge(metrics::subscription_position, static_cast<double>(position));
	gauge(metrics::subscription_lag_events, static_cast<double>(std::max<std::int64_t>(0, head - position)));
	gauge(metrics::subscription_lag_seconds, seconds);
}

double age_seconds(const StoredEvent& e) {
	const auto now = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
	const auto age = now - e.occurred_at;
	return age.count() > 0 ? std::chrono::duration<double>(age).count() : 0.0;
}

// ---- sleeping, the thread -------------------------------------------------------------------------------------

bool sleep_for(Clock::duration d, std::stop_token stop) {
	std::mutex m;
	std::condition_variable_any cv;
	std::unique_lock lock(m);
	cv.wait_for(lock, stop, d, [] { return false; });
	return !stop.stop_requested();
}

Woken wait_for_news(FollowerConnection& conn, const SubscriptionOptions& options, const StoreOptions& store_options,
                    Clock::time_point last_read, std::int64_t& known, std::int64_t& head_seen, Subscription::State& state) {
	const std::stop_token stop = state.stop.get_token();
	const Clock::time_point due = last_read + options.min_read_interval;
	if (const Clock::time_point now = Clock::now(); now < due && !sleep_for(due - now, stop)) return Woken::stopped;
	const ExecutionControl control{Clock::now() + options.wait_timeout + store_options.cancel_grace, stop};
	const std::int64_t h = conn.wait(known, options.wait_timeout, control);
	head_seen = std::max(head_seen, h);
	state.head.store(head_seen);
	if (h <= known) return Woken::timed_out;
	known = h;
	return Woken::head_moved;
}

bool sleep_backoff(const SubscriptionOptions& options, int failures, std::stop_token stop) {
	const RetryPolicy policy{.initial_backoff = options.reconnect_initial_backoff,
	                         .max_backoff = options.reconnect_max_backoff,
	                         .multiplier = 2.0,
	                         .jitter = 0.5};
	return sleep_for(policy.backoff(std::max(1, failures), random01()), std::move(stop));
}

Subscription start_follower(std::stop_token external, std::function<void(Subscription::State&)> body) {
	auto state = std::make_shared<Subscription::State>();
	state->relay.emplace(std::move(external), Subscription::State::Relay{&state->stop});
	std::lock_guard lock(state->start_mutex);  // the thread starts once `thread` and `thread_id` are set
	state->thread = std::thread([state, body = std::move(body)] {
		{
			std::lock_guard started(state->start_mutex);
		}
		try {
			body(*state);
		} catch (...) {
			std::lock_guard l(state->error_mutex);
			state->error = std::current_exception();
		}
		state->running.store(false);
	});
	state->thread_id = state->thread.get_id();
	return Subscription(state);
}

}  // namespace dcb::detail
