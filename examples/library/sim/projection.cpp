#include "projection.hpp"

#include <map>
#include <string>

#include "domain/library.hpp"

namespace library {

dcb::Subscription start_loans_projection(const dcb::EventStore& store) {
	const dcb::Filter loans =
	    dcb::build_event_filter().matching().any_event_type_of({kBookCopyLentToReader, kBookCopyReturnedByReader}).finalize();
	return store.run_projection(
	    kLoansProjection, loans, [](const dcb::SubscriptionBatch& batch, dcb::ProjectionTransaction& tx) {
		    std::map<std::string, long long> delta;  // one statement per reader of the batch
		    for (const auto& e : batch.events) {
			    const auto event = from_stored(e.type, e.tags);
			    if (!event) continue;
			    delta[event->reader_id] += event->type == EventType::book_copy_lent_to_reader ? 1 : -1;
		    }
		    for (const auto& [reader, d] : delta)
			    tx.exec("INSERT INTO copies_lent_per_reader AS t VALUES ($1, $2::integer) "
			            "ON CONFLICT (reader_id) DO UPDATE SET copies = t.copies + excluded.copies",
			            {reader, std::to_string(d)});
	    });
}

}  // namespace library
