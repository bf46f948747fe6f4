/*
 * scan.hpp — the events that match a filter after a position, in seq order, from index probes.
 *
 * Used by the read (with the read's snapshot), by the append's condition check and by the read
 * barrier (with a dirty snapshot, which also shows rows of transactions still in flight).
 */
#pragma once

#include "pg/catalog.hpp"
#include "pg/filter_input.hpp"
#include "pg/postgres.hpp"

namespace dcb::pg {

struct ScanRequest
{
	const Store *store;
	const Filter *filter;
	int64 after;
	int64 upto;  /* only events with seq <= upto (a read's safe horizon) */
	int64 limit; /* 0: no limit */
	bool backwards;
	/* Called for each matching event row; returns false to stop. */
	bool (*emit)(void *arg, TupleTableSlot *event);
	void *arg;
};
DCB_PG_FRAME_TYPE(ScanRequest);

/* Calls req.emit for the matching events with after < seq <= upto, in seq order (reverse when
 * backwards), at most limit of them; returns how many it emitted. The caller provides the snapshot
 * (taken after its locks or barrier) and keeps it active. */
int64 scan_events(const ScanRequest &req, Snapshot snapshot);

/* For a row found with a dirty snapshot: the transaction that inserted it. */
TransactionId inserter_of(TupleTableSlot *event);
/* Is xid another transaction, still running? */
bool running_elsewhere(TransactionId xid);

} // namespace dcb::pg
