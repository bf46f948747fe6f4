// pg_connection.cpp — see pg_connection.hpp.
#include "pg_connection.hpp"

#include "dcb/errors.hpp"

#include <poll.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stop_token>

namespace dcb::detail {

namespace {

struct ResultDeleter {
	void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

struct ServerError {
	std::string sqlstate, message, detail, hint;
};

std::string field(const PGresult* r, int code) {
	const char* v = PQresultErrorField(r, code);
	return v ? std::string(v) : std::string();
}

std::string trim(std::string s) {
	while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
	return s;
}

}  // namespace

/// Per-call deadline/cancellation state.
struct PgConnection::Waiter {
	std::optional<Clock::time_point> deadline;
	Clock::duration grace;
	PGcancel* cancel = nullptr;
	std::atomic<bool> user_canceled{false};
	bool timed_out = false;
	std::optional<Clock::time_point> grace_deadline;

	Waiter(PGconn* conn, const ExecutionControl& c, Clock::duration g) : deadline(c.deadline), grace(g) {
		if (c.deadline || c.stop.stop_possible()) cancel = PQgetCancel(conn);
	}
	~Waiter() {
		if (cancel) PQfreeCancel(cancel);
	}
	Waiter(const Waiter&) = delete;
	Waiter& operator=(const Waiter&) = delete;
};

namespace {

/// Runs on the thread that requests stop; must not throw (it is called from std::stop_source).
struct CancelOnStop {
	PgConnection::Waiter* w;
	void operator()() const noexcept;
};

}  // namespace

struct PgConnection::Collected {
	std::optional<ServerError> error;
	std::exception_ptr sink_error;
	bool saw_sync = false;
};

void CancelOnStop::operator()() const noexcept {
	w->user_canceled.store(true);
	if (w->cancel) {
		char err[256];
		PQcancel(w->cancel, err, sizeof err);  // best effort; the call still waits for the server
	}
}

void NoticeSink::deliver(const char* message) const noexcept {
	try {
		std::string text = trim(message ? message : "");
		int level = 1;  // NOTICE, INFO, LOG
		if (text.starts_with("WARNING:")) level = 2;
		else if (text.starts_with("DEBUG")) level = 0;
		const LogFields fields{{"message", text}};
		static constexpr std::string_view msg = "server message";
		if (contextual_logger) {
			const LogContext ctx{};
			if (level == 0) contextual_logger->debug(ctx, msg, fields);
			else if (level == 1) contextual_logger->info(ctx, msg, fields);
			else contextual_logger->warn(ctx, msg, fields);
		} else if (logger) {
			if (level == 0) logger->debug(msg, fields);
			else if (level == 1) logger->info(msg, fields);
			else logger->warn(msg, fields);
		}
	} catch (...) {
		// a C callback must not let an exception through
	}
}

namespace {

void notice_processor(void* arg, const char* message) noexcept {
	static_cast<const NoticeSink*>(arg)->deliver(message);
}

}  // namespace

std::unique_ptr<PgConnection> PgConnection::open(const std::string& conninfo, const NoticeSink* notices) {
	const char* keys[] = {"dbname", "fallback_application_name", nullptr};
	const char* values[] = {conninfo.c_str(), "libdcb", nullptr};
	PGconn* c = PQconnectdbParams(keys, values, 1);
	if (!c) throw ConnectionError("08001", "dcb: out of memory creating a connection");
	if (PQstatus(c) != CONNECTION_OK) {
		std::string msg = trim(PQerrorMessage(c));
		PQfinish(c);
		throw ConnectionError("08001", "dcb: could not connect: " + msg);
	}
	if (notices && notices->enabled()) PQsetNoticeProcessor(c, notice_processor, const_cast<NoticeSink*>(notices));
	return std::unique_ptr<PgConnection>(new PgConnection(c, true));
}

std::unique_ptr<PgConnection> PgConnection::borrow(PGconn* conn) {
	if (!conn) throw InvalidArgument("22004", "dcb: borrowed connection is null");
	return std::unique_ptr<PgConnection>(new PgConnection(conn, false));
}

PgConnection::~PgConnection() {
	if (owned_) PQfinish(conn_);
}

bool PgConnection::broken() const noexcept { return broken_ || PQstatus(conn_) != CONNECTION_OK; }

void PgConnection::connection_failed(const std::string& what) {
	broken_ = broken_ || PQstatus(conn_) != CONNECTION_OK;
	throw ConnectionError("08006", "dcb: " + what + ": " + trim(PQerrorMessage(conn_)));
}

void PgConnection::send_cancel(PGcancel* cancel) noexcept {
	if (!cancel) return;
	char err[256];
	PQcancel(cancel, err, sizeof err);
}

void PgConnection::ensure_prepared(StatementKind kind) {
	const auto k = static_cast<int>(kind);
	if (prepared_[k]) return;
	if (!owned_ && !prepared_checked_) {
		// A borrowed connection may already have our statements (another store over it). A failing
		// PREPARE would abort the caller's transaction, so look first.
		Result r(PQexec(conn_, "SELECT name FROM pg_catalog.pg_prepared_statements WHERE name LIKE 'dcb\\_%'"));
		if (PQresultStatus(r.get()) != PGRES_TUPLES_OK)
			throw_error(field(r.get(), PG_DIAG_SQLSTATE).empty() ? "08006" : field(r.get(), PG_DIAG_SQLSTATE),
			            "dcb: " + trim(PQerrorMessage(conn_)));
		for (int row = 0; row < PQntuples(r.get()); ++row)
			for (int s = 0; s < 3; ++s)
				if (statement_name(static_cast<StatementKind>(s)) == PQgetvalue(r.get(), row, 0)) prepared_[s] = true;
		prepared_checked_ = true;
		if (prepared_[k]) return;
	}
	const std::string name(statement_name(kind)), sql(statement_sql(kind));
	Result r(PQprepare(conn_, name.c_str(), sql.c_str(), statement_param_count(kind), nullptr));
	if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
		const std::string state = field(r.get(), PG_DIAG_SQLSTATE);
		if (state.empty()) connection_failed("prepare failed");
		throw_error(state, field(r.get(), PG_DIAG_MESSAGE_PRIMARY), field(r.get(), PG_DIAG_MESSAGE_DETAIL),
		            state == "42883" ? "is the extension installed? CREATE EXTENSION dcb;" : field(r.get(), PG_DIAG_MESSAGE_HINT));
	}
	prepared_[k] = true;
}

void PgConnection::send(const StatementCall& call) {
	const int n = statement_param_count(call.kind);
	if (static_cast<int>(call.params.size()) != n)
		throw InvalidArgument("22023", "dcb: wrong number of statement parameters");
	const char* values[4] = {nullptr, nullptr, nullptr, nullptr};
	for (int i = 0; i < n; ++i) values[i] = call.params[i] ? call.params[i]->c_str() : nullptr;
	int ok;
	if (call.sql_comment.empty()) {
		ok = PQsendQueryPrepared(conn_, std::string(statement_name(call.kind)).c_str(), n, values, nullptr, nullptr, 0);
	} else {
		const std::string sql = call.sql_comment + std::string(statement_sql(call.kind));
		ok = PQsendQueryParams(conn_, sql.c_str(), n, nullptr, values, nullptr, nullptr, 0);
	}
	if (!ok) connection_failed("could not send the statement");
}

void PgConnection::wait_socket(Waiter& w, bool want_write) {
	for (;;) {
		const auto now = Clock::now();
		if (w.user_canceled.load() && !w.grace_deadline) w.grace_deadline = now + w.grace;
		if (!w.timed_out && w.deadline && now >= *w.deadline) {
			w.timed_out = true;  // cancel the server statement, then wait for its answer
			send_cancel(w.cancel);
			w.grace_deadline = now + w.grace;
		}
		if (w.grace_deadline && now >= *w.grace_deadline) {
			broken_ = true;  // the statement may still run; never reuse this connection
			if (w.timed_out) throw Timeout("57014", "dcb: deadline exceeded and the server did not answer the cancel request");
			throw Canceled("57014", "dcb: canceled and the server did not answer the cancel request");
		}
		std::optional<Clock::time_point> limit = w.grace_deadline ? w.grace_deadline : w.deadline;
		int timeout_ms = -1;
		if (limit)
			timeout_ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(*limit - now).count());
		if (w.cancel && !w.user_canceled.load() && (timeout_ms < 0 || timeout_ms > 100))
			timeout_ms = 100;  // notice a stop request made while the server stays silent
		pollfd p{PQsocket(conn_), static_cast<short>(POLLIN | (want_write ? POLLOUT : 0)), 0};
		if (p.fd < 0) connection_failed("connection has no socket");
		const int r = poll(&p, 1, timeout_ms);
		if (r > 0) return;
		if (r < 0 && errno != EINTR) connection_failed(std::string("poll failed: ") + std::strerror(errno));
	}
}

