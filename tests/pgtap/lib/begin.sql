-- tests/pgtap/lib/begin.sql — the start of every pgTAP file (\ir lib/begin.sql) that works in its own
-- session only: TAP output settings, one transaction, and the extension recreated inside it, so every file
-- starts from an empty default store with positions from 1, then the shared helpers.
\ir transaction.sql
DROP EXTENSION IF EXISTS dcb CASCADE;
CREATE EXTENSION dcb;
\ir helpers.sql
