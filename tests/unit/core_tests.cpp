/*
 * core_tests.cpp — doctest unit tests of extension/core: validation rules, matching, key derivation
 * and the lock plan. The property test at the bottom is the invariant the concurrency design rests
 * on: every event that matches an item writes at least one of that item's check keys.
 */
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/filter.hpp"
#include "core/keys.hpp"
#include "core/lock_plan.hpp"

using namespace dcb;
using sv = std::string_view;

namespace {

struct Event
{
	std::string type;
	std::vector<std::string> tags;
	std::vector<sv> views;

	EventView
	view()
	{
		views.assign(tags.begin(), tags.end());
		views.resize(sort_unique_names(views.data(), views.size()));
		return {type, views.data(), views.size()};
	}
};

struct Item
{
	std::vector<sv> types, tags;
	bool payload = false;
	ItemView
	view() const
	{
		return {types.data(), types.size(), tags.data(), tags.size(), payload, 0, 1};
	}
};

std::vector<Key>
write_keys(Event &e)
{
	EventView v = e.view();
	std::vector<Key> keys(event_write_key_count(v.ntags));
	keys.resize(event_write_keys(v, keys.data()));
	return keys;
}

std::vector<Key>
check_keys(const Item &item, bool coarse = false)
{
	std::vector<Key> keys(item_check_key_count(item.view()));
	keys.resize(item_check_keys(item.view(), keys.data(), coarse));
	return keys;
}

} // namespace

TEST_CASE("names: non-empty, at most 255 bytes")
{
	CHECK(check_name("BookID:1") == nullptr);
	CHECK(sv(check_name("")) == "must be a non-empty string");
	CHECK(check_name(std::string(255, 'x')) == nullptr);
	CHECK(sv(check_name(std::string(256, 'x'))) == "must be at most 255 bytes");
}

TEST_CASE("sort_unique_names removes duplicates")
{
	std::vector<sv> v{"b", "a", "b", "c", "a"};
	v.resize(sort_unique_names(v.data(), v.size()));
	CHECK(v == std::vector<sv>{"a", "b", "c"});
}

TEST_CASE("matching: types OR, tags AND")
{
	Event e{"Lent", {"BookID:1", "ReaderID:7"}, {}};
	EventView ev = e.view();
	CHECK(item_matches(Item{{"Lent", "Returned"}, {}}.view(), ev));
	CHECK_FALSE(item_matches(Item{{"Returned"}, {}}.view(), ev));
	CHECK(item_matches(Item{{}, {"ReaderID:7", "BookID:1"}}.view(), ev));
	CHECK_FALSE(item_matches(Item{{}, {"BookID:1", "BookID:2"}}.view(), ev));
	CHECK(item_matches(Item{{"Lent"}, {"BookID:1"}}.view(), ev));
	CHECK_FALSE(item_matches(Item{{"Lent"}, {"BookID:2"}}.view(), ev));
	/* a payload-only item matches on types and tags; the payload is the caller's part */
	CHECK(item_matches(Item{{}, {}, true}.view(), ev));
}

TEST_CASE("hashes are stable (on-disk format)")
{
	/* Changing these values changes the format of dcb.event_tags: never update them casually. */
	CHECK(hash_type("BookCopyLentToReader") == hash_type(std::string("BookCopyLentToReader")));
	CHECK(hash_type("x") != hash_tag("x"));
	CHECK(hash_tag("BookID:1") != hash_tag("BookID:2"));
	CHECK(hash_type("") != hash_tag(""));
	/* golden values: dcb.event_tags rows written by earlier builds must keep matching */
	CHECK(hash_type("BookCopyLentToReader") == 0x7f33aae3d4442831ULL);
	CHECK(hash_tag("BookID:1") == 0xf6260a91bb92b205ULL);
	CHECK(lock_key(KeyFamily::TypeTag, hash_type("A"), hash_tag("g")) == 0x4153a382acf7ac51ULL);
}

