// projection.cpp — EventStore::run_projection: a subscription whose every batch is one transaction that reads the
// events after the consumer's checkpoint, moves the checkpoint over them, and lets the handler write the read model.
//
// Why it is exact. The checkpoint is a row the batch's transaction moves with dcb_consumer_advance(consumer,
// expected, seq), a compare-and-set: two transactions that expect the same checkpoint cannot both commit (the
// second waits for the first and fails with 40001 if it committed). So the committed transactions form one chain
// 0 → p1 → p2 → ..., each having applied exactly the events of (p(i−1), p(i)], which its gap-free read returned (see
// subscription.cpp for what a read vouches for). The read model commits with the checkpoint or not at all: a batch
// that fails, is killed, or loses the race commits nothing, and whoever continues reads the committed checkpoint.
// After any failure the runner reads the checkpoint again instead of trusting what it believes (a COMMIT whose
// answer was lost may or may not have happened).
#include "follower.hpp"

#include "dcb/errors.hpp"
#include "event_store_impl.hpp"
#include "random.hpp"

namespace dcb {

namespace detail {

namespace {

/// Rows of a handler's statement.
class RowsSink final : public RowSink {
public:
	ProjectionTransaction::Rows rows;
	void on_row(std::span<const std::optional<std::string_view>> columns) override {
		auto& row = rows.emplace_back();
		row.reserve(columns.size());
		for (const auto& c : columns) row.push_back(c ? std::optional<std::string>(std::in_place, *c) : std::nullopt);
	}
};

class PgProjectionTransaction final : public ProjectionTransaction {
public:
	PgProjectionTransaction(FollowerConnection& conn, const std::string& consumer, std::stop_token stop)
	    : conn_(conn), consumer_(consumer), stop_(std::move(stop)) {}

