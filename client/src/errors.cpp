// errors.cpp — dcb::Error and the SQLSTATE → exception mapping.
#include "dcb/errors.hpp"

#include <string_view>

namespace dcb {

Error::Error(std::string sqlstate, const std::string& message, std::string detail, std::string hint)
    : std::runtime_error(message), sqlstate_(std::move(sqlstate)), detail_(std::move(detail)), hint_(std::move(hint)) {}

void throw_error(const std::string& sqlstate, const std::string& message, const std::string& detail,
                 const std::string& hint) {
	std::string_view s = sqlstate;
	// 40P01 (deadlock detected) is retryable like a failed condition: PostgreSQL aborted this
	// transaction so that another could go on; read again and decide again.
	if (s == "40001" || s == "40P01") throw ConcurrencyConflict(sqlstate, message, detail, hint);
	if (s == "23505") throw DuplicateEventId(sqlstate, message, detail, hint);
	if (s == "22023" || s == "22004" || s == "22P02" || s == "22007" || s == "22008" || s == "22001")
		throw InvalidArgument(sqlstate, message, detail, hint);
	// 08007 transaction_resolution_unknown, 40003 statement_completion_unknown: the connection broke while the
	// statement ran, so it may have been committed.
	if (s == "08007" || s == "40003") throw OutcomeUnknown(sqlstate, message, detail, hint);
	if (s.starts_with("08")) throw ConnectionError(sqlstate, message, detail, hint);
	if (s == "57014") {
		// The server cancels a statement for statement_timeout with this message; anything else
		// with 57014 is a cancel request.
		if (message.find("statement timeout") != std::string::npos) throw Timeout(sqlstate, message, detail, hint);
		throw Canceled(sqlstate, message, detail, hint);
	}
	// admin_shutdown, crash_shutdown, cannot_connect_now: the connection is gone.
	if (s == "57P01" || s == "57P02" || s == "57P03") throw ConnectionError(sqlstate, message, detail, hint);
	throw Error(sqlstate, message, detail, hint);
}

}  // namespace dcb
