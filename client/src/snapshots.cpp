// snapshots.cpp — save_snapshot, load_snapshot, delete_snapshot (dcb_snapshot_save/load/delete), and the command
// handler that starts from a snapshot (execute_from_snapshot).
//
// Why execute_from_snapshot decides as execute() does: a snapshot at seq s holds the fold of the events matching the
// filter with seq <= s (the Projection contract), and dcb_read(filter, after => s) returns, gap-free, the matching
// events after s, so folding them onto the snapshot's state gives the fold of the whole boundary up to the read's
// position p = max(s, last seq read). Appending on the condition "nothing matching the filter after p" is then the
// condition execute() appends on: no event matching the filter lies in (p, the head at append time] in either case,
// and an event the read did not see is exactly one above p. A lower expected_max (s while events after s were read)
// would make every such append fail; a higher one would let an unseen event through.
#include "event_store_impl.hpp"

#include "attempts.hpp"
#include "dcb/errors.hpp"
#include "dcb/traceparent.hpp"
#include "instrumentation.hpp"
#include "row_sinks.hpp"
#include "statement_calls.hpp"

namespace dcb {

namespace {

using detail::control_of;
using detail::store_param;

/// Rows of dcb_snapshot_load: seq, data, created_at (epoch microseconds).
class SnapshotSink final : public RowSink {
public:
	std::optional<Snapshot> snapshot;
	void on_row(std::span<const std::optional<std::string_view>> cols) override {
		if (cols.size() < 3 || !cols[0] || !cols[1] || !cols[2])
			throw Error("XX000", "dcb: unexpected result from the server: a snapshot row lacks a column");
		Snapshot s;
		s.seq = detail::parse_int64(*cols[0]);
		s.data = std::string(*cols[1]);
		s.created_at = Timestamp(std::chrono::microseconds(detail::parse_int64(*cols[2])));
		snapshot = std::move(s);
	}
};

/// dcb_snapshot_save returns void: its row carries nothing.
class IgnoreRows final : public RowSink {
public:
	void on_row(std::span<const std::optional<std::string_view>>) override {}
};

void check_projection(const std::string& projection) {
	if (projection.empty() || projection.size() > 255)
		throw InvalidArgument("22023", "dcb: projection must be 1 to 255 bytes");
}

/// The filter as the snapshot functions take it (every filter has a JSON form; `{}` matches every event).
std::optional<std::string> filter_param(const Filter& filter) { return filter.to_json(); }

}  // namespace

void EventStore::save_snapshot(const std::string& projection, const Filter& filter, std::int64_t seq,
                               const std::string& data, const CallOptions& options) const {
	detail::Operation op(impl_->options, "snapshot_save", spans::snapshot_save, options.traceparent,
	                     {{"projection", projection}, {"seq", std::to_string(seq)}});
	op.run([&] {
		check_projection(projection);
		if (seq < 0) throw InvalidArgument("22023", "dcb: a snapshot's seq must not be negative");
		StatementCall call{StatementKind::snapshot_save,
		                   {projection, filter_param(filter), std::to_string(seq), data, store_param(impl_->options.store)},
		                   traceparent_sql_comment(op.traceparent())};
		IgnoreRows sink;
		const auto t0 = Clock::now();
		impl_->primary->execute(call, sink, control_of(options));
		op.sql_executed(metrics::append_sql_duration, statement_sql(call.kind), Clock::now() - t0);
		op.succeed("eventstore operation: snapshot save", {{"projection", projection}, {"seq", std::to_string(seq)}});
	});
}

std::optional<Snapshot> EventStore::load_snapshot(const std::string& projection, const Filter& filter,
                                                  const CallOptions& options) const {
	detail::Operation op(impl_->options, "snapshot_load", spans::snapshot_load, options.traceparent, {{"projection", projection}});
	return op.run([&] {
		check_projection(projection);
		StatementCall call{StatementKind::snapshot_load, {projection, filter_param(filter), store_param(impl_->options.store)},
		                   traceparent_sql_comment(op.traceparent())};
		SnapshotSink sink;
		const auto t0 = Clock::now();
		impl_->primary->execute(call, sink, control_of(options));
		op.sql_executed(metrics::query_sql_duration, statement_sql(call.kind), Clock::now() - t0);
		const std::string seq = sink.snapshot ? std::to_string(sink.snapshot->seq) : std::string("none");
		op.add_attribute("seq", seq);
		op.succeed("eventstore operation: snapshot load", {{"projection", projection}, {"seq", seq}});
		return std::move(sink.snapshot);
	});
}

bool EventStore::delete_snapshot(const std::string& projection, const Filter& filter, const CallOptions& options) const {
	detail::Operation op(impl_->options, "snapshot_delete", spans::snapshot_delete, options.traceparent, {{"projection", projection}});
	return op.run([&] {
		check_projection(projection);
		StatementCall call{StatementKind::snapshot_delete, {projection, filter_param(filter), store_param(impl_->options.store)},
		                   traceparent_sql_comment(op.traceparent())};
		detail::ScalarSink sink;
		const auto t0 = Clock::now();
		impl_->primary->execute(call, sink, control_of(options));
		op.sql_executed(metrics::append_sql_duration, statement_sql(call.kind), Clock::now() - t0);
		const bool deleted = sink.required("dcb_snapshot_delete") != 0;
		op.succeed("eventstore operation: snapshot delete", {{"projection", projection}, {"deleted", deleted ? "true" : "false"}});
		return deleted;
	});
}

SnapshotExecuteResult EventStore::execute_from_snapshot(const Filter& filter, const SnapshotCommand& command,
                                                        const SnapshotExecuteOptions& options) const {
	detail::Operation op(impl_->options, "execute", spans::execute, options.call.traceparent,
	                     {{"projection", command.projection}});
	return op.run([&] {
		if (!command.start || !command.apply || !command.decide)
			throw InvalidArgument("22023", "dcb: a snapshot command needs start, apply and decide (a Projection: initial, "
			                               "from_snapshot and apply)");
		check_projection(command.projection);
		CallOptions inner = options.call;
		inner.traceparent = op.traceparent();  // the load, read, save and append spans are children of this one
		const RetryPolicy policy = options.retry.applied_to(impl_->options.retry);
		detail::Attempts attempts(impl_->options, policy, options.call);  // as in execute()
		std::optional<std::int64_t> saved;
		return attempts.decisions([&](int attempt) {
			std::optional<Snapshot> snapshot;
			QueryResult read = attempts.step([&] {
				snapshot = load_snapshot(command.projection, filter, inner);
				return query(filter, QueryOptions{.after = snapshot ? snapshot->seq : 0,
				                                  .consistency = Consistency::strong,
				                                  .call = inner});
			});
			command.start(snapshot ? std::optional<std::string>(snapshot->data) : std::nullopt);
			for (const auto& e : read.events) command.apply(e);
			// The state now is the fold up to read.max_seq: a valid snapshot whatever the decision and the append do.
			// Saved before the append, so a failing save leaves nothing appended.
			if (command.to_snapshot && options.save_after_events > 0 && read.events.size() >= options.save_after_events) {
				const std::string data = command.to_snapshot();
				attempts.step([&] { save_snapshot(command.projection, filter, read.max_seq, data, inner); });
				saved = read.max_seq;
			}
			std::vector<Event> events = command.decide();
			std::int64_t last = 0;
			if (!events.empty()) {
				detail::stamp_ids(events);
				last = attempts.step([&] { return append(filter, read.max_seq, events, inner); });
			}
			const std::string snapshot_seq = snapshot ? std::to_string(snapshot->seq) : std::string("none");
			op.add_attribute("attempts", std::to_string(attempt));
			op.add_attribute("snapshot_seq", snapshot_seq);
			op.add_attribute("read_position", std::to_string(read.max_seq));
			op.succeed("eventstore operation: execute from snapshot",
			           {{"attempts", std::to_string(attempt)},
			            {"appended", std::to_string(events.size())},
			            {"snapshot_seq", snapshot_seq},
			            {"events_after_snapshot", std::to_string(read.events.size())}});
			return SnapshotExecuteResult{last,
			                             events.size(),
			                             attempt,
			                             std::move(read.events),
			                             snapshot ? std::optional<std::int64_t>(snapshot->seq) : std::nullopt,
			                             read.max_seq,
			                             saved};
		});
	});
}

}  // namespace dcb
