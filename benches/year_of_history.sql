-- A year of hourly windows before the demo's (2025), for every monitor and every series it
-- wrote (segmented monitors: every segment's windows and series too), then ANALYZE. Used by
-- benches/dashboard_plans.sh and benches/history.sh.
SET client_min_messages = warning;
INSERT INTO mlobs.monitor_windows (monitor_id, window_start, window_end, rows, summary, segment)
SELECT s.monitor_id, ws, ws + interval '1 hour', 500, NULL, s.segment
  FROM (SELECT DISTINCT monitor_id, segment FROM mlobs.monitor_windows) s,
       generate_series(timestamptz '2025-01-01', timestamptz '2025-12-31 23:00', '1 hour') ws
ON CONFLICT DO NOTHING;
INSERT INTO mlobs.metric_points (monitor_id, ts, window_start, model, feature, metric, value, segment)
SELECT p.monitor_id, ws + interval '1 hour', ws, p.model, p.feature, p.metric, p.value * (0.9 + 0.2 * random()), p.segment
  FROM (SELECT DISTINCT ON (monitor_id, segment, feature, metric) * FROM mlobs.metric_points) p,
       generate_series(timestamptz '2025-01-01', timestamptz '2025-12-31 23:00', '1 hour') ws
ON CONFLICT DO NOTHING;
VACUUM ANALYZE mlobs.metric_points;
VACUUM ANALYZE mlobs.monitor_windows;
