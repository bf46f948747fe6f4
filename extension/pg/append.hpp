/*
 * append.hpp — the conditional append.
 */
#pragma once

#include "pg/catalog.hpp"
#include "pg/event_input.hpp"
#include "pg/filter_input.hpp"
#include "pg/postgres.hpp"

namespace dcb::pg {

/*
 * Appends the events to the store with increasing positions, unless condition (when not null) matches an event
 * with seq > expected_max (40001), or returns the stored position of the last event when every
 * event carries an id and all are stored (an idempotent retry). Returns the last position.
 */
int64 append_events(const Store &store, const Filter *condition, int64 expected_max, const Event *evs, int n);

} // namespace dcb::pg
