// dcb-library-sim — N threads run random library commands against one dcb event store, then the whole
// log is read back and audited by an independent fold (audit/audit.hpp). Meanwhile a projection
// (sim/projection.hpp) keeps the read model "copies lent now, per reader" in a table, live; the audit checks
// that it equals the fold of the whole log. Exit status: 0 when every invariant held, 1 when one was violated
// (or the run itself failed), 2 for usage or setup errors.
//
//   dcb-library-sim [--threads 8] [--seconds 10] [--books 60] [--readers 20] [--dsn CONNINFO]
//                   [--database NAME] [--replica CONNINFO] [--keep] [--seed N] [--unsafe] [--quiet]
//                   [--metrics-port PORT]
//
// By default it connects to the private dev cluster (host=127.0.0.1 port=$DCB_PORT or 54329
// user=postgres), creates a fresh database dcb_library_sim_<time>_<pid>, runs CREATE EXTENSION dcb in
// it, and drops it at the end (--keep keeps it for inspection). With --replica, one more thread reads
// from a streaming replica with Consistency::eventual while the workers run, and the replica's copy of
// the log is audited too once it has caught up.
#include <dcb/dcb.hpp>
#ifdef DCB_LIBRARY_HAVE_PROMETHEUS
#include <dcb/prometheus.hpp>
#include <prometheus/exposer.h>
#include <prometheus/registry.h>
#endif

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit.hpp"
#include "domain/library.hpp"
#include "handlers.hpp"
#include "projection.hpp"
#include "setup.hpp"

using namespace library;
using Clock = std::chrono::steady_clock;

// Attempts per command before a conflict is given up (the retry policy of execute()).
constexpr int kMaxAttempts = 20;

