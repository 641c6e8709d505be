-- Monitoring runtime: monitors of every kind over a synthetic log, idempotent runs, windows
-- summarised once, alerts (pending → firing → resolved), retraining requests, backfill, error
-- isolation, roles. (NOTIFY payloads, the advisory lock against a concurrent run and pg_cron are
-- tested by tests/integration/monitoring/run.sh against real sessions.)
SET timezone = 'UTC';
SELECT setseed(0.5);
CREATE TABLE log AS
SELECT ts, jsonb_build_object(
         'amount', round((exp(3 + random() + CASE WHEN ts >= '2026-01-03' THEN 1.0 ELSE 0 END))::numeric, 2),
         'merchant', (ARRAY['a','b','c'])[1 + floor(random() * 3)::int],
         'age', CASE WHEN ts >= '2026-01-03 06:00' AND ts < '2026-01-03 12:00' AND random() < 0.3 THEN NULL
                     ELSE floor(18 + random() * 60) END) AS features,
       s AS score, (s >= 0.5)::int AS predicted, CASE WHEN random() < 0.7 THEN (random() < s)::int END AS label,
       20 + random() * 100 + CASE WHEN ts >= '2026-01-03 18:00' THEN 300 ELSE 0 END AS latency_ms,
       random() < 0.01 AS failed
FROM (SELECT ts, random() AS s
        FROM generate_series(timestamptz '2026-01-01', timestamptz '2026-01-04' - interval '1 second', interval '30 seconds') ts) x;
