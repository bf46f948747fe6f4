// scenario_transactions.cpp — scenario 8: decisions inside longer explicit transactions (READ COMMITTED).
//
// Transaction clients run BEGIN; read; append; read their own events back and check dcb_head() (G5: a
// transaction sees its own appends); sometimes take a second decision on what they now see (read, append
// with the new max) ; COMMIT. Autocommit clients decide on the same small universe meanwhile. Afterwards
// G1, G2 and G4 on the final log.
//
// A read after an append in the same transaction waits for other writers while holding its own append's
// locks, so it can close a lock cycle with another append; PostgreSQL breaks it with 40P01 (deadlock
// detected, a retryable transaction-rollback error). G1-G5 promise nothing about deadlocks across several
// statements, so 40P01 is retried and reported here (also when an autocommit call is the chosen victim);
// any other error fails the scenario.
#include "gen.hpp"
#include "scenarios.hpp"

#include <algorithm>
#include <random>

namespace dcbc {

namespace {

const std::vector<std::string> kTypes = {"A", "B"};
const std::vector<std::string> kTags = {"t1", "t2", "t3", "t4"};

Filter random_tag_filter(std::mt19937_64 &rng) {
	Filter f;
	int n = 1 + pick(rng, 2);
	for (int i = 0; i < n; ++i) {
		Item it;
		it.tags.push_back(kTags[pick(rng, 4)]);
		if (pick(rng, 2)) it.types.push_back(kTypes[pick(rng, 2)]);
		f.items.push_back(std::move(it));
	}
	return f;
}

std::vector<EventSpec> random_events(std::mt19937_64 &rng) {
	std::vector<EventSpec> evs;
	int n = 1 + pick(rng, 3);
	for (int i = 0; i < n; ++i) {
		std::vector<std::string> tags = {kTags[pick(rng, 4)]};
		if (pick(rng, 2)) {
			std::string t = kTags[pick(rng, 4)];
			if (t != tags[0]) tags.push_back(t);
		}
		evs.push_back({kTypes[pick(rng, 2)], tags, {{"k", "x"}}});
	}
	return evs;
}

}  // namespace

void scenario_transactions(const Settings &st, Outcome &out) {
	const std::string db = fresh_database(st, "txn");
	const int txn_clients = 5, auto_clients = 3;
	const int per_client = st.scaled(6);
	Recorder rec;
	std::atomic<int> committed{0}, two_decisions{0}, conflicts{0}, txn_deadlocks{0}, auto_deadlocks{0}, auto_ok{0};
	// The contract: at REPEATABLE READ / SERIALIZABLE the functions keep G1-G5 or refuse with a clear error. This
	// store refuses; then nothing may be written (the ledger check flags any event of these calls).
	{
		Conn c(db);
		for (const char *level : {"REPEATABLE READ", "SERIALIZABLE"}) {
			for (int which = 0; which < 2; ++which) {
				c.exec(std::string("BEGIN ISOLATION LEVEL ") + level);
				try {
					if (which == 0)
						read_seqs(c, Filter{{Item{{}, {"t1"}, {}}}});
					else
						append(c, std::string("iso-") + level, Filter{{Item{{}, {"t1"}, {}}}}, 0, {{"A", {"t1"}, {}}});
					c.exec("COMMIT");
					out.figure(std::string(which ? "dcb_append" : "dcb_read") + " is accepted at " + level);
				} catch (const PgError &e) {
					c.exec_quiet("ROLLBACK");
					if (e.sqlstate.empty() || e.sqlstate.starts_with("40") || e.message.empty())
						out.violation(std::string("txn: at ") + level + " the refusal is not a clear error: " + error_text(e));
				}
			}
		}
	}
	auto t0 = Clock::now();
	auto deadline = t0 + std::chrono::seconds(15);

	run_threads(txn_clients + auto_clients, out, [&](int t) {
		Conn c(db);
		std::mt19937_64 rng(st.seed * 31337 + t);
		const bool in_txn = t < txn_clients;
		// Two transaction clients get a small lock-key budget: their later appends in a transaction escalate.
		if (in_txn && t % 3 == 2) c.exec("SET dcb.max_lock_keys = 12");
		for (int i = 0; i < per_client && Clock::now() < deadline; ++i) {
			for (int attempt = 0; attempt < 10; ++attempt) {
				const std::string base = "c" + std::to_string(t) + "-" + std::to_string(i) + "-a" + std::to_string(attempt);
				std::vector<CallRecord> calls;
				try {
					if (in_txn) c.exec("BEGIN");
					Filter f1 = random_tag_filter(rng);
					auto seqs = read_seqs(c, f1);
					rec.read({base + "/1", f1, 0, seqs});
					auto batch1 = random_events(rng);
					int64_t seq1 = append(c, base + "/1", f1, max_seq(seqs), batch1);
					calls.push_back({base + "/1", f1, max_seq(seqs), static_cast<int>(batch1.size()), seq1});
					if (in_txn) {
						// G5: the transaction sees its own events, and dcb_head() covers them.
						Filter own{{Item{{batch1.back().type}, batch1.back().tags, {}}}};
						auto mine = read_seqs(c, own, seq1 - 1);
						if (mine.empty() || mine.front() != seq1)
							out.violation("G5: inside its transaction, call " + base + "/1 read " + describe(own) +
							              " after " + std::to_string(seq1 - 1) + " and did not get its own seq " +
							              std::to_string(seq1));
						int64_t h = head(c);
						if (h < seq1)
							out.violation("G5: inside its transaction, dcb_head() = " + std::to_string(h) +
							              " is below the transaction's own seq " + std::to_string(seq1));
						if (pick(rng, 2)) {  // a second decision on what the transaction now sees
							Filter f2 = random_tag_filter(rng);
							auto seqs2 = read_seqs(c, f2);
							auto batch2 = random_events(rng);
							int64_t seq2 = append(c, base + "/2", f2, max_seq(seqs2), batch2);
							calls.push_back({base + "/2", f2, max_seq(seqs2), static_cast<int>(batch2.size()), seq2});
						}
						c.exec("COMMIT");
						++committed;
						two_decisions += calls.size() == 2;
					} else {
						++auto_ok;
					}
					for (auto &cr : calls) rec.call(std::move(cr));
					break;
				} catch (const PgError &e) {
					if (in_txn) c.exec_quiet("ROLLBACK");
					if (e.is_conflict()) {
						++conflicts;
						continue;
					}
					if (e.sqlstate == "40P01") {
						++(in_txn ? txn_deadlocks : auto_deadlocks);
						continue;
					}
					out.violation("txn: " + base + ": " + error_text(e));
					break;
				}
			}
		}
	});
	double secs = seconds_since(t0);

	Log log = read_log(db, out);
	rec.check_all(log, out);
	out.figure(std::to_string(txn_clients) + " transaction clients: " + std::to_string(committed.load()) +
	           " transactions committed (" + std::to_string(two_decisions.load()) + " with two decisions); " +
	           std::to_string(auto_clients) + " autocommit clients: " + std::to_string(auto_ok.load()) + " appends; " +
	           std::to_string(conflicts.load()) + " conflicts (40001); deadlocks (40P01, retried): " +
	           std::to_string(txn_deadlocks.load()) + " in transactions, " + std::to_string(auto_deadlocks.load()) +
	           " autocommit calls chosen as victims; " + fmt(secs) + " s");
	if (secs > 14) out.figure("txn: stopped at the 15 s bound before all iterations ran");
}

}  // namespace dcbc