namespace {

struct Options {
	int threads = 8;
	double seconds = 10;
	int books = 60;
	int readers = 20;
	std::string dsn;
	std::string database;
	std::string replica;  // conninfo of a streaming replica (dbname replaced); empty = none
	bool keep = false;
	bool unsafe = false;
	bool quiet = false;
	std::uint64_t seed = 0;
	int metrics_port = 0;  // 0: no metrics endpoint
};

[[noreturn]] void usage(const char* why) {
	if (why) std::fprintf(stderr, "dcb-library-sim: %s\n", why);
	std::fprintf(stderr,
	             "usage: dcb-library-sim [options]\n"
	             "  --threads N     worker threads (default 8)\n"
	             "  --seconds S     how long to run commands (default 10)\n"
	             "  --books N       book copies in the population (default 60)\n"
	             "  --readers N     readers in the population (default 20)\n"
	             "  --dsn CONNINFO  server to use; its dbname is replaced (default: the private cluster,\n"
	             "                  host=127.0.0.1 port=$DCB_PORT|54329 user=postgres)\n"
	             "  --database NAME use this database (created if missing; its log must be empty)\n"
	             "                  instead of a fresh dcb_library_sim_<time>_<pid>\n"
	             "  --replica CONNINFO  also run an observer thread that reads from this streaming replica\n"
	             "                  (Consistency::eventual) and audit the replica's copy of the log too;\n"
	             "                  its dbname is replaced (scripts/replica start makes one on port 54330)\n"
	             "  --keep          keep the database created for the run (default: drop it)\n"
	             "  --seed N        random seed (default: from the clock)\n"
	             "  --unsafe        append WITHOUT the consistency condition, to see the audit fail\n"
	             "  --quiet         no live progress line\n"
	             "  --metrics-port PORT  serve the store's metrics for Prometheus on 127.0.0.1:PORT/metrics\n"
	             "                  while the run lasts (needs libdcb's Prometheus adapter)\n");
	std::exit(2);
}

Options parse(int argc, char** argv) {
	Options o;
	auto num = [&](int& i, const char* name) -> double {
		if (i + 1 >= argc) usage((std::string(name) + " needs a value").c_str());
		char* end = nullptr;
		double v = std::strtod(argv[++i], &end);
		if (!end || *end || !(v > 0)) usage((std::string(name) + " needs a positive number").c_str());
		return v;
	};
	auto str = [&](int& i, const char* name) -> std::string {
		if (i + 1 >= argc) usage((std::string(name) + " needs a value").c_str());
		return argv[++i];
	};
	for (int i = 1; i < argc; ++i) {
		std::string a = argv[i];
		if (a == "--threads") o.threads = static_cast<int>(num(i, "--threads"));
		else if (a == "--seconds") o.seconds = num(i, "--seconds");
		else if (a == "--books") o.books = static_cast<int>(num(i, "--books"));
		else if (a == "--readers") o.readers = static_cast<int>(num(i, "--readers"));
		else if (a == "--dsn") o.dsn = str(i, "--dsn");
		else if (a == "--database") o.database = str(i, "--database");
		else if (a == "--replica") o.replica = str(i, "--replica");
		else if (a == "--seed") o.seed = static_cast<std::uint64_t>(num(i, "--seed"));
		else if (a == "--keep") o.keep = true;
		else if (a == "--unsafe") o.unsafe = true;
		else if (a == "--quiet") o.quiet = true;
		else if (a == "--metrics-port") o.metrics_port = static_cast<int>(num(i, "--metrics-port"));
		else if (a == "--help" || a == "-h") usage(nullptr);
		else usage(("unknown argument " + a).c_str());
	}
	if (o.threads < 1 || o.books < 1 || o.readers < 1) usage("--threads, --books and --readers must be >= 1");
#ifndef DCB_LIBRARY_HAVE_PROMETHEUS
	if (o.metrics_port != 0) usage("--metrics-port: built without libdcb's Prometheus adapter (prometheus-cpp-dev)");
#endif
	if (o.dsn.empty()) {
		const char* port = std::getenv("DCB_PORT");
		o.dsn = std::string("host=127.0.0.1 port=") + (port && *port ? port : "54329") + " user=postgres";
	}
	if (o.seed == 0) o.seed = static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
	return o;
}

std::string book(int i) { return "book-" + std::to_string(i); }
std::string reader(int i) { return "reader-" + std::to_string(i); }

// Run counters, shared by the workers.
struct Stats {
	std::atomic<std::int64_t> commands{0}, accepted{0}, already_done{0}, rejected{0};
	std::atomic<std::int64_t> conflicts{0}, retries{0}, gave_up{0}, errors{0};
	std::mutex mu;                                   // guards the maps and the latencies
	std::map<std::string, std::int64_t> appended;    // event type -> events appended (accepted)
	std::map<std::string, std::int64_t> rejections;  // reason -> count
	std::vector<std::string> error_samples;
	std::vector<double> latencies_ms;

	void record(const Command& c, const HandleResult& r, double ms) {
		++commands;
		retries += r.attempts > 0 ? r.attempts - 1 : 0;
		// every retry follows a conflict; giving up follows one more
		conflicts += (r.attempts > 0 ? r.attempts - 1 : 0) + (r.gave_up ? 1 : 0);
		if (r.gave_up) ++gave_up;
		std::lock_guard lock(mu);
		latencies_ms.push_back(ms);
		switch (r.outcome) {
			case Outcome::accepted:
				++accepted;
				++appended[type_name(decide_type(c))];
				break;
			case Outcome::already_done: ++already_done; break;
			case Outcome::rejected:
				++rejected;
				if (!r.gave_up) ++rejections[std::string(command_name(c)) + ": " + r.reason.substr(0, r.reason.find(" reader-"))];
				break;
		}
	}
	// The one event type an accepted command appends.
	static EventType decide_type(const Command& c) {
		static constexpr EventType t[] = {EventType::book_copy_added_to_circulation,
		                                  EventType::book_copy_removed_from_circulation,
		                                  EventType::reader_registered,
		                                  EventType::reader_contract_canceled,
		                                  EventType::book_copy_lent_to_reader,
		                                  EventType::book_copy_returned_by_reader};
		return t[c.index()];
	}
	void error(const std::string& what) {
		++commands;
		++errors;
		std::lock_guard lock(mu);
		if (error_samples.size() < 5) error_samples.push_back(what);
	}
};

// What the workers believe is lent to whom, to issue plausible returns. Only a load-generation hint,
// possibly stale: every decision is made from the store.
class Hints {
public:
	explicit Hints(int books) : lent_to_(static_cast<std::size_t>(books), -1) {}
	void lent(int b, int r) { std::lock_guard l(mu_); lent_to_[static_cast<std::size_t>(b)] = r; }
	void returned(int b) { std::lock_guard l(mu_); lent_to_[static_cast<std::size_t>(b)] = -1; }
	// Some copy believed lent, starting the scan at `start`; -1 when none.
	std::pair<int, int> some_loan(std::size_t start) {
		std::lock_guard l(mu_);
		for (std::size_t k = 0; k < lent_to_.size(); ++k) {
			auto b = (start + k) % lent_to_.size();
			if (lent_to_[b] >= 0) return {static_cast<int>(b), lent_to_[b]};
		}
		return {-1, -1};
	}

private:
	std::mutex mu_;
	std::vector<int> lent_to_;
};

// The command mix: mostly lending and returning, some churn of copies and readers. Readers are drawn
// with a skew (a few busy readers reach the 10-loan limit), so boundaries overlap and conflicts happen.
struct Generator {
	const Options& o;
	Hints& hints;
	std::mt19937_64 rng;

