// dcb-subscribe-bench — what following the log through libdcb costs and how fast it delivers (run by
// pgbench/subscribe, which documents the figures).
//
//   dcb-subscribe-bench latency    --subscribers N --rate R (0: full speed) [--appenders A] [--seconds S] [--read-interval MS]
//   dcb-subscribe-bench throughput --subscribers N [--clients C] [--seconds S] [--rounds R] [--warmup S] [--read-interval MS]
//   dcb-subscribe-bench catchup    --events N [--batch B] [--runs R]
//
// latency: A appender threads (default 16 at full speed, 4 at a fixed rate) append conditionally for new books
// (pgbench/workloads/dcb_append.sql's statement, through libdcb), open loop at R appends/s in total or as fast as
// they can; N whole-log subscriptions (store.subscribe) note when their handler receives each event. Reported per
// (event, subscriber): from the append's acknowledgement (its COMMIT done) to the handler, and from the append's
// start to the handler (an upper bound that includes the append itself), p50 / p99 / max.
// throughput: C clients append at full speed for S seconds, alternately without and with N subscriptions
// attached, R rounds each (interleaved, so drift of the machine hits both alike); appends/s per round, medians,
// and their ratio.
// catchup: one subscription from position 0 over a log of at least N events (loaded first when shorter), handler
// counting only: events/s until it reached the head.
//
// --read-interval: the subscriptions' SubscriptionOptions::min_read_interval, in ms (default 0).
// The server: the PG* variables, or --dsn. Every line of output starts with the machine's load average.
#include <dcb/dcb.hpp>

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

struct Args {
	std::string mode, dsn;
	int subscribers = 1, appenders = -1, clients = 16, rounds = 3, runs = 2;
	double rate = 0, seconds = 10, warmup = 2, read_interval_ms = 0;
	std::int64_t events = 1'000'000;
	int batch = 1000;
	dcb::SubscriptionOptions subscription_options() const {
		return {.min_read_interval = std::chrono::duration_cast<dcb::Clock::duration>(std::chrono::duration<double, std::milli>(read_interval_ms))};
	}
};

[[noreturn]] void usage(const char* why) {
	std::fprintf(stderr, "dcb-subscribe-bench: %s\nsee the comment at the top of pgbench/driver/subscribe_bench.cpp\n", why);
	std::exit(2);
}

Args parse(int argc, char** argv) {
	if (argc < 2) usage("no mode");
	Args a;
	a.mode = argv[1];
	for (int i = 2; i < argc; ++i) {
		const std::string o = argv[i];
		if (i + 1 >= argc) usage(("missing value of " + o).c_str());
		const char* v = argv[++i];
		if (o == "--dsn") a.dsn = v;
		else if (o == "--subscribers") a.subscribers = std::atoi(v);
		else if (o == "--appenders") a.appenders = std::atoi(v);
		else if (o == "--clients") a.clients = std::atoi(v);
		else if (o == "--rounds") a.rounds = std::atoi(v);
		else if (o == "--runs") a.runs = std::atoi(v);
		else if (o == "--rate") a.rate = std::atof(v);
		else if (o == "--seconds") a.seconds = std::atof(v);
		else if (o == "--warmup") a.warmup = std::atof(v);
		else if (o == "--read-interval") a.read_interval_ms = std::atof(v);
		else if (o == "--events") a.events = std::atoll(v);
		else if (o == "--batch") a.batch = std::atoi(v);
		else usage(("unknown option " + o).c_str());
	}
	if (a.appenders < 0) a.appenders = a.rate > 0 ? 4 : 16;
	return a;
}

std::string load() {
	std::ifstream f("/proc/loadavg");
	std::string a, b, c;
	f >> a >> b >> c;
	return "load " + a + " " + b + " " + c;
}

/// CPU time not spent idle, over the whole machine, between two calls (from /proc/stat), in percent.
struct CpuBusy {
	long long busy = 0, total = 0;
	static CpuBusy now() {
		std::ifstream f("/proc/stat");
		std::string cpu;
		long long v[10] = {};
		f >> cpu;
		for (auto& x : v) f >> x;
		CpuBusy c;
		for (const auto x : v) c.total += x;
		c.busy = c.total - v[3] - v[4];  // idle, iowait
		return c;
	}
	static double percent(const CpuBusy& a, const CpuBusy& b) {
		return b.total > a.total ? 100.0 * static_cast<double>(b.busy - a.busy) / static_cast<double>(b.total - a.total) : 0;
	}
};

