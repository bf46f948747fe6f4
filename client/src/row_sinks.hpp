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
};

std::int64_t parse_int64(std::string_view text);

}  // namespace dcb::detail
