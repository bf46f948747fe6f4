/*
 * filter_input.cpp — see filter_input.hpp.
 */
#include "pg/filter_input.hpp"

#include "core/keys.hpp"
#include "pg/json_input.hpp"
#include "pg/settings.hpp"

namespace dcb::pg {
namespace {

/*
 * Payload predicates are matched with jsonb containment, which recurses once per level of the
 * predicate: nested deeper than this, a match could exhaust max_stack_depth, so such a predicate is
 * refused up front (54000) instead of failing later with "stack depth limit exceeded".
 */
constexpr int max_payload_depth = 1000;

int
nesting_depth(JsonbContainer *container)
{
	JsonbIterator *it = JsonbIteratorInit(container);
	JsonbValue v;
	JsonbIteratorToken tok;
	int depth = 0, deepest = 0;
	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		if (tok == WJB_BEGIN_ARRAY || tok == WJB_BEGIN_OBJECT)
			deepest = std::max(deepest, ++depth);
		else if (tok == WJB_END_ARRAY || tok == WJB_END_OBJECT)
			depth--;
	}
	return deepest;
}

/* An item; an empty list of types or tags is the same as none ("any"), as other DCB clients send. */
Item
parse_item(const JsonbValue &v, const char *path)
{
	if (!is_object(v))
		bad_input(path, "must be a JSON object");
	Item item{};
	for_each_pair(v.val.binary.data, [&](std::string_view key, const JsonbValue &val) {
		if (key == "types")
			item.view.types = parse_names(val, field_path(path, "types"), true, max_filter_items,
										  "dcb.max_filter_items", &item.view.ntypes);
		else if (key == "tags")
			item.view.tags = parse_names(val, field_path(path, "tags"), true, max_filter_items, "dcb.max_filter_items",
										 &item.view.ntags);
		else if (key == "payload")
		{
			if (!is_object(val) || JsonContainerSize(val.val.binary.data) == 0)
				bad_input(field_path(path, "payload"), "must be a non-empty JSON object");
			if (nesting_depth(val.val.binary.data) > max_payload_depth)
				ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
								errmsg("%s is nested more than %d levels deep", field_path(path, "payload"),
									   max_payload_depth),
								errhint("A payload predicate is matched level by level; the limit is fixed.")));
			item.payload = val.val.binary.data;
		}
		else
			bad_input(field_path(path, key), "is not a valid filter item key",
					  "A filter item has the keys types, tags and payload.");
	});
	item.view.has_payload = item.payload != nullptr;
	item.view.primary = 0;
	item.view.secondary = 1;
	if (item.view.ntypes == 0 && item.view.ntags == 0 && item.payload == nullptr)
		bad_input(path, "must have at least one of types, tags or payload",
				  "An empty list of types or tags means \"any\"; an item needs at least one non-empty part.");
	return item;
}

/* Scans of a store's tag indexes (the slot indexes and event_tags'), for counting entries. */
struct TagCounter
{
	Relation heaps[max_tag_slots + 1];
	Relation indexes[max_tag_slots + 1];
	IndexScanDesc scans[max_tag_slots + 1];
	int n;
};
DCB_PG_FRAME_TYPE(TagCounter);

void
tag_counter_open(TagCounter *c, const Store &store)
{
	c->n = store.ntag_slots + 1;
	for (int i = 0; i < c->n; i++)
	{
		c->heaps[i] = table_open(tag_index_table(store, i), AccessShareLock);
		c->indexes[i] = index_open(tag_index(store, i), AccessShareLock);
		/* an estimate: dead and in-flight entries count too, which is fine for choosing */
		c->scans[i] = index_beginscan(c->heaps[i], c->indexes[i], SnapshotAny, 1, 0);
	}
}

void
tag_counter_close(TagCounter *c)
{
	for (int i = 0; i < c->n; i++)
	{
		index_endscan(c->scans[i]);
		index_close(c->indexes[i], AccessShareLock);
		table_close(c->heaps[i], AccessShareLock);
	}
}

/* How many entries the tag indexes hold for a tag, counting at most limit. */
int
count_tag_entries(const TagCounter *c, std::string_view tag, int limit)
{
	ScanKeyData key;
	ScanKeyInit(&key, tag_idx_tag_key, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum(static_cast<int64>(hash_tag(tag))));
	int n = 0;
	for (int i = 0; i < c->n; i++)
	{
		index_rescan(c->scans[i], &key, 1, nullptr, 0);
		while (n < limit && index_getnext_tid(c->scans[i], ForwardScanDirection) != nullptr)
			n++;
	}
	return n;
}

/* Sets the item's primary and secondary tags to its two rarest. */
void
choose_rarest_tags(const TagCounter *counter, ItemView *view)
{
	constexpr int sample = 64;
	size_t best = 0, second = 1;
	int best_count = -1, second_count = -1; /* -1: not counted yet */
	for (size_t t = 0; t < view->ntags && second_count != 0; t++)
	{
		/* counting up to the second-best count tells whether this tag is among the two rarest */
		int n = count_tag_entries(counter, view->tags[t], second_count < 0 ? sample : second_count);
		if (best_count < 0 || n < best_count)
		{
			second = best, second_count = best_count;
			best = t, best_count = n;
		}
		else if (second_count < 0 || n < second_count)
			second = t, second_count = n;
	}
	view->primary = best;
	view->secondary = second;
}

} // namespace

Filter
match_all_filter()
{
	return Filter{};
}

Filter
parse_filter(Jsonb *filter)
{
	Filter out{};
	if (!JB_ROOT_IS_OBJECT(filter))
		bad_input("filter", "must be a JSON object");
	for_each_pair(&filter->root, [&](std::string_view key, const JsonbValue &val) {
		if (key == "items")
		{
			if (!is_array(val) || JsonContainerSize(val.val.binary.data) == 0)
				bad_input("filter.items", "must be a non-empty array",
						  "Omit \"items\" (or pass NULL) to match every event.");
			int n = JsonContainerSize(val.val.binary.data);
			if (n > max_filter_items)
				too_many("filter.items", n, "dcb.max_filter_items", max_filter_items);
			Item *items = static_cast<Item *>(palloc(sizeof(Item) * n));
			for_each_elem(val.val.binary.data,
						  [&](int i, const JsonbValue &e) { items[i] = parse_item(e, elem_path("filter.items", i)); });
			out.items = items;
			out.nitems = n;
		}
		else if (key == "occurred_from")
		{
			out.bounds.from = parse_timestamp(val, "filter.occurred_from");
			out.bounds.has_from = true;
		}
		else if (key == "occurred_until")
		{
			out.bounds.until = parse_timestamp(val, "filter.occurred_until");
			out.bounds.has_until = true;
		}
		else
			bad_input(field_path("filter", key), "is not a valid filter key",
					  "A filter has the keys items, occurred_from and occurred_until.");
	});
	return out;
}

Filter
prepare_filter(const Store &store, const Filter &parsed)
{
	bool multi = false;
	for (int i = 0; i < parsed.nitems && !multi; i++)
		multi = parsed.items[i].view.ntags > 1;
	if (!multi)
		return parsed;

	Item *items = static_cast<Item *>(palloc(sizeof(Item) * parsed.nitems));
	TagCounter counter;
	tag_counter_open(&counter, store);
	for (int i = 0; i < parsed.nitems; i++)
	{
		items[i] = parsed.items[i];
		if (items[i].view.ntags > 1)
			choose_rarest_tags(&counter, &items[i].view);
	}
	tag_counter_close(&counter);

	Filter prepared = parsed;
	prepared.items = items;
	return prepared;
}

} // namespace dcb::pg
