/*
 * functions.cpp — the SQL-callable functions of the log: argument checks, then the append
 * (append.cpp) or the read (read.cpp). Every function takes the store as its optional last argument
 * (NULL: the default store); 0.1.0's declarations, without it, call the same entry points.
 */
#include "core/keys.hpp"
#include "pg/append.hpp"
#include "pg/catalog.hpp"
#include "pg/event_input.hpp"
#include "pg/filter_input.hpp"
#include "pg/guards.hpp"
#include "pg/read.hpp"
#include "pg/stats.hpp"
#include "pg/wait.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(dcb_append);
PG_FUNCTION_INFO_V1(dcb_read);
PG_FUNCTION_INFO_V1(dcb_head);
PG_FUNCTION_INFO_V1(dcb_tag_key);
PG_FUNCTION_INFO_V1(dcb_type_key);
}

using namespace dcb::pg;

namespace {

/* A position argument that must not be negative (22023 naming it). */
int64
position_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	int64 value = PG_ARGISNULL(argno) ? 0 : PG_GETARG_INT64(argno);
	if (value < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s must not be negative", name),
						errdetail("%s is %lld.", name, (long long) value)));
	return value;
}

/* The store the optional argument argno names (absent or NULL: the default store). */
Store
store_arg(FunctionCallInfo fcinfo, int argno)
{
	const bool given = PG_NARGS() > argno && !PG_ARGISNULL(argno);
	return find_store(given ? text_to_cstring(PG_GETARG_TEXT_PP(argno)) : nullptr);
}

} // namespace

/* dcb_append(filter jsonb, expected_max bigint, events jsonb, store text) RETURNS bigint */
extern "C" Datum
dcb_append(PG_FUNCTION_ARGS)
{
	require_read_committed("dcb_append()");
	PreventCommandIfReadOnly("dcb_append()");
	PreventCommandIfParallelMode("dcb_append()");

	if (PG_ARGISNULL(2))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("events must not be null")));
	const int64 expected_max = position_arg(fcinfo, 1, "expected_max");
	const Store store = store_arg(fcinfo, 3);
	require_append_privilege(store, "dcb_append()");

	Filter condition;
	if (!PG_ARGISNULL(0))
		condition = prepare_filter(store, parse_filter(PG_GETARG_JSONB_P(0)));
	int n;
	const Event *evs = parse_events(PG_GETARG_JSONB_P(2), &n);

	note_appending(store); /* dcb_wait callers are woken when this transaction ends */
	PG_RETURN_INT64(append_events(store, PG_ARGISNULL(0) ? nullptr : &condition, expected_max, evs, n));
}

/* dcb_read(filter jsonb, after bigint, max_count integer, backwards boolean, store text)
 * RETURNS TABLE (...) */
extern "C" Datum
dcb_read(PG_FUNCTION_ARGS)
{
	require_read_committed("dcb_read()");
	require_gap_free_reads("dcb_read()");
	const Store store = store_arg(fcinfo, 4);
	require_read_privilege(store, "dcb_read()");

	const Filter filter =
		PG_ARGISNULL(0) ? match_all_filter() : prepare_filter(store, parse_filter(PG_GETARG_JSONB_P(0)));
	const int64 after = position_arg(fcinfo, 1, "after");
	int64 limit = 0;
	if (!PG_ARGISNULL(2))
	{
		int32 max_count = PG_GETARG_INT32(2);
		if (max_count <= 0)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("max_count must be positive"),
							errdetail("max_count is %d.", max_count)));
		limit = max_count;
	}
	const bool backwards = PG_ARGISNULL(3) ? false : PG_GETARG_BOOL(3);

	InitMaterializedSRF(fcinfo, 0);
	ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
	read_events(store, filter, after, limit, backwards, rsinfo->setResult, rsinfo->setDesc);
	count_read(store, tuplestore_tuple_count(rsinfo->setResult));
	return (Datum) 0;
}

/* dcb_head(store text) RETURNS bigint */
extern "C" Datum
dcb_head(PG_FUNCTION_ARGS)
{
	require_read_committed("dcb_head()");
	require_gap_free_reads("dcb_head()");
	const Store store = store_arg(fcinfo, 0);
	require_read_privilege(store, "dcb_head()");
	PG_RETURN_INT64(note_head(store, read_head(store)));
}

/*
 * dcb.tag_key(tags text[], n integer) RETURNS bigint: the storage key of the n-th tag (1-based), NULL
 * when there are fewer tags; dcb.type_key(type text) RETURNS bigint: the storage key of a type. The
 * expressions of the tag slot indexes (core/keys.hpp: the hash is part of the on-disk format).
 */
extern "C" Datum
dcb_tag_key(PG_FUNCTION_ARGS)
{
	int n = PG_GETARG_INT32(1);
	bool isnull; /* also when n is out of bounds or the array is not one-dimensional */
	Datum tag = array_get_element(PG_GETARG_DATUM(0), 1, &n, -1, -1, false, TYPALIGN_INT, &isnull);
	if (isnull)
		PG_RETURN_NULL();
	text *t = DatumGetTextPP(tag);
	PG_RETURN_INT64(static_cast<int64>(dcb::hash_tag(std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)))));
}

extern "C" Datum
dcb_type_key(PG_FUNCTION_ARGS)
{
	text *t = PG_GETARG_TEXT_PP(0);
	PG_RETURN_INT64(static_cast<int64>(dcb::hash_type(std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)))));
}
