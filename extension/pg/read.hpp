/*
 * read.hpp — gap-free reads of the log: the events matching a filter, and the head.
 */
#pragma once

#include "pg/catalog.hpp"
#include "pg/filter_input.hpp"
#include "pg/postgres.hpp"

namespace dcb::pg {

/* Puts the events matching filter with seq > after into the result (tuplestore rows of desc), in
 * seq order (newest first when backwards), at most limit of them (0: no limit). Gap-free (G2). */
void read_events(const Store &store, const Filter &filter, int64 after, int64 limit, bool backwards,
				 Tuplestorestate *result, TupleDesc desc);

/* The highest position that is safe to read up to (0 for an empty log). */
int64 read_head(const Store &store);

/* The barrier's parts, for dcb_wait: the last position the store's sequence handed out (0 before the
 * first), and the highest position at or below upto that the snapshot shows (0 when none). */
int64 assigned_position(const Store &store);
int64 visible_position(const Store &store, int64 upto, Snapshot snapshot);

} // namespace dcb::pg
