// targets.cpp — the functions the hostile-input driver calls, and how it makes calls of each (see fuzz.hpp).
//
// The 0.1.0 functions (dcb_append, dcb_read, dcb_head) have sharp oracles: the README's error table gives
// the SQLSTATE of each defect. The 0.2.0 functions are in the list already, behind their signatures: the
// driver exercises them once the extension has them, with the contract's error codes where it fixes one.
#include "fuzz.hpp"

#include <algorithm>

namespace dcbf {

namespace {

const std::set<std::string> kAllDocumented = {"40001", "22023", "22004", "23505", "54000", "0A000", "25006"};
constexpr const char *kMaxBigint = "9223372036854775807";

Arg jsonb(Gen &g, std::optional<std::string> v, double binary = 0.1) { return {std::move(v), "jsonb", g.p(binary)}; }
Arg bigint(std::optional<std::string> v) { return {std::move(v), "bigint"}; }
Arg text(Gen &g, std::optional<std::string> v, double binary) { return {std::move(v), "text", g.p(binary)}; }

std::optional<int64_t> as_i64(const std::optional<std::string> &s) {
	if (!s) return std::nullopt;
	try {
		size_t used = 0;
		int64_t v = std::stoll(*s, &used);
		return used == s->size() ? std::optional<int64_t>(v) : std::nullopt;
	} catch (...) {
		return std::nullopt;
	}
}

std::string show(const std::optional<std::string> &v) { return v ? *v : std::string("NULL"); }

// The first column of the row must be exactly `want`.
ResultCheck returns(int64_t want, std::string what) {
	return [want, what](const std::vector<std::optional<std::string>> &row) -> std::string {
		if (!row.empty() && as_i64(row[0]) == want) return "";
		return what + " returned " + (row.empty() ? std::string("no row") : show(row[0])) + ", expected " + std::to_string(want);
	};
}

// A filter with exactly one defect, and the SQLSTATE the README gives for it (one of them: the limits
// are 54000, everything else 22023).
std::pair<std::string, std::string> filter_defect(Gen &g) {
	const int L = g.limits.filter_items;
	auto one_tag_items = [&](int n) {
		std::vector<std::string> items(n, jobj({{"tags", jarr({jstr(g.tag_name())})}}));
		return jobj({{"items", jarr(items)}});
	};
	auto types_item = [&](int n) {
		std::vector<std::string> types;
		for (int i = 0; i < n; ++i) types.push_back(jstr("T" + std::to_string(i)));
		return jobj({{"items", jarr({jobj({{"types", jarr(types)}})})}});
	};
	switch (pick(g.rng, 14)) {
	case 0: return {"{\"items\": []}", "22023"};
	case 1: return {"{\"items\": [{}]}", "22023"};
	case 2: return {"{\"items\": [{\"tags\": [\"t1\"], \"typo\": 1}]}", "22023"};
	case 3: return {"{\"items\": [{\"tags\": [\"t1\"]}], \"after\": 5}", "22023"};
	case 4: return {g.p(0.5) ? "[]" : "\"items\"", "22023"};
	case 5: return {"{\"items\": [{\"types\": []}]}", "22023"};  // no non-empty part at all
	case 6: return {"{\"items\": [{\"types\": [7]}]}", "22023"};
	case 7: return {"{\"items\": [{\"tags\": [\"\"]}]}", "22023"};
	case 8: return {"{\"items\": [{\"tags\": [" + jstr(g.bytes_of_length(Limits::name_bytes + 1)) + "]}]}", "22023"};
	case 9: return {"{\"items\": [{\"payload\": {}}]}", "22023"};
	case 10: return {"{\"items\": [{\"payload\": [1]}]}", "22023"};
	case 11: return {"{\"items\": [{\"tags\": [\"t1\"]}], \"occurred_from\": \"2025-13-01\"}", "22023"};
	case 12: return {one_tag_items(L + 1), "54000"};
	default: return {types_item(L + 1), "54000"};
	}
}

// A filter at its limits (L items, L types in an item, L tags in an item): valid.
std::string filter_at_limit(Gen &g) {
	const int L = g.limits.filter_items;
	std::vector<std::string> names;
	for (int i = 0; i < L; ++i) names.push_back(jstr("n" + std::to_string(i)));
	switch (pick(g.rng, 3)) {
	case 0: {
		std::vector<std::string> items;
		for (int i = 0; i < L; ++i) items.push_back(jobj({{"tags", jarr({names[i]})}}));
		return jobj({{"items", jarr(items)}});
	}
	case 1: return jobj({{"items", jarr({jobj({{"types", jarr(names)}})})}});
	default: return jobj({{"items", jarr({jobj({{"tags", jarr(names)}})})}});
	}
}

// ---------------------------------------------------------------- dcb_append

Call append_call(std::optional<std::string> filter, std::optional<std::string> expected, std::optional<std::string> events,
                 Gen &g) {
	Call c;
	c.sql = "SELECT dcb_append($1::jsonb, $2::bigint, $3::jsonb)";
	c.args = {jsonb(g, std::move(filter)), bigint(std::move(expected)), jsonb(g, std::move(events))};
	c.events_arg = 2;
	return c;
}

// A valid append must return a position above every committed one (the driver is the only writer).
ResultCheck returns_new_position(int64_t head) {
	return [head](const std::vector<std::optional<std::string>> &row) -> std::string {
		auto v = row.empty() ? std::nullopt : as_i64(row[0]);
		if (v && *v > head) return "";
		return "a new append returned " + (row.empty() ? std::string("no row") : show(row[0])) +
		       ", not a position above the last committed " + std::to_string(head);
	};
}

Call append_valid(Gen &g, State &st) {
	const Limits &L = st.limits;
	const Replayable *r = st.replayable.empty() ? nullptr : &st.replayable[pick(g.rng, static_cast<int>(st.replayable.size()))];
	if (r && r->n <= L.events && r->max_tags <= L.tags && g.p(0.1)) {
		// the same events and ids again: the stored position, whatever the condition says
		Call c = append_call(g.p(0.5) ? std::optional<std::string>("{}") : std::nullopt, "0", r->events, g);
		c.expect = Expect::Succeed;
		c.replay_of = r->seq;
		c.check = returns(r->seq, "an idempotent replay");
		c.intent = "replay of the append stored at " + std::to_string(r->seq);
		return c;
	}
	const bool conditional = g.p(0.5);
	std::optional<std::string> filter, expected;
	if (conditional) {
		filter = g.p(0.1) ? filter_at_limit(g) : g.filter(0);
		expected = g.p(0.5) ? std::to_string(st.head) : kMaxBigint;  // nothing can match after the head
	} else {
		expected = g.p(0.3) ? std::nullopt : g.bigint_arg(true);
	}
	int n = 1 + g.upto(std::min(3, L.events - 1));
	if (L.events <= 1000 && g.p(0.05)) n = L.events;
	const bool ids = g.p(0.5);
	std::string events = g.events(0, n, n == 1 && g.p(0.5), ids);
	Call c = append_call(filter, expected, events, g);
	c.expect = Expect::Succeed;
	c.check = returns_new_position(st.head);
	c.intent = "valid " + std::string(conditional ? "conditional" : "unconditional") + " append of " +
	           std::to_string(n) + " event(s)" + (ids ? " with ids" : "");
	if (ids) c.replayable = Replayable{events, n, std::min(3, L.tags)};  // Gen::event's valid tags
	return c;
}

Call append_defect(Gen &g, State &st) {
	const Limits &L = st.limits;
	auto ev = [&](std::vector<std::pair<std::string, std::string>> m) { return jobj(m); };
	auto make = [&](std::optional<std::string> events, std::string code, std::string intent,
	                std::optional<std::string> filter = std::nullopt, std::optional<std::string> expected = std::nullopt) {
		Call c = append_call(std::move(filter), std::move(expected), std::move(events), g);
		if (code.empty()) {
			c.expect = Expect::Succeed;
			c.check = returns_new_position(st.head);
		} else {
			c.expect = Expect::Fail;
			c.codes = {code};
		}
		c.intent = std::move(intent);
		return c;
	};
	auto tags_of = [&](int n) {
		std::vector<std::string> t;
		for (int i = 0; i < n; ++i) t.push_back(jstr("tag" + std::to_string(i)));
		return jarr(t);
	};
	auto n_events = [&](int n) { return jarr(std::vector<std::string>(n, "{\"type\":\"A\",\"data\":1}")); };
	const std::string d1 = "1";
	switch (pick(g.rng, 30)) {
	case 0: return make(std::nullopt, "22004", "events NULL");
	case 1: return make(g.events(0, 1), "22023", "expected_max -1", g.p(0.5) ? std::optional<std::string>(g.filter(0)) : std::nullopt, "-1");
	case 2: return make("[]", "22023", "no events");
	case 3: return make(g.pick_one({"1", "\"x\"", "null", "true", "[1]", "[[]]"}), "22023", "events of the wrong JSON type");
	case 4: return make(ev({{"data", d1}}), "22023", "an event without type");
	case 5: return make(ev({{"type", "\"A\""}}), "22023", "an event without data");
	case 6: return make(ev({{"type", "\"\""}, {"data", d1}}), "22023", "an empty type");
	case 7: return make(ev({{"type", jstr(g.bytes_of_length(Limits::name_bytes + 1))}, {"data", d1}}), "22023", "a type of 256 bytes");
	case 8: return make(ev({{"type", jstr(g.bytes_of_length(Limits::name_bytes))}, {"data", d1}}), "", "a type of 255 bytes");
	case 9: return make(ev({{"type", "\"A\""}, {"data", d1}, {"tags", jarr({jstr(g.bytes_of_length(Limits::name_bytes + 1))})}}), "22023", "a tag of 256 bytes");
	case 10: return make(ev({{"type", "\"A\""}, {"data", d1}, {"tags", jarr({jstr(g.bytes_of_length(Limits::name_bytes))})}}), "", "a tag of 255 bytes");
	case 11: return make(ev({{"type", "\"A\""}, {"data", d1}, {"tags", g.pick_one({"[\"\"]", "[1]", "[null]", "\"t1\"", "{}"})}}), "22023", "a bad tags value");
	case 12: return make(ev({{"type", "\"A\""}, {"data", d1}, {"tags", tags_of(L.tags + 1)}}), "54000", "max_tags_per_event + 1 tags");
	case 13: return make(ev({{"type", "\"A\""}, {"data", d1}, {"tags", tags_of(L.tags)}}), "", "max_tags_per_event tags");
	case 14:
		if (L.events > 1000) break;  // the default's 100,001 events are sent once, by the boundary calls
		return make(n_events(L.events + 1), "54000", "max_events_per_call + 1 events");
	case 15:
		if (L.events > 1000) break;  // the default's 100,000 events are sent once, by the boundary calls
		return make(n_events(L.events), "", "max_events_per_call events");
	case 16:
		if (L.payload > 65536 && !g.p(0.05)) break;
		return make(ev({{"type", "\"A\""}, {"data", jstr(std::string(static_cast<size_t>(L.payload) + 1, 'd'))}}), "54000", "data of max_payload_bytes + 1");
	case 17:
		if (L.payload > 65536 && !g.p(0.05)) break;
		return make(ev({{"type", "\"A\""}, {"data", jstr(std::string(static_cast<size_t>(L.payload), 'd'))}}), "", "data of max_payload_bytes");
	case 18: return make(ev({{"type", "\"A\""}, {"data", d1}, {"metadata", g.pick_one({"[]", "1", "\"m\"", "null"})}}), "22023", "metadata not an object");
	case 19:
		if (L.payload > 65536 && !g.p(0.05)) break;
		return make(ev({{"type", "\"A\""}, {"data", d1}, {"metadata", jobj({{"m", jstr(std::string(static_cast<size_t>(L.payload), 'm'))}})}}), "54000", "metadata over max_payload_bytes");
	case 20: return make(ev({{"type", "\"A\""}, {"data", d1}, {g.pick_one({"Type", "extra", "", "datum"}), d1}}), "22023", "an unknown event key");
	case 21: return make(ev({{"type", "\"A\""}, {"data", d1}, {"id", g.pick_one({"\"g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"", "\"a0eebc99\"", "\"\"", "7", "null"})}}), "22023", "an invalid id");
	case 22: {
		if (L.events < 2) break;
		std::string id = g.uuid();
		return make(jarr({ev({{"type", "\"A\""}, {"data", d1}, {"id", id}}), ev({{"type", "\"B\""}, {"data", d1}, {"id", id}})}), "22023", "one id twice in a call");
	}
	case 23: return make(ev({{"type", "\"A\""}, {"data", d1}, {"occurred_at", g.pick_one({"\"2025-13-01\"", "\"infinity\"", "\"epoch\"", "\"\"", "\"x\"", "123", "\"294277-01-01\"", "\"2025-01-01 Mars/Olympus\""})}}), "22023", "an invalid occurred_at");
	case 24:
	case 25: {
		auto [f, code] = filter_defect(g);
		return make(g.events(0, 1), code, "filter defect " + f.substr(0, 80), f, std::to_string(st.head));
	}
	case 26:
		if (st.head == 0) break;
		return make(g.events(0, 1), "40001", "a condition that the last event fails", "{}", std::to_string(st.head - 1));
	case 27:
		if (st.replayable.empty()) break;
		{
			// a replay with one more event carrying a new id: only some ids of the call are stored (within
			// the limits, which are checked first)
			const Replayable &r = st.replayable[pick(g.rng, static_cast<int>(st.replayable.size()))];
			if (r.n + 1 > L.events || r.max_tags > L.tags) break;
			const std::string &old = r.events;
			std::string extra = g.event(0, g.uuid());
			std::string evs = old[0] == '[' ? old.substr(0, old.size() - 1) + "," + extra + "]" : "[" + old + "," + extra + "]";
			return make(evs, "23505", "a replay with one new id");
		}
	case 28: return make(ev({{"type", "\"A\""}, {"data", d1}}), "", "an event of limits of its own", std::nullopt, kMaxBigint);
	default: break;
	}
	return append_valid(g, st);
}

Call append_chaos(Gen &g, State &st) {
	const Limits &L = st.limits;
	const double chaos = std::uniform_real_distribution<double>(0.1, 1.0)(g.rng);
	std::optional<std::string> filter;
	int f = pick(g.rng, 10);
	if (f >= 3 && f < 8) filter = g.filter(chaos);
	else if (f >= 8) filter = g.hostile_value();
	int n = 1 + g.upto(3);
	if (L.events <= 1000 && g.p(0.05)) n = L.events + g.upto(1);
	std::optional<std::string> events = g.events(chaos, n, n == 1 && g.p(0.4), g.p(0.4));
	if (g.p(0.05)) events = g.hostile_value();
	if (g.p(0.03)) events = std::nullopt;
	Call c = append_call(filter, g.bigint_arg(false), events, g);
	c.intent = "chaos " + std::to_string(chaos).substr(0, 4);
	return c;
}

// ---------------------------------------------------------------- dcb_read

const char *kReadCount = "SELECT count(*), coalesce(min(seq), 0), coalesce(max(seq), 0) FROM ";

// Rows returned: no more than max_count, all after `after`, none above the committed head.
ResultCheck read_sane(std::optional<int64_t> after, std::optional<int64_t> max_count, int64_t head) {
	return [=](const std::vector<std::optional<std::string>> &row) -> std::string {
		if (row.size() < 3) return "dcb_read: no count row";
		auto n = as_i64(row[0]), lo = as_i64(row[1]), hi = as_i64(row[2]);
		if (!n || !lo || !hi) return "dcb_read: unreadable count row";
		if (max_count && *max_count > 0 && *n > *max_count)
			return "dcb_read returned " + std::to_string(*n) + " rows for max_count " + std::to_string(*max_count);
		if (*n > 0 && *lo <= after.value_or(0))
			return "dcb_read returned seq " + std::to_string(*lo) + ", not after " + std::to_string(after.value_or(0));
		if (*hi > head) return "dcb_read returned seq " + std::to_string(*hi) + " above the last committed " + std::to_string(head);
		return "";
	};
}

// dcb_read(filter, after, max_count, false), counted, every argument in text format (the defects and the
// boundary calls: one thing wrong, or one limit, at a time).
Call read_positional(Gen &g, std::optional<std::string> filter, std::string after, std::string max_count) {
	Call c;
	c.sql = std::string(kReadCount) + "dcb_read($1::jsonb, $2::bigint, $3::integer, $4::boolean)";
	c.args = {jsonb(g, std::move(filter), 0), bigint(std::move(after)), {std::move(max_count), "integer"}, {"false", "boolean"}};
	return c;
}

Call read_call(Gen &g, std::optional<std::string> filter, std::optional<std::string> after, std::optional<std::string> max_count,
               std::optional<std::string> backwards, int64_t head) {
	Call c;
	// the call forms users write: all four positional, named subsets, defaults, and full rows (so that the
	// stored hostile data goes through the output functions)
	// forms 0 and 1 read from the start of the log: rarer, so that the cost of a call stays flat as the log grows
	int form = pick(g.rng, 12);
	form = form < 1 ? 0 : form < 2 ? 1 : form < 4 ? 2 : form < 6 ? 3 : 4;
	if (form == 0 && !filter) form = 4;  // dcb_read(NULL) would return the whole log
	switch (form) {
	case 0:
		c.sql = std::string(kReadCount) + "dcb_read($1::jsonb)";
		c.args = {jsonb(g, filter)};
		after = max_count = std::nullopt;
		break;
	case 1:
		c.sql = std::string(kReadCount) + "dcb_read(filter => $1::jsonb, max_count => $2::integer)";
		c.args = {jsonb(g, filter), {max_count, "integer"}};
		after = std::nullopt;
		break;
	case 2:
		c.sql = std::string(kReadCount) + "dcb_read(after => $1::bigint, backwards => $2::boolean)";
		c.args = {bigint(after), {backwards, "boolean"}};
		filter = max_count = std::nullopt;
		break;
	case 3:
		c.sql = "SELECT count(*) OVER (), seq, type, tags, data, metadata, occurred_at, id "
		        "FROM dcb_read($1::jsonb, $2::bigint, $3::integer, $4::boolean)";
		c.args = {jsonb(g, filter), bigint(after), {max_count ? max_count : "20", "integer"}, {backwards, "boolean"}};
		return c;  // rows: no count check
	default:
		c.sql = std::string(kReadCount) + "dcb_read($1::jsonb, $2::bigint, $3::integer, $4::boolean)";
		c.args = {jsonb(g, filter), bigint(after), {max_count, "integer"}, {backwards, "boolean"}};
	}
	c.check = read_sane(as_i64(after), as_i64(max_count), head);
	return c;
}

Call read_make(Gen &g, Mode mode, State &st) {
	if (mode == Mode::Valid) {
		std::optional<std::string> filter = g.p(0.3) ? std::nullopt : std::optional<std::string>(g.filter(0));
		std::optional<std::string> after = g.bigint_arg(true), max_count = g.int_arg(true);
		if (!max_count && !filter) max_count = "100";  // no whole-log transfer on every call
		Call c = read_call(g, filter, after, max_count, g.bool_arg(true), st.head);
		c.expect = Expect::Succeed;
		c.intent = "valid read";
		return c;
	}
	if (mode == Mode::Defect) {
		Call c;
		switch (pick(g.rng, 3)) {
		case 0:
			c = read_positional(g, std::nullopt, "-1", "10");
			c.intent = "after -1";
			c.codes = {"22023"};
			break;
		case 1:
			c = read_positional(g, std::nullopt, "0", g.p(0.5) ? "0" : "-1");
			c.intent = "max_count not positive";
			c.codes = {"22023"};
			break;
		default: {
			auto [f, code] = filter_defect(g);
			c = read_positional(g, f, "0", "10");
			c.intent = "filter defect " + f.substr(0, 80);
			c.codes = {code};
		}
		}
		c.expect = Expect::Fail;
		return c;
	}
	const double chaos = std::uniform_real_distribution<double>(0.1, 1.0)(g.rng);
	std::optional<std::string> filter = g.p(0.2) ? std::nullopt : std::optional<std::string>(g.p(0.8) ? g.filter(chaos) : g.hostile_value());
	Call c = read_call(g, filter, g.bigint_arg(false), g.int_arg(false), g.bool_arg(false), st.head);
	c.intent = "chaos read";
	return c;
}

// ---------------------------------------------------------------- dcb_head

Call head_make(Gen &, Mode, State &st) {
	Call c;
	c.sql = "SELECT dcb_head()";
	c.expect = Expect::Succeed;
	c.check = returns(st.head, "dcb_head() on a store whose last committed position the driver knows");
	c.intent = "dcb_head";
	return c;
}

// ---------------------------------------------------------------- 0.2.0: following the log

Call wait_make(Gen &g, Mode mode, State &st) {
	Call c;
	c.sql = "SELECT dcb_wait($1::bigint, $2::interval)";
	if (mode == Mode::Defect) {
		c.args = {bigint("-1"), {"0", "interval"}};
		c.expect = Expect::Fail;
		c.codes = {"22023"};
		c.intent = "dcb_wait after -1";
		return c;
	}
	// nothing else appends: it returns the head at once (after below it) or after its short timeout
	const bool behind = st.head > 0 && g.p(0.5);
	std::optional<std::string> after = behind ? std::to_string(st.head - 1 - g.upto(static_cast<int>(std::min<int64_t>(st.head - 1, 50))))
	                                         : std::to_string(st.head + g.upto(3));
	std::optional<std::string> timeout = g.interval_arg(mode == Mode::Valid, !behind);
	if (mode == Mode::Chaos) after = behind && g.p(0.5) ? after : g.bigint_arg(false);
	c.args = {bigint(after), {timeout, "interval"}};
	if (mode == Mode::Valid) {
		c.expect = Expect::Succeed;
		c.check = returns(st.head, "dcb_wait");
	}
	c.intent = mode == Mode::Valid ? "valid dcb_wait" : "chaos dcb_wait";
	return c;
}

std::string consumer_name(Gen &g, State &st) {
	if (!st.consumers.empty() && g.p(0.6)) {
		auto it = st.consumers.begin();
		std::advance(it, pick(g.rng, static_cast<int>(st.consumers.size())));
		return it->first;
	}
	return *g.text_arg(true);
}

Call consumer_position_make(Gen &g, Mode mode, State &st) {
	Call c;
	c.sql = "SELECT dcb_consumer_position($1::text)";
	if (mode == Mode::Chaos) {
		c.args = {text(g, g.text_arg(false), 0.3)};
		c.intent = "chaos dcb_consumer_position";
		return c;
	}
	std::string name = consumer_name(g, st);
	auto it = st.consumers.find(name);
	c.args = {text(g, name, 0.1)};
	c.expect = Expect::Succeed;
	c.check = returns(it == st.consumers.end() ? 0 : it->second, "dcb_consumer_position");
	c.intent = "valid dcb_consumer_position";
	return c;
}

Call consumer_advance_make(Gen &g, Mode mode, State &st) {
	Call c;
	c.sql = "SELECT dcb_consumer_advance($1::text, $2::bigint, $3::bigint)";
	if (mode == Mode::Chaos) {
		// A chaos call may succeed, and the model does not follow it: it moves only consumers of its own (the
		// generator's valid names include random bytes, so any of them could be one the model tracks).
		std::optional<std::string> name = g.text_arg(false);
		if (name && !name->empty()) name = "chaos-" + *name;
		c.args = {text(g, name, 0.3), bigint(g.bigint_arg(false)), bigint(g.bigint_arg(false))};
		c.intent = "chaos dcb_consumer_advance";
		return c;
	}
	std::string name = consumer_name(g, st);
	auto it = st.consumers.find(name);
	const int64_t stored = it == st.consumers.end() ? 0 : it->second;
	if (mode == Mode::Defect) {
		const bool behind = stored > 0 && g.p(0.5);
		c.args = {text(g, name, 0.1), bigint(std::to_string(behind ? stored : stored + 1)),
		          bigint(std::to_string(behind ? stored - 1 : stored + 2))};
		c.expect = Expect::Fail;
		c.codes = {behind ? "22023" : "40001"};
		c.intent = behind ? "dcb_consumer_advance to seq < expected" : "dcb_consumer_advance with a stale expected";
		return c;
	}
	const int64_t seq = stored + g.upto(5);
	c.args = {text(g, name, 0.1), bigint(std::to_string(stored)), bigint(std::to_string(seq))};
	c.expect = Expect::Succeed;
	c.intent = "valid dcb_consumer_advance";
	c.on_commit = [&st, name, seq] { st.consumers[name] = seq; };
	return c;
}

// ---------------------------------------------------------------- 0.2.0: snapshots

Call snapshot_make(Gen &g, Mode mode, State &st, int which) {
	static const char *sql[] = {"SELECT dcb_snapshot_save($1::text, $2::jsonb, $3::bigint, $4::jsonb)",
	                            "SELECT count(*) FROM dcb_snapshot_load($1::text, $2::jsonb)",
	                            "SELECT dcb_snapshot_delete($1::text, $2::jsonb)"};
	Call c;
	c.sql = sql[which];
	std::optional<std::string> projection, filter, seq, data;
	std::string code;
	if (mode == Mode::Chaos) {
		projection = g.text_arg(false);
		filter = g.p(0.7) ? g.filter(0.5) : g.hostile_value();
		seq = g.bigint_arg(false);
		data = g.hostile_value();
		c.intent = "chaos snapshot call";
	} else {
		projection = "projection-" + std::to_string(pick(g.rng, 5));
		filter = g.filter(0);
		seq = std::to_string(st.head > 0 ? st.head - g.upto(static_cast<int>(std::min<int64_t>(st.head, 5))) : 0);
		data = g.small_value();
		c.expect = Expect::Succeed;
		c.intent = "valid snapshot call";
		if (mode == Mode::Defect) {
			c.expect = Expect::Fail;
			if (which == 0 && g.p(0.5)) {
				seq = std::to_string(st.head + 1);
				code = "22023";
				c.intent = "dcb_snapshot_save above the head";
			} else {
				auto [f, fc] = filter_defect(g);
				filter = f;
				code = fc;
				c.intent = "snapshot call with filter defect " + f.substr(0, 80);
			}
			c.codes = {code};
		}
	}
	c.args = {text(g, projection, 0.2), jsonb(g, filter)};
	if (which == 0) c.args.insert(c.args.end(), {bigint(seq), jsonb(g, data)});
	return c;
}

}  // namespace

std::vector<std::pair<std::string, Call>> boundary_calls(Gen &g, State &st) {
	// st.limits are the defaults here
	const Limits &L = st.limits;
	std::vector<std::pair<std::string, Call>> out;
	auto add = [&](const char *target, Call c, std::string code, std::string intent) {
		if (code.empty()) {
			c.expect = Expect::Succeed;
		} else {
			c.expect = Expect::Fail;
			c.codes = {code};
		}
		c.intent = std::move(intent);
		out.push_back({target, std::move(c)});
	};
	auto event_with = [&](std::vector<std::pair<std::string, std::string>> more) {
		std::vector<std::pair<std::string, std::string>> m = {{"type", "\"A\""}, {"data", "1"}};
		m.insert(m.end(), more.begin(), more.end());
		return jobj(m);
	};
	auto names = [&](int n, const char *prefix) {
		std::vector<std::string> v;
		for (int i = 0; i < n; ++i) v.push_back(jstr(prefix + std::to_string(i)));
		return jarr(v);
	};
	auto items = [&](int n) {
		std::vector<std::string> v;
		for (int i = 0; i < n; ++i) v.push_back(jobj({{"tags", jarr({jstr("b" + std::to_string(i))})}}));
		return jobj({{"items", jarr(v)}});
	};
	for (int d = 0; d <= 1; ++d) {
		const std::string code = d ? "54000" : "";
		const std::string plus = d ? " + 1" : "";
		add("dcb_append", append_call(std::nullopt, std::nullopt, jarr(std::vector<std::string>(L.events + d, "{\"type\":\"A\",\"data\":1}")), g),
		    code, "dcb.max_events_per_call" + plus + " events (default)");
		add("dcb_append", append_call(std::nullopt, std::nullopt, event_with({{"data", jstr(std::string(L.payload + d, 'd'))}}), g), code,
		    "data of dcb.max_payload_bytes" + plus + " bytes (default)");
		add("dcb_append", append_call(std::nullopt, std::nullopt, event_with({{"tags", names(L.tags + d, "bt")}}), g), code,
		    "dcb.max_tags_per_event" + plus + " tags (default)");
		add("dcb_append", append_call(items(L.filter_items + d), kMaxBigint, event_with({}), g), code,
		    "a condition of dcb.max_filter_items" + plus + " items (default)");
		const std::string wide_types = jobj({{"items", jarr({jobj({{"types", names(L.filter_items + d, "T")}})})}});
		const std::string wide_tags = jobj({{"items", jarr({jobj({{"tags", names(L.filter_items + d, "bt")}})})}});
		add("dcb_append", append_call(wide_types, kMaxBigint, event_with({}), g), code,
		    "an item of dcb.max_filter_items" + plus + " types (default)");
		add("dcb_read", read_positional(g, items(L.filter_items + d), "0", "10"), code,
		    "a read of dcb.max_filter_items" + plus + " items (default)");
		add("dcb_read", read_positional(g, wide_tags, "0", "10"), code,
		    "a read of an item of dcb.max_filter_items" + plus + " tags (default)");
		// 255 bytes is fixed: one byte more is a malformed event (22023), not a limit
		add("dcb_append", append_call(std::nullopt, std::nullopt, event_with({{"tags", jarr({jstr(g.bytes_of_length(Limits::name_bytes + d))})}}), g),
		    d ? "22023" : "", "a tag of 255" + plus + " bytes");
	}
	// Data may be nested as deep as the JSON parser allows (about 20,000 levels); a payload predicate,
	// which containment matches one level at a time, at most 1,000 levels (fixed): at the limit it matches
	// an event nested as deep, one level more is refused with 54000 before anything is locked or read.
	auto nested_of = [](int depth) {
		std::string nested;
		for (int i = 0; i < depth; ++i) nested += "{\"a\":";
		return nested + "1" + std::string(depth, '}');
	};
	add("dcb_append", append_call(std::nullopt, std::nullopt, jobj({{"type", "\"DeepNest\""}, {"data", nested_of(10000)}}), g), "",
	    "data nested 10,000 deep");
	add("dcb_append", append_call(std::nullopt, std::nullopt, jobj({{"type", "\"DeepNest\""}, {"data", nested_of(1000)}}), g), "",
	    "data nested 1,000 deep");
	for (int d = 0; d <= 1; ++d) {
		const std::string plus = d ? " + 1" : "";
		const std::string deep_filter =
		    jobj({{"items", jarr({jobj({{"types", "[\"DeepNest\"]"}, {"payload", nested_of(Limits::payload_depth + d)}})})}});
		Call deep_read = read_positional(g, deep_filter, "0", "10");
		if (!d)
			deep_read.check = [](const std::vector<std::optional<std::string>> &row) -> std::string {
				return !row.empty() && row[0] == "1" ? "" : "a read of a payload nested 1,000 deep did not return its one event";
			};
		add("dcb_read", deep_read, d ? "54000" : "", "a payload nested 1,000" + plus + " deep, matched by an event as deep");
		add("dcb_append", append_call(deep_filter, "0", event_with({}), g), d ? "54000" : "40001",
		    "a condition with a payload nested 1,000" + plus + " deep, failed by an event as deep");
	}
	// metadata is an object, so its size is its string plus a few bytes of structure
	add("dcb_append", append_call(std::nullopt, std::nullopt, event_with({{"metadata", jobj({{"m", jstr(std::string(L.payload - 64, 'm'))}})}}), g), "",
	    "metadata just under dcb.max_payload_bytes (default)");
	add("dcb_append", append_call(std::nullopt, std::nullopt, event_with({{"metadata", jobj({{"m", jstr(std::string(L.payload, 'm'))}})}}), g), "54000",
	    "metadata over dcb.max_payload_bytes (default)");
	return out;
}

const std::set<std::string> &input_error_codes() {
	static const std::set<std::string> codes = {"22P02", "22P05", "22021", "22003", "54001", "22007", "22008", "22015"};
	return codes;
}

const std::vector<Target> &all_targets() {
	static const std::vector<Target> targets = {
	    {"dcb_append", "dcb_append(jsonb,bigint,jsonb,text)", 45, true, true, true, false, kAllDocumented,
	     [](Gen &g, Mode m, State &st) {
		     return m == Mode::Valid ? append_valid(g, st) : m == Mode::Defect ? append_defect(g, st) : append_chaos(g, st);
	     }},
	    {"dcb_read", "dcb_read(jsonb,bigint,integer,boolean,text)", 35, false, false, true, false, {"22023", "54000", "0A000"},
	     read_make},
	    {"dcb_head", "dcb_head(text)", 5, false, false, true, false, {"0A000"}, head_make},
	    // 0.2.0 (fixed surface; exercised once they exist)
	    {"dcb_wait", "dcb_wait(bigint,interval,text)", 4, false, false, false, true, kAllDocumented, wait_make},
	    {"dcb_consumer_position", "dcb_consumer_position(text,text)", 3, false, false, false, false, kAllDocumented,
	     consumer_position_make},
	    {"dcb_consumer_advance", "dcb_consumer_advance(text,bigint,bigint,text)", 3, false, true, false, false, kAllDocumented,
	     consumer_advance_make},
	    {"dcb_snapshot_save", "dcb_snapshot_save(text,jsonb,bigint,jsonb,text)", 3, false, true, false, false, kAllDocumented,
	     [](Gen &g, Mode m, State &st) { return snapshot_make(g, m, st, 0); }},
	    {"dcb_snapshot_load", "dcb_snapshot_load(text,jsonb,text)", 2, false, false, false, false, kAllDocumented,
	     [](Gen &g, Mode m, State &st) { return snapshot_make(g, m, st, 1); }},
	    {"dcb_snapshot_delete", "dcb_snapshot_delete(text,jsonb,text)", 2, false, true, false, false, kAllDocumented,
	     [](Gen &g, Mode m, State &st) { return snapshot_make(g, m, st, 2); }},
	};
	return targets;
}

}  // namespace dcbf
