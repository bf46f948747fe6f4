// connection_tests.cpp — borrowed PGconn* inside the caller's transaction, pipeline batches, connection errors.
#include <doctest/doctest.h>

#include "tcp_proxy.hpp"
#include "test_db.hpp"

#include <future>
#include <thread>

using dcb::P;

TEST_CASE("borrowed PGconn: appends join the caller's transaction") {
	auto conn = dcb_test::connect_raw();
	auto store = dcb::EventStore::borrow(conn.get());
	auto pooled = dcb::EventStore::connect(dcb_test::dsn());
	const std::string k = dcb_test::unique("borrowed");
	auto filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();
	const dcb::Event e{.type = "A", .data = "{}", .tags = {"K:" + k}};

	dcb_test::exec(conn.get(), "BEGIN");
	store.append(filter, 0, {e});
	CHECK(store.query(filter).events.size() == 1);   // the transaction sees its own append (G5)
	// (other sessions' reads of this boundary would wait for this transaction: G5)
	dcb_test::exec(conn.get(), "ROLLBACK");
	CHECK(pooled.query(filter).events.empty());

	dcb_test::exec(conn.get(), "BEGIN");
	dcb_test::exec(conn.get(), "CREATE TEMP TABLE side_effect(x int)");
	const auto seq = store.append(filter, 0, {e});
	dcb_test::exec(conn.get(), "COMMIT");
	auto r = pooled.query(filter);
	REQUIRE(r.events.size() == 1);
	CHECK(r.events[0].seq == seq);

	// a second store over the same connection finds the prepared statements instead of failing
	auto again = dcb::EventStore::borrow(conn.get());
	dcb_test::exec(conn.get(), "BEGIN");
	CHECK(again.query(filter).events.size() == 1);
	dcb_test::exec(conn.get(), "COMMIT");
	CHECK(PQtransactionStatus(conn.get()) == PQTRANS_IDLE);
}

TEST_CASE("append_batch: one round trip, independent outcomes") {
	const std::string k = dcb_test::unique("batch");
	auto filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();
	auto run = [&](const dcb::EventStore& store) {
		const auto head = store.query(filter).max_seq;
		std::vector<dcb::AppendRequest> reqs = {
		    {filter, head, {dcb::Event{.type = "A", .data = "1", .tags = {"K:" + k}}}},
		    {filter, head, {dcb::Event{.type = "A", .data = "2", .tags = {"K:" + k}}}},  // conflicts with the first
		    {std::nullopt, 0, {dcb::Event{.type = "B", .data = "3", .tags = {"K:" + k}}, dcb::Event{.type = "B", .data = "4", .tags = {"K:" + k}}}},
		};
		auto out = store.append_batch(reqs);
		REQUIRE(out.size() == 3);
		CHECK(out[0].ok());
		CHECK_FALSE(out[1].ok());
		CHECK_THROWS_AS(std::rethrow_exception(out[1].error), dcb::ConcurrencyConflict);
		CHECK(out[2].ok());
		CHECK(out[2].last_seq > out[0].last_seq);
		CHECK(store.query(filter, {.after = head}).events.size() == 3);
	};
	SUBCASE("pool") { run(dcb::EventStore::connect(dcb_test::dsn())); }
	SUBCASE("borrowed") {
		auto conn = dcb_test::connect_raw();
		run(dcb::EventStore::borrow(conn.get()));
		CHECK(PQpipelineStatus(conn.get()) == PQ_PIPELINE_OFF);
		CHECK(dcb_test::exec(conn.get(), "SELECT 41 + 1") == "42");  // the connection is usable afterwards
	}
}

TEST_CASE("query_batch: several reads in one round trip equal the single reads") {
	const std::string a = dcb_test::unique("qa"), b = dcb_test::unique("qb");
	auto fa = dcb::build_event_filter().matching().any_predicate_of({P("K", a)}).finalize();
	auto fb = dcb::build_event_filter().matching().any_predicate_of({P("K", b)}).finalize();
	auto run = [&](const dcb::EventStore& store) {
		store.append({dcb::Event{.type = "A", .data = "1", .tags = {"K:" + a}}, dcb::Event{.type = "A", .data = "2", .tags = {"K:" + a}},
		              dcb::Event{.type = "B", .data = "3", .tags = {"K:" + b}}});
		const auto ra = store.query(fa), rb = store.query(fb);
		auto out = store.query_batch({{fa}, {fb}, {fa, ra.events[0].seq}, {fa, 0, 1, true}});
		REQUIRE(out.size() == 4);
		CHECK(out[0].events == ra.events);
		CHECK(out[0].max_seq == ra.max_seq);
		CHECK(out[1].events == rb.events);
		REQUIRE(out[2].events.size() == 1);
		CHECK(out[2].events[0] == ra.events[1]);
		REQUIRE(out[3].events.size() == 1);
		CHECK(out[3].events[0].seq == ra.max_seq);
		CHECK_THROWS_AS(store.query_batch({{fa}, {fb, -1}}), dcb::InvalidArgument);
	};
	SUBCASE("pool") { run(dcb::EventStore::connect(dcb_test::dsn())); }
	SUBCASE("borrowed") {
		auto conn = dcb_test::connect_raw();
		run(dcb::EventStore::borrow(conn.get()));
	}
}

