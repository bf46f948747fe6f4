/*
 * settings.cpp — defines the dcb.* configuration parameters; see settings.hpp.
 */
#include "pg/settings.hpp"

namespace dcb::pg {

int max_events_per_call = 100000;
int max_filter_items = 100;
int max_tags_per_event = 100;
int max_lock_keys = 256;
int max_payload_bytes = 1024 * 1024;
bool standby_reads = false;

/*
 * The limits bound shared resources (the lock table) and the work one call may make the server do,
 * so only a superuser, or a role granted SET on the parameter, may change them; per-role values go
 * through ALTER ROLE ... SET. dcb.standby_reads only changes what the caller's own reads accept.
 */
void
define_settings()
{
	DefineCustomIntVariable("dcb.max_events_per_call", "Maximum number of events one dcb_append call may append.",
							nullptr, &max_events_per_call, 100000, 1, INT_MAX, PGC_SUSET, 0, nullptr, nullptr, nullptr);
	DefineCustomIntVariable("dcb.max_filter_items",
							"Maximum number of items in a filter, and of types or tags in one item.", nullptr,
							&max_filter_items, 100, 1, 100000, PGC_SUSET, 0, nullptr, nullptr, nullptr);
	DefineCustomIntVariable("dcb.max_tags_per_event", "Maximum number of tags on one event.", nullptr,
							&max_tags_per_event, 100, 1, 100000, PGC_SUSET, 0, nullptr, nullptr, nullptr);
	/* The default budget follows the lock table's sizing: 4 x max_locks_per_transaction. */
	DefineCustomIntVariable(
		"dcb.max_lock_keys", "Lock keys a transaction may hold before its appends escalate.",
		"Past the budget an append locks none of its events' keys (others find its in-flight rows in the "
		"indexes instead), and conditions check coarser keys: this bounds the use of the shared lock table. "
		"The default is 4 x max_locks_per_transaction.",
		&max_lock_keys, 4 * max_locks_per_xact, 4, 10000000, PGC_SUSET, 0, nullptr, nullptr, nullptr);
	DefineCustomBoolVariable(
		"dcb.standby_reads", "Allows dcb_read() and dcb_head() on a hot standby, where they are not gap-free.",
		"On a standby an event still in flight on the primary can commit after a higher position is already "
		"visible, so a read there may skip it. Leave off for decisions and catch-up readers.",
		&standby_reads, false, PGC_USERSET, 0, nullptr, nullptr, nullptr);
	DefineCustomIntVariable("dcb.max_payload_bytes", "Maximum size of one event's data or metadata.", nullptr,
							&max_payload_bytes, 1024 * 1024, 64, MaxAllocSize / 2, PGC_SUSET, GUC_UNIT_BYTE, nullptr,
							nullptr, nullptr);
	MarkGUCPrefixReserved("dcb");
}

} // namespace dcb::pg
