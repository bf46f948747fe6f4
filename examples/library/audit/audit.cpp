#include "audit.hpp"

#include <algorithm>
#include <numeric>

namespace library::audit {

const char* describe(Rule r) noexcept {
	switch (r) {
		case Rule::copy_lent_twice: return "no copy lent to two readers at once (or twice to one)";
		case Rule::reader_over_limit: return "no reader above the loan limit";
		case Rule::lend_of_copy_not_in_circulation: return "no lend of a removed or unknown copy";
		case Rule::lend_to_unregistered_reader: return "no lend to a canceled or unknown reader";
		case Rule::return_not_lent: return "every return matches a loan of that copy to that reader";
		case Rule::removal_of_lent_copy: return "no removal of a lent copy";
		case Rule::removal_not_in_circulation: return "every removal is of a copy in circulation";
		case Rule::cancel_with_loans: return "no contract canceled while the reader has loans";
		case Rule::cancel_not_registered: return "every cancellation is of a registered reader";
		case Rule::repeated_add: return "no copy added while already in circulation (idempotent adds)";
		case Rule::repeated_register: return "no reader registered while registered (idempotent registrations)";
		case Rule::malformed: return "every event well-formed (known type, ids, tags match payload)";
		case Rule::seq_order: return "seqs strictly increasing";
		case Rule::count_: break;
	}
	return "?";
}

std::int64_t Report::violations() const {
	return std::accumulate(violations_by_rule.begin(), violations_by_rule.end(), std::int64_t{0});
}

Auditor::Auditor(int max_loans_per_reader, std::size_t examples_per_rule)
	: max_loans_(max_loans_per_reader), examples_per_rule_(examples_per_rule) {}

void Auditor::violate(Rule rule, std::int64_t seq, std::string detail) {
	auto& n = report_.violations_by_rule[static_cast<std::size_t>(rule)];
	if (static_cast<std::size_t>(n) < examples_per_rule_) report_.examples.push_back({rule, seq, std::move(detail)});
	++n;
}

void Auditor::feed(const Record& r) {
	auto& rep = report_;
	if (rep.events > 0 && r.seq <= rep.last_seq)
		violate(Rule::seq_order, r.seq, "seq " + std::to_string(r.seq) + " after " + std::to_string(rep.last_seq));
	if (rep.events == 0) rep.first_seq = r.seq;
	rep.last_seq = r.seq;
	++rep.events;
	++rep.by_type[r.type];

	// What each type must carry, from the published event contract (not from the domain code).
	const bool is_add = r.type == "BookCopyAddedToCirculation";
	const bool is_remove = r.type == "BookCopyRemovedFromCirculation";
	const bool is_register = r.type == "ReaderRegistered";
	const bool is_cancel = r.type == "ReaderContractCanceled";
	const bool is_lend = r.type == "BookCopyLentToReader";
	const bool is_return = r.type == "BookCopyReturnedByReader";
	if (!(is_add || is_remove || is_register || is_cancel || is_lend || is_return)) {
		violate(Rule::malformed, r.seq, "unknown event type '" + r.type + "'");
		return;
	}
	const bool needs_book = !(is_register || is_cancel);
	const bool needs_reader = !(is_add || is_remove);
	std::vector<std::string> want;
	if (needs_book) want.push_back("BookID:" + r.book_id);
	if (needs_reader) want.push_back("ReaderID:" + r.reader_id);
	auto got = r.tags;
	std::sort(got.begin(), got.end());
	std::sort(want.begin(), want.end());
	if ((needs_book && r.book_id.empty()) || (needs_reader && r.reader_id.empty()) ||
	    (!needs_book && !r.book_id.empty()) || (!needs_reader && !r.reader_id.empty()) || got != want) {
		std::string tags;
		for (const auto& t : r.tags) tags += (tags.empty() ? "" : ",") + t;
		violate(Rule::malformed, r.seq,
		        r.type + " with BookID '" + r.book_id + "', ReaderID '" + r.reader_id + "', tags {" + tags + "}");
		return;
	}

	if (is_lend || is_return) {
		lent_by_reader_[r.reader_id] += is_lend ? 1 : -1;
		rep.last_loan_seq = r.seq;
	}
	const std::string at = " (seq " + std::to_string(r.seq) + ")";
	if (is_add) {
		auto& c = copies_[r.book_id];
		if (c.in_circulation) violate(Rule::repeated_add, r.seq, "copy " + r.book_id + " added again" + at);
		c.in_circulation = true;
	} else if (is_remove) {
		auto& c = copies_[r.book_id];
		if (!c.in_circulation)
			violate(Rule::removal_not_in_circulation, r.seq, "copy " + r.book_id + " removed while not in circulation" + at);
		if (!c.lent_to.empty())
			violate(Rule::removal_of_lent_copy, r.seq, "copy " + r.book_id + " removed while lent to " + c.lent_to + at);
		c.in_circulation = false;
	} else if (is_register) {
		auto& rd = readers_[r.reader_id];
		if (rd.registered) violate(Rule::repeated_register, r.seq, "reader " + r.reader_id + " registered again" + at);
		rd.registered = true;
	} else if (is_cancel) {
		auto& rd = readers_[r.reader_id];
		if (!rd.registered)
			violate(Rule::cancel_not_registered, r.seq, "reader " + r.reader_id + " canceled while not registered" + at);
		if (rd.loans > 0)
			violate(Rule::cancel_with_loans, r.seq,
			        "reader " + r.reader_id + " canceled with " + std::to_string(rd.loans) + " loan(s)" + at);
		rd.registered = false;
	} else if (is_lend) {
		auto& c = copies_[r.book_id];
		auto& rd = readers_[r.reader_id];
		if (!c.lent_to.empty())
			violate(Rule::copy_lent_twice, r.seq,
			        "copy " + r.book_id + " lent to " + r.reader_id + " while lent to " + c.lent_to + at);
		if (!c.in_circulation)
			violate(Rule::lend_of_copy_not_in_circulation, r.seq, "copy " + r.book_id + " lent while not in circulation" + at);
		if (!rd.registered)
			violate(Rule::lend_to_unregistered_reader, r.seq, "copy " + r.book_id + " lent to unregistered reader " + r.reader_id + at);
		if (c.lent_to.empty()) ++lent_now_;  // a double lend does not add a copy
		c.lent_to = r.reader_id;
		++rd.loans;
		if (rd.loans > max_loans_)
			violate(Rule::reader_over_limit, r.seq,
			        "reader " + r.reader_id + " has " + std::to_string(rd.loans) + " loans" + at);
		rep.max_loans_of_a_reader = std::max(rep.max_loans_of_a_reader, rd.loans);
		rep.max_copies_lent_at_once = std::max(rep.max_copies_lent_at_once, lent_now_);
	} else {  // return
		auto& c = copies_[r.book_id];
		auto& rd = readers_[r.reader_id];
		if (c.lent_to != r.reader_id) {
			violate(Rule::return_not_lent, r.seq,
			        "copy " + r.book_id + " returned by " + r.reader_id + " but lent to '" + c.lent_to + "'" + at);
		} else {
			c.lent_to.clear();
			--lent_now_;
			--rd.loans;
		}
	}
}

const Report& Auditor::report() {
	auto& rep = report_;
	rep.copies_in_circulation = std::count_if(copies_.begin(), copies_.end(), [](auto& kv) { return kv.second.in_circulation; });
	rep.copies_lent = lent_now_;
	rep.readers_registered = std::count_if(readers_.begin(), readers_.end(), [](auto& kv) { return kv.second.registered; });
	rep.copies_lent_by_reader.clear();
	for (const auto& [reader, n] : lent_by_reader_)
		if (n != 0) rep.copies_lent_by_reader[reader] = n;
	return rep;
}

}  // namespace library::audit
