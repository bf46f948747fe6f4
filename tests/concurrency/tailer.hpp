// tailer.hpp — a resuming catch-up reader: dcb_read(filter, after = last delivered seq, page) in a loop,
// on its own connection and thread, storing every seq it delivers.
#pragma once

#include "driver.hpp"

#include <atomic>
#include <thread>

namespace dcbc {

class Tailer {
  public:
	Tailer(std::string db, std::string who, OptFilter filter, int page, Outcome &out);
	Tailer(const Tailer &) = delete;
	Tailer &operator=(const Tailer &) = delete;
	~Tailer();

	// Nothing newer than `last_seq` (the last matching seq of the final log) will be appended: the reader
	// stops once it delivered it and a further read is empty, or reports a violation at `deadline`.
	void finish(int64_t last_seq, Clock::time_point deadline);
	// Stops polling until resume(); returns once no read of this reader is in progress.
	void pause();
	void resume() { paused_ = false; }
	// Waits for the thread and returns what it delivered.
	CatchUpRecord join();
	const OptFilter &filter() const { return filter_; }
	long reads() const { return reads_; }

  private:
	void loop();
	std::string db_, who_;
	OptFilter filter_;
	int page_;
	Outcome &out_;
	std::vector<int64_t> seqs_;
	std::atomic<bool> finishing_{false};
	std::atomic<int64_t> target_{0};
	std::atomic<Clock::rep> deadline_{0};
	std::atomic<long> reads_{0};
	std::atomic<bool> paused_{false}, idle_{false}, finished_{false};
	std::thread thread_;
};

// Sets every tailer's target from the final log and collects their records into `rec`.
void finish_tailers(std::vector<std::unique_ptr<Tailer>> &tailers, const Log &log, Recorder &rec,
                    double timeout_seconds = 20);

}  // namespace dcbc
