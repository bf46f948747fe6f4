// scenarios.hpp — the concurrency scenarios; each creates its own fresh database, drives many clients,
// then checks invariants on the final log. Each is bounded in time and count.
#pragma once

#include "driver.hpp"

#include <string>
#include <vector>

namespace dcbc {

struct Scenario {
	const char *name;
	const char *what;
	void (*run)(const Settings &, Outcome &);
};

void scenario_racers(const Settings &st, Outcome &out);      // 1: same name, exactly one winner
void scenario_course(const Settings &st, Outcome &out);      // 2: capacity-limited course
void scenario_random(const Settings &st, Outcome &out);      // 3: random overlapping filters, G1
void scenario_inflight(const Settings &st, Outcome &out);    // 4: read while a lower seq is in flight
void scenario_disjoint(const Settings &st, Outcome &out);    // 5: disjoint boundaries, no conflicts
void scenario_isolation(const Settings &st, Outcome &out);   // 6: open transaction blocks no other boundary
void scenario_catch_up(const Settings &st, Outcome &out);    // 7: whole-log catch-up readers
void scenario_transactions(const Settings &st, Outcome &out); // 8: decisions inside explicit transactions
void scenario_idempotent(const Settings &st, Outcome &out);   // 9: the same ids appended concurrently
void scenario_stats(const Settings &st, Outcome &out);        // dcb_stats exact under many clients

const std::vector<Scenario> &all_scenarios();

}  // namespace dcbc
