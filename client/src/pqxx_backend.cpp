// pqxx_backend.cpp — Backend over a libpqxx 6.4 transaction (see dcb/pqxx.hpp).
#include "dcb/pqxx.hpp"

#include "dcb/errors.hpp"

#include <pqxx/connection_base>
#include <pqxx/except>
#include <pqxx/prepared_statement>
#include <pqxx/result>

#include <atomic>
#include <bitset>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace dcb {

namespace {

/// Cancels the running statement when the deadline passes or stop is requested; joined on destruction.
class Watchdog {
public:
	Watchdog(::pqxx::connection_base& conn, const ExecutionControl& control) {
		if (!control.deadline && !control.stop.stop_possible()) return;
		thread_ = std::thread([this, &conn, control] {
			std::unique_lock lock(mutex_);
			const bool done = control.deadline ? cv_.wait_until(lock, control.stop, *control.deadline, [this] { return done_; })
			                                   : cv_.wait(lock, control.stop, [this] { return done_; });
			if (done) return;
			(control.stop.stop_requested() ? canceled_ : timed_out_).store(true);
			try {
				conn.cancel_query();
			} catch (...) {
				// best effort: the statement then runs to its end
			}
		});
	}
	~Watchdog() {
		if (!thread_.joinable()) return;
		{
			std::lock_guard lock(mutex_);
			done_ = true;
		}
		cv_.notify_all();
		thread_.join();
	}
	Watchdog(const Watchdog&) = delete;
	Watchdog& operator=(const Watchdog&) = delete;

	bool timed_out() const { return timed_out_.load(); }
	bool canceled() const { return canceled_.load(); }

private:
	std::mutex mutex_;
	std::condition_variable_any cv_;
	bool done_ = false;
	std::atomic<bool> timed_out_{false};
	std::atomic<bool> canceled_{false};
	std::thread thread_;
};

/// libpqxx's what() is libpq's full message ("ERROR:  msg\nDETAIL:  ...\nHINT:  ..."): split it up.
[[noreturn]] void raise_split(const std::string& sqlstate, const std::string& what) {
	std::string message, detail, hint;
	std::size_t pos = 0;
	while (pos < what.size()) {
		std::size_t end = what.find('\n', pos);
		if (end == std::string::npos) end = what.size();
		std::string line = what.substr(pos, end - pos);
		pos = end + 1;
		auto strip = [&](const char* prefix) {
			const std::string p(prefix);
			if (line.rfind(p, 0) != 0) return false;
			line = line.substr(p.size());
			while (!line.empty() && line.front() == ' ') line.erase(0, 1);
			return true;
		};
		if (strip("DETAIL:")) detail = line;
		else if (strip("HINT:")) hint = line;
		else if (message.empty() && (strip("ERROR:") || strip("FATAL:") || !line.empty())) message = line;
	}
	throw_error(sqlstate, message.empty() ? what : message, detail, hint);
}

class PqxxBackend final : public Backend {
public:
	explicit PqxxBackend(::pqxx::transaction_base& tx) : tx_(tx) {}

	void execute(const StatementCall& call, RowSink& sink, const ExecutionControl& control) override {
		if (control.stop.stop_requested()) throw Canceled("57014", "dcb: canceled before the statement was sent");
		if (control.deadline && Clock::now() >= *control.deadline)
			throw Timeout("57014", "dcb: deadline exceeded before the statement was sent");
		std::vector<const char*> params;
		for (const auto& p : call.params) params.push_back(p ? p->c_str() : nullptr);
		const std::string name(statement_name(call.kind));
		::pqxx::result r;
		{
			Watchdog watchdog(tx_.conn(), control);
			try {
				if (call.sql_comment.empty()) {
					const auto k = static_cast<std::size_t>(call.kind);
					if (k >= prepared_.size()) throw InvalidArgument("22023", "dcb: unknown statement");
					if (!prepared_[k]) {
						tx_.conn().prepare(name, std::string(statement_sql(call.kind)));
						prepared_[k] = true;
					}
					r = tx_.exec_prepared(name, ::pqxx::prepare::make_dynamic_params(params));
				} else {
					r = tx_.exec_params(call.sql_comment + std::string(statement_sql(call.kind)),
					                    ::pqxx::prepare::make_dynamic_params(params));
				}
			} catch (const ::pqxx::sql_error& e) {
				const std::string state = e.sqlstate();
				if (state == "57014" && watchdog.timed_out())
					throw Timeout(state, "dcb: deadline exceeded; the statement was canceled", e.what());
				if (state == "57014" && watchdog.canceled())
					throw Canceled(state, "dcb: canceled; the statement was canceled", e.what());
				raise_split(state.empty() ? "XX000" : state, e.what());
			} catch (const ::pqxx::serialization_failure& e) {
				// libpqxx 6.4 turns SQLSTATE 40001 into this class, which carries no SQLSTATE
				raise_split("40001", e.what());
			} catch (const ::pqxx::deadlock_detected& e) {
				raise_split("40P01", e.what());
			} catch (const ::pqxx::statement_completion_unknown& e) {
				throw OutcomeUnknown("40003", std::string("dcb: ") + e.what());
			} catch (const ::pqxx::transaction_rollback& e) {
				raise_split("40000", e.what());
			} catch (const ::pqxx::broken_connection& e) {
				throw ConnectionError("08006", std::string("dcb: ") + e.what());
			} catch (const ::pqxx::in_doubt_error& e) {
				throw OutcomeUnknown("08007", std::string("dcb: ") + e.what());
			} catch (const ::pqxx::usage_error& e) {
				throw Error("55000", std::string("dcb: ") + e.what());
			}
		}
		std::vector<std::optional<std::string_view>> cols(static_cast<std::size_t>(r.columns()));
		for (const auto& row : r) {
			for (std::size_t c = 0; c < cols.size(); ++c) {
				const auto f = row[static_cast<::pqxx::row::size_type>(c)];
				cols[c] = f.is_null() ? std::nullopt : std::optional<std::string_view>(std::in_place, f.c_str(), f.size());
			}
			sink.on_row(cols);
		}
	}

	std::string_view name() const override { return "pqxx"; }

private:
	::pqxx::transaction_base& tx_;
	std::bitset<8> prepared_;  // by StatementKind
};

}  // namespace

std::shared_ptr<Backend> pqxx_backend(pqxx::transaction_base& transaction) {
	return std::make_shared<PqxxBackend>(transaction);
}

EventStore pqxx_store(pqxx::transaction_base& transaction, StoreOptions options) {
	return EventStore::with_backend(pqxx_backend(transaction), nullptr, std::move(options));
}

}  // namespace dcb
