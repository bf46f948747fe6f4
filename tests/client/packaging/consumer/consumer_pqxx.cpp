// The libpqxx adapter from an installed libdcb, in a file that says `using namespace dcb;`.
#include <dcb/dcb.hpp>
#include <dcb/pqxx.hpp>

#include <pqxx/pqxx>

#include <iostream>

using namespace dcb;

int main(int argc, char** argv) {
	if (argc > 1) {  // linked, not run: there is no server here
		pqxx::connection conn(argv[1]);
		pqxx::work tx(conn);
		EventStore store = pqxx_store(tx);
		std::cout << store.head() << '\n';
	}
	std::cout << "pqxx adapter linked\n";
	return 0;
}