	int any(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }
	int busy_reader() {
		double u = std::uniform_real_distribution<double>(0, 1)(rng);
		return std::min(o.readers - 1, static_cast<int>(o.readers * u * u * u));
	}
	// returns the command and, for lends/returns, the (book, reader) indexes
	std::tuple<Command, int, int> next() {
		int p = any(100);
		if (p < 48) {
			int b = any(o.books), r = busy_reader();
			return {LendBookCopyToReader{book(b), reader(r)}, b, r};
		}
		if (p < 75) {
			auto [b, r] = hints.some_loan(static_cast<std::size_t>(any(o.books)));
			if (b < 0 || any(10) == 0) {  // sometimes a return that is not due
				b = any(o.books);
				r = any(o.readers);
			}
			return {ReturnBookCopyFromReader{book(b), reader(r)}, b, r};
		}
		if (p < 85) return {AddBookCopy{book(any(o.books))}, -1, -1};
		if (p < 89) return {RemoveBookCopy{book(any(o.books))}, -1, -1};
		if (p < 96) return {RegisterReader{reader(any(o.readers))}, -1, -1};
		return {CancelReaderContract{reader(any(o.readers))}, -1, -1};
	}
};

std::string fmt_int(std::int64_t v) {
	std::string s = std::to_string(v < 0 ? -v : v), out;
	for (std::size_t i = 0; i < s.size(); ++i) {
		if (i && (s.size() - i) % 3 == 0) out += ',';
		out += s[i];
	}
	return v < 0 ? "-" + out : out;
}

double percentile(std::vector<double>& v, double p) {
	if (v.empty()) return 0;
	auto k = static_cast<std::size_t>(std::min<double>(static_cast<double>(v.size() - 1), p * static_cast<double>(v.size())));
	std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
	return v[k];
}

// Reads from the replica while the workers write to the primary, and checks what it sees.
//
// A standby shows the committed events, in commit order, which is not always seq order. But appends
// whose boundaries overlap commit in seq order, so what a standby shows of ONE boundary is a prefix of
// that boundary's events. A copy's lends and returns all share the copy's boundary: the visible part is
// a legal prefix, and a second lend without a return in between is illegal. A reader's loans: every lend
// read (and conditioned on) all of that reader's earlier lends and returns, so the visible count can
// never exceed the limit either.
struct ReplicaObserver {
	std::atomic<std::int64_t> reads{0}, errors{0}, violations{0}, max_lag{0}, last_lag{0};
	std::mutex mu;
	std::vector<std::string> samples;  // first violations and errors

	void note(std::atomic<std::int64_t>& counter, const std::string& what) {
		++counter;
		std::lock_guard l(mu);
		if (samples.size() < 5) samples.push_back(what);
	}

