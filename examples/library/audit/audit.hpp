// An independent audit of a library event log.
//
// The command handlers decide from the events of a narrow consistency boundary. This auditor does not
// reuse any of that code: it replays the WHOLE log in seq order with one global state (every copy,
// every reader) and checks that each event was a legal transition at the moment it was written. If
// the store ever let two conflicting decisions through (a lost update), some event here is illegal.
//
// Pure: it takes records, not a connection (the simulation loads them with dcb_read).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace library::audit {

struct Record {
	std::int64_t seq = 0;
	std::string type;
	std::string book_id;    // data->>'BookID' ("" when absent)
	std::string reader_id;  // data->>'ReaderID' ("" when absent)
	std::vector<std::string> tags;
};

enum class Rule {
	copy_lent_twice,           // a copy lent while it was lent (to another reader, or the same again)
	reader_over_limit,         // a reader above 10 loans
	lend_of_copy_not_in_circulation,  // never added, or removed
	lend_to_unregistered_reader,      // never registered, or contract canceled
	return_not_lent,           // a return of a copy that was not lent to that reader
	removal_of_lent_copy,
	removal_not_in_circulation,
	cancel_with_loans,
	cancel_not_registered,
	repeated_add,              // an add/register whose effect already held: a repeat that was not a no-op
	repeated_register,
	malformed,                 // unknown type, missing ids, tags that disagree with the payload
	seq_order,                 // seqs not strictly increasing in read order
	count_
};
inline constexpr std::size_t kRuleCount = static_cast<std::size_t>(Rule::count_);
const char* describe(Rule r) noexcept;

struct Violation {
	Rule rule;
	std::int64_t seq;
	std::string detail;
};

struct Report {
	std::int64_t events = 0;
	std::int64_t first_seq = 0, last_seq = 0;
	std::map<std::string, std::int64_t> by_type;
	std::array<std::int64_t, kRuleCount> violations_by_rule{};
	std::vector<Violation> examples;  // the first few of each rule
	int max_loans_of_a_reader = 0;     // the highest loan count any reader reached
	std::int64_t max_copies_lent_at_once = 0;
	std::int64_t copies_in_circulation = 0, copies_lent = 0, readers_registered = 0;  // at the end
	// Copies lent now, per reader (readers with none left out): lends minus returns of each reader over the whole
	// log, counted as they stand, legal or not — what a read model kept from the same events must hold.
	std::map<std::string, std::int64_t> copies_lent_by_reader;
	std::int64_t last_loan_seq = 0;  // the last lend or return

	std::int64_t violations() const;
	bool ok() const { return violations() == 0; }
};

class Auditor {
public:
	explicit Auditor(int max_loans_per_reader = 10, std::size_t examples_per_rule = 3);
	void feed(const Record& r);  // in the order read (ascending seq)
	const Report& report();      // final counters; feeding may continue afterwards

private:
	void violate(Rule rule, std::int64_t seq, std::string detail);

	struct Copy {
		bool in_circulation = false;
		std::string lent_to;  // "" when not lent
	};
	struct Reader {
		bool registered = false;
		int loans = 0;
	};
	int max_loans_;
	std::size_t examples_per_rule_;
	std::map<std::string, Copy> copies_;
	std::map<std::string, Reader> readers_;
	std::int64_t lent_now_ = 0;
	std::map<std::string, std::int64_t> lent_by_reader_;  // the plain fold behind Report::copies_lent_by_reader
	Report report_;
};

}  // namespace library::audit
