// dcb/subscription.hpp — following the log: live, gap-free subscriptions.
//
//   dcb::Subscription sub = store.subscribe(filter, /*after=*/0, [&](const dcb::SubscriptionBatch& b) {
//       for (const auto& e : b.events) apply(e);        // in seq order, each event once
//       save_somewhere(b.position);                      // resume from here: store.subscribe(filter, position, ...)
//   });
//   ...
//   sub.stop();   // or let it go out of scope: stops and joins
//
// A subscription runs on a thread and a connection of its own (not the store's pool). It waits with dcb_wait
// until the head passes what it has seen, reads what came after its position with dcb_read(filter, after =>
// position, max_count => batch_size), hands the events to the handler, and continues from the position the read
// vouched for. dcb_read is gap-free (G2), so the handler sees exactly the events matching the filter after
// `after`, in seq order, no gap and no duplicate, including events that commit late with a lower position.
// After a lost connection it reconnects with backoff and resumes from the last position it delivered.
//
// Projections that keep a read model in the database use dcb/projection.hpp instead: the read model, the
// events' effects and the checkpoint are then written in one transaction.
#pragma once

#include "dcb/export.hpp"

#include "dcb/event.hpp"
#include "dcb/options.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace dcb {

/// What a subscription hands to its handler.
struct SubscriptionBatch {
	/// The events matching the filter with after < seq <= position, in seq order; may be empty only for batches
	/// that advance a projection's checkpoint past events that did not match.
	std::vector<StoredEvent> events{};
	/// The position the batch continues from: the previous batch's `position` (or where the subscription started),
	/// so that batches tile the positions: the batch holds every matching event in (after, position]. For a
	/// projection, the checkpoint its transaction moves from (which may also have moved without a batch).
	std::int64_t after = 0;
	/// Read up to here: no event matching the filter with a seq <= position will ever appear later. Resuming from
	/// it (`after = position`) continues without a gap or a duplicate. At least the last event's seq; beyond it
	/// when the read also vouched for positions without a match (up to the head the subscription saw).
	std::int64_t position = 0;
	/// The store's head as the subscription last saw it (dcb_wait); position < head means more is known to come.
	std::int64_t head = 0;
};

/// Called on the subscription's thread, one batch at a time. An exception ends the subscription (the batch
/// does not count as delivered) and Subscription::join() rethrows it.
using SubscriptionHandler = std::function<void(const SubscriptionBatch& batch)>;

class ProjectionTransaction;  // dcb/projection.hpp

/// A projection's handler (dcb/projection.hpp): called on the runner's thread for each batch, inside the batch's
/// transaction, in which it writes its read model. Returning commits the batch with the checkpoint; throwing rolls
/// both back: dcb::ConcurrencyConflict (40001, 40P01) retries the batch, any other exception ends the projection
/// (Subscription::join() rethrows it).
using ProjectionHandler = std::function<void(const SubscriptionBatch& batch, ProjectionTransaction& transaction)>;

