// filter_builder_tests.cpp — the builder's states, sanitising and the expansion into SQL items.
#include <doctest/doctest.h>

#include <dcb/dcb.hpp>

using dcb::FilterItem;
using dcb::P;

namespace {
dcb::Timestamp ts(const char* s) { return dcb::parse_timestamp(s); }
}  // namespace

TEST_CASE("the issue's example expands any_predicate_of into one item per predicate") {
	const std::string book = "b1", reader = "r1";
	dcb::Filter f = dcb::build_event_filter()
	                    .matching().any_event_type_of({"BookCopyLentToReader", "BookCopyReturnedByReader"})
	                    .and_any_predicate_of({dcb::P("BookID", book), dcb::P("ReaderID", reader)})
	                    .or_matching().any_event_type_of({"ReaderRegistered"}).and_all_predicates_of({dcb::P("ReaderID", reader)})
	                    .finalize();
	const std::vector<std::string> lending = {"BookCopyLentToReader", "BookCopyReturnedByReader"};
	REQUIRE(f.items().size() == 3);
	CHECK(f.items()[0] == FilterItem{lending, {"BookID:b1"}, ""});
	CHECK(f.items()[1] == FilterItem{lending, {"ReaderID:r1"}, ""});
	CHECK(f.items()[2] == FilterItem{{"ReaderRegistered"}, {"ReaderID:r1"}, ""});
	CHECK(f.to_json() ==
	      R"({"items":[{"types":["BookCopyLentToReader","BookCopyReturnedByReader"],"tags":["BookID:b1"]},)"
	      R"({"types":["BookCopyLentToReader","BookCopyReturnedByReader"],"tags":["ReaderID:r1"]},)"
	      R"({"types":["ReaderRegistered"],"tags":["ReaderID:r1"]}]})");
}

TEST_CASE("all_predicates_of is one item with all tags (AND)") {
	auto f = dcb::build_event_filter().matching().all_predicates_of({P("B", "2"), P("A", "1")}).finalize();
	REQUIRE(f.items().size() == 1);
	CHECK(f.items()[0] == FilterItem{{}, {"A:1", "B:2"}, ""});
}

TEST_CASE("predicates first, then types") {
	auto f = dcb::build_event_filter().matching().any_predicate_of({P("A", "1"), P("B", "2")}).and_any_event_type_of({"T"}).finalize();
	REQUIRE(f.items().size() == 2);
	CHECK(f.items()[0] == FilterItem{{"T"}, {"A:1"}, ""});
	CHECK(f.items()[1] == FilterItem{{"T"}, {"B:2"}, ""});
}

TEST_CASE("a single any-predicate stays one item; types are sorted and deduplicated") {
	auto f = dcb::build_event_filter().matching().any_event_type_of({"B", "A", "B"}).and_any_predicate_of({P("K", "v"), P("K", "v")}).finalize();
	REQUIRE(f.items().size() == 1);
	CHECK(f.items()[0] == FilterItem{{"A", "B"}, {"K:v"}, ""});
}

TEST_CASE("types only, and identical items collapse") {
	auto f = dcb::build_event_filter().matching().any_event_type_of({"A"}).or_matching().any_event_type_of({"A"}).finalize();
	REQUIRE(f.items().size() == 1);
	CHECK(f.to_json() == R"({"items":[{"types":["A"]}]})");
}

TEST_CASE("payload containment items") {
	auto f = dcb::build_event_filter().matching().payload_contains(R"({"ISBN": "978-3-16"})").and_any_event_type_of({"BookCopyAdded"}).finalize();
	REQUIRE(f.items().size() == 1);
	CHECK(f.to_json() == R"({"items":[{"types":["BookCopyAdded"],"payload":{"ISBN":"978-3-16"}}]})");
	auto g = dcb::build_event_filter().matching().any_event_type_of({"X"}).and_payload_contains(R"({"a":1})").finalize();
	CHECK(g.items()[0].payload == R"({"a":1})");
	CHECK_THROWS_AS(dcb::build_event_filter().matching().payload_contains("[1]").finalize(), dcb::InvalidArgument);
	CHECK_THROWS_AS(dcb::build_event_filter().matching().payload_contains("{nope").finalize(), dcb::InvalidArgument);
}

TEST_CASE("occurred_at bounds") {
	auto t0 = ts("2025-01-01T00:00:00Z"), t1 = ts("2025-12-31T23:59:59Z");
	auto f = dcb::build_event_filter().matching().any_event_type_of({"A"}).occurred_from(t0).and_occurred_until(t1).finalize();
	CHECK(f.occurred_from() == t0);
	CHECK(f.occurred_until() == t1);
	CHECK(f.to_json() ==
	      R"({"items":[{"types":["A"]}],"occurred_from":"2025-01-01T00:00:00.000000Z","occurred_until":"2025-12-31T23:59:59.000000Z"})");
	auto g = dcb::build_event_filter().occurred_until(t1).finalize();
	CHECK(g.matches_all_events());
	CHECK(g.to_json() == R"({"occurred_until":"2025-12-31T23:59:59.000000Z"})");
	auto h = dcb::build_event_filter().matching().any_predicate_of({P("A", "1")}).occurred_from(t0).finalize();
	CHECK(h.occurred_from() == t0);
	CHECK_FALSE(h.occurred_until());
}

TEST_CASE("matching_any_event is the empty filter {}") {
	auto f = dcb::build_event_filter().matching_any_event();
	CHECK(f.matches_all_events());
	CHECK(f.to_json() == "{}");
	CHECK(f == dcb::Filter{});
}

TEST_CASE("run-time lists and empty strings") {
	std::vector<std::string> types = {"A", "B"};
	auto f = dcb::build_event_filter().matching().any_event_type_of(dcb::event_types_from(types)).finalize();
	CHECK(f.items()[0].types == types);
	CHECK_THROWS_AS(dcb::event_types_from({}), dcb::InvalidArgument);
	CHECK_THROWS_AS(dcb::predicates_from({}), dcb::InvalidArgument);
	CHECK_THROWS_AS(dcb::build_event_filter().matching().any_event_type_of({""}), dcb::InvalidArgument);
	CHECK_THROWS_AS(dcb::build_event_filter().matching().any_predicate_of({P("", "x")}), dcb::InvalidArgument);
	CHECK_THROWS_AS(dcb::build_event_filter().matching().any_predicate_of({P("k", "")}), dcb::InvalidArgument);
	try {
		(void)dcb::build_event_filter().matching().any_event_type_of({std::string(256, 'x')}).finalize();
		FAIL("expected an exception");
	} catch (const dcb::InvalidArgument& e) {
		CHECK(e.sqlstate() == "22023");
		CHECK(std::string(e.what()).find("filter.items[0].types[0]") != std::string::npos);
	}
}

TEST_CASE("P is the tag key:value") {
	CHECK(P("BookID", "b1").tag() == "BookID:b1");
	CHECK(P("a", "b:c").tag() == "a:b:c");
}
