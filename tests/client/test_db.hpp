// test_db.hpp — the integration tests' database: created per run, with the extension, dropped at the end.
#pragma once

#include <dcb/dcb.hpp>
#include <libpq-fe.h>

#include <memory>
#include <string>

namespace dcb_test {

/// Creates the database (77 = skip: no server or no extension, unless DCB_TEST_REQUIRE_SERVER=1).
int setup(const char* program);
void teardown();

/// conninfo of the test database on the primary.
const std::string& dsn();
/// conninfo of the test database on the replica (empty when there is none).
std::string replica_dsn();

struct ConnDeleter {
	void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;

/// A plain libpq connection to the test database (or `conninfo`); fails the test when it cannot connect.
Conn connect_raw(const std::string& conninfo = dsn());
/// Runs SQL and returns the first column of the first row ("" when none); throws std::runtime_error on error.
std::string exec(PGconn* c, const std::string& sql);

/// Creates the store `name` in the test database unless it exists.
void create_store(const std::string& name);

/// A unique prefix for the tags of one test, so tests sharing the database do not see each other.
std::string unique(const std::string& name);

}  // namespace dcb_test
