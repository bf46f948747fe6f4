// pg_connection.hpp — one libpq connection running the store's statements.
//
// Statements are sent asynchronously and results awaited with poll(), so a call can honour its deadline
// and stop token: when either fires, the server statement is canceled with PQcancel and the call throws
// dcb::Timeout / dcb::Canceled once the server has answered (or the connection is dropped after a grace
// period). Batches use libpq pipeline mode, one Sync per statement.
#pragma once

#include "dcb/backend.hpp"

#include <libpq-fe.h>

#include <memory>
#include <string>

namespace dcb::detail {

/// Where server messages below ERROR (NOTICE, WARNING, DEBUG...) of owned connections go: the store's logger.
/// Without a logger libpq's default (stderr) stays in place.
struct NoticeSink {
	std::shared_ptr<Logger> logger;
	std::shared_ptr<ContextualLogger> contextual_logger;
	bool enabled() const noexcept { return logger || contextual_logger; }
	/// Logs one libpq notice message ("WARNING:  text\n"); never throws (it runs inside a libpq callback).
	void deliver(const char* message) const noexcept;
};

class PgConnection {
public:
	/// Opens an owned connection (PQfinish on destruction) without blocking past the call's deadline or its stop
	/// request (dcb::Timeout, dcb::Canceled); a libpq connect_timeout in `conninfo` is honoured too. Throws
	/// dcb::ConnectionError when the server cannot be reached. `notices` (may be null) must outlive the connection.
	/// Host names are resolved before the deadline is looked at (libpq resolves them synchronously).
	static std::unique_ptr<PgConnection> open(const std::string& conninfo, const NoticeSink* notices = nullptr,
	                                          const ExecutionControl& control = {});
	/// Wraps a caller's connection without taking ownership.
	static std::unique_ptr<PgConnection> borrow(PGconn* conn);

	PgConnection(const PgConnection&) = delete;
	PgConnection& operator=(const PgConnection&) = delete;
	~PgConnection();

	/// True when the connection can no longer be used (lost, or abandoned mid-statement).
	bool broken() const noexcept;
	/// For an idle connection: reads what the server sent meanwhile without waiting, and tells whether the
	/// connection is still open. A server that restarted or terminated the session has closed it by then.
	bool alive_when_idle() noexcept;
	/// When the connection was opened.
	Clock::time_point opened_at() const noexcept { return opened_at_; }

	void execute(const StatementCall& call, RowSink& sink, const ExecutionControl& control, Clock::duration grace);
	/// Runs any one statement (unprepared, parameters as text, nullopt = NULL) with the same deadline, cancellation
	/// and error mapping as execute(): for the statements of subscriptions and projections (dcb_wait, consumer
	/// positions, transaction control) and a projection handler's own. `sink` may be null.
	void execute_sql(const std::string& sql, std::span<const std::optional<std::string>> params, RowSink* sink,
	                 const ExecutionControl& control, Clock::duration grace);
	/// The libpq connection (a projection hands it to its handler, inside the batch's transaction).
	PGconn* handle() const noexcept { return conn_; }
	void execute_pipeline(std::span<const StatementCall> calls, std::span<RowSink* const> sinks,
	                      const ExecutionControl& control, Clock::duration grace, std::vector<std::exception_ptr>& errors);

	struct Waiter;

private:
	PgConnection(PGconn* conn, bool owned) : conn_(conn), owned_(owned), opened_at_(Clock::now()) {}
	struct Collected;

	/// True when `calls` hold an append that commits by itself (no transaction open): if the connection breaks
	/// once it is sent, nobody knows whether it was committed.
	bool commits_on_its_own(std::span<const StatementCall> calls) const noexcept;
	void ensure_prepared(StatementKind kind);
	void send(const StatementCall& call);
	static void send_cancel(PGcancel* cancel) noexcept;
	void wait_socket(Waiter& w, bool want_write);
	PGresult* next_result(Waiter& w);
	Collected collect(Waiter& w, RowSink* sink);
	[[noreturn]] void connection_failed(const std::string& what);

	/// Hands server messages below ERROR to `notices_` (or stderr, as libpq would) and notes a FATAL one.
	static void notice_receiver(void* arg, const PGresult* message) noexcept;

	PGconn* conn_;
	bool owned_;
	const NoticeSink* notices_ = nullptr;  // owned connections only; borrowed ones keep the caller's hooks
	bool goodbye_ = false;                 // the server sent FATAL: it is closing the connection
	Clock::time_point opened_at_;
	bool broken_ = false;
	bool prepared_checked_ = false;
	/// Indexed by StatementKind (statement_kind_count in statement_calls.hpp).
	bool prepared_[8] = {};
};

}  // namespace dcb::detail
