// random.hpp — a per-thread random generator (UUIDs, trace ids, backoff jitter). Not cryptographic.
#pragma once

#include <cstdint>
#include <random>

namespace dcb::detail {

inline std::mt19937_64& rng() {
	thread_local std::mt19937_64 gen([] {
		std::random_device rd;
		std::seed_seq seq{rd(), rd(), rd(), rd()};
		return std::mt19937_64(seq);
	}());
	return gen;
}

inline double random01() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng()); }

}  // namespace dcb::detail