const std::vector<std::string> kTypes = {"BookCopyAddedToCirculation", "BookCopyRemovedFromCirculation", "ReaderRegistered",
                                         "ReaderContractCanceled",     "BookCopyLentToReader",           "BookCopyReturnedByReader"};

/// The append of pgbench/workloads/dcb_append.sql: a new book, conditional on its (empty) boundary; `i` numbers it.
std::int64_t append_new_book(const dcb::EventStore& store, std::int64_t i, std::uint64_t salt) {
	char id[64];
	std::snprintf(id, sizeof id, "0b000000-0000-4000-8000-%012" PRIu64, static_cast<std::uint64_t>((salt * 1000003u + static_cast<std::uint64_t>(i)) % 1000000000000u));
	const dcb::Filter boundary = dcb::build_event_filter().matching().any_event_type_of({kTypes[0], kTypes[1], kTypes[2], kTypes[3], kTypes[4], kTypes[5]})
	                                 .and_all_predicates_of({dcb::P("BookID", id)}).finalize();
	return store.append(boundary, 0,
	                    {dcb::Event{.type = kTypes[0],
	                                .data = R"({"i":)" + std::to_string(i) + R"(,"BookID":")" + id +
	                                        R"(","ISBN":"978-3-16-148410-0","Title":"A new book","PublicationYear":2025})",
	                                .tags = {dcb::P("BookID", id)}}});
}

/// `i` of an event appended by append_new_book (jsonb prints {"i": 12, ...}); -1 for other events.
std::int64_t number_of(const std::string& data) {
	const auto p = data.find("\"i\": ");
	if (p == std::string::npos) return -1;
	return std::atoll(data.c_str() + p + 5);
}

double pct(std::vector<double>& v, double p) {
	if (v.empty()) return NAN;
	const auto k = static_cast<std::size_t>(std::min<double>(static_cast<double>(v.size() - 1), std::ceil(p * static_cast<double>(v.size())) - 1));
	std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
	return v[k];
}

double max_of(const std::vector<double>& v) { return v.empty() ? NAN : *std::max_element(v.begin(), v.end()); }

// ---- latency -------------------------------------------------------------------------------------------------