PGresult* PgConnection::next_result(Waiter& w) {
	for (;;) {
		const int f = PQflush(conn_);
		if (f < 0) connection_failed("could not send data to the server");
		if (f == 0 && !PQisBusy(conn_)) return PQgetResult(conn_);
		wait_socket(w, f == 1);
		if (!PQconsumeInput(conn_)) connection_failed("could not receive data from the server");
	}
}

PgConnection::Collected PgConnection::collect(Waiter& w, RowSink* sink) {
	Collected out;
	std::vector<std::optional<std::string_view>> cols;
	for (;;) {
		Result r(next_result(w));
		if (!r) return out;
		switch (PQresultStatus(r.get())) {
		case PGRES_TUPLES_OK:
		case PGRES_SINGLE_TUPLE: {
			if (!sink || out.sink_error || out.error) break;
			const int nf = PQnfields(r.get());
			cols.resize(static_cast<std::size_t>(nf));
			try {
				for (int row = 0; row < PQntuples(r.get()); ++row) {
					for (int c = 0; c < nf; ++c)
						cols[static_cast<std::size_t>(c)] =
						    PQgetisnull(r.get(), row, c)
						        ? std::nullopt
						        : std::optional<std::string_view>(std::in_place, PQgetvalue(r.get(), row, c),
						                                          static_cast<std::size_t>(PQgetlength(r.get(), row, c)));
					sink->on_row(cols);
				}
			} catch (...) {
				out.sink_error = std::current_exception();  // keep draining so the connection stays usable
			}
			break;
		}
		case PGRES_COMMAND_OK:
		case PGRES_EMPTY_QUERY:
			break;
		case PGRES_PIPELINE_SYNC:
			out.saw_sync = true;
			return out;
		case PGRES_PIPELINE_ABORTED:
			if (!out.error)
				out.error = ServerError{"25P02", "dcb: statement skipped because an earlier statement of the batch failed", {}, {}};
			break;
		default: {
			std::string state = field(r.get(), PG_DIAG_SQLSTATE);
			std::string msg = field(r.get(), PG_DIAG_MESSAGE_PRIMARY);
			if (state.empty()) {
				state = PQstatus(conn_) == CONNECTION_BAD ? "08006" : "XX000";
				if (state == "08006") broken_ = true;
				msg = trim(PQresultErrorMessage(r.get()));
			}
			if (!out.error)
				out.error = ServerError{state, msg, field(r.get(), PG_DIAG_MESSAGE_DETAIL), field(r.get(), PG_DIAG_MESSAGE_HINT)};
		}
		}
	}
}