TEST_CASE("lock key families do not alias")
{
	const Key t = hash_type("T"), g = hash_tag("g");
	const Key h = hash_tag("h");
	std::set<Key> keys{lock_key(KeyFamily::TypeTag, t, g),
					   lock_key(KeyFamily::AnyTypeTag, 0, g),
					   lock_key(KeyFamily::TypeAnyTag, t),
					   lock_key(KeyFamily::All),
					   lock_key(KeyFamily::Escalated),
					   lock_key(KeyFamily::Positions),
					   lock_key(KeyFamily::TypePair, t, tag_pair(g, h)),
					   lock_key(KeyFamily::AnyTypePair, 0, tag_pair(g, h)),
					   lock_key(KeyFamily::TypeWide, t, g),
					   lock_key(KeyFamily::AnyTypeWide, 0, g)};
	CHECK(keys.size() == 10);
	/* pairs are unordered, and a pair of a tag with itself is not the tag */
	CHECK(lock_key(KeyFamily::TypePair, t, tag_pair(g, h)) == lock_key(KeyFamily::TypePair, t, tag_pair(h, g)));
	CHECK(lock_key(KeyFamily::AnyTypePair, 0, tag_pair(g, h)) == lock_key(KeyFamily::AnyTypePair, 0, tag_pair(h, g)));
	CHECK(lock_key(KeyFamily::AnyTypePair, 0, tag_pair(g, g)) != lock_key(KeyFamily::AnyTypeTag, 0, g));
	/* a tag literally named "*" is just a tag */
	CHECK(lock_key(KeyFamily::AnyTypeTag, 0, hash_tag("*")) != lock_key(KeyFamily::All));
}

TEST_CASE("check keys per probe kind")
{
	CHECK(item_probe(Item{{"A", "B"}, {"g", "h"}}.view()) == Probe::TagType);
	const Key A = hash_type("A"), B = hash_type("B"), g = hash_tag("g"), h = hash_tag("h");
	CHECK(check_keys(Item{{"A", "B"}, {"g"}}) ==
		  std::vector<Key>{lock_key(KeyFamily::TypeTag, A, g), lock_key(KeyFamily::TypeTag, B, g)});
	/* several tags: the pair of the primary and secondary tag, and the primary's wide key */
	CHECK(check_keys(Item{{"A", "B"}, {"g", "h", "i"}}) ==
		  std::vector<Key>{lock_key(KeyFamily::TypePair, A, tag_pair(g, h)), lock_key(KeyFamily::TypeWide, A, g),
						   lock_key(KeyFamily::TypePair, B, tag_pair(g, h)), lock_key(KeyFamily::TypeWide, B, g)});
	CHECK(
		check_keys(Item{{"A", "B"}, {"g", "h"}}, true) ==
		std::vector<Key>{lock_key(KeyFamily::AnyTypePair, 0, tag_pair(g, h)), lock_key(KeyFamily::AnyTypeWide, 0, g)});
	CHECK(check_keys(Item{{}, {"g", "h"}}) == std::vector<Key>{lock_key(KeyFamily::AnyTypePair, 0, tag_pair(g, h)),
															   lock_key(KeyFamily::AnyTypeWide, 0, g)});
	CHECK(check_keys(Item{{}, {"g"}}) == std::vector<Key>{lock_key(KeyFamily::AnyTypeTag, 0, hash_tag("g"))});
	CHECK(check_keys(Item{{"A"}, {}}) == std::vector<Key>{lock_key(KeyFamily::TypeAnyTag, hash_type("A"))});
	CHECK(check_keys(Item{{}, {}, true}) == std::vector<Key>{lock_key(KeyFamily::All)});
	CHECK(item_probe(Item{{}, {}, true}.view()) == Probe::All);
}

TEST_CASE("check keys follow the item's chosen primary and secondary tags")
{
	const Key A = hash_type("A"), g = hash_tag("g"), i = hash_tag("i");
	std::vector<sv> types{"A"}, tags{"g", "h", "i"};
	ItemView item{types.data(), types.size(), tags.data(), tags.size(), false, 2, 0};
	std::vector<Key> keys(item_check_key_count(item));
	keys.resize(item_check_keys(item, keys.data()));
	CHECK(keys ==
		  std::vector<Key>{lock_key(KeyFamily::TypePair, A, tag_pair(i, g)), lock_key(KeyFamily::TypeWide, A, i)});
}

