// Compile check: the BAD variant must not compile, the good one must (tests/client/check_compile.cmake).
#include <dcb/filter_builder.hpp>

dcb::Filter check() {
#ifdef DCB_BAD
	return dcb::build_event_filter().matching().any_event_type_of({"A"}).and_all_predicates_of({dcb::P("k", "v")}).and_any_event_type_of({"B"}).finalize();
#else
	return dcb::build_event_filter().matching().any_event_type_of({"A"}).and_all_predicates_of({dcb::P("k", "v")}).finalize();
#endif
}
