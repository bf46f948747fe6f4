/*
 * store.hpp — writes events into the log.
 */
#pragma once

#include "pg/catalog.hpp"
#include "pg/event_input.hpp"
#include "pg/postgres.hpp"

namespace dcb::pg {

/* Called around each chunk of events the insert takes positions for (append.cpp uses them for
 * escalated writers). */
struct ChunkHooks
{
	void (*before_chunk)(void *arg); /* before the chunk's positions are taken */
	void (*after_chunk)(void *arg);  /* once the chunk's rows are in every index */
	void *arg;
};
DCB_PG_FRAME_TYPE(ChunkHooks);

/* Inserts the events with increasing positions taken now (the caller holds the append's locks) and
 * returns the last position. */
int64 insert_events(const Store &store, const Event *evs, int n, const ChunkHooks *hooks);

} // namespace dcb::pg
