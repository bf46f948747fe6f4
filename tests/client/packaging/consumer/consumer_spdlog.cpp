// The spdlog adapter from an installed libdcb.
#include <dcb/spdlog.hpp>

#include <iostream>

int main() {
	std::cout << dcb::SpdlogLogger::format("hello", {{"k", "v"}}) << '\n';
	return 0;
}
