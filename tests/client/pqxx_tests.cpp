// pqxx_tests.cpp — the libpqxx adapter runs inside the caller's pqxx transaction.
#include <doctest/doctest.h>

#include "test_db.hpp"

#include <dcb/pqxx.hpp>
#include <pqxx/pqxx>

using dcb::P;

TEST_CASE("pqxx: events and the application's own writes commit or roll back together") {
	pqxx::connection conn(dcb_test::dsn());
	auto pooled = dcb::EventStore::connect(dcb_test::dsn());
	const std::string k = dcb_test::unique("pqxx");
	auto filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();
	const dcb::Event e{.type = "A", .data = R"({"v":1})", .tags = {"K:" + k}};
	{
		pqxx::work tx(conn);
		tx.exec0("CREATE TABLE IF NOT EXISTS pqxx_side (k text)");
		tx.commit();
	}
	{
		pqxx::work tx(conn);
		auto store = dcb::pqxx_store(tx);
		auto r = store.query(filter);
		store.append(filter, r.max_seq, {e});
		tx.exec0("INSERT INTO pqxx_side VALUES (" + tx.quote(k) + ")");
		CHECK(store.query(filter).events.size() == 1);
		tx.abort();
	}
	CHECK(pooled.query(filter).events.empty());
	{
		pqxx::work tx(conn);
		auto store = dcb::pqxx_store(tx);
		const auto seq = store.append(filter, 0, {e});
		tx.exec0("INSERT INTO pqxx_side VALUES (" + tx.quote(k) + ")");
		tx.commit();
		auto r = pooled.query(filter);
		REQUIRE(r.events.size() == 1);
		CHECK(r.events[0].seq == seq);
		CHECK(r.events[0].data == R"({"v": 1})");
	}
	pqxx::work check(conn);
	CHECK(check.exec1("SELECT count(*) FROM pqxx_side WHERE k = " + check.quote(k))[0].as<int>() == 1);
}

TEST_CASE("pqxx: conflicts and deadlines map to the dcb exceptions") {
	pqxx::connection conn(dcb_test::dsn());
	const std::string k = dcb_test::unique("pqxx-c");
	auto filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();
	const dcb::Event e{.type = "A", .data = "{}", .tags = {"K:" + k}};
	{
		pqxx::work tx(conn);
		auto store = dcb::pqxx_store(tx);
		store.append(filter, 0, {e});
		try {
			store.append(filter, 0, {e});
			FAIL("expected a conflict");
		} catch (const dcb::ConcurrencyConflict& c) {
			CHECK(c.sqlstate() == "40001");
			CHECK(std::string(c.what()) == "dcb: append condition failed");
			CHECK(c.detail().find("expected_max is 0") != std::string::npos);
		}
	}
	// a blocked append in a pqxx transaction is canceled at its deadline
	auto blocker = dcb_test::connect_raw();
	dcb_test::exec(blocker.get(), "BEGIN");
	dcb_test::exec(blocker.get(), "SELECT dcb_append('" + filter.to_json() + "', 0, '" + dcb::events_to_json({e}) + "')");
	{
		pqxx::work tx(conn);
		auto store = dcb::pqxx_store(tx);
		CHECK_THROWS_AS(store.append(filter, 0, {e}, dcb::CallOptions::within(std::chrono::milliseconds(300))), dcb::Timeout);
	}
	dcb_test::exec(blocker.get(), "ROLLBACK");
}

TEST_CASE("pqxx: a named store, and snapshots saved in the caller's transaction") {
	pqxx::connection conn(dcb_test::dsn());
	{
		pqxx::work tx(conn);
		tx.exec("SELECT dcb_create_store('pqxx_store') WHERE NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'dcb_pqxx_store')");
		tx.commit();
	}
	const dcb::StoreOptions options{.store = "pqxx_store"};
	auto pooled = dcb::EventStore::connect(dcb_test::dsn(), options);
	const std::string k = dcb_test::unique("pqxx-s");
	auto filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();
	const dcb::Event e{.type = "A", .data = "{}", .tags = {"K:" + k}};
	const std::int64_t head = pooled.head();
	{
		pqxx::work tx(conn);
		auto store = dcb::pqxx_store(tx, options);
		CHECK(store.append(filter, 0, {e, e}) == head + 2);
		store.save_snapshot("count", filter, head + 2, "2");
		CHECK(store.load_snapshot("count", filter).value().data == "2");
		tx.abort();
	}
	CHECK(pooled.head() == head);
	CHECK_FALSE(pooled.load_snapshot("count", filter).has_value());
	std::int64_t last = 0;
	{
		pqxx::work tx(conn);
		auto store = dcb::pqxx_store(tx, options);
		const dcb::Projection<int> count{.name = "count",
		                                 .initial = [] { return 0; },
		                                 .from_snapshot = [](const std::string& s) { return std::stoi(s); },
		                                 .apply = [](int& n, const dcb::StoredEvent&) { ++n; },
		                                 .to_snapshot = [](const int& n) { return std::to_string(n); }};
		const std::int64_t two = store.append(filter, 0, {e, e});  // positions rolled back above are not reused
		const auto r = store.execute_from_snapshot(
		    filter, count, [&](const int& n) { return n < 3 ? std::vector<dcb::Event>{e} : std::vector<dcb::Event>{}; },
		    {.save_after_events = 2});
		CHECK(r.appended == 1);
		CHECK(r.saved_seq == std::optional<std::int64_t>(two));
		CHECK(store.delete_snapshot("count", filter) == true);
		last = r.last_seq;
		store.save_snapshot("count", filter, last, "3");
		tx.commit();
	}
	CHECK(pooled.head() == last);
	CHECK(pooled.load_snapshot("count", filter).value().seq == last);
	// the default store saw none of it
	CHECK(dcb::EventStore::connect(dcb_test::dsn()).query(filter).events.empty());
}
