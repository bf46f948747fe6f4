/*
 * filter.cpp — see filter.hpp.
 */
#include "core/filter.hpp"

#include <algorithm>

#include "core/pure.hpp"

#define DCB_STRINGIFY_(x) #x
#define DCB_STRINGIFY(x) DCB_STRINGIFY_(x)

namespace dcb {

const char *
check_name(std::string_view s) noexcept
{
	if (s.empty())
		return "must be a non-empty string";
	if (s.size() > max_name_bytes)
		return "must be at most " DCB_STRINGIFY(DCB_MAX_NAME_BYTES) " bytes";
	return nullptr;
}

std::size_t
sort_unique_names(std::string_view *names, std::size_t n) noexcept
{
	std::sort(names, names + n);
	return static_cast<std::size_t>(std::unique(names, names + n) - names);
}

bool
item_matches(const ItemView &item, const EventView &event) noexcept
{
	if (item.ntypes > 0 && std::find(item.types, item.types + item.ntypes, event.type) == item.types + item.ntypes)
		return false;
	for (std::size_t i = 0; i < item.ntags; i++)
		if (!std::binary_search(event.tags, event.tags + event.ntags, item.tags[i]))
			return false;
	return true;
}

bool
within_bounds(const TimeBounds &bounds, std::int64_t occurred_at) noexcept
{
	return (!bounds.has_from || occurred_at >= bounds.from) && (!bounds.has_until || occurred_at <= bounds.until);
}

Probe
item_probe(const ItemView &item) noexcept
{
	if (item.ntags > 0)
		return item.ntypes > 0 ? Probe::TagType : Probe::Tag;
	return item.ntypes > 0 ? Probe::Type : Probe::All;
}

} // namespace dcb
