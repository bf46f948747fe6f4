// subscription_tests.cpp — following the log: subscriptions and projection runners against the real server.
//
// The central checks compare what a consumer delivered (or applied to its read model) with the final log read
// from the events table itself: exactly the log's sequence for the consumer's filter, in order, no gap, no
// duplicate — under 16 writers that append in every way the server allows, with connections cut, a projection
// process killed with SIGKILL in the middle of its batches, and two instances of one projection racing.
#include <doctest/doctest.h>

#include "follow_support.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <thread>

using namespace std::chrono_literals;
using dcb_test::Delivered;
using dcb_test::LogEvent;

namespace {

/// Records gauges (the last value per name) and counts counters, per metric name.
class GaugeMetrics final : public dcb::MetricsCollector {
public:
	void record_duration(std::string_view n, std::chrono::nanoseconds, const dcb::Labels&) override { bump(n); }
	void increment_counter(std::string_view n, const dcb::Labels& l) override {
		std::lock_guard g(m_);
		++counts_[std::string(n)];
		const auto r = l.find("reason");
		if (r != l.end()) ++counts_[std::string(n) + "/" + r->second];
	}
	void record_value(std::string_view n, double v, const dcb::Labels&) override {
		std::lock_guard g(m_);
		values_[std::string(n)] += v;
	}
	void set_gauge(std::string_view n, double v, const dcb::Labels& l) override {
		std::lock_guard g(m_);
		gauges_[std::string(n)] = v;
		const auto s = l.find("subscription");
		if (s != l.end()) labels_.insert(s->second);
		if (n == dcb::metrics::subscription_lag_events) max_lag_ = std::max(max_lag_, v);
	}
	double gauge(std::string_view n) {
		std::lock_guard g(m_);
		return gauges_[std::string(n)];
	}
	int count(const std::string& n) {
		std::lock_guard g(m_);
		return counts_[n];
	}
	double value(const std::string& n) {
		std::lock_guard g(m_);
		return values_[n];
	}
	double max_lag() {
		std::lock_guard g(m_);
		return max_lag_;
	}
	bool labelled(const std::string& s) {
		std::lock_guard g(m_);
		return labels_.count(s) > 0;
	}

private:
	void bump(std::string_view n) {
		std::lock_guard g(m_);
		++counts_[std::string(n)];
	}
	std::mutex m_;
	std::map<std::string, double> gauges_, values_;
	std::map<std::string, int> counts_;
	std::set<std::string> labels_;
	double max_lag_ = 0;
};

dcb::Filter types_filter(const std::vector<std::string>& types) {
	std::string json = R"({"items": [{"types": [)";
	for (std::size_t i = 0; i < types.size(); ++i) json += (i ? ", \"" : "\"") + types[i] + "\"";
	return dcb::Filter::from_json(json + "]}]}");
}

/// Waits until `done` or `limit` passes; returns done().
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 60s) {
	const auto until = std::chrono::steady_clock::now() + limit;
	while (!done()) {
		if (std::chrono::steady_clock::now() > until) return false;
		std::this_thread::sleep_for(10ms);
	}
	return true;
}

/// dcb_wait and dcb_read calls the server counted in this database (dcb_stats).
std::int64_t stat_calls(const char* column) {
	auto c = dcb_test::connect_raw();
	return std::stoll(dcb_test::exec(c.get(), std::string("SELECT ") + column + " FROM dcb_stats WHERE store = 'default'"));
}

void append_simple(const dcb::EventStore& store, const std::string& type, int n, const std::string& tag = "k:0") {
	std::vector<dcb::Event> events;
	for (int i = 0; i < n; ++i) events.push_back(dcb::Event{.type = type, .data = std::to_string(i), .tags = {tag}});
	store.append(events);
}

}  // namespace

