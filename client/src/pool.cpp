// pool.cpp — see pool.hpp.
#include "pool.hpp"

#include "dcb/errors.hpp"

namespace dcb::detail {

namespace {

PoolSettings at_least_one(PoolSettings s) {
	if (s.max_size == 0) s.max_size = 1;
	return s;
}

}  // namespace

ConnectionPool::ConnectionPool(std::string conninfo, PoolSettings settings, const NoticeSink* notices)
    : conninfo_(std::move(conninfo)), settings_(at_least_one(std::move(settings))), notices_(notices) {}

bool ConnectionPool::expired(const PgConnection& c) const noexcept {
	return settings_.max_lifetime > Clock::duration::zero() && Clock::now() - c.opened_at() >= settings_.max_lifetime;
}

void ConnectionPool::report() const noexcept {
	if (!settings_.metrics) return;
	try {
		auto& m = *settings_.metrics;
		m.set_gauge(metrics::pool_connections_idle, static_cast<double>(idle_.size()), Labels{{"pool", settings_.role}});
		m.set_gauge(metrics::pool_connections_in_use, static_cast<double>(open_ - idle_.size()), Labels{{"pool", settings_.role}});
		m.set_gauge(metrics::pool_connections_max, static_cast<double>(settings_.max_size), Labels{{"pool", settings_.role}});
	} catch (...) {
		// observability must never change the outcome of a store call
	}
}

ConnectionPool::Lease::~Lease() {
	if (conn_) pool_->release(std::move(conn_));
}

void ConnectionPool::release(std::unique_ptr<PgConnection> c) noexcept {
	const bool keep = !c->broken() && !expired(*c);
	{
		std::lock_guard lock(mutex_);
		if (keep) idle_.push_back(std::move(c));
		else --open_;
		report();
	}
	available_.notify_one();
	// a connection that is not kept is closed here, outside the lock
}

ConnectionPool::Lease ConnectionPool::acquire(const ExecutionControl& control) {
	std::unique_lock lock(mutex_);
	auto ready = [&] { return !idle_.empty() || open_ < settings_.max_size; };
	for (;;) {
		bool got;
		if (control.deadline) got = available_.wait_until(lock, control.stop, *control.deadline, ready);
		else got = available_.wait(lock, control.stop, ready);
		if (!got) {
			if (control.stop.stop_requested()) throw Canceled("57014", "dcb: canceled while waiting for a pooled connection");
			throw Timeout("57014", "dcb: deadline exceeded while waiting for a pooled connection");
		}
		if (idle_.empty()) break;
		// The most recently used idle connection first: the others may expire unused.
		auto c = std::move(idle_.back());
		idle_.pop_back();
		report();
		lock.unlock();
		// Checked outside the lock: reading what the server sent may call the notice processor.
		if (!expired(*c) && c->alive_when_idle()) return Lease(*this, std::move(c));
		c.reset();
		lock.lock();
		--open_;
		report();
	}
	++open_;
	report();
	lock.unlock();
	try {
		return Lease(*this, PgConnection::open(conninfo_, notices_, control));
	} catch (...) {
		lock.lock();
		--open_;
		report();
		lock.unlock();
		available_.notify_one();
		throw;
	}
}

void PoolBackend::execute(const StatementCall& call, RowSink& sink, const ExecutionControl& control) {
	auto lease = pool_.acquire(control);
	lease->execute(call, sink, control, grace_);
}

void PoolBackend::execute_batch(std::span<const StatementCall> calls, std::span<RowSink* const> sinks,
                                const ExecutionControl& control, std::vector<std::exception_ptr>& errors) {
	auto lease = pool_.acquire(control);
	lease->execute_pipeline(calls, sinks, control, grace_, errors);
}

void BorrowedBackend::execute(const StatementCall& call, RowSink& sink, const ExecutionControl& control) {
	std::lock_guard lock(mutex_);
	conn_->execute(call, sink, control, grace_);
}

void BorrowedBackend::execute_batch(std::span<const StatementCall> calls, std::span<RowSink* const> sinks,
                                    const ExecutionControl& control, std::vector<std::exception_ptr>& errors) {
	std::lock_guard lock(mutex_);
	conn_->execute_pipeline(calls, sinks, control, grace_, errors);
}

}  // namespace dcb::detail
