// driver.cpp — shared scenario machinery (see driver.hpp).
#include "driver.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace dcbc {

namespace {
constexpr size_t shown_per_kind = 6;
const char *read_columns = "SELECT seq, type, array_to_json(tags)::text, data::text, metadata::text, id::text";
}  // namespace

void Outcome::violation(const std::string &v) {
	std::lock_guard g(mu_);
	++total_;
	if (++by_kind_[v.substr(0, v.find(':'))] <= shown_per_kind) violations_.push_back(v);
}

size_t Outcome::total() const {
	std::lock_guard g(mu_);
	return total_;
}

std::vector<std::string> Outcome::shown_violations() const {
	std::lock_guard g(mu_);
	return violations_;
}

std::vector<std::string> Outcome::figures() const {
	std::lock_guard g(mu_);
	return figures_;
}

std::string Outcome::counts_by_kind() const {
	std::lock_guard g(mu_);
	std::string out;
	for (const auto &[kind, n] : by_kind_) out += (out.empty() ? "" : ", ") + kind + ": " + std::to_string(n);
	return out;
}

void Outcome::violations(const std::vector<std::string> &vs) {
	for (const auto &v : vs) violation(v);
}

void Outcome::figure(const std::string &f) {
	std::lock_guard g(mu_);
	figures_.push_back(f);
}

void Recorder::call(CallRecord c) {
	std::lock_guard g(mu_);
	calls_.push_back(std::move(c));
}
void Recorder::read(ReadRecord r) {
	std::lock_guard g(mu_);
	reads_.push_back(std::move(r));
}
void Recorder::head(HeadRecord h) {
	std::lock_guard g(mu_);
	heads_.push_back(std::move(h));
}
void Recorder::catch_up(CatchUpRecord c) {
	std::lock_guard g(mu_);
	catch_ups_.push_back(std::move(c));
}
size_t Recorder::calls() const {
	std::lock_guard g(mu_);
	return calls_.size();
}
size_t Recorder::reads() const {
	std::lock_guard g(mu_);
	return reads_.size();
}

void Recorder::check_all(const Log &log, Outcome &out) const {
	std::lock_guard g(mu_);
	out.violations(check_ledger(log, calls_));
	out.violations(check_g1(log));
	for (const auto &r : reads_) out.violations(check_read(log, r));
	for (const auto &h : heads_) out.violations(check_head(log, h));
	for (const auto &c : catch_ups_) out.violations(check_catch_up(log, c));
}

int64_t append(Conn &c, const std::string &call, const OptFilter &f, std::optional<int64_t> expected_max,
               const std::vector<EventSpec> &events) {
	Param expected = expected_max ? Param(std::to_string(*expected_max)) : Param();
	auto r = c.exec("SELECT dcb_append($1::jsonb, $2::bigint, $3::jsonb)",
	                {to_json(f), expected, append_events_json(call, f, expected_max, events)});
	return r.i64(0, 0);
}

int64_t append_recorded(Conn &c, Recorder &rec, const std::string &call, const OptFilter &f,
                        std::optional<int64_t> expected_max, const std::vector<EventSpec> &events) {
	int64_t seq = append(c, call, f, expected_max, events);
	rec.call({call, f, expected_max, static_cast<int>(events.size()), seq});
	return seq;
}

static std::vector<Param> read_params(const OptFilter &f, int64_t after, std::optional<int> max_count, bool backwards) {
	return {to_json(f), std::to_string(after), max_count ? Param(std::to_string(*max_count)) : Param(),
	        backwards ? "true" : "false"};
}

std::vector<LogEvent> read_events(Conn &c, const OptFilter &f, int64_t after, std::optional<int> max_count,
                                  bool backwards) {
	auto r = c.exec(std::string(read_columns) + " FROM dcb_read($1::jsonb, $2::bigint, $3::int, $4::boolean)",
	                read_params(f, after, max_count, backwards));
	std::vector<LogEvent> out;
	out.reserve(r.rows());
	for (int i = 0; i < r.rows(); ++i)
		out.push_back(parse_event(r.i64(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4),
		                          r.is_null(i, 5) ? std::nullopt : std::optional<std::string>(r.text(i, 5))));
	return out;
}

