/*
 * keys.hpp — stable 64-bit keys for types, tags and the lock families.
 *
 * Two uses, one hash: dcb.event_tags stores hash_type(type) and hash_tag(tag) (so the hash is part of
 * the on-disk format), and an append locks the keys its events write and its filter checks
 * (lock_plan.hpp says which). A collision only costs time: every candidate found through a key is
 * re-checked against the event row, and two unrelated appends whose keys collide merely serialize.
 */
#pragma once

#include <cstdint>
#include <string_view>

namespace dcb {

using Key = std::uint64_t;

/* Storage hashes (on-disk format). */
Key hash_type(std::string_view type) noexcept;
Key hash_tag(std::string_view tag) noexcept;

/*
 * Lock key families. "*" is a family of its own, not the string "*", so a tag literally named "*"
 * cannot alias it. The values are part of the lock protocol: backends that loaded different builds
 * of the library must derive the same keys, so they never change.
 */
enum class KeyFamily : std::uint8_t
{
	TypeTag = 1,      /* (T,g): type hash, tag hash */
	AnyTypeTag = 2,   /* (*,g): tag hash */
	TypeAnyTag = 3,   /* (T,*): type hash */
	All = 4,          /* (*,*) */
	Escalated = 5,    /* held by escalated writers to their end (lock_plan.hpp) */
	EventId = 6,      /* one event id (event_id_key) */
	Positions = 7,    /* held while positions are taken for escalated writers (lock_plan.hpp) */
	TagPair = 8,      /* an unordered pair of tag hashes, as one hash (tag_pair) */
	TypePair = 9,     /* (T,{g,h}): type hash, tag_pair */
	AnyTypePair = 10, /* (*,{g,h}): tag_pair */
	TypeWide = 11,    /* (T,g,+): type hash, tag hash */
	AnyTypeWide = 12, /* (*,g,+): tag hash */
	Store = 13,       /* a key of a store other than the default one (store_key) */
};

/* The key of a family over a type part and a tag part (0 where the family has none). */
Key lock_key(KeyFamily family, Key type_part = 0, Key tag_part = 0) noexcept;
/* An unordered pair of tags as one hash: tag_pair(a, b) == tag_pair(b, a). */
Key tag_pair(Key tag_a, Key tag_b) noexcept;
/* A key in the key space of a store: the key itself for the default store (space 0), so its keys are
 * those of 0.1.0, and a key of its own for every other store, so stores never wait for each other. */
Key store_key(Key key, std::uint32_t space) noexcept;
/* Serializes appends that carry the same event id, so an idempotent retry waits for the original. */
Key event_id_key(const std::uint8_t (&uuid)[16]) noexcept;

} // namespace dcb
