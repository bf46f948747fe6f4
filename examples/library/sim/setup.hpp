// Database plumbing of the simulation, on plain libpq (deliberately not libdcb): creating and dropping
// its database, CREATE EXTENSION, and reading the whole log back for the audit. The audit path must not
// depend on the client library whose behaviour it checks.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>

#include "audit/audit.hpp"

namespace library::setup {

struct SetupError : std::runtime_error {
	using std::runtime_error::runtime_error;
};

// `dsn` (keyword=value or URI) with its dbname replaced, and `extra_options` (server options such as
// "-c dcb.standby_reads=on") appended to its options.
std::string with_dbname(const std::string& dsn, const std::string& dbname, const std::string& extra_options = {});

// CREATE DATABASE (returns false when it already existed) / DROP DATABASE IF EXISTS ... WITH (FORCE).
bool create_database(const std::string& admin_dsn, const std::string& dbname);
void drop_database(const std::string& admin_dsn, const std::string& dbname);

// CREATE EXTENSION IF NOT EXISTS dcb; returns the installed version.
std::string ensure_extension(const std::string& dsn);

// The primary's current WAL position, and whether a standby has replayed up to such a position.
std::string current_wal_lsn(const std::string& dsn);
bool replayed_up_to(const std::string& standby_dsn, const std::string& lsn);

// Number of events in the log (dcb_head() may be larger: seqs have gaps).
std::int64_t count_events(const std::string& dsn);

// The projection's read model: CREATE TABLE copies_lent_per_reader (reader_id text PRIMARY KEY, copies integer),
// and its rows with copies <> 0.
void create_loans_table(const std::string& dsn);
std::map<std::string, std::int64_t> read_loans_table(const std::string& dsn);

// Reads the whole log with dcb_read(NULL, after, page) in ascending seq order, page by page.
// Returns the number of events read.
std::int64_t read_log(const std::string& dsn, const std::function<void(const audit::Record&)>& sink,
                      int page = 10000);

}  // namespace library::setup
