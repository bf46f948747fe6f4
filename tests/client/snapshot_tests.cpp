// snapshot_tests.cpp — save_snapshot / load_snapshot / delete_snapshot against the server, and the command handler
// that starts from a snapshot: on random histories it decides and appends exactly as execute() does from the whole
// boundary, and under concurrency it keeps an invariant that only its condition protects.
#include <doctest/doctest.h>

#include "test_db.hpp"

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>

using dcb::P;

namespace {

std::string quoted(const std::string& s) {
	std::string out = "'";
	for (const char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
	return out + "'";
}

/// The test's projection: counts and a hash over everything it applied (position, type, data, tags), so that a
/// state differs whenever the events folded into it differ in any way or order.
struct Tally {
	std::int64_t a = 0, b = 0, n = 0;
	std::uint64_t h = 14695981039346656037ull;

	void mix(std::string_view s) {
		for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
		h = (h ^ 0xffu) * 1099511628211ull;
	}
	void apply(const dcb::StoredEvent& e) {
		++n;
		if (e.type == "A") ++a;
		if (e.type == "B") ++b;
		mix(std::to_string(e.seq));
		mix(e.type);
		mix(e.data);
		std::vector<std::string> tags = e.tags;
		std::sort(tags.begin(), tags.end());
		for (const auto& t : tags) mix(t);
	}
	std::string hex() const {
		char buf[17];
		std::snprintf(buf, sizeof buf, "%016" PRIx64, h);
		return buf;
	}
	std::string to_json() const {
		return "[" + std::to_string(a) + "," + std::to_string(b) + "," + std::to_string(n) + ",\"" + hex() + "\"]";
	}
	static Tally from_json(const std::string& json) {  // as jsonb prints it: [1, 2, 3, "00ff..."]
		Tally t;
		long long a = 0, b = 0, n = 0;
		unsigned long long h = 0;
		if (std::sscanf(json.c_str(), "[%lld, %lld, %lld, \"%llx\"]", &a, &b, &n, &h) != 4)
			throw std::runtime_error("not a Tally: " + json);
		t.a = a, t.b = b, t.n = n, t.h = h;
		return t;
	}
	bool operator==(const Tally&) const = default;
};

Tally fold(const std::vector<dcb::StoredEvent>& events, std::int64_t up_to = INT64_MAX) {
	Tally t;
	for (const auto& e : events)
		if (e.seq <= up_to) t.apply(e);
	return t;
}

const dcb::Projection<Tally> tally{.name = "tally",
                                   .initial = [] { return Tally{}; },
                                   .from_snapshot = [](const std::string& json) { return Tally::from_json(json); },
                                   .apply = [](Tally& t, const dcb::StoredEvent& e) { t.apply(e); },
                                   .to_snapshot = [](const Tally& t) { return t.to_json(); }};

/// The tags of one random history.
struct Tags {
	Tags(dcb::Predicate a, dcb::Predicate b, dcb::Predicate c) : p1(std::move(a)), p2(std::move(b)), p3(std::move(c)) {}
	dcb::Predicate p1, p2, p3;
	std::string t1 = p1.tag(), t2 = p2.tag(), t3 = p3.tag();
};

/// The decision: depends on every bit of the state, and writes it into the events it appends.
std::vector<dcb::Event> decide(const Tally& s, const Tags& t) {
	const std::string data = R"({"h":")" + s.hex() + R"(","n":)" + std::to_string(s.n) + "}";
	switch (s.h % 5) {
	case 0: return {};
	case 1: return {dcb::Event{.type = "A", .data = data, .tags = {t.t1}}};
	case 2: return {dcb::Event{.type = "B", .data = data, .tags = {t.t2, t.t3}}};
	case 3:
		if (s.a > s.b) return {dcb::Event{.type = "B", .data = data, .tags = {t.t1}}, dcb::Event{.type = "C", .data = data, .tags = {t.t3}}};
		return {dcb::Event{.type = "A", .data = data, .tags = {t.t2}}};
	default: return {dcb::Event{.type = "C", .data = data, .tags = {t.t3}}};
	}
}

/// A filter shape of a history: the filter, the same meaning spelled otherwise (items, types and tags reordered and
/// repeated), and a filter of another meaning.
struct Shape {
	dcb::Filter filter;
	std::string respelled;
	dcb::Filter other;
};

Shape shape(int kind, const Tags& t) {
	using dcb::build_event_filter;
	auto js = [](const std::string& s) { return "\"" + s + "\""; };
	switch (kind) {
	case 0:
		return {build_event_filter().matching().any_event_type_of({"A", "B"}).and_any_predicate_of({t.p1, t.p2}).finalize(),
		        R"({"items": [{"tags": [)" + js(t.t2) + R"(], "types": ["B", "A", "B"]}, {"types": ["B", "A"], "tags": [)" + js(t.t1) +
		            "]}, " + R"({"tags": [)" + js(t.t1) + R"(], "types": ["A", "B"]}]})",
		        build_event_filter().matching().any_event_type_of({"A", "B"}).and_any_predicate_of({t.p1}).finalize()};
	case 1:
		return {build_event_filter().matching().all_predicates_of({t.p1, t.p2}).finalize(),
		        R"({"items": [{"tags": [)" + js(t.t2) + ", " + js(t.t1) + ", " + js(t.t2) + "]}]}",
		        build_event_filter().matching().all_predicates_of({t.p1}).finalize()};
	default:
		return {build_event_filter().matching().any_event_type_of({"A", "C"}).and_all_predicates_of({t.p3})
		            .or_matching().any_event_type_of({"B"}).and_all_predicates_of({t.p1}).finalize(),
		        R"({"items": [{"types": ["B"], "tags": [)" + js(t.t1) + R"(]}, {"tags": [)" + js(t.t3) + R"(], "types": ["C", "A"]}]})",
		        build_event_filter().matching().any_event_type_of({"A", "C"}).and_all_predicates_of({t.p3}).finalize()};
	}
}

struct Comparable {
	std::int64_t seq;
	std::string type;
	std::vector<std::string> tags;
	std::string data;
	bool operator==(const Comparable&) const = default;
};

std::vector<Comparable> comparable(const std::vector<dcb::StoredEvent>& events) {
	std::vector<Comparable> out;
	for (const auto& e : events) {
		std::vector<std::string> tags = e.tags;
		std::sort(tags.begin(), tags.end());
		out.push_back({e.seq, e.type, std::move(tags), e.data});
	}
	return out;
}

std::vector<Comparable> comparable(const std::vector<dcb::Event>& events) {
	std::vector<Comparable> out;
	for (const auto& e : events) {
		std::vector<std::string> tags = e.tags;
		std::sort(tags.begin(), tags.end());
		out.push_back({0, e.type, std::move(tags), e.data});
	}
	return out;
}

std::uint64_t test_seed() {
	if (const char* s = std::getenv("DCB_TEST_SEED")) return std::strtoull(s, nullptr, 10);
	return std::random_device{}();
}

}  // namespace

TEST_CASE("snapshots: save, load, delete; the highest seq wins; the filter's meaning names it") {
	const auto store = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.pool_size = 2});
	const std::string k = dcb_test::unique("snap");
	const auto filter =
	    dcb::build_event_filter().matching().any_event_type_of({"A", "B"}).and_any_predicate_of({P("K", k), P("L", k)}).finalize();
	// the same meaning, built in another order; another meaning
	const auto same = dcb::build_event_filter().matching().any_event_type_of({"B", "A"}).and_any_predicate_of({P("L", k), P("K", k)}).finalize();
	const auto other = dcb::build_event_filter().matching().any_event_type_of({"A"}).and_any_predicate_of({P("K", k), P("L", k)}).finalize();

	CHECK_FALSE(store.load_snapshot("loans", filter).has_value());
	const std::int64_t s1 = store.append({dcb::Event{.type = "A", .data = "{}", .tags = {P("K", k)}}});
	const std::int64_t s2 = store.append({dcb::Event{.type = "B", .data = "{}", .tags = {P("L", k)}}});
	const auto before = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
	store.save_snapshot("loans", filter, s2, R"({"lent":2,  "ids":[1,2]})");
	auto loaded = store.load_snapshot("loans", filter);
	REQUIRE(loaded.has_value());
	CHECK(loaded->seq == s2);
	CHECK(loaded->data == R"({"ids": [1, 2], "lent": 2})");  // as jsonb prints it
	CHECK(std::chrono::abs(loaded->created_at - before) < std::chrono::minutes(1));
	CHECK(store.load_snapshot("loans", same) == loaded);
	CHECK_FALSE(store.load_snapshot("loans", other).has_value());
	CHECK_FALSE(store.load_snapshot("Loans", filter).has_value());  // projection names are case-sensitive

	store.save_snapshot("loans", filter, s1, R"("older")");  // a lower seq is ignored
	CHECK(store.load_snapshot("loans", filter)->data == R"({"ids": [1, 2], "lent": 2})");
	store.save_snapshot("loans", same, s2, R"("same seq")");  // an equal seq replaces it
	CHECK(store.load_snapshot("loans", filter)->data == R"("same seq")");

	// errors: seq above the head and invalid JSON from the server; a bad projection or seq before anything is sent
	try {
		store.save_snapshot("loans", filter, store.head() + 1000, "{}");
		FAIL("a seq above the head was accepted");
	} catch (const dcb::InvalidArgument& e) {
		CHECK(e.sqlstate() == "22023");
	}
	CHECK_THROWS_AS(store.save_snapshot("loans", filter, s2, "{not json"), dcb::InvalidArgument);
	CHECK_THROWS_AS(store.save_snapshot("", filter, s2, "{}"), dcb::InvalidArgument);
	CHECK_THROWS_AS(store.save_snapshot("loans", filter, -1, "{}"), dcb::InvalidArgument);
	CHECK_THROWS_AS(store.load_snapshot(std::string(256, 'p'), filter), dcb::InvalidArgument);

	CHECK(store.delete_snapshot("loans", same));
	CHECK_FALSE(store.delete_snapshot("loans", filter));
	CHECK_FALSE(store.load_snapshot("loans", filter).has_value());
	// the filter that matches every event names a snapshot too
	store.save_snapshot("everything", dcb::Filter{}, s2, "1");
	CHECK(store.load_snapshot("everything", dcb::Filter{})->seq == s2);
	CHECK(store.delete_snapshot("everything", dcb::Filter{}));
}