namespace {

[[noreturn]] void raise(const PgConnection::Waiter& w, const ServerError& e) {
	if (e.sqlstate == "57014" && w.timed_out) throw Timeout("57014", "dcb: deadline exceeded; the statement was canceled", e.message);
	if (e.sqlstate == "57014" && w.user_canceled.load()) throw Canceled("57014", "dcb: canceled; the statement was canceled", e.message);
	throw_error(e.sqlstate, e.message, e.detail, e.hint);
}

void check_before_start(const ExecutionControl& c) {
	if (c.stop.stop_requested()) throw Canceled("57014", "dcb: canceled before the statement was sent");
	if (c.deadline && Clock::now() >= *c.deadline) throw Timeout("57014", "dcb: deadline exceeded before the statement was sent");
}

}  // namespace

void PgConnection::execute(const StatementCall& call, RowSink& sink, const ExecutionControl& control, Clock::duration grace) {
	if (broken()) throw ConnectionError("08006", "dcb: connection is broken");
	check_before_start(control);
	if (call.sql_comment.empty()) ensure_prepared(call.kind);
	Waiter w(conn_, control, grace);
	send(call);
	Collected c;
	{
		std::stop_callback<CancelOnStop> on_stop(control.stop, CancelOnStop{&w});
		c = collect(w, &sink);
	}
	if (c.error) raise(w, *c.error);
	if (c.sink_error) std::rethrow_exception(c.sink_error);
}

void PgConnection::execute_pipeline(std::span<const StatementCall> calls, std::span<RowSink* const> sinks,
                                    const ExecutionControl& control, Clock::duration grace,
                                    std::vector<std::exception_ptr>& errors) {
	errors.assign(calls.size(), nullptr);
	if (calls.empty()) return;
	if (broken()) throw ConnectionError("08006", "dcb: connection is broken");
	check_before_start(control);
	for (const auto& call : calls)
		if (call.sql_comment.empty()) ensure_prepared(call.kind);
	if (!PQenterPipelineMode(conn_)) connection_failed("could not enter pipeline mode");
	// Non-blocking while sending so that neither side can block on a full socket buffer.
	PQsetnonblocking(conn_, 1);
	Waiter w(conn_, control, grace);
	try {
		std::stop_callback<CancelOnStop> on_stop(control.stop, CancelOnStop{&w});
		for (const auto& call : calls) {
			send(call);
			if (!PQpipelineSync(conn_)) connection_failed("could not send a pipeline sync");
		}
		for (std::size_t i = 0; i < calls.size(); ++i) {
			Collected c = collect(w, sinks[i]);
			if (!c.saw_sync) {
				Result sync(next_result(w));
				if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) {
					broken_ = true;
					throw ConnectionError("08P01", "dcb: unexpected result order in pipeline mode");
				}
			}
			if (c.error) {
				try {
					raise(w, *c.error);
				} catch (...) {
					errors[i] = std::current_exception();
				}
			} else if (c.sink_error) {
				errors[i] = c.sink_error;
			}
		}
	} catch (...) {
		broken_ = true;  // results of the pipeline may still be pending
		if (!owned_) {
			PQsetnonblocking(conn_, 0);
		}
		throw;
	}
	if (!PQexitPipelineMode(conn_)) broken_ = true;
	PQsetnonblocking(conn_, 0);
}

}  // namespace dcb::detail
