// json.cpp — event arrays and timestamps in the JSON shapes of the SQL contract.
#include "rapidjson_config.hpp"

#include "dcb/json.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace dcb {

namespace {

using rapidjson::Document;
using rapidjson::Value;

std::string path(std::size_t i, std::string_view field) {
	return "events[" + std::to_string(i) + "]." + std::string(field);
}

void check_short_string(std::string_view s, const std::string& where) {
	if (s.empty()) throw InvalidArgument("22023", where + " must be a non-empty string");
	if (s.size() > 255) throw InvalidArgument("22023", where + " must be at most 255 bytes");
}

int digits(std::string_view s, std::size_t pos, std::size_t n, std::string_view text) {
	int v = 0;
	if (pos + n > s.size()) throw InvalidArgument("22007", "invalid timestamp: " + std::string(text));
	auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + n, v);
	if (ec != std::errc{} || p != s.data() + pos + n)
		throw InvalidArgument("22007", "invalid timestamp: " + std::string(text));
	return v;
}

void expect(std::string_view s, std::size_t pos, std::string_view chars, std::string_view text) {
	if (pos >= s.size() || chars.find(s[pos]) == std::string_view::npos)
		throw InvalidArgument("22007", "invalid timestamp: " + std::string(text));
}

}  // namespace

std::string format_timestamp(Timestamp t) {
	using namespace std::chrono;
	const auto day = floor<days>(t);
	const year_month_day ymd{day};
	const hh_mm_ss<microseconds> hms{t - day};
	char buf[40];
	std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ", static_cast<int>(ymd.year()),
	              static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
	              static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
	              static_cast<int>(hms.seconds().count()), static_cast<long long>(hms.subseconds().count()));
	return buf;
}

Timestamp parse_timestamp(std::string_view text) {
	using namespace std::chrono;
	const std::string_view s = text;
	const int y = digits(s, 0, 4, text);
	expect(s, 4, "-", text);
	const int mo = digits(s, 5, 2, text);
	expect(s, 7, "-", text);
	const int d = digits(s, 8, 2, text);
	expect(s, 10, "Tt ", text);
	const int h = digits(s, 11, 2, text);
	expect(s, 13, ":", text);
	const int mi = digits(s, 14, 2, text);
	expect(s, 16, ":", text);
	const int se = digits(s, 17, 2, text);
	std::size_t pos = 19;
	long long micros = 0;
	if (pos < s.size() && s[pos] == '.') {
		++pos;
		int n = 0;
		while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
			if (n < 6) micros = micros * 10 + (s[pos] - '0');
			++n;
			++pos;
		}
		if (n == 0) throw InvalidArgument("22007", "invalid timestamp: " + std::string(text));
		for (; n < 6; ++n) micros *= 10;
	}
	minutes offset{0};
	if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
		++pos;
	} else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
		const int sign = s[pos] == '-' ? -1 : 1;
		const int oh = digits(s, pos + 1, 2, text);
		int om = 0;
		pos += 3;
		if (pos < s.size() && s[pos] == ':') {
			om = digits(s, pos + 1, 2, text);
			pos += 3;
		} else if (pos + 2 <= s.size()) {
			om = digits(s, pos, 2, text);
			pos += 2;
		}
		offset = minutes(sign * (oh * 60 + om));
	} else {
		throw InvalidArgument("22007", "timestamp needs a time zone (Z or +hh:mm): " + std::string(text));
	}
	if (pos != s.size()) throw InvalidArgument("22007", "invalid timestamp: " + std::string(text));
	const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
	if (!ymd.ok() || h > 23 || mi > 59 || se > 60)
		throw InvalidArgument("22008", "timestamp out of range: " + std::string(text));
	return sys_days{ymd} + hours{h} + minutes{mi} + seconds{se} + microseconds{micros} - offset;
}

