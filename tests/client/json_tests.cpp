// json_tests.cpp — JSON serialisation round trips (filters, events, timestamps).
#include <doctest/doctest.h>

#include <dcb/dcb.hpp>

using dcb::P;

TEST_CASE("timestamps: format and parse") {
	const auto t = dcb::parse_timestamp("2025-03-04T05:06:07.123456Z");
	CHECK(dcb::format_timestamp(t) == "2025-03-04T05:06:07.123456Z");
	CHECK(dcb::parse_timestamp("2025-03-04T07:06:07.123456+02:00") == t);
	CHECK(dcb::parse_timestamp("2025-03-04 05:06:07.123456+00") == t);
	CHECK(dcb::parse_timestamp("2025-03-04T05:06:07.1234569Z") == t);  // sub-microsecond digits dropped
	CHECK(dcb::format_timestamp(dcb::parse_timestamp("1970-01-01T00:00:00Z")) == "1970-01-01T00:00:00.000000Z");
	CHECK(dcb::format_timestamp(dcb::parse_timestamp("1969-12-31T23:59:59.5Z")) == "1969-12-31T23:59:59.500000Z");
	CHECK_THROWS_AS(dcb::parse_timestamp("2025-03-04T05:06:07"), dcb::InvalidArgument);   // no zone
	CHECK_THROWS_AS(dcb::parse_timestamp("2025-02-30T00:00:00Z"), dcb::InvalidArgument);  // no such day
	CHECK_THROWS_AS(dcb::parse_timestamp("yesterday"), dcb::InvalidArgument);
}

TEST_CASE("filters: to_json → from_json round trip") {
	auto f = dcb::build_event_filter()
	             .matching().any_event_type_of({"A", "B"}).and_any_predicate_of({P("K", "1"), P("K", "2")})
	             .or_matching().payload_contains(R"({"n":{"deep":[1,2]}})").and_any_event_type_of({"C"})
	             .or_matching().all_predicates_of({P("X", "quote\"d"), P("Y", "uni\u00e9")})
	             .occurred_from(dcb::parse_timestamp("2024-01-01T00:00:00Z"))
	             .finalize();
	const std::string json = f.to_json();
	const dcb::Filter back = dcb::Filter::from_json(json);
	CHECK(back == f);
	CHECK(back.to_json() == json);
	CHECK(dcb::Filter::from_json("{}") == dcb::Filter{});
}

TEST_CASE("filters: from_json rejects what the server rejects, naming the path") {
	auto message = [](const char* json) {
		try {
			(void)dcb::Filter::from_json(json);
		} catch (const dcb::InvalidArgument& e) {
			CHECK(e.sqlstate() == "22023");
			return std::string(e.what());
		}
		return std::string("no error");
	};
	CHECK(message(R"({"items":[]})").find("filter.items") != std::string::npos);
	CHECK(message(R"({"items":[{}]})").find("filter.items[0]") != std::string::npos);
	CHECK(message(R"({"items":[{"types":["A"]},{"tags":[""]}]})").find("filter.items[1].tags[0]") != std::string::npos);
	CHECK(message(R"({"items":[{"types":"A"}]})").find("filter.items[0].types") != std::string::npos);
	CHECK(message(R"({"itemz":[]})").find("filter.itemz") != std::string::npos);
	CHECK(message(R"({"items":[{"payload":[1]}]})").find("payload must be a JSON object") != std::string::npos);
	CHECK(message(R"([)").find("not valid JSON") != std::string::npos);
}

TEST_CASE("events: to_json → from_json round trip") {
	std::vector<dcb::Event> events = {
	    dcb::Event{.type = "BookCopyLentToReader", .data = R"({"BookID":"b1","n":[1,2.5,null,true]})", .tags = {"BookID:b1", "ReaderID:r1"}},
	    dcb::Event{.type = "X",
	               .data = R"("just a string")",
	               .tags = {},
	               .metadata = R"({"correlation_id":"c-1"})",
	               .id = "6f1c1d2e-9a43-4c1b-8d4e-0f1e2d3c4b5a",
	               .occurred_at = dcb::parse_timestamp("2025-06-01T12:00:00.000001Z")},
	};
	const std::string json = dcb::events_to_json(events);
	CHECK(json.find(R"("data":{"BookID":"b1","n":[1,2.5,null,true]})") != std::string::npos);
	CHECK(json.find(R"("occurred_at":"2025-06-01T12:00:00.000001Z")") != std::string::npos);
	CHECK(json.find("metadata") == json.rfind("metadata"));  // only the second event has metadata
	const auto back = dcb::events_from_json(json);
	CHECK(back == events);
}