TEST_CASE("a subscription delivers its filter's events in order, once, in batches, from `after`") {
	const auto store = dcb::EventStore::connect(dcb_test::dsn());
	const std::string u = dcb_test::unique("sub-basic");
	const std::int64_t start = store.head();
	for (int i = 0; i < 10; ++i) {
		append_simple(store, u + "A", 3);
		append_simple(store, u + "B", 2);
	}
	const std::int64_t head = store.head();
	Delivered all(start), only_a(start), from_middle(start + 20);
	dcb::Subscription s1 = store.subscribe(types_filter({u + "A", u + "B"}), start, [&](const auto& b) { all.add(b); },
	                                       {.batch_size = 7});
	dcb::Subscription s2 = store.subscribe(types_filter({u + "A"}), start, [&](const auto& b) { only_a.add(b); },
	                                       {.batch_size = 4});
	dcb::Subscription s3 = store.subscribe(dcb::Filter{}, start + 20, [&](const auto& b) { from_middle.add(b); });
	REQUIRE(eventually([&] { return s1.position() >= head && s2.position() >= head && s3.position() >= head; }));
	const auto log = dcb_test::read_log(start);
	CHECK(dcb_test::compare(all.snapshot(), dcb_test::seqs_matching(log, [&](const LogEvent& e) {
		      return e.type == u + "A" || e.type == u + "B";
	      })) == "");
	CHECK(dcb_test::compare(only_a.snapshot(), dcb_test::seqs_matching(log, [&](const LogEvent& e) { return e.type == u + "A"; })) == "");
	CHECK(dcb_test::compare(from_middle.snapshot(), dcb_test::seqs_matching(log, [&](const LogEvent& e) { return e.seq > start + 20; })) == "");
	CHECK(all.problems.empty());
	CHECK(only_a.problems.empty());
	CHECK(all.batches >= 50 / 7);
	// events that come later are delivered too
	append_simple(store, u + "A", 5);
	const std::int64_t later = store.head();
	REQUIRE(eventually([&] { return s2.position() >= later; }, 10s));
	CHECK(only_a.snapshot().size() == 35);
	CHECK(s1.running());
	s1.stop();
	s1.join();
	CHECK_FALSE(s1.running());
}

TEST_CASE("stop() cancels a waiting subscription at once; destruction stops and joins") {
	const auto store = dcb::EventStore::connect(dcb_test::dsn());
	const std::string app = dcb_test::unique("sub_stop");
	std::atomic<int> calls{0};
	auto sub = std::make_unique<dcb::Subscription>(store.subscribe(
	    dcb::Filter{}, store.head(), [&](const auto&) { ++calls; },
	    {.wait_timeout = 60s, .conninfo = dcb_test::dsn() + " application_name=" + app}));
	auto waiting = [&] {
		auto c = dcb_test::connect_raw();
		return dcb_test::exec(c.get(), "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app +
		                                   "' AND state = 'active' AND query LIKE '%dcb_wait%'") == "1";
	};
	REQUIRE(eventually(waiting, 10s));
	const auto t0 = std::chrono::steady_clock::now();
	sub->stop();
	sub->join();
	const auto took = std::chrono::steady_clock::now() - t0;
	MESSAGE("stop + join of a subscription in dcb_wait(60 s): " << std::chrono::duration<double, std::milli>(took).count() << " ms");
	CHECK(took < 2s);
	CHECK_FALSE(waiting());
	CHECK(calls == 0);
	// destruction without stop()
	const auto t1 = std::chrono::steady_clock::now();
	{
		dcb::Subscription s = store.subscribe(dcb::Filter{}, store.head(), [&](const auto&) {}, {.wait_timeout = 60s});
		std::this_thread::sleep_for(100ms);
	}
	CHECK(std::chrono::steady_clock::now() - t1 < 3s);
	// an empty handle and a moved-from one are harmless
	dcb::Subscription empty;
	CHECK_FALSE(empty.running());
	empty.join();
}

TEST_CASE("a handler's exception ends the subscription; join() rethrows it; the batch does not count") {
	const auto store = dcb::EventStore::connect(dcb_test::dsn());
	const std::string u = dcb_test::unique("sub-throw");
	const std::int64_t start = store.head();
	append_simple(store, u, 3);
	append_simple(store, u, 3);
	int batches = 0;
	dcb::Subscription s = store.subscribe(types_filter({u}), start, [&](const dcb::SubscriptionBatch& b) {
		if (++batches == 2) throw std::runtime_error("handler failed at " + std::to_string(b.events.front().seq));
	}, {.batch_size = 3});
	CHECK_THROWS_WITH_AS(s.join(), doctest::Contains("handler failed at"), std::runtime_error);
	CHECK_FALSE(s.running());
	CHECK(s.position() == start + 3);  // the first batch only
	CHECK_THROWS_AS(s.join(), std::runtime_error);  // again
}

