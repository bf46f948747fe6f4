// dcb/filter_builder.hpp — the fluent, compile-time-checked filter builder.
//
//   dcb::Filter f = dcb::build_event_filter()
//       .matching().any_event_type_of({"A", "B"}).and_any_predicate_of({dcb::P("BookID", id)})
//       .or_matching().any_predicate_of({dcb::P("ReaderID", r)})
//       .occurred_from(t0).and_occurred_until(t1)
//       .finalize();
//
// Every step returns a distinct state type that only offers the steps allowed next, so an empty item
// (matching().finalize()), a second set of types or predicates in one item, or setting a bound twice do
// not compile. Lists are brace lists whose length is deduced: an empty list `{}` does not compile either.
// For lists only known at run time use dcb::NonEmpty::from(vector), which throws on an empty vector.
//
// Semantics: any_event_type_of = OR over types; all_predicates_of = AND over tags (one SQL item);
// any_predicate_of = OR over tags, expanded into one SQL item per predicate (each with the item's types);
// payload_contains = jsonb containment on the event data. Types and predicates are sorted and deduplicated;
// empty strings throw dcb::InvalidArgument.
#pragma once

#include "dcb/export.hpp"

#include "dcb/filter.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dcb {

/// A list known to be non-empty. Built from a brace list (length deduced at compile time, so `{}` is
/// rejected) or, at run time, through event_types_from()/predicates_from(), which throw on empty input.
template <typename T>
class NonEmpty {
public:
	template <std::size_t N>
	NonEmpty(const T (&items)[N]) : items_(items, items + N) {}  // NOLINT: implicit by design

	const std::vector<T>& items() const noexcept { return items_; }

private:
	friend NonEmpty<std::string> event_types_from(std::vector<std::string>);
	friend NonEmpty<Predicate> predicates_from(std::vector<Predicate>);
	explicit NonEmpty(std::vector<T> items) : items_(std::move(items)) {}
	std::vector<T> items_;
};

using EventTypes = NonEmpty<std::string>;
using Predicates = NonEmpty<Predicate>;

/// A run-time list of event types; throws dcb::InvalidArgument when empty.
DCB_API EventTypes event_types_from(std::vector<std::string> types);
/// A run-time list of predicates; throws dcb::InvalidArgument when empty.
DCB_API Predicates predicates_from(std::vector<Predicate> predicates);

namespace builder {

class EmptyItem;
class ItemLackingPredicates;
class ItemLackingTypes;
class CompletedItem;
class WithOccurredFrom;
class WithOccurredUntil;
class WithOccurredFromUntil;

/// Shared state of every builder step; the step types only differ in which steps they expose.
class DCB_API State {
public:
	State() = default;

protected:
	Filter finish() const;
	void add_types(const std::vector<std::string>& types);
	void add_predicates(const std::vector<Predicate>& predicates, bool all);
	void add_payload(std::string_view json_object);
	void close_item();
	void set_from(Timestamp t) { from_ = t; }
	void set_until(Timestamp t) { until_ = t; }
	/// Moves this state into the next step type.
	template <typename Next>
	Next next() {
		Next n;
		static_cast<State&>(n) = std::move(*this);
		return n;
	}

private:
	std::vector<FilterItem> items_;
	std::vector<std::string> types_;
	std::vector<std::string> tags_;
	bool any_tag_ = false;  // any_predicate_of: one SQL item per tag
	std::string payload_;
	std::optional<Timestamp> from_;
	std::optional<Timestamp> until_;
};

/// Bounds set, nothing left to add.
class DCB_API WithOccurredFromUntil : public State {
public:
	Filter finalize() && { return finish(); }
};

/// Upper bound set (the lower bound is only available before it, as in the reference).
class DCB_API WithOccurredUntil : public State {
public:
	Filter finalize() && { return finish(); }
};

/// Lower bound set; the upper bound may follow.
class DCB_API WithOccurredFrom : public State {
public:
	WithOccurredFromUntil and_occurred_until(Timestamp t) &&;
	Filter finalize() && { return finish(); }
};

/// Steps open to any item that has at least one part: bounds, the next item, finalize.
class DCB_API ItemEnd : public State {
public:
	WithOccurredFrom occurred_from(Timestamp t) &&;
	WithOccurredUntil occurred_until(Timestamp t) &&;
	EmptyItem or_matching() &&;
	Filter finalize() &&;
};

/// The item has event types and predicates (or a payload).
class DCB_API CompletedItem : public ItemEnd {};

/// The item has event types; it may still get predicates or a payload.
class DCB_API ItemLackingPredicates : public ItemEnd {
public:
	template <std::size_t N>
	CompletedItem and_any_predicate_of(const Predicate (&list)[N]) && { return std::move(*this).and_any_predicate_of(Predicates(list)); }
	template <std::size_t N>
	CompletedItem and_all_predicates_of(const Predicate (&list)[N]) && { return std::move(*this).and_all_predicates_of(Predicates(list)); }
	CompletedItem and_any_predicate_of(const Predicates& predicates) &&;
	CompletedItem and_all_predicates_of(const Predicates& predicates) &&;
	/// ... and whose data contains this JSON object (jsonb @>).
	CompletedItem and_payload_contains(std::string_view json_object) &&;
};

/// The item has predicates or a payload; it may still get event types.
class DCB_API ItemLackingTypes : public ItemEnd {
public:
	template <std::size_t N>
	CompletedItem and_any_event_type_of(const std::string (&list)[N]) && { return std::move(*this).and_any_event_type_of(EventTypes(list)); }
	CompletedItem and_any_event_type_of(const EventTypes& types) &&;
};

/// A new item: it needs at least one part before it can be closed.
class DCB_API EmptyItem : public State {
public:
	template <std::size_t N>
	ItemLackingPredicates any_event_type_of(const std::string (&list)[N]) && { return std::move(*this).any_event_type_of(EventTypes(list)); }
	template <std::size_t N>
	ItemLackingTypes any_predicate_of(const Predicate (&list)[N]) && { return std::move(*this).any_predicate_of(Predicates(list)); }
	template <std::size_t N>
	ItemLackingTypes all_predicates_of(const Predicate (&list)[N]) && { return std::move(*this).all_predicates_of(Predicates(list)); }
	ItemLackingPredicates any_event_type_of(const EventTypes& types) &&;
	ItemLackingTypes any_predicate_of(const Predicates& predicates) &&;
	ItemLackingTypes all_predicates_of(const Predicates& predicates) &&;
	/// Matches events whose data contains this JSON object (jsonb @>).
	ItemLackingTypes payload_contains(std::string_view json_object) &&;
};

/// The start: build_event_filter().
class DCB_API Start : public State {
public:
	EmptyItem matching() &&;
	/// Every event (JSON `{}`). It returns the whole log: use with care.
	Filter matching_any_event() && { return finish(); }
	WithOccurredFrom occurred_from(Timestamp t) &&;
	WithOccurredUntil occurred_until(Timestamp t) &&;
};

}  // namespace builder

/// Starts a filter; see the file comment.
inline builder::Start build_event_filter() { return {}; }

}  // namespace dcb