TEST_CASE("connection errors") {
	CHECK_THROWS_AS(dcb::EventStore::connect("host=127.0.0.1 port=1 connect_timeout=2"), dcb::ConnectionError);
	try {
		dcb::EventStore::connect(dcb_test::dsn() + " dbname=dcb_no_such_database_here");
		FAIL("expected ConnectionError");
	} catch (const dcb::ConnectionError& e) {
		CHECK(std::string(e.what()).find("dcb_no_such_database_here") != std::string::npos);
	}
}

TEST_CASE("the pool checks idle connections: a killed one is replaced before it is handed out") {
	const std::string app = "dcb_kill_test";
	auto store = dcb::EventStore::connect(dcb_test::dsn() + " application_name=" + app, dcb::StoreOptions{.pool_size = 1});
	auto admin = dcb_test::connect_raw();
	auto kill = [&] {
		dcb_test::exec(admin.get(), "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '" + app + "'");
		for (int i = 0; i < 100; ++i) {
			if (dcb_test::exec(admin.get(), "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app + "'") == "0") return;
			std::this_thread::sleep_for(std::chrono::milliseconds(20));
		}
		FAIL("the backend did not go away");
	};
	const std::string k = dcb_test::unique("kill");
	auto filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();
	CHECK(store.query(filter).events.empty());
	kill();
	CHECK(store.query(filter).events.empty());  // not the dead connection: a fresh one
	kill();
	auto result = store.execute(filter, [&](const std::vector<dcb::StoredEvent>& seen) {
		return seen.empty() ? std::vector<dcb::Event>{dcb::Event{.type = "A", .data = "1", .tags = {"K:" + k}}} : std::vector<dcb::Event>{};
	});
	CHECK(result.appended == 1);
	CHECK(store.query(filter).events.size() == 1);
}

namespace {

/// Terminates the backends of `app` and waits until they are gone.
void kill_backends(const std::string& app) {
	auto admin = dcb_test::connect_raw();
	dcb_test::exec(admin.get(), "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '" + app + "'");
	for (int i = 0; i < 100; ++i) {
		if (dcb_test::exec(admin.get(), "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app + "'") == "0") return;
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	}
	FAIL("the backends did not go away");
}

}  // namespace

TEST_CASE("deadlines and stop requests also cover opening a connection") {
	const auto [host, port] = dcb_test::server_address();
	if (host.empty()) {
		MESSAGE("the test server is not reached over TCP: skipped");
		return;
	}
	dcb_test::TcpProxy proxy(host, port);
	const std::string app = "dcb_connect_test";
	auto store = dcb::EventStore::connect(dcb_test::dsn() + " host=127.0.0.1 port=" + std::to_string(proxy.port()) +
	                                          " application_name=" + app,
	                                      dcb::StoreOptions{.pool_size = 1});
	CHECK(store.head() >= 0);
	proxy.stall(true);   // from now on a new connection gets no answer
	kill_backends(app);  // so the next call has to open one
	for (int i = 0; i < 100 && proxy.open_connections() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
	REQUIRE(proxy.open_connections() == 0);  // the server's goodbye has reached the client
	auto outcome = [&](const dcb::CallOptions& call) {
		auto f = std::async(std::launch::async, [&]() -> std::string {
			try {
				store.head(dcb::Consistency::strong, call);
				return "no error";
			} catch (const dcb::Timeout&) {
				return "timeout";
			} catch (const dcb::Canceled&) {
				return "canceled";
			} catch (const std::exception& e) {
				return e.what();
			}
		});
		const bool in_time = f.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
		proxy.drop_stalled();  // ends a connection attempt that ignored the deadline
		CHECK(in_time);
		return f.get();
	};
	const auto t0 = dcb::Clock::now();
	CHECK(outcome(dcb::CallOptions::within(std::chrono::milliseconds(300))) == "timeout");
	CHECK(dcb::Clock::now() - t0 >= std::chrono::milliseconds(290));

	std::stop_source stop;
	std::thread stopper([&] {
		std::this_thread::sleep_for(std::chrono::milliseconds(200));
		stop.request_stop();
	});
	CHECK(outcome(dcb::CallOptions{.stop = stop.get_token()}) == "canceled");
	stopper.join();

	proxy.stall(false);
	CHECK(store.head() >= 0);  // the pool is whole again: the failed attempts gave their places back
}

TEST_CASE("the pool retires connections after their maximum lifetime") {
	const std::string app = "dcb_lifetime_test";
	auto store = dcb::EventStore::connect(dcb_test::dsn() + " application_name=" + app,
	                                      dcb::StoreOptions{.pool_size = 1, .max_connection_lifetime = std::chrono::milliseconds(400)});
	auto admin = dcb_test::connect_raw();
	const std::string backend = "SELECT string_agg(pid::text, ',') FROM pg_stat_activity WHERE application_name = '" + app + "'";
	store.head();
	const std::string first = dcb_test::exec(admin.get(), backend);
	REQUIRE_FALSE(first.empty());
	store.head();
	CHECK(dcb_test::exec(admin.get(), backend) == first);  // reused while young
	std::this_thread::sleep_for(std::chrono::milliseconds(500));
	store.head();
	const std::string second = dcb_test::exec(admin.get(), backend);
	CHECK_FALSE(second.empty());
	CHECK(second != first);  // one connection, a new one
	CHECK(second.find(',') == std::string::npos);
}

TEST_CASE("a connection lost after an append was sent: OutcomeUnknown, resolved by sending the same ids again") {
	const auto [host, port] = dcb_test::server_address();
	if (host.empty()) {
		MESSAGE("the test server is not reached over TCP: skipped");
		return;
	}
	dcb_test::TcpProxy proxy(host, port);
	const std::string app = "dcb_unknown_outcome_test";
	auto store = dcb::EventStore::connect(dcb_test::dsn() + " host=127.0.0.1 port=" + std::to_string(proxy.port()) +
	                                          " application_name=" + app,
	                                      dcb::StoreOptions{.pool_size = 1});
	const std::string k = dcb_test::unique("unknown");
	auto filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();
	const dcb::Event mine{.type = "Mine", .data = "{}", .tags = {P("K", k)}, .id = dcb::new_uuid()};
	// An uncommitted append on the same boundary holds ours on the server until it rolls back.
	auto blocker = dcb_test::connect_raw();
	dcb_test::exec(blocker.get(), "BEGIN");
	dcb_test::exec(blocker.get(), "SELECT dcb_append('" + filter.to_json() + "', 0, '" +
	                                  dcb::events_to_json({dcb::Event{.type = "Blocker", .data = "{}", .tags = {P("K", k)}}}) + "')");
	auto outcome = std::async(std::launch::async, [&]() -> std::string {
		try {
			store.append(filter, 0, {mine});
			return "appended";
		} catch (const dcb::OutcomeUnknown& e) {
			return "unknown " + e.sqlstate();
		} catch (const std::exception& e) {
			return e.what();
		}
	});
	auto admin = dcb_test::connect_raw();
	const std::string waiting = "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app + "' AND state = 'active'";
	for (int i = 0; i < 250 && dcb_test::exec(admin.get(), waiting) != "1"; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
	REQUIRE(dcb_test::exec(admin.get(), waiting) == "1");  // sent, and waiting on the server
	proxy.cut();
	CHECK(outcome.get() == "unknown 08007");
	// The append goes on without its client and commits once the blocker is gone.
	dcb_test::exec(blocker.get(), "ROLLBACK");
	const std::string gone = "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app + "'";
	for (int i = 0; i < 250 && dcb_test::exec(admin.get(), gone) != "0"; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
	auto direct = dcb::EventStore::connect(dcb_test::dsn());
	const auto before = direct.query(filter);
	MESSAGE("committed without an acknowledgement: " << before.events.size());
	// The retry with the same id appends it if it was not committed, and returns its position if it was.
	const auto seq = direct.append(filter, 0, {mine});
	const auto after = direct.query(filter);
	REQUIRE(after.events.size() == 1);
	CHECK(after.events[0].id == mine.id);
	CHECK(after.events[0].seq == seq);
}