std::string events_to_json(const std::vector<Event>& events) {
	if (events.empty()) throw InvalidArgument("22023", "events must not be empty");
	Document doc(rapidjson::kArrayType);
	auto& a = doc.GetAllocator();
	for (std::size_t i = 0; i < events.size(); ++i) {
		const Event& e = events[i];
		check_short_string(e.type, path(i, "type"));
		Value obj(rapidjson::kObjectType);
		obj.AddMember("type", json::str(e.type, a), a);
		Document data(&a);
		json::parse(data, e.data, path(i, "data"));
		obj.AddMember("data", data.Move(), a);
		if (!e.tags.empty()) {
			Value tags(rapidjson::kArrayType);
			for (std::size_t t = 0; t < e.tags.size(); ++t) {
				check_short_string(e.tags[t], path(i, "tags[" + std::to_string(t) + "]"));
				tags.PushBack(json::str(e.tags[t], a), a);
			}
			obj.AddMember("tags", tags, a);
		}
		if (!e.metadata.empty()) {
			Document meta(&a);
			json::parse(meta, e.metadata, path(i, "metadata"));
			if (!meta.IsObject()) throw InvalidArgument("22023", path(i, "metadata") + " must be a JSON object");
			obj.AddMember("metadata", meta.Move(), a);
		}
		if (e.occurred_at) obj.AddMember("occurred_at", json::str(format_timestamp(*e.occurred_at), a), a);
		if (!e.id.empty()) obj.AddMember("id", json::str(e.id, a), a);
		doc.PushBack(obj, a);
	}
	return json::dump(doc);
}

std::vector<Event> events_from_json(std::string_view text) {
	Document doc;
	json::parse(doc, text, "events");
	if (!doc.IsArray()) throw InvalidArgument("22023", "events must be a JSON array");
	std::vector<Event> out;
	out.reserve(doc.Size());
	for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
		const Value& o = doc[i];
		if (!o.IsObject()) throw InvalidArgument("22023", "events[" + std::to_string(i) + "] must be an object");
		Event e;
		for (auto m = o.MemberBegin(); m != o.MemberEnd(); ++m) {
			const std::string_view key(m->name.GetString(), m->name.GetStringLength());
			const Value& v = m->value;
			auto need_string = [&] {
				if (!v.IsString()) throw InvalidArgument("22023", path(i, key) + " must be a string");
				return std::string(v.GetString(), v.GetStringLength());
			};
			if (key == "type") e.type = need_string();
			else if (key == "data") e.data = json::dump(v);
			else if (key == "metadata") e.metadata = json::dump(v);
			else if (key == "id") e.id = need_string();
			else if (key == "occurred_at") e.occurred_at = parse_timestamp(need_string());
			else if (key == "tags") {
				if (!v.IsArray()) throw InvalidArgument("22023", path(i, "tags") + " must be an array");
				for (const Value& t : v.GetArray()) {
					if (!t.IsString()) throw InvalidArgument("22023", path(i, "tags") + " must hold strings");
					e.tags.emplace_back(t.GetString(), t.GetStringLength());
				}
			} else {
				throw InvalidArgument("22023", path(i, key) + " is not a known key");
			}
		}
		out.push_back(std::move(e));
	}
	return out;
}

void derive_tags(const TagRules& rules, std::vector<Event>& events) {
	for (std::size_t i = 0; i < events.size(); ++i) {
		Event& e = events[i];
		const auto rule = rules.find(e.type);
		if (rule == rules.end() || rule->second.empty()) continue;
		Document data;
		json::parse(data, e.data, path(i, "data"));
		if (!data.IsObject())
			throw InvalidArgument("22023", path(i, "data") + " must be a JSON object: the tags of " + e.type + " are derived from it");
		for (const std::string& key : rule->second) {
			const auto m = data.FindMember(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size())));
			if (m == data.MemberEnd())
				throw InvalidArgument("22023", path(i, "data") + " lacks " + key + ", from which a tag of " + e.type + " is derived");
			const Value& v = m->value;
			std::string value;
			if (v.IsString()) value.assign(v.GetString(), v.GetStringLength());
			else if (v.IsNumber() || v.IsBool()) value = json::dump(v);
			else
				throw InvalidArgument("22023", path(i, "data") + "." + key + " must be a string, a number or a boolean to be a tag");
			std::string tag = key + ':' + value;
			if (std::find(e.tags.begin(), e.tags.end(), tag) == e.tags.end()) e.tags.push_back(std::move(tag));
		}
	}
}

}  // namespace dcb
