// Compile check: the BAD variant must not compile, the good one must (tests/client/check_compile.cmake).
#include <dcb/filter_builder.hpp>

dcb::Filter check() {
#ifdef DCB_BAD
	auto b = dcb::build_event_filter().matching(); return b.any_event_type_of({"A"}).finalize();
#else
	auto b = dcb::build_event_filter().matching(); return std::move(b).any_event_type_of({"A"}).finalize();
#endif
}
