// scenario_inflight.cpp — scenario 4: reads taken while a lower seq is still in flight.
//
// A holder appends an event with tag hold:h inside a transaction and keeps it open; meanwhile other
// clients append (unconditionally) and commit more hold:h events, which get higher seqs. While the lower
// seq is in flight, deciders read the boundary and append with the max seq they read (or with dcb_head()),
// and resuming catch-up readers (boundary and whole log) keep polling. Then the holder commits (rounds 1
// and 2; in round 2 its append escalates: it locks none of its keys), rolls back (round 3), or prepares the
// transaction and commits it with COMMIT PREPARED (round 4, two-phase commit). Afterwards, on the
// final log: no read returned rows beyond the held seq without it (G2), no decider's append missed it
// (G1), every catch-up reader delivered every event exactly once and in order, every dcb_head() was safe.
#include "scenarios.hpp"
#include "tailer.hpp"

#include <thread>

namespace dcbc {

void scenario_inflight(const Settings &st, Outcome &out) {
	const std::string db = fresh_database(st, "inflight");
	const std::string H = "hold:h";
	const Filter by_tag{{Item{{}, {H}, {}}}};
	const Filter by_type_tag{{Item{{"Held", "Other", "Decided"}, {H}, {}}}};
	const int rounds = 4;
	const int others = 4, deciders = 4;
	const auto hold_for = std::chrono::milliseconds(1500);
	Recorder rec;
	{
		Conn c(db);
		for (int i = 0; i < 5; ++i)
			append_recorded(c, rec, "seed-" + std::to_string(i), std::nullopt, std::nullopt, {{"Other", {H}, {}}});
	}
	std::vector<std::unique_ptr<Tailer>> tailers;
	tailers.push_back(std::make_unique<Tailer>(db, "hold-2", by_tag, 2, out));
	tailers.push_back(std::make_unique<Tailer>(db, "hold-typed-1", by_type_tag, 1, out));
	tailers.push_back(std::make_unique<Tailer>(db, "whole-100", std::nullopt, 100, out));
	tailers.push_back(std::make_unique<Tailer>(db, "whole-4", std::nullopt, 4, out));
	std::atomic<int> conflicts{0}, decided{0}, returned_in_hold{0}, waited_for_hold{0};
	std::string held_seqs;
	auto t0 = Clock::now();

	for (int r = 1; r <= rounds; ++r) {
		const bool commit = r != 3;
		const bool prepared = r == 4;  // two-phase commit: the append stays in flight as a prepared transaction
		const std::string gid = db + "_r" + std::to_string(r);
		// The catch-up readers pause while the round is set up: a whole-log read waiting for sh would queue
		// its lock ahead of the writers below; that interaction is the isolation scenario's business, here
		// the point is what reads return once higher seqs are committed above an in-flight one.
		for (auto &tl : tailers) tl->pause();
		Conn holder(db);
		holder.exec("BEGIN");
		const std::string held_call = "held-r" + std::to_string(r);
		std::vector<EventSpec> held_event = {{"Held", {H, "round:" + std::to_string(r)}, {}}};
		if (r == 2) {  // this round's holder escalates: it locks none of its own keys
			holder.exec("SET LOCAL dcb.max_lock_keys = 4");
			held_event.push_back({"Held", {H, "round:2", "escalated:yes"}, {}});
		}
		const int64_t sh = append(holder, held_call, std::nullopt, std::nullopt, held_event);
		if (prepared) holder.exec("PREPARE TRANSACTION '" + gid + "'");
		held_seqs += (r > 1 ? ", " : "") + std::to_string(sh) +
		             (prepared ? " (prepared, then committed)" : commit ? " (committed)" : " (rolled back)");

		// Higher seqs on the same boundary commit while sh is in flight (unconditional appends: no waiting).
		run_threads(others, out, [&](int w) {
			Conn c(db);
			c.exec("SET statement_timeout = '5s'");
			for (int k = 0; k < 3; ++k) {
				const std::string call = "other-r" + std::to_string(r) + "-" + std::to_string(w) + "-" + std::to_string(k);
				try {
					int64_t q = append_recorded(c, rec, call, std::nullopt, std::nullopt, {{"Other", {H}, {}}});
					if (q <= sh)
						out.violation("inflight: seq " + std::to_string(q) + " appended after seq " + std::to_string(sh) +
						              " was taken: seqs must increase in append order");
				} catch (const PgError &e) {
					out.violation("G3: an unconditional append on " + H + " while seq " + std::to_string(sh) +
					              " was in flight failed: " + error_text(e));
				}
			}
		});
		for (auto &tl : tailers) tl->resume();

		// Client 0 holds, then ends the transaction; the others decide on reads taken during the hold.
		std::atomic<bool> holding{true};
		run_threads(deciders + 1, out, [&](int d) {
			if (d == 0) {
				std::this_thread::sleep_for(hold_for);
				holding = false;
				holder.exec(prepared ? "COMMIT PREPARED '" + gid + "'" : commit ? "COMMIT" : "ROLLBACK");
				if (commit) rec.call({held_call, std::nullopt, std::nullopt, static_cast<int>(held_event.size()), sh});
				return;
			}
			Conn c(db);
			const Filter &f = (d % 2) ? by_tag : by_type_tag;
			for (int i = 0;; ++i) {
				bool last_pass = !holding;  // one more decision after the holder ended
				const std::string call = "decide-r" + std::to_string(r) + "-" + std::to_string(d) + "-" + std::to_string(i);
				bool started_in_hold = holding;
				int64_t expected;
				if (d <= 2) {
					auto seqs = read_seqs(c, f);
					rec.read({call, f, 0, seqs});
					expected = seqs.empty() ? 0 : seqs.back();
				} else {  // dcb_head() as expected_max, checked by a whole-log read taken after it
					expected = head(c);
					rec.head({call, expected, read_seqs(c, std::nullopt)});
				}
				if (started_in_hold) (holding ? returned_in_hold : waited_for_hold)++;
				try {
					append_recorded(c, rec, call, f, expected, {{"Decided", {H, "decider:" + std::to_string(d)}, {}}});
					++decided;
				} catch (const PgError &e) {
					if (!e.is_conflict()) throw;
					++conflicts;
				}
				if (last_pass) break;
				std::this_thread::sleep_for(std::chrono::milliseconds(100));
			}
		});
	}
	double secs = seconds_since(t0);

	Log log = read_log(db, out);
	finish_tailers(tailers, log, rec);
	rec.check_all(log, out);
	out.figure(std::to_string(rounds) + " rounds, held seqs " + held_seqs + ", each held " +
	           std::to_string(hold_for.count()) + " ms while " + std::to_string(others * 3) +
	           " higher hold:h seqs committed; " + std::to_string(deciders) + " deciders: " +
	           std::to_string(decided.load()) + " appends, " + std::to_string(conflicts.load()) +
	           " conflicts (40001); reads started during a hold: " + std::to_string(returned_in_hold.load()) +
	           " returned during it, " + std::to_string(waited_for_hold.load()) + " waited for it to end; " +
	           std::to_string(tailers.size()) + " catch-up readers; " + fmt(secs) + " s");
}

}  // namespace dcbc
