// row_sinks.cpp — see row_sinks.hpp.
#include "rapidjson_config.hpp"

#include "row_sinks.hpp"

#include <charconv>

namespace dcb::detail {

namespace {

[[noreturn]] void bad_row(const std::string& what) {
	throw Error("XX000", "dcb: unexpected result from the server: " + what);
}

std::string_view need(std::span<const std::optional<std::string_view>> cols, std::size_t i, const char* name) {
	if (i >= cols.size() || !cols[i]) bad_row(std::string(name) + " is missing");
	return *cols[i];
}

}  // namespace

std::int64_t parse_int64(std::string_view text) {
	std::int64_t v = 0;
	auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
	if (ec != std::errc{} || p != text.data() + text.size()) bad_row("not an integer: " + std::string(text));
	return v;
}

void EventSink::on_row(std::span<const std::optional<std::string_view>> cols) {
	StoredEvent e;
	e.seq = parse_int64(need(cols, 0, "seq"));
	e.type = std::string(need(cols, 1, "type"));
	if (cols.size() > 2 && cols[2]) {
		rapidjson::Document tags;
		tags.Parse(cols[2]->data(), cols[2]->size());
		if (tags.HasParseError() || !tags.IsArray()) bad_row("tags are not a JSON array");
		e.tags.reserve(tags.Size());
		for (const auto& t : tags.GetArray()) {
			if (!t.IsString()) bad_row("a tag is not a string");
			e.tags.emplace_back(t.GetString(), t.GetStringLength());
		}
	}
	e.data = std::string(need(cols, 3, "data"));
	e.metadata = cols.size() > 4 && cols[4] ? std::string(*cols[4]) : std::string("{}");
	if (cols.size() > 5 && cols[5]) e.occurred_at = Timestamp(std::chrono::microseconds(parse_int64(*cols[5])));
	if (cols.size() > 6 && cols[6]) e.id = std::string(*cols[6]);
	events.push_back(std::move(e));
}

void ScalarSink::on_row(std::span<const std::optional<std::string_view>> cols) {
	if (cols.empty() || !cols[0]) bad_row("NULL where a bigint was expected");
	value = parse_int64(*cols[0]);
}

std::int64_t ScalarSink::required(std::string_view function) const {
	if (!value) throw Error("XX000", "dcb: " + std::string(function) + " returned no row");
	return *value;
}

}  // namespace dcb::detail
