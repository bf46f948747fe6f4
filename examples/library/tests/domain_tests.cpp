// Unit tests of the pure decision logic (no database).
#include <doctest/doctest.h>

#include <algorithm>

#include "domain/library.hpp"

using namespace library;
using ET = EventType;

namespace {

DomainEvent added(std::string b) { return {ET::book_copy_added_to_circulation, std::move(b), {}}; }
DomainEvent removed(std::string b) { return {ET::book_copy_removed_from_circulation, std::move(b), {}}; }
DomainEvent registered(std::string r) { return {ET::reader_registered, {}, std::move(r)}; }
DomainEvent canceled(std::string r) { return {ET::reader_contract_canceled, {}, std::move(r)}; }
DomainEvent lent(std::string b, std::string r) { return {ET::book_copy_lent_to_reader, std::move(b), std::move(r)}; }
DomainEvent returned(std::string b, std::string r) {
	return {ET::book_copy_returned_by_reader, std::move(b), std::move(r)};
}

using H = std::vector<DomainEvent>;

}  // namespace

TEST_CASE("add a book copy") {
	auto d = decide({}, AddBookCopy{"b1"});
	CHECK(d.outcome == Outcome::accepted);
	REQUIRE(d.event);
	CHECK(*d.event == added("b1"));

	SUBCASE("a repeat is a no-op") {
		d = decide({added("b1")}, AddBookCopy{"b1"});
		CHECK(d.outcome == Outcome::already_done);
		CHECK_FALSE(d.event);
	}
	SUBCASE("another copy's history does not matter") {
		CHECK(decide({added("b2")}, AddBookCopy{"b1"}).outcome == Outcome::accepted);
	}
	SUBCASE("a removed copy can come back") {
		CHECK(decide({added("b1"), removed("b1")}, AddBookCopy{"b1"}).outcome == Outcome::accepted);
	}
}

TEST_CASE("remove a book copy") {
	CHECK(decide({}, RemoveBookCopy{"b1"}).outcome == Outcome::rejected);
	auto d = decide({added("b1")}, RemoveBookCopy{"b1"});
	CHECK(d.outcome == Outcome::accepted);
	CHECK(*d.event == removed("b1"));
	CHECK(decide({added("b1"), removed("b1")}, RemoveBookCopy{"b1"}).outcome == Outcome::already_done);
	SUBCASE("not while lent") {
		H h{added("b1"), registered("r1"), lent("b1", "r1")};
		d = decide(h, RemoveBookCopy{"b1"});
		CHECK(d.outcome == Outcome::rejected);
		CHECK(d.reason.find("lent") != std::string::npos);
		h.push_back(returned("b1", "r1"));
		CHECK(decide(h, RemoveBookCopy{"b1"}).outcome == Outcome::accepted);
	}
}

TEST_CASE("register and cancel a reader") {
	CHECK(decide({}, RegisterReader{"r1"}).outcome == Outcome::accepted);
	CHECK(*decide({}, RegisterReader{"r1"}).event == registered("r1"));
	CHECK(decide({registered("r1")}, RegisterReader{"r1"}).outcome == Outcome::already_done);
	CHECK(decide({registered("r1"), canceled("r1")}, RegisterReader{"r1"}).outcome == Outcome::accepted);

	CHECK(decide({}, CancelReaderContract{"r1"}).outcome == Outcome::rejected);
	CHECK(*decide({registered("r1")}, CancelReaderContract{"r1"}).event == canceled("r1"));
	CHECK(decide({registered("r1"), canceled("r1")}, CancelReaderContract{"r1"}).outcome == Outcome::already_done);
	SUBCASE("not with outstanding loans") {
		H h{registered("r1"), added("b1"), lent("b1", "r1")};
		CHECK(decide(h, CancelReaderContract{"r1"}).outcome == Outcome::rejected);
		h.push_back(returned("b1", "r1"));
		CHECK(decide(h, CancelReaderContract{"r1"}).outcome == Outcome::accepted);
	}
}

TEST_CASE("lend a book copy") {
	H h{added("b1"), registered("r1")};
	auto d = decide(h, LendBookCopyToReader{"b1", "r1"});
	CHECK(d.outcome == Outcome::accepted);
	CHECK(*d.event == lent("b1", "r1"));

	SUBCASE("a repeat is a no-op") {
		h.push_back(lent("b1", "r1"));
		CHECK(decide(h, LendBookCopyToReader{"b1", "r1"}).outcome == Outcome::already_done);
	}
	SUBCASE("one reader at a time") {
		h.push_back(registered("r2"));
		h.push_back(lent("b1", "r2"));
		d = decide(h, LendBookCopyToReader{"b1", "r1"});
		CHECK(d.outcome == Outcome::rejected);
		CHECK(d.reason == "book copy is lent to another reader");
		h.push_back(returned("b1", "r2"));
		CHECK(decide(h, LendBookCopyToReader{"b1", "r1"}).outcome == Outcome::accepted);
	}
	SUBCASE("only copies in circulation") {
		CHECK(decide({registered("r1")}, LendBookCopyToReader{"b1", "r1"}).outcome == Outcome::rejected);
		h.push_back(removed("b1"));
		CHECK(decide(h, LendBookCopyToReader{"b1", "r1"}).reason == "book copy is not in circulation");
	}
	SUBCASE("only registered readers") {
		CHECK(decide({added("b1")}, LendBookCopyToReader{"b1", "r1"}).outcome == Outcome::rejected);
		h.push_back(canceled("r1"));
		CHECK(decide(h, LendBookCopyToReader{"b1", "r1"}).reason == "reader is not registered");
	}
	SUBCASE("at most 10 loans per reader") {
		for (int i = 0; i < kMaxLoansPerReader; ++i) {
			auto b = "x" + std::to_string(i);
			h.push_back(added(b));
			CHECK(decide(h, LendBookCopyToReader{b, "r1"}).outcome == Outcome::accepted);
			h.push_back(lent(b, "r1"));
		}
		d = decide(h, LendBookCopyToReader{"b1", "r1"});
		CHECK(d.outcome == Outcome::rejected);
		CHECK(d.reason == "reader already has 10 loans");
		// other readers are not affected, and a return frees a slot
		h.push_back(registered("r2"));
		CHECK(decide(h, LendBookCopyToReader{"b1", "r2"}).outcome == Outcome::accepted);
		h.push_back(returned("x3", "r1"));
		CHECK(decide(h, LendBookCopyToReader{"b1", "r1"}).outcome == Outcome::accepted);
	}
}

