// w3c_tracing.hpp — a complete tracing bridge for libdcb, written against its own interfaces only
// (dcb::TracingCollector, dcb::SpanContext, dcb::ContextualLogger): W3C trace context in and out, spans handed to
// an exporter when they end.
//
// It is the shape of an OpenTelemetry bridge without OpenTelemetry (not packaged for Debian 12). To bridge to
// opentelemetry-cpp, keep the structure and replace the marked lines: start_span → Tracer::StartSpan with the
// parent from the traceparent, add_attribute → Span::SetAttribute, set_status → Span::SetStatus, finish_span →
// Span::End, traceparent() → the span's SpanContext written as "00-<trace id>-<span id>-<flags>".
#pragma once

#include <dcb/observability.hpp>
#include <dcb/traceparent.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace w3c_tracing {

/// A finished span, as an exporter receives it.
struct FinishedSpan {
	std::string name;
	std::string trace_id;
	std::string span_id;
	std::string parent_span_id;  ///< empty for a root span
	std::string status;          ///< success | error | canceled | timeout
	dcb::Labels attributes;
	std::chrono::system_clock::time_point start;
	std::chrono::system_clock::time_point end;
};

class Span final : public dcb::SpanContext {
public:
	Span(std::string name, dcb::TraceParent context, std::string parent_span_id)
	    : name_(std::move(name)), context_(std::move(context)), parent_span_id_(std::move(parent_span_id)),
	      start_(std::chrono::system_clock::now()) {}

	void set_status(std::string_view status) override { status_ = status; }                // OTel: Span::SetStatus
	void add_attribute(std::string_view key, std::string_view value) override {             // OTel: Span::SetAttribute
		attributes_.insert_or_assign(std::string(key), std::string(value));
	}
	// libdcb puts this into the SQL as /*traceparent='...'*/ and hands it to the ContextualLogger.
	std::string traceparent() const override { return context_.to_string(); }

	FinishedSpan finish(const dcb::Labels& attributes) const {
		dcb::Labels all = attributes_;
		for (const auto& [k, v] : attributes) all.insert_or_assign(k, v);
		return FinishedSpan{name_, context_.trace_id, context_.span_id, parent_span_id_, status_, std::move(all), start_,
		                    std::chrono::system_clock::now()};
	}

private:
	std::string name_;
	dcb::TraceParent context_;
	std::string parent_span_id_;
	std::string status_;
	dcb::Labels attributes_;
	std::chrono::system_clock::time_point start_;
};

/// The collector to put into dcb::StoreOptions::tracing. Thread-safe as long as the exporter is.
class Tracing final : public dcb::TracingCollector {
public:
	using Exporter = std::function<void(const FinishedSpan&)>;
	explicit Tracing(Exporter exporter) : exporter_(std::move(exporter)) {}

	std::unique_ptr<dcb::SpanContext> start_span(std::string_view parent_traceparent, std::string_view name,
	                                             const dcb::Labels& attributes) override {
		// The parent is the caller's span (CallOptions::traceparent) or libdcb's enclosing eventstore.execute span.
		// Without one this starts a new trace; an OTel bridge would take the runtime context's current span instead.
		const auto parent = dcb::TraceParent::parse(parent_traceparent);
		auto span = std::make_unique<Span>(std::string(name), parent ? parent->child() : dcb::TraceParent::generate(),
		                                   parent ? parent->span_id : std::string());  // OTel: Tracer::StartSpan
		for (const auto& [k, v] : attributes) span->add_attribute(k, v);
		return span;
	}

	void finish_span(dcb::SpanContext& span, std::string_view, const dcb::Labels& attributes) override {
		const FinishedSpan done = static_cast<Span&>(span).finish(attributes);  // OTel: Span::End
		std::lock_guard lock(mutex_);
		exporter_(done);
	}

private:
	std::mutex mutex_;
	Exporter exporter_;
};

/// Log lines correlated with the spans: trace_id and span_id of the operation that logs.
class Logger final : public dcb::ContextualLogger {
public:
	using Sink = std::function<void(std::string_view level, const std::string& line)>;
	explicit Logger(Sink sink) : sink_(std::move(sink)) {}

	void debug(const dcb::LogContext& c, std::string_view m, const dcb::LogFields& f) override { log("debug", c, m, f); }
	void info(const dcb::LogContext& c, std::string_view m, const dcb::LogFields& f) override { log("info", c, m, f); }
	void warn(const dcb::LogContext& c, std::string_view m, const dcb::LogFields& f) override { log("warn", c, m, f); }
	void error(const dcb::LogContext& c, std::string_view m, const dcb::LogFields& f) override { log("error", c, m, f); }

private:
	void log(std::string_view level, const dcb::LogContext& c, std::string_view msg, const dcb::LogFields& fields) {
		std::string line(msg);
		for (const auto& [k, v] : fields) line += " " + k + "=" + v;
		if (!c.trace_id().empty()) line += " trace_id=" + std::string(c.trace_id()) + " span_id=" + std::string(c.span_id());
		std::lock_guard lock(mutex_);
		sink_(level, line);
	}

	std::mutex mutex_;
	Sink sink_;
};

}  // namespace w3c_tracing
