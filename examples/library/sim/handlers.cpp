#include "handlers.hpp"

#include <utility>
#include <vector>

namespace library {

namespace {

dcb::EventTypes types_of(const BoundaryItem& item) {
	std::vector<std::string> names;
	for (auto t : item.types) names.emplace_back(type_name(t));
	return dcb::event_types_from(std::move(names));
}

std::vector<DomainEvent> history_of(const std::vector<dcb::StoredEvent>& events) {
	std::vector<DomainEvent> history;
	history.reserve(events.size());
	for (const auto& e : events)
		if (auto d = from_stored(e.type, e.tags)) history.push_back(std::move(*d));
	return history;
}

}  // namespace

CommandHandlers::CommandHandlers(dcb::EventStore store, dcb::ExecuteOptions options, bool unsafe)
	: store_(std::move(store)), options_(std::move(options)), unsafe_(unsafe) {}

dcb::Filter CommandHandlers::filter_for(const Command& command) {
	// Boundaries have one item (a copy's or a reader's history) or two (lending: both).
	auto items = boundary(command);
	auto first = dcb::build_event_filter()
	                 .matching()
	                 .any_event_type_of(types_of(items.at(0)))
	                 .and_any_predicate_of({dcb::P(items[0].key, items[0].id)});
	if (items.size() == 1) return std::move(first).finalize();
	return std::move(first)
		.or_matching()
		.any_event_type_of(types_of(items.at(1)))
		.and_any_predicate_of({dcb::P(items[1].key, items[1].id)})
		.finalize();
}

dcb::Event CommandHandlers::to_store(const DomainEvent& event, const Command& command) {
	return dcb::Event{
		.type = type_name(event.type),
		.data = payload_of(event),
		.tags = tags_of(event),
		.metadata = std::string(R"({"command":")") + command_name(command) + "\"}",
	};
}

HandleResult CommandHandlers::handle(const Command& command) const {
	const dcb::Filter filter = filter_for(command);
	HandleResult result;
	Decision decision{Outcome::rejected, std::nullopt, {}};

	auto decide = [&](const std::vector<dcb::StoredEvent>& events) -> std::vector<dcb::Event> {
		++result.attempts;
		decision = library::decide(history_of(events), command);
		if (!decision.event) return {};
		return {to_store(*decision.event, command)};
	};

	if (unsafe_) {
		// Read and decide as usual, then append WITHOUT the condition: a concurrent decision on the same
		// boundary is silently overwritten in effect (the "lost update" that DCB exists to prevent).
		auto read = store_.query(filter, dcb::QueryOptions{.call = options_.call});
		auto events = decide(read.events);
		if (!events.empty()) result.last_seq = store_.append(events, options_.call);
	} else {
		try {
			auto r = store_.execute(filter, decide, options_);
			result.last_seq = r.last_seq;
		} catch (const dcb::ConcurrencyConflict&) {
			result.gave_up = true;
			result.outcome = Outcome::rejected;
			result.reason = "still conflicting after " + std::to_string(result.attempts) + " attempts";
			return result;
		}
	}
	result.outcome = decision.outcome;
	result.reason = std::move(decision.reason);
	return result;
}

}  // namespace library