// Random histories on a few tags, replayed identically into two stores: execute() decides on one from the whole
// boundary, execute_from_snapshot() on the other from snapshots saved at random points (stale ones, ones spelled
// otherwise, ones of another filter meaning or another projection that must not be used, deleted ones, and the ones
// it saves itself). Both must decide the same events and append them at the same positions.
TEST_CASE("execute_from_snapshot decides and appends as execute does from the whole boundary, on random histories") {
	dcb_test::create_store("equiv_plain");
	dcb_test::create_store("equiv_snap");
	const auto plain = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.store = "equiv_plain", .pool_size = 2});
	const auto snap = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.store = "equiv_snap", .pool_size = 2});
	auto raw = dcb_test::connect_raw();
	const std::uint64_t seed = test_seed();
	MESSAGE("seed " << seed << " (DCB_TEST_SEED repeats a run)");
	std::mt19937_64 rng(seed);
	auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
	// one retry policy for both: in a sequential run any conflict is a bug
	const dcb::RetryOverrides no_retries{.max_attempts = 1};

	struct {
		int commands = 0, from_snapshot = 0, stale = 0, beyond_last_match = 0, respelled_used = 0, decoys = 0,
		    deleted = 0, saved_by_handler = 0, appended = 0, declined = 0;
	} seen;

	const int histories = 40;
	for (int history = 0; history < histories; ++history) {
		const Tags t{P("K1", dcb_test::unique("t")), P("K2", dcb_test::unique("t")), P("K3", dcb_test::unique("t"))};
		const Shape sh = shape(pick(3), t);
		const auto everything = dcb::build_event_filter().matching().any_predicate_of({t.p1, t.p2, t.p3}).finalize();
		std::optional<std::int64_t> expected;  // the snapshot of (tally, filter) the store holds
		bool respelled_latest = false;
		for (int round = 0; round < 4; ++round) {
			CAPTURE(history);
			CAPTURE(round);
			// more history, the same into both stores
			for (int batches = pick(4); batches > 0; --batches) {
				std::vector<dcb::Event> batch;
				for (int n = 1 + pick(5); n > 0; --n) {
					const char* types[] = {"A", "B", "C"};
					dcb::Event e{.type = types[pick(3)], .data = R"({"v":)" + std::to_string(pick(1000)) + "}"};
					const int mask = 1 + pick(7);
					if (mask & 1) e.tags.push_back(t.t1);
					if (mask & 2) e.tags.push_back(t.t2);
					if (mask & 4) e.tags.push_back(t.t3);
					batch.push_back(e);
				}
				const std::int64_t a = plain.append(batch);
				REQUIRE(snap.append(batch) == a);
			}
			const std::int64_t head = snap.head();
			const auto matching = snap.query(sh.filter).events;
			// snapshots at random points: right ones (possibly stale, possibly spelled otherwise, possibly lower than
			// the stored one and so ignored), decoys under another meaning or projection, deletions
			switch (pick(6)) {
			case 0: break;
			case 1:
			case 2:
			case 3: {
				const std::int64_t s = pick(static_cast<int>(head) + 1);
				const std::string data = fold(matching, s).to_json();
				const bool respell = pick(2) == 0;
				if (respell)
					dcb_test::exec(raw.get(), "SELECT dcb_snapshot_save('tally', " + quoted(sh.respelled) + ", " + std::to_string(s) +
					                              ", " + quoted(data) + ", 'equiv_snap')");
				else
					snap.save_snapshot("tally", sh.filter, s, data);
				if (!expected || s >= *expected) {
					expected = s;
					respelled_latest = respell;
				}
				break;
			}
			case 4: {
				// decoys at the head: a wrong state under another meaning of the filter, and under another projection
				const std::string wrong = fold(snap.query(sh.other).events).to_json();
				snap.save_snapshot("tally", sh.other, head, wrong);
				snap.save_snapshot("tally-other", sh.filter, head, Tally{}.to_json());
				++seen.decoys;
				break;
			}
			default:
				CHECK(snap.delete_snapshot("tally", sh.filter) == expected.has_value());
				expected.reset();
				++seen.deleted;
			}

			std::vector<dcb::Event> plain_decision, snap_decision;
			const auto p = plain.execute(
			    sh.filter,
			    [&](const std::vector<dcb::StoredEvent>& events) {
				    plain_decision = decide(fold(events), t);
				    return plain_decision;
			    },
			    dcb::ExecuteOptions{.retry = no_retries});
			const std::size_t save_after[] = {0, 1, 3, 1000};
			const auto s = snap.execute_from_snapshot(
			    sh.filter, tally,
			    [&](const Tally& state) {
				    snap_decision = decide(state, t);
				    return snap_decision;
			    },
			    dcb::SnapshotExecuteOptions{.retry = no_retries, .save_after_events = save_after[pick(4)]});
			++seen.commands;

			// the same decision, appended at the same positions
			CHECK(comparable(snap_decision) == comparable(plain_decision));
			CHECK(s.appended == p.appended);
			CHECK(s.last_seq == p.last_seq);
			CHECK(s.attempts == 1);
			CHECK(p.attempts == 1);
			(p.appended ? seen.appended : seen.declined)++;
			// from the snapshot it should have used, reading only what follows it
			CHECK(s.snapshot_seq == expected);
			const std::int64_t from = expected.value_or(0);
			std::vector<dcb::StoredEvent> after;
			for (const auto& e : p.read)
				if (e.seq > from) after.push_back(e);
			CHECK(comparable(s.read) == comparable(after));
			CHECK(s.read_position == std::max(from, after.empty() ? 0 : after.back().seq));
			if (expected) {
				++seen.from_snapshot;
				if (!after.empty()) ++seen.stale;
				if (p.read.empty() || p.read.back().seq < *expected) ++seen.beyond_last_match;
				if (respelled_latest) ++seen.respelled_used;
			}
			// a snapshot it saved holds the fold of the whole boundary up to its seq
			if (s.saved_seq) {
				++seen.saved_by_handler;
				CHECK(*s.saved_seq == s.read_position);
				const auto stored = snap.load_snapshot("tally", sh.filter);
				REQUIRE(stored.has_value());
				CHECK(stored->seq == *s.saved_seq);
				CHECK(Tally::from_json(stored->data) == fold(p.read, *s.saved_seq));
				expected = *s.saved_seq;
				respelled_latest = false;
			}
			// the two logs are the same
			CHECK(plain.head() == snap.head());
			CHECK(comparable(plain.query(everything).events) == comparable(snap.query(everything).events));
		}
	}
	MESSAGE("commands " << seen.commands << ", from a snapshot " << seen.from_snapshot << " (stale " << seen.stale
	                    << ", beyond the last match " << seen.beyond_last_match << ", spelled otherwise " << seen.respelled_used
	                    << "), decoys " << seen.decoys << ", deletions " << seen.deleted << ", saved by the handler "
	                    << seen.saved_by_handler << ", appended " << seen.appended << ", declined " << seen.declined);
	// every case the test is about happened
	CHECK(seen.from_snapshot > 0);
	CHECK(seen.stale > 0);
	CHECK(seen.beyond_last_match > 0);
	CHECK(seen.respelled_used > 0);
	CHECK(seen.decoys > 0);
	CHECK(seen.deleted > 0);
	CHECK(seen.saved_by_handler > 0);
	CHECK(seen.appended > 0);
	CHECK(seen.declined > 0);
}

