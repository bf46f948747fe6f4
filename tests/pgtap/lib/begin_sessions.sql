-- tests/pgtap/lib/begin_sessions.sql — the start of the pgTAP files that drive other sessions through dblink
-- (\ir lib/begin_sessions.sql). Those sessions see only what is committed, so the extension is used as
-- installed instead of being recreated inside the file's transaction (lib/begin.sql). Sets :dsn, the
-- conninfo of this database for dblink_connect.
\ir transaction.sql
CREATE EXTENSION IF NOT EXISTS dblink;
\ir helpers.sql
SELECT format('host=%s port=%s user=%s dbname=%s', coalesce(host(inet_server_addr()), 'localhost'),
              current_setting('port'), current_user, current_database()) AS dsn \gset