TEST_CASE("time bounds are inclusive and optional")
{
	CHECK(within_bounds(TimeBounds{false, false, 0, 0}, -5));
	CHECK(within_bounds(TimeBounds{true, false, 10, 0}, 10));
	CHECK_FALSE(within_bounds(TimeBounds{true, false, 10, 0}, 9));
	CHECK(within_bounds(TimeBounds{false, true, 0, 20}, 20));
	CHECK_FALSE(within_bounds(TimeBounds{false, true, 0, 20}, 21));
	CHECK(within_bounds(TimeBounds{true, true, 10, 20}, 15));
	CHECK_FALSE(within_bounds(TimeBounds{true, true, 10, 20}, 25));
}

namespace {

int
bits_in(const std::vector<LockRequest> &plan, Key k)
{
	for (auto &r : plan)
		if (r.key == k)
			return int(r.bits);
	return 0;
}

std::vector<LockRequest>
plan_of(const LockPlanInput &in)
{
	std::vector<LockRequest> plan(lock_plan_capacity(in));
	plan.resize(build_lock_plan(in, plan.data()));
	return plan;
}

/* The distinct keys of a list through a KeySet with the given limit. */
std::vector<Key>
distinct(const std::vector<Key> &keys, std::size_t limit, bool *overflowed)
{
	std::vector<Key> slots(key_set_slots(limit));
	KeySet set = key_set_init(slots.data(), limit);
	for (Key k : keys)
		key_set_add(set, k);
	*overflowed = set.overflowed;
	std::vector<Key> out(set.count);
	out.resize(key_set_sorted(set, out.data()));
	return out;
}

} // namespace

TEST_CASE("key sets: distinct keys in bounded memory, overflow past the limit")
{
	bool over = true;
	CHECK(distinct({5, 3, 5, 0, 9, 0, 3}, 4, &over) == std::vector<Key>{0, 3, 5, 9});
	CHECK_FALSE(over);
	CHECK(distinct({1, 2, 3, 4, 5}, 4, &over).size() == 5);
	CHECK(over);
	/* a million keys, few distinct: the set stays at its size */
	std::vector<Key> many;
	for (int i = 0; i < 1000000; i++)
		many.push_back(hash_tag(std::to_string(i % 100)));
	CHECK(distinct(many, 100, &over).size() == 100);
	CHECK_FALSE(over);
	CHECK(key_set_slots(100) == 256);
	/* past the limit it stops counting: the writer escalates */
	std::vector<Key> unique_keys;
	for (int i = 0; i < 100000; i++)
		unique_keys.push_back(hash_tag(std::to_string(i)));
	distinct(unique_keys, 64, &over);
	CHECK(over);
}

TEST_CASE("escalation and the check-key allowance share one budget")
{
	std::vector<Key> slots(key_set_slots(10));
	KeySet set = key_set_init(slots.data(), 10);
	for (Key k = 1; k <= 8; k++)
		key_set_add(set, k);
	CHECK_FALSE(writes_escalate(set, 2, 10)); /* 8 write keys and 2 ids fit a budget of 10 */
	CHECK(writes_escalate(set, 3, 10));
	CHECK(check_key_allowance(10, 10) == 0); /* the condition falls back to (*,*) */
	CHECK(check_key_allowance(10, 4) == 6);
	CHECK(check_key_allowance(3, 1) == 2);
	for (Key k = 9; k <= 20; k++)
		key_set_add(set, k);
	CHECK(set.overflowed);
	CHECK(writes_escalate(set, 0, 1000));
}

