// pg.cpp — RAII libpq wrapper (see pg.hpp).
#include "pg.hpp"

#include <cstdlib>
#include <utility>

namespace dcbc {

namespace {

std::string env_or(const char *name, const char *fallback) {
	const char *v = std::getenv(name);
	return (v && *v) ? std::string(v) : std::string(fallback);
}

// libpq conninfo values are quoted with single quotes, backslash-escaped.
std::string conninfo_value(const std::string &v) {
	std::string out = "'";
	for (char c : v) {
		if (c == '\'' || c == '\\') out += '\\';
		out += c;
	}
	return out + "'";
}

}  // namespace

Result &Result::operator=(Result &&o) noexcept {
	if (this != &o) {
		PQclear(res_);
		res_ = o.res_;
		o.res_ = nullptr;
	}
	return *this;
}

int64_t Result::i64(int row, int col) const {
	if (is_null(row, col)) throw std::runtime_error("unexpected NULL in column " + std::to_string(col));
	return std::stoll(PQgetvalue(res_, row, col));
}

std::optional<int64_t> Result::opt_i64(int row, int col) const {
	if (is_null(row, col)) return std::nullopt;
	return std::stoll(PQgetvalue(res_, row, col));
}

std::string Conn::conninfo(const std::string &dbname) {
	std::string host = env_or("PGHOST", "127.0.0.1");
	// All traffic of this suite stays on this machine: loopback TCP or a local Unix socket directory.
	if (!(host == "127.0.0.1" || host == "localhost" || host == "::1" || host.starts_with("/")))
		throw std::runtime_error("refusing PGHOST=" + host + ": the concurrency suite only talks to 127.0.0.1");
	return "host=" + conninfo_value(host) + " port=" + conninfo_value(env_or("PGPORT", "5432")) +
	       " user=" + conninfo_value(env_or("PGUSER", "postgres")) + " dbname=" + conninfo_value(dbname) +
	       " application_name='dcb_concurrency' connect_timeout=10";
}

Conn::Conn(const std::string &dbname) {
	conn_ = PQconnectdb(conninfo(dbname).c_str());
	if (PQstatus(conn_) != CONNECTION_OK) {
		std::string msg = PQerrorMessage(conn_);
		PQfinish(conn_);
		conn_ = nullptr;
		throw PgError("08006", "connection to database " + dbname + " failed: " + msg, "");
	}
	PQsetNoticeProcessor(conn_, [](void *, const char *) {}, nullptr);  // NOTICEs are noise here
	// A hung statement must fail the scenario rather than hang the suite.
	exec("SET statement_timeout = '60s'");
}

Result Conn::check(PGresult *r) {
	Result res(r);
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return res;
	if (!r) throw PgError("", PQerrorMessage(conn_), "");
	auto field = [&](int code) {
		const char *v = PQresultErrorField(r, code);
		return v ? std::string(v) : std::string();
	};
	std::string msg = field(PG_DIAG_MESSAGE_PRIMARY);
	if (msg.empty()) msg = PQerrorMessage(conn_);
	throw PgError(field(PG_DIAG_SQLSTATE), msg, field(PG_DIAG_MESSAGE_DETAIL), field(PG_DIAG_CONTEXT));
}

Result Conn::exec(const std::string &sql) { return check(PQexec(conn_, sql.c_str())); }

Result Conn::exec(const std::string &sql, const std::vector<Param> &params) {
	std::vector<const char *> values;
	values.reserve(params.size());
	for (const auto &p : params) values.push_back(p ? p->c_str() : nullptr);
	return check(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
	                          nullptr, nullptr, 0));
}

namespace {

// libpq's parameter arrays for values that may be NULL and may travel in binary format.
struct ParamArrays {
	ParamArrays(const std::vector<Param> &params, const std::vector<bool> &binary) {
		for (size_t i = 0; i < params.size(); ++i) {
			values.push_back(params[i] ? params[i]->data() : nullptr);
			lengths.push_back(params[i] ? static_cast<int>(params[i]->size()) : 0);
			formats.push_back(i < binary.size() && binary[i] ? 1 : 0);
		}
	}
	int n() const { return static_cast<int>(values.size()); }
	std::vector<const char *> values;
	std::vector<int> lengths, formats;
};

}  // namespace

Result Conn::exec(const std::string &sql, const std::vector<Param> &params, const std::vector<bool> &binary) {
	ParamArrays p(params, binary);
	return check(PQexecParams(conn_, sql.c_str(), p.n(), nullptr, p.values.data(), p.lengths.data(), p.formats.data(), 0));
}

void Conn::prepare(const std::string &name, const std::string &sql) {
	check(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
}

Result Conn::exec_prepared(const std::string &name, const std::vector<Param> &params, const std::vector<bool> &binary) {
	ParamArrays p(params, binary);
	return check(PQexecPrepared(conn_, name.c_str(), p.n(), p.values.data(), p.lengths.data(), p.formats.data(), 0));
}

void Conn::exec_quiet(const std::string &sql) noexcept {
	try {
		exec(sql);
	} catch (...) {
	}
}

std::string quote_ident(const std::string &ident) {
	std::string out = "\"";
	for (char c : ident) {
		if (c == '"') out += '"';
		out += c;
	}
	return out + "\"";
}

}  // namespace dcbc
