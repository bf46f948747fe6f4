// The read model "copies lent now, per reader", kept by a libdcb projection while the simulation runs.
//
// The table copies_lent_per_reader(reader_id, copies) is written only by the projection's handler, in the same
// transaction that moves the projection's checkpoint (EventStore::run_projection): each lend adds one to its
// reader, each return takes one away, each event exactly once. At the end the simulation compares the table with
// the audit's fold of the whole log (audit::Report::copies_lent_by_reader).
#pragma once

#include <dcb/dcb.hpp>

namespace library {

inline constexpr const char* kLoansProjection = "copies-lent-per-reader";

// Starts the projection (its table must exist: setup::create_loans_table).
dcb::Subscription start_loans_projection(const dcb::EventStore& store);

}  // namespace library
