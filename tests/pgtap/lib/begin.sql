-- tests/pgtap/lib/begin.sql — the start of every pgTAP file (\ir lib/begin.sql): psql settings for TAP
-- output, one transaction (each file ends with ROLLBACK, restoring what the database held), and the
-- extension recreated inside it, so every file starts from an empty default store with positions from 1,
-- then the shared helpers.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
SET LOCAL client_min_messages = warning;
DROP EXTENSION IF EXISTS dcb CASCADE;
CREATE EXTENSION dcb;
\ir helpers.sql
