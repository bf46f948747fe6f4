// dcb/event_store.hpp — the event store client.
//
//   auto store = dcb::EventStore::connect("host=127.0.0.1 dbname=app");
//   dcb::QueryResult r = store.query(filter);
//   store.append(filter, r.max_seq, {dcb::Event{.type = "X", .data = "{}"}});   // throws ConcurrencyConflict
//
// An EventStore is a cheap, copyable handle (shared state). Stores made by connect() own a thread-safe
// connection pool and can be used from any number of threads. Stores over a borrowed connection
// (borrow(), dcb::pqxx_store()) run every statement on that connection, inside the caller's transaction
// when one is open, and must not be used from several threads at once.
#pragma once

#include "dcb/export.hpp"

#include "dcb/backend.hpp"
#include "dcb/event.hpp"
#include "dcb/filter.hpp"
#include "dcb/options.hpp"
#include "dcb/snapshot.hpp"
#include "dcb/subscription.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

extern "C" {
typedef struct pg_conn PGconn;
}

namespace dcb {

struct ProjectionOptions;  // dcb/projection.hpp

/// One append of a batch.
struct AppendRequest {
	std::optional<Filter> filter{};  ///< nullopt = unconditional
	std::int64_t expected_max = 0;
	std::vector<Event> events{};
};

/// Outcome of one append of a batch: the last seq, or the error it raised.
struct AppendOutcome {
	std::int64_t last_seq = 0;
	std::exception_ptr error{};
	bool ok() const noexcept { return !error; }
};

/// One read of a batch (see EventStore::query_batch).
struct ReadRequest {
	Filter filter{};
	std::int64_t after = 0;
	std::optional<std::int32_t> limit{};
	bool backwards = false;
};

/// Result of EventStore::execute.
struct ExecuteResult {
	std::int64_t last_seq = 0;     ///< seq of the last appended event; 0 when decide returned nothing
	std::size_t appended = 0;      ///< number of events appended
	int attempts = 0;              ///< 1 + number of retries after conflicts
	std::vector<StoredEvent> read{};  ///< the events the successful decision was based on
};

/// The command handler: given the events matching the filter, return the events to append (or none).
using Decide = std::function<std::vector<Event>(const std::vector<StoredEvent>& events)>;

class DCB_API EventStore {
public:
	/// Owns a pool of up to options.pool_size connections to `conninfo` (libpq syntax), and, when
	/// options.replica is set, a second pool for Consistency::eventual reads.
	static EventStore connect(const std::string& conninfo, StoreOptions options = {});
	/// Same, with a replica for eventual reads.
	static EventStore connect(const std::string& primary, const std::string& replica, StoreOptions options = {});
	/// Runs on the caller's connection (and transaction). The connection must outlive the store.
	static EventStore borrow(PGconn* connection, StoreOptions options = {});
	/// Any backend (adapters). `replica` may be null.
	static EventStore with_backend(std::shared_ptr<Backend> primary, std::shared_ptr<Backend> replica,
	                               StoreOptions options = {});

	/// Events matching `filter` (see QueryOptions), and the position to append at.
	QueryResult query(const Filter& filter, const QueryOptions& options = {}) const;

	/// Appends `events` atomically unless an event matching `filter` has seq > expected_max, in which case it
	/// throws dcb::ConcurrencyConflict. Returns the seq of the last appended event.
	std::int64_t append(const Filter& filter, std::int64_t expected_max, const std::vector<Event>& events,
	                    const CallOptions& options = {}) const;
	/// Appends without a condition.
	std::int64_t append(const std::vector<Event>& events, const CallOptions& options = {}) const;

	/// Several appends in one round trip (pipeline mode on libpq backends); each is its own transaction on a
	/// pooled connection. Outcomes are in request order; one failing does not stop the others.
	std::vector<AppendOutcome> append_batch(const std::vector<AppendRequest>& requests,
	                                        const CallOptions& options = {}) const;

	/// Several reads in one round trip (pipeline mode on libpq backends), results in request order. Throws the
	/// first error. On a pooled connection each read is its own snapshot.
	std::vector<QueryResult> query_batch(const std::vector<ReadRequest>& requests,
	                                     Consistency consistency = Consistency::strong,
	                                     const CallOptions& options = {}) const;

	/// The highest position that is safe to read up to (dcb_head()).
	std::int64_t head(Consistency consistency = Consistency::strong, const CallOptions& options = {}) const;

	/// Command handler: read (strong) → decide(events) → append at the read's position; on a conflict, back off
	/// and start again under the retry policy. Events without an id get a random UUID before their first
	/// append, so an append whose acknowledgement was lost is retried idempotently.
	ExecuteResult execute(const Filter& filter, const Decide& decide, const ExecuteOptions& options) const;
	ExecuteResult execute(const Filter& filter, const Decide& decide) const;

	/// Snapshots (dcb/snapshot.hpp), named by `projection` and the meaning of `filter`. save_snapshot stores `data`
	/// (JSON text) as the state at `seq` (at most the head) unless a snapshot with a higher seq is stored.
	void save_snapshot(const std::string& projection, const Filter& filter, std::int64_t seq, const std::string& data,
	                   const CallOptions& options = {}) const;
	/// The snapshot, or nullopt when there is none.
	std::optional<Snapshot> load_snapshot(const std::string& projection, const Filter& filter,
	                                      const CallOptions& options = {}) const;
	/// Whether there was a snapshot to delete.
	bool delete_snapshot(const std::string& projection, const Filter& filter, const CallOptions& options = {}) const;

	/// Command handler from a snapshot: load the snapshot of (command.projection, filter) → fold from its data and the
	/// events after its seq (strong) → save a new snapshot when enough events were read (save_after_events) →
	/// decide → append at max(snapshot's seq, last seq read); on a conflict, back off and start again, as execute().
	/// The decision is the one execute() makes from the whole boundary, given a fold as Projection describes.
	SnapshotExecuteResult execute_from_snapshot(const Filter& filter, const SnapshotCommand& command,
	                                            const SnapshotExecuteOptions& options = {}) const;
	/// The same with a typed projection; `decide` takes `const State&` and returns std::vector<Event>.
	template <typename State, typename DecideFn>
	SnapshotExecuteResult execute_from_snapshot(const Filter& filter, const Projection<State>& projection, DecideFn&& decide,
	                                            const SnapshotExecuteOptions& options = {}) const {
		std::optional<State> state;
		return execute_from_snapshot(filter, snapshot_command(projection, decide, state), options);
	}

	/// Follows the log from `after`: the handler gets the events matching `filter`, in seq order, each once, in
	/// batches, on a thread and a connection of the subscription's own; reconnects after a lost connection and
	/// resumes where it was. See dcb/subscription.hpp.
	Subscription subscribe(const Filter& filter, std::int64_t after, SubscriptionHandler handler,
	                       SubscriptionOptions options = {}) const;
	/// Keeps a read model from the events matching `filter`: each batch, the handler's writes and the checkpoint of
	/// `consumer` (dcb_consumer_advance) commit in one transaction, so each event is applied exactly once. See
	/// dcb/projection.hpp.
	Subscription run_projection(std::string consumer, const Filter& filter, ProjectionHandler handler) const;
	Subscription run_projection(std::string consumer, const Filter& filter, ProjectionHandler handler,
	                            const ProjectionOptions& options) const;

	struct Impl;

private:
	explicit EventStore(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
	std::shared_ptr<const Impl> impl_;
};

/// A random (version 4) UUID in canonical text form.
DCB_API std::string new_uuid();

}  // namespace dcb
