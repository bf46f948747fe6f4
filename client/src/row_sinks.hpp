// row_sinks.hpp — decoding result rows of the store's statements.
#pragma once

#include "dcb/backend.hpp"
#include "dcb/event.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace dcb::detail {

/// Rows of the read statement → StoredEvent.
class EventSink final : public RowSink {
public:
	std::vector<StoredEvent> events;
	void on_row(std::span<const std::optional<std::string_view>> columns) override;
};

/// A single bigint (dcb_append's and dcb_head's result).
class ScalarSink final : public RowSink {
public:
	std::optional<std::int64_t> value;
	void on_row(std::span<const std::optional<std::string_view>> columns) override;
	/// The value; throws when `function` returned no row.
	std::int64_t required(std::string_view function) const;
};

/// Pointers to `sinks`, the form Backend::execute_batch takes.
template <typename Sink>
std::vector<RowSink*> sink_pointers(std::vector<Sink>& sinks) {
	std::vector<RowSink*> out;
	out.reserve(sinks.size());
	for (auto& s : sinks) out.push_back(&s);
	return out;
}

std::int64_t parse_int64(std::string_view text);

}  // namespace dcb::detail
