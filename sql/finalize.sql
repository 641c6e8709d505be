-- mlobs finalize: privileges. Runs last in the extension script.
-- PUBLIC may use the schema (call the pure functions) but never create objects in it.
REVOKE ALL ON SCHEMA mlobs FROM PUBLIC;
GRANT USAGE ON SCHEMA mlobs TO PUBLIC;

-- Roles (cluster-wide, created once): mlobs_reader reads metrics, alerts, monitors and models
-- (Grafana, exporters) and calls the read-only functions; mlobs_admin also writes them.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'mlobs_reader') THEN
    CREATE ROLE mlobs_reader NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'mlobs_admin') THEN
    CREATE ROLE mlobs_admin NOLOGIN;
  END IF;
END $$;
GRANT USAGE ON SCHEMA mlobs TO mlobs_reader, mlobs_admin;
GRANT SELECT ON mlobs.models, mlobs.metric_points, mlobs.alert_rules, mlobs.alerts, mlobs.alert_routes, mlobs.runs,
  mlobs.retraining_requests, mlobs.window_failures, mlobs.removed_defaults, mlobs.source_changes TO mlobs_reader;
-- Stored summaries hold values of the monitored tables (category values, quantiles): readers
-- (dashboards, exporters) get every column but those.
GRANT SELECT (id, name, model, source, ts_column, kind, config, window_size, reference_from, reference_to, start_at,
  enabled, reference_metrics, watermark, rows_total, created_at, owner, label_horizon, late_data_horizon)
  ON mlobs.monitors TO mlobs_reader;
GRANT SELECT (monitor_id, window_start, window_end, rows, computed_at) ON mlobs.monitor_windows TO mlobs_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON mlobs.models, mlobs.monitors, mlobs.monitor_windows, mlobs.metric_points,
  mlobs.alert_rules, mlobs.alerts, mlobs.alert_routes, mlobs.runs, mlobs.retraining_requests, mlobs.window_failures,
  mlobs.removed_defaults, mlobs.source_changes TO mlobs_admin;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA mlobs TO mlobs_admin;
-- Functions that write are not for PUBLIC.
REVOKE EXECUTE ON FUNCTION mlobs.register_model(text, text, jsonb, text[]), mlobs.create_monitor(text, text, regclass,
  text, jsonb, interval, timestamptz, timestamptz, text, timestamptz, interval, interval), mlobs.run_monitors(timestamptz, timestamptz, text),
  mlobs.evaluate_alerts(bigint), mlobs.schedule_monitors(text), mlobs.unschedule_monitors(),
  mlobs.drop_monitor(text), mlobs.set_monitor_enabled(text, bool),
  mlobs.create_alert_rule(text, text, text, float8, text, text, interval, text, text, bool, int, float8),
  mlobs.track_changes(regclass, text), mlobs._record_source_changes() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mlobs.register_model(text, text, jsonb, text[]), mlobs.create_monitor(text, text, regclass,
  text, jsonb, interval, timestamptz, timestamptz, text, timestamptz, interval, interval), mlobs.run_monitors(timestamptz, timestamptz, text),
  mlobs.evaluate_alerts(bigint), mlobs.schedule_monitors(text), mlobs.unschedule_monitors(),
  mlobs.drop_monitor(text), mlobs.set_monitor_enabled(text, bool),
  mlobs.create_alert_rule(text, text, text, float8, text, text, interval, text, text, bool, int, float8),
  mlobs.track_changes(regclass, text), mlobs._record_source_changes() TO mlobs_admin;
-- Trigger functions (triggers run them whatever the firing role's EXECUTE privileges).
REVOKE EXECUTE ON FUNCTION mlobs._replace_default_alert_rule(), mlobs._replace_default_alert_route(),
  mlobs._record_removed_default(), mlobs._apply_removed_default() FROM PUBLIC;
-- The runtime's internal steps: _run_monitor writes (windows, points, alerts) and the others
-- run dynamic SQL over a monitor row; only run_monitors (mlobs_admin) needs them.
REVOKE EXECUTE ON FUNCTION mlobs._run_monitor(bigint, timestamptz, timestamptz, timestamptz[]), mlobs._monitor_reference(mlobs.monitors), mlobs._monitor_window(mlobs.monitors, timestamptz, timestamptz),
  mlobs._monitor_metrics(mlobs.monitors, text, bigint, timestamptz, timestamptz),
  mlobs._monitor_summary_sql(mlobs.monitors), mlobs._monitor_column(mlobs.monitors, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mlobs._run_monitor(bigint, timestamptz, timestamptz, timestamptz[]), mlobs._monitor_reference(mlobs.monitors), mlobs._monitor_window(mlobs.monitors, timestamptz, timestamptz),
  mlobs._monitor_metrics(mlobs.monitors, text, bigint, timestamptz, timestamptz),
  mlobs._monitor_summary_sql(mlobs.monitors), mlobs._monitor_column(mlobs.monitors, text) TO mlobs_admin;
