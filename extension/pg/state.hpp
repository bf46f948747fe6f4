/*
 * state.hpp — the tables that hold a store's state beside its log: snapshots (<schema>.snapshots)
 * and consumer positions (<schema>.consumers).
 *
 * They grant nothing to other roles, so nobody but their owner can write (or read) them directly;
 * dcb's functions check the caller's rights (guards.hpp) and then run their statements on them
 * through SPI as the table's owner, with search_path pinned to pg_catalog, pg_temp and in a
 * security-restricted operation — what a SECURITY DEFINER function does, but with the caller's
 * rights checked first. Statements run in the caller's transaction; an error in them (or after
 * them) undoes them with it, and its abort restores the user, the search_path and SPI.
 */
#pragma once

#include "pg/catalog.hpp"
#include "pg/postgres.hpp"

namespace dcb::pg {

struct StateTable
{
	Oid relid;
	Oid owner;
	const char *qualified; /* "<schema>.<table>", quoted as needed */
};
DCB_PG_FRAME_TYPE(StateTable);

/* The store named by the optional argument argno (absent or NULL: the default store). */
Store state_store_arg(FunctionCallInfo fcinfo, int argno);

/* A required name argument (a projection, a consumer): 22004 when NULL, 22023 naming the argument
 * when empty or longer than 255 bytes. */
const char *name_arg(FunctionCallInfo fcinfo, int argno, const char *name);

/* A required position argument: 22004 when NULL, 22023 naming it when negative. */
int64 seq_arg(FunctionCallInfo fcinfo, int argno, const char *name);

/* The state table of a store (table: "snapshots" or "consumers"); 42704 when it is missing. */
StateTable find_state_table(const Store &store, const char *table);

/* What run_as_owner restores. */
struct OwnerContext
{
	Oid saved_user;
	int saved_security;
	int guc_level;
};
DCB_PG_FRAME_TYPE(OwnerContext);

/* Connects to SPI and becomes the table's owner with the pinned search_path ... */
OwnerContext begin_as_owner(const StateTable &table);
/* ... and back (after SPI_finish). Values taken from SPI results must be copied before. */
void end_as_owner(const OwnerContext &ctx);

/* Runs one statement with parameters $1..$n (nulls: nullptr or SPI's ' '/'n' flags) and checks
 * that SPI reports the expected result code; returns the number of rows processed. */
uint64 run_statement(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls, int expected);

} // namespace dcb::pg
