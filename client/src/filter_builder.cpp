// filter_builder.cpp — the builder steps: sanitising input and expanding "any predicate of".
#include "dcb/filter_builder.hpp"

#include "dcb/errors.hpp"

#include <algorithm>

namespace dcb {

EventTypes event_types_from(std::vector<std::string> types) {
	if (types.empty()) throw InvalidArgument("22023", "dcb: a filter item needs at least one event type");
	return EventTypes(std::move(types));
}

Predicates predicates_from(std::vector<Predicate> predicates) {
	if (predicates.empty()) throw InvalidArgument("22023", "dcb: a filter item needs at least one predicate");
	return Predicates(std::move(predicates));
}

namespace builder {

namespace {

void sort_unique(std::vector<std::string>& v) {
	std::sort(v.begin(), v.end());
	v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

void State::add_types(const std::vector<std::string>& types) {
	for (const auto& t : types) {
		if (t.empty()) throw InvalidArgument("22023", "dcb: an event type in a filter must not be empty");
		types_.push_back(t);
	}
	sort_unique(types_);
}

void State::add_predicates(const std::vector<Predicate>& predicates, bool all) {
	for (const auto& p : predicates) {
		if (p.key.empty() || p.value.empty())
			throw InvalidArgument("22023", "dcb: a predicate needs a non-empty key and value (got \"" + p.tag() + "\")");
		tags_.push_back(p.tag());
	}
	sort_unique(tags_);
	any_tag_ = !all;
}

void State::add_payload(std::string_view json_object) {
	if (json_object.empty()) throw InvalidArgument("22023", "dcb: a payload predicate must be a JSON object");
	payload_ = std::string(json_object);
}

void State::close_item() {
	// any_predicate_of(P1, P2) = (types AND P1) OR (types AND P2): one SQL item per tag.
	if (any_tag_ && tags_.size() > 1) {
		for (const auto& tag : tags_) items_.push_back(FilterItem{types_, {tag}, payload_});
	} else {
		items_.push_back(FilterItem{types_, tags_, payload_});
	}
	types_.clear();
	tags_.clear();
	payload_.clear();
	any_tag_ = false;
}

Filter State::finish() const {
	std::vector<FilterItem> items;
	for (const auto& it : items_)
		if (std::find(items.begin(), items.end(), it) == items.end()) items.push_back(it);
	return Filter(std::move(items), from_, until_);  // validates payload JSON and string lengths
}

WithOccurredFromUntil WithOccurredFrom::and_occurred_until(Timestamp t) && {
	set_until(t);
	return next<WithOccurredFromUntil>();
}

WithOccurredFrom ItemEnd::occurred_from(Timestamp t) && {
	close_item();
	set_from(t);
	return next<WithOccurredFrom>();
}

WithOccurredUntil ItemEnd::occurred_until(Timestamp t) && {
	close_item();
	set_until(t);
	return next<WithOccurredUntil>();
}

EmptyItem ItemEnd::or_matching() && {
	close_item();
	return next<EmptyItem>();
}

Filter ItemEnd::finalize() && {
	close_item();
	return finish();
}

CompletedItem ItemLackingPredicates::and_any_predicate_of(const Predicates& predicates) && {
	add_predicates(predicates.items(), false);
	return next<CompletedItem>();
}

CompletedItem ItemLackingPredicates::and_all_predicates_of(const Predicates& predicates) && {
	add_predicates(predicates.items(), true);
	return next<CompletedItem>();
}

CompletedItem ItemLackingPredicates::and_payload_contains(std::string_view json_object) && {
	add_payload(json_object);
	return next<CompletedItem>();
}

CompletedItem ItemLackingTypes::and_any_event_type_of(const EventTypes& types) && {
	add_types(types.items());
	return next<CompletedItem>();
}

ItemLackingPredicates EmptyItem::any_event_type_of(const EventTypes& types) && {
	add_types(types.items());
	return next<ItemLackingPredicates>();
}

ItemLackingTypes EmptyItem::any_predicate_of(const Predicates& predicates) && {
	add_predicates(predicates.items(), false);
	return next<ItemLackingTypes>();
}

ItemLackingTypes EmptyItem::all_predicates_of(const Predicates& predicates) && {
	add_predicates(predicates.items(), true);
	return next<ItemLackingTypes>();
}

ItemLackingTypes EmptyItem::payload_contains(std::string_view json_object) && {
	add_payload(json_object);
	return next<ItemLackingTypes>();
}

EmptyItem Start::matching() && { return next<EmptyItem>(); }

WithOccurredFrom Start::occurred_from(Timestamp t) && {
	set_from(t);
	return next<WithOccurredFrom>();
}

WithOccurredUntil Start::occurred_until(Timestamp t) && {
	set_until(t);
	return next<WithOccurredUntil>();
}

}  // namespace builder
}  // namespace dcb
