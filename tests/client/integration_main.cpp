// integration_main.cpp — doctest main that brackets the run with the test database's setup/teardown.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "test_db.hpp"

int main(int argc, char** argv) {
	if (const int rc = dcb_test::setup(argv[0]); rc != 0) return rc;
	doctest::Context context(argc, argv);
	const int result = context.run();
	dcb_test::teardown();
	return result;
}