TEST_CASE("return a book copy") {
	H h{added("b1"), registered("r1"), registered("r2")};
	CHECK(decide(h, ReturnBookCopyFromReader{"b1", "r1"}).outcome == Outcome::rejected);
	h.push_back(lent("b1", "r1"));
	CHECK(decide(h, ReturnBookCopyFromReader{"b1", "r2"}).outcome == Outcome::rejected);
	auto d = decide(h, ReturnBookCopyFromReader{"b1", "r1"});
	CHECK(d.outcome == Outcome::accepted);
	CHECK(*d.event == returned("b1", "r1"));
	h.push_back(returned("b1", "r1"));
	CHECK(decide(h, ReturnBookCopyFromReader{"b1", "r1"}).outcome == Outcome::already_done);
	SUBCASE("relent to another reader: a late repeat of the first return stays a no-op") {
		h.push_back(lent("b1", "r2"));
		CHECK(decide(h, ReturnBookCopyFromReader{"b1", "r1"}).outcome == Outcome::already_done);
		CHECK(decide(h, ReturnBookCopyFromReader{"b1", "r2"}).outcome == Outcome::accepted);
	}
}

TEST_CASE("stored form round-trips") {
	for (const auto& e : {added("b-1"), removed("b-1"), registered("r-1"), canceled("r-1"), lent("b-1", "r-1"),
	                      returned("b-1", "r-1")}) {
		CAPTURE(type_name(e.type));
		auto back = from_stored(type_name(e.type), tags_of(e));
		REQUIRE(back);
		CHECK(*back == e);
		CHECK(parse_type(type_name(e.type)) == e.type);
	}
	CHECK(tags_of(lent("b1", "r1")) == std::vector<std::string>{"BookID:b1", "ReaderID:r1"});
	CHECK(payload_of(lent("b1", "r1")) == R"({"BookID":"b1","ReaderID":"r1"})");
	CHECK(payload_of(added("a\"b\\c\n")) == R"({"BookID":"a\"b\\c\u000a"})");
	CHECK(payload_of(registered("r1")) == R"({"ReaderID":"r1"})");
	CHECK_FALSE(from_stored("SomethingElse", {"BookID:b1"}));
	CHECK_FALSE(from_stored(kBookCopyLentToReader, {"BookID:b1"}));  // reader missing
	CHECK_FALSE(from_stored(kBookCopyAddedToCirculation, {"BookIDx:b1"}));
	auto e = from_stored(kBookCopyLentToReader, {"ReaderID:r:1", "Other:z", "BookID:b1"});
	REQUIRE(e);
	CHECK(e->reader_id == "r:1");
	CHECK(e->book_id == "b1");
}

TEST_CASE("boundaries cover what the decisions read") {
	// Lending reads both the copy's and the reader's history, each item tagged (no false conflicts).
	auto items = boundary(LendBookCopyToReader{"b1", "r1"});
	REQUIRE(items.size() == 2);
	CHECK(std::string(items[0].key) == kBookIdKey);
	CHECK(items[0].id == "b1");
	CHECK(std::string(items[1].key) == kReaderIdKey);
	CHECK(items[1].id == "r1");
	// The reader side must include loans (the 10-loan rule) and registration.
	auto& rt = items[1].types;
	CHECK(std::find(rt.begin(), rt.end(), ET::book_copy_lent_to_reader) != rt.end());
	CHECK(std::find(rt.begin(), rt.end(), ET::book_copy_returned_by_reader) != rt.end());
	CHECK(std::find(rt.begin(), rt.end(), ET::reader_contract_canceled) != rt.end());
	// Every event a decision emits falls inside the boundary of the same command, so two concurrent
	// equal commands always conflict with each other.
	H h{added("b1"), registered("r1"), lent("b1", "r1")};
	for (const Command& c : std::vector<Command>{AddBookCopy{"b9"}, RemoveBookCopy{"b1"}, RegisterReader{"r9"},
	                                             CancelReaderContract{"r1"}, LendBookCopyToReader{"b2", "r1"},
	                                             ReturnBookCopyFromReader{"b1", "r1"}}) {
		CAPTURE(command_name(c));
		H hist = h;
		hist.push_back(added("b2"));
		hist.push_back(returned("b1", "r1"));
		auto d = decide(hist, c);
		if (!d.event) continue;
		bool inside = false;
		for (const auto& it : boundary(c)) {
			const auto& id = std::string(it.key) == kBookIdKey ? d.event->book_id : d.event->reader_id;
			if (id == it.id && std::find(it.types.begin(), it.types.end(), d.event->type) != it.types.end())
				inside = true;
		}
		CHECK(inside);
	}
}
