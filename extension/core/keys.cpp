/*
 * keys.cpp — the hash behind storage and lock keys.
 *
 * FNV-1a over a domain byte and the string's bytes, finished with MurmurHash3's fmix64 so that
 * nearby inputs spread over all 64 bits. Changing anything here changes the on-disk format of
 * dcb.event_tags and the lock protocol.
 */
#include "core/keys.hpp"

#include "core/pure.hpp"

namespace dcb {
namespace {

constexpr std::uint64_t fnv_offset = 14695981039346656037ULL;
constexpr std::uint64_t fnv_prime = 1099511628211ULL;

constexpr std::uint64_t
fmix64(std::uint64_t k) noexcept
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

std::uint64_t
fnv1a(std::uint64_t h, const unsigned char *p, std::size_t n) noexcept
{
	for (std::size_t i = 0; i < n; i++)
	{
		h ^= p[i];
		h *= fnv_prime;
	}
	return h;
}

Key
hash_string(unsigned char domain, std::string_view s) noexcept
{
	std::uint64_t h = fnv1a(fnv_offset, &domain, 1);
	h = fnv1a(h, reinterpret_cast<const unsigned char *>(s.data()), s.size());
	return fmix64(h ^ s.size());
}

} // namespace

Key
hash_type(std::string_view type) noexcept
{
	return hash_string('T', type);
}

Key
hash_tag(std::string_view tag) noexcept
{
	return hash_string('G', tag);
}

Key
lock_key(KeyFamily family, Key type_part, Key tag_part) noexcept
{
	const std::uint64_t f = static_cast<std::uint64_t>(family);
	return fmix64(fmix64(type_part ^ (f * 0x9e3779b97f4a7c15ULL)) + tag_part * 0xbf58476d1ce4e5b9ULL + f);
}

Key
tag_pair(Key tag_a, Key tag_b) noexcept
{
	return tag_a < tag_b ? lock_key(KeyFamily::TagPair, tag_a, tag_b) : lock_key(KeyFamily::TagPair, tag_b, tag_a);
}

Key
store_key(Key key, std::uint32_t space) noexcept
{
	return space == 0 ? key : lock_key(KeyFamily::Store, key, space);
}

Key
event_id_key(const std::uint8_t (&uuid)[16]) noexcept
{
	return lock_key(KeyFamily::EventId, fmix64(fnv1a(fnv_offset, uuid, sizeof uuid)));
}

} // namespace dcb
