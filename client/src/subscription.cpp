// subscription.cpp — the subscription handle, and EventStore::subscribe: dcb_wait + dcb_read(filter, after =>
// the last position delivered), on a thread and a connection of its own.
//
// Why it is exact. The subscription keeps `position`, the last position it delivered up to, and `known`, the
// highest head it has seen (dcb_wait returns heads). A head h is a promise of the server: every event at or below
// h is committed and visible, and none will ever get a position at or below h later. A read dcb_read(filter,
// after => position, max_count => n) is gap-free (G2): it returns, in seq order, every matching event above
// `position` up to the last one it returns, whatever is still in flight. So after a read that returned rows up to m:
//   * a full read (n rows) vouches for (position, m]: the next read starts after m;
//   * a shorter read returned every match up to the head the server noted when it started, which is at least
//     `known` (learned before the read began): it vouches for (position, max(m, known)].
// The next read starts after what the previous one vouched for: no event is delivered twice, none is skipped.
// A filtered subscription must wait for the head to pass what it has *seen* (max(known, position)), not its last
// matching event, or dcb_wait would return at once again and again (the head is already past it).
#include "follower.hpp"

#include "dcb/errors.hpp"
#include "event_store_impl.hpp"

namespace dcb {

// ---- the handle ------------------------------------------------------------------------------------------------

Subscription::Subscription() noexcept = default;
Subscription::Subscription(std::shared_ptr<State> state) noexcept : state_(std::move(state)) {}
Subscription::Subscription(Subscription&& other) noexcept : state_(std::move(other.state_)) {}

Subscription& Subscription::operator=(Subscription&& other) noexcept {
	if (this != &other) {
		Subscription old(std::move(*this));  // stopped and joined by its destructor
		state_ = std::move(other.state_);
	}
	return *this;
}

Subscription::~Subscription() {
	if (!state_) return;
	stop();
	std::lock_guard lock(state_->join_mutex);
	if (!state_->thread.joinable()) return;
	if (std::this_thread::get_id() == state_->thread_id) state_->thread.detach();  // the handler dropped its own handle
	else state_->thread.join();
}

void Subscription::stop() noexcept {
	if (state_) state_->stop.request_stop();
}

void Subscription::join() {
	if (!state_) return;
	if (std::this_thread::get_id() == state_->thread_id)
		throw Error("55000", "dcb: a subscription cannot join() itself from its own handler (call stop() and return)");
	{
		std::lock_guard lock(state_->join_mutex);
		if (state_->thread.joinable()) state_->thread.join();
	}
	std::lock_guard lock(state_->error_mutex);
	if (state_->error) std::rethrow_exception(state_->error);
}

bool Subscription::running() const noexcept { return state_ && state_->running.load(); }
std::int64_t Subscription::position() const noexcept { return state_ ? state_->position.load() : 0; }
std::int64_t Subscription::head() const noexcept { return state_ ? state_->head.load() : 0; }

// ---- the loop ----------------------------------------------------------------------------------------------------

namespace detail {

bool classify_failure(const Subscription::State& state, const FollowerReport& report, const FollowerConnection* conn) {
	try {
		throw;
	} catch (const Canceled&) {
		if (state.stop.stop_requested()) return false;  // stopping: the caller looks at the token
		// someone else canceled the statement (pg_cancel_backend): do the step again after a pause
		report.warn("subscription statement canceled by the server, retrying", {});
		return !conn || conn->broken();
	} catch (const Timeout& e) {
		// our deadline on dcb_wait (a server that stopped answering), or the server's statement_timeout
		report.warn("subscription statement timed out, retrying", {{"error", e.what()}});
		return !conn || conn->broken();
	} catch (const ConnectionError& e) {
		report.warn("subscription connection lost, reconnecting", {{"error", e.what()}, {"sqlstate", e.sqlstate()}});
		return true;
	}
	// anything else (an invalid filter, no extension or store, no right to read ...) propagates: fatal
}

}  // namespace detail

Subscription EventStore::subscribe(const Filter& filter, std::int64_t after, SubscriptionHandler handler,
                                   SubscriptionOptions options) const {
	if (after < 0) throw InvalidArgument("22023", "dcb: after must not be negative");
	if (options.batch_size <= 0) throw InvalidArgument("22023", "dcb: batch_size must be positive");
	if (!handler) throw InvalidArgument("22004", "dcb: a subscription needs a handler");
	auto connect = detail::connector_for(*impl_, options, {});
	auto store_options = std::make_shared<const StoreOptions>(impl_->options);
	std::string name = options.name.empty() ? std::string("subscription") : options.name;
	std::stop_token external = options.stop;

	auto body = [=, handler = std::move(handler)](Subscription::State& state) {
		using namespace detail;
		const FollowerReport report(*store_options, name);
		const std::stop_token stop = state.stop.get_token();
		// Without items the filter's reads wait for every in-flight append, as dcb_wait does.
		const bool whole_log = filter.items().empty();
		std::int64_t position = after;  // delivered up to here, vouched for by gap-free reads
		std::int64_t batch_end = after; // the position of the last batch handed over (batches tile the positions)
		std::int64_t known = after;     // max(the highest head seen, position)
		std::int64_t head_seen = 0;     // the highest head the server returned
		Clock::time_point last_read{};  // when the last read began
		state.position.store(position);
		std::unique_ptr<FollowerConnection> conn;
		int failures = 0;
		report.info("subscription started", {{"after", std::to_string(after)}});
		while (!stop.stop_requested()) {
			std::vector<StoredEvent> events;
			std::int64_t vouched = position;
			try {
				if (!conn) {
					conn = connect(stoppable(state));
					if (failures > 0) {
						report.counter(metrics::subscription_reconnects);
						report.info("subscription reconnected", {{"position", std::to_string(position)}});
					}
				}
				bool read_now = position < known;
				if (!read_now) {
					const Woken woken = wait_for_news(*conn, options, *store_options, last_read, known, head_seen, state);
					if (woken == Woken::stopped) break;
					if (woken == Woken::timed_out) report.lag(position, head_seen, 0.0);
					// After a timeout a filtered subscription reads anyway: its read waits only for the appends on
					// its own keys, so it gets past an unrelated append that holds the head back.
					read_now = woken == Woken::head_moved || !whole_log;
				}
				failures = 0;
				if (!read_now) continue;
				last_read = Clock::now();
				events = conn->read(filter, position, options.batch_size, stoppable(state));
				const std::int64_t last = events.empty() ? position : events.back().seq;
				const bool full = events.size() >= static_cast<std::size_t>(options.batch_size);
				// A full read vouches up to its last row; a shorter one up to the head known before it began.
				vouched = full ? last : std::max(last, known);
			} catch (const dcb::Error&) {
				if (stop.stop_requested()) break;
				if (classify_failure(state, report, conn.get())) conn.reset();
				++failures;
				if (!sleep_backoff(options, failures, stop)) break;
				continue;
			}
			if (!events.empty()) {
				if (stop.stop_requested()) break;  // no batch after stop()
				report.lag(position, head_seen, age_seconds(events.front()));
				const SubscriptionBatch batch{std::move(events), batch_end, vouched, head_seen};
				const auto t0 = Clock::now();
				handler(batch);  // an exception ends the subscription: the batch is not delivered
				report.duration(metrics::subscription_handler_duration, Clock::now() - t0);
				report.counter(metrics::subscription_batches);
				report.value(metrics::subscription_events, static_cast<double>(batch.events.size()));
				batch_end = vouched;
			}
			position = vouched;
			known = std::max(known, position);
			state.position.store(position);
			if (position >= head_seen) report.lag(position, head_seen, 0.0);
		}
		report.info("subscription stopped", {{"position", std::to_string(position)}});
	};
	return detail::start_follower(std::move(external), std::move(body));
}

}  // namespace dcb
