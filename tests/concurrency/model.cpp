// model.cpp — filter/event model, JSON building and parsing, matching (see model.hpp).
#include "model.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace dcbc {

std::string json_string(const std::string &s) {
	std::string out = "\"";
	for (unsigned char c : s) {
		switch (c) {
		case '"': out += "\\\""; break;
		case '\\': out += "\\\\"; break;
		case '\n': out += "\\n"; break;
		case '\t': out += "\\t"; break;
		default:
			if (c < 0x20) {
				char buf[8];
				std::snprintf(buf, sizeof buf, "\\u%04x", c);
				out += buf;
			} else {
				out += static_cast<char>(c);
			}
		}
	}
	return out + "\"";
}

namespace {

std::string json_array(const std::vector<std::string> &v) {
	std::string out = "[";
	for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + json_string(v[i]);
	return out + "]";
}

std::string json_object(const std::map<std::string, std::string> &m) {
	std::string out = "{";
	bool first = true;
	for (const auto &[k, v] : m) {
		out += (first ? "" : ",") + json_string(k) + ":" + json_string(v);
		first = false;
	}
	return out + "}";
}

std::vector<std::string> string_array(const rapidjson::Value &v, const char *what) {
	if (!v.IsArray()) throw std::runtime_error(std::string(what) + " is not an array");
	std::vector<std::string> out;
	for (const auto &e : v.GetArray()) {
		if (!e.IsString()) throw std::runtime_error(std::string(what) + " holds a non-string");
		out.emplace_back(e.GetString(), e.GetStringLength());
	}
	return out;
}

std::map<std::string, std::string> string_members(const rapidjson::Value &v) {
	std::map<std::string, std::string> out;
	if (!v.IsObject()) return out;
	for (const auto &m : v.GetObject())
		if (m.value.IsString())
			out.emplace(std::string(m.name.GetString(), m.name.GetStringLength()),
			            std::string(m.value.GetString(), m.value.GetStringLength()));
	return out;
}

Filter parse_filter(const rapidjson::Value &v) {
	if (!v.IsObject()) throw std::runtime_error("recorded filter is not an object");
	Filter f;
	auto items = v.FindMember("items");
	if (items == v.MemberEnd()) return f;
	if (!items->value.IsArray()) throw std::runtime_error("recorded filter.items is not an array");
	for (const auto &iv : items->value.GetArray()) {
		Item it;
		if (auto t = iv.FindMember("types"); t != iv.MemberEnd()) it.types = string_array(t->value, "types");
		if (auto t = iv.FindMember("tags"); t != iv.MemberEnd()) it.tags = string_array(t->value, "tags");
		if (auto t = iv.FindMember("payload"); t != iv.MemberEnd()) {
			it.payload = string_members(t->value);
			if (!t->value.IsObject() || it.payload.size() != t->value.MemberCount())
				throw std::runtime_error("recorded payload is not a flat object of strings");
		}
		f.items.push_back(std::move(it));
	}
	return f;
}

}  // namespace

std::string to_json(const Filter &f) {
	if (f.items.empty()) return "{}";
	std::string out = "{\"items\":[";
	for (size_t i = 0; i < f.items.size(); ++i) {
		const Item &it = f.items[i];
		std::string parts;
		if (!it.types.empty()) parts += "\"types\":" + json_array(it.types);
		if (!it.tags.empty()) parts += std::string(parts.empty() ? "" : ",") + "\"tags\":" + json_array(it.tags);
		if (!it.payload.empty())
			parts += std::string(parts.empty() ? "" : ",") + "\"payload\":" + json_object(it.payload);
		out += (i ? ",{" : "{") + parts + "}";
	}
	return out + "]}";
}

std::optional<std::string> to_json(const OptFilter &f) {
	if (!f) return std::nullopt;
	return to_json(*f);
}

std::string describe(const OptFilter &f) { return f ? to_json(*f) : std::string("NULL"); }

std::string append_events_json(const std::string &call_id, const OptFilter &filter,
                               std::optional<int64_t> expected_max, const std::vector<EventSpec> &events) {
	std::string filter_json = filter ? to_json(*filter) : "null";
	std::string expected = expected_max ? std::to_string(*expected_max) : "null";
	std::string out = "[";
	for (size_t i = 0; i < events.size(); ++i) {
		const EventSpec &e = events[i];
		out += i ? "," : "";
		out += "{\"type\":" + json_string(e.type) + ",\"tags\":" + json_array(e.tags) +
		       ",\"data\":" + json_object(e.data) + (e.id ? ",\"id\":" + json_string(*e.id) : std::string()) +
		       ",\"metadata\":{\"call\":" + json_string(call_id) +
		       ",\"idx\":" + std::to_string(i) + ",\"n\":" + std::to_string(events.size()) +
		       ",\"filter\":" + filter_json + ",\"expected_max\":" + expected + "}}";
	}
	return out + "]";
}

LogEvent parse_event(int64_t seq, const std::string &type, const std::string &tags_json,
                     const std::string &data_json, const std::string &metadata_json,
                     std::optional<std::string> id) {
	LogEvent e;
	e.seq = seq;
	e.type = type;
	e.id = std::move(id);
	rapidjson::Document tags, data, meta;
	if (tags_json.empty() || tags.Parse(tags_json.c_str()).HasParseError())
		throw std::runtime_error("seq " + std::to_string(seq) + ": bad tags " + tags_json);
	if (!tags.IsNull()) e.tags = string_array(tags, "tags");  // array_to_json('{}') is []
	if (data.Parse(data_json.c_str()).HasParseError())
		throw std::runtime_error("seq " + std::to_string(seq) + ": bad data " + data_json);
	e.data = string_members(data);
	if (meta.Parse(metadata_json.c_str()).HasParseError() || !meta.IsObject())
		throw std::runtime_error("seq " + std::to_string(seq) + ": bad metadata " + metadata_json);
	auto call = meta.FindMember("call");
	auto idx = meta.FindMember("idx");
	auto n = meta.FindMember("n");
	if (call == meta.MemberEnd() || !call->value.IsString() || idx == meta.MemberEnd() || !idx->value.IsInt() ||
	    n == meta.MemberEnd() || !n->value.IsInt())
		throw std::runtime_error("seq " + std::to_string(seq) + ": metadata lacks call/idx/n: " + metadata_json);
	e.call = call->value.GetString();
	e.idx = idx->value.GetInt();
	e.n = n->value.GetInt();
	if (auto f = meta.FindMember("filter"); f != meta.MemberEnd() && !f->value.IsNull()) {
		e.conditional = true;
		e.filter = parse_filter(f->value);
	}
	if (auto x = meta.FindMember("expected_max"); x != meta.MemberEnd() && x->value.IsInt64())
		e.expected_max = x->value.GetInt64();
	return e;
}

bool matches(const Item &item, const LogEvent &e) {
	if (!item.types.empty() && std::find(item.types.begin(), item.types.end(), e.type) == item.types.end())
		return false;
	for (const auto &t : item.tags)
		if (std::find(e.tags.begin(), e.tags.end(), t) == e.tags.end()) return false;
	for (const auto &[k, v] : item.payload) {
		auto it = e.data.find(k);
		if (it == e.data.end() || it->second != v) return false;
	}
	return true;
}

bool matches(const OptFilter &f, const LogEvent &e) {
	if (!f || f->items.empty()) return true;
	for (const auto &it : f->items)
		if (matches(it, e)) return true;
	return false;
}

}  // namespace dcbc
