// batch.cpp — several reads or appends in one round trip (Backend::execute_batch: libpq pipeline mode).
#include "event_store_impl.hpp"

#include "dcb/errors.hpp"
#include "instrumentation.hpp"
#include "row_sinks.hpp"
#include "statement_calls.hpp"

namespace dcb {

std::vector<AppendOutcome> EventStore::append_batch(const std::vector<AppendRequest>& requests, const CallOptions& options) const {
	detail::Operation op(impl_->options, "append", spans::append, options.traceparent,
	                     {{"batch_size", std::to_string(requests.size())}});
	return op.run([&] {
		std::vector<StatementCall> calls;
		calls.reserve(requests.size());
		for (const auto& r : requests)
			calls.push_back(detail::append_call(r.filter, r.expected_max, r.events, impl_->options.tag_rules,
			                                   impl_->options.store, op.traceparent()));
		std::vector<detail::ScalarSink> sinks(requests.size());
		std::vector<std::exception_ptr> errors;
		const auto t0 = Clock::now();
		impl_->primary->execute_batch(calls, detail::sink_pointers(sinks), detail::control_of(options), errors);
		op.sql_executed(metrics::append_sql_duration, statement_sql(StatementKind::append), Clock::now() - t0);
		std::vector<AppendOutcome> out(requests.size());
		std::size_t appended = 0, failed = 0;
		for (std::size_t i = 0; i < requests.size(); ++i) {
			out[i].error = errors[i];
			if (!out[i].error) {
				try {
					out[i].last_seq = sinks[i].required("dcb_append");
					appended += requests[i].events.size();
				} catch (const Error&) {
					out[i].error = std::current_exception();
				}
			}
			if (out[i].error) ++failed;
		}
		op.count(metrics::events_appended, static_cast<double>(appended));
		op.add_attribute("failed", std::to_string(failed));
		op.succeed("eventstore operation: append batch",
		           {{"batch_size", std::to_string(requests.size())}, {"failed", std::to_string(failed)}});
		return out;
	});
}

std::vector<QueryResult> EventStore::query_batch(const std::vector<ReadRequest>& requests, Consistency consistency,
                                                 const CallOptions& options) const {
	detail::Operation op(impl_->options, "query", spans::query, options.traceparent,
	                     {{"batch_size", std::to_string(requests.size())},
	                      {"consistency", consistency == Consistency::strong ? "strong" : "eventual"}});
	return op.run([&] {
		std::vector<StatementCall> calls;
		calls.reserve(requests.size());
		for (const auto& r : requests)
			calls.push_back(
			    detail::read_call(r.filter, r.after, r.limit, r.backwards, impl_->options.store, op.traceparent()));
		std::vector<detail::EventSink> sinks(requests.size());
		std::vector<std::exception_ptr> errors;
		const auto t0 = Clock::now();
		impl_->reader(consistency).execute_batch(calls, detail::sink_pointers(sinks), detail::control_of(options), errors);
		op.sql_executed(metrics::query_sql_duration, statement_sql(StatementKind::read), Clock::now() - t0);
		for (const auto& e : errors)
			if (e) std::rethrow_exception(e);
		std::vector<QueryResult> out;
		out.reserve(requests.size());
		std::size_t total = 0;
		for (std::size_t i = 0; i < requests.size(); ++i) {
			out.push_back(detail::query_result(requests[i].after, std::move(sinks[i].events)));
			total += out.back().events.size();
		}
		op.count(metrics::events_queried, static_cast<double>(total));
		op.succeed("eventstore operation: query batch",
		           {{"batch_size", std::to_string(requests.size())}, {"event_count", std::to_string(total)}});
		return out;
	});
}

}  // namespace dcb
