// instrumentation.cpp — see instrumentation.hpp.
#include "instrumentation.hpp"

#include "dcb/errors.hpp"

#include <cstdio>

namespace dcb::detail {

namespace {

std::string millis(std::chrono::nanoseconds d) {
	char buf[32];
	std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(d.count()) / 1e6);
	return buf;
}

template <typename F>
void guarded(F&& f) noexcept {
	try {
		f();
	} catch (...) {
		// observability must never change the outcome of a store call
	}
}

std::string_view duration_metric(std::string_view op) {
	if (op == "append") return metrics::append_method_duration;
	if (op == "execute") return metrics::execute_method_duration;
	return metrics::query_method_duration;  // query, head
}

std::string_view calls_metric(std::string_view op) {
	if (op == "append") return metrics::append_method_calls;
	if (op == "execute") return metrics::execute_method_calls;
	return metrics::query_method_calls;
}

std::string_view error_type_of(const std::exception& e, std::string_view op) {
	if (dynamic_cast<const ConcurrencyConflict*>(&e)) return "concurrency_conflict";
	if (dynamic_cast<const Timeout*>(&e)) return "timeout";
	if (dynamic_cast<const Canceled*>(&e)) return "canceled";
	if (dynamic_cast<const ConnectionError*>(&e)) return "connection";
	if (dynamic_cast<const InvalidArgument*>(&e)) return "invalid_argument";
	if (dynamic_cast<const DuplicateEventId*>(&e)) return "duplicate_event_id";
	if (dynamic_cast<const Error*>(&e)) return op == "append" ? "database_exec" : "database_query";
	return "client";
}

}  // namespace

Operation::Operation(const StoreOptions& options, std::string_view operation, std::string_view span_name,
                     std::string_view parent_traceparent, Labels attributes)
    : options_(options), operation_(operation), traceparent_(parent_traceparent), start_(Clock::now()) {
	attributes.emplace("operation", operation_);
	if (options_.tracing) {
		guarded([&] {
			span_ = options_.tracing->start_span(parent_traceparent, span_name, attributes);
			if (span_) {
				std::string tp = span_->traceparent();
				if (!tp.empty()) traceparent_ = std::move(tp);
			}
		});
	}
}

Operation::~Operation() {
	if (!finished_) finish("error", "abandoned");
}

void Operation::log(int level, std::string_view msg, const LogFields& fields) const noexcept {
	guarded([&] {
		if (options_.contextual_logger) {
			const LogContext ctx{traceparent_};
			auto& l = *options_.contextual_logger;
			if (level == 0) l.debug(ctx, msg, fields);
			else if (level == 1) l.info(ctx, msg, fields);
			else if (level == 2) l.warn(ctx, msg, fields);
			else l.error(ctx, msg, fields);
		} else if (options_.logger) {
			auto& l = *options_.logger;
			if (level == 0) l.debug(msg, fields);
			else if (level == 1) l.info(msg, fields);
			else if (level == 2) l.warn(msg, fields);
			else l.error(msg, fields);
		}
	});
}

void Operation::sql_executed(std::string_view metric, std::string_view sql, std::chrono::nanoseconds duration) {
	if (options_.metrics)
		guarded([&] { options_.metrics->record_duration(metric, duration, Labels{{"operation", operation_}}); });
	if (options_.logger || options_.contextual_logger)
		log(0, "executed sql for: " + operation_, {{"duration_ms", millis(duration)}, {"query", std::string(sql)}});
}

void Operation::count(std::string_view metric, double value) {
	if (options_.metrics)
		guarded([&] { options_.metrics->record_value(metric, value, Labels{{"operation", operation_}}); });
}

void Operation::add_attribute(std::string_view key, std::string value) {
	span_attributes_.insert_or_assign(std::string(key), std::move(value));
}

void Operation::succeed(std::string_view message, LogFields fields) {
	const auto d = Clock::now() - start_;
	fields.emplace_back("duration_ms", millis(d));
	log(1, message, fields);
	finish("success", {});
}

void Operation::fail(const std::exception& error) {
	const std::string_view type = error_type_of(error, operation_);
	LogFields fields{{"error", error.what()}, {"error_type", std::string(type)}, {"operation", operation_}};
	if (const auto* e = dynamic_cast<const Error*>(&error)) {
		fields.emplace_back("sqlstate", e->sqlstate());
		if (!e->detail().empty()) fields.emplace_back("detail", e->detail());
	}
	if (type == "concurrency_conflict") {
		log(1, "concurrency conflict detected", fields);
		finish("error", type);
	} else if (type == "timeout") {
		log(2, "eventstore operation timed out", fields);
		finish("timeout", type);
	} else if (type == "canceled") {
		log(2, "eventstore operation canceled", fields);
		finish("canceled", type);
	} else {
		log(3, "eventstore operation failed", fields);
		finish("error", type);
	}
}

void Operation::finish(std::string_view status, std::string_view error_type) noexcept {
	finished_ = true;
	const auto d = Clock::now() - start_;
	if (options_.metrics) {
		guarded([&] {
			auto& m = *options_.metrics;
			const Labels labels{{"operation", operation_}, {"status", std::string(status)}};
			m.record_duration(duration_metric(operation_), d, labels);
			m.increment_counter(calls_metric(operation_), labels);
			const bool is_append = operation_ == "append";
			if (error_type == "concurrency_conflict") {
				m.increment_counter(metrics::concurrency_conflicts, Labels{{"operation", operation_}, {"conflict_type", "concurrency"}});
			} else if (status == "canceled") {
				m.increment_counter(is_append ? metrics::append_canceled : metrics::query_canceled, labels);
			} else if (status == "timeout") {
				m.increment_counter(is_append ? metrics::append_timeout : metrics::query_timeout, labels);
			} else if (status == "error") {
				m.increment_counter(metrics::database_errors,
				                    Labels{{"operation", operation_}, {"status", "error"}, {"error_type", std::string(error_type)}});
			}
		});
	}
	if (span_ && options_.tracing) {
		guarded([&] {
			Labels attrs = span_attributes_;
			attrs.insert_or_assign("duration_ms", millis(d));
			if (!error_type.empty()) attrs.insert_or_assign("error_type", std::string(error_type));
			for (const auto& [k, v] : attrs) span_->add_attribute(k, v);
			span_->set_status(status);
			options_.tracing->finish_span(*span_, status, attrs);
		});
	}
}

}  // namespace dcb::detail