	Rows exec(std::string_view sql, const std::vector<std::optional<std::string>>& params) override {
		RowsSink sink;
		conn_.sql(std::string(sql), std::span<const std::optional<std::string>>(params), &sink,
		          ExecutionControl{std::nullopt, stop_});
		return std::move(sink.rows);
	}
	PGconn* connection() const noexcept override { return conn_.connection().handle(); }
	const EventStore& store() override { return conn_.borrowed_store(); }
	const std::string& consumer() const noexcept override { return consumer_; }

private:
	FollowerConnection& conn_;
	const std::string& consumer_;
	std::stop_token stop_;
};

}  // namespace

}  // namespace detail

Subscription EventStore::run_projection(std::string consumer, const Filter& filter, ProjectionHandler handler) const {
	return run_projection(std::move(consumer), filter, std::move(handler), ProjectionOptions{});
}

Subscription EventStore::run_projection(std::string consumer, const Filter& filter, ProjectionHandler handler,
                                        const ProjectionOptions& options) const {
	if (consumer.empty() || consumer.size() > 255)
		throw InvalidArgument("22023", "dcb: a consumer name is 1 to 255 bytes");
	if (options.subscription.batch_size <= 0) throw InvalidArgument("22023", "dcb: batch_size must be positive");
	if (options.retry.max_attempts < 1) throw InvalidArgument("22023", "dcb: retry.max_attempts must be at least 1");
	if (!handler) throw InvalidArgument("22004", "dcb: a projection needs a handler");
	auto connect = detail::connector_for(*impl_, options.subscription, consumer);
	auto store_options = std::make_shared<const StoreOptions>(impl_->options);
	std::string name = options.subscription.name.empty() ? consumer : options.subscription.name;

	auto body = [=, handler = std::move(handler)](Subscription::State& state) {
		using namespace detail;
		const FollowerReport report(*store_options, name);
		const SubscriptionOptions& sub = options.subscription;
		const std::stop_token stop = state.stop.get_token();
		const ExecutionControl control = stoppable(state);
		const bool whole_log = filter.items().empty();
		std::optional<std::int64_t> committed;  // the checkpoint as committed; nullopt: read it from the server
		std::int64_t position = 0;               // vouched for up to here (>= committed: moves without matches)
		std::int64_t known = 0;                  // max(the highest head seen, position)
		std::int64_t head_seen = 0;
		Clock::time_point last_read{};  // when the last read began
		auto last_checkpoint = Clock::now();
		std::unique_ptr<FollowerConnection> conn;
		int failures = 0;  // consecutive lost connections
		int attempts = 0;  // failed tries of the current batch (40001, 40P01)
		// Moves the checkpoint from *committed to `to` in the open transaction; false (rolled back, the checkpoint to be
		// read again) when another instance moved it first.
		auto advance = [&](std::int64_t to) {
			try {
				conn->advance(*committed, to, control);
				return true;
			} catch (const ConcurrencyConflict&) {
				conn->rollback();
				committed.reset();
				report.counter(metrics::projection_retries, {{"reason", "moved"}});
				return false;
			}
		};
		report.info("projection started", {{"consumer", consumer}});
		while (!stop.stop_requested()) {
			try {
				if (!conn) {
					conn = connect(control);
					if (failures > 0) report.counter(metrics::subscription_reconnects);
				}
				if (!committed) {
					committed = conn->position(control);
					position = *committed;
					known = std::max(known, position);
					state.position.store(*committed);
				}
				failures = 0;
				bool read_now = position < known;
				if (!read_now) {
					const Woken woken = wait_for_news(*conn, sub, *store_options, last_read, known, head_seen, state);
					if (woken == Woken::stopped) break;
					if (woken == Woken::timed_out) report.lag(*committed, head_seen, 0.0);
					read_now = woken == Woken::head_moved || !whole_log;  // see subscription.cpp
				}
				if (!read_now) continue;

				conn->begin(control);
				last_read = Clock::now();
				std::vector<StoredEvent> events = conn->read(filter, position, sub.batch_size, control);
				const std::int64_t last = events.empty() ? position : events.back().seq;
				const bool full = events.size() >= static_cast<std::size_t>(sub.batch_size);
				const std::int64_t vouched = full ? last : std::max(last, known);
				const auto t0 = Clock::now();
				if (events.empty()) {
					// Nothing matched up to `vouched`: move the checkpoint over it now and then, not at every read.
					if (vouched > *committed && t0 - last_checkpoint >= options.idle_checkpoint_interval) {
						if (!advance(vouched)) continue;  // another instance moved it: continue from there
						conn->commit(control);
						committed = vouched;
						last_checkpoint = t0;
						state.position.store(vouched);
					} else {
						conn->commit(control);  // read only
					}
					position = vouched;
					known = std::max(known, position);
					if (position >= head_seen) report.lag(*committed, head_seen, 0.0);
					continue;
				}
				if (stop.stop_requested()) {
					conn->rollback();
					break;
				}
				// The advance first: a second instance that read the same checkpoint waits here for this
				// transaction, instead of doing the handler's work first, and then fails with 40001.
				if (!advance(vouched)) {
					report.info("projection checkpoint moved by another instance, continuing from it", {{"consumer", consumer}});
					continue;
				}
				report.lag(*committed, head_seen, age_seconds(events.front()));
				const SubscriptionBatch batch{std::move(events), *committed, vouched, head_seen};
				detail::PgProjectionTransaction tx(*conn, consumer, stop);
				try {
					handler(batch, tx);
					conn->commit(control);
				} catch (const ConcurrencyConflict&) {
					conn->rollback();
					if (stop.stop_requested()) break;
					if (++attempts >= options.retry.max_attempts) throw;
					report.counter(metrics::projection_retries, {{"reason", "conflict"}});
					if (!sleep_for(options.retry.backoff(attempts, random01()), stop)) break;
					continue;
				} catch (...) {
					conn->rollback();
					committed.reset();
					throw;
				}
				attempts = 0;
				committed = vouched;
				position = vouched;
				known = std::max(known, position);
				last_checkpoint = Clock::now();
				state.position.store(vouched);
				report.duration(metrics::subscription_handler_duration, Clock::now() - t0);
				report.counter(metrics::subscription_batches);
				report.value(metrics::subscription_events, static_cast<double>(batch.events.size()));
				if (position >= head_seen) report.lag(position, head_seen, 0.0);
			} catch (const dcb::Error&) {
				if (conn) conn->rollback();
				committed.reset();  // whatever happened (a lost COMMIT?), the server knows: read it again
				if (stop.stop_requested()) break;
				if (classify_failure(state, report, conn.get())) conn.reset();
				++failures;
				if (!sleep_backoff(sub, failures, stop)) break;
			}
		}
		if (conn) conn->rollback();
		report.info("projection stopped", {{"consumer", consumer}, {"position", std::to_string(state.position.load())}});
	};
	return detail::start_follower(options.subscription.stop, std::move(body));
}

}  // namespace dcb