struct SubscriptionOptions {
	/// Events per read (dcb_read's max_count), so per batch at most.
	std::int32_t batch_size = 1000;
	/// How long one dcb_wait waits for the head to move (the subscription then waits again). Also bounds how long
	/// a silently dead connection goes unnoticed: a wait whose server does not answer within this plus
	/// StoreOptions::cancel_grace drops the connection and reconnects.
	Clock::duration wait_timeout = std::chrono::seconds(10);
	/// The shortest time between the starts of two reads of new events: a subscription woken sooner after its last
	/// read sleeps the rest first, so that one read takes everything that committed meanwhile. Zero (the default)
	/// reads at every wake-up: the lowest latency. A few milliseconds make many subscribers of a busy log read far
	/// less often (fewer calls, less server CPU taken from the appends), at up to that much more latency.
	Clock::duration min_read_interval = Clock::duration::zero();
	/// Backoff between attempts to reconnect after a lost connection: the n-th consecutive failure sleeps a random
	/// duration in [d/2, d], d = min(reconnect_max_backoff, reconnect_initial_backoff · 2^(n−1)). A subscription
	/// reconnects for as long as it runs.
	std::chrono::microseconds reconnect_initial_backoff{50'000};
	std::chrono::microseconds reconnect_max_backoff{5'000'000};
	/// The `subscription` label of its metrics and the `subscription` field of its log lines ("subscription" when
	/// empty; a projection's default is its consumer name).
	std::string name{};
	/// The server to follow (libpq conninfo). Empty: the primary the store was connected to. A store made by
	/// EventStore::borrow / with_backend / dcb::pqxx_store has no conninfo of its own and needs it. The store
	/// followed is always the EventStore's own (StoreOptions::store).
	std::string conninfo{};
	/// Another way to stop it, besides Subscription::stop() and destruction.
	std::stop_token stop{};
};

/// The handle of a running subscription (or projection): stops it and waits for its thread on destruction.
/// Movable, not copyable. All members are thread-safe; stop() may be called from the handler.
class DCB_API Subscription {
public:
	/// A handle without a subscription (joined, position 0).
	Subscription() noexcept;
	Subscription(Subscription&& other) noexcept;
	/// Stops and joins the subscription this handle had, then takes `other`'s.
	Subscription& operator=(Subscription&& other) noexcept;
	Subscription(const Subscription&) = delete;
	Subscription& operator=(const Subscription&) = delete;
	/// stop(), then waits for the thread (an error that ended it is dropped: call join() to see it). From the
	/// subscription's own handler it cannot wait for itself: the thread then ends on its own after the handler.
	~Subscription();

	/// Asks the subscription to stop: a running dcb_wait or read is canceled (PQcancel), a backoff sleep ends,
	/// and no further batch is delivered. A handler already running is not interrupted. Returns at once.
	void stop() noexcept;
	/// Waits until the subscription's thread has ended (after stop(), or an error); rethrows the exception that
	/// ended it: the handler's, or a fatal error (an invalid filter, a missing extension or store, no right to
	/// read; a projection's batch that still conflicts after its retries). Lost connections are not fatal.
	/// From the subscription's own handler it throws dcb::Error (55000) instead of waiting for itself.
	void join();
	/// False once the thread has ended (stopped or failed).
	bool running() const noexcept;
	/// The last position delivered (a projection: committed), 0 before any.
	std::int64_t position() const noexcept;
	/// The highest head the subscription has seen.
	std::int64_t head() const noexcept;

	struct State;
	/// Used by EventStore::subscribe and the projection runners.
	explicit Subscription(std::shared_ptr<State> state) noexcept;

private:
	std::shared_ptr<State> state_;
};

/// What subscriptions and projections report through StoreOptions::metrics, labelled `subscription` (its name).
namespace metrics {
/// Gauge: positions between the last one delivered and the head last seen (for a whole-log subscription, the
/// events not yet delivered, minus rolled-back positions); 0 when caught up.
inline constexpr std::string_view subscription_lag_events = "eventstore_subscription_lag_events";
/// Gauge: at each batch, the age of its first event (now − occurred_at, the appending transaction's start unless
/// the event gave its own): how far behind the log the handler is; 0 once caught up with the head.
inline constexpr std::string_view subscription_lag_seconds = "eventstore_subscription_lag_seconds";
/// Gauge: the last position delivered (a projection: committed).
inline constexpr std::string_view subscription_position = "eventstore_subscription_position";
/// Value (per batch): events delivered.
inline constexpr std::string_view subscription_events = "eventstore_subscription_events_total";
/// Counter: batches delivered.
inline constexpr std::string_view subscription_batches = "eventstore_subscription_batches_total";
/// Counter: connections lost and opened again.
inline constexpr std::string_view subscription_reconnects = "eventstore_subscription_reconnects_total";
/// Duration: the handler's time per batch (a projection: its whole transaction).
inline constexpr std::string_view subscription_handler_duration = "eventstore_subscription_handler_duration_seconds";
/// Counter: a projection's batches rolled back and done again, label `reason` = conflict (40001/40P01 of the
/// handler's transaction) or moved (another instance advanced the checkpoint).
inline constexpr std::string_view projection_retries = "eventstore_projection_retries_total";
}  // namespace metrics

}  // namespace dcb