	void run(const dcb::EventStore& store, const Options& o, const std::atomic<bool>& stop) {
		std::mt19937_64 rng(o.seed ^ 0x5eed);
		const dcb::QueryOptions eventual{.consistency = dcb::Consistency::eventual};
		for (std::int64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
			try {
				if (i % 8 == 0) {  // how far behind is it? (replica head first: an upper bound)
					auto replica_head = store.head(dcb::Consistency::eventual);
					auto primary_head = store.head(dcb::Consistency::strong);
					last_lag = std::max<std::int64_t>(0, primary_head - replica_head);
					max_lag = std::max<std::int64_t>(max_lag, last_lag);
				}
				// one reader's loans, and one copy's loans, as the replica sees them
				auto r = reader(std::uniform_int_distribution<int>(0, o.readers - 1)(rng));
				auto b = book(std::uniform_int_distribution<int>(0, o.books - 1)(rng));
				auto loans = store.query(dcb::build_event_filter()
				                             .matching()
				                             .any_event_type_of({kBookCopyLentToReader, kBookCopyReturnedByReader})
				                             .and_any_predicate_of({dcb::P(kReaderIdKey, r)})
				                             .finalize(),
				                         eventual);
				int n = 0;
				for (const auto& e : loans.events) n += e.type == kBookCopyLentToReader ? 1 : -1;
				if (n > kMaxLoansPerReader)
					note(violations, "replica read: " + r + " holds " + std::to_string(n) + " loans at seq " +
					                     std::to_string(loans.max_seq));
				auto copy = store.query(dcb::build_event_filter()
				                            .matching()
				                            .any_event_type_of({kBookCopyLentToReader, kBookCopyReturnedByReader})
				                            .and_any_predicate_of({dcb::P(kBookIdKey, b)})
				                            .finalize(),
				                        eventual);
				bool lent = false;
				for (const auto& e : copy.events) {
					bool lend = e.type == kBookCopyLentToReader;
					if (lend && lent)
						note(violations, "replica read: " + b + " lent twice (seq " + std::to_string(e.seq) + ")");
					lent = lend;
				}
				reads += 2;
			} catch (const dcb::Error& e) {
				note(errors, std::string("replica read failed: [") + e.sqlstate() + "] " + e.what());
				std::this_thread::sleep_for(std::chrono::milliseconds(50));
			}
			std::this_thread::sleep_for(std::chrono::milliseconds(1));
		}
	}
};

// After the run: wait for the replica to catch up, then audit its copy of the log as well.
bool audit_replica(const dcb::EventStore& store, const std::string& primary_dsn, const std::string& replica_dsn,
                   ReplicaObserver& obs, const audit::Report& primary) {
	std::printf("\nreplica: %s eventual reads during the run, lag up to %s seq, %s read errors, %s illegal states seen\n",
	            fmt_int(obs.reads).c_str(), fmt_int(obs.max_lag).c_str(), fmt_int(obs.errors).c_str(),
	            fmt_int(obs.violations).c_str());
	for (const auto& s : obs.samples) std::printf("       %s\n", s.c_str());
	// Everything is committed on the primary by now: wait until the replica has replayed all of its WAL
	// (the replica's dcb_head alone could pass a lower position that commits later in WAL order).
	const auto deadline = Clock::now() + std::chrono::seconds(30);
	const auto t0 = Clock::now();
	const auto lsn = setup::current_wal_lsn(primary_dsn);
	bool caught_up = false;
	while (!(caught_up = setup::replayed_up_to(replica_dsn, lsn)) && Clock::now() < deadline)
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	std::printf("replica: %s the primary's WAL position %s after %.2f s; its dcb_head() is %s (primary's last event: %s)\n",
	            caught_up ? "replayed" : "did NOT replay", lsn.c_str(),
	            std::chrono::duration<double>(Clock::now() - t0).count(),
	            fmt_int(store.head(dcb::Consistency::eventual)).c_str(), fmt_int(primary.last_seq).c_str());
	audit::Auditor auditor(kMaxLoansPerReader);
	setup::read_log(replica_dsn, [&](const audit::Record& r) { auditor.feed(r); });
	const auto& rep = auditor.report();
	const bool same = rep.events == primary.events && rep.last_seq == primary.last_seq && rep.by_type == primary.by_type;
	std::printf("  %-4s %-72s\n", same ? "ok" : "FAIL", "the replica's log is the primary's (events, last seq, counts by type)");
	std::printf("  %-4s %-72s %s\n", rep.ok() ? "ok" : "FAIL", "the replica's log passes the same audit",
	            rep.ok() ? "" : (fmt_int(rep.violations()) + " violation(s)").c_str());
	const bool reads_ok = obs.violations == 0 && obs.errors == 0 && obs.reads > 0;
	std::printf("  %-4s %-72s\n", reads_ok ? "ok" : "FAIL", "eventual reads during the run: no errors, no illegal state");
	return same && rep.ok() && reads_ok;
}

}  // namespace

