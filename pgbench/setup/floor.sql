-- The physical floor of a durable append: the same event, single-row INSERT + COMMIT, into a table whose
-- only index is its bigint primary key (positions from a sequence, like dcb's).
DROP TABLE IF EXISTS floor_events;
CREATE TABLE floor_events (
    seq         bigserial PRIMARY KEY,
    type        text NOT NULL,
    tags        text[] NOT NULL,
    data        jsonb NOT NULL,
    metadata    jsonb NOT NULL,
    occurred_at timestamptz NOT NULL
);
