// filter.cpp — Filter validation and its JSON form (the `filter` argument of dcb_read / dcb_append).
#include "rapidjson_config.hpp"

#include "dcb/filter.hpp"
#include "dcb/json.hpp"

namespace dcb {

namespace {

using rapidjson::Document;
using rapidjson::Value;

std::string item_path(std::size_t i) { return "filter.items[" + std::to_string(i) + "]"; }

void check_strings(const std::vector<std::string>& v, const std::string& where) {
	for (std::size_t k = 0; k < v.size(); ++k)
		if (v[k].empty() || v[k].size() > 255)
			throw InvalidArgument("22023", where + "[" + std::to_string(k) + "] must be a non-empty string of at most 255 bytes");
}

std::vector<std::string> strings_of(const Value& v, const std::string& where) {
	if (!v.IsArray()) throw InvalidArgument("22023", where + " must be an array");
	std::vector<std::string> out;
	for (const Value& s : v.GetArray()) {
		if (!s.IsString()) throw InvalidArgument("22023", where + " must hold strings");
		out.emplace_back(s.GetString(), s.GetStringLength());
	}
	return out;
}

}  // namespace

Filter::Filter(std::vector<FilterItem> items, std::optional<Timestamp> occurred_from, std::optional<Timestamp> occurred_until)
    : items_(std::move(items)), occurred_from_(occurred_from), occurred_until_(occurred_until) {
	for (std::size_t i = 0; i < items_.size(); ++i) {
		const FilterItem& it = items_[i];
		if (it.types.empty() && it.tags.empty() && it.payload.empty())
			throw InvalidArgument("22023", item_path(i) + " must give at least one of types, tags, payload");
		check_strings(it.types, item_path(i) + ".types");
		check_strings(it.tags, item_path(i) + ".tags");
		if (!it.payload.empty()) {
			Document d;
			json::parse(d, it.payload, item_path(i) + ".payload");
			if (!d.IsObject()) throw InvalidArgument("22023", item_path(i) + ".payload must be a JSON object");
		}
	}
}

std::string Filter::to_json() const {
	Document doc(rapidjson::kObjectType);
	auto& a = doc.GetAllocator();
	if (!items_.empty()) {
		Value items(rapidjson::kArrayType);
		for (const FilterItem& it : items_) {
			Value o(rapidjson::kObjectType);
			if (!it.types.empty()) {
				Value t(rapidjson::kArrayType);
				for (const auto& s : it.types) t.PushBack(json::str(s, a), a);
				o.AddMember("types", t, a);
			}
			if (!it.tags.empty()) {
				Value t(rapidjson::kArrayType);
				for (const auto& s : it.tags) t.PushBack(json::str(s, a), a);
				o.AddMember("tags", t, a);
			}
			if (!it.payload.empty()) {
				Document p(&a);
				json::parse(p, it.payload, "payload");
				o.AddMember("payload", p.Move(), a);
			}
			items.PushBack(o, a);
		}
		doc.AddMember("items", items, a);
	}
	if (occurred_from_) doc.AddMember("occurred_from", json::str(format_timestamp(*occurred_from_), a), a);
	if (occurred_until_) doc.AddMember("occurred_until", json::str(format_timestamp(*occurred_until_), a), a);
	return json::dump(doc);
}

Filter Filter::from_json(std::string_view text) {
	Document doc;
	json::parse(doc, text, "filter");
	if (!doc.IsObject()) throw InvalidArgument("22023", "filter must be a JSON object");
	std::vector<FilterItem> items;
	std::optional<Timestamp> from, until;
	for (auto m = doc.MemberBegin(); m != doc.MemberEnd(); ++m) {
		const std::string_view key(m->name.GetString(), m->name.GetStringLength());
		const Value& v = m->value;
		if (key == "items") {
			if (!v.IsArray() || v.Empty()) throw InvalidArgument("22023", "filter.items must be a non-empty array");
			for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
				const Value& o = v[i];
				if (!o.IsObject()) throw InvalidArgument("22023", item_path(i) + " must be an object");
				FilterItem it;
				for (auto f = o.MemberBegin(); f != o.MemberEnd(); ++f) {
					const std::string_view fk(f->name.GetString(), f->name.GetStringLength());
					if (fk == "types") it.types = strings_of(f->value, item_path(i) + ".types");
					else if (fk == "tags") it.tags = strings_of(f->value, item_path(i) + ".tags");
					else if (fk == "payload") it.payload = json::dump(f->value);
					else throw InvalidArgument("22023", item_path(i) + "." + std::string(fk) + " is not a known key");
				}
				items.push_back(std::move(it));
			}
		} else if (key == "occurred_from" || key == "occurred_until") {
			if (!v.IsString()) throw InvalidArgument("22023", "filter." + std::string(key) + " must be a string");
			auto t = parse_timestamp(std::string_view(v.GetString(), v.GetStringLength()));
			(key == "occurred_from" ? from : until) = t;
		} else {
			throw InvalidArgument("22023", "filter." + std::string(key) + " is not a known key");
		}
	}
	return Filter(std::move(items), from, until);
}

}  // namespace dcb
