// instrumentation.hpp — one store operation's span, metrics and log lines.
//
// Every hook call is guarded: an exception thrown by a user's logger/collector is swallowed, never
// propagated into the store's control flow.
#pragma once

#include "dcb/options.hpp"

#include <chrono>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

namespace dcb::detail {

class Operation {
public:
	/// Starts the span `span_name` (child of `parent_traceparent`) for `operation` (query|append|execute|head).
	Operation(const StoreOptions& options, std::string_view operation, std::string_view span_name,
	          std::string_view parent_traceparent, Labels attributes);
	Operation(const Operation&) = delete;
	Operation& operator=(const Operation&) = delete;
	~Operation();

	/// The traceparent to carry into SQL and to hand to child operations: this operation's span when the
	/// tracing collector gave one, else the caller's.
	const std::string& traceparent() const noexcept { return traceparent_; }

	/// Records the duration of the SQL round trip and logs the statement at debug level.
	void sql_executed(std::string_view metric, std::string_view sql, std::chrono::nanoseconds duration);
	void count(std::string_view metric, double value);
	void add_attribute(std::string_view key, std::string value);

	/// Ends the operation successfully; `message` is logged at info level with `fields`.
	void succeed(std::string_view message, LogFields fields);
	/// Ends the operation with the error currently being handled (call from a catch block).
	void fail(const std::exception& error);

	/// Runs the operation's body; an exception it throws ends the operation as failed and propagates.
	template <typename Body>
	auto run(Body&& body) -> decltype(body()) {
		try {
			return body();
		} catch (const std::exception& e) {
			fail(e);
			throw;
		}
	}

private:
	void log(int level, std::string_view msg, const LogFields& fields) const noexcept;
	void finish(std::string_view status, std::string_view error_type) noexcept;

	const StoreOptions& options_;
	std::string operation_;
	std::string traceparent_;
	std::unique_ptr<SpanContext> span_;
	Labels span_attributes_;
	Clock::time_point start_;
	bool finished_ = false;
};

}  // namespace dcb::detail