TEST_CASE("events: validation names the path") {
	auto message = [](std::vector<dcb::Event> events) {
		try {
			(void)dcb::events_to_json(events);
		} catch (const dcb::InvalidArgument& e) {
			return std::string(e.what());
		}
		return std::string("no error");
	};
	CHECK(message({}) == "events must not be empty");
	CHECK(message({dcb::Event{.type = "", .data = "{}"}}) == "events[0].type must be a non-empty string");
	CHECK(message({dcb::Event{.type = "A", .data = "{}"}, dcb::Event{.type = "B", .data = "{oops"}}).starts_with("events[1].data is not valid JSON"));
	CHECK(message({dcb::Event{.type = "A", .data = ""}}).starts_with("events[0].data is not valid JSON"));
	CHECK(message({dcb::Event{.type = "A", .data = "1", .tags = {"ok", ""}}}) == "events[0].tags[1] must be a non-empty string");
	CHECK(message({dcb::Event{.type = "A", .data = "1", .metadata = "[]"}}) == "events[0].metadata must be a JSON object");
	CHECK(message({dcb::Event{.type = std::string(256, 't'), .data = "1"}}) == "events[0].type must be at most 255 bytes");
	CHECK_THROWS_AS(dcb::events_from_json(R"([{"type":"A","data":1,"extra":2}])"), dcb::InvalidArgument);
}

TEST_CASE("tags are written with dcb::P, the spelling filters use") {
	const dcb::Event e{.type = "BookCopyLentToReader", .data = "{}", .tags = {dcb::P("BookID", "b1"), "Shelf:3"}};
	CHECK(e.tags == std::vector<std::string>{"BookID:b1", "Shelf:3"});
	const dcb::Filter f = dcb::build_event_filter().matching().all_predicates_of({dcb::P("BookID", "b1")}).finalize();
	CHECK(f.items()[0].tags == std::vector<std::string>{e.tags[0]});
}

TEST_CASE("derive_tags: tags from the data keys of a type's rule") {
	const dcb::TagRules rules{{"Lent", {"BookID", "ReaderID", "copy"}}, {"Registered", {"ReaderID"}}};
	std::vector<dcb::Event> events{
	    dcb::Event{.type = "Lent", .data = R"({"BookID":"b1","ReaderID":"r 1","copy":3,"other":"x"})", .tags = {"BookID:b1"}},
	    dcb::Event{.type = "Registered", .data = R"({"ReaderID":true})"},
	    dcb::Event{.type = "Unruled", .data = "[1]", .tags = {"K:v"}}};
	dcb::derive_tags(rules, events);
	CHECK(events[0].tags == std::vector<std::string>{"BookID:b1", "ReaderID:r 1", "copy:3"});  // no duplicate BookID:b1
	CHECK(events[1].tags == std::vector<std::string>{"ReaderID:true"});
	CHECK(events[2].tags == std::vector<std::string>{"K:v"});

	auto fails = [&](const char* data) {
		std::vector<dcb::Event> one{dcb::Event{.type = "Registered", .data = data}};
		try {
			dcb::derive_tags(rules, one);
		} catch (const dcb::InvalidArgument& e) {
			return std::string(e.what());
		}
		return std::string();
	};
	CHECK(fails(R"({"Name":"x"})") == "events[0].data lacks ReaderID, from which a tag of Registered is derived");
	CHECK(fails(R"({"ReaderID":null})") == "events[0].data.ReaderID must be a string, a number or a boolean to be a tag");
	CHECK(fails(R"({"ReaderID":{"a":1}})") != "");
	CHECK(fails("[]").starts_with("events[0].data must be a JSON object"));
}
