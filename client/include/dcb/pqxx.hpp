// dcb/pqxx.hpp — libpqxx adapter (library dcb::pqxx, built when libpqxx is found; Debian's libpqxx 6.4).
//
//   pqxx::connection conn("dbname=app");
//   pqxx::work tx(conn);
//   auto store = dcb::pqxx_store(tx);
//   auto r = store.query(filter);
//   tx.exec0("UPDATE app_table ...");                 // the application's own writes
//   store.append(filter, r.max_seq, events);          // same transaction
//   tx.commit();                                      // both or neither
//
// Every statement runs through the given transaction (prepared through the connection). The transaction must
// outlive the store and the store must not be used from several threads. Deadlines and stop tokens cancel the
// statement with connection::cancel_query(); a failed statement aborts the transaction, as in libpqxx.
//
// The adapter is two functions in namespace dcb, not a namespace dcb::pqxx: under `using namespace dcb;` such a
// namespace would make every `pqxx::` in the application ambiguous.
#pragma once

#include "dcb/event_store.hpp"
#include "dcb/export.hpp"

#include <pqxx/transaction_base>

namespace dcb {

/// A store whose statements run inside `transaction`.
DCB_API EventStore pqxx_store(pqxx::transaction_base& transaction, StoreOptions options = {});

/// The backend behind pqxx_store(), for custom compositions.
DCB_API std::shared_ptr<Backend> pqxx_backend(pqxx::transaction_base& transaction);

}  // namespace dcb