SELECT mlobs.create_monitor('fraud features', 'fraud', 'log', 'feature_drift', '{}', '6 hours', '2026-01-01', '2026-01-02');
SELECT mlobs.create_monitor('fraud quality', 'fraud', 'log', 'quality', '{}', '6 hours', '2026-01-01', '2026-01-02');
SELECT mlobs.create_monitor('fraud score', 'fraud', 'log', 'prediction_drift', '{}', '6 hours', '2026-01-01', '2026-01-02');
SELECT mlobs.create_monitor('fraud performance', 'fraud', 'log', 'classification', '{"score": "score"}', '6 hours', '2026-01-01', '2026-01-02');
SELECT mlobs.create_monitor('fraud cbpe', 'fraud', 'log', 'cbpe', '{}', '6 hours', '2026-01-01', '2026-01-02');
SELECT mlobs.create_monitor('fraud latency', 'fraud', 'log', 'latency', '{"error": "failed"}', '6 hours', start_at => '2026-01-01');
-- The table's CHECK and mlobs._monitor_kinds() list the same kinds (a new kind needs both).
SELECT ARRAY(SELECT d.kind FROM mlobs._monitor_kinds() d ORDER BY 1)
       = ARRAY(SELECT k[1] FROM regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') k ORDER BY 1)
       AS check_lists_every_kind
  FROM pg_constraint c WHERE c.conrelid = 'mlobs.monitors'::regclass AND c.conname = 'monitors_kind_check';
-- Invalid monitors are refused with the reason.
\set VERBOSITY terse
SELECT mlobs.create_monitor('x', 'fraud', 'log', 'psi', '{}');
SELECT mlobs.create_monitor('x', 'fraud', 'log', 'feature_drift', '{}');
SELECT mlobs.create_monitor('x', 'fraud', 'log', 'classification', '{"label": "truth"}', '1 hour', '2026-01-01', '2026-01-02');
SELECT mlobs.create_monitor('x', 'fraud', 'log', 'latency', '{}', '10 seconds');
SELECT mlobs.schedule_monitors();
\set VERBOSITY default

-- A rule with a `for` duration: drift share above 0.2 for 12 hours of windows.
INSERT INTO mlobs.alert_rules (name, metric, threshold, severity, for_duration)
VALUES ('sustained_drift', 'drift_share', 0.2, 'warning', '12 hours');

-- Runs: complete windows only; a rerun computes nothing new and changes nothing.
SELECT status, windows, points, alert_transitions, errors FROM mlobs.run_monitors('2026-01-03 00:00');
SELECT status, windows, points, alert_transitions, errors FROM mlobs.run_monitors('2026-01-04 00:00');
CREATE TABLE points_after AS SELECT * FROM mlobs.metric_points;
SELECT status, windows, points, alert_transitions FROM mlobs.run_monitors('2026-01-04 00:00');
SELECT count(*) AS points, (SELECT count(*) FROM points_after) AS before,
       bool_and(p.value IS NOT DISTINCT FROM a.value) AS unchanged
FROM mlobs.metric_points p JOIN points_after a USING (monitor_id, window_start, feature, metric);
-- Each window was summarised once; the summaries roll up (here: rows of the whole period).
SELECT m.name, count(*) AS windows, sum(w.rows) AS rows FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id
GROUP BY m.name ORDER BY m.name;
SELECT mlobs.count(mlobs.rollup(w.summary::mlobs.profile)) AS rolled_up_rows
FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id WHERE m.name = 'fraud score';

-- The metric time series.
SELECT metric, feature, count(*) AS points, round(min(value)::numeric, 4) AS min, round(max(value)::numeric, 4) AS max
FROM mlobs.metric_points WHERE metric NOT IN ('almost_constant', 'distinct_count', 'type_mismatch_share', 'new_category_share', 'out_of_range_share')
GROUP BY 1, 2 ORDER BY 1, 2;
-- CBPE tracks the realised accuracy without labels.
SELECT max(abs(c.value - a.value)) < 0.03 AS cbpe_close_to_accuracy
FROM mlobs.metric_points c JOIN mlobs.metric_points a USING (window_start)
WHERE c.metric = 'cbpe_accuracy' AND a.metric = 'accuracy';

-- Alerts: the first breaching window starts them; the missing-value spike resolved; the
-- sustained-drift rule waited 12 hours of windows in 'pending'.
SELECT r.name, a.feature, a.state, a.severity, a.started_at, a.fired_at, a.resolved_at
FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id ORDER BY a.id;
SELECT model, reason, status FROM mlobs.retraining_requests ORDER BY id;
SELECT status, windows, alert_transitions FROM mlobs.runs ORDER BY id;

-- Backfill recomputes past windows in place (same values, no duplicates).
DELETE FROM mlobs.metric_points WHERE window_start = '2026-01-02 06:00';
SELECT status, windows FROM mlobs.run_monitors('2026-01-04 00:00', backfill_from => '2026-01-02 06:00');
SELECT count(*) = (SELECT count(*) FROM points_after) AS restored,
       bool_and(p.value IS NOT DISTINCT FROM a.value) AS same_values
FROM mlobs.metric_points p JOIN points_after a USING (monitor_id, window_start, feature, metric);

-- One failing monitor does not stop the others; the run records it.
CREATE TABLE other_log AS SELECT * FROM log WHERE ts >= '2026-01-03';
SELECT mlobs.create_monitor('doomed', 'other', 'other_log', 'latency', '{}', '6 hours', start_at => '2026-01-03');
DROP TABLE other_log;
INSERT INTO log (ts, features, score, predicted, label, latency_ms, failed)
SELECT ts, '{"amount": 10, "merchant": "a", "age": 30}', 0.2, 0, 0, 50, false
FROM generate_series(timestamptz '2026-01-04', timestamptz '2026-01-04 06:00' - interval '1 minute', interval '1 minute') ts;
SELECT status, windows, jsonb_array_length(errors) AS errors, errors->0->>'monitor' AS failed_monitor
FROM mlobs.run_monitors('2026-01-04 06:00');

-- rows_total counts every window's rows once, backfills and reruns included: a true counter.
SELECT name, rows_total, rows_total = (SELECT coalesce(sum(rows), 0) FROM mlobs.monitor_windows w WHERE w.monitor_id = m.id) AS consistent
FROM mlobs.monitors m ORDER BY id;

-- Roles: the reader reads and predicts but cannot run monitors or register models.
SET ROLE mlobs_reader;
SELECT count(*) > 0 AS reader_reads_points FROM mlobs.metric_points;
SELECT count(*) >= 0 AS reader_reads_alerts FROM mlobs.alerts;
\set VERBOSITY terse
SELECT mlobs.run_monitors();
SELECT mlobs.register_model('m', 'linear', '{"coefficients": [[1]], "intercept": [0], "link": "identity"}');
INSERT INTO mlobs.metric_points (monitor_id, ts, window_start, model, metric, value) VALUES (1, now(), now(), 'x', 'y', 1);
\set VERBOSITY default
RESET ROLE;
SET ROLE mlobs_admin;
SELECT mlobs.register_model('role_check', 'linear', '{"coefficients": [[1]], "intercept": [0], "link": "identity"}') AS admin_registers;
SET ROLE mlobs_reader;
SELECT mlobs.predict('role_check', ARRAY[2.0]) AS reader_predicts;
RESET ROLE;
