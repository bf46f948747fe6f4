/*
 * settings.hpp — the dcb.* configuration parameters (GUCs): per-call limits, the lock-key budget and
 * standby reads.
 */
#pragma once

#include "pg/postgres.hpp"

namespace dcb::pg {

extern int max_events_per_call;
extern int max_filter_items;
extern int max_tags_per_event;
extern int max_lock_keys;
extern int max_payload_bytes;
extern bool standby_reads;

/* Defines the parameters (from _PG_init). */
void define_settings();

} // namespace dcb::pg
