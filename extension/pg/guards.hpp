/*
 * guards.hpp — session conditions under which the guarantees could not hold, refused up front.
 */
#pragma once

#include "pg/catalog.hpp"
#include "pg/postgres.hpp"

namespace dcb::pg {

/* Refuses REPEATABLE READ and SERIALIZABLE, whose transaction snapshot would hide events that the
 * condition check and gap-free reads must see. */
void require_read_committed(const char *function);

/* Refuses reads on a hot standby, where they are not gap-free, unless dcb.standby_reads allows them. */
void require_gap_free_reads(const char *function);

/*
 * Reading a store (its events, its head, waiting on it, its snapshots) needs SELECT on its events
 * table, as a plain SELECT would (42501 otherwise). Row-level security cannot be honoured by a
 * gap-free read of positions, so a read that it would apply to is refused (42501) rather than
 * bypassing it.
 */
void require_read_privilege(const Store &store, const char *function);

/* Appending to a store other than the default one needs USAGE on its schema (EXECUTE on
 * dcb_append is checked by PostgreSQL itself). */
void require_append_privilege(const Store &store, const char *function);

} // namespace dcb::pg