TEST_CASE("stop() from the handler ends the subscription after it; join() from the handler refuses") {
	const auto store = dcb::EventStore::connect(dcb_test::dsn());
	const std::string u = dcb_test::unique("sub-self");
	const std::int64_t start = store.head();
	append_simple(store, u, 4);
	std::string from_join;
	std::atomic<int> batches{0};
	dcb::Subscription s;
	std::mutex m;
	std::unique_lock assigned(m);  // the handler uses `s`: not before it is assigned
	s = store.subscribe(types_filter({u}), start, [&](const dcb::SubscriptionBatch&) {
		std::lock_guard wait_for_assignment(m);
		++batches;
		try {
			s.join();
		} catch (const dcb::Error& e) {
			from_join = e.sqlstate();
		}
		s.stop();
	}, {.batch_size = 1});
	assigned.unlock();
	s.join();
	CHECK(batches == 1);
	CHECK(from_join == "55000");
	CHECK(s.position() == start + 1);
}

TEST_CASE("invalid use fails at once or ends the subscription with the server's error") {
	const auto store = dcb::EventStore::connect(dcb_test::dsn());
	CHECK_THROWS_AS(store.subscribe(dcb::Filter{}, -1, [](const auto&) {}), dcb::InvalidArgument);
	CHECK_THROWS_AS(store.subscribe(dcb::Filter{}, 0, [](const auto&) {}, {.batch_size = 0}), dcb::InvalidArgument);
	CHECK_THROWS_AS(store.subscribe(dcb::Filter{}, 0, nullptr), dcb::InvalidArgument);
	auto conn = dcb_test::connect_raw();
	const auto borrowed = dcb::EventStore::borrow(conn.get());
	CHECK_THROWS_AS(borrowed.subscribe(dcb::Filter{}, 0, [](const auto&) {}), dcb::InvalidArgument);
	CHECK_THROWS_AS(store.run_projection("", dcb::Filter{}, [](const auto&, auto&) {}), dcb::InvalidArgument);
	// a store that does not exist: fatal, not retried
	const auto missing = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.store = "subscription_store_missing"});
	dcb::Subscription s = missing.subscribe(dcb::Filter{}, 0, [](const auto&) {});
	try {
		s.join();
		FAIL("join() should rethrow");
	} catch (const dcb::Error& e) {
		CHECK(e.sqlstate() == "42704");
	}
}

TEST_CASE("a filtered subscription waits for the head to pass what it saw, not its last match (it does not spin)") {
	const auto store = dcb::EventStore::connect(dcb_test::dsn());
	const std::string u = dcb_test::unique("sub-rare");
	const std::int64_t start = store.head();
	append_simple(store, u + "rare", 1);
	Delivered got(start);
	dcb::Subscription s = store.subscribe(types_filter({u + "rare"}), start, [&](const auto& b) { got.add(b); });
	REQUIRE(eventually([&] { return got.snapshot().size() == 1; }, 10s));
	// Many other events: the head moves far past the subscription's only match.
	for (int i = 0; i < 20; ++i) append_simple(store, u + "noise", 5);
	const std::int64_t head = store.head();
	CHECK(eventually([&] { return s.position() >= head; }, 10s));  // its reads vouched for the noise too
	const std::int64_t waits_before = stat_calls("waits"), reads_before = stat_calls("reads");
	std::this_thread::sleep_for(1s);  // nothing is appended meanwhile
	const std::int64_t waits = stat_calls("waits") - waits_before, reads = stat_calls("reads") - reads_before;
	MESSAGE("in 1 s of quiet: " << waits << " dcb_wait calls, " << reads << " dcb_read calls");
	// One wait, sleeping. A subscription that waited after its last match would call dcb_wait in a loop (the head is
	// past it), one that kept its last match as its position would read again and again.
	CHECK(waits <= 2);
	CHECK(reads <= 2);
	append_simple(store, u + "rare", 1);
	REQUIRE(eventually([&] { return got.snapshot().size() == 2; }, 10s));
	CHECK(got.problems.empty());
}

