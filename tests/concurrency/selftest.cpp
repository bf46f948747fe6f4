// selftest.cpp — unit tests of the driver's model and invariant checkers, without a server.
//
// Every checker must detect a planted violation: a check that cannot fail proves nothing.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "checks.hpp"
#include "model.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

using namespace dcbc;

namespace {

std::string dump(const rapidjson::Value &v) {
	rapidjson::StringBuffer buf;
	rapidjson::Writer<rapidjson::StringBuffer> w(buf);
	v.Accept(w);
	return buf.GetString();
}

// Builds the events of one call exactly as the driver sends them, then parses them back as if read.
std::vector<LogEvent> call_events(const std::string &call, std::vector<int64_t> seqs, const std::vector<EventSpec> &specs,
                                  const OptFilter &f = std::nullopt, std::optional<int64_t> p = std::nullopt) {
	rapidjson::Document doc;
	doc.Parse(append_events_json(call, f, p, specs).c_str());
	REQUIRE(!doc.HasParseError());
	std::vector<LogEvent> out;
	for (size_t i = 0; i < specs.size(); ++i) {
		std::string tags = "[";
		for (size_t k = 0; k < specs[i].tags.size(); ++k) tags += (k ? "," : "") + json_string(specs[i].tags[k]);
		out.push_back(parse_event(seqs[i], specs[i].type, tags + "]", dump(doc[i]["data"]), dump(doc[i]["metadata"]),
		                          specs[i].id));
	}
	return out;
}

LogEvent one(const std::string &call, int64_t seq, const std::string &type, std::vector<std::string> tags,
             const OptFilter &f = std::nullopt, std::optional<int64_t> p = std::nullopt) {
	return call_events(call, {seq}, {{type, std::move(tags), {{"k", "x"}}}}, f, p)[0];
}

Filter tag(const std::string &t) { return Filter{{Item{{}, {t}, {}}}}; }

Log make_log(std::vector<LogEvent> evs) { return Log(std::move(evs)); }

}  // namespace

TEST_CASE("matching follows the README: types OR, tags AND, items OR, payload containment") {
	LogEvent e = one("c", 1, "A", {"t1", "t2"});
	CHECK(matches(Filter{{Item{{"A", "B"}, {}, {}}}}, e));
	CHECK_FALSE(matches(Filter{{Item{{"B"}, {}, {}}}}, e));
	CHECK(matches(Filter{{Item{{}, {"t1", "t2"}, {}}}}, e));
	CHECK_FALSE(matches(Filter{{Item{{}, {"t1", "t3"}, {}}}}, e));
	CHECK_FALSE(matches(Filter{{Item{{"A"}, {"t3"}, {}}}}, e));
	CHECK(matches(Filter{{Item{{"B"}, {}, {}}, Item{{}, {"t2"}, {}}}}, e));
	CHECK(matches(Filter{{Item{{}, {}, {{"k", "x"}}}}}, e));
	CHECK_FALSE(matches(Filter{{Item{{}, {}, {{"k", "y"}}}}}, e));
	CHECK(matches(Filter{}, e));
	CHECK(matches(OptFilter{}, e));
}

TEST_CASE("the recorded condition survives the round trip through metadata") {
	Filter f{{Item{{"A"}, {"t1"}, {{"k", "y"}}}, Item{{}, {"t\"2"}, {}}}};
	LogEvent e = one("c7", 9, "A", {"t1"}, f, 4);
	CHECK(e.call == "c7");
	CHECK(e.conditional);
	CHECK(to_json(e.filter) == to_json(f));
	CHECK(e.expected_max == 4);
	LogEvent u = one("c8", 10, "A", {});
	CHECK_FALSE(u.conditional);
	CHECK_FALSE(u.expected_max.has_value());
	CHECK(to_json(Filter{}) == "{}");
}