int main(int argc, char** argv) {
	const Options o = parse(argc, argv);
	const bool tty = isatty(STDOUT_FILENO) != 0;
	const std::string admin_dsn = setup::with_dbname(o.dsn, "postgres");
	std::string dbname = o.database;
	if (dbname.empty())
		dbname = "dcb_library_sim_" + std::to_string(std::time(nullptr)) + "_" + std::to_string(getpid());
	const std::string dsn = setup::with_dbname(o.dsn, dbname);
	// dcb_read/dcb_head refuse on a standby unless dcb.standby_reads is on: there they are not gap-free
	// (an event in flight on the primary may commit after higher positions were replayed). That is fine
	// for the observer's checks (see ReplicaObserver) and for the final audit, made once nothing is in flight.
	const std::string replica_dsn =
		o.replica.empty() ? std::string() : setup::with_dbname(o.replica, dbname, "-c dcb.standby_reads=on");
	bool created = false;

	try {
		created = setup::create_database(admin_dsn, dbname);
		auto version = setup::ensure_extension(dsn);
		if (auto n = setup::count_events(dsn); n != 0)
			throw setup::SetupError("database " + dbname + " already holds " + std::to_string(n) +
			                        " events: the simulation needs an empty log (omit --database for a fresh one)");
		setup::create_loans_table(dsn);
		std::printf("dcb-library-sim: database %s (%s, extension dcb %s), %d threads, %g s, %d books, %d readers, seed %" PRIu64 "%s\n",
		            dbname.c_str(), created ? "new" : "existing", version.c_str(), o.threads, o.seconds, o.books,
		            o.readers, o.seed, o.unsafe ? ", UNSAFE (appends without condition)" : "");
		if (!replica_dsn.empty()) {
			// The new database reaches the replica through WAL: wait until it can be read there.
			auto deadline = Clock::now() + std::chrono::seconds(30);
			for (;;) {
				try {
					setup::count_events(replica_dsn);
					break;
				} catch (const setup::SetupError& e) {
					if (Clock::now() > deadline)
						throw setup::SetupError(std::string("the replica does not serve the database: ") + e.what());
					std::this_thread::sleep_for(std::chrono::milliseconds(100));
				}
			}
			std::printf("dcb-library-sim: replica %s serves it; eventual reads go there\n", replica_dsn.c_str());
		}
	} catch (const std::exception& e) {
		std::fprintf(stderr, "dcb-library-sim: setup failed: %s\n", e.what());
		if (created && !o.keep) try { setup::drop_database(admin_dsn, dbname); } catch (...) {}
		return 2;
	}

	int status = 1;
	try {
		dcb::StoreOptions store_options{.pool_size = static_cast<std::size_t>(o.threads)};
#ifdef DCB_LIBRARY_HAVE_PROMETHEUS
		// Loopback only: the endpoint is for watching a local run, not for the network.
		auto registry = std::make_shared<prometheus::Registry>();
		std::unique_ptr<prometheus::Exposer> exposer;
		if (o.metrics_port != 0) {
			exposer = std::make_unique<prometheus::Exposer>("127.0.0.1:" + std::to_string(o.metrics_port));
			exposer->RegisterCollectable(registry);
			store_options.metrics = std::make_shared<dcb::PrometheusMetrics>(*registry);
			std::printf("metrics: http://127.0.0.1:%d/metrics\n", o.metrics_port);
			std::fflush(stdout);  // a scraper waits for this line
		}
#endif
		auto store = replica_dsn.empty() ? dcb::EventStore::connect(dsn, store_options)
		                                 : dcb::EventStore::connect(dsn, replica_dsn, store_options);
		CommandHandlers handlers(store, dcb::ExecuteOptions{.retry = {.max_attempts = kMaxAttempts}}, o.unsafe);
		// The read model "copies lent now, per reader", kept live by a projection while the commands run.
		dcb::Subscription loans = start_loans_projection(store);
		Stats stats;
		Hints hints(o.books);

		auto run = [&](const Command& c, int b, int r) {
			auto t0 = Clock::now();
			try {
				auto res = handlers.handle(c);
				double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
				stats.record(c, res, ms);
				if (b >= 0 && res.outcome != Outcome::rejected) {
					if (std::holds_alternative<LendBookCopyToReader>(c)) hints.lent(b, r);
					else hints.returned(b);
				}
			} catch (const dcb::Error& e) {
				stats.error(std::string(command_name(c)) + ": [" + e.sqlstate() + "] " + e.what());
			} catch (const std::exception& e) {
				stats.error(std::string(command_name(c)) + ": " + e.what());
			}
		};

		// The population: every copy in circulation, every reader registered (through the handlers too).
		for (int b = 0; b < o.books; ++b) run(AddBookCopy{book(b)}, -1, -1);
		for (int r = 0; r < o.readers; ++r) run(RegisterReader{reader(r)}, -1, -1);

		std::atomic<bool> stop{false};
		const auto start = Clock::now();
		std::vector<std::thread> workers;
		for (int w = 0; w < o.threads; ++w) {
			workers.emplace_back([&, w] {
				Generator gen{o, hints, std::mt19937_64(o.seed + static_cast<std::uint64_t>(w) * 0x9E3779B97F4A7C15ull)};
				while (!stop.load(std::memory_order_relaxed)) {
					auto [c, b, r] = gen.next();
					run(c, b, r);
				}
			});
		}

		// With a replica: one observer reads boundaries there (Consistency::eventual). However stale, no read
		// may show a copy lent twice or a reader above the limit (see ReplicaObserver).
		ReplicaObserver observer;
		std::thread observer_thread;
		if (!replica_dsn.empty())
			observer_thread = std::thread([&] { observer.run(store, o, stop); });

		// Live progress, once a second.
		std::int64_t last_cmds = stats.commands;
		auto last_t = start;
		const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
		while (Clock::now() < end) {
			std::this_thread::sleep_until(std::min(end, last_t + std::chrono::seconds(1)));
			auto now = Clock::now();
			std::int64_t cmds = stats.commands;
			double dt = std::chrono::duration<double>(now - last_t).count();
			double rate = dt > 0 ? static_cast<double>(cmds - last_cmds) / dt : 0;
			last_cmds = cmds;
			last_t = now;
			if (o.quiet) continue;
			std::printf("%s[%5.1fs] %s commands  %7.0f/s | accepted %s  no-op %s  rejected %s | conflicts %s  retries %s  gave up %s | errors %s | read model at seq %s%s%s",
			            tty ? "\r\033[K" : "", std::chrono::duration<double>(now - start).count(), fmt_int(cmds).c_str(),
			            rate, fmt_int(stats.accepted).c_str(), fmt_int(stats.already_done).c_str(),
			            fmt_int(stats.rejected).c_str(), fmt_int(stats.conflicts).c_str(),
			            fmt_int(stats.retries).c_str(), fmt_int(stats.gave_up).c_str(), fmt_int(stats.errors).c_str(),
			            fmt_int(loans.position()).c_str(),
			            replica_dsn.empty() ? ""
			                                : (" | replica reads " + fmt_int(observer.reads) + "  lag " +
			                                   fmt_int(observer.last_lag) + " seq").c_str(),
			            tty ? "" : "\n");
			std::fflush(stdout);
		}
		stop = true;
		for (auto& t : workers) t.join();
		if (observer_thread.joinable()) observer_thread.join();
		const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
		if (tty && !o.quiet) std::printf("\n");

		std::printf("\nrun: %s commands in %.1f s = %.0f commands/s with %d threads\n", fmt_int(stats.commands).c_str(),
		            elapsed, static_cast<double>(stats.commands) / elapsed, o.threads);
		std::printf("     accepted %s, no-op (already done) %s, rejected by the rules %s, errors %s\n",
		            fmt_int(stats.accepted).c_str(), fmt_int(stats.already_done).c_str(), fmt_int(stats.rejected).c_str(),
		            fmt_int(stats.errors).c_str());
		std::printf("     conflicts %s, retries %s, gave up after %d attempts %s\n", fmt_int(stats.conflicts).c_str(),
		            fmt_int(stats.retries).c_str(), kMaxAttempts, fmt_int(stats.gave_up).c_str());
		{
			std::lock_guard lock(stats.mu);
			std::printf("     command latency (incl. retries): p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
			            percentile(stats.latencies_ms, 0.50), percentile(stats.latencies_ms, 0.99),
			            percentile(stats.latencies_ms, 1.0));
			std::vector<std::pair<std::int64_t, std::string>> rj;
			for (auto& [why, n] : stats.rejections) rj.emplace_back(n, why);
			std::sort(rj.rbegin(), rj.rend());
			for (std::size_t i = 0; i < rj.size() && i < 8; ++i)
				std::printf("       rejected %7s x  %s\n", fmt_int(rj[i].first).c_str(), rj[i].second.c_str());
			for (auto& e : stats.error_samples) std::printf("     error: %s\n", e.c_str());
		}

		// The proof: read the whole log back (plain libpq, dcb_read over everything) and replay it.
		std::printf("\naudit: reading the whole log with dcb_read() ...\n");
		audit::Auditor auditor(kMaxLoansPerReader);
		auto t0 = Clock::now();
		setup::read_log(dsn, [&](const audit::Record& r) { auditor.feed(r); });
		const auto& rep = auditor.report();
		std::printf("audit: %s events (seq %" PRId64 "..%" PRId64 ") replayed in %.2f s; at the end %s copies in circulation, "
		            "%s lent, %s readers registered\n",
		            fmt_int(rep.events).c_str(), rep.first_seq, rep.last_seq,
		            std::chrono::duration<double>(Clock::now() - t0).count(), fmt_int(rep.copies_in_circulation).c_str(),
		            fmt_int(rep.copies_lent).c_str(), fmt_int(rep.readers_registered).c_str());
		std::printf("audit: busiest reader held %d loans at once (limit %d); at most %s copies lent at once\n",
		            rep.max_loans_of_a_reader, kMaxLoansPerReader, fmt_int(rep.max_copies_lent_at_once).c_str());
		for (std::size_t k = 0; k < audit::kRuleCount; ++k) {
			auto n = rep.violations_by_rule[k];
			std::printf("  %-4s %-72s %s\n", n ? "FAIL" : "ok", audit::describe(static_cast<audit::Rule>(k)),
			            n ? (fmt_int(n) + " violation(s)").c_str() : "");
			for (const auto& v : rep.examples)
				if (static_cast<std::size_t>(v.rule) == k) std::printf("         e.g. %s\n", v.detail.c_str());
		}

		// Accounting: every accepted command appended exactly one event, and nothing else was written.
		bool books_balance = true;
		{
			std::lock_guard lock(stats.mu);
			std::map<std::string, std::int64_t> all = stats.appended;
			for (auto& [t, n] : rep.by_type) all.emplace(t, 0), (void)n;
			for (auto& [t, n] : all) {
				auto it = rep.by_type.find(t);
				std::int64_t in_log = it == rep.by_type.end() ? 0 : it->second;
				if (in_log != n) {
					books_balance = false;
					std::printf("  FAIL %s: %s accepted by the handlers, %s in the log\n", t.c_str(), fmt_int(n).c_str(),
					            fmt_int(in_log).c_str());
				}
			}
			std::printf("  %-4s %-72s\n", books_balance ? "ok" : "FAIL",
			            "every accepted command is exactly one event in the log, nothing else is");
		}

		// The read model the projection kept while the commands ran, once it has caught up with the last loan,
		// must equal the fold of the whole log.
		bool read_model_ok = false;
		{
			const auto t1 = Clock::now();
			while (loans.running() && loans.position() < rep.last_loan_seq && Clock::now() - t1 < std::chrono::seconds(60))
				std::this_thread::sleep_for(std::chrono::milliseconds(10));
			const std::int64_t at = loans.position();
			loans.stop();
			try {
				loans.join();
				const auto table = setup::read_loans_table(dsn);
				read_model_ok = at >= rep.last_loan_seq && table == rep.copies_lent_by_reader;
				std::int64_t lent = 0;
				for (const auto& [reader, n] : table) lent += n;
				std::printf("  %-4s %-72s\n", read_model_ok ? "ok" : "FAIL",
				            ("the projection's copies_lent_per_reader (" + fmt_int(lent) + " copies, " +
				             fmt_int(static_cast<std::int64_t>(table.size())) + " readers, checkpoint " + fmt_int(at) +
				             ") equals the fold of the log")
				                .c_str());
				if (!read_model_ok) {
					for (const auto& [reader, n] : rep.copies_lent_by_reader) {
						const auto it = table.find(reader);
						const std::int64_t got = it == table.end() ? 0 : it->second;
						if (got != n) std::printf("         %s: %s in the log, %s in the read model\n", reader.c_str(),
						                          fmt_int(n).c_str(), fmt_int(got).c_str());
					}
					for (const auto& [reader, n] : table)
						if (!rep.copies_lent_by_reader.count(reader))
							std::printf("         %s: none in the log, %s in the read model\n", reader.c_str(), fmt_int(n).c_str());
				}
			} catch (const std::exception& e) {
				std::printf("  FAIL the projection of copies lent per reader failed: %s\n", e.what());
			}
		}

		bool replica_ok = true;
		if (!replica_dsn.empty()) replica_ok = audit_replica(store, dsn, replica_dsn, observer, rep);

		const bool passed = rep.ok() && books_balance && stats.errors == 0 && replica_ok && read_model_ok;
		if (passed) {
			std::printf("\nVERDICT: PASS - all invariants held over %s events from %s concurrent commands (%s conflicts resolved by retry)\n",
			            fmt_int(rep.events).c_str(), fmt_int(stats.commands).c_str(), fmt_int(stats.conflicts).c_str());
			status = 0;
		} else {
			if (!rep.ok())
				std::printf("\n(after the first illegal event, the audit's state and later counts include its knock-on effects)");
			std::printf("\nVERDICT: FAIL - %s invariant violation(s)%s%s%s%s\n", fmt_int(rep.violations()).c_str(),
			            books_balance ? "" : ", the log does not match the accepted commands",
			            read_model_ok ? "" : ", the read model differs from the log",
			            replica_ok ? "" : ", the replica check failed",
			            stats.errors ? (", " + fmt_int(stats.errors) + " command error(s)").c_str() : "");
			status = 1;
		}
	} catch (const std::exception& e) {
		std::fprintf(stderr, "dcb-library-sim: %s\n", e.what());
		status = 1;
	}

	if (created && !o.keep) {
		try {
			setup::drop_database(admin_dsn, dbname);
		} catch (const std::exception& e) {
			std::fprintf(stderr, "dcb-library-sim: could not drop database %s: %s\n", dbname.c_str(), e.what());
		}
	} else if (created) {
		std::printf("kept database %s: psql \"%s\"\n", dbname.c_str(), dsn.c_str());
	}
	return status;
}
