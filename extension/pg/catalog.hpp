/*
 * catalog.hpp — the stores of this database and their storage relations: OIDs (cached per backend)
 * and the column layout the C code writes and reads positionally.
 *
 * A store is an independent log in a schema of its own: the default store in "dcb" (what callers
 * that name no store use, as in 0.1.0), store <name> in "dcb_<name>" (dcb_create_store()).
 */
#pragma once

#include "pg/postgres.hpp"

namespace dcb::pg {

/* How many of an event's tags the event row's indexes cover (0.2.0 storage). */
constexpr int max_tag_slots = 2;

struct Store
{
	NameData name; /* "default" or the name given to dcb_create_store() */
	Oid schema;
	/* Mixed into the store's lock keys (0 for the default store, whose keys are those of 0.1.0), so
	 * that appends and reads in different stores never wait for each other. */
	uint32 key_space;
	Oid events;
	Oid events_pkey;
	Oid events_type_idx;
	Oid events_id_idx;
	Oid event_tags;
	Oid event_tags_tag_idx;
	Oid events_seq;
	/* The indexes of the tags kept in the event row (<store>.events_tag1_idx, events_tag2_idx): an
	 * event's first ntag_slots tags are indexed there, only its further tags have event_tags rows.
	 * 0 for a default store still at 0.1.0 (every tag in event_tags) until ALTER EXTENSION UPDATE. */
	Oid tag_slot_idx[max_tag_slots];
	int ntag_slots;
};
DCB_PG_FRAME_TYPE(Store);

/* The store a function argument names (nullptr or "default": the default store). Errors (42704)
 * when there is no such store, or when the store's objects are missing or have another layout. */
Store find_store(const char *name);

/* A store's tag indexes, numbered 0 .. ntag_slots: its slot indexes, then event_tags_tag_idx (see
 * TagIndexAttr); and the table the i-th one indexes. */
inline Oid
tag_index(const Store &s, int i)
{
	return i < s.ntag_slots ? s.tag_slot_idx[i] : s.event_tags_tag_idx;
}
inline Oid
tag_index_table(const Store &s, int i)
{
	return i < s.ntag_slots ? s.events : s.event_tags;
}

/* Resets the cache on relcache invalidations (from _PG_init). */
void register_catalog_invalidation();

/* Attribute numbers of <store>.events. */
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

/*
 * Attribute numbers shared by every tag index: the tag slot indexes, (tag_key(tags, n), seq,
 * type_key(type)), and event_tags_tag_idx, (tag_key, seq) INCLUDE (type_key, event_tid).
 */
enum TagIndexAttr
{
	tag_idx_tag_key = 1,
	tag_idx_seq,
	tag_idx_type_key,
	tag_idx_event_tid /* event_tags_tag_idx only */
};

/* Attribute numbers of <store>.event_tags. */
enum EventTagAttr
{
	tag_attr_tag_key = 1,
	tag_attr_seq,
	tag_attr_type_key,
	tag_attr_event_tid,
	event_tags_natts = tag_attr_event_tid
};

} // namespace dcb::pg