int latency(const Args& a) {
	const auto store = dcb::EventStore::connect(a.dsn, dcb::StoreOptions{.pool_size = static_cast<std::size_t>(a.appenders)});
	const std::size_t capacity = static_cast<std::size_t>(a.rate > 0 ? a.rate * (a.seconds + 5) + 1000 : 40'000 * a.seconds + 1000);
	// per event: append start and acknowledgement (ns since t0); per subscriber and event: handler time
	std::vector<std::atomic<std::int64_t>> started(capacity), acked(capacity);
	std::vector<std::vector<std::int64_t>> received(static_cast<std::size_t>(a.subscribers), std::vector<std::int64_t>(capacity, -1));
	const auto t0 = Clock::now();
	auto since = [&](Clock::time_point t) { return std::chrono::duration_cast<std::chrono::nanoseconds>(t - t0).count(); };
	std::vector<dcb::Subscription> subs;
	const std::int64_t from = store.head();
	for (int s = 0; s < a.subscribers; ++s) {
		auto* got = &received[static_cast<std::size_t>(s)];
		subs.push_back(store.subscribe(dcb::Filter{}, from, [&, got](const dcb::SubscriptionBatch& b) {
			const std::int64_t now = since(Clock::now());
			for (const auto& e : b.events) {
				const std::int64_t i = number_of(e.data);
				if (i >= 0 && static_cast<std::size_t>(i) < got->size()) (*got)[static_cast<std::size_t>(i)] = now;
			}
		}, a.subscription_options()));
	}
	std::this_thread::sleep_for(500ms);  // every subscription connected and waiting
	std::atomic<std::int64_t> next{0};
	std::atomic<bool> stop{false};
	// new books of this run only (an id appended before would make its conditional append fail)
	const auto salt = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count() / 1000);
	const auto begin = Clock::now();
	const auto end = begin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(a.seconds));
	const auto cpu0 = CpuBusy::now();
	std::vector<std::thread> appenders;
	for (int t = 0; t < a.appenders; ++t) {
		appenders.emplace_back([&, t] {
			std::int64_t k = 0;
			while (!stop && Clock::now() < end) {
				if (a.rate > 0) {  // open loop: the k-th append of this thread is due at begin + k * appenders / rate
					const auto due = begin + std::chrono::duration_cast<Clock::duration>(
					                             std::chrono::duration<double>((static_cast<double>(k) * a.appenders + t) / a.rate));
					++k;
					if (due >= end) break;
					std::this_thread::sleep_until(due);
				}
				const std::int64_t i = next++;
				if (static_cast<std::size_t>(i) >= capacity) break;
				started[static_cast<std::size_t>(i)] = since(Clock::now());
				append_new_book(store, i, salt);
				acked[static_cast<std::size_t>(i)] = since(Clock::now());
			}
		});
	}
	for (auto& t : appenders) t.join();
	const auto cpu1 = CpuBusy::now();
	const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
	const std::int64_t appended = std::min<std::int64_t>(next.load(), static_cast<std::int64_t>(capacity));
	const std::int64_t head = store.head();
	for (auto& s : subs)
		while (s.position() < head) std::this_thread::sleep_for(1ms);
	for (auto& s : subs) s.stop();
	for (auto& s : subs) s.join();
	std::vector<double> from_ack, from_start;
	std::int64_t missing = 0;
	for (const auto& got : received)
		for (std::int64_t i = 0; i < appended; ++i) {
			const auto r = got[static_cast<std::size_t>(i)];
			if (r < 0) {
				++missing;
				continue;
			}
			from_ack.push_back(static_cast<double>(r - acked[static_cast<std::size_t>(i)]) / 1e6);
			from_start.push_back(static_cast<double>(r - started[static_cast<std::size_t>(i)]) / 1e6);
		}
	const auto before_ack = std::count_if(from_ack.begin(), from_ack.end(), [](double v) { return v < 0; });
	const double max_ack = max_of(from_ack), max_start = max_of(from_start);
	std::printf("latency  %-10s subscribers %2d  read interval %g ms  appends/s %7.0f (%" PRId64 " in %.1f s, %d appenders)  deliveries %zu (missing %" PRId64
	            ")  commit->handler ms p50 %.2f p99 %.2f max %.2f (%" PRId64 " before the ack)  append-start->handler ms p50 %.2f p99 %.2f max %.2f  cpu %.0f%%  %s\n",
	            a.rate > 0 ? (std::to_string(static_cast<int>(a.rate)) + "/s").c_str() : "full", a.subscribers, a.read_interval_ms,
	            static_cast<double>(appended) / elapsed, appended, elapsed, a.appenders, from_ack.size(), missing,
	            pct(from_ack, 0.5), pct(from_ack, 0.99), max_ack, static_cast<std::int64_t>(before_ack), pct(from_start, 0.5),
	            pct(from_start, 0.99), max_start, CpuBusy::percent(cpu0, cpu1), load().c_str());
	return missing == 0 ? 0 : 1;
}

// ---- throughput ----------------------------------------------------------------------------------------------

int throughput(const Args& a) {
	const auto store = dcb::EventStore::connect(a.dsn, dcb::StoreOptions{.pool_size = static_cast<std::size_t>(a.clients)});
	auto phase = [&](double seconds) {  // appends/s of C clients at full speed
		std::atomic<std::int64_t> n{0};
		std::atomic<bool> stop{false};
		std::vector<std::thread> clients;
		const auto s = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count() / 1000);
		const auto t0 = Clock::now();
		for (int c = 0; c < a.clients; ++c)
			clients.emplace_back([&, c] {
				std::int64_t k = 0;
				while (!stop) {
					append_new_book(store, static_cast<std::int64_t>(c) * 1'000'000'000 + k++, s);
					++n;
				}
			});
		std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
		stop = true;
		for (auto& t : clients) t.join();
		return static_cast<double>(n.load()) / std::chrono::duration<double>(Clock::now() - t0).count();
	};
	std::vector<double> without, with;
	for (int r = 0; r < a.rounds; ++r) {
		for (const bool attached : {false, true}) {
			std::vector<dcb::Subscription> subs;
			std::atomic<std::int64_t> delivered{0}, batches{0};
			if (attached)
				for (int s = 0; s < a.subscribers; ++s)
					subs.push_back(store.subscribe(dcb::Filter{}, store.head(), [&](const dcb::SubscriptionBatch& b) {
						delivered += static_cast<std::int64_t>(b.events.size());
						++batches;
					}, a.subscription_options()));
			phase(a.warmup);
			const auto cpu0 = CpuBusy::now();
			const std::string l = load();
			const double tps = phase(a.seconds);
			const auto cpu1 = CpuBusy::now();
			for (auto& s : subs) s.stop();
			for (auto& s : subs) s.join();
			(attached ? with : without).push_back(tps);
			std::printf("throughput round %d  %2d clients  %2d subscribers  appends/s %7.0f  (delivered %" PRId64 " events to the subscribers in %" PRId64 " batches)  cpu %.0f%%  %s\n",
			            r + 1, a.clients, attached ? a.subscribers : 0, tps, delivered.load(), batches.load(), CpuBusy::percent(cpu0, cpu1), l.c_str());
			std::fflush(stdout);
		}
	}
	auto median = [](std::vector<double> v) { return pct(v, 0.5); };
	std::printf("throughput median  without %7.0f  with %d subscribers (read interval %g ms) %7.0f  ratio %.3f  %s\n", median(without),
	            a.subscribers, a.read_interval_ms, median(with), median(with) / median(without), load().c_str());
	return 0;
}

