// scenario_boundaries.cpp — scenarios 5 and 6: boundaries that do not overlap must not interact (G3, G5).
//
// 5. disjoint: every client decides on its own account tag (read the last event, append conditionally),
//    all at once; events also share a type and a common extra tag that no filter checks. Not a single
//    40001 may occur; throughput and latency are reported.
// 6. isolation: transactions that appended on accounts A0 (conditional), A1 (unconditional) and A2 (a batch
//    that escalates past its lock-key budget) stay open;
//    meanwhile clients on accounts B* read and append with statement_timeout = 2s, so any wait on the open
//    transactions shows up as an error. They do so alone, then beside a client whose whole-log read,
//    dcb_head() or read of A0 waits on the open transactions (allowed for that client, but it must not make
//    the B clients wait). A read after one's own committed append must return it even though a lower seq on
//    A is still in flight (G5). What the waiting clients return must be safe (checked on the final log).
#include "scenarios.hpp"

#include <algorithm>
#include <functional>
#include <latch>
#include <thread>

namespace dcbc {

namespace {

double percentile(std::vector<double> v, double p) {
	if (v.empty()) return 0;
	std::sort(v.begin(), v.end());
	return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

double ms_since(Clock::time_point t) { return seconds_since(t) * 1000.0; }

std::string account(const std::string &name) { return "acct:" + name; }

}  // namespace

void scenario_disjoint(const Settings &st, Outcome &out) {
	const std::string db = fresh_database(st, "disjoint");
	const int clients = 16;
	const int per_client = st.scaled(100);
	Recorder rec;
	std::atomic<int> conflicts{0}, appended{0};
	std::mutex mu;
	std::vector<double> latencies;
	std::latch go(clients);
	Clock::time_point t0;

	run_threads(clients, out, [&](int t) {
		std::unique_ptr<Conn> c;
		try {
			c = std::make_unique<Conn>(db);
		} catch (...) {
			go.count_down();
			throw;
		}
		const std::string tag = account("a" + std::to_string(t));
		const Filter typed{{Item{{"Deposited", "Withdrawn"}, {tag}, {}}}};
		const Filter tagged{{Item{{}, {tag}, {}}}};
		std::vector<double> mine;
		go.arrive_and_wait();
		if (t == 0) t0 = Clock::now();
		for (int i = 0; i < per_client; ++i) {
			const Filter &f = (i % 2) ? typed : tagged;
			auto last = read_seqs(*c, f, 0, 1, true);
			int64_t expected = last.empty() ? 0 : last[0];
			const std::string call = "c" + std::to_string(t) + "-" + std::to_string(i);
			auto ta = Clock::now();
			try {
				append_recorded(*c, rec, call, f, expected,
				                {{(i % 3) ? "Deposited" : "Withdrawn", {tag, "channel:web"}, {{"amount", "1"}}}});
				mine.push_back(ms_since(ta));
				++appended;
			} catch (const PgError &e) {
				if (!e.is_conflict()) throw;
				if (++conflicts <= 3)
					out.violation("G3: disjoint boundary " + tag + " got a conflict: " + error_text(e));
			}
		}
		std::lock_guard g(mu);
		latencies.insert(latencies.end(), mine.begin(), mine.end());
	});
	double secs = seconds_since(t0);

	Log log = read_log(db, out);
	rec.check_all(log, out);
	if (conflicts > 0)
		out.violation("G3: " + std::to_string(conflicts.load()) + " conflicts (40001) between disjoint boundaries");
	for (int t = 0; t < clients; ++t) {
		auto n = log.matching_seqs(Filter{{Item{{}, {account("a" + std::to_string(t))}, {}}}}, 0, INT64_MAX).size();
		if (static_cast<int>(n) != per_client)
			out.violation("disjoint: account a" + std::to_string(t) + " holds " + std::to_string(n) + " events, expected " +
			              std::to_string(per_client));
	}
	out.figure(std::to_string(clients) + " clients x " + std::to_string(per_client) + " read+append decisions: " +
	           std::to_string(appended.load()) + " appends, " + std::to_string(conflicts.load()) + " conflicts; " +
	           fmt(appended / secs, 0) + " decisions/s; append latency p50 " + fmt(percentile(latencies, 0.5), 2) +
	           " ms, p99 " + fmt(percentile(latencies, 0.99), 2) + " ms, max " + fmt(percentile(latencies, 1.0), 2) +
	           " ms; " + fmt(secs, 2) + " s");
}

void scenario_isolation(const Settings &st, Outcome &out) {
	const std::string db = fresh_database(st, "isolation");
	const int clients = 6;
	const auto window = std::chrono::milliseconds(static_cast<long>(2500 * std::min(1.0, st.scale)));
	Recorder rec;
	const Filter on_a0{{Item{{}, {account("A0")}, {}}}};

	// Two open transactions: a conditional append on A0, an unconditional one on A1.
	Conn h0(db), h1(db);
	h0.exec("BEGIN");
	read_seqs(h0, on_a0);  // decide on an empty boundary
	const int64_t s0 = append(h0, "hold-a0", on_a0, 0, {{"Deposited", {account("A0"), "channel:web"}, {}}});
	h1.exec("BEGIN");
	const int64_t s1 = append(h1, "hold-a1", std::nullopt, std::nullopt, {{"Deposited", {account("A1"), "channel:web"}, {}}});
	// A third one escalates: a batch of 50 events on A2 with a lock-key budget of 4, so it locks none of
	// its events' keys and the B clients meet its in-flight rows only in the indexes.
	Conn h2(db);
	h2.exec("BEGIN");
	h2.exec("SET LOCAL dcb.max_lock_keys = 4");
	std::vector<EventSpec> batch(50, EventSpec{"Deposited", {account("A2"), "channel:batch"}, {}, std::nullopt});
	const int64_t s2 = append(h2, "hold-a2", std::nullopt, std::nullopt, batch);
	const int64_t lowest_in_flight = std::min({s0, s1, s2 - 49});
	const std::string open_txns = "acct:A0/acct:A1/acct:A2 (seqs " + std::to_string(s0) + ", " + std::to_string(s1) +
	                              ", " + std::to_string(s2 - 49) + "-" + std::to_string(s2) + ", the last escalated) open";

	// Phases: the B clients work alone, then beside a client whose read waits on the open transactions.
	// Such a read may wait (its filter matches A events), but it must not make the B clients wait.
	struct Phase {
		const char *name;
		std::function<void(Conn &, std::string &)> probe;  // runs under statement_timeout 3s
	};
	const std::vector<Phase> phases = {
	    {"alone", nullptr},
	    {"beside a waiting whole-log dcb_read(NULL)",
	     [&](Conn &c, std::string &) { rec.read({"isolation-whole-log", std::nullopt, 0, read_seqs(c, std::nullopt)}); }},
	    {"beside a waiting dcb_head()",
	     [&](Conn &c, std::string &) {
		     int64_t h = head(c);
		     if (h >= lowest_in_flight)
			     out.violation("G2: dcb_head() returned " + std::to_string(h) + " while seq " +
			                   std::to_string(lowest_in_flight) + " was still in flight");
		     rec.head({"isolation-head", h, read_seqs(c, std::nullopt)});
	     }},
	    {"beside a waiting read of acct:A0",
	     [&](Conn &c, std::string &) { rec.read({"isolation-a0", on_a0, 0, read_seqs(c, on_a0)}); }},
	};
	auto t0 = Clock::now();
	for (size_t p = 0; p < phases.size(); ++p) {
		const Phase &phase = phases[p];
		std::mutex mu;
		std::vector<double> latencies;
		std::atomic<int> errors{0};
		std::atomic<bool> done{false};
		std::string probe_result = "no probe", lock_waits;
		// Clients [0, clients) work on B accounts; client `clients` runs the phase's probe; the last one
		// looks at the lock waits in this database 1.2 s into the phase (to explain a failure).
		run_threads(clients + 2, out, [&](int t) {
			Conn c(db);
			if (t == clients + 1) {
				std::this_thread::sleep_for(std::chrono::milliseconds(1200));
				auto r = c.exec("SELECT l.mode, count(*), count(DISTINCT (l.classid, l.objid)) FROM pg_locks l "
				                "WHERE l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
				                "AND l.locktype = 'advisory' AND NOT l.granted GROUP BY l.mode ORDER BY 1");
				std::string w;
				for (int i = 0; i < r.rows(); ++i)
					w += (i ? ", " : "") + r.text(i, 1) + " x " + r.text(i, 0) + " (on " + r.text(i, 2) + " key" +
					     (r.text(i, 2) == "1" ? ")" : "s)");
				std::lock_guard g(mu);
				lock_waits = w.empty() ? "no lock waits" : "waiting lock requests: " + w;
				return;
			}
			if (t == clients) {
				c.exec("SET statement_timeout = '3s'");
				auto end = Clock::now() + window;
				std::this_thread::sleep_for(std::chrono::milliseconds(200));
				if (phase.probe) {
					std::string note;
					auto tp = Clock::now();
					try {
						phase.probe(c, note);
						probe_result = "the probe returned after " + fmt(ms_since(tp), 0) + " ms";
					} catch (const PgError &e) {
						if (e.sqlstate != "57014") throw;
						probe_result = "the probe waited for the open transactions until its 3 s timeout (allowed)";
					}
					// Cancelled or not, the probe's session holds no dcb lock once its statement is over.
					auto held = c.exec("SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory'");
					if (held.i64(0, 0) != 0)
						out.violation("isolation: after the probe " + std::string(phase.name) + " ended, its idle session still holds " +
						              held.text(0, 0) + " advisory locks");
				}
				std::this_thread::sleep_until(end);
				done = true;
				return;
			}
			c.exec("SET statement_timeout = '2s'");
			const std::string tag = account("B" + std::to_string(t));
			const Filter tagged{{Item{{}, {tag}, {}}}};
			const Filter typed{{Item{{"Deposited"}, {tag}, {}}}};
			int64_t mine = 0;
			std::vector<double> lat;
			for (int i = 0; !done; ++i) {
				const Filter &f = (i % 2) ? typed : tagged;
				const std::string call = "p" + std::to_string(p) + "-b" + std::to_string(t) + "-" + std::to_string(i);
				const char *what = "a read";
				try {
					auto ta = Clock::now();
					auto seqs = read_seqs(c, f);
					lat.push_back(ms_since(ta));
					rec.read({call, f, 0, seqs});
					if (mine && std::find(seqs.begin(), seqs.end(), mine) == seqs.end())
						out.violation("G5: " + tag + " read after its own committed append (seq " + std::to_string(mine) +
						              ") did not return it while seq " + std::to_string(lowest_in_flight) +
						              " on another boundary was in flight");
					what = "a conditional append";
					ta = Clock::now();
					mine = append_recorded(c, rec, call, f, seqs.empty() ? 0 : seqs.back(),
					                       {{"Deposited", {tag, "channel:web"}, {}}});
					lat.push_back(ms_since(ta));
				} catch (const PgError &e) {
					if (++errors <= 2)
						out.violation("G3/G5: " + std::string(what) + " on " + tag + " " + phase.name + " failed with " +
						              open_txns + ": " + error_text(e));
				}
				std::this_thread::sleep_for(std::chrono::milliseconds(20));
			}
			std::lock_guard g(mu);
			latencies.insert(latencies.end(), lat.begin(), lat.end());
		});
		if (errors > 2)
			out.violation("G3/G5: " + std::to_string(errors.load()) + " reads/appends on other boundaries failed " + phase.name);
		out.figure(std::string("B clients ") + phase.name + ": " + std::to_string(latencies.size()) + " ops, " +
		           std::to_string(errors.load()) + " failed, latency p50 " + fmt(percentile(latencies, 0.5), 2) +
		           " ms, max " + fmt(percentile(latencies, 1.0), 2) + " ms; " + probe_result + "; 1.2 s in, " +
		           lock_waits);
	}
	double secs = seconds_since(t0);
	h0.exec("COMMIT");
	rec.call({"hold-a0", on_a0, 0, 1, s0});
	h1.exec("COMMIT");
	rec.call({"hold-a1", std::nullopt, std::nullopt, 1, s1});
	h2.exec("COMMIT");
	rec.call({"hold-a2", std::nullopt, std::nullopt, 50, s2});

	Log log = read_log(db, out);
	rec.check_all(log, out);
	out.figure(std::to_string(clients) + " clients on B boundaries under statement_timeout 2s, " + open_txns +
	           " throughout; " + fmt(secs, 2) + " s");
}

}  // namespace dcbc