TEST_CASE("lock plan: sorted, one entry per key with every role's bits")
{
	Key w[] = {3, 5, 9};
	Key c[] = {1, 9};
	auto out = plan_of({w, 3, nullptr, 0, false, c, 2, false});
	REQUIRE(out.size() == 4);
	CHECK(std::is_sorted(out.begin(), out.end(), [](auto &a, auto &b) { return a.key < b.key; }));
	CHECK(bits_in(out, 1) == lock_check);
	CHECK(bits_in(out, 3) == lock_write);
	CHECK(bits_in(out, 5) == lock_write);
	CHECK(bits_in(out, 9) == (lock_check | lock_write));
	CHECK(bits_in(out, lock_key(KeyFamily::Escalated)) == 0);

	SUBCASE("an escalated writer writes the escalated key instead of its keys and ids")
	{
		Key ids[] = {7, 8};
		auto plan = plan_of({w, 3, ids, 2, true, nullptr, 0, false});
		REQUIRE(plan.size() == 1);
		CHECK(plan[0].key == lock_key(KeyFamily::Escalated));
		CHECK(plan[0].bits == lock_write);
	}
	SUBCASE("ids are exclusive keys")
	{
		Key w2[] = {7};
		Key ids[] = {42};
		auto plan = plan_of({w2, 1, ids, 1, false, nullptr, 0, false});
		CHECK(plan.size() == 2);
		CHECK(bits_in(plan, 7) == lock_write);
		CHECK(bits_in(plan, 42) == lock_id);
	}
	SUBCASE("a condition on everything checks (*,*)")
	{
		auto plan = plan_of({nullptr, 0, nullptr, 0, false, nullptr, 0, true});
		CHECK(plan.size() == 1);
		CHECK(bits_in(plan, lock_key(KeyFamily::All)) == lock_check);
	}
}

TEST_CASE("condition check keys: fine, then per tag, then everything")
{
	std::vector<std::string> tag_names, type_names{"A", "B", "C"};
	for (int i = 0; i < 40; i++)
		tag_names.push_back("slot:" + std::to_string(i));
	std::vector<std::vector<sv>> tag_lists;
	for (auto &t : tag_names)
		tag_lists.push_back({t});
	std::vector<sv> types(type_names.begin(), type_names.end());
	std::vector<ItemView> items;
	for (auto &tl : tag_lists)
		items.push_back({types.data(), types.size(), tl.data(), tl.size(), false});
	std::vector<Key> out(items.size() * types.size());
	bool all = true;

	CHECK(condition_check_keys(items.data(), items.size(), 120, out.data(), &all) == 120);
	CHECK_FALSE(all);
	CHECK(std::binary_search(out.begin(), out.begin() + 120,
							 lock_key(KeyFamily::TypeTag, hash_type("B"), hash_tag("slot:7"))));

	CHECK(condition_check_keys(items.data(), items.size(), 100, out.data(), &all) == 40);
	CHECK_FALSE(all);
	CHECK(std::binary_search(out.begin(), out.begin() + 40, lock_key(KeyFamily::AnyTypeTag, 0, hash_tag("slot:7"))));

	CHECK(condition_check_keys(items.data(), items.size(), 10, out.data(), &all) == 0);
	CHECK(all);

	ItemView payload_only{nullptr, 0, nullptr, 0, true};
	CHECK(condition_check_keys(&payload_only, 1, 100, out.data(), &all) == 0);
	CHECK(all);
}

/*
 * The property: over many random items and events, whenever an event matches an item (types and
 * tags; payload items may match any event), the event's write keys and the item's check keys
 * intersect. Small universes make matches frequent.
 */
TEST_CASE("property: every matching event writes one of the item's check keys (fine and coarse)")
{
	std::mt19937_64 rng(20261127);
	const std::vector<std::string> types{"A", "B", "C", "D", "*", ""};
	const std::vector<std::string> tags{"t:1", "t:2", "t:3", "u:1", "u:2", "*"};
	auto pick = [&](const std::vector<std::string> &from, std::size_t max) {
		std::vector<sv> out;
		std::size_t n = rng() % (max + 1);
		for (std::size_t i = 0; i < n; i++)
			out.push_back(from[rng() % from.size()]);
		return out;
	};
	std::size_t matches = 0;
	for (int round = 0; round < 200000; round++)
	{
		Item item{pick(types, 3), pick(tags, 3), rng() % 4 == 0};
		if (item.types.empty() && item.tags.empty())
			item.payload = true;
		Event e{std::string(types[rng() % types.size()]), {}, {}};
		for (sv t : pick(tags, 4))
			e.tags.emplace_back(t);
		std::vector<Key> w = write_keys(e);
		if (!item_matches(item.view(), e.view()))
			continue;
		matches++;
		for (bool coarse : {false, true})
		{
			std::vector<Key> c = check_keys(item, coarse);
			bool meet =
				std::any_of(c.begin(), c.end(), [&](Key k) { return std::find(w.begin(), w.end(), k) != w.end(); });
			if (!meet)
				FAIL("matching event does not write any check key of the item (coarse: " << coarse << ")");
		}
	}
	CHECK(matches > 10000);
}

