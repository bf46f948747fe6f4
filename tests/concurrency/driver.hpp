// driver.hpp — what every scenario shares: settings, the outcome of a scenario, store calls over libpq,
// a thread-safe recorder of what clients did, and the common checks run on the final log.
#pragma once

#include "checks.hpp"
#include "model.hpp"
#include "pg.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace dcbc {

using Clock = std::chrono::steady_clock;

struct Settings {
	std::string db_prefix = "dcb_concurrency";
	double scale = 1.0;  // multiplies counts of rounds/iterations (not thread counts)
	uint64_t seed = 1;
	std::string setup_sql;  // when set, run this SQL text in each fresh database instead of CREATE EXTENSION dcb
	int scaled(int n) const { return std::max(1, static_cast<int>(n * scale)); }
};

// What one scenario found: violations (a scenario passes when there are none) and figures to report.
class Outcome {
  public:
	void violation(const std::string &v);
	void violations(const std::vector<std::string> &vs);
	void figure(const std::string &f);
	bool passed() const { return total() == 0; }
	size_t total() const;
	std::vector<std::string> shown_violations() const;
	// "G1: 12, G2: 3, ..." — violations counted by the kind their text starts with (up to the first ':')
	std::string counts_by_kind() const;
	std::vector<std::string> figures() const;

  private:
	mutable std::mutex mu_;
	std::vector<std::string> violations_;  // the first few of each kind, to print
	std::map<std::string, size_t> by_kind_;
	size_t total_ = 0;
	std::vector<std::string> figures_;
};

// Everything the clients did that the final-log checks need; thread-safe.
class Recorder {
  public:
	void call(CallRecord c);
	void read(ReadRecord r);
	void head(HeadRecord h);
	void catch_up(CatchUpRecord c);
	// order, ledger, G1, every recorded read, head and catch-up reader
	void check_all(const Log &log, Outcome &out) const;
	size_t calls() const;
	size_t reads() const;

  private:
	mutable std::mutex mu_;
	std::vector<CallRecord> calls_;
	std::vector<ReadRecord> reads_;
	std::vector<HeadRecord> heads_;
	std::vector<CatchUpRecord> catch_ups_;
};

// dcb_append; returns the seq of the last event. Throws PgError (40001 on a failed condition).
int64_t append(Conn &c, const std::string &call, const OptFilter &f, std::optional<int64_t> expected_max,
               const std::vector<EventSpec> &events);
// dcb_append and, on success, records the call.
int64_t append_recorded(Conn &c, Recorder &rec, const std::string &call, const OptFilter &f,
                        std::optional<int64_t> expected_max, const std::vector<EventSpec> &events);
std::vector<LogEvent> read_events(Conn &c, const OptFilter &f, int64_t after = 0,
                                  std::optional<int> max_count = std::nullopt, bool backwards = false);
std::vector<int64_t> read_seqs(Conn &c, const OptFilter &f, int64_t after = 0,
                               std::optional<int> max_count = std::nullopt, bool backwards = false);
int64_t head(Conn &c);
// The whole final log, checked for order.
Log read_log(const std::string &db, Outcome &out);

// Drops and recreates `<prefix>_<scenario>` with CREATE EXTENSION dcb (or setup_sql); returns its name.
std::string fresh_database(const Settings &st, const std::string &scenario);

// Runs body(i) for i in [0, n) on n threads; an escaping exception becomes a violation.
void run_threads(int n, Outcome &out, const std::function<void(int)> &body);

// The whole text of a file (--setup-sql); throws when it cannot be read or is empty.
std::string read_text_file(const std::string &path);

double seconds_since(Clock::time_point t0);
std::string fmt(double v, int decimals = 1);
std::string error_text(const PgError &e);

}  // namespace dcbc
