/*
 * keys.cpp — the hash behind storage and lock keys.
 *
 * FNV-1a over a domain byte and the string's bytes, finished with MurmurHash3's fmix64 so that
 * nearby inputs spread over all 64 bits. Changing anything here changes the on-disk format of
 * dcb.event_tags.
 */
#include "core/keys.hpp"

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

/* Combine a family tag with up to two hashes; the family keeps (T,*) and (*,g) apart. */
constexpr Key
combine(std::uint64_t family, Key a, Key b) noexcept
{
	return fmix64(fmix64(a ^ (family * 0x9e3779b97f4a7c15ULL)) + b * 0xbf58476d1ce4e5b9ULL + family);
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
lock_key_type_tag(Key type_hash, Key tag_hash) noexcept
{
	return combine(1, type_hash, tag_hash);
}

Key
lock_key_any_type_tag(Key tag_hash) noexcept
{
	return combine(2, 0, tag_hash);
}

Key
lock_key_type_any_tag(Key type_hash) noexcept
{
	return combine(3, type_hash, 0);
}

Key
lock_key_all() noexcept
{
	return combine(4, 0, 0);
}

Key
lock_key_escalated() noexcept
{
	return combine(5, 0, 0);
}

Key
lock_key_positions() noexcept
{
	return combine(7, 0, 0);
}

/* An unordered pair of tag hashes, as one hash. */
static Key
tag_pair(Key a, Key b) noexcept
{
	return a < b ? combine(8, a, b) : combine(8, b, a);
}

Key
lock_key_type_pair(Key type_hash, Key tag_a, Key tag_b) noexcept
{
	return combine(9, type_hash, tag_pair(tag_a, tag_b));
}

Key
lock_key_any_type_pair(Key tag_a, Key tag_b) noexcept
{
	return combine(10, 0, tag_pair(tag_a, tag_b));
}

Key
lock_key_type_wide(Key type_hash, Key tag_hash) noexcept
{
	return combine(11, type_hash, tag_hash);
}

Key
lock_key_any_type_wide(Key tag_hash) noexcept
{
	return combine(12, 0, tag_hash);
}

Key
lock_key_event_id(const std::uint8_t (&uuid)[16]) noexcept
{
	std::uint64_t h = fnv1a(fnv_offset, uuid, sizeof uuid);
	return combine(6, fmix64(h), 0);
}

} // namespace dcb
