// pool.hpp — a thread-safe pool of libpq connections, and the two libpq backends (pool, borrowed).
#pragma once

#include "pg_connection.hpp"

#include <condition_variable>
#include <mutex>
#include <vector>

namespace dcb::detail {

/// What a pool is told besides its conninfo.
struct PoolSettings {
	std::size_t max_size = 8;
	Clock::duration max_lifetime{};             ///< zero: connections are kept for ever
	std::shared_ptr<MetricsCollector> metrics{};  ///< gets the pool gauges (may be null)
	std::string role{};                         ///< the `pool` label of the gauges: primary, replica
};

class ConnectionPool {
public:
	/// `notices` (may be null) must outlive the pool.
	ConnectionPool(std::string conninfo, PoolSettings settings, const NoticeSink* notices = nullptr);

	/// A connection taken from the pool; returned on destruction unless it broke.
	class Lease {
	public:
		Lease(ConnectionPool& pool, std::unique_ptr<PgConnection> c) : pool_(&pool), conn_(std::move(c)) {}
		Lease(Lease&&) = default;
		Lease& operator=(Lease&&) = delete;
		~Lease();
		PgConnection& operator*() const { return *conn_; }
		PgConnection* operator->() const { return conn_.get(); }

	private:
		ConnectionPool* pool_;
		std::unique_ptr<PgConnection> conn_;
	};

	/// Waits for an idle connection (or opens one) until the call's deadline / stop request. An idle connection
	/// that the server has closed meanwhile, or that has outlived max_lifetime, is closed instead of handed out.
	Lease acquire(const ExecutionControl& control);
	const std::string& conninfo() const noexcept { return conninfo_; }

private:
	void release(std::unique_ptr<PgConnection> c) noexcept;
	bool expired(const PgConnection& c) const noexcept;
	/// Reports the gauges; called with mutex_ held so that the values reported last are the current ones.
	void report() const noexcept;

	const std::string conninfo_;
	const PoolSettings settings_;
	const NoticeSink* notices_;
	std::mutex mutex_;
	std::condition_variable_any available_;
	std::vector<std::unique_ptr<PgConnection>> idle_;
	std::size_t open_ = 0;  // idle + leased + being opened
};

/// Backend over an owned pool.
class PoolBackend final : public Backend {
public:
	PoolBackend(std::string conninfo, PoolSettings settings, Clock::duration grace, NoticeSink notices = {})
	    : notices_(std::move(notices)), pool_(std::move(conninfo), std::move(settings), &notices_), grace_(grace) {}
	void execute(const StatementCall& call, RowSink& sink, const ExecutionControl& control) override;
	void execute_batch(std::span<const StatementCall> calls, std::span<RowSink* const> sinks, const ExecutionControl& control,
	                   std::vector<std::exception_ptr>& errors) override;
	std::string_view name() const override { return "pool"; }
	/// Opens a connection (or checks one out) and returns it to the pool; throws ConnectionError.
	void warm_up() { (void)pool_.acquire({}); }
	/// The server's conninfo (subscriptions open connections of their own to it).
	const std::string& conninfo() const noexcept { return pool_.conninfo(); }

private:
	NoticeSink notices_;  // before pool_: outlives the connections
	ConnectionPool pool_;
	Clock::duration grace_;
};

/// Backend over a caller's PGconn*: statements run in the caller's session (and transaction, if open).
class BorrowedBackend final : public Backend {
public:
	BorrowedBackend(PGconn* conn, Clock::duration grace) : conn_(PgConnection::borrow(conn)), grace_(grace) {}
	void execute(const StatementCall& call, RowSink& sink, const ExecutionControl& control) override;
	void execute_batch(std::span<const StatementCall> calls, std::span<RowSink* const> sinks, const ExecutionControl& control,
	                   std::vector<std::exception_ptr>& errors) override;
	std::string_view name() const override { return "libpq"; }

private:
	std::mutex mutex_;  // a connection runs one statement at a time
	std::unique_ptr<PgConnection> conn_;
	Clock::duration grace_;
};

}  // namespace dcb::detail