std::vector<int64_t> read_seqs(Conn &c, const OptFilter &f, int64_t after, std::optional<int> max_count,
                               bool backwards) {
	auto r = c.exec("SELECT seq FROM dcb_read($1::jsonb, $2::bigint, $3::int, $4::boolean)",
	                read_params(f, after, max_count, backwards));
	std::vector<int64_t> out;
	out.reserve(r.rows());
	for (int i = 0; i < r.rows(); ++i) out.push_back(r.i64(i, 0));
	return out;
}

int64_t head(Conn &c) { return c.exec("SELECT dcb_head()").i64(0, 0); }

Log read_log(const std::string &db, Outcome &out) {
	Conn c(db);
	Log log(read_events(c, std::nullopt));
	out.violations(check_order(log));
	// A second, paged pass must deliver the same log: catch-up reads of a quiet store agree with one read.
	std::vector<int64_t> paged;
	for (int64_t after = 0;;) {
		auto page = read_seqs(c, std::nullopt, after, 97);
		if (page.empty()) break;
		paged.insert(paged.end(), page.begin(), page.end());
		after = page.back();
	}
	std::vector<int64_t> whole;
	for (const auto &e : log.events()) whole.push_back(e.seq);
	if (paged != whole)
		out.violation("paged whole-log read (" + std::to_string(paged.size()) + " rows) differs from one read (" +
		              std::to_string(whole.size()) + " rows) on a quiet store");
	int64_t h = head(c);
	int64_t last = whole.empty() ? 0 : whole.back();
	if (h < last)
		out.violation("dcb_head() = " + std::to_string(h) + " on a quiet store whose last event is seq " +
		              std::to_string(last));
	return log;
}

std::string fresh_database(const Settings &st, const std::string &scenario) {
	std::string db = st.db_prefix + "_" + scenario;
	{
		Conn admin("postgres");
		// A run that died mid-scenario may have left a prepared transaction (gid <db>_...) behind, which
		// would keep the database from being dropped.
		auto left = admin.exec("SELECT gid FROM pg_prepared_xacts WHERE database = $1 AND starts_with(gid, $1)", {db});
		if (left.rows() > 0) {
			Conn old(db);
			for (int i = 0; i < left.rows(); ++i) old.exec("ROLLBACK PREPARED '" + left.text(i, 0) + "'");
		}
		admin.exec("DROP DATABASE IF EXISTS " + quote_ident(db) + " WITH (FORCE)");
		admin.exec("CREATE DATABASE " + quote_ident(db));
	}
	Conn c(db);
	c.exec(st.setup_sql.empty() ? std::string("CREATE EXTENSION dcb") : st.setup_sql);
	return db;
}

void run_threads(int n, Outcome &out, const std::function<void(int)> &body) {
	std::vector<std::thread> ts;
	ts.reserve(n);
	for (int i = 0; i < n; ++i)
		ts.emplace_back([&, i] {
			try {
				body(i);
			} catch (const PgError &e) {
				out.violation("client " + std::to_string(i) + ": unexpected error " + error_text(e));
			} catch (const std::exception &e) {
				out.violation("client " + std::to_string(i) + ": " + e.what());
			}
		});
	for (auto &t : ts) t.join();
}

std::string read_text_file(const std::string &path) {
	std::ifstream in(path);
	std::stringstream text;
	text << in.rdbuf();
	if (!in || text.str().empty()) throw std::runtime_error("cannot read " + path);
	return text.str();
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string fmt(double v, int decimals) {
	char buf[64];
	std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
	return buf;
}

std::string error_text(const PgError &e) {
	std::string s = (e.sqlstate.empty() ? std::string("(no sqlstate)") : e.sqlstate) + " " + e.message;
	if (!e.detail.empty()) s += " [" + e.detail + "]";
	return s;
}

}  // namespace dcbc
