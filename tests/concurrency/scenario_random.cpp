// scenario_random.cpp — scenarios 3 and 7: random traffic over a small universe, checked on the final log.
//
// 3. random: every client picks random filters over 3 types, 5 tags and a payload key, reads, and appends
//    1–4 events whose metadata records (filter, expected_max); some appends are unconditional, some run
//    (read and append) in an explicit transaction, a quarter of the clients escalate (lock none of their keys)
//    (dcb.max_lock_keys = 8). Any error but 40001 fails the scenario. Afterwards: G1 on the final log for
//    every conditional call, G2 for every read, G4 for every batch; whole-log and boundary catch-up readers
//    run meanwhile.
// 7. catch-up: writers append batches, some holding their transaction open for a while after the append
//    (so lower seqs commit after higher ones), some rolling back, some escalating; readers tail with
//    dcb_read(NULL, after, 100) (and smaller pages), head probes check dcb_head(); every reader must deliver
//    exactly the final log, strictly increasing, without a skip.
#include "gen.hpp"
#include "scenarios.hpp"
#include "tailer.hpp"

#include <algorithm>
#include <random>
#include <thread>

namespace dcbc {

namespace {

const Universe kUniverse = {{"A", "B", "C"}, {"t1", "t2", "t3", "t4", "t5"}};
const std::vector<std::string> &kTypes = kUniverse.types;
const std::vector<std::string> &kTags = kUniverse.tags;

}  // namespace

void scenario_random(const Settings &st, Outcome &out) {
	const std::string db = fresh_database(st, "random");
	const int clients = 16;
	const int per_client = st.scaled(40);
	Recorder rec;
	std::atomic<int> conflicts{0}, ok_calls{0}, unconditional{0}, batched{0}, in_txn{0}, events{0}, fresh_reads{0};
	std::vector<std::unique_ptr<Tailer>> tailers;
	tailers.push_back(std::make_unique<Tailer>(db, "whole-100", std::nullopt, 100, out));
	tailers.push_back(std::make_unique<Tailer>(db, "whole-7", std::nullopt, 7, out));
	tailers.push_back(std::make_unique<Tailer>(db, "t1-5", Filter{{Item{{}, {"t1"}, {}}}}, 5, out));
	tailers.push_back(std::make_unique<Tailer>(db, "A|t2&t3", Filter{{Item{{"A"}, {}, {}}, Item{{}, {"t2", "t3"}, {}}}}, 50, out));
	auto t0 = Clock::now();
	auto deadline = t0 + std::chrono::seconds(45);

	run_threads(clients, out, [&](int t) {
		Conn c(db);
		// A quarter of the clients get a tiny lock-key budget, so their batches escalate (lock none of their keys).
		if (t % 4 == 3) c.exec("SET dcb.max_lock_keys = 8");
		std::mt19937_64 rng(st.seed * 1000003 + t);
		for (int i = 0; i < per_client && Clock::now() < deadline; ++i) {
			OptFilter f = random_filter(rng, kUniverse);
			auto batch = random_batch(rng, kUniverse, 4);
			const bool txn = chance(rng, 0.2);
			for (int attempt = 0; attempt < 8; ++attempt) {
				const std::string call = "c" + std::to_string(t) + "-" + std::to_string(i) + "-a" + std::to_string(attempt);
				const int mode = pick(rng, 3);
				try {
					if (txn) c.exec("BEGIN");
					std::optional<int64_t> expected;
					if (f) {
						if (mode == 0) {  // the max seq of a full read
							auto seqs = read_seqs(c, f);
							rec.read({call, f, 0, seqs});
							expected = max_seq(seqs);
						} else if (mode == 1) {  // the last matching event
							expected = max_seq(read_seqs(c, f, 0, 1, true));
						} else {  // the head seen before a full read (may lie above the last match)
							int64_t h = head(c);
							auto seqs = read_seqs(c, f);
							rec.read({call, f, 0, seqs});
							expected = std::max(h, max_seq(seqs));
						}
					}
					int64_t seq = append(c, call, f, expected, batch);
					if (txn) {
						c.exec("COMMIT");
						++in_txn;
					}
					rec.call({call, f, expected, static_cast<int>(batch.size()), seq});
					if (pick(rng, 3) == 0) {
						// G5: a read started after the commit returns the committed event.
						const EventSpec &last = batch.back();
						Filter own{{Item{{last.type}, last.tags, last.data}}};
						auto mine = read_seqs(c, own, seq - 1, 1);
						rec.read({call + "/own", own, seq - 1, mine});
						if (mine.empty() || mine.front() != seq)
							out.violation("G5: after call " + call + " committed seq " + std::to_string(seq) + ", a read of " +
							              describe(own) + " after " + std::to_string(seq - 1) + " did not return it");
						++fresh_reads;
					}
					++ok_calls;
					events += static_cast<int>(batch.size());
					unconditional += !f;
					batched += batch.size() > 1;
					break;
				} catch (const PgError &e) {
					if (txn) c.exec_quiet("ROLLBACK");
					if (e.is_conflict()) {
						++conflicts;
						continue;
					}
					out.violation("random: call " + call + " (filter " + describe(f) + "): " + error_text(e));
					break;
				}
			}
		}
	});
	double secs = seconds_since(t0);

	Log log = read_log(db, out);
	finish_tailers(tailers, log, rec);
	rec.check_all(log, out);
	long tail_reads = 0;
	for (auto &tl : tailers) tail_reads += tl->reads();
	out.figure(std::to_string(clients) + " clients: " + std::to_string(ok_calls.load()) + " appends (" +
	           std::to_string(events.load()) + " events; " + std::to_string(batched.load()) + " batches, " +
	           std::to_string(unconditional.load()) + " unconditional, " + std::to_string(in_txn.load()) +
	           " in explicit transactions), " + std::to_string(conflicts.load()) + " conflicts (40001); " +
	           std::to_string(rec.reads()) + " reads (" + std::to_string(fresh_reads.load()) +
	           " of one's own committed event) and " + std::to_string(tailers.size()) + " catch-up readers (" +
	           std::to_string(tail_reads) + " pages) checked; " + fmt(secs) + " s");
	if (secs > 44) out.figure("random: stopped at the 45 s bound before all iterations ran");
}

void scenario_catch_up(const Settings &st, Outcome &out) {
	const std::string db = fresh_database(st, "catchup");
	const int writers = 8;
	const int per_writer = st.scaled(35);
	Recorder rec;
	std::atomic<int> ok_calls{0}, rolled_back{0}, held{0}, conflicts{0}, events{0};
	std::atomic<int> writers_done{0};
	std::vector<std::unique_ptr<Tailer>> tailers;
	tailers.push_back(std::make_unique<Tailer>(db, "whole-100-a", std::nullopt, 100, out));
	tailers.push_back(std::make_unique<Tailer>(db, "whole-100-b", std::nullopt, 100, out));
	tailers.push_back(std::make_unique<Tailer>(db, "whole-100-c", std::nullopt, 100, out));
	tailers.push_back(std::make_unique<Tailer>(db, "whole-3", std::nullopt, 3, out));
	tailers.push_back(std::make_unique<Tailer>(db, "t4-10", Filter{{Item{{}, {"t4"}, {}}}}, 10, out));
	auto t0 = Clock::now();

	// Clients [0, writers) write; client `writers` probes dcb_head() while they do.
	run_threads(writers + 1, out, [&](int t) {
		struct Done {
			std::atomic<int> &n;
			bool writer;
			~Done() { n += writer; }
		} done{writers_done, t < writers};
		Conn c(db);
		if (t % 4 == 3) c.exec("SET dcb.max_lock_keys = 8");  // escalating writers
		std::mt19937_64 rng(st.seed * 4099 + t);
		if (t == writers) {
			while (writers_done < writers) {
				int64_t h = head(c);
				rec.head({"probe", h, read_seqs(c, std::nullopt)});
				std::this_thread::sleep_for(std::chrono::milliseconds(15));
			}
			return;
		}
		for (int i = 0; i < per_writer; ++i) {
			auto batch = random_batch(rng, kUniverse, 5);
			if (t == 0 && i % 10 == 5)  // now and then a large batch: all of it or nothing becomes visible
				for (int k = 0; k < 300; ++k) batch.push_back({kTypes[k % 3], {kTags[k % 5]}, {{"k", "x"}}});
			OptFilter f = chance(rng, 0.5) ? OptFilter() : Filter{{Item{{}, {kTags[pick(rng, 5)]}, {}}}};
			const bool slow = chance(rng, 0.25);
			const bool abort = slow && chance(rng, 0.2);
			for (int attempt = 0; attempt < 8; ++attempt) {
				const std::string call = "w" + std::to_string(t) + "-" + std::to_string(i) + "-a" + std::to_string(attempt);
				try {
					c.exec("BEGIN");
					std::optional<int64_t> expected;
					if (f) expected = max_seq(read_seqs(c, f, 0, 1, true));
					int64_t seq = append(c, call, f, expected, batch);
					if (slow) std::this_thread::sleep_for(std::chrono::milliseconds(20 + pick(rng, 100)));
					if (abort) {
						c.exec("ROLLBACK");
						++rolled_back;
						break;
					}
					c.exec("COMMIT");
					rec.call({call, f, expected, static_cast<int>(batch.size()), seq});
					++ok_calls;
					held += slow;
					events += static_cast<int>(batch.size());
					break;
				} catch (const PgError &e) {
					c.exec_quiet("ROLLBACK");
					if (!e.is_conflict()) throw;
					++conflicts;
				}
			}
		}
	});
	double secs = seconds_since(t0);

	Log log = read_log(db, out);
	finish_tailers(tailers, log, rec);
	rec.check_all(log, out);
	long tail_reads = 0;
	for (auto &tl : tailers) tail_reads += tl->reads();
	out.figure(std::to_string(writers) + " writers: " + std::to_string(ok_calls.load()) + " commits (" +
	           std::to_string(events.load()) + " events, " + std::to_string(held.load()) +
	           " held open 20-120 ms after appending), " + std::to_string(rolled_back.load()) + " rolled back, " +
	           std::to_string(conflicts.load()) + " conflicts; " + std::to_string(tailers.size()) +
	           " catch-up readers read " + std::to_string(tail_reads) + " pages and each delivered its whole stream; " +
	           fmt(secs) + " s");
}

}  // namespace dcbc
