// statements.cpp — the three SQL statements of the client, and the default Backend::execute_batch.
//
// Every parameter is sent as text and cast in SQL, so backends need no type OIDs. Reads return the tags as
// JSON (no array-literal parsing on the client) and occurred_at as microseconds since the epoch (independent
// of the session's DateStyle and TimeZone).
#include "dcb/backend.hpp"

namespace dcb {

namespace {

constexpr std::string_view read_sql =
    "SELECT seq, type, to_json(tags)::text, data::text, metadata::text, "
    "(extract(epoch FROM occurred_at) * 1000000)::bigint, id::text "
    "FROM dcb_read($1::jsonb, $2::bigint, $3::integer, $4::boolean)";
constexpr std::string_view append_sql = "SELECT dcb_append($1::jsonb, $2::bigint, $3::jsonb)";
constexpr std::string_view head_sql = "SELECT dcb_head()";

}  // namespace

std::string_view statement_sql(StatementKind kind) {
	switch (kind) {
	case StatementKind::read: return read_sql;
	case StatementKind::append: return append_sql;
	case StatementKind::head: return head_sql;
	}
	return {};
}

std::string_view statement_name(StatementKind kind) {
	switch (kind) {
	case StatementKind::read: return "dcb_read_v1";
	case StatementKind::append: return "dcb_append_v1";
	case StatementKind::head: return "dcb_head_v1";
	}
	return {};
}

int statement_param_count(StatementKind kind) {
	switch (kind) {
	case StatementKind::read: return 4;
	case StatementKind::append: return 3;
	case StatementKind::head: return 0;
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
