// main.cpp — the tracing bridge of w3c_tracing.hpp at work: one command under a caller's trace, its spans and
// correlated log lines printed as they end.
//
//   dcb-tracing-example "host=127.0.0.1 port=54329 user=postgres dbname=app" [traceparent]
#include "w3c_tracing.hpp"

#include <dcb/dcb.hpp>

#include <iostream>

int main(int argc, char** argv) {
	if (argc < 2) {
		std::cerr << "usage: " << argv[0] << " <conninfo> [traceparent]\n";
		return 2;
	}
	const std::string caller = argc > 2 ? argv[2] : dcb::TraceParent::generate().to_string();
	auto tracing = std::make_shared<w3c_tracing::Tracing>([](const w3c_tracing::FinishedSpan& s) {
		std::cout << "span " << s.name << " trace_id=" << s.trace_id << " span_id=" << s.span_id
		          << " parent=" << (s.parent_span_id.empty() ? "-" : s.parent_span_id) << " status=" << s.status << '\n';
	});
	auto logger = std::make_shared<w3c_tracing::Logger>([](std::string_view level, const std::string& line) {
		if (level != "debug") std::cout << "log " << level << ' ' << line << '\n';
	});
	try {
		auto store = dcb::EventStore::connect(argv[1], dcb::StoreOptions{.contextual_logger = logger, .tracing = tracing});
		const std::string order = dcb::new_uuid();
		auto filter = dcb::build_event_filter().matching().any_predicate_of({dcb::P("OrderID", order)}).finalize();
		store.execute(filter, [&](const std::vector<dcb::StoredEvent>& seen) {
			return seen.empty() ? std::vector<dcb::Event>{dcb::Event{.type = "OrderPlaced", .data = "{}", .tags = {dcb::P("OrderID", order)}}}
			                    : std::vector<dcb::Event>{};
		}, dcb::ExecuteOptions{.call = {.traceparent = caller}});
	} catch (const dcb::Error& e) {
		std::cerr << "error " << e.sqlstate() << ": " << e.what() << '\n';
		return 1;
	}
	return 0;
}
