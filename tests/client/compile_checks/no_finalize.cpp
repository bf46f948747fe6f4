// Compile check: the BAD variant must not compile, the good one must (tests/client/check_compile.cmake).
#include <dcb/filter_builder.hpp>

dcb::Filter check() {
#ifdef DCB_BAD
	dcb::Filter f = dcb::build_event_filter().matching().any_event_type_of({"A"}); return f;
#else
	dcb::Filter f = dcb::build_event_filter().matching().any_event_type_of({"A"}).finalize(); return f;
#endif
}
