// deadline_tests.cpp — per-call deadlines and stop tokens cancel the server statement.
//
// A statement is made to block by an uncommitted append on the same boundary in another session: the
// store's append must wait for it (G1), so only the deadline or the stop request can end the call.
#include <doctest/doctest.h>

#include "test_db.hpp"

#include <thread>

using dcb::P;
using namespace std::chrono_literals;

namespace {

struct Blocker {
	dcb_test::Conn conn = dcb_test::connect_raw();
	std::string key = dcb_test::unique("blocked");
	dcb::Filter filter = dcb::build_event_filter().matching().any_predicate_of({P("K", key)}).finalize();

	Blocker() {
		dcb_test::exec(conn.get(), "BEGIN");
		dcb_test::exec(conn.get(), "SELECT dcb_append('" + filter.to_json() + "', 0, '" + dcb::events_to_json({event()}) + "')");
	}
	dcb::Event event() const { return dcb::Event{.type = "Blocker", .data = "{}", .tags = {"K:" + key}}; }
	void commit() { dcb_test::exec(conn.get(), "COMMIT"); }
	/// Number of statements of `app` still running on the server (asked on a new connection, in autocommit:
	/// pg_stat_activity is read once per transaction).
	int running(const std::string& app) {
		auto watcher = dcb_test::connect_raw();
		return std::stoi(dcb_test::exec(watcher.get(), "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND application_name = '" + app + "'"));
	}
};

}  // namespace

TEST_CASE("a deadline cancels a blocked append: Timeout, nothing written, connection reusable") {
	Blocker blocker;
	const std::string app = "dcb_deadline_test";
	auto store = dcb::EventStore::connect(dcb_test::dsn() + " application_name=" + app, dcb::StoreOptions{.pool_size = 1});
	const auto start = dcb::Clock::now();
	try {
		store.append(blocker.filter, 0, {blocker.event()}, dcb::CallOptions::within(300ms));
		FAIL("the append should have been blocked");
	} catch (const dcb::Timeout& e) {
		CHECK(e.sqlstate() == "57014");
	}
	const auto elapsed = dcb::Clock::now() - start;
	CHECK(elapsed >= 290ms);
	CHECK(elapsed < 5s);
	// Timeout is a dcb::Error but neither Canceled nor a conflict
	CHECK(blocker.running(app) == 0);  // the server statement is gone, not just abandoned by the client
	blocker.commit();
	CHECK(store.query(blocker.filter).events.size() == 1);  // only the blocker's event; same pooled connection
}

TEST_CASE("a stop request cancels a blocked append: Canceled") {
	Blocker blocker;
	auto store = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.pool_size = 1});
	std::stop_source stop;
	std::thread canceller([&] {
		std::this_thread::sleep_for(200ms);
		stop.request_stop();
	});
	const auto start = dcb::Clock::now();
	CHECK_THROWS_AS(store.append(blocker.filter, 0, {blocker.event()}, dcb::CallOptions{.stop = stop.get_token()}), dcb::Canceled);
	canceller.join();
	CHECK(dcb::Clock::now() - start < 5s);
	blocker.commit();
	CHECK(store.query(blocker.filter).events.size() == 1);
	// already stopped: fails before sending
	CHECK_THROWS_AS(store.query(blocker.filter, {.call = dcb::CallOptions{.stop = stop.get_token()}}), dcb::Canceled);
	CHECK_THROWS_AS(store.query(blocker.filter, {.call = dcb::CallOptions{.deadline = dcb::Clock::now() - 1ms}}), dcb::Timeout);
}

TEST_CASE("a deadline also bounds the wait for a pooled connection") {
	Blocker blocker;
	auto store = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.pool_size = 1});
	std::thread holder([&] {
		// occupies the only connection until the blocker commits, then loses the race
		CHECK_THROWS_AS(store.append(blocker.filter, 0, {blocker.event()}), dcb::ConcurrencyConflict);
	});
	std::this_thread::sleep_for(200ms);
	CHECK_THROWS_AS(store.head(dcb::Consistency::strong, dcb::CallOptions::within(200ms)), dcb::Timeout);
	blocker.commit();
	holder.join();
	CHECK(store.head() > 0);
}

TEST_CASE("execute: the deadline covers the whole command") {
	Blocker blocker;
	auto store = dcb::EventStore::connect(dcb_test::dsn());
	CHECK_THROWS_AS(store.execute(blocker.filter, [&](const std::vector<dcb::StoredEvent>&) {
		return std::vector<dcb::Event>{blocker.event()};
	}, dcb::ExecuteOptions{.call = dcb::CallOptions::within(300ms)}), dcb::Timeout);
	blocker.commit();
}

TEST_CASE("the pipeline batch honours the deadline too") {
	Blocker blocker;
	auto store = dcb::EventStore::connect(dcb_test::dsn());
	std::vector<dcb::AppendRequest> reqs = {{blocker.filter, 0, {blocker.event()}}};
	auto out = store.append_batch(reqs, dcb::CallOptions::within(300ms));
	REQUIRE(out.size() == 1);
	CHECK_THROWS_AS(std::rethrow_exception(out[0].error), dcb::Timeout);
	blocker.commit();
	CHECK(store.query(blocker.filter).events.size() == 1);
}
