// Unit tests of the independent log auditor: it must accept legal logs and catch every broken rule.
#include <doctest/doctest.h>

#include "audit/audit.hpp"

using namespace library::audit;

namespace {

struct Log {
	std::int64_t seq = 0;
	Auditor a;
	Log& add(const std::string& b) { return put("BookCopyAddedToCirculation", b, ""); }
	Log& remove(const std::string& b) { return put("BookCopyRemovedFromCirculation", b, ""); }
	Log& reg(const std::string& r) { return put("ReaderRegistered", "", r); }
	Log& cancel(const std::string& r) { return put("ReaderContractCanceled", "", r); }
	Log& lend(const std::string& b, const std::string& r) { return put("BookCopyLentToReader", b, r); }
	Log& ret(const std::string& b, const std::string& r) { return put("BookCopyReturnedByReader", b, r); }
	Log& put(const std::string& type, const std::string& b, const std::string& r) {
		Record rec{++seq, type, b, r, {}};
		if (!b.empty()) rec.tags.push_back("BookID:" + b);
		if (!r.empty()) rec.tags.push_back("ReaderID:" + r);
		a.feed(rec);
		return *this;
	}
	std::int64_t n(Rule r) { return a.report().violations_by_rule[static_cast<std::size_t>(r)]; }
};

}  // namespace

TEST_CASE("a legal log passes") {
	Log l;
	l.add("b1").add("b2").reg("r1").reg("r2").lend("b1", "r1").lend("b2", "r1").ret("b1", "r1").lend("b1", "r2");
	l.ret("b2", "r1").cancel("r1").remove("b2").add("b2").reg("r1");
	const auto& rep = l.a.report();
	CHECK(rep.ok());
	CHECK(rep.events == 13);
	CHECK(rep.first_seq == 1);
	CHECK(rep.last_seq == 13);
	CHECK(rep.by_type.at("BookCopyLentToReader") == 3);
	CHECK(rep.max_loans_of_a_reader == 2);
	CHECK(rep.max_copies_lent_at_once == 2);
	CHECK(rep.copies_lent == 1);
	CHECK(rep.copies_in_circulation == 2);
	CHECK(rep.readers_registered == 2);
}

TEST_CASE("a copy lent to two readers at once is caught") {
	Log l;
	l.add("b1").reg("r1").reg("r2").lend("b1", "r1").lend("b1", "r2");
	CHECK(l.n(Rule::copy_lent_twice) == 1);
	CHECK_FALSE(l.a.report().ok());
	REQUIRE(l.a.report().examples.size() == 1);
	CHECK(l.a.report().examples[0].seq == 5);
	Log same;
	same.add("b1").reg("r1").lend("b1", "r1").lend("b1", "r1");  // a repeat that was not a no-op
	CHECK(same.n(Rule::copy_lent_twice) == 1);
}

TEST_CASE("more than 10 loans are caught") {
	Log l;
	l.reg("r1");
	for (int i = 0; i < 11; ++i) l.add("b" + std::to_string(i)).lend("b" + std::to_string(i), "r1");
	CHECK(l.n(Rule::reader_over_limit) == 1);
	CHECK(l.a.report().max_loans_of_a_reader == 11);
	Log ok;
	ok.reg("r1");
	for (int i = 0; i < 10; ++i) ok.add("b" + std::to_string(i)).lend("b" + std::to_string(i), "r1");
	ok.ret("b0", "r1").add("x").lend("x", "r1");
	CHECK(ok.a.report().ok());
}

TEST_CASE("lends of removed copies and to canceled readers are caught") {
	Log l;
	l.add("b1").reg("r1").remove("b1").lend("b1", "r1");
	CHECK(l.n(Rule::lend_of_copy_not_in_circulation) == 1);
	Log never;
	never.reg("r1").lend("b9", "r1");
	CHECK(never.n(Rule::lend_of_copy_not_in_circulation) == 1);
	Log c;
	c.add("b1").reg("r1").cancel("r1").lend("b1", "r1");
	CHECK(c.n(Rule::lend_to_unregistered_reader) == 1);
	CHECK(c.n(Rule::lend_of_copy_not_in_circulation) == 0);
}

TEST_CASE("the other rules") {
	Log l;
	l.add("b1").add("b1");
	CHECK(l.n(Rule::repeated_add) == 1);
	l.reg("r1").reg("r1");
	CHECK(l.n(Rule::repeated_register) == 1);
	l.lend("b1", "r1").remove("b1");
	CHECK(l.n(Rule::removal_of_lent_copy) == 1);
	l.cancel("r1");
	CHECK(l.n(Rule::cancel_with_loans) == 1);
	l.cancel("r2");
	CHECK(l.n(Rule::cancel_not_registered) == 1);
	l.remove("b7");
	CHECK(l.n(Rule::removal_not_in_circulation) == 1);
	l.ret("b1", "r2");
	CHECK(l.n(Rule::return_not_lent) == 1);
	CHECK(l.a.report().violations() == 7);
}

TEST_CASE("malformed events and order") {
	Auditor a;
	a.feed({1, "ReaderRegistered", "", "r1", {"ReaderID:r1"}});
	CHECK(a.report().ok());
	a.feed({2, "ReaderRegistered", "", "r2", {"ReaderID:r1"}});  // tag disagrees with payload
	a.feed({3, "Whatever", "", "", {}});
	a.feed({4, "BookCopyLentToReader", "b1", "", {"BookID:b1"}});  // reader missing
	a.feed({5, "BookCopyAddedToCirculation", "b1", "r1", {"BookID:b1", "ReaderID:r1"}});  // extra reader
	CHECK(a.report().violations_by_rule[static_cast<std::size_t>(Rule::malformed)] == 4);
	a.feed({5, "ReaderRegistered", "", "r3", {"ReaderID:r3"}});
	CHECK(a.report().violations_by_rule[static_cast<std::size_t>(Rule::seq_order)] == 1);
}

TEST_CASE("copies lent per reader: the plain fold a read model is compared with") {
	Log l;
	l.add("b1").add("b2").add("b3").reg("r1").reg("r2").lend("b1", "r1").lend("b2", "r1").lend("b3", "r2").ret("b1", "r1");
	l.ret("b3", "r2").add("b4");
	const auto& rep = l.a.report();
	CHECK(rep.copies_lent_by_reader == std::map<std::string, std::int64_t>{{"r1", 1}});  // r2 has none left
	CHECK(rep.last_loan_seq == 10);
	// an illegal second lend still counts: the fold counts the events as they stand
	l.lend("b2", "r2");
	CHECK(l.a.report().copies_lent_by_reader == std::map<std::string, std::int64_t>{{"r1", 1}, {"r2", 1}});
}
