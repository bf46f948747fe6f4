/*
 * state.cpp — see state.hpp.
 */
#include "pg/state.hpp"

#include "core/filter.hpp"

namespace dcb::pg {

Store
state_store_arg(FunctionCallInfo fcinfo, int argno)
{
	const bool given = PG_NARGS() > argno && !PG_ARGISNULL(argno);
	return find_store(given ? text_to_cstring(PG_GETARG_TEXT_PP(argno)) : nullptr);
}

const char *
name_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not be null", name)));
	text *t = PG_GETARG_TEXT_PP(argno);
	if (const char *problem = check_name(std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t))))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s %s", name, problem)));
	return text_to_cstring(t);
}

int64
seq_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not be null", name)));
	const int64 value = PG_GETARG_INT64(argno);
	if (value < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s must not be negative", name),
						errdetail("%s is %lld.", name, (long long) value)));
	return value;
}

StateTable
find_state_table(const Store &store, const char *table)
{
	const char *schema = get_namespace_name(store.schema);
	const Oid relid = get_relname_relid(table, store.schema);
	if (!OidIsValid(relid))
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
						errmsg("dcb storage relation \"%s.%s\" does not exist", schema, table),
						errhint("Update the extension with ALTER EXTENSION dcb UPDATE; if it is up to date, the "
								"store's %s are lost with the table: restore it from a backup (pg_dump).",
								table)));
	/* the lock is kept to the end of the transaction, as the statements on it will */
	Relation rel = table_open(relid, AccessShareLock);
	StateTable t{relid, rel->rd_rel->relowner, quote_qualified_identifier(schema, table)};
	table_close(rel, NoLock);
	return t;
}

OwnerContext
begin_as_owner(const StateTable &table)
{
	OwnerContext ctx;
	GetUserIdAndSecContext(&ctx.saved_user, &ctx.saved_security);
	/* as fmgr does for a function's SET clause: undone at the end of the call or by the abort */
	ctx.guc_level = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
							 false);
	SetUserIdAndSecContext(table.owner,
						   ctx.saved_security | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	return ctx;
}

void
end_as_owner(const OwnerContext &ctx)
{
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	SetUserIdAndSecContext(ctx.saved_user, ctx.saved_security);
	AtEOXact_GUC(true, ctx.guc_level);
}

uint64
run_statement(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls, int expected)
{
	const int rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);
	if (rc != expected)
		elog(ERROR, "dcb state statement failed (SPI result %s): %s", SPI_result_code_string(rc), sql);
	return SPI_processed;
}

} // namespace dcb::pg
