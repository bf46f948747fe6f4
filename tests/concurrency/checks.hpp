// checks.hpp — invariant checkers over the final log (pure C++, no libpq: unit-tested by selftest.cpp).
//
// Each checker returns a list of violations, one human-readable line each, naming the seqs involved;
// an empty list means the invariant holds. The checkers take the final log, read once every client is
// done, as ground truth: by then no transaction is in flight, so it holds every event that will ever exist.
#pragma once

#include "model.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace dcbc {

// A successful dcb_append as the driver saw it.
struct CallRecord {
	std::string call;
	OptFilter filter;
	std::optional<int64_t> expected_max;
	int n = 1;
	int64_t returned_seq = 0;
	// What the call sent; when given (n of them), check_ledger also compares each stored event with it.
	std::vector<EventSpec> events = {};
};

// One dcb_read result: rows with seq > after matching filter (ascending), as returned.
struct ReadRecord {
	std::string who;
	OptFilter filter;
	int64_t after = 0;
	std::vector<int64_t> seqs;
};

// A dcb_head() value, and the seqs of a whole-log read started after it returned.
struct HeadRecord {
	std::string who;
	int64_t head = 0;
	std::vector<int64_t> visible;
};

// Everything one resuming catch-up reader delivered, in delivery order.
struct CatchUpRecord {
	std::string who;
	OptFilter filter;
	std::vector<int64_t> seqs;
};

class Log {
  public:
	// `events` in the order the store returned them (must be ascending: checked by check_order).
	explicit Log(std::vector<LogEvent> events);
	const std::vector<LogEvent> &events() const { return events_; }
	const LogEvent *find(int64_t seq) const;
	// Events of the given call, by idx (missing ones absent).
	std::vector<const LogEvent *> call_events(const std::string &call) const;
	std::vector<int64_t> matching_seqs(const OptFilter &f, int64_t after_excl, int64_t upto_incl) const;
	const std::vector<LogEvent> &sorted() const { return sorted_; }

  private:
	std::vector<LogEvent> events_;  // as returned
	std::vector<LogEvent> sorted_;  // by seq
	std::unordered_map<std::string, std::vector<size_t>> by_call_;  // indexes into sorted_
};

// The whole-log read is strictly ascending and its seqs are unique and positive.
std::vector<std::string> check_order(const Log &log);

// G4 + bookkeeping: every successful call's events are all there, in the given order, the last one at the
// seq the call returned, with the condition the call used recorded (and, when the record holds them, the
// type, tags, data and id it sent); no event belongs to a call that did not succeed (a failed call wrote
// nothing). `unsure` are calls whose outcome the client never learned (the connection died during the call
// or its COMMIT; returned_seq is unused): each is in the log completely, as above, or not at all.
std::vector<std::string> check_ledger(const Log &log, const std::vector<CallRecord> &calls,
                                      const std::vector<CallRecord> &unsure = {});

// No two events of the log carry the same id.
std::vector<std::string> check_unique_ids(const Log &log);

// On a quiet store, dcb_head() is the last position of the log (0 when empty).
std::vector<std::string> check_head_is_last(const Log &log, int64_t head);

// G1 on the final log, from the conditions recorded in metadata: for every conditional call, no event
// matching its filter has a seq in (expected_max, first seq of the call).
std::vector<std::string> check_g1(const Log &log);

// G2 for one read: returned rows are ascending, > after, match, exist; and every event of the final log
// matching the filter with after < seq <= last returned seq was returned.
std::vector<std::string> check_read(const Log &log, const ReadRecord &r);

// G2 for dcb_head: every event with seq <= head is in a read taken after head returned.
std::vector<std::string> check_head(const Log &log, const HeadRecord &h);

// A resuming catch-up reader saw every matching event exactly once, in order, and nothing else.
std::vector<std::string> check_catch_up(const Log &log, const CatchUpRecord &c);

}  // namespace dcbc
