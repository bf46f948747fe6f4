#include "setup.hpp"

#include <libpq-fe.h>

#include <memory>
#include <string_view>
#include <vector>

namespace library::setup {

namespace {

struct ConnDeleter {
	void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultDeleter {
	void operator()(PGresult* r) const { PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;
using Result = std::unique_ptr<PGresult, ResultDeleter>;

Conn connect(const std::string& dsn) {
	Conn c(PQconnectdb(dsn.c_str()));
	if (!c || PQstatus(c.get()) != CONNECTION_OK) {
		std::string msg = c ? PQerrorMessage(c.get()) : "out of memory";
		while (!msg.empty() && msg.back() == '\n') msg.pop_back();
		throw SetupError("cannot connect (" + dsn + "): " + msg);
	}
	return c;
}

std::string error_of(PGconn* c, PGresult* r) {
	std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
	while (!msg.empty() && msg.back() == '\n') msg.pop_back();
	return msg;
}

Result exec(PGconn* c, const std::string& sql, const std::vector<std::string>& params = {}) {
	std::vector<const char*> values;
	for (const auto& p : params) values.push_back(p.c_str());
	Result r(PQexecParams(c, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0));
	auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw SetupError(error_of(c, r.get()));
	return r;
}

std::string quote_ident(PGconn* c, const std::string& name) {
	char* q = PQescapeIdentifier(c, name.data(), name.size());
	if (!q) throw SetupError(error_of(c, nullptr));
	std::string out(q);
	PQfreemem(q);
	return out;
}

// Splits "a b c" (array_to_string(tags, ' ')); tags never contain spaces in this domain, and the audit
// would report a tag that did as a mismatch with the payload.
std::vector<std::string> split(std::string_view s) {
	std::vector<std::string> out;
	while (!s.empty()) {
		auto sp = s.find(' ');
		out.emplace_back(s.substr(0, sp));
		if (sp == std::string_view::npos) break;
		s.remove_prefix(sp + 1);
	}
	return out;
}

}  // namespace

std::string with_dbname(const std::string& dsn, const std::string& dbname, const std::string& extra_options) {
	char* err = nullptr;
	PQconninfoOption* opts = PQconninfoParse(dsn.c_str(), &err);
	if (!opts) {
		std::string msg = err ? err : "out of memory";
		if (err) PQfreemem(err);
		throw SetupError("invalid connection string '" + dsn + "': " + msg);
	}
	auto quote = [](std::string_view v) {
		std::string q = "'";
		for (char ch : v) {
			if (ch == '\'' || ch == '\\') q += '\\';
			q += ch;
		}
		return q + "'";
	};
	std::string out, options = extra_options;
	for (auto* o = opts; o->keyword; ++o) {
		std::string_view key(o->keyword);
		if (key == "dbname" || !o->val) continue;
		if (key == "options") {
			options = std::string(o->val) + (options.empty() ? "" : " " + options);
			continue;
		}
		out += std::string(o->keyword) + "=" + quote(o->val) + " ";
	}
	PQconninfoFree(opts);
	if (!options.empty()) out += "options=" + quote(options) + " ";
	return out + "dbname=" + quote(dbname);
}

bool create_database(const std::string& admin_dsn, const std::string& dbname) {
	auto c = connect(admin_dsn);
	auto r = exec(c.get(), "SELECT 1 FROM pg_database WHERE datname = $1", {dbname});
	if (PQntuples(r.get()) > 0) return false;
	exec(c.get(), "CREATE DATABASE " + quote_ident(c.get(), dbname));
	return true;
}

void drop_database(const std::string& admin_dsn, const std::string& dbname) {
	auto c = connect(admin_dsn);
	exec(c.get(), "DROP DATABASE IF EXISTS " + quote_ident(c.get(), dbname) + " WITH (FORCE)");
}

std::string ensure_extension(const std::string& dsn) {
	auto c = connect(dsn);
	exec(c.get(), "SET client_min_messages = warning");
	try {
		exec(c.get(), "CREATE EXTENSION IF NOT EXISTS dcb");
	} catch (const SetupError& e) {
		throw SetupError(std::string("CREATE EXTENSION dcb failed: ") + e.what() +
		                 "\n(is it installed? make -j2 && make install, in the repository)");
	}
	auto r = exec(c.get(), "SELECT extversion FROM pg_extension WHERE extname = 'dcb'");
	return PQgetvalue(r.get(), 0, 0);
}

std::string current_wal_lsn(const std::string& dsn) {
	auto c = connect(dsn);
	auto r = exec(c.get(), "SELECT pg_current_wal_lsn()::text");
	return PQgetvalue(r.get(), 0, 0);
}

bool replayed_up_to(const std::string& standby_dsn, const std::string& lsn) {
	auto c = connect(standby_dsn);
	auto r = exec(c.get(), "SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)", {lsn});
	return std::string_view(PQgetvalue(r.get(), 0, 0)) == "t";
}

std::int64_t count_events(const std::string& dsn) {
	auto c = connect(dsn);
	auto r = exec(c.get(), "SELECT count(*) FROM dcb_read()");
	return std::stoll(PQgetvalue(r.get(), 0, 0));
}

void create_loans_table(const std::string& dsn) {
	auto c = connect(dsn);
	exec(c.get(), "SET client_min_messages = warning");
	exec(c.get(), "CREATE TABLE IF NOT EXISTS copies_lent_per_reader (reader_id text PRIMARY KEY, copies integer NOT NULL)");
}

std::map<std::string, std::int64_t> read_loans_table(const std::string& dsn) {
	auto c = connect(dsn);
	auto r = exec(c.get(), "SELECT reader_id, copies FROM copies_lent_per_reader WHERE copies <> 0");
	std::map<std::string, std::int64_t> out;
	for (int i = 0; i < PQntuples(r.get()); ++i) out[PQgetvalue(r.get(), i, 0)] = std::stoll(PQgetvalue(r.get(), i, 1));
	return out;
}

std::int64_t read_log(const std::string& dsn, const std::function<void(const audit::Record&)>& sink, int page) {
	auto c = connect(dsn);
	std::int64_t after = 0, n = 0;
	for (;;) {
		auto r = exec(c.get(),
		              "SELECT seq, type, coalesce(data->>'BookID', ''), coalesce(data->>'ReaderID', ''),"
		              "       array_to_string(tags, ' ')"
		              "  FROM dcb_read(NULL::jsonb, $1::bigint, $2::integer)",
		              {std::to_string(after), std::to_string(page)});
		int rows = PQntuples(r.get());
		for (int i = 0; i < rows; ++i) {
			audit::Record rec;
			rec.seq = std::stoll(PQgetvalue(r.get(), i, 0));
			rec.type = PQgetvalue(r.get(), i, 1);
			rec.book_id = PQgetvalue(r.get(), i, 2);
			rec.reader_id = PQgetvalue(r.get(), i, 3);
			rec.tags = split(PQgetvalue(r.get(), i, 4));
			sink(rec);
			after = rec.seq;
			++n;
		}
		if (rows < page) return n;
	}
}

}  // namespace library::setup
