// dcb/snapshot.hpp — snapshots of projections, and the command handler that starts from one.
//
// A snapshot is the state a projection folded from the events matching a filter, up to a position (seq). It is
// named by the projection's name and the filter's meaning (dcb_snapshot_save/load/delete; the store keeps the
// snapshot with the highest seq). The EventStore calls:
//
//   store.save_snapshot("loans", filter, r.max_seq, R"({"lent": 3})");
//   std::optional<dcb::Snapshot> s = store.load_snapshot("loans", filter);   // seq, data, created_at
//   store.delete_snapshot("loans", filter);
//
// and the command handler that folds from the snapshot and the events after it, decides, and appends on the
// condition that nothing matching the filter was appended after the last position it read:
//
//   const dcb::Projection<Loans> loans{
//       .name = "loans",
//       .initial = [] { return Loans{}; },
//       .from_snapshot = [](const std::string& json) { return Loans::parse(json); },
//       .apply = [](Loans& s, const dcb::StoredEvent& e) { s.apply(e); },
//       .to_snapshot = [](const Loans& s) { return s.json(); }};
//   store.execute_from_snapshot(filter, loans, [&](const Loans& s) -> std::vector<dcb::Event> { ... });
#pragma once

#include "dcb/event.hpp"
#include "dcb/export.hpp"
#include "dcb/options.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dcb {

/// A stored snapshot (EventStore::load_snapshot).
struct Snapshot {
	std::int64_t seq = 0;    ///< the position the state was folded up to
	std::string data{};      ///< JSON text as normalised by jsonb
	Timestamp created_at{};  ///< the start time of the transaction that saved it

	bool operator==(const Snapshot&) const = default;
};

/// A projection over the events of a filter, as EventStore::execute_from_snapshot folds it. `apply` must make the
/// state depend on the events only (the same events in the same order give the same state), and
/// `from_snapshot(to_snapshot(s))` must give back `s`: then a state rebuilt from a snapshot and the events after it
/// is the state folded from the whole boundary. Rename the projection (or delete its snapshots) when `apply` or the
/// snapshot's format changes: a snapshot is valid only for the fold that wrote it.
template <typename State>
struct Projection {
	std::string name{};                                          ///< with the filter's meaning, names the snapshot
	std::function<State()> initial{};                            ///< the state before any event
	std::function<State(const std::string& data)> from_snapshot{};  ///< the state a snapshot's data holds
	std::function<void(State& state, const StoredEvent& event)> apply{};
	std::function<std::string(const State& state)> to_snapshot{};   ///< the state as JSON text; empty: never saves
};

/// The type-erased form of a projection and a decision (what the Projection overload builds). Per attempt,
/// execute_from_snapshot calls `start` with the loaded snapshot's data (nullopt: there is none; start from the
/// initial state), `apply` for every event read after it in seq order, `to_snapshot` when it saves a snapshot, and
/// `decide`.
struct SnapshotCommand {
	std::string projection{};
	std::function<void(const std::optional<std::string>& snapshot_data)> start{};
	std::function<void(const StoredEvent& event)> apply{};
	std::function<std::vector<Event>()> decide{};
	std::function<std::string()> to_snapshot{};  ///< the current state as JSON text; empty: never saves
};

struct SnapshotExecuteOptions {
	RetryOverrides retry{};  ///< what differs from the store's policy for this call
	CallOptions call{};      ///< the deadline covers all attempts and backoff sleeps
	/// Save the state the decision starts from as a new snapshot when at least this many events were read after the
	/// loaded snapshot (or from the start, without one); 0: never save. Needs `to_snapshot`.
	std::size_t save_after_events = 100;
};

/// Result of EventStore::execute_from_snapshot.
struct SnapshotExecuteResult {
	std::int64_t last_seq = 0;        ///< seq of the last appended event; 0 when decide returned nothing
	std::size_t appended = 0;         ///< number of events appended
	int attempts = 0;                 ///< 1 + number of retries after conflicts
	std::vector<StoredEvent> read{};  ///< the events read after the snapshot, folded into the successful decision
	std::optional<std::int64_t> snapshot_seq{};  ///< seq of the snapshot the successful decision started from
	std::int64_t read_position = 0;   ///< max(snapshot's seq, last seq read): the condition of the append
	std::optional<std::int64_t> saved_seq{};     ///< seq of the snapshot this call saved, if it saved one
};

/// The SnapshotCommand of `projection` and `decide` (a callable taking `const State&` and returning the events to
/// append), folding into `state`; all three must outlive the command. A projection without `initial`,
/// `from_snapshot` or `apply` gives a command that execute_from_snapshot rejects (InvalidArgument).
template <typename State, typename DecideFn>
SnapshotCommand snapshot_command(const Projection<State>& projection, DecideFn& decide, std::optional<State>& state) {
	SnapshotCommand c;
	c.projection = projection.name;
	if (!projection.initial || !projection.from_snapshot || !projection.apply) return c;  // rejected by the store
	c.start = [&projection, &state](const std::optional<std::string>& data) {
		state.reset();
		if (data) state.emplace(projection.from_snapshot(*data));
		else state.emplace(projection.initial());
	};
	c.apply = [&projection, &state](const StoredEvent& e) { projection.apply(*state, e); };
	c.decide = [&decide, &state]() -> std::vector<Event> { return decide(std::as_const(*state)); };
	if (projection.to_snapshot) c.to_snapshot = [&projection, &state] { return projection.to_snapshot(*state); };
	return c;
}

}  // namespace dcb
