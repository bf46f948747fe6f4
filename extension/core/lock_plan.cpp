/*
 * lock_plan.cpp — see lock_plan.hpp.
 */
#include "core/lock_plan.hpp"

#include <algorithm>

#include "core/pure.hpp"

namespace dcb {
namespace {

std::size_t
sort_unique_keys(Key *keys, std::size_t n) noexcept
{
	if (keys == nullptr || n == 0)
		return 0;
	std::sort(keys, keys + n);
	return static_cast<std::size_t>(std::unique(keys, keys + n) - keys);
}

/* The keys of one type (or of any type, with type_hash == nullptr) for a tagged item. */
std::size_t
tagged_item_keys(const ItemView &item, const Key *type_hash, Key *out) noexcept
{
	const Key g = hash_tag(item.primary_tag());
	/* (parsers remove duplicate tags: a pair of one tag would miss events with just that tag) */
	if (item.ntags == 1 || item.secondary_tag() == item.primary_tag())
	{
		out[0] = type_hash ? lock_key(KeyFamily::TypeTag, *type_hash, g) : lock_key(KeyFamily::AnyTypeTag, 0, g);
		return 1;
	}
	const Key pair = tag_pair(g, hash_tag(item.secondary_tag()));
	out[0] = type_hash ? lock_key(KeyFamily::TypePair, *type_hash, pair) : lock_key(KeyFamily::AnyTypePair, 0, pair);
	out[1] = type_hash ? lock_key(KeyFamily::TypeWide, *type_hash, g) : lock_key(KeyFamily::AnyTypeWide, 0, g);
	return 2;
}

} // namespace

std::size_t
event_write_keys(const EventView &event, Key *out) noexcept
{
	const Key type_hash = hash_type(event.type);
	std::size_t n = 0;
	for (std::size_t i = 0; i < event.ntags; i++)
	{
		const Key tag_hash = hash_tag(event.tags[i]);
		out[n++] = lock_key(KeyFamily::TypeTag, type_hash, tag_hash);
		out[n++] = lock_key(KeyFamily::AnyTypeTag, 0, tag_hash);
	}
	if (event.ntags <= pair_tag_limit)
	{
		for (std::size_t i = 0; i < event.ntags; i++)
			for (std::size_t j = i + 1; j < event.ntags; j++)
			{
				const Key pair = tag_pair(hash_tag(event.tags[i]), hash_tag(event.tags[j]));
				out[n++] = lock_key(KeyFamily::TypePair, type_hash, pair);
				out[n++] = lock_key(KeyFamily::AnyTypePair, 0, pair);
			}
	}
	else
		for (std::size_t i = 0; i < event.ntags; i++)
		{
			const Key tag_hash = hash_tag(event.tags[i]);
			out[n++] = lock_key(KeyFamily::TypeWide, type_hash, tag_hash);
			out[n++] = lock_key(KeyFamily::AnyTypeWide, 0, tag_hash);
		}
	out[n++] = lock_key(KeyFamily::TypeAnyTag, type_hash);
	out[n++] = lock_key(KeyFamily::All);
	return n;
}

std::size_t
item_check_key_count(const ItemView &item) noexcept
{
	return (item.ntypes > 0 ? item.ntypes : 1) * (item.ntags > 1 ? 2 : 1);
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
				out[i] = lock_key(KeyFamily::TypeAnyTag, hash_type(item.types[i]));
			return item.ntypes;
		case Probe::All:
			break;
	}
	out[0] = lock_key(KeyFamily::All);
	return 1;
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
		if (std::binary_search(out, out + n, lock_key(KeyFamily::All)))
			break; /* a payload-only item: the condition checks everything anyway */
		if (n <= max_keys)
			return n;
	}
	*check_all = true;
	return 0;
}

KeySet
key_set_init(Key *slots, std::size_t limit) noexcept
{
	return KeySet{slots, key_set_slots(limit) - 1, 0, limit, false, false};
}

void
key_set_add(KeySet &set, Key key) noexcept
{
	if (set.overflowed)
		return;
	if (key == 0)
	{
		set.count += set.has_zero ? 0 : 1;
		set.has_zero = true;
	}
	else
	{
		/* keys are hashes already: their low bits spread well */
		std::size_t i = key & set.mask;
		while (set.slots[i] != 0 && set.slots[i] != key)
			i = (i + 1) & set.mask;
		if (set.slots[i] == 0)
		{
			set.slots[i] = key;
			set.count++;
		}
	}
	/* the table has room for twice the limit: past the limit the caller escalates anyway */
	set.overflowed = set.count > set.limit;
}

std::size_t
key_set_sorted(const KeySet &set, Key *out) noexcept
{
	std::size_t n = 0;
	if (set.has_zero)
		out[n++] = 0;
	for (std::size_t i = 0; i <= set.mask; i++)
		if (set.slots[i] != 0)
			out[n++] = set.slots[i];
	std::sort(out, out + n);
	return n;
}

std::size_t
build_lock_plan(const LockPlanInput &in, LockRequest *out) noexcept
{
	std::size_t n = 0;
	if (in.escalated)
		out[n++] = {lock_key(KeyFamily::Escalated), lock_write};
	else
	{
		for (std::size_t i = 0; i < in.nwrite; i++)
			out[n++] = {in.write_keys[i], lock_write};
		for (std::size_t i = 0; i < in.nid; i++)
			out[n++] = {in.id_keys[i], lock_id};
	}
	if (in.check_all)
		out[n++] = {lock_key(KeyFamily::All), lock_check};
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
	return m;
}

} // namespace dcb
