-- The reference's indexes, statistics targets and storage options, built after the bulk load.
SET maintenance_work_mem = '1GB';
ALTER TABLE events ADD PRIMARY KEY (sequence_number);
CREATE INDEX idx_events_event_type ON events (event_type);
CREATE INDEX idx_events_occurred_at ON events (occurred_at);
CREATE INDEX idx_events_payload_gin ON events USING gin (payload jsonb_path_ops);
CREATE INDEX idx_events_metadata_gin ON events USING gin (metadata jsonb_path_ops);
ALTER TABLE events ALTER COLUMN payload SET STATISTICS 500;
ALTER TABLE events ALTER COLUMN event_type SET STATISTICS 100;
ALTER TABLE events ALTER COLUMN metadata SET STATISTICS 100;
ALTER TABLE events ALTER COLUMN sequence_number SET STATISTICS 100;
ALTER TABLE events ALTER COLUMN occurred_at SET STATISTICS 100;
ALTER TABLE events SET (
    autovacuum_analyze_threshold = 1500,
    autovacuum_analyze_scale_factor = 0,
    autovacuum_vacuum_threshold = 50000,
    autovacuum_vacuum_scale_factor = 0.5,
    autovacuum_vacuum_cost_delay = 0,
    autovacuum_vacuum_cost_limit = 10000,
    fillfactor = 100
);
