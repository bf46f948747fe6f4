// dcb/errors.hpp — exceptions thrown by libdcb.
//
// Every error is a dcb::Error carrying the SQLSTATE (from the server, or the closest standard
// code for client-side failures). Specific subclasses let callers catch what they can handle:
// ConcurrencyConflict (retry: re-read, decide again), Timeout and Canceled (the server statement
// was canceled), ConnectionError (retry), OutcomeUnknown (an append that may have been committed; retry it with
// the same event ids).
#pragma once

#include "dcb/export.hpp"

#include <stdexcept>
#include <string>

namespace dcb {

class DCB_API Error : public std::runtime_error {
public:
	Error(std::string sqlstate, const std::string& message, std::string detail = {}, std::string hint = {});

	/// Five-character SQLSTATE, e.g. "40001".
	const std::string& sqlstate() const noexcept { return sqlstate_; }
	const std::string& detail() const noexcept { return detail_; }
	const std::string& hint() const noexcept { return hint_; }

private:
	std::string sqlstate_;
	std::string detail_;
	std::string hint_;
};

/// The append condition failed (SQLSTATE 40001): events matching the filter were appended after
/// expected_max. Also raised for a deadlock (40P01), which PostgreSQL resolves by aborting one of two
/// transactions that append and then read the same keys. Re-read, decide again, retry —
/// EventStore::execute does that for you.
class DCB_API ConcurrencyConflict : public Error {
public:
	using Error::Error;
};

/// An event id is already stored for another event (SQLSTATE 23505).
class DCB_API DuplicateEventId : public Error {
public:
	using Error::Error;
};

/// Invalid input: rejected by the client before sending or by the server (22023, 22004, 22P02, ...).
class DCB_API InvalidArgument : public Error {
public:
	using Error::Error;
};

/// The connection failed or broke (class 08, or a client-side socket failure). For an append the
/// outcome is unknown: retry with the same event ids to make it idempotent.
class DCB_API ConnectionError : public Error {
public:
	using Error::Error;
};

/// The connection broke after an append was sent (SQLSTATE 08007, transaction resolution unknown): it may or may
/// not have been committed. Send it again with the same event ids — execute() does — and the store answers with
/// the stored position if it had been, instead of appending twice.
class DCB_API OutcomeUnknown : public ConnectionError {
public:
	using ConnectionError::ConnectionError;
};

/// The call was canceled through its std::stop_token (SQLSTATE 57014).
class DCB_API Canceled : public Error {
public:
	using Error::Error;
};

/// The call's deadline passed, or the server's statement_timeout fired (SQLSTATE 57014).
class DCB_API Timeout : public Error {
public:
	using Error::Error;
};

/// Builds the exception that matches a SQLSTATE and throws it. Used by the backends; public so that
/// adapters and tests map errors the same way.
[[noreturn]] DCB_API void throw_error(const std::string& sqlstate, const std::string& message, const std::string& detail = {},
                              const std::string& hint = {});

}  // namespace dcb
