/*
 * filter_key.hpp — the key of a filter's meaning: its canonical form and a digest of it, so that
 * filters written differently but meaning the same name the same snapshot.
 *
 * The canonical form is compact JSON text built from the parsed filter (parse_filter, so a bad filter
 * is rejected exactly as dcb_read rejects it):
 *
 *   {"items":[<item>,...],"occurred_from":"<ts>","occurred_until":"<ts>"}
 *   <item> = {"payload":<json>,"tags":[...],"types":[...]}
 *
 * with absent parts left out (a NULL filter and {} are both "{}"). Types and tags are sorted
 * bytewise without duplicates; items are written that way and then sorted bytewise, duplicates
 * removed; time bounds are the instant in UTC (so "2025-01-01T01:00:00+01:00" and
 * "2025-01-01T00:00:00Z" are one bound). A payload is a containment pattern, so it is written as
 * jsonb holds it (object keys unique and in jsonb's order, whatever order they were given in), with
 * numbers normalized (1.50 and 1.5 are the same number) and the elements of every array sorted
 * and deduplicated (containment ignores both their order and their repetition).
 *
 * The digest is SHA-256 of that text. Both are stored with a snapshot: the text is part of the
 * on-disk format (change it and existing snapshots are no longer found under their filters).
 */
#pragma once

#include "pg/filter_input.hpp"
#include "pg/postgres.hpp"

namespace dcb::pg {

struct FilterKey
{
	const char *canonical; /* the canonical text, palloc'd */
	Jsonb *filter;         /* the canonical text as jsonb */
	bytea *digest;         /* SHA-256 of the canonical text (32 bytes) */
};
DCB_PG_FRAME_TYPE(FilterKey);

/* The key of a filter argument (nullptr: the NULL filter). Rejects bad filters with 22023 naming
 * the JSON path, as dcb_read does. */
FilterKey filter_key(Jsonb *filter);

} // namespace dcb::pg
