/*
 * store.hpp — writes events into the log.
 */
#pragma once

#include "pg/event_input.hpp"
#include "pg/postgres.hpp"

namespace dcb::pg {

/* Called around each chunk of events the insert takes positions for (append.cpp uses them for
 * escalated writers). */
struct ChunkHooks
{
	void (*before_chunk)(); /* before the chunk's positions are taken */
	void (*after_chunk)();  /* once the chunk's rows are in every index */
};
DCB_PG_FRAME_TYPE(ChunkHooks);

/* Inserts the events with increasing positions taken now (the caller holds the append's locks) and
 * returns the last position. */
int64 insert_events(const Event *evs, int n, const ChunkHooks *hooks);

} // namespace dcb::pg