TEST_CASE("check_g1 finds a matching event between expected_max and the call's first seq") {
	auto winner = one("w", 2, "A", {"t1"}, tag("t1"), 0);
	auto loser = one("l", 3, "A", {"t1"}, tag("t1"), 0);  // decided on an empty boundary: lost decision
	auto v = check_g1(make_log({winner, loser}));
	REQUIRE(v.size() == 1);
	CHECK(v[0].find("call l") != std::string::npos);
	CHECK(v[0].find("seq(s) 2") != std::string::npos);
	// The same events with a correct expected_max, or a non-matching event in between, are fine.
	CHECK(check_g1(make_log({winner, one("l", 3, "A", {"t1"}, tag("t1"), 2)})).empty());
	CHECK(check_g1(make_log({one("x", 2, "A", {"t2"}), one("l", 3, "A", {"t1"}, tag("t1"), 0)})).empty());
	// An event at exactly expected_max is not "after" it.
	CHECK(check_g1(make_log({one("x", 2, "A", {"t1"}), one("l", 3, "A", {"t1"}, tag("t1"), 2)})).empty());
	// The call's own later events do not count; an earlier event inside a batch of another call does.
	auto batch = call_events("b", {5, 7}, {{"A", {"t1"}, {}}, {"A", {"t1"}, {}}}, tag("t1"), 4);
	CHECK(check_g1(make_log({batch[0], batch[1]})).empty());
	CHECK(check_g1(make_log({one("x", 6, "B", {"t1"}), batch[0], batch[1]})).empty());  // 6 is after first seq 5
	CHECK(check_g1(make_log({one("x", 4, "B", {"t1"}), one("y", 3, "B", {"t1"}), batch[0], batch[1]})).empty());
	auto late = call_events("b2", {8, 9}, {{"A", {"t1"}, {}}, {"A", {"t1"}, {}}}, tag("t1"), 6);
	CHECK(check_g1(make_log({one("x", 7, "B", {"t1"}), late[0], late[1]})).size() == 1);
}

TEST_CASE("check_read finds a read that skipped an event below its last row (G2)") {
	Log log = make_log({one("a", 1, "A", {"t1"}), one("b", 2, "A", {"t1"}), one("c", 3, "A", {"t1"}), one("d", 4, "B", {"t2"})});
	CHECK(check_read(log, {"r", tag("t1"), 0, {1, 2, 3}}).empty());
	CHECK(check_read(log, {"r", tag("t1"), 1, {2}}).empty());  // stopping early is fine
	CHECK(check_read(log, {"r", tag("t1"), 0, {}}).empty());
	auto v = check_read(log, {"r", tag("t1"), 0, {1, 3}});
	REQUIRE(v.size() == 1);
	CHECK(v[0].find("missed seq(s) 2") != std::string::npos);
	CHECK(check_read(log, {"r", tag("t1"), 0, {1, 4}}).size() == 1);  // a non-matching row
	CHECK(check_read(log, {"r", tag("t1"), 0, {1, 2, 9}}).size() == 1);  // a row not in the final log
	CHECK(check_read(log, {"r", tag("t1"), 2, {2, 3}}).size() == 1);  // a row <= after
	CHECK(check_read(log, {"r", tag("t1"), 0, {2, 1}}).size() >= 1);  // descending
}

TEST_CASE("check_head finds an event at or below dcb_head() that a later read did not see") {
	Log log = make_log({one("a", 1, "A", {}), one("b", 2, "A", {}), one("c", 5, "A", {})});
	CHECK(check_head(log, {"h", 2, {1, 2}}).empty());
	CHECK(check_head(log, {"h", 4, {1, 2}}).empty());
	CHECK(check_head(log, {"h", 5, {1, 2}}).size() == 1);
	CHECK(check_head(log, {"h", 2, {2}}).size() == 1);
}

TEST_CASE("check_catch_up finds skips, duplicates and disorder") {
	Log log = make_log({one("a", 1, "A", {"t1"}), one("b", 2, "A", {"t2"}), one("c", 3, "A", {"t1"})});
	CHECK(check_catch_up(log, {"c", std::nullopt, {1, 2, 3}}).empty());
	CHECK(check_catch_up(log, {"c", tag("t1"), {1, 3}}).empty());
	CHECK(check_catch_up(log, {"c", std::nullopt, {1, 3}}).size() == 1);
	CHECK(check_catch_up(log, {"c", std::nullopt, {1, 2, 2, 3}}).size() >= 1);
	CHECK(check_catch_up(log, {"c", std::nullopt, {2, 1, 3}}).size() >= 1);
	CHECK(check_catch_up(log, {"c", tag("t1"), {1, 2, 3}}).size() == 1);
}