TEST_CASE("min_read_interval coalesces wake-ups into fewer, larger batches, and still delivers everything") {
	const auto store = dcb::EventStore::connect(dcb_test::dsn());
	const std::string u = dcb_test::unique("sub-interval");
	const std::int64_t start = store.head();
	Delivered eager(start), patient(start);
	dcb::Subscription a = store.subscribe(types_filter({u}), start, [&](const auto& b) { eager.add(b); });
	dcb::Subscription p = store.subscribe(types_filter({u}), start, [&](const auto& batch) { patient.add(batch); },
	                                      {.min_read_interval = 400ms});
	// 60 appends over about 1.2 s, each woken subscription reads at once; the patient one at most every 400 ms
	for (int i = 0; i < 60; ++i) {
		append_simple(store, u, 1);
		std::this_thread::sleep_for(20ms);
	}
	REQUIRE(eventually([&] { return eager.snapshot().size() == 60 && patient.snapshot().size() == 60; }, 10s));
	std::lock_guard l1(eager.mutex), l2(patient.mutex);
	MESSAGE("batches: " << eager.batches << " without an interval, " << patient.batches << " with 400 ms");
	CHECK(patient.problems.empty());
	CHECK(eager.problems.empty());
	CHECK(patient.batches <= 8);  // ~1.2 s / 400 ms, plus the first read and slack for a slow machine
	CHECK(patient.batches < eager.batches);
}

TEST_CASE("a subscription reconnects after its connection is killed and resumes without gap or duplicate") {
	auto metrics = std::make_shared<GaugeMetrics>();
	const auto store = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.metrics = metrics});
	const std::string u = dcb_test::unique("sub-kill");
	const std::string app = "sub_kill_" + std::to_string(getpid());
	const std::int64_t start = store.head();
	Delivered got(start);
	dcb::Subscription s = store.subscribe(types_filter({u}), start, [&](const auto& b) { got.add(b); },
	                                      {.batch_size = 10, .reconnect_initial_backoff = 10ms, .name = "killed",
	                                       .conninfo = dcb_test::dsn() + " application_name=" + app});
	auto admin = dcb_test::connect_raw();
	for (int round = 0; round < 5; ++round) {
		append_simple(store, u, 15);
		REQUIRE(eventually([&] {
			return dcb_test::exec(admin.get(), "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app + "'") == "1";
		}, 10s));
		dcb_test::exec(admin.get(), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + app + "'");
		append_simple(store, u, 15);
	}
	const std::int64_t head = store.head();
	REQUIRE(eventually([&] { return s.position() >= head; }, 30s));
	const auto log = dcb_test::read_log(start);
	CHECK(dcb_test::compare(got.snapshot(), dcb_test::seqs_matching(log, [&](const LogEvent& e) { return e.type == u; })) == "");
	CHECK(got.snapshot().size() == 150);
	CHECK(got.problems.empty());
	CHECK(metrics->count(std::string(dcb::metrics::subscription_reconnects)) >= 1);
	CHECK(s.running());
}

TEST_CASE("lag is reported through the metrics hooks: events and seconds behind the head") {
	auto metrics = std::make_shared<GaugeMetrics>();
	const auto store = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.metrics = metrics});
	const std::string u = dcb_test::unique("sub-lag");
	const std::int64_t start = store.head();
	for (int i = 0; i < 10; ++i) append_simple(store, u, 10);
	const std::int64_t head = store.head();
	std::atomic<double> seconds_seen{0};
	dcb::Subscription s = store.subscribe(dcb::Filter{}, start, [&](const dcb::SubscriptionBatch&) {
		std::this_thread::sleep_for(20ms);  // a slow handler falls behind
		seconds_seen = std::max(seconds_seen.load(), metrics->gauge(dcb::metrics::subscription_lag_seconds));
	}, {.batch_size = 10, .name = "lagging"});
	REQUIRE(eventually([&] { return s.position() >= head; }, 30s));
	CHECK(metrics->max_lag() >= 50);  // it started 100 events behind
	CHECK(seconds_seen.load() > 0.0);
	REQUIRE(eventually([&] { return metrics->gauge(dcb::metrics::subscription_lag_events) == 0.0; }, 10s));
	CHECK(metrics->gauge(dcb::metrics::subscription_lag_seconds) == 0.0);
	CHECK(metrics->gauge(dcb::metrics::subscription_position) == static_cast<double>(s.position()));
	CHECK(metrics->value(std::string(dcb::metrics::subscription_events)) >= 100);
	CHECK(metrics->count(std::string(dcb::metrics::subscription_batches)) >= 10);
	CHECK(metrics->labelled("lagging"));
}

