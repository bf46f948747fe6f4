// gen.hpp — seeded random traffic over a small universe of types and tags, shared by the scenarios and
// the crash test: filters that overlap often (so conditions conflict), batches of a few events.
#pragma once

#include "model.hpp"

#include <random>
#include <string>
#include <vector>

namespace dcbc {

using Rng = std::mt19937_64;

bool chance(Rng &rng, double p);
int pick(Rng &rng, int n);  // uniform in [0, n)
int64_t max_seq(const std::vector<int64_t> &ascending_seqs);  // 0 for none

struct Universe {
	std::vector<std::string> types;
	std::vector<std::string> tags;
};

// Up to max_n distinct values drawn from `from` (possibly none).
std::vector<std::string> random_subset(Rng &rng, const std::vector<std::string> &from, int max_n);
// An item of up to 2 types, up to 2 tags and now and then a payload {"k": "x"|"y"}; never empty.
Item random_item(Rng &rng, const Universe &u);
// NULL (unconditional) 15%, {} (conflicts with everything) 4%, else 1 or 2 random items.
OptFilter random_filter(Rng &rng, const Universe &u);
// 1 event (60%) or 2..max_n, each of a random type, up to 3 tags and data {"k": "x"|"y"}.
std::vector<EventSpec> random_batch(Rng &rng, const Universe &u, int max_n);

}  // namespace dcbc
