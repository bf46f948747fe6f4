// store_tests.cpp — query/append/head against the real extension: field round trips, filter semantics,
// conditions, idempotency, server-side error mapping.
#include <doctest/doctest.h>

#include "test_db.hpp"

using dcb::P;

namespace {

dcb::EventStore store() {
	static dcb::EventStore s = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.pool_size = 4});
	return s;
}

std::vector<std::int64_t> seqs(const dcb::QueryResult& r) {
	std::vector<std::int64_t> out;
	for (const auto& e : r.events) out.push_back(e.seq);
	return out;
}

}  // namespace

TEST_CASE("append then query returns every field") {
	const std::string book = dcb_test::unique("b");
	auto filter = dcb::build_event_filter().matching().any_predicate_of({P("BookID", book)}).finalize();
	dcb::QueryResult empty = store().query(filter);
	CHECK(empty.events.empty());
	CHECK(empty.max_seq == 0);

	const std::string id = dcb::new_uuid();
	const auto at = dcb::parse_timestamp("2024-02-29T12:34:56.789012Z");
	const std::int64_t last = store().append(filter, empty.max_seq,
	    {dcb::Event{.type = "BookCopyAddedToCirculation", .data = R"({"BookID":"x","n":1})", .tags = {"BookID:" + book, "Shelf:3"}},
	     dcb::Event{.type = "BookCopyLentToReader", .data = R"([1,"two"])", .tags = {"BookID:" + book}, .metadata = R"({"correlation":"c1"})", .id = id, .occurred_at = at}});
	dcb::QueryResult r = store().query(filter);
	REQUIRE(r.events.size() == 2);
	CHECK(r.max_seq == last);
	CHECK(r.events[1].seq == last);
	CHECK(r.events[0].seq < r.events[1].seq);
	const auto& a = r.events[0];
	CHECK(a.type == "BookCopyAddedToCirculation");
	CHECK(a.data == R"({"n": 1, "BookID": "x"})");  // as normalised by jsonb
	std::vector<std::string> tags = a.tags;
	std::sort(tags.begin(), tags.end());
	CHECK(tags == std::vector<std::string>{"BookID:" + book, "Shelf:3"});
	CHECK(a.metadata == "{}");
	CHECK(a.id.empty());
	CHECK(std::chrono::abs(a.occurred_at - std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now())) < std::chrono::minutes(5));
	const auto& b = r.events[1];
	CHECK(b.data == R"([1, "two"])");
	CHECK(b.metadata == R"({"correlation": "c1"})");
	CHECK(b.id == id);
	CHECK(b.occurred_at == at);
}

TEST_CASE("a stale expected_max throws ConcurrencyConflict (40001) and writes nothing") {
	const std::string k = dcb_test::unique("c");
	auto filter = dcb::build_event_filter().matching().any_event_type_of({"Happened"}).and_all_predicates_of({P("K", k)}).finalize();
	const dcb::Event e{.type = "Happened", .data = "{}", .tags = {"K:" + k}};
	auto r0 = store().query(filter);
	store().append(filter, r0.max_seq, {e});
	try {
		store().append(filter, r0.max_seq, {e});
		FAIL("the second append on a stale position must fail");
	} catch (const dcb::ConcurrencyConflict& c) {
		CHECK(c.sqlstate() == "40001");
		CHECK(std::string(c.what()).find("append condition failed") != std::string::npos);
	}
	CHECK(store().query(filter).events.size() == 1);
	// the current position works; an event outside the filter does not conflict
	auto r1 = store().query(filter);
	CHECK_NOTHROW(store().append(filter, r1.max_seq, {e}));
	auto other = dcb::build_event_filter().matching().any_event_type_of({"Happened"}).and_all_predicates_of({P("K", k + "-other")}).finalize();
	CHECK_NOTHROW(store().append(other, 0, {dcb::Event{.type = "Happened", .data = "{}", .tags = {"K:" + k + "-other"}}}));
	// unconditional append
	CHECK(store().append({e}) > r1.max_seq);
	CHECK(store().query(filter).events.size() == 3);
}

TEST_CASE("filter semantics on the server: any/all predicates, payload, types") {
	const std::string b = dcb_test::unique("book"), r = dcb_test::unique("reader");
	store().append({dcb::Event{.type = "Lent", .data = R"({"isbn":"1"})", .tags = {"BookID:" + b, "ReaderID:" + r}},
	                dcb::Event{.type = "Lent", .data = R"({"isbn":"2"})", .tags = {"BookID:" + b}},
	                dcb::Event{.type = "Lent", .data = R"({"isbn":"3"})", .tags = {"ReaderID:" + r}},
	                dcb::Event{.type = "Returned", .data = R"({"isbn":"1"})", .tags = {"BookID:" + b, "ReaderID:" + r}}});
	auto any = dcb::build_event_filter().matching().any_event_type_of({"Lent"}).and_any_predicate_of({P("BookID", b), P("ReaderID", r)}).finalize();
	CHECK(store().query(any).events.size() == 3);
	auto all = dcb::build_event_filter().matching().any_event_type_of({"Lent"}).and_all_predicates_of({P("BookID", b), P("ReaderID", r)}).finalize();
	CHECK(store().query(all).events.size() == 1);
	auto both_types = dcb::build_event_filter().matching().all_predicates_of({P("BookID", b), P("ReaderID", r)}).finalize();
	CHECK(store().query(both_types).events.size() == 2);
	auto payload = dcb::build_event_filter().matching().payload_contains(R"({"isbn":"1"})").and_any_event_type_of({"Lent", "Returned"})
	                   .or_matching().any_predicate_of({P("ReaderID", r)}).and_any_event_type_of({"Nothing"}).finalize();
	// payload items are not tag-scoped: restrict to this test's events by checking the tags
	std::size_t mine = 0;
	for (const auto& e : store().query(payload).events)
		if (std::find(e.tags.begin(), e.tags.end(), "BookID:" + b) != e.tags.end()) ++mine;
	CHECK(mine == 2);
}

