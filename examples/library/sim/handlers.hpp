// The library's command handlers on libdcb: one generic handler runs every command of
// domain/library.hpp through EventStore::execute (read the boundary → decide → append on the read
// position, retried on conflict).
#pragma once

#include <dcb/dcb.hpp>

#include <cstdint>
#include <string>

#include "domain/library.hpp"

namespace library {

struct HandleResult {
	Outcome outcome = Outcome::rejected;
	std::string reason;        // for already_done / rejected
	int attempts = 0;          // decisions made: 1 + retries after conflicts
	bool gave_up = false;      // still conflicting after the retry policy's last attempt
	std::int64_t last_seq = 0; // seq of the appended event when accepted
};

class CommandHandlers {
public:
	// unsafe = true switches the consistency boundary off: the handler still reads and decides, but
	// appends without a condition. Only for demonstrating that the simulation's audit catches the
	// resulting lost decisions.
	explicit CommandHandlers(dcb::EventStore store, dcb::ExecuteOptions options = {}, bool unsafe = false);

	// Throws dcb::Error for anything but an exhausted conflict retry (reported as gave_up).
	HandleResult handle(const Command& command) const;

	// The dcb filter of a command's consistency boundary (domain/library.hpp boundary()).
	static dcb::Filter filter_for(const Command& command);
	// The stored form of a decided event.
	static dcb::Event to_store(const DomainEvent& event, const Command& command);

private:
	dcb::EventStore store_;
	dcb::ExecuteOptions options_;
	bool unsafe_;
};

}  // namespace library
