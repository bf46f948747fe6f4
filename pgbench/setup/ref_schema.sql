-- The reference library's schema (dynamic-streams-eventstore-go, testutil/postgresengine/initdb/01-init.sql),
-- created without indexes so that the dataset can be COPYed in first; ref_index.sql adds them.
DROP TABLE IF EXISTS events;
CREATE TABLE events (
    sequence_number BIGSERIAL,
    occurred_at TIMESTAMPTZ NOT NULL,
    event_type TEXT NOT NULL,
    payload JSONB NOT NULL,
    metadata JSONB DEFAULT '{}'::JSONB
);
