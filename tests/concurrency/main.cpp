// main.cpp — dcb_concurrency: runs the concurrency scenarios against a real server and checks invariants.
//
//   dcb_concurrency [--scenario NAME]... [--scale X] [--seed N] [--db-prefix P] [--require-server] [--list]
//                   [--setup-sql FILE --expect-failure]
//
// Each scenario gets a fresh database <prefix>_<name> (CREATE EXTENSION dcb), left in place afterwards
// for inspection. Prints one line per scenario and closes with "N passed, M failed"; exits 1 on any
// failure. Without --require-server, an unreachable server exits 77 (ctest: skipped).
// --setup-sql FILE replaces CREATE EXTENSION dcb with the SQL in FILE (mock/naive.sql, a deliberately broken
// store); --expect-failure then exits 0 only when every scenario run found a violation.
#include "scenarios.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <cstring>
#include <iostream>

namespace dcbc {

const std::vector<Scenario> &all_scenarios() {
	static const std::vector<Scenario> list = {
	    {"racers", "many racers register the same name: exactly one wins", scenario_racers},
	    {"course", "capacity-limited courses never exceed their limit", scenario_course},
	    {"random", "random overlapping filters and batches: G1/G2/G4 on the final log", scenario_random},
	    {"inflight", "reads while a lower seq is in flight miss nothing", scenario_inflight},
	    {"disjoint", "disjoint boundaries: zero conflicts, throughput", scenario_disjoint},
	    {"isolation", "an open transaction blocks no other boundary", scenario_isolation},
	    {"catchup", "whole-log catch-up readers deliver the whole log", scenario_catch_up},
	    {"txn", "decisions inside explicit transactions see their own appends", scenario_transactions},
	    {"idempotent", "the same batch and ids appended at once is stored once", scenario_idempotent},
	    {"stats", "dcb_stats equals the clients' counts and the log", scenario_stats},
	};
	return list;
}

}  // namespace dcbc

using namespace dcbc;

static int usage() {
	std::cerr << "usage: dcb_concurrency [--scenario NAME]... [--scale X] [--seed N] [--db-prefix P] "
	             "[--require-server] [--list] [--setup-sql FILE --expect-failure]\n";
	return 2;
}

int main(int argc, char **argv) {
	Settings st;
	st.seed = static_cast<uint64_t>(std::time(nullptr));
	std::vector<std::string> wanted;
	bool require_server = false, expect_failure = false;
	for (int i = 1; i < argc; ++i) {
		std::string a = argv[i];
		auto value = [&]() -> std::string {
			if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
			return argv[++i];
		};
		try {
			if (a == "--scenario") wanted.push_back(value());
			else if (a == "--scale") st.scale = std::stod(value());
			else if (a == "--seed") st.seed = std::stoull(value());
			else if (a == "--db-prefix") st.db_prefix = value();
			else if (a == "--require-server") require_server = true;
			else if (a == "--expect-failure") expect_failure = true;
			else if (a == "--setup-sql") st.setup_sql = read_text_file(value());
			else if (a == "--list") {
				for (const auto &s : all_scenarios()) std::cout << s.name << "\t" << s.what << "\n";
				return 0;
			} else return usage();
		} catch (const std::exception &e) {
			std::cerr << e.what() << "\n";
			return usage();
		}
	}
	std::vector<const Scenario *> run;
	for (const auto &s : all_scenarios())
		if (wanted.empty() || std::find(wanted.begin(), wanted.end(), s.name) != wanted.end()) run.push_back(&s);
	if (run.size() != (wanted.empty() ? all_scenarios().size() : wanted.size())) {
		std::cerr << "unknown scenario name (see --list)\n";
		return 2;
	}

	try {
		Conn probe("postgres");
	} catch (const std::exception &e) {
		std::cerr << "dcb_concurrency: cannot reach the server: " << e.what() << "\n";
		if (!require_server) return 77;
		std::cout << "0 passed, " << run.size() << " failed\n";
		return 1;
	}

	std::cout << "dcb concurrency suite (seed " << st.seed << ", scale " << st.scale << ")" << std::endl;
	int passed = 0, failed = 0;
	for (const Scenario *s : run) {
		Outcome out;
		auto t0 = Clock::now();
		try {
			s->run(st, out);
		} catch (const PgError &e) {
			out.violation("scenario aborted: " + error_text(e));
		} catch (const std::exception &e) {
			out.violation(std::string("scenario aborted: ") + e.what());
		}
		bool ok = out.passed();
		(ok ? passed : failed)++;
		std::cout << (ok ? "PASS " : "FAIL ") << s->name << " (" << fmt(seconds_since(t0)) << " s): " << s->what << "\n";
		for (const auto &f : out.figures()) std::cout << "    " << f << "\n";
		for (const auto &v : out.shown_violations()) std::cout << "    VIOLATION: " << v << "\n";
		if (out.total() > out.shown_violations().size())
			std::cout << "    ... " << out.total() << " violations in all (" << out.counts_by_kind() << ")\n";
		std::cout.flush();
	}
	std::cout << passed << " passed, " << failed << " failed" << std::endl;
	if (expect_failure) {
		std::cout << (passed ? "the suite missed the planted bugs in " + std::to_string(passed) + " scenario(s)"
		                     : std::string("every scenario detected the planted bugs"))
		          << std::endl;
		return passed ? 1 : 0;
	}
	return failed ? 1 : 0;
}
