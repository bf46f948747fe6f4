// tailer.cpp — resuming catch-up reader (see tailer.hpp).
#include "tailer.hpp"

namespace dcbc {

Tailer::Tailer(std::string db, std::string who, OptFilter filter, int page, Outcome &out)
    : db_(std::move(db)), who_(std::move(who)), filter_(std::move(filter)), page_(page), out_(out),
      thread_([this] { loop(); }) {}

Tailer::~Tailer() {
	if (thread_.joinable()) {
		finish(0, Clock::now());
		thread_.join();
	}
}

void Tailer::finish(int64_t last_seq, Clock::time_point deadline) {
	target_ = last_seq;
	deadline_ = deadline.time_since_epoch().count();
	finishing_ = true;
}

void Tailer::pause() {
	idle_ = false;
	paused_ = true;
	while (!idle_ && thread_.joinable() && !finished_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

CatchUpRecord Tailer::join() {
	if (thread_.joinable()) thread_.join();
	return {who_, filter_, seqs_};
}

void Tailer::loop() {
	struct Finished {
		std::atomic<bool> &f;
		~Finished() { f = true; }
	} finished{finished_};
	try {
		Conn c(db_);
		int64_t after = 0;
		for (;;) {
			if (paused_) {
				idle_ = true;
				std::this_thread::sleep_for(std::chrono::milliseconds(2));
				continue;
			}
			idle_ = false;
			bool finishing = finishing_;  // read before the query: a later empty page then proves the end
			auto page = read_seqs(c, filter_, after, page_);
			++reads_;
			if (!page.empty()) {
				for (int64_t q : page) {
					if (q <= after)
						out_.violation("catch-up reader " + who_ + ": dcb_read(after => " + std::to_string(after) +
						               ") returned seq " + std::to_string(q));
					seqs_.push_back(q);
				}
				after = page.back();
				continue;
			}
			if (finishing && after >= target_) return;
			if (finishing && Clock::now().time_since_epoch().count() > deadline_) {
				out_.violation("catch-up reader " + who_ + " (filter " + describe(filter_) + ") stuck at seq " +
				               std::to_string(after) + ": the log ends at seq " + std::to_string(target_.load()));
				return;
			}
			std::this_thread::sleep_for(std::chrono::milliseconds(2));
		}
	} catch (const PgError &e) {
		out_.violation("catch-up reader " + who_ + ": " + error_text(e));
	} catch (const std::exception &e) {
		out_.violation("catch-up reader " + who_ + ": " + e.what());
	}
}

void finish_tailers(std::vector<std::unique_ptr<Tailer>> &tailers, const Log &log, Recorder &rec,
                    double timeout_seconds) {
	auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<long>(timeout_seconds * 1000));
	for (auto &t : tailers) {
		auto seqs = log.matching_seqs(t->filter(), 0, INT64_MAX);
		t->finish(seqs.empty() ? 0 : seqs.back(), deadline);
	}
	for (auto &t : tailers) rec.catch_up(t->join());
}

}  // namespace dcbc
