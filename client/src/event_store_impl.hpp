// event_store_impl.hpp — the shared state behind an EventStore handle.
#pragma once

#include "dcb/event_store.hpp"

namespace dcb {

struct EventStore::Impl {
	std::shared_ptr<Backend> primary;
	std::shared_ptr<Backend> replica;  // may be null: eventual reads then go to the primary
	StoreOptions options;

	Backend& reader(Consistency c) const { return c == Consistency::eventual && replica ? *replica : *primary; }
};

}  // namespace dcb
