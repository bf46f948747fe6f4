/*
 * keys.hpp — stable 64-bit keys for types, tags and lock families.
 *
 * Two uses, one hash:
 *   - storage keys: dcb.event_tags stores hash_type(type) and hash_tag(tag), so the algorithm below is
 *     part of the on-disk format and must never change within a major version;
 *   - lock keys: an append locks the keys its events write and the keys its filter checks (see
 *     filter.hpp for which keys those are).
 *
 * A collision between two distinct strings only costs time: every candidate found through a key is
 * re-checked against the event row, and two unrelated appends that collide merely serialize.
 *
 * Pure C++: no PostgreSQL headers here (unit tested without a server).
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
 * Lock key families. An event of type T with tags g1..gn writes (T,gi), (*,gi), (T,*) and (*,*),
 * and the pair or wide keys below.
 * "*" is a separate family, not the string "*", so a tag literally named "*" cannot alias it.
 */
Key lock_key_type_tag(Key type_hash, Key tag_hash) noexcept;
Key lock_key_any_type_tag(Key tag_hash) noexcept;
Key lock_key_type_any_tag(Key type_hash) noexcept;
Key lock_key_all() noexcept;
/*
 * Pair keys: an event with at most pair_tag_limit tags (filter.hpp) also writes (T,{gi,gj}) and
 * (*,{gi,gj}) for every two of its tags, so that an item with several tags can check the pair of
 * two of them instead of one tag. The pair is unordered. An event with more tags writes the "wide"
 * keys (T,gi,+) and (*,gi,+) per tag instead, which every pair checker of gi also checks.
 */
Key lock_key_type_pair(Key type_hash, Key tag_a, Key tag_b) noexcept;
Key lock_key_any_type_pair(Key tag_a, Key tag_b) noexcept;
Key lock_key_type_wide(Key type_hash, Key tag_hash) noexcept;
Key lock_key_any_type_wide(Key tag_hash) noexcept;
/*
 * Escalation (see build_lock_plan): an escalated writer holds lock_key_escalated() to the end of its
 * transaction, so that readers can tell that one is in flight, and holds lock_key_positions() only
 * while it takes positions and inserts a chunk of events; checkers hold lock_key_positions() from
 * their condition check to the end of their insert.
 */
Key lock_key_escalated() noexcept;
Key lock_key_positions() noexcept;
/* Serializes appends that carry the same event id, so an idempotent retry waits for the original. */
Key lock_key_event_id(const std::uint8_t (&uuid)[16]) noexcept;

} // namespace dcb
