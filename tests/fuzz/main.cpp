// main.cpp — dcb_fuzz: sends seeded random and hostile arguments to the dcb functions and checks that every
// call succeeds or fails with a documented SQLSTATE, that the connection never drops, and that the log
// afterwards holds exactly the appends that succeeded.
//
//   dcb_fuzz [--calls N] [--seed N] [--db NAME] [--repro-dir DIR] [--no-boundaries]
//            [--setup-sql FILE --expect-violations KIND[,KIND...]]
//
// The server comes from PGHOST/PGPORT/PGUSER (loopback only); the database NAME (default dcb_fuzz) is
// dropped and created with CREATE EXTENSION dcb (or the SQL of FILE). tests/fuzz/README.md says what is
// checked and which SQLSTATEs are accepted. The closing line is "N passed, M failed".
#include "driver.hpp"
#include "fuzz.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

namespace dcbf {
namespace {

using dcbc::Clock;
using dcbc::Conn;
using dcbc::Outcome;
using dcbc::Param;
using dcbc::PgError;

struct Options {
	uint64_t seed = 1;
	long calls = 100000;
	std::string db = "dcb_fuzz";
	std::string setup_sql;
	std::string repro_dir;
	bool boundaries = true;
	std::vector<std::string> expect_violations;  // the run passes only when each of these kinds was reported
};

// Where the call runs: autocommit, or one call in an explicit transaction of some kind.
enum class Ctx { Auto, Commit, Rollback, RepeatableRead, Serializable, ReadOnly };

const char *ctx_name(Ctx c) {
	switch (c) {
	case Ctx::Auto: return "autocommit";
	case Ctx::Commit: return "BEGIN ... COMMIT";
	case Ctx::Rollback: return "BEGIN ... ROLLBACK";
	case Ctx::RepeatableRead: return "BEGIN ISOLATION LEVEL REPEATABLE READ";
	case Ctx::Serializable: return "BEGIN ISOLATION LEVEL SERIALIZABLE";
	default: return "BEGIN READ ONLY";
	}
}

const char *begin_sql(Ctx c) {
	switch (c) {
	case Ctx::RepeatableRead: return "BEGIN ISOLATION LEVEL REPEATABLE READ";
	case Ctx::Serializable: return "BEGIN ISOLATION LEVEL SERIALIZABLE";
	case Ctx::ReadOnly: return "BEGIN READ ONLY";
	default: return "BEGIN";
	}
}

bool valid_utf8(const std::string &s) {
	for (size_t i = 0; i < s.size();) {
		unsigned char c = s[i];
		int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		if (c == 0 || n == 0 || i + n > s.size()) return false;
		uint32_t cp = n == 1 ? c : c & (0x7f >> n);
		for (int k = 1; k < n; ++k) {
			unsigned char d = s[i + k];
			if ((d >> 6) != 2) return false;
			cp = (cp << 6) | (d & 0x3f);
		}
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n;
	}
	return true;
}

// A SQL literal of an argument, for the reproducer scripts.
std::string literal(const Arg &a) {
	if (!a.value) return "NULL";
	if (valid_utf8(*a.value)) {
		std::string tag = "$fz$";
		for (int k = 0; a.value->find(tag) != std::string::npos; ++k) tag = "$fz" + std::to_string(k) + "$";
		return tag + *a.value + tag;
	}
	// not UTF-8 (or holding a NUL): the same bytes, which the server rejects as the parameter path does
	static const char *hex = "0123456789abcdef";
	std::string h;
	for (unsigned char c : *a.value) h += std::string(1, hex[c >> 4]) + hex[c & 15];
	return "convert_from('\\x" + h + "'::bytea, 'UTF8')";
}

std::string shorten(const std::string &s, size_t n = 160) {
	std::string out;
	for (unsigned char c : s.substr(0, n)) out += (c < 0x20 || c >= 0x7f) ? '.' : static_cast<char>(c);
	return s.size() > n ? out + "... (" + std::to_string(s.size()) + " bytes)" : out;
}

class Driver {
  public:
	Driver(const Options &opt, Outcome &out) : opt_(opt), out_(out), rng_(opt.seed) {}

	void setup();
	void run_boundaries();
	void run_random();
	void compare_log();
	void report_figures();
	const std::map<std::string, long> &kinds() const { return kinds_; }

