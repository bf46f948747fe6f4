// crash.cpp — dcb_crash: clients append while the server is killed with kill -9 and restarted, then the
// recovered log is checked against what the clients were told.
//
//   dcb_crash --ctl "tests/crash/cluster DIR" [--cycles N] [--clients N] [--seed N] [--self-check]
//
// The server (PGHOST/PGPORT, loopback) is a throwaway cluster that tests/crash/run creates; `--ctl` is the
// command that crashes (`crash`, `crash-all`) and restarts (`start`) it. See tests/crash/README.md for
// what is checked. Prints one line per finding and closes with "N passed, M failed".
#include "checks.hpp"
#include "driver.hpp"
#include "gen.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <thread>

namespace dcbc {
namespace {

const Universe kUniverse = {{"A", "B", "C"}, {"t1", "t2", "t3", "t4", "t5", "t6"}};

struct Options {
	std::string ctl;
	int cycles = 4;
	int clients = 16;
	uint64_t seed = 1;
	bool self_check = false;
	double run_seconds_min = 2.0, run_seconds_max = 3.5;  // between two crashes
	double tail_seconds = 2.0;                            // at least, after the last restart
};

// What the clients were told, shared by all of them.
struct Ledger {
	std::mutex mu;
	std::vector<CallRecord> acked;   // the call returned a position (and, in a transaction, COMMIT returned)
	std::vector<CallRecord> unsure;  // the connection died during the call or its COMMIT
	std::vector<ReadRecord> reads;
	std::vector<int> acked_in_last_epoch;  // per client: acknowledged appends started after the last restart
	int resolved_by_retry = 0;             // unsure calls with ids whose idempotent retry settled them
	int conflicts = 0, lost_connections = 0, large_batches = 0;
};

// Everything a client needs from the orchestrator.
struct Shared {
	const Options &opt;
	std::string db;
	Outcome &out;
	Ledger ledger;
	std::atomic<int> epoch{0};        // incremented at every crash
	std::atomic<bool> stop{false};
	std::atomic<int> large_in_flight{0};
};

// A connection that comes back after a crash. connect() keeps trying while the server restarts.
class Client {
  public:
	Client(Shared &sh, int id) : sh_(sh), id_(id), rng_(sh.opt.seed * 7919 + id) {}

	void run();

  private:
	bool connect();
	bool lost() const { return !conn_ || conn_->broken(); }
	void one_call(int i);
	// The call's outcome is unknown: retry it with the same ids (idempotent) until it is settled.
	void settle(const CallRecord &call);
	std::vector<EventSpec> events_for(int i);
	std::string uuid() {
		char buf[48];
		std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012llx", id_, static_cast<unsigned long long>(++ids_));
		return buf;
	}
	void ack(CallRecord rec, int epoch0) {
		std::lock_guard g(sh_.ledger.mu);
		if (epoch0 == sh_.opt.cycles) ++sh_.ledger.acked_in_last_epoch[id_];
		sh_.ledger.acked.push_back(std::move(rec));
	}

