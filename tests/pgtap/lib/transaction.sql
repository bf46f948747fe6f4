-- tests/pgtap/lib/transaction.sql — psql settings for TAP output and the file's one transaction (each file
-- ends with ROLLBACK, restoring what the database held). Included by begin.sql and begin_sessions.sql.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
SET LOCAL client_min_messages = warning;
