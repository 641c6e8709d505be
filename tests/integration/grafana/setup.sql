-- Monitors over the demo's tables (examples/demo.sql must have run), one run at a fixed time after the data,
-- and the login role Grafana connects as. Used by tests/integration/grafana/run.sh; also what a local Grafana
-- pointed at the demo database needs.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET timezone = 'UTC';
-- The serving log: a request slower than the client's 60 ms timeout counts as an error.
CREATE OR REPLACE VIEW fraud_requests AS
SELECT ts, latency_ms, latency_ms > 60 AS error FROM fraud_predictions;
-- The sales channel of each prediction (web 50 %, app 30 %, pos 20 %), for the segmented monitors.
CREATE OR REPLACE VIEW fraud_predictions_by_channel AS
SELECT p.*, CASE WHEN p.id % 10 < 5 THEN 'web' WHEN p.id % 10 < 8 THEN 'app' ELSE 'pos' END AS channel
FROM fraud_predictions p;
-- Reference: the first three days (before "amount" drifts on day 8); 6-hour windows from there on.
-- Drift and performance are also computed per channel (segment_by): the two largest channels of the
-- reference, web and app, and '(other)' for pos.
SELECT mlobs.create_monitor('fraud_predictions drift', 'fraud', 'fraud_predictions_by_channel', 'feature_drift',
                            '{"segment_by": ["channel"], "max_segments": 2}', '6 hours',
                            '2026-01-01', '2026-01-04') AS drift,
       mlobs.create_monitor('fraud_predictions performance', 'fraud', 'fraud_predictions_by_channel', 'classification',
                            '{"label": "label", "predicted": "predicted_label", "score": "score",
                              "segment_by": ["channel"], "max_segments": 2}', '6 hours',
                            '2026-01-01', '2026-01-04') AS performance,
       mlobs.create_monitor('fraud_predictions cbpe', 'fraud', 'fraud_predictions', 'cbpe', '{}', '6 hours',
                            '2026-01-01', '2026-01-04') AS cbpe,
       mlobs.create_monitor('transactions quality', 'fraud', 'transactions', 'quality', '{}', '6 hours',
                            '2026-01-01', '2026-01-04') AS quality,
       mlobs.create_monitor('fraud_requests latency', 'fraud', 'fraud_requests', 'latency', '{"error": "error"}', '6 hours',
                            start_at => '2026-01-01') AS latency;
-- Multivariate drift of amount, merchant_risk and account_age_days (PCA reconstruction error, band from the reference days).
SELECT mlobs.create_monitor('fraud_predictions multivariate', 'fraud', 'fraud_predictions', 'multivariate_drift',
                            '{"keys": ["amount", "merchant_risk", "account_age_days"]}', '6 hours', '2026-01-01', '2026-01-04') AS multivariate;
-- A second feature_drift monitor of model fraud (daily windows, whole window only): its points share
-- the model, metric, feature and timestamps (midnight) of the 6-hour monitor's, so the panels must
-- keep the two monitors apart (run_panels.py: no (time, labels) pair twice).
SELECT mlobs.create_monitor('fraud_predictions drift daily', 'fraud', 'fraud_predictions', 'feature_drift', '{}', '1 day',
                            '2026-01-01', '2026-01-04') AS drift_daily;
-- (examples/demo.sql's own platform monitors, on February's simulated logs, have nothing new before this.)
SELECT status, windows, points, alert_transitions, errors FROM mlobs.run_monitors('2026-01-15 00:00');
-- Grafana's login role: read-only through mlobs_reader, plus the demo log it explains predictions from.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mlobs_grafana') THEN
    CREATE ROLE mlobs_grafana LOGIN IN ROLE mlobs_reader;
  END IF;
END $$;
GRANT SELECT ON transactions TO mlobs_reader;
