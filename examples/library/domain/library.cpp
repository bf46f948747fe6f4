#include "library.hpp"

#include <set>
#include <type_traits>

namespace library {

namespace {

using ET = EventType;

constexpr struct {
	EventType type;
	const char* name;
} kTypes[] = {
	{ET::book_copy_added_to_circulation, kBookCopyAddedToCirculation},
	{ET::book_copy_removed_from_circulation, kBookCopyRemovedFromCirculation},
	{ET::reader_registered, kReaderRegistered},
	{ET::reader_contract_canceled, kReaderContractCanceled},
	{ET::book_copy_lent_to_reader, kBookCopyLentToReader},
	{ET::book_copy_returned_by_reader, kBookCopyReturnedByReader},
};

bool has_book(EventType t) {
	return t != ET::reader_registered && t != ET::reader_contract_canceled;
}
bool has_reader(EventType t) {
	return t != ET::book_copy_added_to_circulation && t != ET::book_copy_removed_from_circulation;
}

void json_string(std::string& out, std::string_view s) {
	static constexpr char hex[] = "0123456789abcdef";
	out += '"';
	for (char ch : s) {
		auto c = static_cast<unsigned char>(ch);
		if (c == '"' || c == '\\') {
			out += '\\';
			out += ch;
		} else if (c < 0x20) {
			out += "\\u00";
			out += hex[c >> 4];
			out += hex[c & 15];
		} else {
			out += ch;
		}
	}
	out += '"';
}

// ---- state folding: what the boundary's history says about one copy and one reader ----

struct BookCopy {
	bool ever_added = false;
	bool in_circulation = false;
	std::optional<std::string> lent_to;
	std::set<std::string> ever_lent_to;
};

BookCopy fold_book(const std::vector<DomainEvent>& history, const std::string& book) {
	BookCopy s;
	for (const auto& e : history) {
		if (!has_book(e.type) || e.book_id != book) continue;
		switch (e.type) {
			case ET::book_copy_added_to_circulation:
				s.ever_added = true;
				s.in_circulation = true;
				break;
			case ET::book_copy_removed_from_circulation:
				s.in_circulation = false;
				break;
			case ET::book_copy_lent_to_reader:
				s.lent_to = e.reader_id;
				s.ever_lent_to.insert(e.reader_id);
				break;
			case ET::book_copy_returned_by_reader:
				s.lent_to.reset();
				break;
			default:
				break;
		}
	}
	return s;
}

struct Reader {
	bool ever_registered = false;
	bool registered = false;
	std::set<std::string> loans;
};

Reader fold_reader(const std::vector<DomainEvent>& history, const std::string& reader) {
	Reader s;
	for (const auto& e : history) {
		if (!has_reader(e.type) || e.reader_id != reader) continue;
		switch (e.type) {
			case ET::reader_registered:
				s.ever_registered = true;
				s.registered = true;
				break;
			case ET::reader_contract_canceled:
				s.registered = false;
				break;
			case ET::book_copy_lent_to_reader:
				s.loans.insert(e.book_id);
				break;
			case ET::book_copy_returned_by_reader:
				s.loans.erase(e.book_id);
				break;
			default:
				break;
		}
	}
	return s;
}

Decision accept(DomainEvent e) { return {Outcome::accepted, std::move(e), {}}; }
Decision noop(std::string why) { return {Outcome::already_done, std::nullopt, std::move(why)}; }
Decision reject(std::string why) { return {Outcome::rejected, std::nullopt, std::move(why)}; }

Decision decide_one(const std::vector<DomainEvent>& h, const AddBookCopy& c) {
	if (fold_book(h, c.book_id).in_circulation) return noop("book copy is already in circulation");
	return accept({ET::book_copy_added_to_circulation, c.book_id, {}});
}

Decision decide_one(const std::vector<DomainEvent>& h, const RemoveBookCopy& c) {
	auto b = fold_book(h, c.book_id);
	if (!b.ever_added) return reject("book copy was never added to circulation");
	if (!b.in_circulation) return noop("book copy is already removed from circulation");
	if (b.lent_to) return reject("book copy is currently lent to reader " + *b.lent_to);
	return accept({ET::book_copy_removed_from_circulation, c.book_id, {}});
}

Decision decide_one(const std::vector<DomainEvent>& h, const RegisterReader& c) {
	if (fold_reader(h, c.reader_id).registered) return noop("reader is already registered");
	return accept({ET::reader_registered, {}, c.reader_id});
}

Decision decide_one(const std::vector<DomainEvent>& h, const CancelReaderContract& c) {
	auto r = fold_reader(h, c.reader_id);
	if (!r.ever_registered) return reject("reader was never registered");
	if (!r.registered) return noop("reader contract is already canceled");
	if (!r.loans.empty())
		return reject("reader has " + std::to_string(r.loans.size()) + " outstanding loan(s)");
	return accept({ET::reader_contract_canceled, {}, c.reader_id});
}

Decision decide_one(const std::vector<DomainEvent>& h, const LendBookCopyToReader& c) {
	auto b = fold_book(h, c.book_id);
	if (b.lent_to == c.reader_id) return noop("book copy is already lent to this reader");
	auto r = fold_reader(h, c.reader_id);
	if (!r.registered) return reject("reader is not registered");
	if (!b.in_circulation) return reject("book copy is not in circulation");
	if (b.lent_to) return reject("book copy is lent to another reader");
	if (static_cast<int>(r.loans.size()) >= kMaxLoansPerReader)
		return reject("reader already has " + std::to_string(kMaxLoansPerReader) + " loans");
	return accept({ET::book_copy_lent_to_reader, c.book_id, c.reader_id});
}

Decision decide_one(const std::vector<DomainEvent>& h, const ReturnBookCopyFromReader& c) {
	auto b = fold_book(h, c.book_id);
	if (b.lent_to == c.reader_id) return accept({ET::book_copy_returned_by_reader, c.book_id, c.reader_id});
	if (b.ever_lent_to.count(c.reader_id)) return noop("book copy was already returned by this reader");
	return reject("book copy is not lent to this reader");
}

}  // namespace

const char* type_name(EventType t) noexcept {
	for (const auto& k : kTypes)
		if (k.type == t) return k.name;
	return "?";
}

std::optional<EventType> parse_type(std::string_view name) noexcept {
	for (const auto& k : kTypes)
		if (name == k.name) return k.type;
	return std::nullopt;
}

std::vector<std::string> tags_of(const DomainEvent& e) {
	std::vector<std::string> tags;
	if (has_book(e.type)) tags.push_back(std::string(kBookIdKey) + ":" + e.book_id);
	if (has_reader(e.type)) tags.push_back(std::string(kReaderIdKey) + ":" + e.reader_id);
	return tags;
}

std::string payload_of(const DomainEvent& e) {
	std::string out = "{";
	if (has_book(e.type)) {
		json_string(out, kBookIdKey);
		out += ':';
		json_string(out, e.book_id);
	}
	if (has_reader(e.type)) {
		if (out.size() > 1) out += ',';
		json_string(out, kReaderIdKey);
		out += ':';
		json_string(out, e.reader_id);
	}
	out += '}';
	return out;
}

std::optional<DomainEvent> from_stored(std::string_view type, const std::vector<std::string>& tags) {
	auto t = parse_type(type);
	if (!t) return std::nullopt;
	DomainEvent e{*t, {}, {}};
	auto value_of = [&](std::string_view key) -> std::optional<std::string> {
		for (const auto& tag : tags) {
			std::string_view v(tag);
			if (v.size() > key.size() && v.substr(0, key.size()) == key && v[key.size()] == ':')
				return std::string(v.substr(key.size() + 1));
		}
		return std::nullopt;
	};
	if (has_book(*t)) {
		auto b = value_of(kBookIdKey);
		if (!b) return std::nullopt;
		e.book_id = std::move(*b);
	}
	if (has_reader(*t)) {
		auto r = value_of(kReaderIdKey);
		if (!r) return std::nullopt;
		e.reader_id = std::move(*r);
	}
	return e;
}

const char* command_name(const Command& c) noexcept {
	static constexpr const char* names[] = {"AddBookCopy",          "RemoveBookCopy",
	                                        "RegisterReader",       "CancelReaderContract",
	                                        "LendBookCopyToReader", "ReturnBookCopyFromReader"};
	return names[c.index()];
}

std::vector<BoundaryItem> boundary(const Command& c) {
	return std::visit(
		[](const auto& cmd) -> std::vector<BoundaryItem> {
			using T = std::decay_t<decltype(cmd)>;
			if constexpr (std::is_same_v<T, AddBookCopy>) {
				return {{{ET::book_copy_added_to_circulation, ET::book_copy_removed_from_circulation},
				         kBookIdKey, cmd.book_id}};
			} else if constexpr (std::is_same_v<T, RemoveBookCopy>) {
				return {{{ET::book_copy_added_to_circulation, ET::book_copy_removed_from_circulation,
				          ET::book_copy_lent_to_reader, ET::book_copy_returned_by_reader},
				         kBookIdKey, cmd.book_id}};
			} else if constexpr (std::is_same_v<T, RegisterReader>) {
				return {{{ET::reader_registered, ET::reader_contract_canceled}, kReaderIdKey, cmd.reader_id}};
			} else if constexpr (std::is_same_v<T, CancelReaderContract>) {
				return {{{ET::reader_registered, ET::reader_contract_canceled, ET::book_copy_lent_to_reader,
				          ET::book_copy_returned_by_reader},
				         kReaderIdKey, cmd.reader_id}};
			} else if constexpr (std::is_same_v<T, LendBookCopyToReader>) {
				return {{{ET::book_copy_added_to_circulation, ET::book_copy_removed_from_circulation,
				          ET::book_copy_lent_to_reader, ET::book_copy_returned_by_reader},
				         kBookIdKey, cmd.book_id},
				        {{ET::reader_registered, ET::reader_contract_canceled, ET::book_copy_lent_to_reader,
				          ET::book_copy_returned_by_reader},
				         kReaderIdKey, cmd.reader_id}};
			} else {
				static_assert(std::is_same_v<T, ReturnBookCopyFromReader>);
				return {{{ET::book_copy_lent_to_reader, ET::book_copy_returned_by_reader}, kBookIdKey,
				         cmd.book_id}};
			}
		},
		c);
}

const char* outcome_name(Outcome o) noexcept {
	switch (o) {
		case Outcome::accepted: return "accepted";
		case Outcome::already_done: return "already done";
		case Outcome::rejected: return "rejected";
	}
	return "?";
}

Decision decide(const std::vector<DomainEvent>& history, const Command& c) {
	return std::visit([&](const auto& cmd) { return decide_one(history, cmd); }, c);
}

}  // namespace library
