// Compile check: the BAD variant must not compile, the good one must (tests/client/check_compile.cmake).
#include <dcb/filter_builder.hpp>

dcb::Filter check() {
#ifdef DCB_BAD
	return dcb::build_event_filter().occurred_until(dcb::Timestamp{}).and_occurred_until(dcb::Timestamp{}).finalize();
#else
	return dcb::build_event_filter().occurred_until(dcb::Timestamp{}).finalize();
#endif
}
