// hostile.cpp — seeded generators of valid, defective and hostile arguments (see hostile.hpp).
#include "hostile.hpp"

#include "model.hpp"

#include <algorithm>
#include <cstdio>

namespace dcbf {

namespace {

const std::vector<std::string> kTypes = {"A", "B", "Order", "Ünïcode", "😀"};
const std::vector<std::string> kTags = {"t1", "t2", "k:v", "ünï:ç", "😀:1", "a b"};

template <typename T>
const T &one_of(Rng &rng, const std::vector<T> &v) {
	return v[pick(rng, static_cast<int>(v.size()))];
}

std::string repeat(const std::string &s, size_t n) {
	std::string out;
	out.reserve(s.size() * n);
	for (size_t i = 0; i < n; ++i) out += s;
	return out;
}

}  // namespace

std::string jstr(const std::string &s) { return dcbc::json_string(s); }

std::string jarr(const std::vector<std::string> &elems) {
	std::string out = "[";
	for (size_t i = 0; i < elems.size(); ++i) out += (i ? "," : "") + elems[i];
	return out + "]";
}

std::string jobj(const std::vector<std::pair<std::string, std::string>> &members) {
	std::string out = "{";
	for (size_t i = 0; i < members.size(); ++i) out += (i ? "," : "") + jstr(members[i].first) + ":" + members[i].second;
	return out + "}";
}

// Mostly names from a few thousand, so that boundaries stay narrow as the log grows (reads without `after`
// then return few rows); now and then the odd ones (multi-byte, emoji, white space, separators).
std::string Gen::type_name() {
	if (p(0.2)) return one_of(rng, kTypes);
	return "Type" + std::to_string(pick(rng, 1000));
}

std::string Gen::tag_name() {
	if (p(0.2)) return one_of(rng, kTags);
	return "tag:" + std::to_string(pick(rng, 3000));
}

std::string Gen::bytes_of_length(size_t n) {
	// one filler of 1 to 4 bytes, the remainder in ASCII, so that a multi-byte character can straddle
	// the limit in one case and end exactly on it in another
	static const std::vector<std::string> fillers = {"a", "é", "€", "😀"};
	const std::string &f = one_of(rng, fillers);
	std::string out = repeat(f, n / f.size());
	std::string rest(n - out.size(), 'z');
	return p(0.5) ? out + rest : rest + out;
}

std::string Gen::hostile_string_token() {
	switch (pick(rng, 24)) {
	case 0: return jstr("");
	case 1: return jstr(" ");
	case 2: return jstr(bytes_of_length(Limits::name_bytes));
	case 3: return jstr(bytes_of_length(Limits::name_bytes + 1));
	case 4: return "\"\\u0000\"";
	case 5: return "\"a\\u0000b\"";
	case 6: return "\"\\ud800\"";            // a lone high surrogate
	case 7: return "\"\\udc00x\"";           // a lone low surrogate
	case 8: return "\"\\ud83d\\ude00\"";     // a valid pair: 😀
	case 9: return "\"\\uD800\\u0041\"";     // a high surrogate followed by no low one
	case 10: return "\"\\u00e9\\uffff\\u001f\"";
	case 11: return "\"\xff\xfe\"";          // not UTF-8
	case 12: return "\"\xc3\"";              // a truncated sequence
	case 13: return "\"\xed\xa0\x80\"";      // a surrogate encoded in UTF-8
	case 14: return "\"\xc0\xaf\"";          // an overlong encoding
	case 15: return "\"\xf4\x90\x80\x80\"";  // above U+10FFFF
	case 16: return "\"a\nb\"";              // a raw control character
	case 17: return "\"\\x41\"";             // not a JSON escape
	case 18: return "\"\\u12\"";
	case 19: return "\"\\uZZZZ\"";
	case 20: return "\"unterminated";
	case 21: return jstr(p(0.9) ? std::string(upto(70000), 'x') : std::string(1 << 20, 'x'));
	case 22: return jstr(one_of(rng, std::vector<std::string>{"key:", ":value", "k:v:w", "\u200b", "e\u0301"}));
	default: return jstr(bytes_of_length(upto(40)));
	}
}

std::string Gen::small_value() {
	switch (pick(rng, 10)) {
	case 0: return std::to_string(pick(rng, 1000) - 500);
	case 1: return "1.5e3";
	case 2: return one_of(rng, std::vector<std::string>{"true", "false", "null"});
	case 3: return jstr(bytes_of_length(upto(12)));
	case 4: return "[]";
	case 5: return "{}";
	case 6: return "[1,\"a\",null,{\"b\":false}]";
	case 7: return jobj({{"k", jstr(p(0.5) ? "x" : "y")}});
	case 8: return jobj({{"nested", jobj({{"a", "[1,2]"}})}});
	default: return jobj({{"ISBN", jstr("978-" + std::to_string(pick(rng, 100)))}});
	}
}

std::string Gen::deep_value(int depth) {
	if (p(0.5)) return repeat("[", depth) + "1" + repeat("]", depth);
	return repeat("{\"a\":", depth) + "1" + repeat("}", depth);
}

std::string Gen::hostile_value() {
	switch (pick(rng, 14)) {
	case 0:
	case 1:
	case 2: return small_value();
	case 3:
		return one_of(rng, std::vector<std::string>{"1e309", "-1e309", "1e131072", "1e-400", "-0", "0.0000000001",
		                                            "123456789012345678901234567890.5", "9223372036854775808",
		                                            "01", "+1", ".5", "NaN", "Infinity", "-", "1e", "0x1F", "1_000"});
	case 4: return one_of(rng, std::vector<std::string>{"nul", "True", "tru", "nulll", "undefined"});
	case 5:
	case 6: return hostile_string_token();
	case 7: {
		static const std::vector<int> depths = {2, 10, 100, 1000, 5000, 100000};
		int d = depths[p(0.8) ? pick(rng, 4) : 4 + pick(rng, 2)];
		return deep_value(d);
	}
	case 8:
		return one_of(rng, std::vector<std::string>{"[1,2", "[1,]", "{\"a\":}", "{\"a\" 1}", "{a:1}", "{\"a\":1,}", "]", "",
		                                            " ", "/*c*/1", "[1]garbage", "\xEF\xBB\xBF{}", "{\"a\":1}{}",
		                                            "\"a\" \"b\""});
	case 9: return "{\"a\":1,\"a\":[2],\"a\":{\"b\":3}}";  // duplicate keys: jsonb keeps the last
	case 10: return p(0.9) ? jarr(std::vector<std::string>(upto(300), "0")) : jarr(std::vector<std::string>(20000, "0"));
	case 11: {
		std::vector<std::pair<std::string, std::string>> m;
		int n = p(0.9) ? upto(50) : 5000;
		for (int i = 0; i < n; ++i) m.push_back({"k" + std::to_string(i), std::to_string(i)});
		return jobj(m);
	}
	case 12: return "\"" + std::string(1, static_cast<char>(1 + pick(rng, 31))) + "\"";
	default: return mutate_text(small_value());
	}
}

std::string Gen::uuid() {
	char hex[33];
	std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(rng()),
	              static_cast<unsigned long long>(rng()));
	std::string h(hex);
	std::string canonical = h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
	                        h.substr(20, 12);
	switch (pick(rng, 10)) {
	case 0: {
		std::string up = canonical;
		std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
		return jstr(up);
	}
	case 1: return jstr(h);                                  // no hyphens
	case 2: return jstr("{" + canonical + "}");              // braces
	case 3: {                                                // a hyphen after every group of four digits
		std::string g;
		for (size_t i = 0; i < 32; i += 4) g += (i ? "-" : "") + h.substr(i, 4);
		return jstr(g);
	}
	default: return jstr(canonical);
	}
}

