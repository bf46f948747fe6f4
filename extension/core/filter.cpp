/*
 * filter.cpp — see filter.hpp.
 */
#include "core/filter.hpp"

#include <algorithm>

namespace dcb {

const char *
check_name(std::string_view s) noexcept
{
	if (s.empty())
		return "must be a non-empty string";
	if (s.size() > max_name_bytes)
		return "must be at most 255 bytes";
	return nullptr;
}

std::size_t
sort_unique_names(std::string_view *names, std::size_t n) noexcept
{
	std::sort(names, names + n);
	return static_cast<std::size_t>(std::unique(names, names + n) - names);
}

static bool
has_name(const std::string_view *sorted, std::size_t n, std::string_view s) noexcept
{
	return std::binary_search(sorted, sorted + n, s);
}

bool
item_matches(const ItemView &item, const EventView &event) noexcept
{
	if (item.ntypes > 0)
	{
		bool type_ok = false;
		for (std::size_t i = 0; i < item.ntypes && !type_ok; i++)
			type_ok = item.types[i] == event.type;
		if (!type_ok)
			return false;
	}
	for (std::size_t i = 0; i < item.ntags; i++)
		if (!has_name(event.tags, event.ntags, item.tags[i]))
			return false;
	return true;
}

std::size_t
event_write_keys(const EventView &event, Key *out) noexcept
{
	const Key type_hash = hash_type(event.type);
	std::size_t n = 0;
	for (std::size_t i = 0; i < event.ntags; i++)
	{
		const Key tag_hash = hash_tag(event.tags[i]);
		out[n++] = lock_key_type_tag(type_hash, tag_hash);
		out[n++] = lock_key_any_type_tag(tag_hash);
	}
	if (event.ntags <= pair_tag_limit)
	{
		for (std::size_t i = 0; i < event.ntags; i++)
			for (std::size_t j = i + 1; j < event.ntags; j++)
			{
				const Key a = hash_tag(event.tags[i]), b = hash_tag(event.tags[j]);
				out[n++] = lock_key_type_pair(type_hash, a, b);
				out[n++] = lock_key_any_type_pair(a, b);
			}
	}
	else
		for (std::size_t i = 0; i < event.ntags; i++)
		{
			const Key tag_hash = hash_tag(event.tags[i]);
			out[n++] = lock_key_type_wide(type_hash, tag_hash);
			out[n++] = lock_key_any_type_wide(tag_hash);
		}
	out[n++] = lock_key_type_any_tag(type_hash);
	out[n++] = lock_key_all();
	return n;
}

Probe
item_probe(const ItemView &item) noexcept
{
	if (item.ntags > 0)
		return item.ntypes > 0 ? Probe::TagType : Probe::Tag;
	return item.ntypes > 0 ? Probe::Type : Probe::All;
}

std::size_t
item_check_key_count(const ItemView &item) noexcept
{
	return (item.ntypes > 0 ? item.ntypes : 1) * (item.ntags > 1 ? 2 : 1);
}

/* The keys of one type (or of any type, with type_hash == nullptr) for a tagged item. */
static std::size_t
tagged_item_keys(const ItemView &item, const Key *type_hash, Key *out) noexcept
{
	const Key g = hash_tag(item.tags[primary_tag]);
	/* (the parser removes duplicate tags; a pair of one tag would miss events with just that tag) */
	if (item.ntags == 1 || item.tags[secondary_tag] == item.tags[primary_tag])
	{
		out[0] = type_hash ? lock_key_type_tag(*type_hash, g) : lock_key_any_type_tag(g);
		return 1;
	}
	const Key h = hash_tag(item.tags[secondary_tag]);
	out[0] = type_hash ? lock_key_type_pair(*type_hash, g, h) : lock_key_any_type_pair(g, h);
	out[1] = type_hash ? lock_key_type_wide(*type_hash, g) : lock_key_any_type_wide(g);
	return 2;
}

std::size_t
item_check_keys(const ItemView &item, Key *out, bool coarse) noexcept
{
	std::size_t n = 0;
	switch (item_probe(item))
	{
		case Probe::TagType:
			if (coarse)
				return tagged_item_keys(item, nullptr, out);
			for (std::size_t i = 0; i < item.ntypes; i++)
			{
				const Key type_hash = hash_type(item.types[i]);
				n += tagged_item_keys(item, &type_hash, out + n);
			}
			return n;
		case Probe::Tag:
			return tagged_item_keys(item, nullptr, out);
		case Probe::Type:
			for (std::size_t i = 0; i < item.ntypes; i++)
				out[i] = lock_key_type_any_tag(hash_type(item.types[i]));
			return item.ntypes;
		case Probe::All:
			break;
	}
	out[0] = lock_key_all();
	return 1;
}

static std::size_t
sort_unique_keys(Key *keys, std::size_t n) noexcept
{
	if (keys == nullptr || n == 0)
		return 0;
	std::sort(keys, keys + n);
	return static_cast<std::size_t>(std::unique(keys, keys + n) - keys);
}

std::size_t
condition_check_keys(const ItemView *items, std::size_t nitems, std::size_t max_keys, Key *out,
					 bool *check_all) noexcept
{
	*check_all = nitems == 0;
	for (int coarse = 0; coarse <= 1 && !*check_all; coarse++)
	{
		std::size_t n = 0;
		for (std::size_t i = 0; i < nitems; i++)
			n += item_check_keys(items[i], out + n, coarse == 1);
		n = sort_unique_keys(out, n);
		if (std::binary_search(out, out + n, lock_key_all()))
			break; /* a payload-only item: the condition checks everything anyway */
		if (n <= max_keys)
			return n;
	}
	*check_all = true;
	return 0;
}

std::size_t
build_lock_plan(LockPlanInput &in, LockRequest *out, bool *escalated) noexcept
{
	in.nwrite = sort_unique_keys(in.write_keys, in.nwrite);
	in.nid = sort_unique_keys(in.id_keys, in.nid);

	const bool escalate = in.nwrite + in.nid > in.max_keys;
	std::size_t n = 0;

	if (escalate)
		out[n++] = {lock_key_escalated(), lock_write};
	else
	{
		for (std::size_t i = 0; i < in.nwrite; i++)
			out[n++] = {in.write_keys[i], lock_write};
		for (std::size_t i = 0; i < in.nid; i++)
			out[n++] = {in.id_keys[i], lock_id};
	}
	if (in.check_all)
		out[n++] = {lock_key_all(), lock_check};
	else
		for (std::size_t i = 0; i < in.ncheck; i++)
			out[n++] = {in.check_keys[i], lock_check};

	std::sort(out, out + n, [](const LockRequest &a, const LockRequest &b) { return a.key < b.key; });
	std::size_t m = 0;
	for (std::size_t i = 0; i < n; i++)
	{
		if (m > 0 && out[m - 1].key == out[i].key)
			out[m - 1].bits |= out[i].bits;
		else
			out[m++] = out[i];
	}
	if (escalated)
		*escalated = escalate;
	return m;
}

static int
hex_value(char c) noexcept
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
parse_uuid(std::string_view s, std::uint8_t (&out)[16]) noexcept
{
	if (s.size() >= 2 && s.front() == '{' && s.back() == '}')
		s = s.substr(1, s.size() - 2);
	std::size_t digits = 0;
	for (std::size_t i = 0; i < s.size(); i++)
	{
		/* a hyphen may follow any group of four digits, as uuid_in accepts */
		if (s[i] == '-' && digits > 0 && digits % 4 == 0 && digits < 32 && i + 1 < s.size() && s[i + 1] != '-')
			continue;
		const int v = hex_value(s[i]);
		if (v < 0 || digits >= 32)
			return false;
		if (digits % 2 == 0)
			out[digits / 2] = static_cast<std::uint8_t>(v << 4);
		else
			out[digits / 2] |= static_cast<std::uint8_t>(v);
		digits++;
	}
	return digits == 32;
}

} // namespace dcb
