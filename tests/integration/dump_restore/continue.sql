-- After the restore: the monitors run on from their watermarks, and the models predict.
\pset footer off
\pset tuples_only on
SET timezone = 'UTC';
CREATE TEMP TABLE before_run AS SELECT monitor_id, window_start, segment, computed_at FROM mlobs.monitor_windows;
SELECT 'run ' || status || ' windows=' || windows || ' points=' || points || ' transitions=' || alert_transitions
  FROM mlobs.run_monitors('2026-03-05 00:00');
-- Windows computed before the dump keep their computed_at: nothing was recomputed twice.
SELECT 'windows ' || (SELECT count(*) FROM mlobs.monitor_windows) || ' recomputed='
       || (SELECT count(*) FROM before_run b JOIN mlobs.monitor_windows w USING (monitor_id, window_start, segment) WHERE w.computed_at <> b.computed_at);
SELECT 'points ' || md5(string_agg(format('%s %s %s %s %s %s', monitor_id, window_start, segment, feature, metric, value), E'\n'
                                   ORDER BY monitor_id, window_start, segment, feature, metric)) FROM mlobs.metric_points;
SELECT 'alerts ' || string_agg(format('%s %s %s %s %s %s %s %s', a.id, r.name, a.feature, a.segment, a.state, a.started_at, a.fired_at, a.resolved_at), '; ' ORDER BY a.id)
  FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id;
SELECT 'requests ' || string_agg(format('%s %s %s', id, model, reason), '; ' ORDER BY id) FROM mlobs.retraining_requests;
SELECT 'failures ' || string_agg(format('%s %s %s', monitor_id, window_start, attempts), '; ' ORDER BY 1) FROM mlobs.window_failures;
SELECT 'predict ' || name || ' ' || mlobs.predict(name, x, class => CASE WHEN name = 'risk' THEN 1 END)
  FROM (SELECT name, (SELECT array_agg(j::float8 / 3) FROM generate_series(1, cardinality(feature_names)) j) x FROM mlobs.models) m ORDER BY 1;
