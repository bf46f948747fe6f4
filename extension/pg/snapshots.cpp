/*
 * snapshots.cpp — see snapshots.hpp; and the SQL functions.
 */
#include "pg/snapshots.hpp"

#include "pg/guards.hpp"
#include "pg/read.hpp"
#include "pg/state.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(dcb_snapshot_save);
PG_FUNCTION_INFO_V1(dcb_snapshot_load);
PG_FUNCTION_INFO_V1(dcb_snapshot_delete);
}

namespace dcb::pg {

void
save_snapshot(const Store &store, const char *projection, const FilterKey &key, int64 seq, Jsonb *data)
{
	const StateTable table = find_state_table(store, "snapshots");
	Oid types[] = {TEXTOID, BYTEAOID, JSONBOID, INT8OID, JSONBOID};
	Datum values[] = {CStringGetTextDatum(projection), PointerGetDatum(key.digest), JsonbPGetDatum(key.filter),
					  Int64GetDatum(seq), JsonbPGetDatum(data)};
	const char *sql = psprintf(
		"INSERT INTO %s AS s (projection, filter_key, filter, seq, data, created_at) "
		"VALUES ($1, $2, $3, $4, $5, now()) "
		"ON CONFLICT (projection, filter_key) DO UPDATE "
		"SET filter = excluded.filter, seq = excluded.seq, data = excluded.data, created_at = excluded.created_at "
		"WHERE s.seq <= excluded.seq",
		table.qualified);
	const OwnerContext ctx = begin_as_owner(table);
	run_statement(sql, lengthof(types), types, values, nullptr, SPI_OK_INSERT);
	end_as_owner(ctx);
}

void
load_snapshot(const Store &store, const char *projection, const FilterKey &key, Tuplestorestate *result, TupleDesc desc)
{
	const StateTable table = find_state_table(store, "snapshots");
	Oid types[] = {TEXTOID, BYTEAOID};
	Datum values[] = {CStringGetTextDatum(projection), PointerGetDatum(key.digest)};
	const char *sql =
		psprintf("SELECT seq, data, created_at FROM %s WHERE projection = $1 AND filter_key = $2", table.qualified);
	const OwnerContext ctx = begin_as_owner(table);
	if (run_statement(sql, lengthof(types), types, values, nullptr, SPI_OK_SELECT) == 1)
	{
		Datum row[3];
		bool nulls[3];
		for (int i = 0; i < 3; i++)
			row[i] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i + 1, &nulls[i]);
		/* the tuplestore lives in the query's memory: it copies the row out of SPI's */
		tuplestore_putvalues(result, desc, row, nulls);
	}
	end_as_owner(ctx);
}

bool
delete_snapshot(const Store &store, const char *projection, const FilterKey &key)
{
	const StateTable table = find_state_table(store, "snapshots");
	Oid types[] = {TEXTOID, BYTEAOID};
	Datum values[] = {CStringGetTextDatum(projection), PointerGetDatum(key.digest)};
	const char *sql = psprintf("DELETE FROM %s WHERE projection = $1 AND filter_key = $2", table.qualified);
	const OwnerContext ctx = begin_as_owner(table);
	const bool deleted = run_statement(sql, lengthof(types), types, values, nullptr, SPI_OK_DELETE) > 0;
	end_as_owner(ctx);
	return deleted;
}

} // namespace dcb::pg

using namespace dcb::pg;

/* dcb_snapshot_save(projection text, filter jsonb, seq bigint, data jsonb, store text) RETURNS void */
extern "C" Datum
dcb_snapshot_save(PG_FUNCTION_ARGS)
{
	require_read_committed("dcb_snapshot_save()");
	PreventCommandIfReadOnly("dcb_snapshot_save()");
	PreventCommandIfParallelMode("dcb_snapshot_save()");

	const char *projection = name_arg(fcinfo, 0, "projection");
	const int64 seq = seq_arg(fcinfo, 2, "seq");
	if (PG_ARGISNULL(3))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("data must not be null")));
	const Store store = state_store_arg(fcinfo, 4);
	require_read_privilege(store, "dcb_snapshot_save()");
	const FilterKey key = filter_key(PG_ARGISNULL(1) ? nullptr : PG_GETARG_JSONB_P(1));
	Jsonb *data = PG_GETARG_JSONB_P(3);

	/* a snapshot covers events up to seq: all of them must be settled (the head, as dcb_head()) */
	if (seq > 0)
	{
		const int64 head = read_head(store);
		if (seq > head)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("seq must not be above the head"),
							errdetail("seq is %lld; the head of store \"%s\" is %lld.", (long long) seq,
									  NameStr(store.name), (long long) head),
							errhint("A snapshot's seq is the last position its data includes: at most what dcb_head() "
									"returned when its events were read.")));
	}
	save_snapshot(store, projection, key, seq, data);
	PG_RETURN_VOID();
}

/* dcb_snapshot_load(projection text, filter jsonb, store text)
 * RETURNS TABLE (seq bigint, data jsonb, created_at timestamptz) */
extern "C" Datum
dcb_snapshot_load(PG_FUNCTION_ARGS)
{
	const char *projection = name_arg(fcinfo, 0, "projection");
	const Store store = state_store_arg(fcinfo, 2);
	require_read_privilege(store, "dcb_snapshot_load()");
	const FilterKey key = filter_key(PG_ARGISNULL(1) ? nullptr : PG_GETARG_JSONB_P(1));

	InitMaterializedSRF(fcinfo, 0);
	ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
	load_snapshot(store, projection, key, rsinfo->setResult, rsinfo->setDesc);
	return (Datum) 0;
}

/* dcb_snapshot_delete(projection text, filter jsonb, store text) RETURNS boolean */
extern "C" Datum
dcb_snapshot_delete(PG_FUNCTION_ARGS)
{
	PreventCommandIfReadOnly("dcb_snapshot_delete()");
	PreventCommandIfParallelMode("dcb_snapshot_delete()");
	const char *projection = name_arg(fcinfo, 0, "projection");
	const Store store = state_store_arg(fcinfo, 2);
	require_read_privilege(store, "dcb_snapshot_delete()");
	const FilterKey key = filter_key(PG_ARGISNULL(1) ? nullptr : PG_GETARG_JSONB_P(1));
	PG_RETURN_BOOL(delete_snapshot(store, projection, key));
}
