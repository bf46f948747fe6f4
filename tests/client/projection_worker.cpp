// projection_worker.cpp — a projection process for the kill -9 test (subscription_tests.cpp).
//
//   dcb_client_projection_worker DSN CONSUMER READ_MODEL TYPE_PREFIX [UNTIL]
//
// Runs store.run_projection(CONSUMER, types <prefix>A/B/C, ...) whose handler writes the read model READ_MODEL
// (follow_support.hpp: one `_applied` row and one `_counts` increment per event) slowly — it pauses 30 ms halfway
// through each batch, so that a kill lands in the middle of one. Before its first statement of a batch it
// prints "begin <after> <position>" and after its last one "handled <position>", flushed, so the test can tell
// where it was killed. Runs until killed, or, with UNTIL, exits 0 once its checkpoint is at or past UNTIL.
#include <dcb/dcb.hpp>

#include "follow_support.hpp"

#include <cstdio>
#include <cstdlib>
#include <thread>

int main(int argc, char** argv) {
	if (argc < 5) {
		std::fprintf(stderr, "usage: %s DSN CONSUMER READ_MODEL TYPE_PREFIX [UNTIL]\n", argv[0]);
		return 2;
	}
	const std::string dsn = argv[1], consumer = argv[2], model = argv[3], prefix = argv[4];
	const std::int64_t until = argc > 5 ? std::atoll(argv[5]) : -1;
	try {
		const auto store = dcb::EventStore::connect(dsn, dcb::StoreOptions{.pool_size = 1});
		const auto filter =
		    dcb::Filter::from_json(R"({"items": [{"types": [")" + prefix + R"(A", ")" + prefix + R"(B", ")" + prefix + R"(C"]}]})");
		const std::string sql = dcb_test::ReadModel::apply_sql(model);
		const std::string instance = "pid-" + std::to_string(getpid());
		dcb::Subscription p = store.run_projection(
		    consumer, filter,
		    [&](const dcb::SubscriptionBatch& batch, dcb::ProjectionTransaction& tx) {
			    std::printf("begin %lld %lld\n", static_cast<long long>(batch.after), static_cast<long long>(batch.position));
			    std::fflush(stdout);
			    std::size_t i = 0;
			    for (const auto& e : batch.events) {
				    tx.exec(sql, {std::to_string(e.seq), instance, dcb_test::k_of(e.tags)});
				    if (++i == (batch.events.size() + 1) / 2) std::this_thread::sleep_for(std::chrono::milliseconds(30));
			    }
			    std::printf("handled %lld\n", static_cast<long long>(batch.position));
			    std::fflush(stdout);
		    },
		    dcb::ProjectionOptions{.subscription = {.batch_size = 100, .wait_timeout = std::chrono::seconds(1)}});
		while (p.running()) {
			if (until >= 0 && p.position() >= until) {
				p.stop();
				break;
			}
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
		}
		p.join();
		return 0;
	} catch (const std::exception& e) {
		std::fprintf(stderr, "projection worker: %s\n", e.what());
		return 1;
	}
}