TEST_CASE("16 writers at full speed: every consumer sees exactly the log's sequence for its filter") {
	const std::string u = dcb_test::unique("flood");
	const std::string app = "flood_consumer_" + std::to_string(getpid());
	const std::string consumer_dsn = dcb_test::dsn() + " application_name=" + app;
	const auto store = dcb::EventStore::connect(dcb_test::dsn());
	const std::int64_t start = store.head();
	const std::string A = u + "A", B = u + "B", C = u + "C";

	struct Consumer {
		std::string name;
		dcb::Filter filter;
		std::function<bool(const LogEvent&)> match;
		std::int32_t batch;
	};
	const std::vector<Consumer> consumers = {
	    {"whole log, batches of 1000", dcb::Filter{}, [](const LogEvent&) { return true; }, 1000},
	    {"whole log, batches of 5", dcb::Filter{}, [](const LogEvent&) { return true; }, 5},
	    {"type A", types_filter({A}), [&](const LogEvent& e) { return e.type == A; }, 50},
	    {"tag k:3", dcb::Filter::from_json(R"({"items": [{"tags": ["k:3"]}]})"),
	     [&](const LogEvent& e) { return e.has("k:3"); }, 7},
	    {"B with k:1, or C", dcb::Filter::from_json(R"({"items": [{"types": [")" + B + R"("], "tags": ["k:1"]}, {"types": [")" + C + R"("]}]})"),
	     [&](const LogEvent& e) { return (e.type == B && e.has("k:1")) || e.type == C; }, 13},
	};
	std::vector<std::unique_ptr<Delivered>> delivered;
	std::vector<dcb::Subscription> subs;
	for (const auto& c : consumers) {
		delivered.push_back(std::make_unique<Delivered>(start));
		auto* d = delivered.back().get();
		subs.push_back(store.subscribe(c.filter, start, [d](const auto& b) { d->add(b); },
		                               {.batch_size = c.batch, .wait_timeout = 1s, .reconnect_initial_backoff = 5ms,
		                                .conninfo = consumer_dsn}));
	}
	// Two projections writing read models, the whole log (from `start`: the consumer starts there) and k:3.
	dcb_test::ReadModel whole(dcb_test::unique("rm_flood_all")), k3(dcb_test::unique("rm_flood_k3"));
	{
		auto c = dcb_test::connect_raw();
		dcb_test::exec(c.get(), "SELECT dcb_consumer_advance('" + u + "-all', 0, " + std::to_string(start) + ")");
	}
	auto project = [&](const std::string& consumer, const dcb::Filter& f, const std::string& model) {
		const std::string sql = dcb_test::ReadModel::apply_sql(model);
		return store.run_projection(consumer, f, [sql](const dcb::SubscriptionBatch& b, dcb::ProjectionTransaction& tx) {
			for (const auto& e : b.events) tx.exec(sql, {std::to_string(e.seq), "one", dcb_test::k_of(e.tags)});
		}, dcb::ProjectionOptions{.subscription = {.batch_size = 100, .wait_timeout = 1s, .conninfo = consumer_dsn}});
	};
	subs.push_back(project(u + "-all", dcb::Filter{}, whole.name));
	subs.push_back(project(u + "-k3", dcb::Filter::from_json(R"({"items": [{"tags": ["k:3"]}]})"), k3.name));

	const double seconds = std::getenv("DCB_TEST_FLOOD_SECONDS") ? std::atof(std::getenv("DCB_TEST_FLOOD_SECONDS")) : 6.0;
	{
		dcb_test::Writers writers(u, 16);
		// Cut the consumers' connections twice while the writers run: they reconnect and resume.
		auto admin = dcb_test::connect_raw();
		for (int cut = 0; cut < 2; ++cut) {
			std::this_thread::sleep_for(std::chrono::duration<double>(seconds / 3));
			dcb_test::exec(admin.get(), "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '" + app + "'");
		}
		std::this_thread::sleep_for(std::chrono::duration<double>(seconds / 3));
		writers.stop();
		for (const auto& e : writers.errors()) FAIL_CHECK(e);
		MESSAGE("writers: " << writers.appended() << " events appended, " << writers.rolled_back() << " transactions rolled back, "
		                    << writers.escalated() << " escalated batches, " << writers.conflicts() << " conflicts");
		CHECK(writers.appended() > 1000);
		CHECK(writers.rolled_back() > 0);
		CHECK(writers.escalated() > 0);
	}
	const std::int64_t head = store.head();
	const auto log = dcb_test::read_log(start);
	for (std::size_t i = 0; i < consumers.size(); ++i) {
		INFO("consumer: " << consumers[i].name);
		CHECK(eventually([&] { return subs[i].position() >= head; }, 120s));
		CHECK(subs[i].running());
	}
	const auto all_seqs = dcb_test::seqs_matching(log, [](const LogEvent&) { return true; });
	const auto k3_seqs = dcb_test::seqs_matching(log, [](const LogEvent& e) { return e.has("k:3"); });
	CHECK(eventually([&] { return subs[consumers.size()].position() >= all_seqs.back(); }, 120s));
	CHECK(eventually([&] { return subs[consumers.size() + 1].position() >= k3_seqs.back(); }, 120s));
	for (auto& s : subs) s.stop();
	for (auto& s : subs) s.join();
	for (std::size_t i = 0; i < consumers.size(); ++i) {
		INFO("consumer: " << consumers[i].name);
		const auto expected = dcb_test::seqs_matching(log, consumers[i].match);
		const auto got = delivered[i]->snapshot();
		MESSAGE(consumers[i].name << ": " << got.size() << " events in " << delivered[i]->batches << " batches, log has " << expected.size());
		CHECK(dcb_test::compare(got, expected) == "");
		CHECK(delivered[i]->problems.empty());
		CHECK(expected.size() > 50);
	}
	CHECK(dcb_test::compare(whole.applied(), all_seqs) == "");
	CHECK(whole.counts() == dcb_test::ReadModel::fold(log, all_seqs));
	CHECK(dcb_test::compare(k3.applied(), k3_seqs) == "");
	CHECK(k3.counts() == dcb_test::ReadModel::fold(log, k3_seqs));
}

