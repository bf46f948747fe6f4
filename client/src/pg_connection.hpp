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
	/// Opens an owned connection (PQfinish on destruction). Throws dcb::ConnectionError. `notices` (may be
	/// null) must outlive the connection.
	static std::unique_ptr<PgConnection> open(const std::string& conninfo, const NoticeSink* notices = nullptr);
	/// Wraps a caller's connection without taking ownership.
	static std::unique_ptr<PgConnection> borrow(PGconn* conn);

	PgConnection(const PgConnection&) = delete;
	PgConnection& operator=(const PgConnection&) = delete;
	~PgConnection();

	/// True when the connection can no longer be used (lost, or abandoned mid-statement).
	bool broken() const noexcept;

	void execute(const StatementCall& call, RowSink& sink, const ExecutionControl& control, Clock::duration grace);
	void execute_pipeline(std::span<const StatementCall> calls, std::span<RowSink* const> sinks,
	                      const ExecutionControl& control, Clock::duration grace, std::vector<std::exception_ptr>& errors);

	struct Waiter;

private:
	PgConnection(PGconn* conn, bool owned) : conn_(conn), owned_(owned) {}
	struct Collected;

	void ensure_prepared(StatementKind kind);
	void send(const StatementCall& call);
	static void send_cancel(PGcancel* cancel) noexcept;
	void wait_socket(Waiter& w, bool want_write);
	PGresult* next_result(Waiter& w);
	Collected collect(Waiter& w, RowSink* sink);
	[[noreturn]] void connection_failed(const std::string& what);

	PGconn* conn_;
	bool owned_;
	bool broken_ = false;
	bool prepared_checked_ = false;
	bool prepared_[3] = {false, false, false};
};

}  // namespace dcb::detail
