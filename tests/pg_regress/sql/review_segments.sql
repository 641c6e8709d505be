-- Faults the review of segmented monitors and alert rules found on 2026-12-07. Each case failed
-- before its fix. Runs name their monitors; the rules other tests rely on are restored at the end.
SET timezone = 'UTC';
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE TEMP TABLE rsg_rules AS SELECT id, enabled FROM mlobs.alert_rules;
UPDATE mlobs.alert_rules SET enabled = false;

-- 1. One segment value of 3 200 characters, learned from one row, failed the index of the
-- learned segments (54000) on every run: the monitor computed nothing, ever. Such a value is
-- not learned; its rows count in '(other)'.
CREATE TABLE rsg_long AS
SELECT timestamptz '2026-04-01' + i * interval '1 minute' AS ts,
       CASE WHEN i = 5 THEN (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 100) g)
            WHEN i % 2 = 0 THEN 'DE' ELSE 'FR' END AS country,
       jsonb_build_object('amount', (i * 7919 % 1000) / 10.0) AS features
  FROM generate_series(0, 2 * 1440 - 1) i;
SELECT mlobs.create_monitor('rsg long', 'rsg', 'rsg_long', 'feature_drift', '{"segment_by": ["country"]}', '1 hour',
                            '2026-04-01', '2026-04-02') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-04-03', monitor => 'rsg long');
SELECT s.segment, s.rank, s.reference_rows FROM mlobs.monitor_segments s JOIN mlobs.monitors m ON m.id = s.monitor_id
 WHERE m.name = 'rsg long' ORDER BY s.rank;

-- 2. Without a reference, segments were learned from the first run's rows: a job 5 minutes in
-- learned 5 of 10 segments from 5 rows, for good. They are learned once the first day is over.
CREATE TABLE rsg_first AS
SELECT timestamptz '2026-04-01' + i * interval '1 minute' AS ts, 'C' || (i % 30) AS country, 50 + (i * 7919 % 100) AS latency_ms
  FROM generate_series(0, 2 * 1440 - 1) i;
SELECT mlobs.create_monitor('rsg first', 'rsg', 'rsg_first', 'latency', '{"segment_by": ["country"], "max_segments": 10}', '1 hour',
                            start_at => '2026-04-01') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-04-01 00:05', monitor => 'rsg first');
SELECT count(*) AS learned_after_5_minutes FROM mlobs.monitor_segments s JOIN mlobs.monitors m ON m.id = s.monitor_id WHERE m.name = 'rsg first';
SELECT status, windows FROM mlobs.run_monitors('2026-04-03', monitor => 'rsg first');
SELECT count(*) FILTER (WHERE s.segment <> '(other)') AS learned, bool_and(s.segment = '(other)' OR s.segment ~ '^C\d+$') AS from_the_data
  FROM mlobs.monitor_segments s JOIN mlobs.monitors m ON m.id = s.monitor_id WHERE m.name = 'rsg first';

-- ... nor from a first day without rows (start_at before the traffic), nor, after segment_by
-- changed to a column added later, from that first day: from the day before the run.
CREATE TABLE rsg_late AS
SELECT timestamptz '2026-04-02' + i * interval '1 minute' AS ts, 'C' || (i % 4) AS country, 50 + (i * 7919 % 100) AS latency_ms
  FROM generate_series(0, 2 * 1440 - 1) i;
SELECT mlobs.create_monitor('rsg late', 'rsg', 'rsg_late', 'latency', '{"segment_by": ["country"]}', '1 hour',
                            start_at => '2026-04-01') > 0 AS created;
SELECT status FROM mlobs.run_monitors('2026-04-03 01:00', monitor => 'rsg late');
SELECT string_agg(s.segment, ',' ORDER BY s.rank) AS learned FROM mlobs.monitor_segments s JOIN mlobs.monitors m ON m.id = s.monitor_id
 WHERE m.name = 'rsg late';
ALTER TABLE rsg_late ADD COLUMN channel text;
UPDATE rsg_late SET channel = CASE WHEN latency_ms % 2 = 0 THEN 'web' ELSE 'app' END WHERE ts >= '2026-04-03';
UPDATE mlobs.monitors SET config = '{"segment_by": ["channel"]}' WHERE name = 'rsg late';
SELECT status FROM mlobs.run_monitors('2026-04-04', monitor => 'rsg late');
SELECT string_agg(s.segment, ',' ORDER BY s.rank) AS learned FROM mlobs.monitor_segments s JOIN mlobs.monitors m ON m.id = s.monitor_id
 WHERE m.name = 'rsg late';

