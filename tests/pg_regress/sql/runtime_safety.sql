-- The monitoring runtime on production-shaped input (issue 13): monitors run with their owner's
-- privileges, one bad window does not stop a monitor, a dropped source is named, and creation
-- validates everything a run needs.
SET timezone = 'UTC';
\set VERBOSITY terse
DROP ROLE IF EXISTS regress_mlobs_bob;
DROP ROLE IF EXISTS regress_mlobs_rita;
DROP ROLE IF EXISTS regress_mlobs_runner;
CREATE ROLE regress_mlobs_bob IN ROLE mlobs_admin;
CREATE ROLE regress_mlobs_rita IN ROLE mlobs_reader;
CREATE ROLE regress_mlobs_runner IN ROLE mlobs_admin;
CREATE TABLE rs_secrets AS SELECT timestamptz '2026-07-01 00:30' ts, 'sk_live_' || i AS api_key FROM generate_series(1, 3) i;
CREATE TABLE rs_log AS
  SELECT timestamptz '2026-07-01 00:00' + i * interval '1 minute' ts, i % 2 AS label, (i % 3 = 0)::int AS predicted,
         jsonb_build_object('x', i % 7, 'c', 'v' || (i % 3)) AS features, (i % 10) / 10.0 AS score, 1.0 + i % 5 AS d
    FROM generate_series(0, 359) i;
GRANT SELECT ON rs_log TO regress_mlobs_bob;

-- 1. Privileges. bob (mlobs_admin, no SELECT on rs_secrets) cannot monitor it: the scheduled
-- job would otherwise read it for him and store the API keys in a summary.
SET ROLE regress_mlobs_bob;
SELECT mlobs.create_monitor('rs innocent', 'x', 'rs_secrets', 'classification',
  '{"label": "api_key", "predicted": "api_key", "average": "macro"}', '1 hour', '2026-07-01', '2026-07-01 01:00');
SELECT mlobs.create_monitor('rs bob', 'x', 'rs_log', 'classification', '{}', '1 hour', '2026-07-01', '2026-07-01 01:00');
RESET ROLE;
SELECT name, owner FROM mlobs.monitors WHERE name LIKE 'rs %' ORDER BY 1;
SELECT status, windows, errors FROM mlobs.run_monitors('2026-07-01 03:00', monitor => 'rs bob');
-- A revoked grant stops the monitor with the reason; its watermark waits.
REVOKE SELECT ON rs_log FROM regress_mlobs_bob;
SELECT status, windows, errors FROM mlobs.run_monitors('2026-07-01 04:00', monitor => 'rs bob');
SELECT watermark FROM mlobs.monitors WHERE name = 'rs bob';
GRANT SELECT ON rs_log TO regress_mlobs_bob;
-- A runner that is not a member of the owner cannot act as it: skipped with the reason.
SET SESSION AUTHORIZATION regress_mlobs_runner;
SELECT status, windows, errors->0->>'sqlstate' AS sqlstate, errors->0->>'error' AS error
  FROM mlobs.run_monitors('2026-07-01 04:00', monitor => 'rs bob');
RESET SESSION AUTHORIZATION;
GRANT regress_mlobs_bob TO regress_mlobs_runner;
SET SESSION AUTHORIZATION regress_mlobs_runner;
SELECT status, windows, errors FROM mlobs.run_monitors('2026-07-01 04:00', monitor => 'rs bob');
SELECT current_user;
RESET SESSION AUTHORIZATION;
-- Nobody may hand a monitor to, or edit one of, a role they are not a member of: bob pointing
-- his monitor at rs_secrets under the superuser would otherwise read it through the job.
SET ROLE regress_mlobs_bob;
UPDATE mlobs.monitors SET owner = 'postgres', source = 'rs_secrets' WHERE name = 'rs bob';
INSERT INTO mlobs.monitors (name, model, source, kind, owner) VALUES ('rs forged', 'x', 'rs_secrets', 'latency', 'postgres');
RESET ROLE;
SELECT mlobs.create_monitor('rs admin', 'x', 'rs_log', 'latency', '{"latency_ms": "d"}', '1 hour', start_at => '2026-07-01') > 0 AS created;
SET ROLE regress_mlobs_bob;
UPDATE mlobs.monitors SET source = 'rs_secrets' WHERE name = 'rs admin';
SELECT mlobs.set_monitor_enabled('rs bob', true);
RESET ROLE;
SELECT mlobs.drop_monitor('rs admin');
-- Readers see metrics, never the stored summaries (values of the monitored table).
SET ROLE regress_mlobs_rita;
SELECT reference_summary FROM mlobs.monitors WHERE name = 'rs bob';
SELECT summary FROM mlobs.monitor_windows LIMIT 1;
SELECT name, kind, watermark FROM mlobs.monitors WHERE name = 'rs bob';
SELECT metric, value FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'rs bob' AND p.window_start = '2026-07-01 01:00' ORDER BY 1;
RESET ROLE;