  private:
	struct Counts {
		long calls = 0, ok = 0, input_errors = 0;
		double seconds = 0;
		std::map<std::string, long> codes;
	};

	Gen gen() { return Gen{rng_, st_.limits, st_.head}; }
	void connect();
	void apply_limits();
	void reconfigure();
	void execute(const Target &t, Call c, Ctx ctx, long index);
	std::optional<std::string> cast_error(const Call &c);
	void record(const Call &c, int64_t seq, bool replay);
	void flush_records();
	void violation(const std::string &kind, const std::string &what, const Target &t, const Call &c, Ctx ctx, long index);
	std::pair<std::vector<Param>, std::vector<bool>> params(const Call &c) const;
	dcbc::Result exec(const std::string &sql, const std::vector<Param> &values, const std::vector<bool> &binary);

	const Options &opt_;
	Outcome &out_;
	Rng rng_;
	State st_;
	std::unique_ptr<Conn> conn_, rec_;
	std::vector<const Target *> live_;
	std::vector<std::string> absent_;
	std::map<std::string, Counts> counts_;
	std::map<std::string, long> kinds_;
	std::map<std::string, std::string> prepared_;  // SQL text -> statement name, on conn_
	struct Record {
		int64_t seq;
		std::string events;
		bool binary, replay;
	};
	std::vector<Record> pending_;  // successful appends not yet in fuzz_appends
	size_t pending_bytes_ = 0;
	long recorded_ = 0, replays_ = 0, lost_ = 0, reproducers_ = 0, calls_ = 0, recast_ = 0;
	double seconds_ = 0;
};

void Driver::connect() {
	prepared_.clear();
	conn_ = std::make_unique<Conn>(opt_.db);
	// Input handling is under test, not durability: commits need not wait for the disk.
	conn_->exec("SET synchronous_commit = off");
	conn_->exec("SELECT dcb_head()");  // loads the library, so that the dcb.* settings exist
	apply_limits();
}

void Driver::setup() {
	{
		Conn admin("postgres");
		admin.exec("DROP DATABASE IF EXISTS " + dcbc::quote_ident(opt_.db) + " WITH (FORCE)");
		admin.exec("CREATE DATABASE " + dcbc::quote_ident(opt_.db));
	}
	rec_ = std::make_unique<Conn>(opt_.db);
	rec_->exec(opt_.setup_sql.empty() ? std::string("CREATE EXTENSION dcb") : opt_.setup_sql);
	// What the driver was told: every append that succeeded and committed, with its events as sent.
	rec_->exec("CREATE TABLE fuzz_appends (n bigserial PRIMARY KEY, last_seq bigint NOT NULL, events jsonb NOT NULL, "
	           "replay boolean NOT NULL)");
	rec_->exec("SET synchronous_commit = off");
	connect();
	for (const auto &t : all_targets()) {
		bool exists = !conn_->exec("SELECT to_regprocedure($1)", {std::string(t.signature)}).is_null(0, 0);
		(exists ? live_.push_back(&t) : absent_.push_back(t.signature));
	}
	if (live_.empty())
		throw std::runtime_error("none of the functions the driver calls exists (is the extension at the version it expects?)");
	st_.head = conn_->exec("SELECT dcb_head()").i64(0, 0);
}

void Driver::apply_limits() {
	const Limits &L = st_.limits;
	if (L.defaults) {
		for (const char *g : {"dcb.max_events_per_call", "dcb.max_filter_items", "dcb.max_tags_per_event",
		                      "dcb.max_payload_bytes", "dcb.max_lock_keys"})
			conn_->exec(std::string("RESET ") + g);
		return;
	}
	conn_->exec("SET dcb.max_events_per_call = " + std::to_string(L.events));
	conn_->exec("SET dcb.max_filter_items = " + std::to_string(L.filter_items));
	conn_->exec("SET dcb.max_tags_per_event = " + std::to_string(L.tags));
	conn_->exec("SET dcb.max_payload_bytes = " + std::to_string(L.payload));
	conn_->exec("SET dcb.max_lock_keys = " + std::to_string(L.lock_keys));
}

// Limits at their defaults, or lowered so that each side of each is cheap to reach (the lock-key budget
// low enough that appends escalate).
void Driver::reconfigure() {
	Limits L;
	if (!chance(rng_, 0.4)) {
		L.defaults = false;
		L.events = 1 + pick(rng_, 60);
		L.filter_items = 1 + pick(rng_, 12);
		L.tags = 1 + pick(rng_, 12);
		L.payload = 64 + pick(rng_, 4033);
		L.lock_keys = 4 + pick(rng_, 61);
	}
	st_.limits = L;
	apply_limits();
}

std::pair<std::vector<Param>, std::vector<bool>> Driver::params(const Call &c) const {
	std::vector<Param> values;
	std::vector<bool> binary;
	for (const auto &a : c.args) {
		Param v = a.value;
		if (v && a.binary && a.type == "jsonb") v = std::string(1, '\1') + *v;  // jsonb's binary format: version 1, text
		if (v && !a.binary) v = v->substr(0, v->find('\0'));  // what libpq sends of a text parameter
		values.push_back(v);
		binary.push_back(a.binary);
	}
	return {values, binary};
}

// Runs a statement of the fuzz on conn_, prepared the first time (a call form repeats thousands of times).
dcbc::Result Driver::exec(const std::string &sql, const std::vector<Param> &values, const std::vector<bool> &binary) {
	auto it = prepared_.find(sql);
	if (it == prepared_.end()) {
		std::string name = "fz" + std::to_string(prepared_.size());
		conn_->prepare(name, sql);
		it = prepared_.emplace(sql, name).first;
	}
	return conn_->exec_prepared(it->second, values, binary);
}

// Casting the same arguments alone: the SQLSTATE it fails with, or nullopt when they are valid input.
std::optional<std::string> Driver::cast_error(const Call &c) {
	std::string sql = "SELECT";
	for (size_t i = 0; i < c.args.size(); ++i) sql += (i ? ", $" : " $") + std::to_string(i + 1) + "::" + c.args[i].type;
	auto [values, binary] = params(c);
	try {
		exec(sql, values, binary);
		return std::nullopt;
	} catch (const PgError &e) {
		return e.sqlstate;
	}
}

// Keeps a successful append for the final comparison; written to fuzz_appends in batches (flush_records).
void Driver::record(const Call &c, int64_t seq, bool replay) {
	const Arg &ev = c.args[c.events_arg];
	pending_.push_back({seq, *ev.value, ev.binary, replay});
	pending_bytes_ += ev.value->size();
	++recorded_;
	if (pending_.size() >= 200 || pending_bytes_ >= (4 << 20)) flush_records();
}

void Driver::flush_records() {
	if (pending_.empty()) return;
	std::string sql = "INSERT INTO fuzz_appends (last_seq, events, replay) VALUES ";
	std::vector<Param> values;
	std::vector<bool> binary;
	for (const auto &r : pending_) {
		const size_t n = values.size();
		sql += (n ? ", ($" : "($") + std::to_string(n + 1) + ", $" + std::to_string(n + 2) + "::jsonb, $" +
		       std::to_string(n + 3) + "::boolean)";
		values.insert(values.end(), {std::to_string(r.seq), r.binary ? std::string(1, '\1') + r.events : r.events,
		                             r.replay ? "true" : "false"});
		binary.insert(binary.end(), {false, r.binary, false});
	}
	for (int attempt = 0;; ++attempt) {
		try {
			rec_->exec(sql, values, binary);
			break;
		} catch (const PgError &) {
			if (!rec_->broken() || attempt > 0) throw;
			rec_ = std::make_unique<Conn>(opt_.db);  // the server restarted under us: already reported
		}
	}
	pending_.clear();
	pending_bytes_ = 0;
}

void Driver::violation(const std::string &kind, const std::string &what, const Target &t, const Call &c, Ctx ctx,
                       long index) {
	++kinds_[kind];
	std::string args;
	for (const auto &a : c.args) args += (args.empty() ? "" : ", ") + (a.value ? shorten(*a.value, 100) : "NULL");
	out_.violation(kind + ": call " + std::to_string(index) + " " + t.name + "(" + args + ") [" + c.intent + "; " +
	               ctx_name(ctx) + "]: " + what);
	if (opt_.repro_dir.empty() || reproducers_ >= 20) return;
	// the statement with each $n replaced by its argument's literal, in one pass over the statement
	std::string sql;
	for (size_t i = 0; i < c.sql.size(); ++i) {
		size_t j = i + 1;
		while (c.sql[i] == '$' && j < c.sql.size() && std::isdigit(static_cast<unsigned char>(c.sql[j]))) ++j;
		if (j == i + 1) {
			sql += c.sql[i];
			continue;
		}
		sql += "(" + literal(c.args[std::stoul(c.sql.substr(i + 1, j - i - 1)) - 1]) + ")";
		i = j - 1;
	}
	std::ofstream f(opt_.repro_dir + "/call-" + std::to_string(index) + ".sql", std::ios::binary);
	f << "-- dcb_fuzz --seed " << opt_.seed << ", call " << index << ": " << t.name << ", " << c.intent << "\n-- " << kind
	  << ": " << shorten(what, 400) << "\n";
	for (size_t i = 0; i < c.args.size(); ++i)
		if (c.args[i].binary) f << "-- argument " << i + 1 << " was sent in binary format\n";
	const Limits &L = st_.limits;
	if (!L.defaults)
		f << "SET dcb.max_events_per_call = " << L.events << "; SET dcb.max_filter_items = " << L.filter_items
		  << "; SET dcb.max_tags_per_event = " << L.tags << "; SET dcb.max_payload_bytes = " << L.payload
		  << "; SET dcb.max_lock_keys = " << L.lock_keys << ";\n";
	if (ctx != Ctx::Auto) f << begin_sql(ctx) << ";\n";
	f << sql << ";\n";
	if (ctx != Ctx::Auto) f << "ROLLBACK;\n";
	++reproducers_;
}

void Driver::execute(const Target &t, Call c, Ctx ctx, long index) {
	Counts &n = counts_[t.name];
	++n.calls;
	++calls_;
	// The context decides first: at REPEATABLE READ and SERIALIZABLE the 0.1.0 functions refuse (0A000),
	// in a read-only transaction a writer does (25006); an input error of the arguments comes before both.
	Expect expect = c.expect;
	std::set<std::string> codes = c.codes;
	if ((ctx == Ctx::RepeatableRead || ctx == Ctx::Serializable) && t.refuses_above_read_committed) {
		expect = Expect::Fail;
		codes = {"0A000"};
	} else if (ctx == Ctx::ReadOnly && t.writes) {
		expect = Expect::Fail;
		codes = t.refuses_above_read_committed ? std::set<std::string>{"25006"} : t.documented;
	}
	if (t.bounded_wait && ctx == Ctx::Auto) ctx = Ctx::Commit;
	const bool in_txn = ctx != Ctx::Auto;
	const int64_t head_before = st_.head;
	auto [values, binary] = params(c);
	std::vector<std::optional<std::string>> row;
	bool committed = false;
	try {
		if (in_txn) conn_->exec(begin_sql(ctx));
		if (t.bounded_wait) conn_->exec("SET LOCAL statement_timeout = '1s'");
		auto r = exec(c.sql, values, binary);
		if (r.rows() > 0)
			for (int k = 0; k < r.cols(); ++k) row.push_back(r.is_null(0, k) ? std::nullopt : std::optional<std::string>(r.text(0, k)));
		if (in_txn) conn_->exec(ctx == Ctx::Commit ? "COMMIT" : "ROLLBACK");
		committed = ctx == Ctx::Auto || ctx == Ctx::Commit;
	} catch (const PgError &e) {
		if (conn_->broken()) {
			++lost_;
			violation("connection lost", "the server closed the connection (" + dcbc::error_text(e) + ")", t, c, ctx, index);
			if (lost_ > 100) throw std::runtime_error("the connection dropped more than 100 times; giving up");
			for (int k = 0; k < 100; ++k) {
				try {
					connect();
					break;
				} catch (const PgError &) {
					std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the server restarts after a crash
				}
			}
			if (!conn_ || conn_->broken()) throw std::runtime_error("the server did not come back");
			return;
		}
		if (in_txn) conn_->exec("ROLLBACK");
		const std::string &code = e.sqlstate;
		++n.codes[code];
		// the contract lets the functions after 0.1.0 refuse at REPEATABLE READ and SERIALIZABLE
		if (code == "0A000" && (ctx == Ctx::RepeatableRead || ctx == Ctx::Serializable) && !t.refuses_above_read_committed)
			return;
		if (t.documented.count(code) || (t.bounded_wait && code == "57014")) {
			if (expect == Expect::Succeed)
				violation("refused valid input", "failed with " + dcbc::error_text(e), t, c, ctx, index);
			else if (expect == Expect::Fail && !codes.count(code))
				violation("wrong SQLSTATE", "failed with " + dcbc::error_text(e) + ", the README gives " + *codes.begin(), t, c, ctx, index);
			return;
		}
		if (input_error_codes().count(code)) {
			// PostgreSQL reports an error of a parameter's input conversion with the context "... parameter
			// $n": then it came before the function ran. Otherwise casting the same arguments alone decides.
			const bool at_bind = e.context.find("parameter $") != std::string::npos;
			auto cast = at_bind ? std::optional<std::string>(code) : cast_error(c);
			recast_ += !at_bind;
			if (cast == code) {
				++n.input_errors;
				if (c.expect != Expect::Any)  // the generator meant them to be valid input: a bug of this driver
					violation("generator", "arguments meant to be valid input are not: " + dcbc::error_text(e), t, c, ctx, index);
				return;
			}
			violation("input SQLSTATE from the function",
			          dcbc::error_text(e) + ", but the arguments cast alone " + (cast ? "fail with " + *cast : std::string("are valid")),
			          t, c, ctx, index);
			return;
		}
		violation("undocumented SQLSTATE", dcbc::error_text(e), t, c, ctx, index);
		return;
	}
	++n.ok;
	if (expect == Expect::Fail) {
		violation("accepted invalid input", "succeeded; expected " + *codes.begin(), t, c, ctx, index);
		return;
	}
	if (c.check) {  // the results the driver can predict (positions, the head, counts)
		std::string wrong = c.check(row);
		if (!wrong.empty()) violation("wrong result", wrong, t, c, ctx, index);
	}
	if (!committed) return;
	if (t.writes_log && !row.empty() && row[0]) {
		int64_t seq = std::stoll(*row[0]);
		const bool replay = seq <= head_before;
		record(c, seq, replay);
		replays_ += replay;
		st_.head = std::max(st_.head, seq);
		if (c.replayable && !replay) {
			if (st_.replayable.size() >= 200) st_.replayable.erase(st_.replayable.begin());
			st_.replayable.push_back(*c.replayable);
			st_.replayable.back().seq = seq;
		}
	}
	if (c.on_commit) c.on_commit();
}

// Autocommit mostly: a transaction costs two more round trips.
Ctx pick_ctx(Rng &rng) {
	int r = pick(rng, 100);
	return r < 90 ? Ctx::Auto : r < 93 ? Ctx::Commit : r < 95 ? Ctx::Rollback : r < 97 ? Ctx::RepeatableRead
	       : r < 98 ? Ctx::Serializable : Ctx::ReadOnly;
}

void Driver::run_boundaries() {
	st_.limits = Limits{};
	apply_limits();
	Gen g = gen();
	long index = -1;
	for (auto &[name, call] : boundary_calls(g, st_)) {
		auto t = std::find_if(live_.begin(), live_.end(), [&](const Target *x) { return x->name == name; });
		if (t != live_.end()) execute(**t, std::move(call), Ctx::Auto, index--);
	}
}

void Driver::run_random() {
	int total_weight = 0;
	for (const Target *t : live_) total_weight += t->weight;
	auto t0 = Clock::now();
	for (long i = 0; i < opt_.calls; ++i) {
		if (i % 2000 == 0) reconfigure();
		int w = pick(rng_, total_weight);
		const Target *t = live_.front();
		for (const Target *x : live_)
			if ((w -= x->weight) < 0) {
				t = x;
				break;
			}
		int m = pick(rng_, 10);
		Mode mode = m < 3 ? Mode::Valid : m < 6 ? Mode::Defect : Mode::Chaos;
		Ctx ctx = pick_ctx(rng_);
		Gen g = gen();
		auto tc = Clock::now();
		execute(*t, t->make(g, mode, st_), ctx, i);
		counts_[t->name].seconds += dcbc::seconds_since(tc);
	}
	seconds_ = dcbc::seconds_since(t0);
}

// The log holds exactly the successful appends: each new write's events at the positions it returned (the
// last one there, the others just before it: the driver is the only writer) with the type, tags, data,
// metadata, id and occurred_at sent, nothing else; each replay's ids stored with the types sent, the last
// one at the position the replay returned.
void Driver::compare_log() {
	flush_records();
	rec_->exec(R"(CREATE FUNCTION pg_temp.ts(t text) RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN RETURN t::timestamptz; EXCEPTION WHEN others THEN RETURN NULL; END $$)");
	auto r = rec_->exec(R"(
WITH calls AS MATERIALIZED (  -- the length once per call: a batch of 100,000 events is a 2 MB value
    SELECT n, last_seq, replay, evs, jsonb_array_length(evs) AS len
      FROM (SELECT n, last_seq, replay,
                   CASE WHEN jsonb_typeof(events) = 'array' THEN events ELSE jsonb_build_array(events) END AS evs
              FROM fuzz_appends) a),
expected AS MATERIALIZED (
    SELECT c.n, c.last_seq - c.len + x.o AS seq, x.e
      FROM calls c, jsonb_array_elements(c.evs) WITH ORDINALITY x(e, o)
     WHERE NOT c.replay),
compared AS (
    SELECT coalesce(x.seq, ev.seq) AS seq, x.n, CASE
        WHEN ev.seq IS NULL THEN 'missing, though a successful append returned its position'
        WHEN x.e IS NULL THEN 'in the log, but no successful append wrote it'
        WHEN ev.type IS DISTINCT FROM x.e->>'type' THEN 'type ' || ev.type || ' instead of ' || (x.e->>'type')
        WHEN ev.tags IS DISTINCT FROM (SELECT coalesce(array_agg(DISTINCT t COLLATE "C" ORDER BY t COLLATE "C"), '{}')
                                         FROM jsonb_array_elements_text(coalesce(x.e->'tags', '[]')) t)
            THEN 'tags ' || ev.tags::text || ' instead of ' || (x.e->'tags')::text
        WHEN ev.data IS DISTINCT FROM x.e->'data' THEN 'other data'
        WHEN ev.metadata IS DISTINCT FROM coalesce(x.e->'metadata', '{}') THEN 'other metadata'
        WHEN ev.id IS DISTINCT FROM (x.e->>'id')::uuid THEN 'id ' || coalesce(ev.id::text, 'NULL') || ' instead of ' || coalesce(x.e->>'id', 'NULL')
        WHEN x.e->>'occurred_at' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}' AND pg_temp.ts(x.e->>'occurred_at') IS DISTINCT FROM ev.occurred_at
            THEN 'occurred_at ' || ev.occurred_at::text || ' for ' || (x.e->>'occurred_at')
        END AS problem
      FROM expected x FULL JOIN dcb.events ev ON ev.seq = x.seq),
replays AS (
    SELECT c.last_seq AS seq, c.n,
           CASE WHEN bool_and(ev.type IS NOT DISTINCT FROM x.e->>'type') IS NOT TRUE THEN 'replay: an id is not stored with the type sent'
                WHEN max(ev.seq) FILTER (WHERE x.o = c.len) IS DISTINCT FROM c.last_seq
                    THEN 'replay: returned another position than its last id''s' END AS problem
      FROM calls c CROSS JOIN LATERAL jsonb_array_elements(c.evs) WITH ORDINALITY x(e, o)
      LEFT JOIN dcb.events ev ON ev.id = (x.e->>'id')::uuid
     WHERE c.replay GROUP BY c.n, c.last_seq, c.len)
SELECT seq, n, problem, (SELECT count(*) FROM expected), (SELECT count(*) FROM dcb.events)
  FROM (SELECT * FROM compared UNION ALL SELECT * FROM replays) p
 WHERE problem IS NOT NULL
 UNION ALL SELECT NULL, NULL, NULL, (SELECT count(*) FROM expected), (SELECT count(*) FROM dcb.events)
 ORDER BY 1 NULLS LAST LIMIT 21)");
	for (int i = 0; i + 1 < r.rows(); ++i) {
		++kinds_["log"];
		out_.violation("log: seq " + r.text(i, 0) + " (recorded append " + (r.is_null(i, 1) ? "none" : r.text(i, 1)) + "): " + r.text(i, 2));
	}
	const int last = r.rows() - 1;
	out_.figure("the log holds " + r.text(last, 4) + " events; the " + std::to_string(recorded_) + " successful appends (" +
	            std::to_string(replays_) + " idempotent replays) account for " + r.text(last, 3) + " events");
}

void Driver::report_figures() {
	out_.figure(std::to_string(calls_) + " calls in " + dcbc::fmt(seconds_) + " s (seed " + std::to_string(opt_.seed) +
	            "); input errors without a parameter's context, checked by casting the arguments alone: " +
	            std::to_string(recast_));
	for (const Target *t : live_) {
		const Counts &n = counts_[t->name];
		std::string codes;
		for (const auto &[code, k] : n.codes) codes += (codes.empty() ? "" : ", ") + code + " " + std::to_string(k);
		out_.figure(std::string(t->name) + ": " + std::to_string(n.calls) + " calls (" + dcbc::fmt(n.seconds) + " s), " + std::to_string(n.ok) +
		            " succeeded, " + std::to_string(n.input_errors) + " input errors of the argument types; failed: " +
		            (codes.empty() ? "none" : codes));
	}
	std::string absent;
	for (const auto &a : absent_) absent += (absent.empty() ? "" : ", ") + a;
	if (!absent.empty()) out_.figure("not in this extension yet, skipped: " + absent);
}

}  // namespace
}  // namespace dcbf

