/*
 * consumers.cpp — see consumers.hpp; and the SQL functions.
 */
#include "pg/consumers.hpp"

#include "pg/guards.hpp"
#include "pg/state.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(dcb_consumer_position);
PG_FUNCTION_INFO_V1(dcb_consumer_advance);
}

namespace dcb::pg {
namespace {

/* The position in the current SPI connection (0 when there is none). */
int64
stored_position(const StateTable &table, const char *consumer)
{
	Oid types[] = {TEXTOID};
	Datum values[] = {CStringGetTextDatum(consumer)};
	const char *sql = psprintf("SELECT position FROM %s WHERE consumer = $1", table.qualified);
	if (run_statement(sql, lengthof(types), types, values, nullptr, SPI_OK_SELECT) == 0)
		return 0;
	bool isnull;
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

} // namespace

int64
consumer_position(const Store &store, const char *consumer)
{
	const StateTable table = find_state_table(store, "consumers");
	const OwnerContext ctx = begin_as_owner(table);
	const int64 position = stored_position(table, consumer);
	end_as_owner(ctx);
	return position;
}

void
advance_consumer(const Store &store, const char *consumer, int64 expected, int64 seq)
{
	const StateTable table = find_state_table(store, "consumers");
	Oid types[] = {TEXTOID, INT8OID, INT8OID};
	Datum values[] = {CStringGetTextDatum(consumer), Int64GetDatum(expected), Int64GetDatum(seq)};
	/* An unknown consumer is at 0: from 0 the row may have to be created. Either statement waits
	 * for a concurrent advance of the consumer and then checks what it committed. */
	const char *sql =
		expected == 0
			? psprintf("INSERT INTO %s AS c (consumer, position, advanced_at) VALUES ($1, $3, now()) "
					   "ON CONFLICT (consumer) DO UPDATE SET position = $3, advanced_at = now() "
					   "WHERE c.position = $2",
					   table.qualified)
			: psprintf("UPDATE %s SET position = $3, advanced_at = now() WHERE consumer = $1 AND position = $2",
					   table.qualified);
	const OwnerContext ctx = begin_as_owner(table);
	const uint64 advanced =
		run_statement(sql, lengthof(types), types, values, nullptr, expected == 0 ? SPI_OK_INSERT : SPI_OK_UPDATE);
	const int64 stored = advanced == 1 ? seq : stored_position(table, consumer);
	end_as_owner(ctx);
	if (advanced != 1)
		ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						errmsg("another instance of consumer \"%s\" advanced it", consumer),
						errdetail("The consumer is at position %lld, not at the expected %lld.", (long long) stored,
								  (long long) expected),
						errhint("Roll back, read its position again with dcb_consumer_position() and process the "
								"events after it.")));
}

} // namespace dcb::pg

using namespace dcb::pg;

/* dcb_consumer_position(consumer text, store text) RETURNS bigint */
extern "C" Datum
dcb_consumer_position(PG_FUNCTION_ARGS)
{
	const char *consumer = name_arg(fcinfo, 0, "consumer");
	const Store store = state_store_arg(fcinfo, 1);
	require_read_privilege(store, "dcb_consumer_position()");
	PG_RETURN_INT64(consumer_position(store, consumer));
}

/* dcb_consumer_advance(consumer text, expected bigint, seq bigint, store text) RETURNS void */
extern "C" Datum
dcb_consumer_advance(PG_FUNCTION_ARGS)
{
	PreventCommandIfReadOnly("dcb_consumer_advance()");
	PreventCommandIfParallelMode("dcb_consumer_advance()");
	const char *consumer = name_arg(fcinfo, 0, "consumer");
	/* NULL expected is 0, as dcb_append's expected_max */
	const int64 expected = PG_ARGISNULL(1) ? 0 : seq_arg(fcinfo, 1, "expected");
	const int64 seq = seq_arg(fcinfo, 2, "seq");
	if (seq < expected)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("seq must not be below expected"),
						errdetail("seq is %lld, expected is %lld: a consumer's position never goes back.",
								  (long long) seq, (long long) expected)));
	const Store store = state_store_arg(fcinfo, 3);
	require_read_privilege(store, "dcb_consumer_advance()");
	advance_consumer(store, consumer, expected, seq);
	PG_RETURN_VOID();
}