TEST_CASE("check_ledger finds partial batches, reordered batches, wrong returns and stray events") {
	auto b = call_events("b", {3, 4}, {{"A", {}, {}}, {"A", {}, {}}});
	CallRecord rec{"b", std::nullopt, std::nullopt, 2, 4};
	CHECK(check_ledger(make_log({b[0], b[1]}), {rec}).empty());
	CHECK(check_ledger(make_log({b[0]}), {rec}).size() == 1);                     // half a batch
	CHECK(check_ledger(make_log({b[0], b[1]}), {{"b", std::nullopt, std::nullopt, 2, 3}}).size() == 1);  // returned seq
	CHECK(check_ledger(make_log({b[0], b[1], one("x", 5, "A", {})}), {rec}).size() == 1);  // failed call wrote
	auto swapped = call_events("b", {4, 3}, {{"A", {}, {}}, {"A", {}, {}}});
	CHECK_FALSE(check_ledger(make_log({swapped[0], swapped[1]}), {{"b", std::nullopt, std::nullopt, 2, 3}}).empty());
	CallRecord conditional{"b", tag("t1"), 0, 2, 4};  // the log recorded another condition
	CHECK(check_ledger(make_log({b[0], b[1]}), {conditional}).size() == 2);
}

TEST_CASE("check_order finds a whole-log read out of order") {
	CHECK(check_order(make_log({one("a", 1, "A", {}), one("b", 2, "A", {})})).empty());
	CHECK(check_order(make_log({one("a", 2, "A", {}), one("b", 1, "A", {})})).size() == 1);
	CHECK(check_order(make_log({one("a", 2, "A", {}), one("b", 2, "A", {})})).size() == 1);
}

TEST_CASE("check_ledger compares each stored event with what the call sent") {
	std::vector<EventSpec> sent = {{"A", {"t1", "t2"}, {{"k", "x"}}, "00000000-0000-4000-8000-000000000001"},
	                               {"B", {}, {{"k", "y"}}, std::nullopt}};
	auto b = call_events("b", {3, 4}, sent);
	CallRecord rec{"b", std::nullopt, std::nullopt, 2, 4, sent};
	CHECK(check_ledger(make_log({b[0], b[1]}), {rec}).empty());
	auto other_type = b;
	other_type[1].type = "C";
	CHECK(check_ledger(make_log({other_type[0], other_type[1]}), {rec}).size() == 1);
	auto lost_tag = b;
	lost_tag[0].tags = {"t1"};
	CHECK(check_ledger(make_log({lost_tag[0], lost_tag[1]}), {rec}).size() == 1);
	auto other_data = b;
	other_data[0].data = {{"k", "z"}};
	CHECK(check_ledger(make_log({other_data[0], other_data[1]}), {rec}).size() == 1);
	auto other_id = b;
	other_id[0].id = "00000000-0000-4000-8000-000000000002";
	CHECK(check_ledger(make_log({other_id[0], other_id[1]}), {rec}).size() == 1);
	auto no_id = b;
	no_id[0].id.reset();
	CHECK(check_ledger(make_log({no_id[0], no_id[1]}), {rec}).size() == 1);
}

TEST_CASE("check_ledger: a call of unknown outcome is in the log whole or not at all") {
	auto b = call_events("u", {3, 5}, {{"A", {}, {}}, {"A", {}, {}}});
	CallRecord unsure{"u", std::nullopt, std::nullopt, 2, 0};
	CHECK(check_ledger(make_log({b[0], b[1]}), {}, {unsure}).empty());  // committed before the crash
	CHECK(check_ledger(make_log({}), {}, {unsure}).empty());             // did not
	auto v = check_ledger(make_log({b[1]}), {}, {unsure});               // half of it survived
	REQUIRE(v.size() == 1);
	CHECK(v[0].find("1 of its 2 events") != std::string::npos);
	CHECK(check_ledger(make_log({b[0], b[1]}), {}, {}).size() == 2);  // unknown to the ledger: stray events
}

TEST_CASE("check_unique_ids finds two events with one id") {
	auto a = call_events("a", {1}, {{"A", {}, {}, "00000000-0000-4000-8000-000000000001"}})[0];
	auto b = call_events("b", {2}, {{"A", {}, {}, "00000000-0000-4000-8000-000000000002"}})[0];
	auto none = call_events("c", {3}, {{"A", {}, {}}})[0];
	CHECK(check_unique_ids(make_log({a, b, none, none})).empty());  // events without an id never clash
	b.id = a.id;
	auto v = check_unique_ids(make_log({a, b}));
	REQUIRE(v.size() == 1);
	CHECK(v[0].find("seq 1 and seq 2") != std::string::npos);
}

TEST_CASE("check_head_is_last finds a head below or above the last position") {
	Log log = make_log({one("a", 1, "A", {}), one("b", 4, "A", {})});
	CHECK(check_head_is_last(log, 4).empty());
	CHECK(check_head_is_last(log, 3).size() == 1);
	CHECK(check_head_is_last(log, 5).size() == 1);
	CHECK(check_head_is_last(make_log({}), 0).empty());
	CHECK(check_head_is_last(make_log({}), 1).size() == 1);
}
