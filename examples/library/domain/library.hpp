// The library domain of the reference project (books, readers, lending) as pure decision logic.
//
// Nothing in this directory knows about the database or libdcb: a command handler reads the events of
// the command's consistency boundary (see boundary()), converts them to DomainEvents, calls decide(),
// and appends the event of the decision (if any) on the position it read. Everything here is a pure
// function of its arguments, so it is unit-tested without a server (tests/domain_tests.cpp).
//
// Rules:
//   * a book copy is lent to at most one reader at a time;
//   * a reader has at most kMaxLoansPerReader (10) copies at a time;
//   * only copies in circulation are lent, and only to registered readers;
//   * a copy that is lent cannot be removed; a reader with loans cannot cancel the contract;
//   * repeating a command whose effect already holds is a no-op (Outcome::already_done), not an error.
//
// Failed decisions are reported to the caller (Outcome::rejected with a reason) and write nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace library {

inline constexpr int kMaxLoansPerReader = 10;

// Event type names as stored, and the tag keys (tags are "BookID:<id>", "ReaderID:<id>").
inline constexpr const char* kBookCopyAddedToCirculation = "BookCopyAddedToCirculation";
inline constexpr const char* kBookCopyRemovedFromCirculation = "BookCopyRemovedFromCirculation";
inline constexpr const char* kReaderRegistered = "ReaderRegistered";
inline constexpr const char* kReaderContractCanceled = "ReaderContractCanceled";
inline constexpr const char* kBookCopyLentToReader = "BookCopyLentToReader";
inline constexpr const char* kBookCopyReturnedByReader = "BookCopyReturnedByReader";
inline constexpr const char* kBookIdKey = "BookID";
inline constexpr const char* kReaderIdKey = "ReaderID";

enum class EventType {
	book_copy_added_to_circulation,
	book_copy_removed_from_circulation,
	reader_registered,
	reader_contract_canceled,
	book_copy_lent_to_reader,
	book_copy_returned_by_reader,
};

const char* type_name(EventType t) noexcept;
std::optional<EventType> parse_type(std::string_view name) noexcept;

struct DomainEvent {
	EventType type;
	std::string book_id;    // empty for reader events
	std::string reader_id;  // empty for book-copy events

	friend bool operator==(const DomainEvent&, const DomainEvent&) = default;
};

// The stored form: tags (sorted: BookID first, then ReaderID) and the JSON payload.
std::vector<std::string> tags_of(const DomainEvent& e);
std::string payload_of(const DomainEvent& e);

// The inverse for events read back: the type must be known and the tags must name the ids the type
// needs; anything else yields nullopt (an event of another domain sharing the store).
std::optional<DomainEvent> from_stored(std::string_view type, const std::vector<std::string>& tags);

// ---- commands ----
struct AddBookCopy { std::string book_id; };
struct RemoveBookCopy { std::string book_id; };
struct RegisterReader { std::string reader_id; };
struct CancelReaderContract { std::string reader_id; };
struct LendBookCopyToReader { std::string book_id; std::string reader_id; };
struct ReturnBookCopyFromReader { std::string book_id; std::string reader_id; };

using Command = std::variant<AddBookCopy, RemoveBookCopy, RegisterReader, CancelReaderContract,
                             LendBookCopyToReader, ReturnBookCopyFromReader>;

const char* command_name(const Command& c) noexcept;

// ---- consistency boundaries ----
// One item of a command's boundary: events of any of `types` that carry the tag `key:id`.
// A command's boundary is the OR of its items; the handler reads it and appends on condition that
// nothing new matched it. Every item names a tag, so unrelated books and readers never conflict.
struct BoundaryItem {
	std::vector<EventType> types;
	const char* key;  // kBookIdKey or kReaderIdKey
	std::string id;
};
std::vector<BoundaryItem> boundary(const Command& c);

// ---- decisions ----
enum class Outcome { accepted, already_done, rejected };
const char* outcome_name(Outcome o) noexcept;

struct Decision {
	Outcome outcome;
	std::optional<DomainEvent> event;  // set iff accepted
	std::string reason;                // why rejected / why nothing to do
};

// Decides `c` given the events of its boundary in log order. Events outside the boundary are
// ignored, so passing a larger history is harmless.
Decision decide(const std::vector<DomainEvent>& history, const Command& c);

}  // namespace library