// Threads sell the seats of a concert with execute_from_snapshot, saving a snapshot after every event they read, while
// others append events of other concerts: exactly `capacity` seats are sold, and the last snapshot is the fold of
// the log. An append whose condition let an unread sale through would oversell.
TEST_CASE("execute_from_snapshot under concurrency: no seat sold twice, snapshots consistent") {
	const auto store = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{.pool_size = 8});
	const std::string concert = dcb_test::unique("concert");
	const auto filter = dcb::build_event_filter().matching().any_event_type_of({"SeatSold"}).and_all_predicates_of({P("Concert", concert)}).finalize();
	const dcb::Projection<std::int64_t> sold{.name = "seats-sold",
	                                         .initial = [] { return std::int64_t{0}; },
	                                         .from_snapshot = [](const std::string& s) { return std::int64_t{std::stoll(s)}; },
	                                         .apply = [](std::int64_t& n, const dcb::StoredEvent&) { ++n; },
	                                         .to_snapshot = [](const std::int64_t& n) { return std::to_string(n); }};
	const std::int64_t capacity = 40;
	std::atomic<int> sales{0}, from_snapshots{0}, retried{0};
	std::atomic<bool> selling{true};
	std::mutex errors_mutex;
	std::vector<std::string> errors;  // what the threads threw
	auto record = [&](const std::exception& e) {
		std::lock_guard lock(errors_mutex);
		errors.emplace_back(e.what());
	};
	auto sell = [&] {
		for (;;) {
			const auto r = store.execute_from_snapshot(
			    filter, sold,
			    [&](const std::int64_t& n) {
				    if (n > capacity) throw std::logic_error("oversold");
				    if (n == capacity) return std::vector<dcb::Event>{};
				    return std::vector<dcb::Event>{dcb::Event{.type = "SeatSold", .data = "{}", .tags = {P("Concert", concert)}}};
			    },
			    dcb::SnapshotExecuteOptions{.retry = {.max_attempts = 1000, .max_backoff = std::chrono::milliseconds(5)},
			                                .save_after_events = 1});
			if (r.snapshot_seq) ++from_snapshots;
			if (r.attempts > 1) ++retried;
			if (r.appended == 0) return;
			++sales;
		}
	};
	std::vector<std::thread> threads;
	for (int w = 0; w < 6; ++w)
		threads.emplace_back([&] {
			try {
				sell();
			} catch (const std::exception& e) {
				record(e);
			}
		});
	threads.emplace_back([&] {
		try {
			while (selling.load())
				store.append({dcb::Event{.type = "SeatSold", .data = "{}", .tags = {P("Concert", concert + "-other")}}});
		} catch (const std::exception& e) {
			record(e);
		}
	});
	for (std::size_t i = 0; i + 1 < threads.size(); ++i) threads[i].join();
	selling = false;
	threads.back().join();
	MESSAGE("sales " << sales.load() << ", decisions from a snapshot " << from_snapshots.load() << ", with retries " << retried.load());
	CHECK_MESSAGE(errors.empty(), (errors.empty() ? std::string() : errors.front()));
	CHECK(sales.load() == capacity);
	const auto log = store.query(filter);
	CHECK(static_cast<std::int64_t>(log.events.size()) == capacity);
	const auto last = store.load_snapshot("seats-sold", filter);
	REQUIRE(last.has_value());
	std::int64_t upto = 0;
	for (const auto& e : log.events)
		if (e.seq <= last->seq) ++upto;
	CHECK(last->data == std::to_string(upto));
	CHECK(from_snapshots.load() > 0);
}
