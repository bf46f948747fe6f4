// dcb/backend.hpp — how the store reaches PostgreSQL; the extension point for database adapters.
//
// EventStore builds the statement parameters, instrumentation and result decoding once; a Backend only runs
// one of the fixed statements (dcb_read, dcb_append, dcb_head, the snapshot functions) and streams rows back. libdcb ships
// backends for an owned libpq pool and a borrowed PGconn*; libdcb_pqxx adds one for a libpqxx transaction.
#pragma once

#include "dcb/export.hpp"

#include "dcb/options.hpp"

#include <exception>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dcb {

/// The statements. Every one passes the store (StoreOptions::store) as its last parameter, NULL for the default store.
enum class StatementKind { read = 0, append = 1, head = 2, snapshot_save = 3, snapshot_load = 4, snapshot_delete = 5 };

/// The SQL text of a statement with $n parameters (all parameters are sent as text).
DCB_API std::string_view statement_sql(StatementKind kind);
/// A stable prepared-statement name, e.g. "dcb_read_v2".
DCB_API std::string_view statement_name(StatementKind kind);
/// Number of parameters of the statement.
DCB_API int statement_param_count(StatementKind kind);

struct StatementCall {
	StatementKind kind{};
	std::vector<std::optional<std::string>> params{};  ///< text values, nullopt = SQL NULL
	/// A comment to put in front of the SQL (traceparent); when non-empty the statement is sent unprepared,
	/// since a prepared statement's text is fixed.
	std::string sql_comment{};
};

/// Receives result rows: one span of text values (nullopt = NULL) per row, valid only during the call.
class DCB_API RowSink {
public:
	virtual ~RowSink() = default;
	virtual void on_row(std::span<const std::optional<std::string_view>> columns) = 0;
};

/// Deadline and cancellation of one backend call, derived from CallOptions.
struct ExecutionControl {
	std::optional<Clock::time_point> deadline{};
	std::stop_token stop{};
};

class DCB_API Backend {
public:
	virtual ~Backend() = default;

	/// Runs one statement and feeds its rows to `sink`. Throws dcb::Error subclasses (see errors.hpp).
	virtual void execute(const StatementCall& call, RowSink& sink, const ExecutionControl& control) = 0;

	/// Runs several statements, one round trip where the backend can (libpq pipeline mode). Outside a
	/// caller's transaction every call is its own transaction. errors[i] is set to the exception of call i.
	/// The default runs them one by one.
	virtual void execute_batch(std::span<const StatementCall> calls, std::span<RowSink* const> sinks,
	                           const ExecutionControl& control, std::vector<std::exception_ptr>& errors);

	/// Short name for logs: "pool", "libpq", "pqxx".
	virtual std::string_view name() const = 0;
};

}  // namespace dcb