	Shared &sh_;
	int id_;
	Rng rng_;
	std::unique_ptr<Conn> conn_;
	uint64_t ids_ = 0;
};

bool Client::connect() {
	auto give_up = Clock::now() + std::chrono::seconds(90);
	while (Clock::now() < give_up) {
		try {
			conn_ = std::make_unique<Conn>(sh_.db);
			// A quarter of the clients escalate their batches (they lock none of their events' keys).
			if (id_ % 4 == 3) conn_->exec("SET dcb.max_lock_keys = 8");
			return true;
		} catch (const PgError &) {
			conn_.reset();
			if (sh_.stop) return false;
			std::this_thread::sleep_for(std::chrono::milliseconds(50));
		}
	}
	sh_.out.violation("restart: client " + std::to_string(id_) + " could not connect for 90 s");
	return false;
}

std::vector<EventSpec> Client::events_for(int i) {
	std::vector<EventSpec> evs = random_batch(rng_, kUniverse, 4);
	// now and then a batch of more than one insert chunk (1,000 rows), so that a crash can hit it halfway
	// (on the escalating clients, one that takes its positions chunk by chunk)
	if (i % 40 == 7) {
		int n = 300 + pick(rng_, 1400);
		for (int k = 0; k < n; ++k)
		{
			// every third event with three tags: its third has a dcb.event_tags row
			std::vector<std::string> tags{kUniverse.tags[k % 6]};
			if (k % 3 == 0) tags.insert(tags.end(), {kUniverse.tags[(k + 1) % 6], kUniverse.tags[(k + 2) % 6]});
			evs.push_back({kUniverse.types[k % 3], tags, {{"k", k % 2 ? "x" : "y"}}});
		}
	}
	double r = std::uniform_real_distribution<double>(0, 1)(rng_);
	for (auto &e : evs)
		if (r < 0.5 || (r < 0.6 && chance(rng_, 0.5))) e.id = uuid();  // all ids (half), some ids (a tenth)
	return evs;
}

void Client::run() {
	for (int i = 0; !sh_.stop; ++i) {
		if (lost() && !connect()) return;
		one_call(i);
	}
}

// Counts a large batch as in flight while it is being appended (the orchestrator crashes during one).
class InFlight {
  public:
	InFlight(std::atomic<int> &n, bool on) : n_(n), on_(on) { n_ += on_; }
	~InFlight() { n_ -= on_; }
	InFlight(const InFlight &) = delete;
	InFlight &operator=(const InFlight &) = delete;

