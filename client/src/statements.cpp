// statements.cpp — the SQL statements of the client, and the default Backend::execute_batch.
//
// Every parameter is sent as text and cast in SQL, so backends need no type OIDs. Reads return the tags as
// JSON (no array-literal parsing on the client) and occurred_at as microseconds since the epoch (independent
// of the session's DateStyle and TimeZone). The last parameter of every statement is the store (NULL: the
// default store), the functions' optional `store text` argument, which needs the extension at 0.2.0 or later.
#include "dcb/backend.hpp"

namespace dcb {

namespace {

constexpr std::string_view read_sql =
    "SELECT seq, type, to_json(tags)::text, data::text, metadata::text, "
    "(extract(epoch FROM occurred_at) * 1000000)::bigint, id::text "
    "FROM dcb_read($1::jsonb, $2::bigint, $3::integer, $4::boolean, $5::text)";
constexpr std::string_view append_sql = "SELECT dcb_append($1::jsonb, $2::bigint, $3::jsonb, $4::text)";
constexpr std::string_view head_sql = "SELECT dcb_head($1::text)";
// dcb_snapshot_save returns void: one row whose value the client ignores.
constexpr std::string_view snapshot_save_sql =
    "SELECT dcb_snapshot_save($1::text, $2::jsonb, $3::bigint, $4::jsonb, $5::text)";
constexpr std::string_view snapshot_load_sql =
    "SELECT seq, data::text, (extract(epoch FROM created_at) * 1000000)::bigint "
    "FROM dcb_snapshot_load($1::text, $2::jsonb, $3::text)";
constexpr std::string_view snapshot_delete_sql = "SELECT dcb_snapshot_delete($1::text, $2::jsonb, $3::text)::integer";

}  // namespace

std::string_view statement_sql(StatementKind kind) {
	switch (kind) {
	case StatementKind::read: return read_sql;
	case StatementKind::append: return append_sql;
	case StatementKind::head: return head_sql;
	case StatementKind::snapshot_save: return snapshot_save_sql;
	case StatementKind::snapshot_load: return snapshot_load_sql;
	case StatementKind::snapshot_delete: return snapshot_delete_sql;
	}
	return {};
}

std::string_view statement_name(StatementKind kind) {
	switch (kind) {
	// _v2: with the store parameter (a connection may still hold _v1, prepared by an older libdcb).
	case StatementKind::read: return "dcb_read_v2";
	case StatementKind::append: return "dcb_append_v2";
	case StatementKind::head: return "dcb_head_v2";
	case StatementKind::snapshot_save: return "dcb_snapshot_save_v1";
	case StatementKind::snapshot_load: return "dcb_snapshot_load_v1";
	case StatementKind::snapshot_delete: return "dcb_snapshot_delete_v1";
	}
	return {};
}

int statement_param_count(StatementKind kind) {
	switch (kind) {
	case StatementKind::read: return 5;
	case StatementKind::append: return 4;
	case StatementKind::head: return 1;
	case StatementKind::snapshot_save: return 5;
	case StatementKind::snapshot_load: return 3;
	case StatementKind::snapshot_delete: return 3;
	}
	return 0;
}

void Backend::execute_batch(std::span<const StatementCall> calls, std::span<RowSink* const> sinks,
                            const ExecutionControl& control, std::vector<std::exception_ptr>& errors) {
	errors.assign(calls.size(), nullptr);
	for (std::size_t i = 0; i < calls.size(); ++i) {
		try {
			execute(calls[i], *sinks[i], control);
		} catch (...) {
			errors[i] = std::current_exception();
		}
	}
}

}  // namespace dcb
