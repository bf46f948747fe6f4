// scenario_stats.cpp — the server's statistics (dcb_stats) are exact under concurrency.
//
// 16 clients work on two stores of one database (the default store and "side") with a mix that
// exercises every counter: conditional decisions on a few hot tags (conflicts, retried), unconditional
// batches, batches that escalate (a transaction with dcb.max_lock_keys = 4 appending 12 events with
// distinct tags), idempotent replays of batches already committed (its own and other clients'), explicit
// transactions that commit two appends, roll back, or roll back one savepoint, reads (counting their
// rows) and dcb_wait calls. Each client counts what it did and what the server told it; what it wrote
// counts only once its transaction committed.
//
// Afterwards, per store, every counter of dcb_stats must equal the clients' totals, and the log must
// agree: events = the store's events, appends = the distinct calls (each event records its call),
// escalations = the distinct calls of escalated batches. lock_waits and lock_wait_time cannot be known
// by the clients; they must be consistent (both zero or both positive, the time within the run's
// wall time times the clients) and positive, as the hot tags make appends wait for each other.
#include "scenarios.hpp"

#include <random>
#include <set>

namespace dcbc {

namespace {

constexpr int n_stores = 2;
const char *const store_names[n_stores] = {"default", "side"};

struct Counts {
	int64_t appends = 0, events = 0, conflicts = 0, replays = 0, escalations = 0, reads = 0, rows_read = 0,
	        waits = 0;
	Counts &operator+=(const Counts &o) {
		appends += o.appends;
		events += o.events;
		conflicts += o.conflicts;
		replays += o.replays;
		escalations += o.escalations;
		reads += o.reads;
		rows_read += o.rows_read;
		waits += o.waits;
		return *this;
	}
};

// A committed batch with ids, which anyone may replay.
struct IdBatch {
	int store;
	std::vector<EventSpec> events;
};

std::string uuid_of(uint64_t n) {
	char buf[40];
	std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012llx", static_cast<unsigned long long>(n));
	return buf;
}

int64_t append_to(Conn &c, int store, const std::string &call, const OptFilter &f, std::optional<int64_t> expected,
                  const std::vector<EventSpec> &events) {
	Param exp = expected ? Param(std::to_string(*expected)) : Param();
	auto r = c.exec("SELECT dcb_append($1::jsonb, $2::bigint, $3::jsonb, $4)",
	                {to_json(f), exp, append_events_json(call, f, expected, events), std::string(store_names[store])});
	return r.i64(0, 0);
}

// dcb_read; returns (rows, max seq).
std::pair<int64_t, int64_t> read_rows(Conn &c, int store, const OptFilter &f, int64_t after, std::optional<int> max) {
	auto r = c.exec("SELECT count(*), coalesce(max(seq), 0) FROM dcb_read($1::jsonb, $2::bigint, $3::int, false, $4)",
	                {to_json(f), std::to_string(after), max ? Param(std::to_string(*max)) : Param(),
	                 std::string(store_names[store])});
	return {r.i64(0, 0), r.i64(0, 1)};
}

}  // namespace

void scenario_stats(const Settings &st, Outcome &out) {
	const std::string db = fresh_database(st, "stats");
	{
		Conn admin(db);
		admin.exec("SELECT dcb_create_store('side')");
		for (const char *s : store_names) admin.exec("SELECT dcb_stats_reset($1)", {std::string(s)});
	}
	const int clients = 16;
	const int ops = st.scaled(150);
	std::mutex mu;
	std::vector<Counts> totals(n_stores);
	std::vector<IdBatch> id_batches;  // committed, replayable
	std::atomic<uint64_t> next_id{1};
	std::atomic<int> deadlocks{0};
	auto t0 = Clock::now();

	run_threads(clients, out, [&](int t) {
		Conn c(db);
		std::mt19937_64 rng(st.seed * 7919 + t);
		auto pick = [&](int n) { return static_cast<int>(rng() % n); };
		std::vector<Counts> mine(n_stores);  // committed or happened
		int call_no = 0;
		auto call_id = [&](const char *kind) { return std::string(kind) + "-" + std::to_string(t) + "-" + std::to_string(call_no++); };
		auto hot = [&]() { return Filter{{Item{{}, {"acct:" + std::to_string(pick(4))}, {}}}}; };
		auto batch = [&](int n, const std::string &prefix, bool ids) {
			std::vector<EventSpec> evs;
			for (int i = 0; i < n; ++i) {
				EventSpec e{"Stat", {prefix + std::to_string(pick(1000000))}, {{"k", "v"}}, std::nullopt};
				if (ids) e.id = uuid_of(next_id++);
				evs.push_back(std::move(e));
			}
			return evs;
		};
		for (int op = 0; op < ops; ++op) {
			const int s = pick(10) < 7 ? 0 : 1;
			Counts &m = mine[s];
			const int kind = pick(100);
			try {
				if (kind < 30) {
					// a decision on a hot tag: read, append on the condition, retry on 40001
					const Filter f = hot();
					for (int attempt = 0; attempt < 50; ++attempt) {
						auto [rows, max] = read_rows(c, s, f, 0, std::nullopt);
						m.reads++;
						m.rows_read += rows;
						try {
							auto evs = std::vector<EventSpec>{{"Decided", f.items[0].tags, {{"k", "v"}}, std::nullopt}};
							append_to(c, s, call_id("dec"), f, max, evs);
							m.appends++;
							m.events += 1;
							break;
						} catch (const PgError &e) {
							if (!e.is_conflict()) throw;
							m.conflicts++;
						}
					}
				} else if (kind < 45) {
					// an unconditional batch, with ids half of the time (replayable afterwards)
					const bool ids = pick(2) == 0;
					auto evs = batch(1 + pick(3), "u:", ids);
					append_to(c, s, call_id("u"), std::nullopt, std::nullopt, evs);
					m.appends++;
					m.events += static_cast<int64_t>(evs.size());
					if (ids) {
						std::lock_guard g(mu);
						id_batches.push_back({s, evs});
					}
				} else if (kind < 55) {
					// replay a committed batch (anyone's), in autocommit or in a transaction that rolls back
					std::optional<IdBatch> b;
					{
						std::lock_guard g(mu);
						if (!id_batches.empty()) b = id_batches[rng() % id_batches.size()];
					}
					if (!b) continue;
					const bool in_rollback = pick(3) == 0;
					if (in_rollback) c.exec("BEGIN");
					append_to(c, b->store, call_id("replay"), std::nullopt, std::nullopt, b->events);
					mine[b->store].replays++;  // counted when it happens, whatever the transaction does
					if (in_rollback) c.exec("ROLLBACK");
				} else if (kind < 62) {
					// an escalated batch: past a budget of 4 lock keys
					auto evs = batch(12, "esc:", false);
					c.exec("BEGIN");
					c.exec("SET LOCAL dcb.max_lock_keys = 4");
					append_to(c, s, call_id("esc"), std::nullopt, std::nullopt, evs);
					c.exec("COMMIT");
					m.appends++;
					m.events += 12;
					m.escalations++;
				} else if (kind < 72) {
					// a transaction: two appends, then COMMIT, ROLLBACK, or a rolled-back savepoint between them
					const int how = pick(3);
					Counts pending;
					c.exec("BEGIN");
					try {
						auto e1 = batch(1 + pick(2), "t:", false);
						append_to(c, s, call_id("tx"), std::nullopt, std::nullopt, e1);
						pending.appends++;
						pending.events += static_cast<int64_t>(e1.size());
						if (how == 2) c.exec("SAVEPOINT sp");
						const Filter f = hot();
						auto [rows, max] = read_rows(c, s, f, 0, std::nullopt);
						m.reads++;
						m.rows_read += rows;
						auto e2 = std::vector<EventSpec>{{"InTx", f.items[0].tags, {{"k", "v"}}, std::nullopt}};
						try {
							append_to(c, s, call_id("tx"), f, max, e2);
							if (how != 2) {
								pending.appends++;
								pending.events += 1;
							}
						} catch (const PgError &e) {
							if (!e.is_conflict()) throw;
							m.conflicts++;
							if (how != 2) {  // the transaction is lost
								c.exec("ROLLBACK");
								continue;
							}
						}
						if (how == 2) c.exec("ROLLBACK TO SAVEPOINT sp");
						if (how == 1) {
							c.exec("ROLLBACK");
						} else {
							c.exec("COMMIT");
							m += pending;
						}
					} catch (...) {
						c.exec_quiet("ROLLBACK");
						throw;
					}
				} else if (kind < 90) {
					// a read of the whole store or a page of it
					auto [rows, max] = read_rows(c, s, std::nullopt, pick(50), pick(2) ? std::optional<int>(20) : std::nullopt);
					(void) max;
					m.reads++;
					m.rows_read += rows;
				} else {
					// dcb_wait: at once, or briefly
					c.exec("SELECT dcb_wait(dcb_head($1), $2::interval, $1)",
					       {std::string(store_names[s]), std::string(pick(2) ? "0" : "2 ms")});
					m.waits++;
				}
			} catch (const PgError &e) {
				c.exec_quiet("ROLLBACK");
				if (e.sqlstate == "40P01")
					++deadlocks;  // rolled back: nothing of it is counted, by the clients or the server
				else
					out.violation("stats: client " + std::to_string(t) + " got " + error_text(e));
			}
		}
		std::lock_guard g(mu);
		for (int s = 0; s < n_stores; ++s) totals[s] += mine[s];
	});
	const double secs = seconds_since(t0);

	Conn c(db);
	for (int s = 0; s < n_stores; ++s) {
		const std::string name = store_names[s];
		auto r = c.exec("SELECT appends, events, conflicts, idempotent_replays, escalations, lock_waits, "
		                "extract(epoch FROM lock_wait_time)::float8, reads, rows_read, waits FROM dcb_stats WHERE store = $1",
		                {name});
		if (r.rows() != 1) {
			out.violation("stats: no dcb_stats row for store " + name);
			continue;
		}
		auto log = c.exec("SELECT count(*), count(DISTINCT metadata->>'call'), "
		                  "count(DISTINCT metadata->>'call') FILTER (WHERE starts_with(metadata->>'call', 'esc-')) "
		                  "FROM dcb_read(NULL, 0, NULL, false, $1)",
		                  {name});
		const Counts &want = totals[s];
		auto expect = [&](const char *what, int64_t got, int64_t clients_said, std::optional<int64_t> log_says) {
			if (got != clients_said)
				out.violation("stats: store " + name + ": " + what + " = " + std::to_string(got) + ", the clients counted " +
				              std::to_string(clients_said));
			if (log_says && got != *log_says)
				out.violation("stats: store " + name + ": " + what + " = " + std::to_string(got) + ", the log says " +
				              std::to_string(*log_says));
		};
		expect("appends", r.i64(0, 0), want.appends, log.i64(0, 1));
		expect("events", r.i64(0, 1), want.events, log.i64(0, 0));
		expect("conflicts", r.i64(0, 2), want.conflicts, std::nullopt);
		expect("idempotent_replays", r.i64(0, 3), want.replays, std::nullopt);
		expect("escalations", r.i64(0, 4), want.escalations, log.i64(0, 2));
		expect("reads", r.i64(0, 7), want.reads, std::nullopt);
		expect("rows_read", r.i64(0, 8), want.rows_read, std::nullopt);
		expect("waits", r.i64(0, 9), want.waits, std::nullopt);
		const int64_t lock_waits = r.i64(0, 5);
		const double waited = std::stod(r.text(0, 6));
		if ((lock_waits == 0) != (waited == 0.0) || waited < 0 || waited > secs * clients)
			out.violation("stats: store " + name + ": lock_waits = " + std::to_string(lock_waits) + " with lock_wait_time " +
			              fmt(waited, 3) + " s in a run of " + fmt(secs) + " s with " + std::to_string(clients) + " clients");
		if (s == 0 && lock_waits == 0)
			out.violation("stats: store default: no lock wait counted, though clients decided on 4 hot tags at once");
		out.figure("store " + name + ": " + std::to_string(want.appends) + " appends (" + std::to_string(want.events) +
		           " events, " + std::to_string(want.escalations) + " escalated), " + std::to_string(want.conflicts) +
		           " conflicts, " + std::to_string(want.replays) + " replays, " + std::to_string(want.reads) + " reads (" +
		           std::to_string(want.rows_read) + " rows), " + std::to_string(want.waits) + " waits; " +
		           std::to_string(lock_waits) + " lock waits, " + fmt(waited, 3) + " s");
	}
	out.figure(std::to_string(clients) + " clients x " + std::to_string(ops) + " operations in " + fmt(secs) + " s (" +
	           std::to_string(deadlocks.load()) + " deadlocks, rolled back)");
}

}  // namespace dcbc
