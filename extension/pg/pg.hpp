/*
 * pg.hpp — PostgreSQL headers for the glue layer, and the rules of this directory.
 *
 * Everything under extension/pg runs in the "PostgreSQL regime": any call may ereport(ERROR), which
 * longjmps past our frames. So code here keeps only trivially destructible objects on the stack
 * (PODs, raw pointers, string_view), allocates with palloc in the current memory context, and never
 * throws. The pure C++ core (extension/core) is noexcept and never calls PostgreSQL, so nothing ever
 * unwinds through the other regime.
 */
#pragma once

/* C++ and core headers first: PostgreSQL's port.h redefines printf-family names. */
#include <algorithm>
#include <string_view>

#include "core/filter.hpp"

extern "C" {
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/visibilitymap.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parsetree.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/procarray.h"
#include "access/transam.h"
#include "tcop/utility.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/uuid.h"
}

namespace dcb::pg {

/* Configuration (GUCs, defined in module.cpp). */
extern int max_events_per_call;
extern int max_filter_items;
extern int max_tags_per_event;
extern int max_lock_keys;
extern int max_payload_bytes;
extern bool standby_reads;

/* A filter item as parsed from jsonb; strings point into the argument datum. */
struct Item
{
	ItemView view;
	JsonbContainer *payload; /* nullptr when the item has no payload predicate */
};

/* A parsed filter. No items means "every event" (a NULL filter or one without "items"). */
struct Filter
{
	Item *items;
	int nitems;
	bool has_from;
	bool has_until;
	TimestampTz from;
	TimestampTz until;
};

/* A parsed event, ready to be stored. data and metadata still point into the argument. */
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

/* OIDs of the extension's storage objects, cached per backend (catalog.cpp). */
struct Catalog
{
	Oid events;
	Oid events_pkey;
	Oid events_type_idx;
	Oid events_id_idx;
	Oid event_tags;
	Oid event_tags_tag_idx;
	Oid events_seq;
};
const Catalog &catalog();
void register_catalog_invalidation();

/* input.cpp: jsonb → model, with errors naming the JSON path (SQLSTATE 22023). */
void parse_filter(Jsonb *filter, Filter *out);
Event *parse_events(Jsonb *events, int *nevents);
void match_all_filter(Filter *out);

/* locks.cpp: the lock plan of an append (condition may be null) or of a read barrier (condition
 * only, keys released at once). */
struct LockPlan
{
	LockRequest *requests;
	size_t n;
	bool escalated; /* the writes escalated: the plan holds lock_key_escalated() instead of them */
	bool check_all; /* the condition (or read) checks (*,*) */
};
LockPlan plan_locks(const Filter *condition, const Event *events, int nevents, bool barrier);
/* Acquires in key order; the locks are held to the end of the transaction and count against its
 * dcb.max_lock_keys budget. */
void acquire_locks(const LockPlan &plan);
/* Waits until no transaction that holds a write lock on the plan's keys now is still running. */
void wait_for_writers(const LockPlan &plan);
void register_lock_accounting();
/*
 * Escalation (docs/design.md). lock_key_positions(), held only within one call: ShareLock by a
 * checker from its condition check to the end of its insert, RowExclusiveLock by an escalated writer
 * around each chunk it takes positions for and inserts, ShareRowExclusiveLock by an escalated
 * checker from its check to the end of its insert.
 */
void lock_positions(LOCKMODE mode);
void unlock_positions(LOCKMODE mode);
/* Readers: waits for the escalated writers taking positions now to finish their chunk. */
void wait_for_position_takers();
/* Is a transaction that made an escalated append still running? (Not counting this one.) */
bool escalated_writers_in_flight();
/* Waits for every transaction that made an escalated append and is running now. */
void wait_for_escalated_writers();

/* scan.cpp: events matching a filter after a position, merged from index probes in seq order. */
struct ScanRequest
{
	const Filter *filter;
	int64 after;
	int64 upto;	 /* only events with seq <= upto (a read's safe horizon) */
	int64 limit; /* 0: no limit */
	bool backwards;
	/* Called for each matching event; returns false to stop. */
	bool (*emit)(void *arg, TupleTableSlot *event);
	void *arg;
};
int64 scan_events(const ScanRequest &req, Snapshot snapshot);
/*
 * For items with several tags, moves the two tags with the fewest events (counting up to a small
 * sample) to the front: the rarest becomes the item's primary tag, whose index the scan probes, and
 * with the next one forms the tag pair whose keys the condition locks. Any tags of an item are
 * correct; the rarest make the probe cheapest and the pair least often shared with other decisions.
 */
void choose_primary_tags(Filter *filter);
/* events attribute numbers */
enum EventAttr
{
	attr_seq = 1,
	attr_type,
	attr_tags,
	attr_data,
	attr_metadata,
	attr_occurred_at,
	attr_id,
	events_natts = attr_id
};

/* store.cpp: inserts the events with increasing positions taken now (after the caller's locks);
 * returns the last position. With lock_chunks (an unconditional escalated writer), takes positions
 * and inserts chunk by chunk, each under lock_positions(RowExclusiveLock). */
int64 insert_events(const Event *evs, int n, bool lock_chunks);

/* Refuses isolation levels at which the guarantees could not hold, and reads on a standby unless
 * dcb.standby_reads allows them. */
void require_read_committed(const char *function);
void require_gap_free_reads(const char *function);

} // namespace dcb::pg
