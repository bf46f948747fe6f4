// gen.cpp — seeded random traffic (see gen.hpp).
#include "gen.hpp"

#include <algorithm>

namespace dcbc {

bool chance(Rng &rng, double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }

int pick(Rng &rng, int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }

int64_t max_seq(const std::vector<int64_t> &ascending_seqs) {
	return ascending_seqs.empty() ? 0 : ascending_seqs.back();
}

std::vector<std::string> random_subset(Rng &rng, const std::vector<std::string> &from, int max_n) {
	std::vector<std::string> out;
	int n = pick(rng, max_n + 1);
	for (int i = 0; i < n; ++i) {
		const std::string &v = from[pick(rng, static_cast<int>(from.size()))];
		if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
	}
	return out;
}

Item random_item(Rng &rng, const Universe &u) {
	for (;;) {
		Item it;
		it.types = random_subset(rng, u.types, 2);
		it.tags = random_subset(rng, u.tags, 2);
		if (chance(rng, 0.12)) it.payload["k"] = chance(rng, 0.5) ? "x" : "y";
		if (!it.types.empty() || !it.tags.empty() || !it.payload.empty()) return it;
	}
}

OptFilter random_filter(Rng &rng, const Universe &u) {
	double r = std::uniform_real_distribution<double>(0, 1)(rng);
	if (r < 0.15) return std::nullopt;
	if (r < 0.19) return Filter{};
	Filter f;
	int n = chance(rng, 0.35) ? 2 : 1;
	for (int i = 0; i < n; ++i) f.items.push_back(random_item(rng, u));
	return f;
}

std::vector<EventSpec> random_batch(Rng &rng, const Universe &u, int max_n) {
	int n = chance(rng, 0.6) ? 1 : 2 + pick(rng, max_n - 1);
	std::vector<EventSpec> evs;
	for (int i = 0; i < n; ++i)
		evs.push_back({u.types[pick(rng, static_cast<int>(u.types.size()))], random_subset(rng, u.tags, 3),
		               {{"k", chance(rng, 0.5) ? "x" : "y"}}});
	return evs;
}

}  // namespace dcbc