-- 3. One bad row fails its window only: the windows before and after are committed, the failure
-- is recorded with a query that finds its rows, and later runs retry it.
CREATE VIEW rs_fragile AS SELECT ts, features, (1 / d)::float8 AS score FROM rs_log;
SELECT mlobs.create_monitor('rs fragile', 'x', 'rs_fragile', 'prediction_drift', '{}', '1 hour', '2026-07-01', '2026-07-01 01:00');
UPDATE rs_log SET d = 0 WHERE ts = '2026-07-01 03:30';
SELECT status, windows, jsonb_array_length(errors) AS errors, errors->0->>'window_start' AS failed_window,
       errors->0->>'sqlstate' AS sqlstate FROM mlobs.run_monitors('2026-07-01 06:00', monitor => 'rs fragile');
SELECT w.window_start, w.rows FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id
 WHERE m.name = 'rs fragile' ORDER BY 1;
SELECT window_start, sqlstate, error, find_rows, attempts FROM mlobs.window_failures;
SELECT watermark FROM mlobs.monitors WHERE name = 'rs fragile';
-- Still broken: retried and counted; fixed: the window is computed and the failure cleared.
SELECT status, windows FROM mlobs.run_monitors('2026-07-01 06:00', monitor => 'rs fragile');
SELECT attempts FROM mlobs.window_failures;
UPDATE rs_log SET d = 1 WHERE ts = '2026-07-01 03:30';
SELECT status, windows, errors FROM mlobs.run_monitors('2026-07-01 06:00', monitor => 'rs fragile');
SELECT count(*) AS failures FROM mlobs.window_failures;
SELECT w.window_start, w.rows FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id
 WHERE m.name = 'rs fragile' AND w.window_start = '2026-07-01 03:00';
-- A payload value beyond float8 is data, not an outage: the window completes.
INSERT INTO rs_log VALUES ('2026-07-01 06:10', 1, 1, '{"x": 1e400, "c": "v1"}', 0.5, 1);
SELECT mlobs.create_monitor('rs features', 'x', 'rs_log', 'feature_drift', '{}', '1 hour', '2026-07-01', '2026-07-01 01:00',
                            start_at => '2026-07-01 06:00');
SELECT status, windows, errors FROM mlobs.run_monitors('2026-07-01 07:00', monitor => 'rs features');

-- 5. Backfill never goes before a monitor's first window; a dropped source is named.
SELECT status, windows FROM mlobs.run_monitors('2026-07-01 06:00', backfill_from => '2026-06-01', monitor => 'rs fragile');
SELECT min(window_start), count(*) FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id WHERE m.name = 'rs fragile';
CREATE TABLE rs_doomed AS SELECT * FROM rs_log;
SELECT mlobs.create_monitor('rs doomed', 'x', 'rs_doomed', 'latency', '{"latency_ms": "d"}', '1 hour', start_at => '2026-07-01');
DROP TABLE rs_doomed;
SELECT status, errors->0->>'sqlstate' AS sqlstate, errors->0->>'error' LIKE 'monitor rs doomed: its source (relation oid %) no longer exists%' AS named
  FROM mlobs.run_monitors('2026-07-01 07:00', monitor => 'rs doomed');
SELECT mlobs.set_monitor_enabled('rs doomed', false);
SELECT status, errors FROM mlobs.run_monitors('2026-07-01 07:00', monitor => 'rs doomed');
SELECT mlobs.drop_monitor('rs doomed');
SELECT mlobs.drop_monitor('rs doomed');
SELECT mlobs.run_monitors(NULL);

-- Alerts judge windows with enough rows only: a trailing 1-row window gives PSI > 0.3 but no
-- alert; an open alert resolves with reason no_data when its series stops (empty windows).
CREATE TABLE rs_traffic AS
  SELECT timestamptz '2026-08-01 00:00' + i * interval '30 seconds' AS ts, (i % 50)::float8 AS score FROM generate_series(0, 479) i
  UNION ALL SELECT timestamptz '2026-08-01 04:00' + i * interval '30 seconds', 100 + (i % 50)::float8 FROM generate_series(0, 119) i
  UNION ALL SELECT timestamptz '2026-08-01 05:30', 1000;
