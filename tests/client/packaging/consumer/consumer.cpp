// A first program against an installed libdcb: builds a filter and an event without a server.
#include <dcb/dcb.hpp>

#include <iostream>

int main() {
	const dcb::Filter filter = dcb::build_event_filter()
	                               .matching().any_event_type_of({"BookCopyLentToReader"})
	                               .and_any_predicate_of({dcb::P("BookID", "b1")})
	                               .finalize();
	const dcb::Event event{.type = "BookCopyLentToReader", .data = R"({"BookID":"b1"})", .tags = {dcb::P("BookID", "b1")}};
	std::cout << filter.to_json() << '\n' << dcb::events_to_json({event}) << '\n';
	try {
		dcb::throw_error("40001", "conflict");
	} catch (const dcb::ConcurrencyConflict& e) {  // the exception types are shared with the library
		std::cout << "caught " << e.sqlstate() << '\n';
	}
	return 0;
}
