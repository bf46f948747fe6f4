// scenario_idempotent.cpp — scenario 9: the same batch, with the same event ids, appended by many clients
// at the same instant (a client retrying after a lost acknowledgement while its first attempt is still in
// flight, or several workers handling one command). The README: when all ids are already stored with the same
// types the call returns the stored seq and writes nothing, whatever the condition says. So: exactly one
// copy in the log, every client that succeeds is told the seq of that copy's last event; 40001 may happen
// while the first copy is in flight (retried), 23505 may not (same ids, same types).
#include "scenarios.hpp"

#include <barrier>
#include <cstdio>

namespace dcbc {

void scenario_idempotent(const Settings &st, Outcome &out) {
	const std::string db = fresh_database(st, "idempotent");
	const int clients = 16;
	const int rounds = st.scaled(20);
	std::vector<std::vector<int64_t>> returned(rounds);
	std::mutex mu;
	std::atomic<int> conflicts{0};
	std::barrier start(clients);
	auto uuid = [](int round, int k) {
		char buf[64];
		std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%06d%06d", round % 1000000, k % 1000000);
		return std::string(buf);
	};
	auto t0 = Clock::now();

	run_threads(clients, out, [&](int t) {
		try {
			Conn c(db);
			for (int r = 0; r < rounds; ++r) {
				start.arrive_and_wait();
				const std::string tag = "payment:p" + std::to_string(r);
				const OptFilter f = (t % 2) ? OptFilter(Filter{{Item{{}, {tag}, {}}}}) : OptFilter();
				const std::vector<EventSpec> batch = {{"PaymentRequested", {tag}, {}, uuid(r, 1)},
				                                      {"PaymentCaptured", {tag}, {}, uuid(r, 2)}};
				for (int attempt = 0;; ++attempt) {
					if (attempt == 10) {
						out.violation("idempotent: client " + std::to_string(t) + " still conflicting on " + tag);
						break;
					}
					try {
						int64_t seq = append(c, "p" + std::to_string(r) + "-c" + std::to_string(t), f,
						                     f ? std::optional<int64_t>(0) : std::nullopt, batch);
						std::lock_guard g(mu);
						returned[r].push_back(seq);
						break;
					} catch (const PgError &e) {
						if (!e.is_conflict()) {
							out.violation("idempotent: client " + std::to_string(t) + " appending the stored batch of " +
							              tag + " again (same ids, same types) got " + error_text(e));
							break;
						}
						++conflicts;
					}
				}
			}
		} catch (...) {
			start.arrive_and_drop();
			throw;
		}
	});
	double secs = seconds_since(t0);

	Log log = read_log(db, out);
	out.violations(check_g1(log));
	int exact = 0;
	for (int r = 0; r < rounds; ++r) {
		const std::string tag = "payment:p" + std::to_string(r);
		auto seqs = log.matching_seqs(Filter{{Item{{}, {tag}, {}}}}, 0, INT64_MAX);
		if (seqs.size() != 2) {
			out.violation("idempotent: " + tag + " holds " + std::to_string(seqs.size()) + " events, expected one copy (2)");
			continue;
		}
		const LogEvent *first = log.find(seqs[0]);
		const LogEvent *second = log.find(seqs[1]);
		if (first->call != second->call || first->idx != 0 || second->idx != 1)
			out.violation("idempotent: the two events of " + tag + " come from different calls or are out of order");
		bool all_same = true;
		for (int64_t q : returned[r]) all_same = all_same && q == seqs[1];
		if (!all_same)
			out.violation("idempotent: for " + tag + " (stored at seqs " + std::to_string(seqs[0]) + ", " +
			              std::to_string(seqs[1]) + ") clients were told other seqs");
		exact += all_same;
	}
	out.figure(std::to_string(clients) + " clients x " + std::to_string(rounds) +
	           " identical 2-event batches (same ids; half conditional): " + std::to_string(exact) +
	           " stored exactly once with every client told the stored seq; " + std::to_string(conflicts.load()) +
	           " conflicts (40001) retried; " + fmt(secs) + " s");
}

}  // namespace dcbc
