// pg.hpp — a small RAII layer over libpq for the concurrency driver.
//
// One Conn per thread (libpq connections are not thread-safe). Every failed statement throws PgError,
// which carries the SQLSTATE so that callers can tell a retryable 40001 from a real failure.
// Connection parameters come from PGHOST/PGPORT/PGUSER; the host must be the loopback interface.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace dcbc {

struct PgError : std::runtime_error {
	PgError(std::string sqlstate_, std::string message_, std::string detail_, std::string context_ = "")
	    : std::runtime_error(message_), sqlstate(std::move(sqlstate_)), message(std::move(message_)),
	      detail(std::move(detail_)), context(std::move(context_)) {}
	std::string sqlstate;  // "" when the error did not come from the server (connection lost, ...)
	std::string message;
	std::string detail;
	std::string context;  // where the server raised it (CONTEXT), e.g. "unnamed portal parameter $1"
	bool is_conflict() const { return sqlstate == "40001"; }
};

// Owns one PGresult.
class Result {
  public:
	explicit Result(PGresult *r) : res_(r) {}
	Result(Result &&o) noexcept : res_(o.res_) { o.res_ = nullptr; }
	Result &operator=(Result &&o) noexcept;
	Result(const Result &) = delete;
	Result &operator=(const Result &) = delete;
	~Result() { PQclear(res_); }

	int rows() const { return PQntuples(res_); }
	int cols() const { return PQnfields(res_); }
	bool is_null(int row, int col) const { return PQgetisnull(res_, row, col) != 0; }
	std::string text(int row, int col) const { return PQgetvalue(res_, row, col); }
	int64_t i64(int row, int col) const;
	std::optional<int64_t> opt_i64(int row, int col) const;

  private:
	PGresult *res_;
};

using Param = std::optional<std::string>;  // nullopt is SQL NULL

// Owns one PGconn.
class Conn {
  public:
	// Connects to `dbname` on PGHOST/PGPORT/PGUSER (default 127.0.0.1:5432, postgres).
	explicit Conn(const std::string &dbname);
	Conn(const Conn &) = delete;
	Conn &operator=(const Conn &) = delete;
	~Conn() { PQfinish(conn_); }

	// Runs one statement; throws PgError on failure.
	Result exec(const std::string &sql);
	Result exec(const std::string &sql, const std::vector<Param> &params);
	// As above, with params[i] sent in binary format where binary[i] is set (a value may then hold any
	// bytes, NUL included); the statement must give each such parameter its type (`$1::jsonb`).
	Result exec(const std::string &sql, const std::vector<Param> &params, const std::vector<bool> &binary);
	// A named prepared statement, and running it (parameters as for exec with binary flags): no parse and
	// plan per call, for drivers that send one statement many times.
	void prepare(const std::string &name, const std::string &sql);
	Result exec_prepared(const std::string &name, const std::vector<Param> &params, const std::vector<bool> &binary);
	// Runs a statement and swallows any error (ROLLBACK after a failed transaction, cleanup).
	void exec_quiet(const std::string &sql) noexcept;
	int backend_pid() const { return PQbackendPID(conn_); }
	// The connection is gone (the server closed it, crashed or was killed): every later statement fails.
	bool broken() const { return PQstatus(conn_) != CONNECTION_OK; }

	// The connection string used for `dbname`; refuses any host but the loopback interface.
	static std::string conninfo(const std::string &dbname);

  private:
	Result check(PGresult *r);
	PGconn *conn_ = nullptr;
};

// Quotes a string as a SQL literal for the few statements that cannot take parameters (CREATE DATABASE).
std::string quote_ident(const std::string &ident);

}  // namespace dcbc
