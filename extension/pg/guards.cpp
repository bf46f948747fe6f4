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

void
require_read_privilege(const Store &store, const char *function)
{
	if (pg_class_aclcheck(store.events, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						errmsg("permission denied for table %s.events", get_namespace_name(store.schema)),
						errdetail("%s reads the events of store \"%s\".", function, NameStr(store.name)),
						errhint("GRANT SELECT ON %s.events TO the role.", get_namespace_name(store.schema))));
	if (check_enable_rls(store.events, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						errmsg("%s cannot apply the row-level security of %s.events", function,
							   get_namespace_name(store.schema)),
						errdetail("A gap-free read returns every event up to a position; row security would hide "
								  "some of them."),
						errhint("Exempt the role from row security (BYPASSRLS), or disable it on the table.")));
}

void
require_append_privilege(const Store &store, const char *function)
{
	if (store.key_space != 0 && pg_namespace_aclcheck(store.schema, GetUserId(), ACL_USAGE) != ACLCHECK_OK)
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						errmsg("permission denied for store \"%s\"", NameStr(store.name)),
						errdetail("%s appends to store \"%s\", which needs USAGE on its schema %s.", function,
								  NameStr(store.name), get_namespace_name(store.schema)),
						errhint("GRANT USAGE ON SCHEMA %s TO the role.", get_namespace_name(store.schema))));
}

} // namespace dcb::pg
