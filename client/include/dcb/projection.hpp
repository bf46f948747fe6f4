// dcb/projection.hpp — projections: read models kept from the log, exactly once, in the database.
//
//   dcb::Subscription p = store.run_projection("loans-per-reader", filter,
//       [](const dcb::SubscriptionBatch& batch, dcb::ProjectionTransaction& tx) {
//           for (const auto& e : batch.events)
//               tx.exec("INSERT INTO loans ... ON CONFLICT ... DO UPDATE ...", {reader_of(e), delta_of(e)});
//       });
//
// The runner follows the log like a subscription (dcb/subscription.hpp), on a connection of its own, and runs
// every batch in one transaction: read the events after the consumer's checkpoint (dcb_read, gap-free), move the
// checkpoint over them (dcb_consumer_advance(consumer, expected, seq)), call the handler with the batch and the
// transaction, in which it writes its read model, and commit. The read model and the checkpoint therefore
// commit together or not at all: each event is applied exactly once, even when two instances of the projection
// run at once or one is killed in the middle of a batch — whoever continues starts from the committed
// checkpoint. A batch whose transaction fails with 40001 or 40P01 is rolled back and done again; when the
// advance itself fails with 40001, another instance moved the checkpoint: the runner reads it again and
// continues from there.
#pragma once

#include "dcb/export.hpp"

#include "dcb/event_store.hpp"
#include "dcb/options.hpp"
#include "dcb/subscription.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
typedef struct pg_conn PGconn;
}

namespace dcb {

/// The open transaction of one batch, on the runner's connection (READ COMMITTED). Valid during the handler only.
class DCB_API ProjectionTransaction {
public:
	virtual ~ProjectionTransaction() = default;

	/// Rows of a statement: text values, nullopt = NULL.
	using Rows = std::vector<std::vector<std::optional<std::string>>>;

	/// Runs one statement in the transaction, parameters as text ($1, $2 ...; nullopt = NULL), and returns its
	/// rows. A failure throws the dcb::Error of its SQLSTATE (ConcurrencyConflict for 40001/40P01: the runner
	/// rolls the batch back and does it again). Stopping the runner cancels it.
	virtual Rows exec(std::string_view sql, const std::vector<std::optional<std::string>>& params = {}) = 0;
	/// The libpq connection, inside the transaction, for handlers that use libpq directly. Never COMMIT, ROLLBACK
	/// or change the transaction's isolation on it; when a statement fails, throw (dcb::throw_error with its
	/// SQLSTATE) — a handler that returns with the transaction aborted fails the batch (25P02).
	virtual PGconn* connection() const noexcept = 0;
	/// A store in the same transaction: events appended through it commit with the read model and the checkpoint
	/// (a process manager's reactions), exactly once.
	virtual const EventStore& store() = 0;
	/// The projection's consumer name.
	virtual const std::string& consumer() const noexcept = 0;
};

struct ProjectionOptions {
	/// Batch size, waits, reconnects, conninfo, stop token; `name` defaults to the consumer name.
	SubscriptionOptions subscription{};
	/// A batch that fails with 40001 or 40P01 (in the handler or at commit) is done again after a backoff; after
	/// max_attempts tries the projection ends with the conflict. max_connection_retries is not used: the runner
	/// reconnects for as long as it runs.
	RetryPolicy retry{.max_attempts = 20};
	/// A filtered projection also moves its checkpoint past positions its reads vouched for without a match (so
	/// that a restart does not read them again), in a transaction without calling the handler — at most this
	/// often, since every such move is a commit. Zero: after every read.
	Clock::duration idle_checkpoint_interval = std::chrono::seconds(1);
};

}  // namespace dcb
