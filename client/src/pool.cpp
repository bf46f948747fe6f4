// pool.cpp — see pool.hpp.
#include "pool.hpp"

#include "dcb/errors.hpp"

namespace dcb::detail {

ConnectionPool::ConnectionPool(std::string conninfo, std::size_t max_size, const NoticeSink* notices)
    : conninfo_(std::move(conninfo)), max_size_(max_size == 0 ? 1 : max_size), notices_(notices) {}

ConnectionPool::Lease::~Lease() {
	if (conn_) pool_->release(std::move(conn_));
}

void ConnectionPool::release(std::unique_ptr<PgConnection> c) noexcept {
	const bool keep = !c->broken();
	{
		std::lock_guard lock(mutex_);
		if (keep) idle_.push_back(std::move(c));
		else --open_;
	}
	available_.notify_one();
	// a broken connection is closed here, outside the lock
}

ConnectionPool::Lease ConnectionPool::acquire(const ExecutionControl& control) {
	std::unique_lock lock(mutex_);
	auto ready = [&] { return !idle_.empty() || open_ < max_size_; };
	bool got;
	if (control.deadline) got = available_.wait_until(lock, control.stop, *control.deadline, ready);
	else got = available_.wait(lock, control.stop, ready);
	if (!got) {
		if (control.stop.stop_requested()) throw Canceled("57014", "dcb: canceled while waiting for a pooled connection");
		throw Timeout("57014", "dcb: deadline exceeded while waiting for a pooled connection");
	}
	if (!idle_.empty()) {
		auto c = std::move(idle_.back());
		idle_.pop_back();
		return Lease(*this, std::move(c));
	}
	++open_;
	lock.unlock();
	try {
		return Lease(*this, PgConnection::open(conninfo_, notices_));
	} catch (...) {
		lock.lock();
		--open_;
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