TEST_CASE("query options: after, limit, backwards") {
	const std::string k = dcb_test::unique("page");
	auto filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();
	std::vector<dcb::Event> events;
	for (int i = 0; i < 5; ++i) events.push_back(dcb::Event{.type = "N", .data = std::to_string(i), .tags = {"K:" + k}});
	store().append(events);
	auto all = store().query(filter);
	REQUIRE(all.events.size() == 5);
	const auto s = seqs(all);
	auto page = store().query(filter, {.after = s[1], .limit = 2});
	CHECK(seqs(page) == std::vector<std::int64_t>{s[2], s[3]});
	CHECK(page.max_seq == s[3]);
	auto last = store().query(filter, {.limit = 1, .backwards = true});
	CHECK(seqs(last) == std::vector<std::int64_t>{s[4]});
	CHECK(last.events[0].data == "4");
	auto none = store().query(filter, {.after = s[4]});
	CHECK(none.events.empty());
	CHECK(none.max_seq == s[4]);  // the read position, usable as expected_max
	CHECK_THROWS_AS(store().query(filter, {.after = -1}), dcb::InvalidArgument);
	CHECK_THROWS_AS(store().query(filter, {.limit = 0}), dcb::InvalidArgument);
}

TEST_CASE("occurred_at bounds on the server") {
	const std::string k = dcb_test::unique("time");
	auto t = [](const char* s) { return dcb::parse_timestamp(s); };
	store().append({dcb::Event{.type = "T", .data = "1", .tags = {"K:" + k}, .occurred_at = t("2020-01-01T00:00:00Z")},
	                dcb::Event{.type = "T", .data = "2", .tags = {"K:" + k}, .occurred_at = t("2021-01-01T00:00:00Z")},
	                dcb::Event{.type = "T", .data = "3", .tags = {"K:" + k}, .occurred_at = t("2022-01-01T00:00:00Z")}});
	auto f = dcb::build_event_filter().matching().any_predicate_of({P("K", k)})
	             .occurred_from(t("2021-01-01T00:00:00Z")).and_occurred_until(t("2022-01-01T00:00:00Z")).finalize();
	auto r = store().query(f);
	REQUIRE(r.events.size() == 2);
	CHECK(r.events[0].data == "2");
	CHECK(r.events[1].data == "3");
}

TEST_CASE("idempotent appends by event id; a reused id of another type is DuplicateEventId") {
	const std::string k = dcb_test::unique("idem");
	auto filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();
	std::vector<dcb::Event> events = {dcb::Event{.type = "A", .data = "1", .tags = {"K:" + k}, .id = dcb::new_uuid()},
	                                  dcb::Event{.type = "B", .data = "2", .tags = {"K:" + k}, .id = dcb::new_uuid()}};
	const auto first = store().append(filter, 0, events);
	const auto again = store().append(filter, 0, events);  // stale position, but the same ids: a retry
	CHECK(again == first);
	CHECK(store().query(filter).events.size() == 2);
	events[0].type = "C";
	CHECK_THROWS_AS(store().append(filter, first, {events[0]}), dcb::DuplicateEventId);
}

TEST_CASE("server-side validation errors map to InvalidArgument with the SQLSTATE") {
	try {
		store().append({dcb::Event{.type = "A", .data = "1", .id = "not-a-uuid"}});
		FAIL("expected an error");
	} catch (const dcb::InvalidArgument& e) {
		CHECK((e.sqlstate() == "22P02" || e.sqlstate() == "22023"));
	}
	CHECK_THROWS_AS(store().append(dcb::Filter{}, -1, {dcb::Event{.type = "A", .data = "1"}}), dcb::InvalidArgument);
}

TEST_CASE("head is monotonic and covers appended events") {
	const auto h0 = store().head();
	const auto last = store().append({dcb::Event{.type = "H", .data = "null"}});
	const auto h1 = store().head();
	CHECK(h1 >= last);
	CHECK(h1 >= h0);
}

TEST_CASE("StoreOptions::tag_rules: a tag derived from the data cannot be forgotten") {
	const std::string book = dcb_test::unique("derived");
	auto tagged = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.tag_rules = {{"BookCopyLentToReader", {"BookID"}}}});
	auto filter = dcb::build_event_filter().matching().any_event_type_of({"BookCopyLentToReader"}).and_any_predicate_of({P("BookID", book)}).finalize();
	// no tags given: the rule derives BookID:<book>, so the filter finds the event and conditions on it hold
	const auto seq = tagged.append(filter, 0, {dcb::Event{.type = "BookCopyLentToReader", .data = R"({"BookID":")" + book + R"("})"}});
	auto r = store().query(filter);
	REQUIRE(r.events.size() == 1);
	CHECK(r.events[0].seq == seq);
	CHECK(r.events[0].tags == std::vector<std::string>{"BookID:" + book});
	CHECK_THROWS_AS(tagged.append(filter, 0, {dcb::Event{.type = "BookCopyLentToReader", .data = R"({"BookID":"x"})"}}),
	                dcb::ConcurrencyConflict);
	CHECK_THROWS_AS(tagged.append({dcb::Event{.type = "BookCopyLentToReader", .data = R"({"Book":"x"})"}}), dcb::InvalidArgument);
}
