/*
 * snapshots.hpp — a store's snapshots: the state a projection folded from the events matching a
 * filter up to a position, saved so that a later decision reads only the events after it.
 *
 * A snapshot is keyed by the projection's name and the filter's meaning (filter_key.hpp). A save
 * replaces the stored snapshot only with one of an equal or higher position: in one statement
 * (INSERT ... ON CONFLICT DO UPDATE ... WHERE stored seq <= new seq), which at READ COMMITTED waits
 * for a concurrent saver of the same key and then compares with what it committed, so concurrent
 * savers end with the highest position whatever their commit order.
 *
 * SQL: dcb_snapshot_save(projection, filter, seq, data, store), dcb_snapshot_load(projection,
 * filter, store), dcb_snapshot_delete(projection, filter, store) — the entry points are in
 * snapshots.cpp.
 */
#pragma once

#include "pg/catalog.hpp"
#include "pg/filter_key.hpp"
#include "pg/postgres.hpp"

namespace dcb::pg {

/* Saves data as the snapshot of (projection, key) at position seq, unless the stored one has a
 * higher position. The caller has checked seq against the head. */
void save_snapshot(const Store &store, const char *projection, const FilterKey &key, int64 seq, Jsonb *data);

/* Puts the snapshot of (projection, key) into result (a row (seq, data, created_at) of desc), if
 * there is one. */
void load_snapshot(const Store &store, const char *projection, const FilterKey &key, Tuplestorestate *result,
				   TupleDesc desc);

/* Deletes the snapshot of (projection, key); returns whether there was one. */
bool delete_snapshot(const Store &store, const char *projection, const FilterKey &key);

} // namespace dcb::pg