TEST_CASE("two instances of one projection racing leave a read model equal to the fold of the log") {
	auto metrics = std::make_shared<GaugeMetrics>();
	const auto store = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.metrics = metrics});
	const std::string u = dcb_test::unique("race");
	dcb_test::ReadModel model(dcb_test::unique("rm_race"));
	const dcb::Filter filter = types_filter({u + "A", u + "B", u + "C"});
	const std::string sql = dcb_test::ReadModel::apply_sql(model.name);
	auto instance = [&](const std::string& who) {
		return store.run_projection(u, filter, [sql, who](const dcb::SubscriptionBatch& b, dcb::ProjectionTransaction& tx) {
			for (const auto& e : b.events) tx.exec(sql, {std::to_string(e.seq), who, dcb_test::k_of(e.tags)});
		}, dcb::ProjectionOptions{.subscription = {.batch_size = 25, .wait_timeout = 1s}});
	};
	dcb::Subscription one = instance("one"), two = instance("two");
	{
		dcb_test::Writers writers(u, 8);
		std::this_thread::sleep_for(4s);
		writers.stop();
		for (const auto& e : writers.errors()) FAIL_CHECK(e);
	}
	const auto log = dcb_test::read_log(0);
	const auto expected = dcb_test::seqs_matching(log, [&](const LogEvent& e) { return e.type.rfind(u, 0) == 0; });
	REQUIRE(!expected.empty());
	CHECK(eventually([&] { return std::max(one.position(), two.position()) >= expected.back(); }, 120s));
	one.stop();
	two.stop();
	one.join();
	two.join();
	CHECK(dcb_test::compare(model.applied(), expected) == "");
	CHECK(model.counts() == dcb_test::ReadModel::fold(log, expected));
	auto c = dcb_test::connect_raw();
	const std::string by = dcb_test::exec(c.get(), "SELECT string_agg(instance || ':' || n, ' ' ORDER BY instance) FROM (SELECT instance, count(*) n FROM " +
	                                                   model.name + "_applied GROUP BY instance) x");
	const int moved = metrics->count(std::string(dcb::metrics::projection_retries) + "/moved");
	MESSAGE(expected.size() << " events applied by " << by << "; " << moved << " batches lost the race (checkpoint moved)");
	CHECK(moved > 0);  // they did race
}

