// dcb/observability.hpp — dependency-free logging, metrics and tracing hooks.
//
// Shaped like the reference library's interfaces (Logger, ContextualLogger, MetricsCollector,
// TracingCollector/SpanContext) so adapters to spdlog, OpenTelemetry or anything else are a few lines.
// All hooks are optional; implementations must be thread-safe (one store is used from many threads)
// and should not throw — an exception from a hook is caught and dropped by the library.
#pragma once

#include "dcb/export.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dcb {

/// Key/value pairs attached to log lines.
using LogFields = std::vector<std::pair<std::string, std::string>>;
/// Metric labels and span attributes.
using Labels = std::map<std::string, std::string, std::less<>>;

/// Plain logger: SQL at debug level (with duration), operations at info, conflicts at warn, errors at error.
class DCB_API Logger {
public:
	virtual ~Logger() = default;
	virtual void debug(std::string_view msg, const LogFields& fields) = 0;
	virtual void info(std::string_view msg, const LogFields& fields) = 0;
	virtual void warn(std::string_view msg, const LogFields& fields) = 0;
	virtual void error(std::string_view msg, const LogFields& fields) = 0;
};

/// What a contextual log line is correlated with: the W3C traceparent of the current span (may be empty).
struct DCB_API LogContext {
	std::string_view traceparent{};
	std::string_view trace_id() const;  ///< 32 hex digits, or empty
	std::string_view span_id() const;   ///< 16 hex digits, or empty
};

/// Logger that receives the trace context, for automatic trace/span id correlation.
class DCB_API ContextualLogger {
public:
	virtual ~ContextualLogger() = default;
	virtual void debug(const LogContext& ctx, std::string_view msg, const LogFields& fields) = 0;
	virtual void info(const LogContext& ctx, std::string_view msg, const LogFields& fields) = 0;
	virtual void warn(const LogContext& ctx, std::string_view msg, const LogFields& fields) = 0;
	virtual void error(const LogContext& ctx, std::string_view msg, const LogFields& fields) = 0;
};

/// Metrics sink. Names follow OpenTelemetry/Prometheus conventions (see dcb::metrics).
class DCB_API MetricsCollector {
public:
	virtual ~MetricsCollector() = default;
	virtual void record_duration(std::string_view metric, std::chrono::nanoseconds duration, const Labels& labels) = 0;
	virtual void increment_counter(std::string_view metric, const Labels& labels) = 0;
	virtual void record_value(std::string_view metric, double value, const Labels& labels) = 0;
	/// A level that goes up and down (the pool gauges). Called with the pool's lock held, so that the value set last
	/// is the current one: keep it quick and do not call the store from it. Ignored unless overridden.
	virtual void set_gauge(std::string_view metric, double value, const Labels& labels) {
		(void)metric;
		(void)value;
		(void)labels;
	}
};

/// An active span.
class DCB_API SpanContext {
public:
	virtual ~SpanContext() = default;
	virtual void set_status(std::string_view status) = 0;
	virtual void add_attribute(std::string_view key, std::string_view value) = 0;
	/// The span's W3C traceparent ("00-<trace-id>-<span-id>-<flags>"), or empty when not sampled/known.
	/// It is carried into the SQL as a comment and handed to the ContextualLogger.
	virtual std::string traceparent() const = 0;
};

/// Span factory. `parent_traceparent` is the parent given in CallOptions::traceparent or the library's
/// enclosing span (e.g. eventstore.execute for its query/append); it may be empty, in which case an
/// implementation may use its own notion of the current span (e.g. OpenTelemetry's runtime context).
class DCB_API TracingCollector {
public:
	virtual ~TracingCollector() = default;
	virtual std::unique_ptr<SpanContext> start_span(std::string_view parent_traceparent, std::string_view name,
	                                                const Labels& attributes) = 0;
	virtual void finish_span(SpanContext& span, std::string_view status, const Labels& attributes) = 0;
};

/// The names the library reports. Labels: operation (query|append|execute|head), status
/// (success|error|canceled|timeout), error_type for errors.
namespace metrics {
inline constexpr std::string_view query_method_duration = "eventstore_query_method_duration_seconds";
inline constexpr std::string_view append_method_duration = "eventstore_append_method_duration_seconds";
inline constexpr std::string_view query_sql_duration = "eventstore_query_sql_duration_seconds";
inline constexpr std::string_view append_sql_duration = "eventstore_append_sql_duration_seconds";
inline constexpr std::string_view execute_method_duration = "eventstore_execute_method_duration_seconds";
inline constexpr std::string_view events_queried = "eventstore_events_queried_total";
inline constexpr std::string_view events_appended = "eventstore_events_appended_total";
inline constexpr std::string_view concurrency_conflicts = "eventstore_concurrency_conflicts_total";
inline constexpr std::string_view database_errors = "eventstore_database_errors_total";
inline constexpr std::string_view query_method_calls = "eventstore_query_method_calls_total";
inline constexpr std::string_view append_method_calls = "eventstore_append_method_calls_total";
inline constexpr std::string_view execute_method_calls = "eventstore_execute_method_calls_total";
inline constexpr std::string_view execute_retries = "eventstore_execute_retries_total";
inline constexpr std::string_view query_canceled = "eventstore_query_canceled_total";
inline constexpr std::string_view append_canceled = "eventstore_append_canceled_total";
inline constexpr std::string_view query_timeout = "eventstore_query_timeout_total";
inline constexpr std::string_view append_timeout = "eventstore_append_timeout_total";
/// Gauges of an owned pool, label pool = primary|replica.
inline constexpr std::string_view pool_connections_idle = "eventstore_pool_connections_idle";
inline constexpr std::string_view pool_connections_in_use = "eventstore_pool_connections_in_use";
inline constexpr std::string_view pool_connections_max = "eventstore_pool_connections_max";
}  // namespace metrics

/// Span names.
namespace spans {
inline constexpr std::string_view query = "eventstore.query";
inline constexpr std::string_view append = "eventstore.append";
inline constexpr std::string_view execute = "eventstore.execute";
inline constexpr std::string_view head = "eventstore.head";
inline constexpr std::string_view snapshot_save = "eventstore.snapshot_save";
inline constexpr std::string_view snapshot_load = "eventstore.snapshot_load";
inline constexpr std::string_view snapshot_delete = "eventstore.snapshot_delete";
}  // namespace spans

}  // namespace dcb