  private:
	std::atomic<int> &n_;
	bool on_;
};

void Client::one_call(int i) {
	const int epoch0 = sh_.epoch;
	// decisions on a read (55%), unconditional appends (20%), decisions in an explicit transaction (15%),
	// decisions on the head seen (10%)
	const double kind = std::uniform_real_distribution<double>(0, 1)(rng_);
	const bool txn = kind >= 0.75 && kind < 0.9;
	const OptFilter f = kind >= 0.55 && kind < 0.75 ? OptFilter() : random_filter(rng_, kUniverse);
	const auto events = events_for(i);
	const bool large = events.size() > 100;
	for (int attempt = 0; attempt < 6 && !sh_.stop; ++attempt) {
		CallRecord rec{"k" + std::to_string(id_) + "-" + std::to_string(i) + "-a" + std::to_string(attempt), f,
		               std::nullopt, static_cast<int>(events.size()), 0, events};
		bool commit_sent = false;
		try {
			if (txn) conn_->exec("BEGIN");
			if (f && kind >= 0.9) {
				rec.expected_max = head(*conn_);
			} else if (f) {
				auto seqs = read_seqs(*conn_, f);
				rec.expected_max = max_seq(seqs);
				std::lock_guard g(sh_.ledger.mu);
				sh_.ledger.reads.push_back({rec.call, f, 0, seqs});
			}
			InFlight in_flight(sh_.large_in_flight, large);
			commit_sent = !txn;  // in autocommit the append is its own commit
			rec.returned_seq = append(*conn_, rec.call, f, rec.expected_max, events);
			if (txn) {
				commit_sent = true;
				conn_->exec("COMMIT");
			}
			ack(std::move(rec), epoch0);
			std::lock_guard g(sh_.ledger.mu);
			sh_.ledger.large_batches += large;
			return;
		} catch (const PgError &e) {
			if (!lost()) {
				if (txn) conn_->exec_quiet("ROLLBACK");
				if (e.is_conflict()) {
					std::lock_guard g(sh_.ledger.mu);
					++sh_.ledger.conflicts;
					continue;  // decide again under a new call id
				}
				sh_.out.violation("error: call " + rec.call + " (filter " + describe(f) + "): " + error_text(e));
				return;
			}
			{
				std::lock_guard g(sh_.ledger.mu);
				++sh_.ledger.lost_connections;
			}
			// Before its COMMIT was sent a transaction cannot have committed: its events must be absent,
			// which check_ledger verifies because the call is recorded nowhere.
			if (commit_sent) settle(rec);
			return;
		}
	}
}

void Client::settle(const CallRecord &call) {
	const bool all_ids = std::all_of(call.events.begin(), call.events.end(), [](const auto &e) { return e.id.has_value(); });
	for (int attempt = 0; all_ids && attempt < 10; ++attempt) {
		if (lost() && !connect()) break;
		const int epoch0 = sh_.epoch;
		try {
			CallRecord rec = call;
			rec.returned_seq = append(*conn_, rec.call, rec.filter, rec.expected_max, rec.events);
			ack(std::move(rec), epoch0);
			std::lock_guard g(sh_.ledger.mu);
			++sh_.ledger.resolved_by_retry;
			return;
		} catch (const PgError &e) {
			if (lost()) continue;
			if (e.is_conflict()) {
				// No id was stored (else the retry would have returned their positions), so the first
				// attempt did not commit: recorded nowhere, its events must be absent.
				std::lock_guard g(sh_.ledger.mu);
				++sh_.ledger.resolved_by_retry;
				return;
			}
			sh_.out.violation("G4: the idempotent retry of call " + call.call + " after a crash got " + error_text(e) +
			                  " (a unique violation means only some of its events were stored)");
			return;
		}
	}
	std::lock_guard g(sh_.ledger.mu);
	sh_.ledger.unsure.push_back(call);
}

// Every check on the recovered log; `head` is dcb_head() on the quiet store. The reads' G2 check is the
// slow part and is left out where the caller plants bugs in the log only (self_check).
std::vector<std::string> crash_violations(const Log &log, const Ledger &l, int64_t head, bool reads = true) {
	std::vector<std::string> v = check_order(log);
	auto add = [&](std::vector<std::string> more) { v.insert(v.end(), more.begin(), more.end()); };
	add(check_ledger(log, l.acked, l.unsure));
	add(check_unique_ids(log));
	add(check_head_is_last(log, head));
	add(check_g1(log));
	if (reads)
		for (const auto &r : l.reads) add(check_read(log, r));
	return v;
}

// The recovered storage agrees with itself: a heap scan of dcb.events holds exactly the log that dcb_read
// returns, every tag row belongs to an event and every event has its tag rows, reads of every tag and type
// return what the log holds, and amcheck finds every B-tree index consistent with its table.
void check_storage(Conn &c, const Log &log, Outcome &out) {
	c.exec("SET enable_indexscan = off");
	c.exec("SET enable_indexonlyscan = off");
	c.exec("SET enable_bitmapscan = off");
	auto heap = c.exec("SELECT seq FROM dcb.events ORDER BY seq");
	std::vector<int64_t> heap_seqs, log_seqs;
	for (int i = 0; i < heap.rows(); ++i) heap_seqs.push_back(heap.i64(i, 0));
	size_t tag_rows = 0;
	for (const auto &e : log.sorted()) {
		log_seqs.push_back(e.seq);
		tag_rows += e.tags.size() > 2 ? e.tags.size() - 2 : 0;  // the first two are indexed in the event row
	}
	if (heap_seqs != log_seqs)
		out.violation("storage: a heap scan of dcb.events finds " + std::to_string(heap_seqs.size()) +
		              " rows, dcb_read(NULL) " + std::to_string(log_seqs.size()));
	c.exec("RESET ALL");
	auto tags = c.exec("SELECT count(*), count(*) FILTER (WHERE e.seq IS NULL) "
	                   "FROM dcb.event_tags t LEFT JOIN dcb.events e ON e.seq = t.seq");
	if (static_cast<size_t>(tags.i64(0, 0)) != tag_rows || tags.i64(0, 1) != 0)
		out.violation("storage: dcb.event_tags holds " + tags.text(0, 0) + " rows (" + tags.text(0, 1) +
		              " of them for no event) for " + std::to_string(tag_rows) + " third and further tags in the log");

	std::vector<Filter> filters;
	for (const auto &t : kUniverse.tags) filters.push_back(Filter{{Item{{}, {t}, {}}}});
	for (const auto &t : kUniverse.types) filters.push_back(Filter{{Item{{t}, {}, {}}}});
	for (const auto &ty : kUniverse.types)
		for (const auto &t : kUniverse.tags) filters.push_back(Filter{{Item{{ty}, {t}, {}}}});
	for (const auto &f : filters) out.violations(check_catch_up(log, {"boundary read", f, read_seqs(c, f)}));

	auto idx = c.exec("SELECT indexrelid::regclass::text FROM pg_index "
	                  "WHERE indrelid IN ('dcb.events'::regclass, 'dcb.event_tags'::regclass) ORDER BY 1");
	for (int i = 0; i < idx.rows(); ++i) {
		try {
			c.exec("SELECT bt_index_parent_check($1::regclass, heapallindexed => true)", {idx.text(i, 0)});
		} catch (const PgError &e) {
			out.violation("storage: amcheck finds index " + idx.text(i, 0) + " inconsistent: " + error_text(e));
		}
	}
}

// Appends still work on the recovered store and take positions after every recovered one.
void check_appends_continue(Conn &c, const Log &log, Outcome &out) {
	int64_t last = log.sorted().empty() ? 0 : log.sorted().back().seq;
	int64_t u = append(c, "final-u", std::nullopt, std::nullopt, {{"A", {"t1"}, {{"k", "x"}}}, {"B", {}, {{"k", "y"}}}});
	Filter f{{Item{{}, {"t1"}, {}}}};
	int64_t h = head(c);
	int64_t k = append(c, "final-c", f, h, {{"A", {"t1"}, {{"k", "x"}}}});
	int64_t h2 = head(c);
	if (!(u > last && h == u && k > u && h2 == k))
		out.violation("restart: appends after recovery returned " + std::to_string(u) + " and " + std::to_string(k) +
		              " (heads " + std::to_string(h) + ", " + std::to_string(h2) + ") after the last recovered seq " +
		              std::to_string(last));
}

// Doctored copies of the recovered log (or of the head) must each make crash_violations report the bug
// planted: the checker can fail, and fails on exactly what it guards against.
int self_check(const Log &log, const Ledger &l, int64_t head, Outcome &out) {
	const std::vector<LogEvent> &base = log.sorted();
	auto events_of = [&](const std::string &call) {
		std::vector<size_t> at;
		for (size_t i = 0; i < base.size(); ++i)
			if (base[i].call == call) at.push_back(i);
		return at;
	};
	auto acked_where = [&](auto pred) -> const CallRecord * {
		for (const auto &c : l.acked)
			if (pred(c)) return &c;
		return nullptr;
	};
	const CallRecord *batch = acked_where([](const CallRecord &c) { return c.n >= 2 && c.n <= 4; });
	const CallRecord *single = acked_where([](const CallRecord &c) { return c.n == 1; });
	struct Doctoring {
		std::string name, expect;  // expect: a piece of the violation the checker must report
		std::vector<LogEvent> events;
		int64_t head;
		bool applicable = true;
	};
	std::vector<Doctoring> ds;
	auto doctor = [&](std::string name, std::string expect, auto fn) {
		Doctoring d{std::move(name), std::move(expect), base, head};
		d.applicable = fn(d.events, d.head);
		ds.push_back(std::move(d));
	};
	doctor("an acknowledged batch lost one event", "of its", [&](auto &evs, auto &) {
		if (!batch) return false;
		evs.erase(evs.begin() + static_cast<long>(events_of(batch->call)[1]));
		return true;
	});
	doctor("an acknowledged append is missing", "0 of its", [&](auto &evs, auto &) {
		if (!single) return false;
		evs.erase(evs.begin() + static_cast<long>(events_of(single->call)[0]));
		return true;
	});
	doctor("an acknowledged event moved to another position", "last event is at seq", [&](auto &evs, auto &) {
		if (!single) return false;
		evs[events_of(single->call)[0]].seq = base.back().seq + 1000;
		return true;
	});
	doctor("an acknowledged event is stored with another type", "is stored with", [&](auto &evs, auto &) {
		if (!single) return false;
		evs[events_of(single->call)[0]].type = "Z";
		return true;
	});
	doctor("an event of a call that never succeeded", "which did not succeed", [&](auto &evs, auto &) {
		LogEvent ghost = base.front();
		ghost.call = "ghost";
		ghost.seq = base.back().seq + 1;
		ghost.id.reset();
		evs.push_back(ghost);
		return true;
	});
	doctor("two events share an id", "duplicate id", [&](auto &evs, auto &) {
		std::vector<size_t> with_id;
		for (size_t i = 0; i < evs.size() && with_id.size() < 2; ++i)
			if (evs[i].id) with_id.push_back(i);
		if (with_id.size() < 2) return false;
		evs[with_id[1]].id = evs[with_id[0]].id;
		return true;
	});
	doctor("a successful conditional append ignored a match (G1)", "G1:", [&](auto &evs, auto &) {
		// a conditional call's first event, and a matching event before it: the call "saw" less than it did
		for (size_t i = 0; i < evs.size(); ++i) {
			const LogEvent &e = evs[i];
			if (!e.conditional || e.idx != 0) continue;
			auto hits = log.matching_seqs(e.filter, 0, e.seq - 1);
			if (hits.empty()) continue;
			for (size_t k : events_of(e.call)) evs[k].expected_max = hits.back() - 1;
			return true;
		}
		return false;
	});
	doctor("dcb_head() is not the last position", "head:", [&](auto &, auto &h) {
		h -= 1;
		return true;
	});
	int caught = 0;
	for (const auto &d : ds) {
		if (!d.applicable) {
			out.violation("self-check: the recovered log has nothing to plant \"" + d.name + "\" on");
			continue;
		}
		auto v = crash_violations(Log(d.events), l, d.head, false);
		bool found = std::any_of(v.begin(), v.end(), [&](const auto &s) { return s.find(d.expect) != std::string::npos; });
		if (found) ++caught;
		else out.violation("self-check: the checker missed a doctored log where " + d.name);
	}
	return caught;
}

std::string run_ctl(const Options &opt, const std::string &what) {
	std::string cmd = opt.ctl + " " + what;
	int rc = std::system(cmd.c_str());
	return rc == 0 ? std::string() : "`" + cmd + "` failed (status " + std::to_string(rc) + ")";
}

void sleep_s(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

}  // namespace
}  // namespace dcbc

using namespace dcbc;

int main(int argc, char **argv) {
	Options opt;
	opt.seed = static_cast<uint64_t>(std::time(nullptr));
	for (int i = 1; i < argc; ++i) {
		std::string a = argv[i];
		auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
		if (a == "--ctl") opt.ctl = value();
		else if (a == "--cycles") opt.cycles = std::stoi(value());
		else if (a == "--clients") opt.clients = std::stoi(value());
		else if (a == "--seed") opt.seed = std::stoull(value());
		else if (a == "--self-check") opt.self_check = true;
		else {
			std::cerr << "usage: dcb_crash --ctl CMD [--cycles N] [--clients N] [--seed N] [--self-check]\n";
			return 2;
		}
	}
	if (opt.ctl.empty() || opt.cycles < 1 || opt.clients < 1) {
		std::cerr << "dcb_crash: --ctl is required; cycles and clients must be positive\n";
		return 2;
	}
	std::cout << "dcb crash test (seed " << opt.seed << ", " << opt.clients << " clients, " << opt.cycles
	          << " kill -9 cycles)" << std::endl;

	Outcome out;
	int passed = 0, failed = 0;
	auto phase = Clock::now();
	auto report = [&](bool ok, const std::string &line, Outcome &o) {
		(ok ? passed : failed)++;
		std::cout << (ok ? "PASS " : "FAIL ") << line << " (" << fmt(seconds_since(phase)) << " s)\n";
		phase = Clock::now();
		for (const auto &f : o.figures()) std::cout << "    " << f << "\n";
		for (const auto &v : o.shown_violations()) std::cout << "    VIOLATION: " << v << "\n";
		if (o.total() > o.shown_violations().size())
			std::cout << "    ... " << o.total() << " violations in all (" << o.counts_by_kind() << ")\n";
		std::cout.flush();
	};

	Settings st;
	st.db_prefix = "dcb";
	std::string db;
	try {
		db = fresh_database(st, "crash");
		Conn(db).exec("CREATE EXTENSION amcheck");
	} catch (const std::exception &e) {
		std::cout << "FAIL setup: " << e.what() << "\n0 passed, 1 failed" << std::endl;
		return 1;
	}

	Shared sh{opt, db, out};
	sh.ledger.acked_in_last_epoch.assign(opt.clients, 0);
	Rng rng(opt.seed);
	auto t0 = Clock::now();
	std::vector<std::thread> clients;
	std::vector<std::unique_ptr<Client>> cs;
	for (int i = 0; i < opt.clients; ++i) cs.push_back(std::make_unique<Client>(sh, i));
	for (int i = 0; i < opt.clients; ++i)
		clients.emplace_back([&, i] {
			try {
				cs[i]->run();
			} catch (const std::exception &e) {
				out.violation("client " + std::to_string(i) + ": " + e.what());
			}
		});

	// The crash cycles: run a while (a CHECKPOINT now and then, so recovery starts from varied points),
	// kill -9, restart. Every other crash waits for a batch larger than one insert chunk to be in flight;
	// odd crashes kill the whole server at once, even ones only the postmaster.
	std::vector<std::string> cycle_notes;
	for (int cycle = 0; cycle < opt.cycles && out.passed(); ++cycle) {
		double run = std::uniform_real_distribution<double>(opt.run_seconds_min, opt.run_seconds_max)(rng);
		if (cycle % 2 == 1) {
			sleep_s(run / 2);
			try {
				Conn(db).exec("CHECKPOINT");
			} catch (const PgError &e) {
				out.violation("CHECKPOINT failed: " + error_text(e));
			}
			sleep_s(run / 2);
		} else {
			sleep_s(run);
		}
		bool during_large = false;
		if (cycle % 2 == 0)
			for (int k = 0; k < 200 && !(during_large = sh.large_in_flight > 0); ++k) sleep_s(0.01);
		const std::string how = cycle % 2 ? "crash-all" : "crash";
		auto k0 = Clock::now();
		std::string err = run_ctl(opt, how);
		sh.epoch++;
		double gone = seconds_since(k0);
		if (err.empty()) err = run_ctl(opt, "start");
		if (!err.empty()) {
			out.violation("restart: " + err);
			break;
		}
		cycle_notes.push_back(how + (during_large ? " (a large batch in flight)" : "") + " after " + fmt(run) +
		                      " s; every old process gone in " + fmt(gone) + " s, recovered and accepting connections " +
		                      fmt(seconds_since(k0) - gone) + " s later");
	}
	// After the last restart, every client must append again: wait until each one has (or a bound passes).
	auto all_acked = [&] {
		std::lock_guard g(sh.ledger.mu);
		return std::all_of(sh.ledger.acked_in_last_epoch.begin(), sh.ledger.acked_in_last_epoch.end(),
		                   [](int n) { return n > 0; });
	};
	auto tail_end = Clock::now() + std::chrono::duration<double>(opt.tail_seconds);
	while (out.passed() && (Clock::now() < tail_end || !all_acked()) && Clock::now() < tail_end + std::chrono::seconds(30))
		sleep_s(0.1);
	sh.stop = true;
	for (auto &t : clients) t.join();
	double secs = seconds_since(t0);

	// The run itself: no unexpected error, and every client appended again after the last restart.
	const Ledger &l = sh.ledger;
	if (out.passed()) {
		int idle = 0;
		for (int n : l.acked_in_last_epoch) idle += n == 0;
		if (idle)
			out.violation("restart: " + std::to_string(idle) + " clients appended nothing in the " +
			              fmt(opt.tail_seconds + 30, 0) + " s after the last restart");
	}
	size_t events = 0;
	for (const auto &c : l.acked) events += c.n;
	out.figure(std::to_string(l.acked.size()) + " acknowledged appends (" + std::to_string(events) + " events, " +
	           std::to_string(l.large_batches) + " batches of 300+), " + std::to_string(l.conflicts) + " conflicts, " +
	           std::to_string(l.lost_connections) + " calls cut by a crash (" + std::to_string(l.resolved_by_retry) +
	           " settled by an idempotent retry, " + std::to_string(l.unsure.size()) + " left unknown); " + fmt(secs) +
	           " s");
	for (const auto &n : cycle_notes) out.figure(n);
	report(out.passed(), "crash cycles: clients kept appending through " + std::to_string(cycle_notes.size()) +
	                         " kill -9 and restarts", out);
	if (!out.passed()) {
		std::cout << passed << " passed, " << failed << " failed" << std::endl;
		return 1;
	}

	try {
		Outcome log_out;
		Log log = read_log(db, log_out);
		Conn c(db);
		int64_t h = head(c);
		log_out.violations(crash_violations(log, sh.ledger, h));
		size_t unsure_in = 0, batches = 0, interleaved = 0;
		for (const auto &u : sh.ledger.unsure) unsure_in += !log.call_events(u.call).empty();
		// The contract promises increasing positions within a call, not adjacent ones: count how often
		// another append's events lie between a batch's first and last (a figure, not a violation).
		for (const auto &c : sh.ledger.acked) {
			if (c.n < 2) continue;
			auto evs = log.call_events(c.call);
			++batches;
			interleaved += !evs.empty() && evs.back()->seq - evs.front()->seq != c.n - 1;
		}
		log_out.figure(std::to_string(log.sorted().size()) + " events recovered; " + std::to_string(unsure_in) + " of " +
		               std::to_string(sh.ledger.unsure.size()) + " calls of unknown outcome made it, each whole; " +
		               std::to_string(interleaved) + " of " + std::to_string(batches) +
		               " acknowledged batches have another append's events between their first and last");
		report(log_out.passed(),
		       "recovered log: every acknowledged append at its position with its events, no partial batch, unique ids, "
		       "dcb_head() = last seq, G1, G2 of every read",
		       log_out);

		Outcome storage_out;
		check_storage(c, log, storage_out);
		report(storage_out.passed(), "recovered storage: heap, tag rows, boundary reads and amcheck agree", storage_out);

		Outcome more_out;
		check_appends_continue(c, log, more_out);
		report(more_out.passed(), "appends continue after recovery, above every recovered position", more_out);

		if (opt.self_check) {
			Outcome self_out;
			int caught = self_check(log, sh.ledger, h, self_out);
			self_out.figure(std::to_string(caught) + " doctored logs, each reported");
			report(self_out.passed(), "self-check: the checker reports each bug planted in a copy of the recovered log",
			       self_out);
		}
	} catch (const std::exception &e) {
		std::cout << "FAIL checks aborted: " << e.what() << "\n";
		++failed;
	}
	std::cout << passed << " passed, " << failed << " failed" << std::endl;
	return failed ? 1 : 0;
}