namespace {

struct Worker {
	pid_t pid = -1;
	std::string out;
};

Worker spawn_worker(const std::string& consumer, const std::string& model, const std::string& prefix, const std::string& out,
                    std::int64_t until = -1) {
	Worker w;
	w.out = out;
	const pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		const int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) dup2(fd, 1);
		std::vector<std::string> args = {DCB_TEST_PROJECTION_WORKER, dcb_test::dsn(), consumer, model, prefix};
		if (until >= 0) args.push_back(std::to_string(until));
		std::vector<char*> argv;
		for (auto& a : args) argv.push_back(a.data());
		argv.push_back(nullptr);
		execv(argv[0], argv.data());
		_exit(127);
	}
	w.pid = pid;
	return w;
}

std::string last_line(const std::string& file) {
	std::ifstream in(file);
	std::string line, last;
	while (std::getline(in, line))
		if (!line.empty()) last = line;
	return last;
}

}  // namespace

TEST_CASE("a projection process killed with SIGKILL mid-batch and restarted leaves a read model equal to the fold") {
	const std::string u = dcb_test::unique("killed");
	dcb_test::ReadModel model(dcb_test::unique("rm_kill"));
	const std::string out = "dcb_projection_worker_" + std::to_string(getpid()) + ".out";
	std::mt19937 rng(42);
	int mid_batch = 0, kills = 0;
	{
		dcb_test::Writers writers(u, 4, 20ms);
		for (int round = 0; round < 8; ++round) {
			Worker w = spawn_worker(u, model.name, u, out);
			// Once it is inside a batch (its handler pauses 30 ms halfway), kill it there, a little later each round.
			eventually([&] { return last_line(out).rfind("begin", 0) == 0; }, 20s);
			std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 25));
			REQUIRE(kill(w.pid, SIGKILL) == 0);
			int status = 0;
			REQUIRE(waitpid(w.pid, &status, 0) == w.pid);
			const bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
			CHECK(killed);
			kills += killed;
			const std::string last = last_line(out);
			if (last.rfind("begin", 0) == 0) ++mid_batch;  // killed inside the handler, its transaction open
		}
		writers.stop();
		for (const auto& e : writers.errors()) FAIL_CHECK(e);
	}
	const auto log = dcb_test::read_log(0);
	const auto expected = dcb_test::seqs_matching(log, [&](const LogEvent& e) { return e.type.rfind(u, 0) == 0; });
	REQUIRE(!expected.empty());
	// Restarted once more, it catches up from its checkpoint and exits.
	Worker w = spawn_worker(u, model.name, u, out, expected.back());
	int status = 0;
	REQUIRE(waitpid(w.pid, &status, 0) == w.pid);
	CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
	std::remove(out.c_str());
	MESSAGE(kills << " kills, " << mid_batch << " of them inside a batch's transaction; " << expected.size() << " events");
	CHECK(mid_batch > 0);
	CHECK(dcb_test::compare(model.applied(), expected) == "");
	CHECK(model.counts() == dcb_test::ReadModel::fold(log, expected));
}

TEST_CASE("subscriptions and projections follow the store of their EventStore (StoreOptions::store)") {
	const std::string name = "follow_" + std::to_string(getpid());
	dcb_test::create_store(name);
	const auto other = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.store = name});
	const auto main_store = dcb::EventStore::connect(dcb_test::dsn());
	append_simple(main_store, "InTheDefaultStore", 3);
	append_simple(other, "InTheOtherStore", 4);
	Delivered got(0);
	dcb::Subscription s = other.subscribe(dcb::Filter{}, 0, [&](const auto& b) { got.add(b); });
	std::atomic<int> applied{0};
	dcb::Subscription p = other.run_projection("counter", dcb::Filter{}, [&](const dcb::SubscriptionBatch& b, dcb::ProjectionTransaction&) {
		applied += static_cast<int>(b.events.size());
	});
	REQUIRE(eventually([&] { return s.position() >= 4 && p.position() >= 4; }, 10s));
	CHECK(got.snapshot() == std::vector<std::int64_t>{1, 2, 3, 4});  // its own positions, from 1
	CHECK(applied == 4);
	p.stop();
	p.join();
	auto c = dcb_test::connect_raw();
	CHECK(dcb_test::exec(c.get(), "SELECT dcb_consumer_position('counter', '" + name + "')") == "4");
	CHECK(dcb_test::exec(c.get(), "SELECT dcb_consumer_position('counter')") == "0");  // not the default store's
}
