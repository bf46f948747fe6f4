// restart_tests.cpp — the server restarts (as after a crash) while several threads run commands: every command
// still succeeds exactly once, and the store needs no help to recover.
//
// Each command appends one event with an id chosen before its first try. Appends in flight when the server goes
// down end with an unknown outcome; execute() sends them again with the same ids once the server is back, and
// the store answers with the stored position for those that had been committed. So the log must hold every
// command's event exactly once.
#include <doctest/doctest.h>

#include "test_db.hpp"

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using dcb::P;
using namespace std::chrono_literals;

namespace {

class CountingMetrics final : public dcb::MetricsCollector {
public:
	void record_duration(std::string_view, std::chrono::nanoseconds, const dcb::Labels&) override {}
	void increment_counter(std::string_view metric, const dcb::Labels& labels) override {
		const auto reason = labels.find("reason");
		std::lock_guard l(m_);
		++counts_[std::string(metric) + (reason == labels.end() ? "" : "/" + reason->second)];
	}
	void record_value(std::string_view, double, const dcb::Labels&) override {}
	int count(const std::string& key) {
		std::lock_guard l(m_);
		return counts_[key];
	}

private:
	std::mutex m_;
	std::map<std::string, int> counts_;
};

}  // namespace

TEST_CASE("a server restart under load: no event lost or doubled, the store recovers by itself") {
	const char* restart = std::getenv("DCB_TEST_RESTART");
	REQUIRE_MESSAGE(restart, "run through with_restart.sh");
	auto metrics = std::make_shared<CountingMetrics>();
	// Lost connections are ridden out for up to ~60 s (backoff capped at 250 ms): longer than a restart and its
	// recovery, also on a loaded machine ("the database system is starting up" is retried too).
	auto store = dcb::EventStore::connect(
	    dcb_test::dsn(), dcb::StoreOptions{.pool_size = 6,
	                                       .retry = {.initial_backoff = 2ms, .max_backoff = 250ms, .max_connection_retries = 240},
	                                       .metrics = metrics});
	const std::string run = dcb_test::unique("restart");
	constexpr int threads = 6;
	std::atomic<bool> stop{false};
	std::atomic<int> after_restart{0};
	std::atomic<bool> restarted{false};
	std::mutex m;
	std::vector<std::string> acknowledged;
	std::vector<std::string> failures;

	std::vector<std::thread> workers;
	for (int t = 0; t < threads; ++t) {
		workers.emplace_back([&, t] {
			const std::string worker = run + "-" + std::to_string(t);
			auto filter = dcb::build_event_filter().matching().any_predicate_of({P("Worker", worker)}).finalize();
			for (int i = 0; !stop.load(); ++i) {
				const dcb::Event event{.type = "Counted", .data = std::to_string(i), .tags = {P("Run", run), P("Worker", worker)},
				                       .id = dcb::new_uuid()};
				try {
					store.execute(filter, [&](const std::vector<dcb::StoredEvent>&) { return std::vector<dcb::Event>{event}; },
					              dcb::ExecuteOptions{.call = dcb::CallOptions::within(90s)});
					std::lock_guard l(m);
					acknowledged.push_back(event.id);
					if (restarted.load()) ++after_restart;
				} catch (const std::exception& e) {
					std::lock_guard l(m);
					failures.push_back(e.what());
					return;
				}
			}
		});
	}
	std::this_thread::sleep_for(1500ms);
	const int rc = std::system(restart);
	restarted.store(true);
	for (int i = 0; i < 600 && after_restart.load() < 200; ++i) std::this_thread::sleep_for(100ms);
	stop.store(true);
	for (auto& w : workers) w.join();

	CHECK(rc == 0);
	for (const auto& f : failures) MESSAGE("a command failed: " << f);
	CHECK(failures.empty());
	CHECK(after_restart.load() >= 200);  // the store went on by itself
	const int connection_retries = metrics->count(std::string(dcb::metrics::execute_retries) + "/connection");
	MESSAGE("commands: " << acknowledged.size() << ", retries after lost connections: " << connection_retries);
	CHECK(connection_retries > 0);  // the restart did hit commands in flight

	auto all = store.query(dcb::build_event_filter().matching().any_predicate_of({P("Run", run)}).finalize());
	std::multiset<std::string> stored;
	for (const auto& e : all.events) stored.insert(e.id);
	const std::set<std::string> distinct(stored.begin(), stored.end());
	CHECK(distinct.size() == stored.size());  // nothing doubled
	std::size_t missing = 0;
	for (const auto& id : acknowledged) missing += distinct.count(id) == 0;
	CHECK(missing == 0);                                    // nothing lost
	CHECK(stored.size() == acknowledged.size());            // and nothing that was not a command's
}
