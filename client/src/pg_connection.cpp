// pg_connection.cpp — see pg_connection.hpp.
#include "pg_connection.hpp"

#include "statement_calls.hpp"

#include "dcb/errors.hpp"

#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
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

void PgConnection::notice_receiver(void* arg, const PGresult* message) noexcept {
	auto* self = static_cast<PgConnection*>(arg);
	// An idle session hears FATAL only as the server's last word before it closes the connection (terminated,
	// shut down, idle_session_timeout); the end of the stream may come a moment later.
	const char* severity = PQresultErrorField(message, PG_DIAG_SEVERITY_NONLOCALIZED);
	if (severity && (std::strcmp(severity, "FATAL") == 0 || std::strcmp(severity, "PANIC") == 0)) self->goodbye_ = true;
	const char* text = PQresultErrorMessage(message);
	if (self->notices_ && self->notices_->enabled()) self->notices_->deliver(text);
	else std::fputs(text, stderr);  // what libpq's default notice processor does
}

namespace {

struct ConnDeleter {
	void operator()(PGconn* c) const noexcept { PQfinish(c); }
};

/// libpq's connect_timeout of a connection being opened (PQconnectPoll leaves it to the caller), if set.
std::optional<Clock::duration> connect_timeout(PGconn* c) {
	PQconninfoOption* options = PQconninfo(c);
	if (!options) return std::nullopt;
	std::optional<Clock::duration> out;
	for (const PQconninfoOption* o = options; o->keyword; ++o) {
		if (std::strcmp(o->keyword, "connect_timeout") != 0 || !o->val || !*o->val) continue;
		const int seconds = std::atoi(o->val);
		// as libpq: values below 2 seconds are raised to 2, zero means none
		if (seconds > 0) out = std::chrono::seconds(std::max(seconds, 2));
	}
	PQconninfoFree(options);
	return out;
}

}  // namespace

std::unique_ptr<PgConnection> PgConnection::open(const std::string& conninfo, const NoticeSink* notices,
                                                 const ExecutionControl& control) {
	if (control.stop.stop_requested()) throw Canceled("57014", "dcb: canceled before connecting");
	if (control.deadline && Clock::now() >= *control.deadline) throw Timeout("57014", "dcb: deadline exceeded before connecting");
	const char* keys[] = {"dbname", "fallback_application_name", nullptr};
	const char* values[] = {conninfo.c_str(), "libdcb", nullptr};
	std::unique_ptr<PGconn, ConnDeleter> c(PQconnectStartParams(keys, values, 1));
	if (!c) throw ConnectionError("08001", "dcb: out of memory creating a connection");
	auto failed = [&] { return ConnectionError("08001", "dcb: could not connect: " + trim(PQerrorMessage(c.get()))); };
	if (PQstatus(c.get()) == CONNECTION_BAD) throw failed();
	std::optional<Clock::time_point> give_up;
	if (const auto t = connect_timeout(c.get())) give_up = Clock::now() + *t;
	// PQconnectPoll after PQconnectStart behaves as if it had last returned PGRES_POLLING_WRITING.
	PostgresPollingStatusType state = PGRES_POLLING_WRITING;
	while (state != PGRES_POLLING_OK) {
		if (state == PGRES_POLLING_FAILED) throw failed();
		const int fd = PQsocket(c.get());
		if (fd < 0) throw failed();
		const auto now = Clock::now();
		if (control.stop.stop_requested()) throw Canceled("57014", "dcb: canceled while connecting");
		if (control.deadline && now >= *control.deadline) throw Timeout("57014", "dcb: deadline exceeded while connecting");
		if (give_up && now >= *give_up) throw ConnectionError("08001", "dcb: could not connect: timeout expired (connect_timeout)");
		auto limit = control.deadline;
		if (give_up && (!limit || *give_up < *limit)) limit = give_up;
		int timeout_ms = 100;  // notice a stop request while the server stays silent
		if (limit)
			timeout_ms = static_cast<int>(std::min<long long>(
			    timeout_ms, std::chrono::ceil<std::chrono::milliseconds>(*limit - now).count()));
		pollfd p{fd, static_cast<short>(state == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
		const int r = poll(&p, 1, timeout_ms);
		if (r < 0 && errno != EINTR)
			throw ConnectionError("08001", std::string("dcb: could not connect: poll failed: ") + std::strerror(errno));
		if (r > 0) state = PQconnectPoll(c.get());
	}
	std::unique_ptr<PgConnection> conn(new PgConnection(c.release(), true));
	conn->notices_ = notices;
	PQsetNoticeReceiver(conn->conn_, notice_receiver, conn.get());
	return conn;
}

std::unique_ptr<PgConnection> PgConnection::borrow(PGconn* conn) {
	if (!conn) throw InvalidArgument("22004", "dcb: borrowed connection is null");
	return std::unique_ptr<PgConnection>(new PgConnection(conn, false));
}

PgConnection::~PgConnection() {
	if (owned_) PQfinish(conn_);
}

bool PgConnection::broken() const noexcept { return broken_ || PQstatus(conn_) != CONNECTION_OK; }

bool PgConnection::alive_when_idle() noexcept {
	if (broken()) return false;
	pollfd p{PQsocket(conn_), POLLIN, 0};
	if (p.fd < 0) return false;
	// Nothing to read is the normal case. Otherwise it is a notice, a parameter change, or the server's goodbye:
	// a FATAL message (see notice_receiver), then the end of the stream, after which libpq sets CONNECTION_BAD.
	// PQisBusy parses what was read, handing messages to the notice receiver.
	for (int reads = 0; reads < 8 && !broken_ && poll(&p, 1, 0) > 0; ++reads) {
		if (!PQconsumeInput(conn_)) broken_ = true;
		else (void)PQisBusy(conn_);
	}
	if (goodbye_) broken_ = true;
	return !broken();
}

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
	static_assert(statement_kind_count <= static_cast<int>(sizeof prepared_ / sizeof prepared_[0]));
	if (k < 0 || k >= statement_kind_count) throw InvalidArgument("22023", "dcb: unknown statement");
	if (prepared_[k]) return;
	if (!owned_ && !prepared_checked_) {
		// A borrowed connection may already have our statements (another store over it). A failing
		// PREPARE would abort the caller's transaction, so look first.
		Result r(PQexec(conn_, "SELECT name FROM pg_catalog.pg_prepared_statements WHERE name LIKE 'dcb\\_%'"));
		if (PQresultStatus(r.get()) != PGRES_TUPLES_OK)
			throw_error(field(r.get(), PG_DIAG_SQLSTATE).empty() ? "08006" : field(r.get(), PG_DIAG_SQLSTATE),
			            "dcb: " + trim(PQerrorMessage(conn_)));
		for (int row = 0; row < PQntuples(r.get()); ++row)
			for (int s = 0; s < statement_kind_count; ++s)
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
		            state == "42883" ? "is the extension installed, at version 0.2.0 or later? CREATE EXTENSION dcb; or ALTER EXTENSION dcb UPDATE;"
		                               : field(r.get(), PG_DIAG_MESSAGE_HINT));
	}
	prepared_[k] = true;
}

