// concurrency_tests.cpp — many threads on one pool: conflicts, retries, no lost decisions.
#include <doctest/doctest.h>

#include "test_db.hpp"

#include <atomic>
#include <set>
#include <thread>

using dcb::P;

namespace {

/// Counts calls per metric name (thread-safe).
class CountingMetrics final : public dcb::MetricsCollector {
public:
	void record_duration(std::string_view, std::chrono::nanoseconds, const dcb::Labels&) override {}
	void increment_counter(std::string_view metric, const dcb::Labels&) override {
		std::lock_guard l(m_);
		++counts_[std::string(metric)];
	}
	void record_value(std::string_view, double, const dcb::Labels&) override {}
	int count(std::string_view metric) {
		std::lock_guard l(m_);
		return counts_[std::string(metric)];
	}

private:
	std::mutex m_;
	std::map<std::string, int> counts_;
};

}  // namespace

TEST_CASE("16 threads increment one counter through execute(): every value exactly once") {
	auto metrics = std::make_shared<CountingMetrics>();
	auto store = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.pool_size = 6, .metrics = metrics});
	const std::string k = dcb_test::unique("counter");
	auto filter = dcb::build_event_filter().matching().any_event_type_of({"Incremented"}).and_all_predicates_of({P("Counter", k)}).finalize();
	constexpr int threads = 16, per_thread = 15;
	dcb::ExecuteOptions opts{.retry = {.max_attempts = 1000, .initial_backoff = std::chrono::microseconds(200), .max_backoff = std::chrono::microseconds(20000)}};
	std::atomic<int> retries{0}, failures{0};
	std::vector<std::thread> pool;
	for (int t = 0; t < threads; ++t) {
		pool.emplace_back([&] {
			for (int i = 0; i < per_thread; ++i) {
				try {
					auto r = store.execute(filter, [&](const std::vector<dcb::StoredEvent>& seen) {
						// the next value is one more than the number of increments seen
						return std::vector<dcb::Event>{dcb::Event{.type = "Incremented", .data = std::to_string(seen.size() + 1), .tags = {"Counter:" + k}}};
					}, opts);
					retries += r.attempts - 1;
				} catch (const std::exception& e) {
					++failures;
					MESSAGE("execute failed: " << e.what());
				}
			}
		});
	}
	for (auto& t : pool) t.join();
	CHECK(failures == 0);
	auto all = store.query(filter);
	REQUIRE(all.events.size() == threads * per_thread);
	for (std::size_t i = 0; i < all.events.size(); ++i) CHECK(all.events[i].data == std::to_string(i + 1));
	MESSAGE("retries after conflicts: " << retries.load());
	CHECK(retries.load() > 0);  // 16 writers on one boundary must have collided
	CHECK(metrics->count(dcb::metrics::concurrency_conflicts) == retries.load());
	CHECK(metrics->count(dcb::metrics::execute_retries) == retries.load());
}

TEST_CASE("disjoint boundaries from many threads do not conflict") {
	auto store = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.pool_size = 8});
	constexpr int threads = 8, per_thread = 25;
	std::atomic<int> conflicts{0};
	std::vector<std::thread> pool;
	for (int t = 0; t < threads; ++t) {
		pool.emplace_back([&, t] {
			const std::string k = dcb_test::unique("own-" + std::to_string(t));
			auto filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();
			for (int i = 0; i < per_thread; ++i) {
				auto r = store.query(filter);
				try {
					store.append(filter, r.max_seq, {dcb::Event{.type = "E", .data = "{}", .tags = {"K:" + k}}});
				} catch (const dcb::ConcurrencyConflict&) {
					++conflicts;
				}
			}
			CHECK(store.query(filter).events.size() == per_thread);
		});
	}
	for (auto& t : pool) t.join();
	CHECK(conflicts == 0);
}

TEST_CASE("execute: decide returning nothing appends nothing; retry exhaustion rethrows the conflict") {
	auto store = dcb::EventStore::connect(dcb_test::dsn());
	const std::string k = dcb_test::unique("exec");
	auto filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();
	auto none = store.execute(filter, [](const std::vector<dcb::StoredEvent>&) { return std::vector<dcb::Event>{}; });
	CHECK(none.appended == 0);
	CHECK(none.last_seq == 0);
	CHECK(none.attempts == 1);

	// A decide that sneaks in a conflicting event on every attempt can never win.
	int calls = 0;
	dcb::ExecuteOptions opts{.retry = {.max_attempts = 3, .initial_backoff = std::chrono::microseconds(100)}};
	CHECK_THROWS_AS(store.execute(filter, [&](const std::vector<dcb::StoredEvent>&) {
		++calls;
		store.append({dcb::Event{.type = "Sneaky", .data = "{}", .tags = {"K:" + k}}});
		return std::vector<dcb::Event>{dcb::Event{.type = "Mine", .data = "{}", .tags = {"K:" + k}}};
	}, opts), dcb::ConcurrencyConflict);
	CHECK(calls == 3);

	// ids are assigned before the append and kept
	auto r = store.execute(filter, [&](const std::vector<dcb::StoredEvent>&) {
		return std::vector<dcb::Event>{dcb::Event{.type = "Mine", .data = "{}", .tags = {"K:" + k}}};
	});
	auto last = store.query(filter, {.limit = 1, .backwards = true});
	REQUIRE(last.events.size() == 1);
	CHECK(last.events[0].seq == r.last_seq);
	CHECK(last.events[0].id.size() == 36);

	// an exception from decide propagates unchanged
	CHECK_THROWS_WITH_AS(store.execute(filter, [](const std::vector<dcb::StoredEvent>&) -> std::vector<dcb::Event> {
		throw std::logic_error("domain rule violated");
	}), "domain rule violated", std::logic_error);
}

TEST_CASE("execute: per-call options override only what they name; the rest is the store's retry policy") {
	auto store = dcb::EventStore::connect(dcb_test::dsn(),
	                                      dcb::StoreOptions{.retry = {.max_attempts = 3, .initial_backoff = std::chrono::microseconds(100)}});
	const std::string k = dcb_test::unique("policy");
	// a decide that sneaks in a conflicting event on every attempt fails every attempt
	int calls = 0;
	auto sneaky = [&](const std::vector<dcb::StoredEvent>&) {
		++calls;
		store.append({dcb::Event{.type = "Sneaky", .data = "{}", .tags = {"K:" + k}}});
		return std::vector<dcb::Event>{dcb::Event{.type = "Mine", .data = "{}", .tags = {"K:" + k}}};
	};
	auto filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();

	CHECK_THROWS_AS(store.execute(filter, sneaky, dcb::ExecuteOptions{.call = dcb::CallOptions::within(std::chrono::seconds(30))}),
	                dcb::ConcurrencyConflict);
	CHECK(calls == 3);  // the store's max_attempts, although the call gave a deadline

	calls = 0;
	CHECK_THROWS_AS(store.execute(filter, sneaky, dcb::ExecuteOptions{.retry = {.initial_backoff = std::chrono::microseconds(50)}}),
	                dcb::ConcurrencyConflict);
	CHECK(calls == 3);  // naming the backoff keeps the store's max_attempts

	calls = 0;
	CHECK_THROWS_AS(store.execute(filter, sneaky, dcb::ExecuteOptions{.retry = {.max_attempts = 2}}), dcb::ConcurrencyConflict);
	CHECK(calls == 2);
}