using namespace dcbf;

int main(int argc, char **argv) {
	Options opt;
	for (int i = 1; i < argc; ++i) {
		std::string a = argv[i];
		auto value = [&]() -> std::string {
			if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
			return argv[++i];
		};
		try {
			if (a == "--help") throw std::runtime_error("dcb_fuzz: random and hostile calls of the dcb functions (tests/fuzz/README.md)");
			else if (a == "--calls") opt.calls = std::stol(value());
			else if (a == "--seed") opt.seed = std::stoull(value());
			else if (a == "--db") opt.db = value();
			else if (a == "--repro-dir") opt.repro_dir = value();
			else if (a == "--no-boundaries") opt.boundaries = false;
			else if (a == "--setup-sql") opt.setup_sql = dcbc::read_text_file(value());
			else if (a == "--expect-violations") {
				std::stringstream kinds(value());
				for (std::string k; std::getline(kinds, k, ',');) opt.expect_violations.push_back(k);
			} else throw std::runtime_error("unknown option " + a);
		} catch (const std::exception &e) {
			std::cerr << e.what() << "\nusage: dcb_fuzz [--calls N] [--seed N] [--db NAME] [--repro-dir DIR] "
			                         "[--no-boundaries] [--setup-sql FILE --expect-violations KIND[,KIND...]]\n";
			return 2;
		}
	}
	Outcome out;
	Driver d(opt, out);
	auto t0 = Clock::now();
	try {
		auto tp = Clock::now();
		auto phase = [&](const char *what) {
			out.figure(std::string(what) + ": " + dcbc::fmt(dcbc::seconds_since(tp)) + " s");
			tp = Clock::now();
		};
		d.setup();
		phase("setup (a fresh database)");
		d.run_random();
		phase("random calls");
		if (opt.boundaries) {  // last: the 100,000-event batch would make the random reads slower
			d.run_boundaries();
			phase("calls at the default limits, each side of each");
		}
		d.compare_log();
		phase("log comparison");
	} catch (const std::exception &e) {
		out.violation(std::string("aborted: ") + e.what());
	}
	d.report_figures();
	bool ok = out.passed();
	std::cout << (ok ? "PASS" : "FAIL") << " hostile input (" << dcbc::fmt(dcbc::seconds_since(t0)) << " s): every call "
	          << "succeeded or failed with a documented SQLSTATE, the connection held, the log is the successful appends\n";
	for (const auto &f : out.figures()) std::cout << "    " << f << "\n";
	for (const auto &v : out.shown_violations()) std::cout << "    VIOLATION: " << v << "\n";
	if (out.total() > out.shown_violations().size())
		std::cout << "    ... " << out.total() << " violations in all (" << out.counts_by_kind() << ")\n";
	if (!opt.expect_violations.empty()) {
		// the self-test: against a store with planted bugs, each kind listed must have been reported
		std::vector<std::string> missed;
		for (const auto &k : opt.expect_violations)
			if (!d.kinds().count(k)) missed.push_back(k);
		for (const auto &k : missed) std::cout << "MISSED: no \"" << k << "\" violation was reported\n";
		std::cout << (missed.empty() ? 1 : 0) << " passed, " << (missed.empty() ? 0 : 1) << " failed" << std::endl;
		return missed.empty() ? 0 : 1;
	}
	std::cout << (ok ? 1 : 0) << " passed, " << (ok ? 0 : 1) << " failed" << std::endl;
	return ok ? 0 : 1;
}