void PgConnection::send(const StatementCall& call) {
	const int n = statement_param_count(call.kind);
	if (static_cast<int>(call.params.size()) != n)
		throw InvalidArgument("22023", "dcb: wrong number of statement parameters");
	const char* values[8] = {};
	if (n > static_cast<int>(sizeof values / sizeof values[0])) throw InvalidArgument("22023", "dcb: too many statement parameters");
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

bool PgConnection::commits_on_its_own(std::span<const StatementCall> calls) const noexcept {
	// Inside the caller's transaction a lost connection rolls everything back: the outcome is known.
	if (PQtransactionStatus(conn_) != PQTRANS_IDLE) return false;
	return std::any_of(calls.begin(), calls.end(), [](const StatementCall& c) { return c.kind == StatementKind::append; });
}

void PgConnection::execute(const StatementCall& call, RowSink& sink, const ExecutionControl& control, Clock::duration grace) {
	if (broken()) throw ConnectionError("08006", "dcb: connection is broken");
	check_before_start(control);
	if (call.sql_comment.empty()) ensure_prepared(call.kind);
	const bool may_commit = commits_on_its_own(std::span(&call, 1));
	Waiter w(conn_, control, grace);
	Collected c;
	try {
		send(call);
		std::stop_callback<CancelOnStop> on_stop(control.stop, CancelOnStop{&w});
		c = collect(w, &sink);
	} catch (const ConnectionError& e) {
		if (may_commit) throw OutcomeUnknown("08007", std::string(e.what()) + " (the append may have been committed)");
		throw;
	}
	if (c.error && may_commit && c.error->sqlstate == "08006")
		throw OutcomeUnknown("08007", c.error->message + " (the append may have been committed)");
	if (c.error) raise(w, *c.error);
	if (c.sink_error) std::rethrow_exception(c.sink_error);
}

void PgConnection::execute_sql(const std::string& sql, std::span<const std::optional<std::string>> params, RowSink* sink,
                               const ExecutionControl& control, Clock::duration grace) {
	if (broken()) throw ConnectionError("08006", "dcb: connection is broken");
	check_before_start(control);
	std::vector<const char*> values;
	values.reserve(params.size());
	for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
	Waiter w(conn_, control, grace);
	if (!PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0))
		connection_failed("could not send the statement");
	Collected c;
	{
		std::stop_callback<CancelOnStop> on_stop(control.stop, CancelOnStop{&w});
		c = collect(w, sink);
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
	const bool may_commit = commits_on_its_own(calls);
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
	} catch (const ConnectionError& e) {
		broken_ = true;
		if (!owned_) PQsetnonblocking(conn_, 0);
		if (may_commit) throw OutcomeUnknown("08007", std::string(e.what()) + " (appends of the batch may have been committed)");
		throw;
	} catch (...) {
		broken_ = true;  // results of the pipeline may still be pending
		if (!owned_) PQsetnonblocking(conn_, 0);
		throw;
	}
	if (!PQexitPipelineMode(conn_)) broken_ = true;
	PQsetnonblocking(conn_, 0);
}

}  // namespace dcb::detail
