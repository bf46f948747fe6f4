/*
 * guards.hpp — session conditions under which the guarantees could not hold, refused up front.
 */
#pragma once

#include "pg/postgres.hpp"

namespace dcb::pg {

/* Refuses REPEATABLE READ and SERIALIZABLE, whose transaction snapshot would hide events that the
 * condition check and gap-free reads must see. */
void require_read_committed(const char *function);

/* Refuses reads on a hot standby, where they are not gap-free, unless dcb.standby_reads allows them. */
void require_gap_free_reads(const char *function);

} // namespace dcb::pg
