// test_db.cpp — see test_db.hpp.
#include "test_db.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <unistd.h>

namespace dcb_test {

namespace {

std::string g_base;    // conninfo of the server (without dbname)
std::string g_dbname;
std::string g_dsn;

std::string env(const char* name) {
	const char* v = std::getenv(name);
	return v ? v : "";
}

bool required() { return env("DCB_TEST_REQUIRE_SERVER") == "1"; }

int skip_or_fail(const std::string& why) {
	std::fprintf(stderr, "%s\n", why.c_str());
	if (required()) return 1;
	std::fprintf(stderr, "skipping (set DCB_TEST_REQUIRE_SERVER=1 to make this a failure)\n");
	return 77;
}

}  // namespace

void create_store(const std::string& name) {
	auto c = connect_raw();
	exec(c.get(), "SELECT dcb_create_store('" + name + "') WHERE NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'dcb_" +
	                  name + "')");
}

std::string exec(PGconn* c, const std::string& sql) {
	PGresult* r = PQexec(c, sql.c_str());
	const auto status = PQresultStatus(r);
	if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
		std::string msg = PQresultErrorMessage(r);
		PQclear(r);
		throw std::runtime_error("SQL failed: " + sql + ": " + msg);
	}
	std::string out = (status == PGRES_TUPLES_OK && PQntuples(r) > 0 && PQnfields(r) > 0) ? PQgetvalue(r, 0, 0) : "";
	PQclear(r);
	return out;
}

Conn connect_raw(const std::string& conninfo) {
	Conn c(PQconnectdb(conninfo.c_str()));
	if (PQstatus(c.get()) != CONNECTION_OK) throw std::runtime_error("cannot connect: " + std::string(PQerrorMessage(c.get())));
	return c;
}

int setup(const char* program) {
	// DCB_TEST_DSN (a conninfo of any database on the server) or the PG* environment.
	g_base = env("DCB_TEST_DSN");
	Conn admin(PQconnectdb((g_base.empty() ? std::string("dbname=postgres") : g_base).c_str()));
	if (PQstatus(admin.get()) != CONNECTION_OK)
		return skip_or_fail(std::string(program) + ": no PostgreSQL server: " + PQerrorMessage(admin.get()));
	g_dbname = "dcb_client_test_" + std::to_string(getpid());
	try {
		exec(admin.get(), "SET client_min_messages = warning");
		exec(admin.get(), "DROP DATABASE IF EXISTS " + g_dbname);
		exec(admin.get(), "CREATE DATABASE " + g_dbname);
	} catch (const std::exception& e) {
		return skip_or_fail(std::string(program) + ": " + e.what());
	}
	g_dsn = (g_base.empty() ? std::string() : g_base + " ") + "dbname=" + g_dbname;
	try {
		Conn c = connect_raw(g_dsn);
		exec(c.get(), "CREATE EXTENSION dcb");
	} catch (const std::exception& e) {
		teardown();
		return skip_or_fail(std::string(program) + ": the dcb extension is not installed (make && make install): " + e.what());
	}
	return 0;
}

void teardown() {
	if (g_dbname.empty()) return;
	try {
		Conn admin = connect_raw(g_base.empty() ? std::string("dbname=postgres") : g_base);
		exec(admin.get(), "DROP DATABASE IF EXISTS " + g_dbname + " WITH (FORCE)");
	} catch (const std::exception& e) {
		std::fprintf(stderr, "could not drop %s: %s\n", g_dbname.c_str(), e.what());
	}
	g_dbname.clear();
}

const std::string& dsn() { return g_dsn; }

std::string replica_dsn() {
	const std::string r = env("DCB_REPLICA_DSN");
	if (r.empty()) return {};
	return r + " dbname=" + g_dbname;
}

std::string unique(const std::string& name) {
	static std::atomic<int> counter{0};
	return name + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

}  // namespace dcb_test