-- ... nor from the day before a run 5 minutes into the traffic (start_at days before it): a test
-- client's 10 rows were learned for good. The log must have had rows for that whole day.
CREATE TABLE rsg_qa AS
SELECT timestamptz '2026-05-05' + i * interval '1 minute' AS ts,
       CASE WHEN i < 10 THEN 'QA' WHEN i % 10 < 5 THEN 'US' WHEN i % 10 < 8 THEN 'DE' ELSE 'FR' END AS country, 10.0 + i % 7 AS latency_ms
  FROM generate_series(0, 3 * 1440 - 1) i;
SELECT mlobs.create_monitor('rsg qa', 'rsg', 'rsg_qa', 'latency', '{"segment_by": ["country"], "max_segments": 3}', '1 hour',
                            start_at => '2026-05-01') > 0 AS created;
SELECT status FROM mlobs.run_monitors('2026-05-05 00:05', monitor => 'rsg qa');
SELECT count(*) AS learned_5_minutes_in FROM mlobs.monitor_segments s JOIN mlobs.monitors m ON m.id = s.monitor_id WHERE m.name = 'rsg qa';
SELECT status FROM mlobs.run_monitors('2026-05-06 00:05', monitor => 'rsg qa');
SELECT string_agg(s.segment, ',' ORDER BY s.rank) AS learned FROM mlobs.monitor_segments s JOIN mlobs.monitors m ON m.id = s.monitor_id
 WHERE m.name = 'rsg qa';

-- ... nor, with a date column, from today's first rows (the 24 hours before `now` hold only
-- today's midnight): from the last complete windows' day.
CREATE TABLE rsg_date AS
SELECT (date '2026-06-01' + (i / 300))::date AS day, CASE WHEN i >= 600 THEN 'zz' ELSE (ARRAY['de', 'fr', 'us'])[1 + i % 3] END AS country,
       10.0 + i % 7 AS latency_ms
  FROM generate_series(0, 604) i;
SELECT mlobs.create_monitor('rsg date', 'rsg', 'rsg_date', 'latency', '{"segment_by": ["country"], "max_segments": 2}', '1 day',
                            ts_column => 'day', start_at => '2026-06-01') > 0 AS created;
SELECT status FROM mlobs.run_monitors('2026-06-03 00:05', monitor => 'rsg date');
SELECT string_agg(s.segment, ',' ORDER BY s.rank) AS learned FROM mlobs.monitor_segments s JOIN mlobs.monitors m ON m.id = s.monitor_id
 WHERE m.name = 'rsg date';
