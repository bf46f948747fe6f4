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

using namespace dcb;
using sv = std::string_view;

namespace {

struct Event
{
	std::string type;
	std::vector<std::string> tags;
	std::vector<sv> views;

	EventView view()
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
	ItemView view() const { return {types.data(), types.size(), tags.data(), tags.size(), payload}; }
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
check_keys(const Item &item)
{
	std::vector<Key> keys(item_check_key_count(item.view()));
	keys.resize(item_check_keys(item.view(), keys.data()));
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
	CHECK(lock_key_type_tag(hash_type("A"), hash_tag("g")) == 0x4153a382acf7ac51ULL);
}

TEST_CASE("lock key families do not alias")
{
	const Key t = hash_type("T"), g = hash_tag("g");
	std::set<Key> keys{lock_key_type_tag(t, g), lock_key_any_type_tag(g), lock_key_type_any_tag(t), lock_key_all(),
					   lock_key_escalation()};
	CHECK(keys.size() == 5);
	/* a tag literally named "*" is just a tag */
	CHECK(lock_key_any_type_tag(hash_tag("*")) != lock_key_all());
}

TEST_CASE("check keys per probe kind")
{
	CHECK(item_probe(Item{{"A", "B"}, {"g", "h"}}.view()) == Probe::TagType);
	CHECK(check_keys(Item{{"A", "B"}, {"g", "h"}}) ==
		  std::vector<Key>{lock_key_type_tag(hash_type("A"), hash_tag("g")),
						   lock_key_type_tag(hash_type("B"), hash_tag("g"))});
	CHECK(check_keys(Item{{}, {"g"}}) == std::vector<Key>{lock_key_any_type_tag(hash_tag("g"))});
	CHECK(check_keys(Item{{"A"}, {}}) == std::vector<Key>{lock_key_type_any_tag(hash_type("A"))});
	CHECK(check_keys(Item{{}, {}, true}) == std::vector<Key>{lock_key_all()});
	CHECK(item_probe(Item{{}, {}, true}.view()) == Probe::All);
}

TEST_CASE("lock plan: sorted, merged modes, escalation")
{
	Key w[] = {5, 3, 5, 9};
	Key c[] = {9, 1, 1};
	LockPlanInput in{w, 4, nullptr, 0, c, 3, false, 64};
	std::vector<LockRequest> out(lock_plan_capacity(in));
	bool escalated = true;
	out.resize(build_lock_plan(in, out.data(), &escalated));
	CHECK_FALSE(escalated);
	REQUIRE(out.size() == 5);
	CHECK(std::is_sorted(out.begin(), out.end(), [](auto &a, auto &b) { return a.key < b.key; }));
	auto bits = [&](Key k) {
		for (auto &r : out)
			if (r.key == k)
				return int(r.bits);
		return -1;
	};
	CHECK(bits(1) == lock_check);
	CHECK(bits(3) == lock_write);
	CHECK(bits(5) == lock_write);
	CHECK(bits(9) == (lock_check | lock_write));
	CHECK(bits(lock_key_escalation()) == lock_escalation_check);

	SUBCASE("a writer over the cap takes one exclusive escalation key")
	{
		std::vector<Key> many(100);
		for (std::size_t i = 0; i < many.size(); i++)
			many[i] = 1000 + i;
		LockPlanInput big{many.data(), many.size(), nullptr, 0, nullptr, 0, false, 64};
		std::vector<LockRequest> plan(lock_plan_capacity(big));
		plan.resize(build_lock_plan(big, plan.data(), &escalated));
		CHECK(escalated);
		REQUIRE(plan.size() == 1);
		CHECK(plan[0].key == lock_key_escalation());
		CHECK(plan[0].bits == lock_exclusive);
	}
	SUBCASE("a checker over the cap checks (*,*)")
	{
		std::vector<Key> many(100);
		for (std::size_t i = 0; i < many.size(); i++)
			many[i] = 1000 + i;
		LockPlanInput big{nullptr, 0, nullptr, 0, many.data(), many.size(), false, 64};
		std::vector<LockRequest> plan(lock_plan_capacity(big));
		plan.resize(build_lock_plan(big, plan.data(), &escalated));
		CHECK_FALSE(escalated);
		CHECK(plan.size() == 2);
		CHECK(std::any_of(plan.begin(), plan.end(), [](auto &r) { return r.key == lock_key_all(); }));
	}
	SUBCASE("an unconditional writer without ids does not touch the escalation key")
	{
		Key w2[] = {7};
		LockPlanInput only{w2, 1, nullptr, 0, nullptr, 0, false, 64};
		std::vector<LockRequest> plan(lock_plan_capacity(only));
		plan.resize(build_lock_plan(only, plan.data(), &escalated));
		CHECK(plan.size() == 1);
		CHECK(plan[0].bits == lock_write);
	}
}

TEST_CASE("uuid parsing accepts uuid_in's forms")
{
	std::uint8_t u[16];
	REQUIRE(parse_uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", u));
	CHECK(u[0] == 0xa0);
	CHECK(u[15] == 0x11);
	CHECK(parse_uuid("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", u));
	CHECK(parse_uuid("{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}", u));
	CHECK(parse_uuid("a0eebc999c0b4ef8bb6d6bb9bd380a11", u));
	CHECK(parse_uuid("a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", u));
	CHECK_FALSE(parse_uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", u));
	CHECK_FALSE(parse_uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111", u));
	CHECK_FALSE(parse_uuid("a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11", u));
	CHECK_FALSE(parse_uuid("g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", u));
	CHECK_FALSE(parse_uuid("", u));
}

/*
 * The property: over many random items and events, whenever an event matches an item (types and
 * tags; payload items may match any event), the event's write keys and the item's check keys
 * intersect. Small universes make matches frequent.
 */
TEST_CASE("property: every matching event writes one of the item's check keys")
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
		std::vector<Key> c = check_keys(item);
		bool meet = std::any_of(c.begin(), c.end(), [&](Key k) { return std::find(w.begin(), w.end(), k) != w.end(); });
		if (!meet)
			FAIL("matching event does not write any check key of the item");
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
			k = rng() % 50;
		for (auto &k : c)
			k = rng() % 50;
		std::vector<Key> w0 = w, c0 = c;
		LockPlanInput in{w.data(), w.size(), nullptr, 0, c.data(), c.size(), false, 30};
		std::vector<LockRequest> plan(lock_plan_capacity(in));
		bool escalated = false;
		plan.resize(build_lock_plan(in, plan.data(), &escalated));
		REQUIRE(std::is_sorted(plan.begin(), plan.end(), [](auto &a, auto &b) { return a.key < b.key; }));
		auto bits_of = [&](Key k) {
			for (auto &r : plan)
				if (r.key == k)
					return int(r.bits);
			return 0;
		};
		if (escalated)
			CHECK((bits_of(lock_key_escalation()) & lock_exclusive) != 0);
		else
			for (Key k : w0)
				CHECK((bits_of(k) & lock_write) != 0);
		std::set<Key> distinct_checks(c0.begin(), c0.end());
		if (distinct_checks.size() > 30)
			CHECK((bits_of(lock_key_all()) & lock_check) != 0);
		else
			for (Key k : c0)
				CHECK((bits_of(k) & lock_check) != 0);
	}
}