SELECT mlobs.create_monitor('rs traffic', 'traffic', 'rs_traffic', 'prediction_drift', '{}', '1 hour', '2026-08-01', '2026-08-01 02:00');
-- Rules: the metric must be one mlobs writes; min_rows is per rule.
SELECT mlobs.create_alert_rule('rs typo', 'acuracy', '<', 0.8);
SELECT mlobs.create_alert_rule('rs mean', 'mean', '>', 50, model => 'traffic', min_rows => 1) > 7 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-08-01 06:00', monitor => 'rs traffic');
-- psi alerts from the 04:00 window (120 rows); the 1-row 05:00 window is not judged by them, so
-- they resolve as no_data at its end; rs mean (min_rows 1) judges it and stays firing.
SELECT r.name, a.state, a.window_start, a.started_at, a.fired_at, a.resolved_at, a.resolved_reason,
       round(a.value::numeric, 2) AS value, round(a.worst_value::numeric, 2) AS worst, a.judged_rows
  FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id JOIN mlobs.monitors m ON m.id = a.monitor_id
 WHERE m.name = 'rs traffic' ORDER BY a.id;
SELECT reason FROM mlobs.retraining_requests WHERE model = 'traffic';
-- A disabled rule's open alert resolves at the monitor's watermark (window time, not now()).
UPDATE mlobs.alert_rules SET enabled = false WHERE name = 'rs mean';
SELECT mlobs.evaluate_alerts();
SELECT r.name, a.state, a.resolved_at, a.resolved_reason FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id
 WHERE r.name = 'rs mean';
SELECT status, windows FROM mlobs.run_monitors('2026-08-01 08:00', monitor => 'rs traffic');
SELECT w.window_start, w.rows, round(p.value::numeric, 2) AS psi FROM mlobs.monitor_windows w
  JOIN mlobs.monitors m ON m.id = w.monitor_id LEFT JOIN mlobs.metric_points p ON p.monitor_id = w.monitor_id
   AND p.window_start = w.window_start AND p.metric = 'psi'
 WHERE m.name = 'rs traffic' ORDER BY 1;
SELECT count(*) AS open_alerts FROM mlobs.alerts a JOIN mlobs.monitors m ON m.id = a.monitor_id
 WHERE m.name = 'rs traffic' AND a.state <> 'resolved';
DELETE FROM mlobs.alert_rules WHERE name = 'rs mean';
DELETE FROM mlobs.retraining_requests WHERE model = 'traffic';
DROP TABLE rs_traffic CASCADE;

-- Creation validates everything a run needs, with the functions' own messages.
SELECT mlobs.create_monitor('rs bad', 'x', 'rs_log', 'feature_drift', '{"method": "bogus"}', '1 hour', '2026-07-01', '2026-07-01 01:00');
SELECT mlobs.create_monitor('rs bad', 'x', 'rs_log', 'quality', '{"options": {"bogus": 1}}', '1 hour', '2026-07-01', '2026-07-01 01:00');
SELECT mlobs.create_monitor('rs bad', 'x', 'rs_log', 'feature_drift', '{"features": "score"}', '1 hour', '2026-07-01', '2026-07-01 01:00');
SELECT mlobs.create_monitor('rs bad', 'x', 'rs_log', 'latency', '{"latency_ms": "d"}', '1 hour', ts_column => 'label');
SELECT mlobs.create_monitor('rs bad', 'x', 'rs_log', 'latency', '{"latency_ms": "d"}', '1 month');
SELECT mlobs.create_monitor('rs bad', 'x', 'rs_log', 'latency', '{"latency_ms": "d", "colour": "red"}', '1 hour');
SELECT mlobs.create_monitor('rs bad', 'x', 'rs_log', 'classification', '{"average": "bogus"}', '1 hour', '2026-07-01', '2026-07-01 01:00');
SELECT mlobs.create_monitor('rs bad', 'x', 'rs_log', 'cbpe', '{"threshold": 2}', '1 hour', '2026-07-01', '2026-07-01 01:00');
SELECT count(*) FROM mlobs.monitors WHERE name = 'rs bad';

-- Clean up (other suites run after this one in the same database).
SELECT mlobs.drop_monitor(name) FROM mlobs.monitors WHERE name LIKE 'rs %' ORDER BY name;
DROP VIEW rs_fragile;
DROP TABLE rs_log, rs_secrets;
DROP OWNED BY regress_mlobs_bob, regress_mlobs_rita, regress_mlobs_runner;
DROP ROLE regress_mlobs_bob, regress_mlobs_rita, regress_mlobs_runner;
