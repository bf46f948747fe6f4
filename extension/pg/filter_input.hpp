/*
 * filter_input.hpp — a filter argument: parsed and validated from jsonb, then prepared for the lock
 * plan and the scan by choosing each item's primary and secondary tags.
 */
#pragma once

#include "core/filter.hpp"
#include "pg/catalog.hpp"
#include "pg/postgres.hpp"

namespace dcb::pg {

/* A filter item; its strings point into the argument datum. */
struct Item
{
	ItemView view;
	JsonbContainer *payload; /* nullptr when the item has no payload predicate */
};
DCB_PG_FRAME_TYPE(Item);

/* A filter. No items means "every event" (a NULL filter or one without "items"). */
struct Filter
{
	const Item *items;
	int nitems;
	TimeBounds bounds;
};
DCB_PG_FRAME_TYPE(Filter);

/* The filter matching every event. */
Filter match_all_filter();

/* Validates a filter argument; errors name the JSON path (json_input.hpp). */
Filter parse_filter(Jsonb *filter);

/*
 * The parsed filter with each item's primary and secondary tags chosen: its two rarest (counting up
 * to a small sample of the store's tag index entries). Any tags of an item are correct; the rarest make the
 * index probe cheapest and the checked tag pair least often shared with other decisions. Returns a
 * new filter; items with fewer than two tags are copied as they are.
 */
Filter prepare_filter(const Store &store, const Filter &parsed);

} // namespace dcb::pg
