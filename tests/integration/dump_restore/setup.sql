-- A monitored database in production shape for the pg_dump/pg_restore round trip: monitors
-- mid-stream, edited, disabled, deleted and custom alert rules, an edited and a deleted route,
-- alerts in every state, retraining requests, a failed window and registered models.
SET client_min_messages = warning;
SET timezone = 'UTC';
CREATE EXTENSION mlobs;
CREATE EXTENSION mlobs_demo;   -- the log below is simulated; dumped and restored with the rest
CREATE TABLE log AS
  SELECT s.ts, s.features, s.label, (s.label_at) AS label_at, s.latency_ms, s.failed,
         0.1 + 0.8 * ((s.features->>'score_ext')::float8) AS score, ((s.features->>'score_ext')::float8 > 0.5)::int AS predicted
  FROM mlobs_demo.simulate('2026-03-01', '4 days', 60,
                      '{"covariate_shift": {"from": "2026-03-03", "factor": 3}, "latency_spike": {"from": "2026-03-03 12:00", "to": "2026-03-04"}}') s;
-- Fails for every row stamped 07:xx: one failed window a day.
CREATE VIEW fragile AS SELECT ts, features, 1.0 / (extract(hour FROM ts)::int - 7) AS score FROM log;
SELECT mlobs.create_monitor('drift', 'fraud', 'log', 'feature_drift', '{}', '6 hours', '2026-03-01', '2026-03-02');
SELECT mlobs.create_monitor('quality', 'fraud', 'log', 'quality', '{}', '6 hours', '2026-03-01', '2026-03-02');
SELECT mlobs.create_monitor('performance', 'fraud', 'log', 'classification', '{"score": "score"}', '6 hours', '2026-03-01', '2026-03-02');
SELECT mlobs.create_monitor('latency', 'fraud', 'log', 'latency', '{"error": "failed"}', '6 hours', start_at => '2026-03-02');
-- Segmented: per hour of day (3 kept apart, the rest in '(other)'), with learned segments to restore.
SELECT mlobs.create_monitor('drift by hour', 'fraud', 'log', 'feature_drift', '{"segment_by": ["features->hour"], "max_segments": 3}',
                            '6 hours', '2026-03-01', '2026-03-02');
SELECT mlobs.create_monitor('fragile', 'fraud', 'fragile', 'prediction_drift', '{}', '6 hours', '2026-03-01 08:00', '2026-03-02 07:00',
                            start_at => '2026-03-02');
-- Rules: an edited default, a disabled one, a deleted one, a renamed one, custom ones.
UPDATE mlobs.alert_rules SET threshold = 0.25 WHERE name = 'psi_warning';
UPDATE mlobs.alert_rules SET enabled = false WHERE name = 'outlier_share';
DELETE FROM mlobs.alert_rules WHERE name = 'missing_share';
UPDATE mlobs.alert_rules SET name = 'p99_latency' WHERE name = 'latency_p99';
INSERT INTO mlobs.alert_rules (name, metric, comparison, threshold, severity, for_duration, feature)
VALUES ('amount_psi_slow', 'psi', '>', 0.1, 'info', '2 days', 'amount'),
       ('drift_share', 'drift_share', '>=', 0.5, 'warning', '0', NULL);
UPDATE mlobs.alert_routes SET receiver = 'pager' WHERE severity = 'critical';
DELETE FROM mlobs.alert_routes WHERE severity = 'info';
SELECT status, windows FROM mlobs.run_monitors('2026-03-04 06:00');
-- A resolved alert: the latency spike ends on 03-04.
SELECT status, windows FROM mlobs.run_monitors('2026-03-04 18:00');
\set fraud_xgb `cat tests/fixtures/models/fraud_xgb.json`
\set risk_logreg `cat tests/fixtures/models/risk_logreg.json`
SELECT mlobs.register_model('fraud', 'xgboost', :'fraud_xgb');
SELECT mlobs.register_model('risk', 'linear', :'risk_logreg');