-- The same in a zone ahead of UTC (today's local date began an hour before the run), and with
-- hourly windows mid-day (review of that fix).
SET timezone = 'Europe/London';
SELECT mlobs.create_monitor('rsg date london', 'rsg', 'rsg_date', 'latency', '{"segment_by": ["country"], "max_segments": 2}', '1 day',
                            ts_column => 'day', start_at => '2026-06-01') > 0 AS created;
SELECT status FROM mlobs.run_monitors('2026-06-03 00:05+00', monitor => 'rsg date london');
SET timezone = 'UTC';
SELECT mlobs.create_monitor('rsg date hourly', 'rsg', 'rsg_date', 'latency', '{"segment_by": ["country"], "max_segments": 2}', '1 hour',
                            ts_column => 'day', start_at => '2026-06-01') > 0 AS created;
SELECT status FROM mlobs.run_monitors('2026-06-03 10:05', monitor => 'rsg date hourly');
SELECT m.name, string_agg(s.segment, ',' ORDER BY s.rank) AS learned FROM mlobs.monitor_segments s JOIN mlobs.monitors m ON m.id = s.monitor_id
 WHERE m.name IN ('rsg date london', 'rsg date hourly') GROUP BY 1 ORDER BY 1;

-- 3. A changed segment_by kept the segments of the old one: every row went to '(other)', with no
-- reference, so no drift points. The segments are learned again.
CREATE TABLE rsg_chg AS
SELECT timestamptz '2026-04-01' + i * interval '1 minute' AS ts, (ARRAY['DE', 'FR', 'US'])[1 + i % 3] AS country,
       jsonb_build_object('amount', (i * 7919 % 1000) / 10.0, 'channel', CASE WHEN i % 2 = 0 THEN 'web' ELSE 'app' END) AS features
  FROM generate_series(0, 3 * 1440 - 1) i;
SELECT mlobs.create_monitor('rsg chg', 'rsg', 'rsg_chg', 'feature_drift', '{"segment_by": ["country"]}', '6 hours',
                            '2026-04-01', '2026-04-02') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-04-03', monitor => 'rsg chg');
UPDATE mlobs.monitors SET config = '{"segment_by": ["features->channel"]}' WHERE name = 'rsg chg';
SELECT status, windows FROM mlobs.run_monitors('2026-04-04', monitor => 'rsg chg');
SELECT s.segment, s.reference_rows FROM mlobs.monitor_segments s JOIN mlobs.monitors m ON m.id = s.monitor_id
 WHERE m.name = 'rsg chg' ORDER BY s.rank;
SELECT p.segment, count(*) AS psi_points FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'rsg chg' AND p.window_start >= '2026-04-03' AND p.metric = 'psi' GROUP BY 1 ORDER BY 1;

-- 4. A rule whose segment (or feature, or model) filter was edited while its alert was open left
-- that alert firing for good with its old value; an edited severity or threshold did not reach
-- the open alert. Now: the alert follows the rule's severity and threshold, and resolves
-- (rule_disabled) once the rule no longer covers it.
CREATE TABLE rsg_alert AS
SELECT timestamptz '2026-04-01' + i * interval '1 minute' AS ts, (ARRAY['DE', 'FR', 'US'])[1 + i % 3] AS country,
       jsonb_build_object('amount', (i * 7919 % 1000) / 10.0 * CASE WHEN i >= 1440 AND i < 2880 AND i % 3 = 0 THEN 3 ELSE 1 END) AS features
  FROM generate_series(0, 4 * 1440 - 1) i;
SELECT mlobs.create_alert_rule('rsg amount psi', 'psi', '>', 0.5, feature => 'amount', min_rows => 10) > 0 AS rule;
SELECT mlobs.create_monitor('rsg alert', 'rsg', 'rsg_alert', 'feature_drift', '{"segment_by": ["country"]}', '6 hours',
                            '2026-04-01', '2026-04-02') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-04-02 12:00', monitor => 'rsg alert');
SELECT a.segment, a.state, a.severity, a.threshold FROM mlobs.alerts a JOIN mlobs.monitors m ON m.id = a.monitor_id
 WHERE m.name = 'rsg alert' ORDER BY a.segment;
UPDATE mlobs.alert_rules SET severity = 'critical', threshold = 0.6 WHERE name = 'rsg amount psi';
SELECT status FROM mlobs.run_monitors('2026-04-02 18:00', monitor => 'rsg alert');
SELECT a.segment, a.state, a.severity, a.threshold FROM mlobs.alerts a JOIN mlobs.monitors m ON m.id = a.monitor_id
 WHERE m.name = 'rsg alert' ORDER BY a.segment;
UPDATE mlobs.alert_rules SET segment = '' WHERE name = 'rsg amount psi';
SELECT mlobs.evaluate_alerts((SELECT id FROM mlobs.monitors WHERE name = 'rsg alert')) AS transitions;
SELECT a.segment, a.state, a.resolved_reason FROM mlobs.alerts a JOIN mlobs.monitors m ON m.id = a.monitor_id
 WHERE m.name = 'rsg alert' ORDER BY a.segment;
-- A rule's metric edited: its open alert was found by rule, feature and segment and took the
-- new metric's value (resolved as recovered, or overwritten). It resolves as rule_disabled, and
-- the new metric opens an alert of its own.
UPDATE mlobs.alert_rules SET metric = 'drift_share', feature = NULL WHERE name = 'rsg amount psi';
SELECT mlobs.evaluate_alerts((SELECT id FROM mlobs.monitors WHERE name = 'rsg alert')) AS transitions;
SELECT a.segment, a.metric, a.state, a.resolved_reason, round(a.value::numeric, 3) AS value FROM mlobs.alerts a
  JOIN mlobs.monitors m ON m.id = a.monitor_id WHERE m.name = 'rsg alert' ORDER BY a.id;

-- 5. Two runs at once (one job per owner) both raised an open retraining request for the model,
-- which was then trained twice: one open request per model is kept by a unique index.
INSERT INTO mlobs.retraining_requests (model, reason) VALUES ('rsg', 'first');
INSERT INTO mlobs.retraining_requests (model, reason) VALUES ('rsg', 'second') ON CONFLICT (model) WHERE status = 'open' DO NOTHING;
SELECT count(*) AS open_requests FROM mlobs.retraining_requests WHERE model = 'rsg' AND status = 'open';
DELETE FROM mlobs.retraining_requests WHERE model = 'rsg';

SELECT mlobs.drop_monitor(name) FROM mlobs.monitors WHERE name LIKE 'rsg %' ORDER BY name;
DELETE FROM mlobs.alert_rules WHERE name = 'rsg amount psi';
UPDATE mlobs.alert_rules r SET enabled = s.enabled FROM rsg_rules s WHERE s.id = r.id;
DROP TABLE rsg_long, rsg_first, rsg_late, rsg_qa, rsg_date, rsg_chg, rsg_alert;
