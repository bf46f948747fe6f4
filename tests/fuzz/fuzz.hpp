// fuzz.hpp — the hostile-input driver's vocabulary: one call of a SQL function with its arguments and what
// the server must make of it, the functions under test (targets.cpp), and the driver's state.
//
// Adding a function to the fuzz = adding a Target to all_targets() (targets.cpp): its signature (the driver
// exercises it only once to_regprocedure finds it), the SQLSTATEs the README documents for it, and a
// generator of calls in three modes: valid (must succeed), one known defect (must fail with the documented
// code) and chaos (anything; must succeed or fail with a documented code).
#pragma once

#include "hostile.hpp"
#include "pg.hpp"

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dcbf {

// One argument: its text (nullopt: SQL NULL), the SQL type it is cast to, and whether it travels in binary
// format (jsonb: a version byte then the text; text: the raw bytes, so that a NUL byte reaches the server).
struct Arg {
	std::optional<std::string> value;
	std::string type;
	bool binary = false;
};

enum class Expect {
	Any,      // succeed, or fail with a documented SQLSTATE (or an input error of the argument types)
	Succeed,  // valid input: must succeed
	Fail,     // exactly one known defect: must fail with one of `codes`
};

enum class Mode { Valid, Defect, Chaos };

// A successful append whose every event carried an id: a later call may send it again (idempotent replay)
// while the limits in force still allow it.
struct Replayable {
	std::string events;  // the events text as sent (valid jsonb)
	int n = 1;           // events
	int max_tags = 0;    // tags on one event, at most
	int64_t seq = 0;     // the position it returned
};

struct Call;
// Checks a successful call's result (first row, as text; nullopt for NULL or no row); "" when it is right.
using ResultCheck = std::function<std::string(const std::vector<std::optional<std::string>> &row)>;

struct Call {
	std::string sql;  // parameters as $n::type
	std::vector<Arg> args;
	Expect expect = Expect::Any;
	std::set<std::string> codes;  // with Expect::Fail
	std::string intent;           // what the generator meant, for reports
	ResultCheck check;            // optional
	// appends: the events argument (index into args); a new write whose every event carries an id (it may be
	// sent again later; the driver fills in its position); a replay of such a write, with its position
	int events_arg = -1;
	std::optional<Replayable> replayable;
	std::optional<int64_t> replay_of;
	// bookkeeping the target wants on commit (consumer positions, ...)
	std::function<void()> on_commit;
};

// What the generators may consult and the targets keep between calls.
struct State {
	Limits limits;
	int64_t head = 0;                          // the last committed position (the driver is the only writer)
	std::vector<Replayable> replayable;        // recent all-ids appends
	std::map<std::string, int64_t> consumers;  // dcb_consumer_advance positions committed so far
};

struct Target {
	const char *name;
	const char *signature;  // to_regprocedure() argument: the function is exercised only when it exists
	int weight;
	bool writes_log;                      // successful calls are recorded and compared with the log
	bool writes;                          // refused in a read-only transaction
	bool refuses_above_read_committed;    // README: refuses at REPEATABLE READ / SERIALIZABLE with 0A000
	bool bounded_wait;                    // may wait: run under a short statement_timeout, 57014 accepted
	std::set<std::string> documented;     // SQLSTATEs the README documents for it
	std::function<Call(Gen &, Mode, State &)> make;
};

const std::vector<Target> &all_targets();

// Calls at the default limits, each side of each (the 100,000-event batch, the 1 MB payload, 100 tags, 100
// filter items, 100 types or tags in an item), for the named target; st.limits must be the defaults.
std::vector<std::pair<std::string, Call>> boundary_calls(Gen &g, State &st);

// PostgreSQL's own errors for text that is not valid input of the argument's type, raised while the
// parameters are converted, before the function runs (tests/fuzz/README.md lists why each is there). The
// driver accepts one of these only when casting the same arguments alone fails with the same SQLSTATE.
const std::set<std::string> &input_error_codes();

}  // namespace dcbf
