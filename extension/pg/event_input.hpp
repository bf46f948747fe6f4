/*
 * event_input.hpp — the events argument of dcb_append, parsed and validated from jsonb.
 */
#pragma once

#include "pg/postgres.hpp"

namespace dcb::pg {

/* An event ready to be stored. type, tags, data and metadata point into the argument datum. */
struct Event
{
	std::string_view type;
	std::string_view *tags; /* sorted and unique */
	int ntags;
	JsonbValue data;
	bool has_metadata;
	JsonbValue metadata;
	bool has_occurred_at;
	TimestampTz occurred_at;
	bool has_id;
	pg_uuid_t id;
};
DCB_PG_FRAME_TYPE(Event);

/* Validates an event object or a non-empty array of them; errors name the JSON path (json_input.hpp).
 * Two events of one call may not share an id. */
Event *parse_events(Jsonb *events, int *nevents);

} // namespace dcb::pg
