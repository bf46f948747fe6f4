/*
 * guards.cpp — see guards.hpp.
 */
#include "pg/guards.hpp"

#include "pg/settings.hpp"

namespace dcb::pg {

void
require_read_committed(const char *function)
{
	if (IsolationUsesXactSnapshot())
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						errmsg("%s requires the READ COMMITTED isolation level", function),
						errdetail("At REPEATABLE READ and SERIALIZABLE the transaction snapshot would hide events that "
								  "the append condition and gap-free reads must see."),
						errhint("Run dcb functions in READ COMMITTED transactions (the default).")));
}

void
require_gap_free_reads(const char *function)
{
	if (RecoveryInProgress() && !standby_reads)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("%s is not gap-free on a standby", function),
				 errdetail("An event still in flight on the primary can commit after events with higher positions "
						   "are already visible here, and a read would skip it."),
				 errhint("Read from the primary, or SET dcb.standby_reads = on to accept reads that may skip such "
						 "events (fine for queries, not for decisions or catch-up readers).")));
}

} // namespace dcb::pg
