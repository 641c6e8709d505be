-- The monitored database of the fault suite (run.sh), created twice: `faults`, where the
-- faults are injected, and `control`, which makes the same calls without them. Deterministic:
-- every value is a hash of the row number. Four days of one row every 6 s; labels arrive by
-- UPDATE days later; `amount` triples and `channel` skews from 2026-03-03 06:00, so drift alerts
-- fire during the runs.
SET client_min_messages = warning;
SET timezone = 'UTC';
CREATE EXTENSION mlobs;
CREATE SCHEMA faults;
-- The scan gate: a row stamped at or after faults.trip.trip_at waits for the shared advisory
-- lock 777, which run.sh holds exclusively to stop a run in the middle of its scan.
CREATE TABLE faults.trip (trip_at timestamptz NOT NULL);
INSERT INTO faults.trip VALUES ('infinity');
CREATE FUNCTION faults.gate(t timestamptz) RETURNS bool LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF t >= (SELECT trip_at FROM faults.trip) THEN
    PERFORM pg_advisory_lock_shared(777);
    PERFORM pg_advisory_unlock_shared(777);
  END IF;
  RETURN true;
END $$;
CREATE FUNCTION faults.u(i bigint, k int) RETURNS float8 LANGUAGE sql IMMUTABLE
AS $$ SELECT (hashint8(i * 16 + k)::bigint + 2147483648)::float8 / 4294967296 $$;
CREATE TABLE log AS
SELECT ts, jsonb_build_object('amount', round((exp(3.5 + 3 * (faults.u(i, 1) - 0.5)) * CASE WHEN shifted THEN 3 ELSE 1 END)::numeric, 2),
                              'age', floor(18 + 60 * faults.u(i, 2)),
                              'channel', CASE WHEN shifted AND faults.u(i, 3) < 0.5 THEN 'pos'
                                              ELSE (ARRAY['web', 'app', 'pos'])[1 + floor(3 * faults.u(i, 3))::int] END) AS features,
       faults.u(i, 4) AS score, (faults.u(i, 4) > 0.5)::int AS predicted,
       CASE WHEN ts < '2026-03-02' THEN (faults.u(i, 5) < 0.2 + 0.6 * faults.u(i, 4))::int END AS label,
       round((15 + 25 * faults.u(i, 6))::numeric, 2)::float8 AS latency_ms, faults.u(i, 7) < 0.005 AS failed
  FROM generate_series(0, 4 * 24 * 600 - 1) i,
       LATERAL (SELECT timestamptz '2026-03-01 00:00+00' + i * interval '6 s' AS ts) t,
       LATERAL (SELECT t.ts >= '2026-03-03 06:00+00' AS shifted) s;
CREATE INDEX log_ts ON log (ts);
SELECT mlobs.track_changes('log');
CREATE VIEW log_gated AS SELECT * FROM log WHERE faults.gate(ts);
-- Three scan groups: the table with 1-hour windows, the gated view, the table with 6-hour windows.
SELECT mlobs.create_monitor('drift', 'fraud', 'log', 'feature_drift', '{}', '1 hour', '2026-03-01', '2026-03-02');
SELECT mlobs.create_monitor('quality', 'fraud', 'log', 'quality', '{}', '1 hour', '2026-03-01', '2026-03-02');
SELECT mlobs.create_monitor('performance', 'fraud', 'log', 'classification', '{"score": "score"}', '1 hour', '2026-03-01', '2026-03-02');
SELECT mlobs.create_monitor('latency', 'fraud', 'log', 'latency', '{"error": "failed"}', '1 hour', start_at => '2026-03-02');
SELECT mlobs.create_monitor('gated', 'fraud', 'log_gated', 'prediction_drift', '{}', '1 hour', '2026-03-01', '2026-03-02');
SELECT mlobs.create_monitor('drift 6h', 'fraud', 'log', 'feature_drift', '{}', '6 hours', '2026-03-01', '2026-03-02');
INSERT INTO mlobs.alert_rules (name, metric, comparison, threshold, severity, for_duration, feature)
VALUES ('amount_psi_slow', 'psi', '>', 0.1, 'info', '3 hours', 'amount');