TEST_CASE("property: the lock plan keeps every requested key with at least its mode")
{
	std::mt19937_64 rng(7);
	for (int round = 0; round < 2000; round++)
	{
		std::vector<Key> w(rng() % 40), c(rng() % 40);
		for (auto &k : w)
			k = 1 + rng() % 50;
		for (auto &k : c)
			k = 1 + rng() % 50;
		bool over;
		std::vector<Key> wd = distinct(w, 30, &over), cd = distinct(c, 100, &over);
		std::vector<Key> slots(key_set_slots(30));
		KeySet set = key_set_init(slots.data(), 30);
		for (Key k : w)
			key_set_add(set, k);
		const bool escalated = writes_escalate(set, 0, 30);
		auto plan = plan_of({wd.data(), wd.size(), nullptr, 0, escalated, cd.data(), cd.size(), false});
		REQUIRE(std::is_sorted(plan.begin(), plan.end(), [](auto &a, auto &b) { return a.key < b.key; }));
		if (escalated)
			CHECK(bits_in(plan, lock_key(KeyFamily::Escalated)) == lock_write);
		else
			for (Key k : w)
				CHECK((bits_in(plan, k) & lock_write) != 0);
		for (Key k : c)
			CHECK((bits_in(plan, k) & lock_check) != 0);
	}
}

/*
 * The other direction (G3): an event that lacks what an item's keys stand for -- one of its types,
 * its primary tag, and for items with several tags its secondary tag -- writes none of the item's
 * check keys (hash collisions aside), unless it carries more than pair_tag_limit tags and the
 * primary one (the wide keys). So two decisions that share only one tag of a multi-tag item do not
 * wait for each other.
 */
TEST_CASE("property: events outside an item's key projection write none of its check keys")
{
	std::mt19937_64 rng(42);
	const std::vector<std::string> types{"A", "B", "C"};
	const std::vector<std::string> tags{"t:1", "t:2", "t:3", "u:1", "u:2", "v:1"};
	auto pick = [&](const std::vector<std::string> &from, std::size_t min, std::size_t max) {
		std::vector<sv> out;
		std::size_t n = min + rng() % (max - min + 1);
		for (std::size_t i = 0; i < n; i++)
			out.push_back(from[rng() % from.size()]);
		std::sort(out.begin(), out.end());
		out.erase(std::unique(out.begin(), out.end()), out.end());
		std::shuffle(out.begin(), out.end(), rng); /* the primary and secondary tags are the first two */
		return out;
	};
	std::size_t outside = 0, multi_tag = 0, wide = 0;
	for (int round = 0; round < 200000; round++)
	{
		Item item{pick(types, 0, 2), pick(tags, 1, 3)};
		Event e{std::string(types[rng() % types.size()]), {}, {}};
		for (sv t : pick(tags, 0, 5))
			e.tags.emplace_back(t);
		EventView v = e.view();
		auto carries = [&](sv t) { return std::binary_search(v.tags, v.tags + v.ntags, t); };
		const bool type_ok =
			item.types.empty() || std::find(item.types.begin(), item.types.end(), sv(e.type)) != item.types.end();
		const bool projected = type_ok && carries(item.tags[0]) && (item.tags.size() < 2 || carries(item.tags[1]));
		if (projected)
			continue;
		std::vector<Key> w = write_keys(e), c = check_keys(item);
		const bool meet =
			std::any_of(c.begin(), c.end(), [&](Key k) { return std::find(w.begin(), w.end(), k) != w.end(); });
		const bool wide_meet = type_ok && item.tags.size() >= 2 && v.ntags > pair_tag_limit && carries(item.tags[0]);
		outside++;
		multi_tag += item.tags.size() >= 2 && carries(item.tags[0]);
		wide += wide_meet;
		if (meet != wide_meet)
			FAIL("event " << e.type << " with " << v.ntags << " tags: meets " << meet << ", expected " << wide_meet);
	}
	CHECK(outside > 50000);
	CHECK(multi_tag > 10000);
	CHECK(wide > 1000);
}
