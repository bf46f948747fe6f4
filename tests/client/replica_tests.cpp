// replica_tests.cpp — primary/replica routing against a real streaming replica (scripts/replica).
//
// Routing is proven by pausing WAL replay on the replica: an event appended afterwards is visible to
// strong reads (primary) but not to eventual reads (replica) until replay resumes.
#include <doctest/doctest.h>

#include "test_db.hpp"

#include <thread>

using dcb::P;
using namespace std::chrono_literals;

namespace {

dcb_test::Conn replica_admin() {
	// the test database reaches the replica through WAL: wait for it
	for (int i = 0; i < 300; ++i) {
		dcb_test::Conn c(PQconnectdb(dcb_test::replica_dsn().c_str()));
		if (PQstatus(c.get()) == CONNECTION_OK) return c;
		std::this_thread::sleep_for(100ms);
	}
	FAIL("the test database did not appear on the replica");
	return nullptr;
}

/// Waits until an eventual read sees `n` events of `filter`.
bool replica_catches_up(const dcb::EventStore& store, const dcb::Filter& filter, std::size_t n) {
	for (int i = 0; i < 300; ++i) {
		if (store.query(filter, {.consistency = dcb::Consistency::eventual}).events.size() == n) return true;
		std::this_thread::sleep_for(50ms);
	}
	return false;
}

}  // namespace

TEST_CASE("eventual reads go to the replica, strong reads and appends to the primary") {
	REQUIRE_FALSE(dcb_test::replica_dsn().empty());
	auto admin = replica_admin();
	REQUIRE(dcb_test::exec(admin.get(), "SELECT pg_is_in_recovery()") == "t");
	auto store = dcb::EventStore::connect(dcb_test::dsn(), dcb_test::replica_dsn());
	const std::string k = dcb_test::unique("replica");
	auto filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();
	const dcb::Event e{.type = "E", .data = "{}", .tags = {"K:" + k}};

	store.append(filter, 0, {e});  // would fail with 25006 (read-only) if it went to the replica
	REQUIRE(replica_catches_up(store, filter, 1));

	dcb_test::exec(admin.get(), "SELECT pg_wal_replay_pause()");
	try {
		const auto seq = store.append(filter, 1, {e});
		CHECK(store.query(filter).events.size() == 2);                                             // primary
		CHECK(store.query(filter, {.consistency = dcb::Consistency::eventual}).events.size() == 1);  // paused replica
		CHECK(store.head(dcb::Consistency::strong) >= seq);
		CHECK(store.head(dcb::Consistency::eventual) < seq);
		// command handlers are always strong: execute sees the primary's state
		auto r = store.execute(filter, [](const std::vector<dcb::StoredEvent>& seen) {
			CHECK(seen.size() == 2);
			return std::vector<dcb::Event>{};
		});
		CHECK(r.read.size() == 2);
	} catch (...) {
		dcb_test::exec(admin.get(), "SELECT pg_wal_replay_resume()");
		throw;
	}
	dcb_test::exec(admin.get(), "SELECT pg_wal_replay_resume()");
	CHECK(replica_catches_up(store, filter, 2));
}

TEST_CASE("without a replica, eventual reads fall back to the primary") {
	auto store = dcb::EventStore::connect(dcb_test::dsn());
	const std::string k = dcb_test::unique("noreplica");
	auto filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();
	store.append({dcb::Event{.type = "E", .data = "{}", .tags = {"K:" + k}}});
	CHECK(store.query(filter, {.consistency = dcb::Consistency::eventual}).events.size() == 1);
}
