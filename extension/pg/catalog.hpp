/*
 * catalog.hpp — the extension's storage relations: their OIDs (cached per backend) and the column
 * layout the C code writes and reads positionally.
 */
#pragma once

#include "pg/postgres.hpp"

namespace dcb::pg {

struct Catalog
{
	Oid events;
	Oid events_pkey;
	Oid events_type_idx;
	Oid events_id_idx;
	Oid event_tags;
	Oid event_tags_tag_idx;
	Oid events_seq;
};

/* The storage relations of this database's store; errors when the extension's objects are missing
 * or have another layout. */
const Catalog &catalog();

/* Resets the cache on relcache invalidations of those relations (from _PG_init). */
void register_catalog_invalidation();

/* Attribute numbers of dcb.events. */
enum EventAttr
{
	attr_seq = 1,
	attr_type,
	attr_tags,
	attr_data,
	attr_metadata,
	attr_occurred_at,
	attr_id,
	events_natts = attr_id
};

/* Attribute numbers of dcb.event_tags. */
enum EventTagAttr
{
	tag_attr_tag_key = 1,
	tag_attr_seq,
	tag_attr_type_key,
	tag_attr_event_tid,
	event_tags_natts = tag_attr_event_tid
};

} // namespace dcb::pg