std::string Gen::hostile_uuid_token() {
	switch (pick(rng, 12)) {
	case 0: return jstr("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1");    // 31 digits
	case 1: return jstr("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111");  // 33 digits
	case 2: return jstr("g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
	case 3: return jstr(" a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
	case 4: return jstr("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
	case 5: return jstr("a0eebc99-9c0b4ef8-bb6d-6bb9bd380a11-");
	case 6: return jstr("a0eebc999c0b4ef8bb6d6bb9bd380a1-1");
	case 7: return jstr("");
	case 8: return "\"\\u0061\\u0030eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"";  // escaped hex digits: valid
	case 9: return jstr("00000000-0000-0000-0000-000000000000");           // the nil UUID: valid
	case 10: return one_of(rng, std::vector<std::string>{"123", "null", "[]", "{}", "true"});
	default: return hostile_string_token();
	}
}

std::string Gen::timestamp() {
	static const std::vector<std::string> ts = {"2025-01-02T03:04:05Z", "2025-01-02 03:04:05+02", "2025-01-02",
	                                            "1999-01-08 04:05:06.789-08", "2025-06-30T23:59:59.999999Z",
	                                            "2000-02-29T12:00:00+14:00", "1970-01-01T00:00:00Z",
	                                            "2025-03-30 02:30:00 Europe/Berlin"};
	return jstr(one_of(rng, ts));
}

std::string Gen::hostile_timestamp_token() {
	static const std::vector<std::string> ts = {
	    "now", "today", "tomorrow", "epoch", "infinity", "-infinity", "allballs", "2025-13-01", "2025-02-30",
	    "294277-01-01", "4714-11-24 00:00:00+00 BC", "4714-11-23 BC", "J2451187", "2025-01-01 Mars/Olympus",
	    "2025-01-01 00:00:00 XYZ", "", "12:00", "2025-01-01 24:00:00", "2025-01-01 23:59:60", "2025-01-01T25:00",
	    "1e10", "2025-01-01 00:00:00+99", "0000-01-01"};
	switch (pick(rng, 6)) {
	case 0: return jstr(std::string(200, '1'));
	case 1: return one_of(rng, std::vector<std::string>{"1700000000", "null", "[]", "{}", "true"});
	case 2: return hostile_string_token();
	default: return jstr(one_of(rng, ts));
	}
}

std::string Gen::item(double chaos) {
	const int L = limits.filter_items;
	auto names = [&](bool tags) {
		int n = 1 + upto(std::min(3, L) - 1);
		if (chaos > 0 && p(chaos * 0.3)) n = one_of(rng, std::vector<int>{0, L, L + 1});
		std::vector<std::string> v;
		for (int i = 0; i < n; ++i)
			v.push_back(chaos > 0 && p(chaos * 0.1) ? (p(0.5) ? hostile_string_token() : hostile_value())
			                                       : jstr(tags ? tag_name() : type_name()));
		if (chaos > 0 && p(chaos * 0.05)) return hostile_value();  // not an array
		return jarr(v);
	};
	std::vector<std::pair<std::string, std::string>> m;
	int shape = pick(rng, 6);  // types, tags, both, payload, payload + types, all three
	if (shape == 0 || shape == 2 || shape == 4 || shape == 5) m.push_back({"types", names(false)});
	if (shape == 1 || shape == 2 || shape == 5) m.push_back({"tags", names(true)});
	if (shape >= 3) {
		std::string payload = jobj({{"k", jstr(p(0.5) ? "x" : "y")}});
		if (p(0.2)) payload = jobj({{"nested", jobj({{"a", "[1,2]"}})}});
		if (chaos > 0 && p(chaos * 0.2)) payload = p(0.3) ? "{}" : hostile_value();
		m.push_back({"payload", payload});
	}
	if (chaos > 0 && p(chaos * 0.15))
		m.push_back({one_of(rng, std::vector<std::string>{"typo", "Types", "", "types ", "tag", std::string("payload\0", 8)}),
		             small_value()});
	if (chaos > 0 && p(chaos * 0.05)) m.clear();  // {}
	std::shuffle(m.begin(), m.end(), rng);
	return jobj(m);
}

std::string Gen::filter(double chaos) {
	if (chaos > 0 && p(chaos * 0.15)) return hostile_value();
	if (p(0.05)) return "{}";
	const int L = limits.filter_items;
	int n = 1 + upto(std::min(3, L) - 1);
	if (chaos > 0 && p(chaos * 0.2)) n = one_of(rng, std::vector<int>{0, L, L + 1});
	std::vector<std::string> items;
	for (int i = 0; i < n; ++i) items.push_back(chaos > 0 && p(chaos * 0.05) ? hostile_value() : item(chaos));
	std::vector<std::pair<std::string, std::string>> m = {{"items", jarr(items)}};
	if (chaos > 0 && p(chaos * 0.05)) m[0].second = hostile_value();
	if (p(0.15)) m.push_back({"occurred_from", chaos > 0 && p(chaos * 0.5) ? hostile_timestamp_token() : timestamp()});
	if (p(0.15)) m.push_back({"occurred_until", chaos > 0 && p(chaos * 0.5) ? hostile_timestamp_token() : timestamp()});
	if (chaos > 0 && p(chaos * 0.1))
		m.push_back({one_of(rng, std::vector<std::string>{"item", "Items", "after", "", "items"}), small_value()});
	std::shuffle(m.begin(), m.end(), rng);
	std::string text = jobj(m);
	return chaos > 0 && p(chaos * 0.1) ? mutate_text(text) : text;
}

std::string Gen::event(double chaos, std::optional<std::string> id) {
	auto hostile = [&](double w) { return chaos > 0 && p(chaos * w); };
	std::vector<std::pair<std::string, std::string>> m;
	if (!hostile(0.05)) {
		std::string t = jstr(type_name());
		if (hostile(0.2)) t = p(0.5) ? hostile_string_token() : hostile_value();
		m.push_back({"type", t});
	}
	if (!hostile(0.05)) {
		std::string d = small_value();
		if (hostile(0.3)) {
			int k = pick(rng, 4);
			// a string of the limit - 1, the limit or the limit + 1 bytes (rarely at the 1 MB default)
			const bool at_limit = k == 1 && (limits.payload <= 65536 || p(0.02));
			d = k == 0     ? deep_value(one_of(rng, std::vector<int>{10, 100, 1000, 3000}))
			    : at_limit ? jstr(std::string(static_cast<size_t>(limits.payload) + upto(2) - 1, 'd'))
			               : hostile_value();
		}
		m.push_back({"data", d});
	}
	if (p(0.6)) {
		int n = upto(std::min(3, limits.tags));
		if (hostile(0.2)) n = one_of(rng, std::vector<int>{limits.tags, limits.tags + 1});
		std::vector<std::string> tags;
		for (int i = 0; i < n; ++i) tags.push_back(hostile(0.05) ? hostile_string_token() : jstr(tag_name()));
		m.push_back({"tags", hostile(0.05) ? hostile_value() : jarr(tags)});
	}
	if (p(0.4)) {
		std::string meta = jobj({{"fz", jstr(bytes_of_length(upto(8)))}});
		if (hostile(0.2))
			meta = p(0.3) && (limits.payload <= 65536 || p(0.02))
			           ? jobj({{"big", jstr(std::string(static_cast<size_t>(limits.payload), 'm'))}})
			           : hostile_value();
		m.push_back({"metadata", meta});
	}
	if (p(0.3)) m.push_back({"occurred_at", hostile(0.4) ? hostile_timestamp_token() : timestamp()});
	if (id) m.push_back({"id", *id});
	else if (hostile(0.1)) m.push_back({"id", hostile_uuid_token()});
	if (hostile(0.1))
		m.push_back({one_of(rng, std::vector<std::string>{"Type", "extra", "", "data ", "tag"}), small_value()});
	if (hostile(0.05) && !m.empty()) m.push_back(m[pick(rng, static_cast<int>(m.size()))]);  // a duplicate key
	std::shuffle(m.begin(), m.end(), rng);
	return jobj(m);
}

std::string Gen::events(double chaos, int n, bool as_object, bool with_ids) {
	if (as_object) return event(chaos, with_ids ? std::optional<std::string>(uuid()) : std::nullopt);
	std::vector<std::string> evs;
	evs.reserve(n);
	for (int i = 0; i < n; ++i)
		evs.push_back(chaos > 0 && p(chaos * 0.03) ? hostile_value()
		                                          : event(chaos, with_ids ? std::optional<std::string>(uuid()) : std::nullopt));
	std::string text = jarr(evs);
	return chaos > 0 && p(chaos * 0.1) ? mutate_text(text) : text;
}

std::optional<std::string> Gen::bigint_arg(bool valid_only) {
	const int64_t h = head;
	if (valid_only) {
		// reads from 0 are whole-log scans for some filters: rarer, so that the run's cost stays flat
		switch (pick(rng, 16)) {
		case 0: return p(0.3) ? "0" : std::to_string(h);
		case 1:
		case 2:
		case 3:
		case 4: return std::to_string(std::max<int64_t>(0, h - upto(20)));
		case 5:
		case 6:
		case 7:
		case 8: return std::to_string(h);
		case 9:
		case 10:
		case 11: return std::to_string(h + 1 + upto(1000));
		default: return "9223372036854775807";
		}
	}
	// NULL means 0, and reads or conditions from 0 scan the whole log for some filters: rarer than the rest
	switch (pick(rng, 14)) {
	case 0: return p(0.3) ? std::nullopt : std::optional<std::string>("-1");
	case 1: return "-1";
	case 2: return "-9223372036854775808";
	case 3: return "9223372036854775808";   // out of range
	case 4: return "-9223372036854775809";
	case 5: return one_of(rng, std::vector<std::string>{"abc", "", " ", "1e3", "5.0", "0x10", "1 2", "--1", "١"});
	case 6: return " 5 ";                   // int8in allows surrounding white space
	case 7: return "+" + std::to_string(h);
	default: return bigint_arg(true);
	}
}

std::optional<std::string> Gen::int_arg(bool valid_only) {
	if (valid_only) return p(0.3) ? std::nullopt : std::optional<std::string>(std::to_string(1 + upto(p(0.8) ? 10 : 1000)));
	switch (pick(rng, 10)) {
	case 0: return "0";
	case 1: return "-1";
	case 2: return "2147483647";
	case 3: return "-2147483648";
	case 4: return "2147483648";  // out of range
	case 5: return one_of(rng, std::vector<std::string>{"x", "", "1.5", "9223372036854775807"});
	default: return int_arg(true);
	}
}

std::optional<std::string> Gen::bool_arg(bool valid_only) {
	if (valid_only) return p(0.2) ? std::nullopt : std::optional<std::string>(p(0.5) ? "true" : "false");
	return one_of(rng, std::vector<std::optional<std::string>>{std::nullopt, "t", "f", "yes", "off", "1", "maybe", "",
	                                                            "truee", "TRUE"});
}

std::optional<std::string> Gen::interval_arg(bool valid_only, bool short_only) {
	static const std::vector<std::string> valid = {"0", "1 ms", "10 milliseconds", "0.05 s", "00:00:00.02"};
	if (valid_only || short_only || p(0.6)) {
		if (!valid_only && p(0.3)) return one_of(rng, std::vector<std::string>{"-1 s", "-1 day", "-00:00:01"});
		return one_of(rng, valid);
	}
	return one_of(rng, std::vector<std::optional<std::string>>{
	                       std::nullopt, "1 hour", "100 years", "infinity", "P1D", "1e100 years", "abc", "",
	                       "2147483648 days", "300000000 years", "1 fortnight", "5"});
}

std::optional<std::string> Gen::text_arg(bool valid_only) {
	if (valid_only) return p(0.7) ? "consumer-" + std::to_string(pick(rng, 20)) : bytes_of_length(1 + upto(30));
	switch (pick(rng, 8)) {
	case 0: return std::nullopt;
	case 1: return "";
	case 2: return std::string(p(0.8) ? 3000 : 1 << 20, 'n');  // beyond a B-tree entry
	case 3: return std::string("\xff\xfe bad utf8");
	case 4: return bytes_of_length(Limits::name_bytes + upto(2));
	case 5: return std::string("nul\0inside", 10);  // a NUL byte: only a binary parameter carries it
	default: return text_arg(true);
	}
}

std::string Gen::mutate_text(std::string s) {
	static const std::vector<std::string> inserts = {"\xff", "\xc3", "\xed\xa0\x80", std::string(1, '\0'), "\"", "\\",
	                                                 "{", "]", ",", "\\u0000", "\\ud800", "\x01", "\xef\xbb\xbf"};
	int ops = 1 + pick(rng, 3);
	for (int k = 0; k < ops; ++k) {
		size_t at = s.empty() ? 0 : static_cast<size_t>(pick(rng, static_cast<int>(s.size())));
		switch (pick(rng, 5)) {
		case 0:
			if (!s.empty()) s[at] = static_cast<char>(rng() & 0xff);
			break;
		case 1: s.resize(at); break;
		case 2: s.insert(at, one_of(rng, inserts)); break;
		case 3:
			if (!s.empty()) s.erase(at, 1 + pick(rng, 8));
			break;
		default:
			if (!s.empty()) s.insert(at, s.substr(at, 1 + pick(rng, 16)));
		}
	}
	return s;
}

}  // namespace dcbf
