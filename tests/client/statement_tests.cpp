// statement_tests.cpp — what the store sends, seen through a recording Backend (no server): every statement names
// the store as its last argument, and execute_from_snapshot reads after the snapshot and appends at the position
// it read.
#include <doctest/doctest.h>

#include <dcb/dcb.hpp>

#include <functional>
#include <map>
#include <string>

namespace {

/// Records every call; answers each statement kind with the rows `rows` holds for it.
class Recorder final : public dcb::Backend {
public:
	std::vector<dcb::StatementCall> calls;
	std::map<dcb::StatementKind, std::vector<std::vector<std::optional<std::string>>>> rows;

	void execute(const dcb::StatementCall& call, dcb::RowSink& sink, const dcb::ExecutionControl&) override {
		calls.push_back(call);
		for (const auto& row : rows[call.kind]) {
			std::vector<std::optional<std::string_view>> cols;
			for (const auto& c : row) cols.push_back(c ? std::optional<std::string_view>(*c) : std::nullopt);
			sink.on_row(cols);
		}
	}
	std::string_view name() const override { return "recorder"; }
};

/// A row of the read statement.
std::vector<std::optional<std::string>> event_row(std::int64_t seq, const std::string& type) {
	return {std::to_string(seq), type, std::string(R"(["K:1"])"), std::string("{}"), std::string("{}"), std::string("0"),
	        std::nullopt};
}

std::shared_ptr<Recorder> answering_recorder() {
	auto r = std::make_shared<Recorder>();
	r->rows[dcb::StatementKind::append] = {{std::string("7")}};
	r->rows[dcb::StatementKind::head] = {{std::string("7")}};
	r->rows[dcb::StatementKind::snapshot_save] = {{std::string("")}};
	r->rows[dcb::StatementKind::snapshot_delete] = {{std::string("1")}};
	return r;
}

/// Runs every kind of call the store makes.
void call_everything(const dcb::EventStore& store) {
	const dcb::Filter f = dcb::build_event_filter().matching().any_predicate_of({dcb::P("K", "1")}).finalize();
	const dcb::Event e{.type = "A", .data = "{}", .tags = {"K:1"}};
	store.query(f);
	store.query(dcb::Filter{});  // a filter that matches everything is sent as NULL
	store.append(f, 0, {e});
	store.append({e});
	store.append_batch({dcb::AppendRequest{.filter = f, .expected_max = 0, .events = {e}}, dcb::AppendRequest{.events = {e}}});
	store.query_batch({dcb::ReadRequest{.filter = f}, dcb::ReadRequest{.filter = f, .after = 3}});
	store.head();
	store.head(dcb::Consistency::eventual);
	store.save_snapshot("p", f, 3, R"({"n":1})");
	store.load_snapshot("p", f);
	store.delete_snapshot("p", f);
	store.execute(f, [&](const std::vector<dcb::StoredEvent>&) { return std::vector<dcb::Event>{e}; });
	const dcb::Projection<int> count{.name = "p",
	                                 .initial = [] { return 0; },
	                                 .from_snapshot = [](const std::string& s) { return std::stoi(s); },
	                                 .apply = [](int& n, const dcb::StoredEvent&) { ++n; },
	                                 .to_snapshot = [](const int& n) { return std::to_string(n); }};
	store.execute_from_snapshot(f, count, [&](const int&) { return std::vector<dcb::Event>{e}; });
}

}  // namespace

TEST_CASE("every statement passes the store as its last argument (NULL for the default store)") {
	for (const std::string& name : std::vector<std::string>{"orders", ""}) {
		CAPTURE(name);
		auto recorder = answering_recorder();
		auto replica = answering_recorder();
		const auto store = dcb::EventStore::with_backend(recorder, replica, dcb::StoreOptions{.store = name});
		call_everything(store);
		std::vector<dcb::StatementCall> calls = recorder->calls;
		calls.insert(calls.end(), replica->calls.begin(), replica->calls.end());
		std::map<dcb::StatementKind, int> kinds;
		for (const auto& call : calls) {
			CAPTURE(dcb::statement_sql(call.kind));
			const int n = dcb::statement_param_count(call.kind);
			REQUIRE(static_cast<int>(call.params.size()) == n);
			REQUIRE(n >= 1);
			// the store is the SQL function's last argument, and the statement's last parameter
			const std::string sql(dcb::statement_sql(call.kind));
			CHECK(sql.find("$" + std::to_string(n) + "::text)") != std::string::npos);
			CHECK(sql.find("$" + std::to_string(n + 1)) == std::string::npos);
			if (name.empty()) CHECK_FALSE(call.params.back().has_value());
			else CHECK(call.params.back() == std::optional<std::string>(name));
			++kinds[call.kind];
		}
		CHECK(kinds.size() == 6);  // every kind of statement was seen
		CHECK(replica->calls.size() == 1);  // the eventual head
	}
}