// ---- catch-up ---------------------------------------------------------------------------------------------------

int catchup(const Args& a) {
	const auto store = dcb::EventStore::connect(a.dsn, dcb::StoreOptions{.pool_size = 1});
	std::int64_t head = store.head();
	if (head < a.events) {
		// Load the missing events as pgbench/follow does: 1,000-event batches built in SQL.
		std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(a.dsn.c_str()), &PQfinish);
		const std::int64_t batches = (a.events - head + 999) / 1000;
		const auto t0 = Clock::now();
		for (std::int64_t b = 0; b < batches; b += 50) {
			const std::string sql =
			    "SELECT count(dcb_append(NULL, NULL, (SELECT jsonb_agg(jsonb_build_object('type', 'Noise', 'tags', jsonb_build_array('n:' || (b * 1000 + i)), "
			    "'data', jsonb_build_object('i', i, 'text', 'some payload of a typical size, some payload of a typical size'), "
			    "'metadata', jsonb_build_object('MessageID', gen_random_uuid())))"
			    " FROM generate_series(1, 1000) i))) FROM generate_series(" +
			    std::to_string(b) + ", " + std::to_string(std::min(batches, b + 50) - 1) + ") b";
			std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), sql.c_str()), &PQclear);
			if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
				std::fprintf(stderr, "load failed: %s", PQerrorMessage(c.get()));
				return 1;
			}
		}
		std::unique_ptr<PGresult, decltype(&PQclear)> v(PQexec(c.get(), "VACUUM ANALYZE dcb.events"), &PQclear);
		head = store.head();
		std::printf("catchup  loaded %" PRId64 " events in %.1f s; head %" PRId64 "\n", batches * 1000,
		            std::chrono::duration<double>(Clock::now() - t0).count(), head);
	}
	for (int run = 1; run <= a.runs; ++run) {
		std::atomic<std::int64_t> n{0};
		const std::string l = load();
		const auto cpu0 = CpuBusy::now();
		const auto t0 = Clock::now();
		dcb::Subscription s = store.subscribe(dcb::Filter{}, 0, [&](const dcb::SubscriptionBatch& b) {
			n += static_cast<std::int64_t>(b.events.size());
		}, dcb::SubscriptionOptions{.batch_size = a.batch});
		while (s.position() < head && s.running()) std::this_thread::sleep_for(1ms);
		const double took = std::chrono::duration<double>(Clock::now() - t0).count();
		const auto cpu1 = CpuBusy::now();
		s.stop();
		s.join();
		std::printf("catchup  run %d  batch %d  %" PRId64 " events in %.2f s = %.0f events/s  cpu %.0f%%  %s\n", run, a.batch, n.load(),
		            took, static_cast<double>(n.load()) / took, CpuBusy::percent(cpu0, cpu1), l.c_str());
		std::fflush(stdout);
	}
	return 0;
}

}  // namespace

int main(int argc, char** argv) {
	const Args a = parse(argc, argv);
	try {
		if (a.mode == "latency") return latency(a);
		if (a.mode == "throughput") return throughput(a);
		if (a.mode == "catchup") return catchup(a);
		usage("mode must be latency, throughput or catchup");
	} catch (const std::exception& e) {
		std::fprintf(stderr, "dcb-subscribe-bench: %s\n", e.what());
		return 1;
	}
}
