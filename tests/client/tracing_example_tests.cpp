// tracing_example_tests.cpp — the tracing bridge of examples/tracing, against the real server: spans of one
// command form one trace under the caller's span, and log lines carry its ids.
#include <doctest/doctest.h>

#include "test_db.hpp"
#include "w3c_tracing.hpp"

using dcb::P;

TEST_CASE("examples/tracing: one trace under the caller's span, correlated log lines") {
	std::vector<w3c_tracing::FinishedSpan> spans;
	std::vector<std::string> lines;
	auto tracing = std::make_shared<w3c_tracing::Tracing>([&](const w3c_tracing::FinishedSpan& s) { spans.push_back(s); });
	auto logger = std::make_shared<w3c_tracing::Logger>([&](std::string_view, const std::string& l) { lines.push_back(l); });
	auto store = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.contextual_logger = logger, .tracing = tracing});
	const auto caller = dcb::TraceParent::generate();
	const std::string k = dcb_test::unique("traced");
	auto filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();
	store.execute(filter, [&](const std::vector<dcb::StoredEvent>&) {
		return std::vector<dcb::Event>{dcb::Event{.type = "E", .data = "{}", .tags = {P("K", k)}}};
	}, dcb::ExecuteOptions{.call = {.traceparent = caller.to_string()}});

	REQUIRE(spans.size() == 3);
	const auto& query = spans[0];
	const auto& append = spans[1];
	const auto& execute = spans[2];
	CHECK(query.name == dcb::spans::query);
	CHECK(append.name == dcb::spans::append);
	CHECK(execute.name == dcb::spans::execute);
	for (const auto& s : spans) {
		CHECK(s.trace_id == caller.trace_id);
		CHECK(s.status == "success");
	}
	CHECK(execute.parent_span_id == caller.span_id);
	CHECK(query.parent_span_id == execute.span_id);
	CHECK(append.parent_span_id == execute.span_id);
	CHECK(append.attributes.at("event_count") == "1");
	bool correlated = false;
	for (const auto& l : lines)
		if (l.starts_with("eventstore operation: append") && l.find("span_id=" + append.span_id) != std::string::npos) correlated = true;
	CHECK(correlated);
}
