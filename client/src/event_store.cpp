// event_store.cpp — EventStore construction, query, append, append_batch and head.
#include "event_store_impl.hpp"

#include "dcb/errors.hpp"
#include "dcb/json.hpp"
#include "dcb/traceparent.hpp"
#include "instrumentation.hpp"
#include "pool.hpp"
#include "row_sinks.hpp"
#include "statement_calls.hpp"

#include <algorithm>

namespace dcb {

namespace detail {

ExecutionControl control_of(const CallOptions& c) { return ExecutionControl{c.deadline, c.stop}; }

std::optional<std::string> store_param(const std::string& store) {
	if (store.empty()) return std::nullopt;
	return store;
}

void check_store_name(const std::string& store) {
	if (store.empty()) return;
	bool ok = store.size() <= 58 && store[0] >= 'a' && store[0] <= 'z';
	for (const char c : store) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
	if (!ok)
		throw InvalidArgument("22023", "dcb: store name \"" + store + "\" is not valid",
		                      "A store name is 1 to 58 lower-case letters, digits and underscores, starting with a letter.");
}

StatementCall read_call(const Filter& f, std::int64_t after, std::optional<std::int32_t> limit, bool backwards,
                        const std::string& store, const std::string& traceparent) {
	if (after < 0) throw InvalidArgument("22023", "dcb: after must not be negative");
	if (limit && *limit <= 0) throw InvalidArgument("22023", "dcb: limit must be positive");
	StatementCall call{StatementKind::read, {}, traceparent_sql_comment(traceparent)};
	std::optional<std::string> filter;  // NULL: every event
	if (!f.matches_all_events() || f.occurred_from() || f.occurred_until()) filter = f.to_json();
	call.params = {std::move(filter), std::to_string(after),
	               limit ? std::optional<std::string>(std::to_string(*limit)) : std::nullopt,
	               std::string(backwards ? "true" : "false"), store_param(store)};
	return call;
}

StatementCall append_call(const std::optional<Filter>& filter, std::int64_t expected_max, const std::vector<Event>& events,
                          const TagRules& tag_rules, const std::string& store, const std::string& traceparent) {
	if (expected_max < 0) throw InvalidArgument("22023", "dcb: expected_max must not be negative");
	StatementCall call{StatementKind::append, {}, traceparent_sql_comment(traceparent)};
	call.params.push_back(filter ? std::optional<std::string>(filter->to_json()) : std::nullopt);
	call.params.push_back(std::to_string(expected_max));
	if (tag_rules.empty()) {
		call.params.push_back(events_to_json(events));
	} else {
		std::vector<Event> tagged = events;
		derive_tags(tag_rules, tagged);
		call.params.push_back(events_to_json(tagged));
	}
	call.params.push_back(store_param(store));
	return call;
}

QueryResult query_result(std::int64_t after, std::vector<StoredEvent> events) {
	QueryResult r;
	r.max_seq = after;
	for (const auto& e : events) r.max_seq = std::max(r.max_seq, e.seq);
	r.events = std::move(events);
	return r;
}

}  // namespace detail

using detail::append_call;
using detail::control_of;

EventStore EventStore::with_backend(std::shared_ptr<Backend> primary, std::shared_ptr<Backend> replica, StoreOptions options) {
	if (!primary) throw InvalidArgument("22004", "dcb: a store needs a primary backend");
	detail::check_store_name(options.store);
	auto impl = std::make_shared<Impl>();
	impl->primary = std::move(primary);
	impl->replica = std::move(replica);
	impl->options = std::move(options);
	return EventStore(std::move(impl));
}

EventStore EventStore::connect(const std::string& conninfo, StoreOptions options) {
	detail::check_store_name(options.store);  // before any connection is opened
	const detail::NoticeSink notices{options.logger, options.contextual_logger};
	auto pool = [&](std::string role) {
		return detail::PoolSettings{options.pool_size, options.max_connection_lifetime, options.metrics, std::move(role)};
	};
	auto primary = std::make_shared<detail::PoolBackend>(conninfo, pool("primary"), options.cancel_grace, notices);
	std::shared_ptr<Backend> replica;
	if (!options.replica.empty())
		replica = std::make_shared<detail::PoolBackend>(options.replica, pool("replica"), options.cancel_grace, notices);
	// Fail fast on a wrong conninfo: open one primary connection now (it stays in the pool). No SQL runs:
	// even dcb_head() may wait for in-flight appends.
	primary->warm_up();
	return with_backend(std::move(primary), std::move(replica), std::move(options));
}

EventStore EventStore::connect(const std::string& primary, const std::string& replica, StoreOptions options) {
	options.replica = replica;
	return connect(primary, std::move(options));
}

EventStore EventStore::borrow(PGconn* connection, StoreOptions options) {
	auto backend = std::make_shared<detail::BorrowedBackend>(connection, options.cancel_grace);
	return with_backend(std::move(backend), nullptr, std::move(options));
}

QueryResult EventStore::query(const Filter& filter, const QueryOptions& options) const {
	detail::Operation op(impl_->options, "query", spans::query, options.call.traceparent,
	                     {{"consistency", options.consistency == Consistency::strong ? "strong" : "eventual"}});
	return op.run([&] {
		StatementCall call = detail::read_call(filter, options.after, options.limit, options.backwards,
		                                       impl_->options.store, op.traceparent());
		detail::EventSink sink;
		const auto t0 = Clock::now();
		impl_->reader(options.consistency).execute(call, sink, control_of(options.call));
		op.sql_executed(metrics::query_sql_duration, statement_sql(call.kind), Clock::now() - t0);

		QueryResult r = detail::query_result(options.after, std::move(sink.events));
		op.count(metrics::events_queried, static_cast<double>(r.events.size()));
		op.add_attribute("event_count", std::to_string(r.events.size()));
		op.add_attribute("max_sequence", std::to_string(r.max_seq));
		op.succeed("eventstore operation: query",
		           {{"event_count", std::to_string(r.events.size())}, {"max_sequence", std::to_string(r.max_seq)}});
		return r;
	});
}

namespace {

/// Both append overloads: one statement, conditional when `filter` is set.
std::int64_t append_events(const EventStore::Impl& impl, const std::optional<Filter>& filter, std::int64_t expected_max,
                           const std::vector<Event>& events, const CallOptions& options) {
	const bool conditional = filter.has_value();
	Labels attributes{{"event_count", std::to_string(events.size())},
	                  {"conditional", conditional ? "true" : "false"},
	                  {"event_type", events.empty() ? std::string() : events.front().type}};
	LogFields fields{{"event_count", std::to_string(events.size())}};
	if (conditional) {
		attributes.emplace("expected_seq", std::to_string(expected_max));
		fields.emplace_back("expected_sequence", std::to_string(expected_max));
	}
	detail::Operation op(impl.options, "append", spans::append, options.traceparent, std::move(attributes));
	return op.run([&] {
		StatementCall call =
		    append_call(filter, expected_max, events, impl.options.tag_rules, impl.options.store, op.traceparent());
		detail::ScalarSink sink;
		const auto t0 = Clock::now();
		impl.primary->execute(call, sink, control_of(options));
		op.sql_executed(metrics::append_sql_duration, statement_sql(call.kind), Clock::now() - t0);
		const std::int64_t last = sink.required("dcb_append");
		op.count(metrics::events_appended, static_cast<double>(events.size()));
		op.add_attribute("last_sequence", std::to_string(last));
		op.succeed("eventstore operation: append", std::move(fields));
		return last;
	});
}

}  // namespace

std::int64_t EventStore::append(const std::vector<Event>& events, const CallOptions& options) const {
	return append_events(*impl_, std::nullopt, 0, events, options);
}

std::int64_t EventStore::append(const Filter& filter, std::int64_t expected_max, const std::vector<Event>& events,
                                const CallOptions& options) const {
	return append_events(*impl_, filter, expected_max, events, options);
}

std::int64_t EventStore::head(Consistency consistency, const CallOptions& options) const {
	detail::Operation op(impl_->options, "head", spans::head, options.traceparent, {});
	return op.run([&] {
		StatementCall call{StatementKind::head, {detail::store_param(impl_->options.store)},
		                   traceparent_sql_comment(op.traceparent())};
		detail::ScalarSink sink;
		const auto t0 = Clock::now();
		impl_->reader(consistency).execute(call, sink, control_of(options));
		op.sql_executed(metrics::query_sql_duration, statement_sql(call.kind), Clock::now() - t0);
		const std::int64_t head = sink.required("dcb_head");
		op.succeed("eventstore operation: head", {{"head", std::to_string(head)}});
		return head;
	});
}

}  // namespace dcb
