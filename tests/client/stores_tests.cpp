// stores_tests.cpp — StoreOptions::store against the server: stores of one database are independent logs (positions,
// heads, conditions, batches, snapshots, borrowed connections), and a missing store is SQLSTATE 42704 on every call.
#include <doctest/doctest.h>

#include "test_db.hpp"

using dcb::P;

namespace {


std::vector<std::int64_t> seqs(const std::vector<dcb::StoredEvent>& events) {
	std::vector<std::int64_t> out;
	for (const auto& e : events) out.push_back(e.seq);
	return out;
}

template <typename F>
std::string sqlstate_of(F&& f) {
	try {
		f();
	} catch (const dcb::Error& e) {
		return e.sqlstate();
	}
	return "no error";
}

}  // namespace

TEST_CASE("stores: two stores of one database are independent logs") {
	dcb_test::create_store("indep_one");
	dcb_test::create_store("indep_two");
	const auto one = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.store = "indep_one", .pool_size = 2});
	const auto two = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.store = "indep_two", .pool_size = 2});
	const auto fallback = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.pool_size = 2});
	const std::string k = dcb_test::unique("k");
	const dcb::Filter filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();
	const dcb::Event e{.type = "A", .data = R"({"v":1})", .tags = {P("K", k)}};
	const std::int64_t default_head = fallback.head();

	// positions from 1 in each store, heads of their own
	CHECK(one.head() == 0);
	CHECK(two.head() == 0);
	CHECK(one.append(filter, 0, {e, e, e}) == 3);
	CHECK(two.append(filter, 0, {e}) == 1);  // the same condition in the other store: nothing matches there
	CHECK(one.head() == 3);
	CHECK(two.head() == 1);
	CHECK(seqs(one.query(filter).events) == std::vector<std::int64_t>{1, 2, 3});
	CHECK(seqs(two.query(filter).events) == std::vector<std::int64_t>{1});
	CHECK(one.query(dcb::Filter{}).events.size() == 3);  // the whole log of the store
	// the default store saw none of it
	CHECK(fallback.query(filter).events.empty());
	CHECK(fallback.head() == default_head);

	// conditions are per store: stale in `one`, current in `two`
	CHECK_THROWS_AS(one.append(filter, 2, {e}), dcb::ConcurrencyConflict);
	CHECK(two.append(filter, 1, {e}) == 2);
	CHECK(one.head() == 3);

	// pipeline batches address the store too
	const auto outcomes = one.append_batch({dcb::AppendRequest{.filter = filter, .expected_max = 3, .events = {e}},
	                                        dcb::AppendRequest{.filter = filter, .expected_max = 3, .events = {e}}});
	REQUIRE(outcomes.size() == 2);
	CHECK(outcomes[0].ok());
	CHECK(outcomes[0].last_seq == 4);
	REQUIRE_FALSE(outcomes[1].ok());
	CHECK_THROWS_AS(std::rethrow_exception(outcomes[1].error), dcb::ConcurrencyConflict);
	const auto reads = two.query_batch({dcb::ReadRequest{.filter = filter}, dcb::ReadRequest{.filter = filter, .after = 1}});
	REQUIRE(reads.size() == 2);
	CHECK(seqs(reads[0].events) == std::vector<std::int64_t>{1, 2});
	CHECK(seqs(reads[1].events) == std::vector<std::int64_t>{2});

	// execute: the read and the conditional append in the store
	const auto r = two.execute(filter, [&](const std::vector<dcb::StoredEvent>& events) {
		CHECK(seqs(events) == std::vector<std::int64_t>{1, 2});
		return std::vector<dcb::Event>{e};
	});
	CHECK(r.last_seq == 3);

	// snapshots are per store
	one.save_snapshot("count", filter, 4, "4");
	CHECK(one.load_snapshot("count", filter).value().seq == 4);
	CHECK_FALSE(two.load_snapshot("count", filter).has_value());
	CHECK_FALSE(fallback.load_snapshot("count", filter).has_value());
	// a snapshot's seq is checked against its own store's head (`two` is at 3)
	CHECK(sqlstate_of([&] { two.save_snapshot("count", filter, 4, "4"); }) == "22023");

	// a borrowed connection addresses the store it is told
	auto conn = dcb_test::connect_raw();
	const auto borrowed = dcb::EventStore::borrow(conn.get(), dcb::StoreOptions{.store = "indep_two"});
	CHECK(borrowed.head() == 3);
	CHECK(seqs(borrowed.query(filter).events) == std::vector<std::int64_t>{1, 2, 3});
	CHECK(borrowed.append(filter, 3, {e}) == 4);
	CHECK(one.head() == 4);
	CHECK(two.head() == 4);
}

TEST_CASE("stores: a store that does not exist is SQLSTATE 42704 on every call") {
	const auto missing = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.store = "no_such_store", .pool_size = 1});
	const dcb::Filter filter = dcb::build_event_filter().matching().any_predicate_of({P("K", "x")}).finalize();
	const dcb::Event e{.type = "A", .data = "{}", .tags = {"K:x"}};
	CHECK(sqlstate_of([&] { missing.query(filter); }) == "42704");
	CHECK(sqlstate_of([&] { missing.append(filter, 0, {e}); }) == "42704");
	CHECK(sqlstate_of([&] { missing.append({e}); }) == "42704");
	CHECK(sqlstate_of([&] { missing.head(); }) == "42704");
	CHECK(sqlstate_of([&] { missing.query_batch({dcb::ReadRequest{.filter = filter}}); }) == "42704");
	const auto outcomes = missing.append_batch({dcb::AppendRequest{.events = {e}}});
	REQUIRE(outcomes.size() == 1);
	CHECK(sqlstate_of([&] { std::rethrow_exception(outcomes[0].error); }) == "42704");
	CHECK(sqlstate_of([&] { missing.save_snapshot("p", filter, 0, "{}"); }) == "42704");
	CHECK(sqlstate_of([&] { missing.load_snapshot("p", filter); }) == "42704");
	CHECK(sqlstate_of([&] { missing.delete_snapshot("p", filter); }) == "42704");
	CHECK(sqlstate_of([&] { missing.execute(filter, [](const auto&) { return std::vector<dcb::Event>{}; }); }) == "42704");
	try {
		missing.head();
	} catch (const dcb::Error& err) {
		CHECK(std::string(err.what()).find("no_such_store") != std::string::npos);
		CHECK(err.hint().find("dcb_create_store") != std::string::npos);
	}
	// once created, the same handle works
	dcb_test::create_store("no_such_store");
	CHECK(missing.append({e}) == 1);
}
