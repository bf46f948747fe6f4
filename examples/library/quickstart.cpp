// dcb-quickstart — the first program of docs/getting-started.md: append, query, a conditional append
// that conflicts, and a command handler with execute().
//
//   dcb-quickstart ["host=127.0.0.1 port=54329 user=postgres dbname=tutorial"]
#include <dcb/dcb.hpp>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

namespace {

// A command handler: lend `book` to `reader` unless the rules say no. execute() reads the events of
// the filter, calls the lambda, appends what it returns on the position it read, and starts again
// when another writer appended a matching event in between (dcb::ConcurrencyConflict).
dcb::ExecuteResult lend(const dcb::EventStore& store, const std::string& book, const std::string& reader) {
	const dcb::Filter boundary =
		dcb::build_event_filter()
			.matching()
			.any_event_type_of({"BookCopyAddedToCirculation", "BookCopyRemovedFromCirculation",
			                    "BookCopyLentToReader", "BookCopyReturnedByReader"})
			.and_any_predicate_of({dcb::P("BookID", book)})
			.or_matching()
			.any_event_type_of({"ReaderRegistered", "ReaderContractCanceled", "BookCopyLentToReader",
			                    "BookCopyReturnedByReader"})
			.and_any_predicate_of({dcb::P("ReaderID", reader)})
			.finalize();

	return store.execute(boundary, [&](const std::vector<dcb::StoredEvent>& events) -> std::vector<dcb::Event> {
		bool in_circulation = false, registered = false, lent = false;
		int loans = 0;
		const std::string book_tag = dcb::P("BookID", book).tag(), reader_tag = dcb::P("ReaderID", reader).tag();
		for (const auto& e : events) {
			auto has = [&](const std::string& tag) { return std::find(e.tags.begin(), e.tags.end(), tag) != e.tags.end(); };
			const bool about_book = has(book_tag), about_reader = has(reader_tag);
			if (e.type == "BookCopyAddedToCirculation") in_circulation = true;
			else if (e.type == "BookCopyRemovedFromCirculation") in_circulation = false;
			else if (e.type == "ReaderRegistered") registered = true;
			else if (e.type == "ReaderContractCanceled") registered = false;
			else if (e.type == "BookCopyLentToReader") {
				if (about_book) lent = true;
				if (about_reader) ++loans;
			} else if (e.type == "BookCopyReturnedByReader") {
				if (about_book) lent = false;
				if (about_reader) --loans;
			}
		}
		if (!in_circulation || !registered || lent || loans >= 10) return {};  // nothing to append
		return {dcb::Event{.type = "BookCopyLentToReader",
		                   .data = R"({"BookID":")" + book + R"(","ReaderID":")" + reader + R"("})",
		                   .tags = {dcb::P("BookID", book), dcb::P("ReaderID", reader)}}};
	});
}

}  // namespace

int main(int argc, char** argv) try {
	auto store = dcb::EventStore::connect(argc > 1 ? argv[1] : "host=127.0.0.1 port=54329 user=postgres dbname=tutorial");
	const std::string book = "b-" + dcb::new_uuid().substr(0, 8);
	const std::string reader = "r-" + dcb::new_uuid().substr(0, 8);

	// 1. Append two events in one atomic call, without a condition.
	std::int64_t seq = store.append({
		dcb::Event{.type = "BookCopyAddedToCirculation", .data = R"({"BookID":")" + book + R"("})", .tags = {"BookID:" + book}},
		dcb::Event{.type = "ReaderRegistered", .data = R"({"ReaderID":")" + reader + R"("})", .tags = {"ReaderID:" + reader}},
	});
	std::cout << "appended up to seq " << seq << "\n";

	// 2. Query everything about the book.
	const dcb::Filter about_book = dcb::build_event_filter().matching().any_predicate_of({dcb::P("BookID", book)}).finalize();
	dcb::QueryResult r = store.query(about_book);
	for (const auto& e : r.events) std::cout << "  read seq " << e.seq << " " << e.type << " " << e.data << "\n";

	// 3. A command handler: the first lend appends, the repeat decides that there is nothing to do.
	auto first = lend(store, book, reader);
	std::cout << "lend: appended " << first.appended << " event(s) at seq " << first.last_seq << " after "
	          << first.attempts << " attempt(s)\n";
	auto again = lend(store, book, reader);
	std::cout << "lend again: appended " << again.appended << " event(s) (already lent)\n";

	// 4. A conditional append on a stale position: the lend above matched `about_book` after r.max_seq.
	try {
		store.append(about_book, r.max_seq,
		             {dcb::Event{.type = "BookCopyRemovedFromCirculation", .data = R"({"BookID":")" + book + R"("})",
		                         .tags = {"BookID:" + book}}});
		std::cout << "unexpected: the stale append succeeded\n";
		return 1;
	} catch (const dcb::ConcurrencyConflict& e) {
		std::cout << "conflict, as expected: SQLSTATE " << e.sqlstate() << ": " << e.what() << "\n";
	}
	return 0;
} catch (const dcb::Error& e) {
	std::cerr << "dcb error " << e.sqlstate() << ": " << e.what() << "\n";
	return 1;
}