TEST_CASE("a store name the server would refuse is refused before anything is sent") {
	for (const std::string& bad : std::vector<std::string>{"Orders", "1orders", "or-ders", "_x", std::string(59, 'a')}) {
		CAPTURE(bad);
		try {
			dcb::EventStore::with_backend(std::make_shared<Recorder>(), nullptr, dcb::StoreOptions{.store = bad});
			FAIL("accepted");
		} catch (const dcb::InvalidArgument& e) {
			CHECK(e.sqlstate() == "22023");
		}
		CHECK_THROWS_AS(dcb::EventStore::connect("host=/nonexistent", dcb::StoreOptions{.store = bad}), dcb::InvalidArgument);
	}
	CHECK_NOTHROW(dcb::EventStore::with_backend(std::make_shared<Recorder>(), nullptr,
	                                            dcb::StoreOptions{.store = "a" + std::string(57, '_')}));
}

TEST_CASE("execute_from_snapshot reads after the snapshot and appends at the last position it read") {
	const dcb::Filter f = dcb::build_event_filter().matching().any_predicate_of({dcb::P("K", "1")}).finalize();
	const dcb::Projection<std::string> types{
	    .name = "types",
	    .initial = [] { return std::string("init"); },
	    .from_snapshot = [](const std::string& s) { return "snap" + s; },
	    .apply = [](std::string& s, const dcb::StoredEvent& e) { s += e.type; },
	    .to_snapshot = [](const std::string& s) { return "\"" + s + "\""; }};
	std::string seen;
	auto decide = [&](const std::string& state) {
		seen = state;
		return std::vector<dcb::Event>{dcb::Event{.type = "X", .data = "{}"}};
	};
	auto store_with = [](std::shared_ptr<Recorder> r) { return dcb::EventStore::with_backend(std::move(r), nullptr); };

	SUBCASE("events after the snapshot: the condition is the last one read") {
		auto r = answering_recorder();
		r->rows[dcb::StatementKind::snapshot_load] = {{std::string("5"), std::string("[1]"), std::string("0")}};
		r->rows[dcb::StatementKind::read] = {event_row(7, "B"), event_row(9, "C")};
		const auto res = store_with(r).execute_from_snapshot(f, types, decide, {.save_after_events = 2});
		REQUIRE(r->calls.size() == 4);
		CHECK(r->calls[0].kind == dcb::StatementKind::snapshot_load);
		CHECK(r->calls[1].kind == dcb::StatementKind::read);
		CHECK(r->calls[1].params[1] == std::optional<std::string>("5"));  // after the snapshot
		CHECK(r->calls[2].kind == dcb::StatementKind::snapshot_save);
		CHECK(r->calls[2].params[2] == std::optional<std::string>("9"));  // the state at the read's position
		CHECK(r->calls[2].params[3] == std::optional<std::string>("\"snap[1]BC\""));
		CHECK(r->calls[3].kind == dcb::StatementKind::append);
		CHECK(r->calls[3].params[1] == std::optional<std::string>("9"));  // expected_max
		CHECK(seen == "snap[1]BC");
		CHECK(res.snapshot_seq == std::optional<std::int64_t>(5));
		CHECK(res.read_position == 9);
		CHECK(res.saved_seq == std::optional<std::int64_t>(9));
		CHECK(res.read.size() == 2);
		CHECK(res.last_seq == 7);
	}
	SUBCASE("nothing after the snapshot: the condition is the snapshot's seq, and nothing is saved") {
		auto r = answering_recorder();
		r->rows[dcb::StatementKind::snapshot_load] = {{std::string("5"), std::string("[1]"), std::string("0")}};
		const auto res = store_with(r).execute_from_snapshot(f, types, decide, {.save_after_events = 1});
		REQUIRE(r->calls.size() == 3);
		CHECK(r->calls[2].kind == dcb::StatementKind::append);
		CHECK(r->calls[2].params[1] == std::optional<std::string>("5"));
		CHECK(seen == "snap[1]");
		CHECK_FALSE(res.saved_seq.has_value());
	}
	SUBCASE("no snapshot: the whole boundary from the initial state") {
		auto r = answering_recorder();
		r->rows[dcb::StatementKind::read] = {event_row(2, "B")};
		const auto res = store_with(r).execute_from_snapshot(f, types, decide, {.save_after_events = 0});
		REQUIRE(r->calls.size() == 3);
		CHECK(r->calls[1].params[1] == std::optional<std::string>("0"));
		CHECK(r->calls[2].params[1] == std::optional<std::string>("2"));
		CHECK(seen == "initB");
		CHECK_FALSE(res.snapshot_seq.has_value());
	}
	SUBCASE("a projection that lacks a function is refused") {
		auto r = answering_recorder();
		dcb::Projection<std::string> broken = types;
		broken.from_snapshot = nullptr;
		CHECK_THROWS_AS(store_with(r).execute_from_snapshot(f, broken, decide), dcb::InvalidArgument);
		CHECK(r->calls.empty());
	}
}
