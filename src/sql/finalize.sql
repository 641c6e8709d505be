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
GRANT SELECT ON mlobs.estimated_vs_realised TO mlobs_reader, mlobs_admin;
-- Not the change queues (mlobs.source_changes, mlobs.monitor_changes): they hold the minute of
-- every changed row of a monitored table, rows the reader (or, through row security, even the
-- admin) may not see included.
GRANT SELECT ON mlobs.models, mlobs.metric_points, mlobs.alert_rules, mlobs.alerts, mlobs.alert_routes,
  mlobs.removed_defaults, mlobs.run_errors TO mlobs_reader;
-- Error messages can quote values of a monitored table (a failed cast names the value): readers
-- get every column of runs, window failures and retraining requests but the messages
-- (mlobs.run_errors lists each run's errors without them).
GRANT SELECT (id, started_at, finished_at, duration_ms, as_of, status, windows, points, alert_transitions, revised,
  busy_monitors) ON mlobs.runs TO mlobs_reader;
GRANT SELECT (monitor_id, window_start, window_end, sqlstate, find_rows, attempts, first_failed_at, last_failed_at)
  ON mlobs.window_failures TO mlobs_reader;
GRANT SELECT (id, model, alert_id, reason, status, requested_at, processed_at, trained_version, decision, outcome)
  ON mlobs.retraining_requests TO mlobs_reader;
-- Stored summaries hold values of the monitored tables (category values, quantiles): readers
-- (dashboards, exporters) get every column but those.
GRANT SELECT (id, name, model, source, ts_column, kind, config, window_size, reference_from, reference_to, start_at,
  enabled, reference_metrics, watermark, rows_total, created_at, owner, label_horizon, late_data_horizon,
  run_zone)
  ON mlobs.monitors TO mlobs_reader;
GRANT SELECT (monitor_id, window_start, window_end, rows, computed_at, segment) ON mlobs.monitor_windows TO mlobs_reader;
GRANT SELECT (monitor_id, segment, rank, reference_rows, reference_metrics) ON mlobs.monitor_segments TO mlobs_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON mlobs.models, mlobs.monitors, mlobs.monitor_windows, mlobs.metric_points,
  mlobs.alert_rules, mlobs.alerts, mlobs.alert_routes, mlobs.runs, mlobs.retraining_requests, mlobs.window_failures,
  mlobs.removed_defaults, mlobs.source_changes, mlobs.monitor_changes, mlobs.monitor_segments TO mlobs_admin;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA mlobs TO mlobs_admin;
GRANT SELECT, UPDATE ON mlobs.run_lock TO mlobs_admin;
-- The admin reads everything a reader does: the exporter and the Overview dashboard query
-- run_errors, and an admin member may be what they log in as.
GRANT SELECT ON mlobs.run_errors TO mlobs_admin;
GRANT SELECT, UPDATE ON SEQUENCE mlobs.run_horizon TO mlobs_admin;
-- Functions that write are not for PUBLIC.
REVOKE EXECUTE ON PROCEDURE mlobs.run_monitors_committed(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE mlobs.run_monitors_committed(timestamptz, timestamptz) TO mlobs_admin;
REVOKE EXECUTE ON FUNCTION mlobs.register_model(text, text, jsonb, text[]), mlobs.create_monitor(text, text, regclass,
  text, jsonb, interval, timestamptz, timestamptz, text, timestamptz, interval, interval), mlobs.run_monitors(timestamptz, timestamptz, text, bigint[]),
  mlobs.evaluate_alerts(bigint), mlobs.schedule_monitors(text), mlobs.unschedule_monitors(),
  mlobs.schedule_monitors_command(text, name, regrole), mlobs.unschedule_monitors_command(),
  mlobs.drop_monitor(text), mlobs.set_monitor_enabled(text, bool),
  mlobs.create_alert_rule(text, text, text, float8, text, text, interval, text, text, bool, int, float8, text),
  mlobs.track_changes(regclass, text), mlobs._record_source_changes() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mlobs.register_model(text, text, jsonb, text[]), mlobs.create_monitor(text, text, regclass,
  text, jsonb, interval, timestamptz, timestamptz, text, timestamptz, interval, interval), mlobs.run_monitors(timestamptz, timestamptz, text, bigint[]),
  mlobs.evaluate_alerts(bigint), mlobs.schedule_monitors(text), mlobs.unschedule_monitors(),
  mlobs.schedule_monitors_command(text, name, regrole), mlobs.unschedule_monitors_command(),
  mlobs.drop_monitor(text), mlobs.set_monitor_enabled(text, bool),
  mlobs.create_alert_rule(text, text, text, float8, text, text, interval, text, text, bool, int, float8, text),
  mlobs.track_changes(regclass, text), mlobs._record_source_changes() TO mlobs_admin;
-- Trigger functions (triggers run them whatever the firing role's EXECUTE privileges).
REVOKE EXECUTE ON FUNCTION mlobs._replace_default_alert_rule(), mlobs._replace_default_alert_route(),
  mlobs._record_removed_default(), mlobs._apply_removed_default(), mlobs._check_monitor_owner(),
  mlobs._monitor_enabled_again(), mlobs._monitor_disabled(), mlobs._monitor_segments_changed() FROM PUBLIC;
-- The runtime's internal steps: _run_source writes (windows, points, alerts) and the others
-- run dynamic SQL over a monitor row; only run_monitors (mlobs_admin) needs them.
REVOKE EXECUTE ON FUNCTION mlobs._run_source(bigint[], timestamptz, timestamptz, timestamptz[], timestamptz[]),
  mlobs._monitor_plan(bigint, timestamptz, timestamptz, timestamptz[], timestamptz[]), mlobs._monitor_reference(mlobs.monitors, text),
  mlobs._monitor_concept(mlobs.monitors),
  mlobs._monitor_window(mlobs.monitors, timestamptz, timestamptz),
  mlobs._monitor_store_windows(mlobs.monitors, timestamptz[], timestamptz[], bigint[], text[], text),
  mlobs._monitor_store_segments(mlobs.monitors, timestamptz, timestamptz, text[], bigint[], text[]),
  mlobs._monitor_learn_segments(mlobs.monitors, timestamptz, timestamptz), mlobs._monitor_segment_references(mlobs.monitors),
  mlobs._monitor_segment_sql(mlobs.monitors),
  mlobs._evaluate_alert_steps(bigint, timestamptz[]),
  mlobs._record_window_failure(mlobs.monitors, timestamptz, timestamptz, text, text, bool),
  mlobs._monitor_metrics(mlobs.monitors, text, bigint, timestamptz, timestamptz),
  mlobs._monitor_summary_sql(mlobs.monitors), mlobs._monitor_column(mlobs.monitors, text),
  mlobs._monitor_probability(mlobs.monitors, text), mlobs._monitor_finite(mlobs.monitors, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mlobs._run_source(bigint[], timestamptz, timestamptz, timestamptz[], timestamptz[]),
  mlobs._monitor_plan(bigint, timestamptz, timestamptz, timestamptz[], timestamptz[]), mlobs._monitor_reference(mlobs.monitors, text),
  mlobs._monitor_concept(mlobs.monitors),
  mlobs._monitor_window(mlobs.monitors, timestamptz, timestamptz),
  mlobs._monitor_store_windows(mlobs.monitors, timestamptz[], timestamptz[], bigint[], text[], text),
  mlobs._monitor_store_segments(mlobs.monitors, timestamptz, timestamptz, text[], bigint[], text[]),
  mlobs._monitor_learn_segments(mlobs.monitors, timestamptz, timestamptz), mlobs._monitor_segment_references(mlobs.monitors),
  mlobs._monitor_segment_sql(mlobs.monitors),
  mlobs._evaluate_alert_steps(bigint, timestamptz[]),
  mlobs._record_window_failure(mlobs.monitors, timestamptz, timestamptz, text, text, bool),
  mlobs._monitor_metrics(mlobs.monitors, text, bigint, timestamptz, timestamptz),
  mlobs._monitor_summary_sql(mlobs.monitors), mlobs._monitor_column(mlobs.monitors, text),
  mlobs._monitor_probability(mlobs.monitors, text), mlobs._monitor_finite(mlobs.monitors, text) TO mlobs_admin;
-- Training (src/sql/training.sql): training, promoting, policies and the loop write; reading stages
-- and comparing versions (as the caller, on rows the caller can read) are for everyone.
GRANT SELECT ON mlobs.model_stages, mlobs.model_stage_history, mlobs.retraining_policies TO mlobs_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON mlobs.model_stages, mlobs.model_stage_history, mlobs.retraining_policies
  TO mlobs_admin;
GRANT USAGE ON SEQUENCE mlobs.model_stage_history_id_seq TO mlobs_admin;
REVOKE EXECUTE ON FUNCTION mlobs._train(text, oid, text, text[], text, jsonb, text, text, text, text[]),
  mlobs.train(text, regclass, text, text[], text, jsonb, timestamptz, timestamptz, text, text[]),
  mlobs.promote(text, int, text, text),
  mlobs.set_retraining_policy(text, regclass, text, text[], text, jsonb, interval, interval, text, float8, text, text[], bool),
  mlobs.process_retraining_requests(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mlobs._train(text, oid, text, text[], text, jsonb, text, text, text, text[]),
  mlobs.train(text, regclass, text, text[], text, jsonb, timestamptz, timestamptz, text, text[]),
  mlobs.promote(text, int, text, text),
  mlobs.set_retraining_policy(text, regclass, text, text[], text, jsonb, interval, interval, text, float8, text, text[], bool),
  mlobs.process_retraining_requests(text) TO mlobs_admin;
-- multivariate_drift monitors' steps (src/sql/monitor_multivariate.sql): dynamic SQL over a monitor.
REVOKE EXECUTE ON FUNCTION mlobs._mv_reference(mlobs.monitors), mlobs._mv_summary_sql(mlobs.monitors),
  mlobs._mv_row_sql(mlobs.monitors), mlobs._mv_metrics(mlobs.monitors, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mlobs._mv_reference(mlobs.monitors), mlobs._mv_summary_sql(mlobs.monitors),
  mlobs._mv_row_sql(mlobs.monitors), mlobs._mv_metrics(mlobs.monitors, text) TO mlobs_admin;
-- Retention (src/sql/retention.sql): dropping partitions and pruning history write.
GRANT SELECT ON mlobs.log_retention TO mlobs_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON mlobs.log_retention TO mlobs_admin;
REVOKE EXECUTE ON FUNCTION mlobs.drop_summarised_partitions(regclass, timestamptz, bool),
  mlobs.prune_history(interval, interval, bool),
  mlobs._monitor_needs_range(mlobs.monitors, timestamptz, timestamptz, timestamptz),
  mlobs._tables_of_view(regclass), mlobs._retained_before(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mlobs.drop_summarised_partitions(regclass, timestamptz, bool),
  mlobs.prune_history(interval, interval, bool),
  mlobs._monitor_needs_range(mlobs.monitors, timestamptz, timestamptz, timestamptz),
  mlobs._tables_of_view(regclass), mlobs._retained_before(regclass) TO mlobs_admin;
-- Reports (src/sql/report.sql): mlobs.report is for everyone (it reads as the caller; the
-- summaries form and the renderer are pure); the steps that read tables are for the roles that
-- read metric points.
REVOKE EXECUTE ON FUNCTION mlobs._report_points(bigint, text, text, timestamptz, timestamptz),
  mlobs._report_distribution(regclass, text, text, text, timestamptz, timestamptz, timestamptz, timestamptz),
  mlobs._report_read_role(regrole, regclass, text[]), mlobs._report_read(oid, text), mlobs._report_query_as(oid, bytea),
  mlobs._report_instant(timestamptz), mlobs._report_unread_note(text, regclass, regrole) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mlobs._report_points(bigint, text, text, timestamptz, timestamptz),
  mlobs._report_distribution(regclass, text, text, text, timestamptz, timestamptz, timestamptz, timestamptz),
  mlobs._report_read_role(regrole, regclass, text[]), mlobs._report_read(oid, text), mlobs._report_query_as(oid, bytea),
  mlobs._report_instant(timestamptz), mlobs._report_unread_note(text, regclass, regrole) TO mlobs_reader, mlobs_admin;

-- ==== surface: internal schema, row_count, COMMENTs (issue 13 item 6) =========================
-- The same statements end src/sql/finalize.sql (fresh install) and sql/mlobs--0.2.0--0.3.0.sql (update);
-- tests/integration/upgrade/run.sh diffs the two schemas, COMMENTs included.

-- Schema mlobs_internal holds the support functions of the types and aggregates (type I/O,
-- transition, combine, serialize, deserialize, final), out of `\df mlobs.*`. Types and aggregates
-- reference them by OID, so moving them changes nothing for callers. A plain CREATE SCHEMA (no IF
-- NOT EXISTS) fails when a schema of that name exists, so the script never adopts someone else's:
-- the schema is the installing superuser's and belongs to the extension (DROP EXTENSION drops it).
-- PUBLIC gets nothing on it: calling an aggregate or reading/writing a value checks no privilege
-- on its support functions.
CREATE SCHEMA mlobs_internal;
REVOKE ALL ON SCHEMA mlobs_internal FROM PUBLIC;
COMMENT ON SCHEMA mlobs_internal IS 'Support functions of the mlobs types and aggregates; not for direct use';
-- Every raw C support function the family files in src/sql/ create, in their order
-- (tests/pg_regress 00_setup fails if one is left in mlobs).
ALTER FUNCTION mlobs.profile_in(cstring) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.profile_out(mlobs.profile) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.profile_recv(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.profile_send(mlobs.profile) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.profile_trans(internal, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.profile_rollup_trans(internal, mlobs.profile) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.profile_combine(internal, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.profile_serial(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.profile_deserial(bytea, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.profile_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.histogram_in(cstring) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.histogram_out(mlobs.histogram) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.histogram_recv(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.histogram_send(mlobs.histogram) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.histogram_trans(internal, double precision, double precision[]) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.histogram_rollup_trans(internal, mlobs.histogram) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.histogram_combine(internal, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.histogram_serial(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.histogram_deserial(bytea, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.histogram_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.categories_in(cstring) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.categories_out(mlobs.categories) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.categories_recv(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.categories_send(mlobs.categories) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.categories_trans(internal, text) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.categories_rollup_trans(internal, mlobs.categories) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.categories_combine(internal, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.categories_serial(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.categories_deserial(bytea, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.categories_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.feature_profiles_in(cstring) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.feature_profiles_out(mlobs.feature_profiles) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.feature_profiles_recv(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.feature_profiles_send(mlobs.feature_profiles) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.feature_profiles_trans(internal, jsonb) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.feature_profiles_rollup_trans(internal, mlobs.feature_profiles) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.feature_profiles_combine(internal, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.feature_profiles_serial(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.feature_profiles_deserial(bytea, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.feature_profiles_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.confusion_in(cstring) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.confusion_out(mlobs.confusion) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.confusion_recv(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.confusion_send(mlobs.confusion) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.confusion_trans_int(internal, bigint, bigint) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.confusion_trans_int_w(internal, bigint, bigint, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.confusion_trans_text(internal, text, text) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.confusion_trans_text_w(internal, text, text, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.confusion_trans_bool(internal, boolean, boolean) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.confusion_trans_bool_w(internal, boolean, boolean, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.confusion_rollup_trans(internal, mlobs.confusion) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.confusion_combine(internal, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.confusion_serial(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.confusion_deserial(bytea, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.confusion_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.score_summary_in(cstring) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.score_summary_out(mlobs.score_summary) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.score_summary_recv(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.score_summary_send(mlobs.score_summary) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.score_trans_int(internal, double precision, bigint) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.score_trans_bool(internal, double precision, boolean) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.score_trans_int_grid(internal, double precision, bigint, integer) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.score_trans_bool_grid(internal, double precision, boolean, integer) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.score_trans_int_w(internal, double precision, bigint, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.score_trans_bool_w(internal, double precision, boolean, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.score_trans_int_w_grid(internal, double precision, bigint, double precision, integer) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.score_trans_bool_w_grid(internal, double precision, boolean, double precision, integer) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.score_summary_rollup_trans(internal, mlobs.score_summary) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.score_summary_combine(internal, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.score_summary_serial(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.score_summary_deserial(bytea, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.score_summary_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.regression_summary_in(cstring) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.regression_summary_out(mlobs.regression_summary) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.regression_summary_recv(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.regression_summary_send(mlobs.regression_summary) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.regression_trans(internal, double precision, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.regression_trans(internal, double precision, double precision, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.regression_summary_rollup_trans(internal, mlobs.regression_summary) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.regression_summary_combine(internal, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.regression_summary_serial(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.regression_summary_deserial(bytea, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.regression_summary_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.ranking_trans_int(internal, double precision, bigint) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.ranking_trans_bool(internal, double precision, boolean) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.ranking_trans_int_w(internal, double precision, bigint, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.ranking_trans_bool_w(internal, double precision, boolean, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.ranking_combine(internal, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.ranking_serial(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.ranking_deserial(bytea, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.roc_auc_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.pr_auc_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.ece_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.ovr_trans(internal, double precision[], bigint) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.ovr_trans_w(internal, double precision[], bigint, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.ovr_combine(internal, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.ovr_serial(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.ovr_deserial(bytea, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.ovr_auc_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.ovr_auc_weighted_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.ovo_auc_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.ovo_auc_weighted_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.ovr_ap_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.ovr_ap_weighted_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.log_loss_trans_int(internal, double precision, bigint) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.log_loss_trans_bool(internal, double precision, boolean) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.log_loss_trans_array(internal, double precision[], bigint) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.brier_trans_int(internal, double precision, bigint) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.brier_trans_bool(internal, double precision, boolean) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.brier_trans_array(internal, double precision[], bigint) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.log_loss_trans_int(internal, double precision, bigint, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.log_loss_trans_bool(internal, double precision, boolean, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.log_loss_trans_array(internal, double precision[], bigint, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.brier_trans_int(internal, double precision, bigint, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.brier_trans_bool(internal, double precision, boolean, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.brier_trans_array(internal, double precision[], bigint, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.tweedie_deviance_trans(internal, double precision, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.tweedie_deviance_trans(internal, double precision, double precision, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.poisson_deviance_trans(internal, double precision, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.gamma_deviance_trans(internal, double precision, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.pinball_loss_trans(internal, double precision, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.pinball_loss_trans(internal, double precision, double precision, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.loss_combine(internal, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.loss_serial(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.loss_deserial(bytea, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.loss_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.calibration_in(cstring) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.calibration_out(mlobs.calibration) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.calibration_recv(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.calibration_send(mlobs.calibration) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.calibration_fit(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.cbpe_trans(internal, double precision, mlobs.calibration) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.cbpe_trans_threshold(internal, double precision, mlobs.calibration, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.cbpe_auc_trans(internal, double precision, mlobs.calibration) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.probability_combine(internal, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.probability_serial(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.probability_deserial(bytea, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.cbpe_auc_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.concept_window_trans(internal, jsonb, double precision, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.concept_window_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.outlier_count_trans(bigint, double precision, double precision, double precision) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.violations_trans(internal, jsonb, jsonb) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.violations_combine(internal, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.violations_serial(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.violations_deserial(bytea, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.violations_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.shap_importance_trans(internal, text, double precision[]) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.shap_importance_trans(internal, text, jsonb) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.shap_importance_trans(internal, text, double precision[], integer) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.shap_importance_trans(internal, text, jsonb, integer) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.shap_importance_combine(internal, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.shap_importance_serial(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.shap_importance_deserial(bytea, internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs.shap_importance_final(internal) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs._row_sample_trans(internal, double precision[], integer) SET SCHEMA mlobs_internal;
ALTER FUNCTION mlobs._row_sample_final(internal) SET SCHEMA mlobs_internal;

-- mlobs.row_count: the documented name of the summaries' row/value count. mlobs.count, its
-- deprecated alias, shadows the built-in count aggregate for these argument types whenever mlobs is
-- on search_path (count(p) picks the accessor, an exact type match, over count("any")); it goes
-- away in a later release. Same C function as the alias (pgrx's wrapper of the accessor).
CREATE FUNCTION mlobs.row_count(p mlobs.profile) RETURNS bigint
  AS 'MODULE_PATHNAME', 'count_wrapper' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.row_count(h mlobs.histogram) RETURNS bigint
  AS 'MODULE_PATHNAME', 'histogram_count_wrapper' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.row_count(c mlobs.categories) RETURNS bigint
  AS 'MODULE_PATHNAME', 'categories_count_wrapper' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.row_count(f mlobs.feature_profiles) RETURNS bigint
  AS 'MODULE_PATHNAME', 'feature_profiles_count_wrapper' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.row_count(c mlobs.confusion) RETURNS bigint
  AS 'MODULE_PATHNAME', 'confusion_count_wrapper' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.row_count(s mlobs.score_summary) RETURNS bigint
  AS 'MODULE_PATHNAME', 'score_count_wrapper' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.row_count(s mlobs.regression_summary) RETURNS bigint
  AS 'MODULE_PATHNAME', 'regression_count_wrapper' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- zero_division on precision, recall and F1 (docs/metrics.md). mlobs.precision(c, zero_division,
-- average, pos_label) takes it by name or second; these forms take it after an average given by
-- position (unnamed, so that a call naming average matches only the form above), so
-- `zero_division => z` can be added to every call of the three-argument form. No form has a
-- default for zero_division: a call without it resolves to the (c, average, pos_label) form.
CREATE FUNCTION mlobs."precision"(mlobs.confusion, text, zero_division double precision,
    pos_label text DEFAULT NULL) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  AS $$ SELECT mlobs."precision"($1, $3, $2, $4) $$;
CREATE FUNCTION mlobs."precision"(mlobs.confusion, text, text, zero_division double precision)
  RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  AS $$ SELECT mlobs."precision"($1, $4, $2, $3) $$;
CREATE FUNCTION mlobs.recall(mlobs.confusion, text, zero_division double precision,
    pos_label text DEFAULT NULL) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  AS $$ SELECT mlobs.recall($1, $3, $2, $4) $$;
CREATE FUNCTION mlobs.recall(mlobs.confusion, text, text, zero_division double precision)
  RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  AS $$ SELECT mlobs.recall($1, $4, $2, $3) $$;
CREATE FUNCTION mlobs.f1(mlobs.confusion, text, zero_division double precision,
    pos_label text DEFAULT NULL) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  AS $$ SELECT mlobs.f1($1, $3, $2, $4) $$;
CREATE FUNCTION mlobs.f1(mlobs.confusion, text, text, zero_division double precision)
  RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  AS $$ SELECT mlobs.f1($1, $4, $2, $3) $$;

-- One sentence per user-facing function and aggregate: what it returns (\df+ shows it). The types
-- and the other aggregates have theirs in the family file that creates them (src/sql/).
COMMENT ON FUNCTION mlobs.row_count(mlobs.profile) IS 'Number of finite values summarised by a profile (NULL, NaN and +/-Infinity excluded; see total_count)';
COMMENT ON FUNCTION mlobs.row_count(mlobs.histogram) IS 'Number of finite values counted by a histogram (the denominator of its shares)';
COMMENT ON FUNCTION mlobs.row_count(mlobs.categories) IS 'Number of non-NULL values counted by a category summary (kept categories and other)';
COMMENT ON FUNCTION mlobs.row_count(mlobs.feature_profiles) IS 'Number of rows summarised by a feature-profile summary (NULL payloads included)';
COMMENT ON FUNCTION mlobs.row_count(mlobs.confusion) IS 'Number of rows counted by a confusion summary';
COMMENT ON FUNCTION mlobs.row_count(mlobs.score_summary) IS 'Number of rows summarised by a score summary';
COMMENT ON FUNCTION mlobs.row_count(mlobs.regression_summary) IS 'Number of rows summarised by a regression summary';
COMMENT ON FUNCTION mlobs.count(mlobs.profile) IS 'Deprecated: use mlobs.row_count(mlobs.profile); this alias shadows the built-in count aggregate when mlobs is on search_path and will be removed in a later release';
COMMENT ON FUNCTION mlobs.count(mlobs.histogram) IS 'Deprecated: use mlobs.row_count(mlobs.histogram); this alias shadows the built-in count aggregate when mlobs is on search_path and will be removed in a later release';
COMMENT ON FUNCTION mlobs.count(mlobs.categories) IS 'Deprecated: use mlobs.row_count(mlobs.categories); this alias shadows the built-in count aggregate when mlobs is on search_path and will be removed in a later release';
COMMENT ON FUNCTION mlobs.count(mlobs.feature_profiles) IS 'Deprecated: use mlobs.row_count(mlobs.feature_profiles); this alias shadows the built-in count aggregate when mlobs is on search_path and will be removed in a later release';
COMMENT ON FUNCTION mlobs.count(mlobs.confusion) IS 'Deprecated: use mlobs.row_count(mlobs.confusion); this alias shadows the built-in count aggregate when mlobs is on search_path and will be removed in a later release';
COMMENT ON FUNCTION mlobs.count(mlobs.score_summary) IS 'Deprecated: use mlobs.row_count(mlobs.score_summary); this alias shadows the built-in count aggregate when mlobs is on search_path and will be removed in a later release';
COMMENT ON FUNCTION mlobs.count(mlobs.regression_summary) IS 'Deprecated: use mlobs.row_count(mlobs.regression_summary); this alias shadows the built-in count aggregate when mlobs is on search_path and will be removed in a later release';
COMMENT ON FUNCTION mlobs.accuracy(mlobs.confusion) IS 'Accuracy of a confusion summary: the (weighted) share of rows predicted correctly; NULL when empty';
COMMENT ON FUNCTION mlobs.almost_constant(mlobs.categories, double precision) IS 'Whether the most frequent category''s share is at least threshold (Evidently''s almost-constant check, default 0.95)';
COMMENT ON FUNCTION mlobs.almost_constant(mlobs.profile, double precision) IS 'Whether a profile is almost constant: exact when min = max, otherwise from the sketch''s largest bucket share (may over-flag)';
COMMENT ON FUNCTION mlobs.bin_counts(mlobs.histogram) IS 'Counts of a histogram in value order: underflow, one per bin, overflow';
COMMENT ON FUNCTION mlobs.brier(mlobs.score_summary) IS 'Mean Brier score (y - p)^2 of the rows of a score summary (exact); NULL when empty';
COMMENT ON FUNCTION mlobs.calibrate(mlobs.calibration, double precision) IS 'Calibrated probability of a score under an isotonic calibration map';
COMMENT ON FUNCTION mlobs.calibration_error(double precision[], bigint[], integer) IS 'Expected calibration error of probability and label arrays on equal-count bins (scikit-learn calibration_curve, quantile strategy)';
COMMENT ON FUNCTION mlobs.calibration_error(mlobs.score_summary, integer) IS 'Expected calibration error of a score summary on equal-count bins, estimated from its grid; NULL when empty';
COMMENT ON FUNCTION mlobs.calibration_error_bounds(mlobs.score_summary, integer) IS 'Bounds {lower, upper} guaranteed to contain the exact expected calibration error of a score summary''s rows';
COMMENT ON FUNCTION mlobs.category_counts(mlobs.categories) IS 'Count of every kept category of a category summary, as a jsonb object';
COMMENT ON FUNCTION mlobs.classification_report(mlobs.confusion, text) IS 'Every classification metric of a confusion summary as one jsonb object';
COMMENT ON FUNCTION mlobs.class_report(mlobs.confusion, double precision) IS 'Precision, recall, F1 and support per class, then accuracy, macro and weighted averages (scikit-learn classification_report)';
COMMENT ON FUNCTION mlobs.chi2_contingency(mlobs.confusion, boolean) IS 'Chi-square test of independence and Cramér''s V of a (feature, target) confusion summary (scipy chi2_contingency)';
COMMENT ON FUNCTION mlobs.in_top_k(double precision[], bigint, integer) IS 'Whether the label is among the k best-scored classes of a row; its mean is top-k accuracy (scikit-learn top_k_accuracy_score)';
COMMENT ON FUNCTION mlobs.concept_drift(double precision[], double precision[], double precision[], double precision[], integer) IS 'Concept drift of (feature, target) samples: the shift of the target''s mean per reference-quantile bin of the feature, with the share of rows covered';
COMMENT ON FUNCTION mlobs.concept_drift(jsonb, double precision[], double precision[]) IS 'Concept drift of a (feature, target) sample against a stored mlobs.concept_reference';
COMMENT ON FUNCTION mlobs.latest_points(text, text) IS 'Latest point with a value of every (model, feature) series of a metric, optionally of one monitor kind (one index probe per series)';
COMMENT ON FUNCTION mlobs.concept_reference(double precision[], double precision[], integer) IS 'The reference side of concept drift (quantile edges, rows and target sum per bin) as jsonb, for mlobs.concept_drift(reference, x, y)';
COMMENT ON FUNCTION mlobs.confusion_matrix(mlobs.confusion) IS 'Confusion matrix of a confusion summary as jsonb {labels, matrix}, rows actual and columns predicted';
COMMENT ON FUNCTION mlobs.counterfactual(text, jsonb, double precision, integer, text[], integer) IS 'A smallest set of feature changes moving a registered model''s prediction past target, as jsonb; NULL when none within max_changes';
COMMENT ON FUNCTION mlobs.create_alert_rule(text, text, text, double precision, text, text, interval, text, text, boolean, integer, double precision, text) IS 'Creates an alert rule on a metric the monitors record and returns its id';
COMMENT ON FUNCTION mlobs.create_monitor(text, text, regclass, text, jsonb, interval, timestamp with time zone, timestamp with time zone, text, timestamp with time zone, interval, interval) IS 'Creates a monitor computing metrics of a source table per time window (run as its creator; windows revised within the label and late-data horizons); returns its id';
COMMENT ON FUNCTION mlobs.track_changes(regclass, text) IS 'Installs the statement triggers that record which minutes of a monitored table changed late (labels, rows), so runs revise only those windows; returns true';
COMMENT ON FUNCTION mlobs.dataset_drift(mlobs.feature_profiles, mlobs.feature_profiles, text, double precision, text) IS 'Dataset-level drift of two feature-profile summaries: how many and which share of features drifted, and whether that reaches drift_share';
COMMENT ON FUNCTION mlobs.degraded(double precision, double precision, double precision, boolean) IS 'Whether a metric got worse by more than max_drop (relative) from its reference value';
COMMENT ON FUNCTION mlobs.distinct_count(mlobs.categories) IS 'Number of distinct categories kept in a category summary';
COMMENT ON FUNCTION mlobs.domain_classifier(double precision[], double precision[]) IS 'Domain-classifier drift of two row sets: out-of-bag ROC AUC of a random forest telling reference from current rows (0.5 = no difference)';
COMMENT ON FUNCTION mlobs.drift(double precision[], double precision[], text, double precision, jsonb) IS 'Drift between two numeric samples with an Evidently method, as a drift_result (statistic, p-value, threshold, verdict)';
COMMENT ON FUNCTION mlobs.drift(mlobs.categories, mlobs.categories, text, double precision, jsonb) IS 'Drift between two category summaries with an Evidently categorical method, as a drift_result';
COMMENT ON FUNCTION mlobs.drift(mlobs.profile, mlobs.profile, text, double precision, jsonb) IS 'Drift between two stored profiles with an Evidently method (no raw rows), as a drift_result';
COMMENT ON FUNCTION mlobs.drift(text[], text[], text, double precision, jsonb) IS 'Drift between two categorical (text) samples with an Evidently method, as a drift_result';
COMMENT ON FUNCTION mlobs.drift_methods() IS 'The methods of mlobs.drift, one row per method: input kinds, option keys, default threshold, drift rule and what the statistic is';
COMMENT ON FUNCTION mlobs.drift_report(mlobs.feature_profiles, mlobs.feature_profiles, text, text) IS 'One row per feature of two feature-profile summaries with the drift method, statistic, p-value, threshold and verdict';
COMMENT ON FUNCTION mlobs.drop_monitor(text) IS 'Drops a monitor with its windows, metric points and alerts; returns whether it existed';
COMMENT ON FUNCTION mlobs.drop_summarised_partitions(regclass, timestamp with time zone, boolean) IS 'Drops the oldest partitions of a RANGE-partitioned log up to older_than once every monitor has summarised them past its horizons; returns each partition with its action and reason';
COMMENT ON FUNCTION mlobs.edges(mlobs.histogram) IS 'Bin edges of a histogram';
COMMENT ON FUNCTION mlobs.evaluate_alerts(bigint) IS 'Evaluates the alert rules on the recorded metrics of one monitor (NULL: every monitor) and returns the number of alert transitions';
COMMENT ON FUNCTION mlobs.explained_variance(mlobs.regression_summary) IS 'Explained variance score of a regression summary (scikit-learn)';
COMMENT ON FUNCTION mlobs.f1(mlobs.confusion, text, text) IS 'F1 score of a confusion summary (scikit-learn f1_score, binary/macro/micro/weighted average; zero division gives 0)';
COMMENT ON FUNCTION mlobs.f1(mlobs.confusion, double precision, text, text) IS 'F1 score of a confusion summary with scikit-learn''s zero_division (zero_division 0, 1, or NaN/NULL: undefined, NULL and left out of macro/weighted averages)';
COMMENT ON FUNCTION mlobs.f1(mlobs.confusion, text, double precision, text) IS 'F1 score of a confusion summary, (c, average, zero_division[, pos_label]) form of f1(c, zero_division, average, pos_label)';
COMMENT ON FUNCTION mlobs.f1(mlobs.confusion, text, text, double precision) IS 'F1 score of a confusion summary, (c, average, pos_label, zero_division) form of f1(c, zero_division, average, pos_label)';
COMMENT ON FUNCTION mlobs.feature_categories(mlobs.feature_profiles, text) IS 'Category counts of one feature''s strings and booleans in a feature-profile summary; NULL when the key was never seen';
COMMENT ON FUNCTION mlobs.feature_profile(mlobs.feature_profiles, text) IS 'Numeric profile of one feature''s numbers in a feature-profile summary; NULL when the key was never seen';
COMMENT ON FUNCTION mlobs.feature_types(mlobs.feature_profiles) IS 'One row per feature of a feature-profile summary: rows without the key and the count of each JSON type seen';
COMMENT ON FUNCTION mlobs.features(mlobs.feature_profiles) IS 'Feature keys tracked by a feature-profile summary, in order';
COMMENT ON FUNCTION mlobs.fnr(mlobs.confusion, text) IS 'False negative rate of a confusion summary for the positive label';
COMMENT ON FUNCTION mlobs.fpr(mlobs.confusion, text) IS 'False positive rate of a confusion summary for the positive label';
COMMENT ON FUNCTION mlobs.importance_drift(jsonb, jsonb) IS 'One row per feature comparing two importance objects (as from shap_importance_agg): importances, shares and ranks on both sides';
COMMENT ON FUNCTION mlobs.importance_shift(jsonb, jsonb) IS 'How far the attribution shares of two importance objects moved: half the sum of absolute share changes (0 = same, 1 = disjoint)';
COMMENT ON FUNCTION mlobs.inf_count(mlobs.histogram) IS 'Number of +Infinity and -Infinity values counted by a histogram';
COMMENT ON FUNCTION mlobs.inf_count(mlobs.profile) IS 'Number of +Infinity and -Infinity values seen by a profile';
COMMENT ON FUNCTION mlobs.is_constant(mlobs.profile) IS 'Whether every finite value summarised by a profile is the same (min = max)';
COMMENT ON FUNCTION mlobs.jsonb_floats(jsonb, text[]) IS 'The values of keys in a jsonb object as float8, NULL where absent, not a number or beyond float8''s range (never an error)';
COMMENT ON FUNCTION mlobs.learned_threshold(double precision[], double precision, double precision, double precision) IS 'NannyML-style threshold band mean +/- k standard deviations of a metric over reference windows, optionally clipped to limits';
COMMENT ON FUNCTION mlobs.lime(text, double precision[], double precision[], bigint, integer, integer, boolean, double precision, integer) IS 'LIME explanation (lime''s LimeTabularExplainer defaults) of one prediction of a registered model, as jsonb';
COMMENT ON FUNCTION mlobs.lime(text, jsonb, double precision[], bigint, integer, integer, boolean, double precision, integer) IS 'LIME explanation (lime''s LimeTabularExplainer defaults) of one prediction of a registered model, as jsonb';
COMMENT ON FUNCTION mlobs.log_loss(mlobs.score_summary) IS 'Mean log loss of the rows of a score summary (exact, probabilities clipped as scikit-learn); NULL when empty';
COMMENT ON FUNCTION mlobs.mae(mlobs.regression_summary) IS 'Mean absolute error of a regression summary; NULL when empty';
COMMENT ON FUNCTION mlobs.mape(mlobs.regression_summary) IS 'Mean absolute percentage error of a regression summary (scikit-learn); NULL when empty';
COMMENT ON FUNCTION mlobs.max(mlobs.profile) IS 'Exact maximum of the finite values of a profile; NULL when there are none';
COMMENT ON FUNCTION mlobs.max_error(mlobs.regression_summary) IS 'Largest absolute error of a regression summary (over rows of positive weight); NULL when empty or of total weight 0';
COMMENT ON FUNCTION mlobs.mcc(mlobs.confusion) IS 'Matthews correlation coefficient of a confusion summary (0 when undefined)';
COMMENT ON FUNCTION mlobs.mean(mlobs.profile) IS 'Exact mean of the finite values of a profile; NULL when there are none';
COMMENT ON FUNCTION mlobs.mean_error(mlobs.regression_summary) IS 'Mean of prediction - target of a regression summary (positive = over-prediction); NULL when empty';
COMMENT ON FUNCTION mlobs.median_absolute_error(mlobs.regression_summary) IS 'Median absolute error of a regression summary, from its sketch (within 1 %); NULL when empty or weighted';
COMMENT ON FUNCTION mlobs.metric_names() IS 'Names of every metric the monitors record, the ones alert rules may reference';
COMMENT ON FUNCTION mlobs.min(mlobs.profile) IS 'Exact minimum of the finite values of a profile; NULL when there are none';
COMMENT ON FUNCTION mlobs.missing_share(mlobs.categories) IS 'Share of NULL and empty-string values among all rows of a category summary';
COMMENT ON FUNCTION mlobs.missing_share(mlobs.profile) IS 'Share of NULL, NaN and +/-Infinity values among all rows of a profile';
COMMENT ON FUNCTION mlobs.mse(mlobs.regression_summary) IS 'Mean squared error of a regression summary; NULL when empty';
COMMENT ON FUNCTION mlobs.n_distinct(mlobs.profile) IS 'Distinct non-NULL values of a profile as count(DISTINCT x) counts them (NaN, +/-Infinity one each): exact up to 256 distinct finite values, else a HyperLogLog estimate (relative standard error 1.6 %); NULL for a profile stored before 0.3.0';
COMMENT ON FUNCTION mlobs.n_distinct_bounds(mlobs.profile) IS 'Bounds {lower, upper} around n_distinct: equal when exact, else the estimate -/+ 3 standard errors (about 99.7 % coverage)';
COMMENT ON FUNCTION mlobs.n_distinct_is_exact(mlobs.profile) IS 'Whether n_distinct of a profile is exact (at most 256 distinct finite values); NULL for a profile stored before 0.3.0';
COMMENT ON FUNCTION mlobs.nan_count(mlobs.histogram) IS 'Number of NaN values counted by a histogram';
COMMENT ON FUNCTION mlobs.nan_count(mlobs.profile) IS 'Number of NaN values seen by a profile';
COMMENT ON FUNCTION mlobs.new_categories(mlobs.categories, mlobs.categories) IS 'Categories of the current category summary never seen in the reference, sorted';
COMMENT ON FUNCTION mlobs.new_category_share(mlobs.categories, mlobs.categories) IS 'Share of the current category summary''s non-NULL values whose category is not in the reference';
COMMENT ON FUNCTION mlobs.null_count(mlobs.categories) IS 'Number of NULL values counted by a category summary';
COMMENT ON FUNCTION mlobs.null_count(mlobs.histogram) IS 'Number of NULL values counted by a histogram';
COMMENT ON FUNCTION mlobs.null_count(mlobs.profile) IS 'Number of NULL values seen by a profile';
COMMENT ON FUNCTION mlobs.other_count(mlobs.categories) IS 'Number of values of a category summary not kept as their own category (beyond the 10000 cap or longer than 1 KiB)';
COMMENT ON FUNCTION mlobs.out_of_range_share(mlobs.profile, mlobs.profile) IS 'Estimated share of the current profile''s values outside the reference profile''s [min, max]';
COMMENT ON FUNCTION mlobs.outlier_fences(mlobs.profile, text, double precision) IS 'Outlier fences (IQR from the sketch, or exact z-score) of a reference profile; NULL when empty';
COMMENT ON FUNCTION mlobs.outlier_fences(double precision[], text, double precision) IS 'Exact outlier fences (IQR or z-score) of an array of reference values';
COMMENT ON FUNCTION mlobs.outside_share(mlobs.profile, double precision, double precision) IS 'Estimated share of a profile''s finite values outside [lower, upper], read from its sketch';
COMMENT ON FUNCTION mlobs.outside_share_bounds(mlobs.profile, double precision, double precision) IS 'Bounds {lower, upper} guaranteed to contain the exact share of a profile''s values outside [lower, upper]';
COMMENT ON FUNCTION mlobs.pca_error(jsonb, double precision[]) IS 'Mean PCA reconstruction error of the complete rows under a model from mlobs.pca_fit (NULL without a complete row)';
COMMENT ON FUNCTION mlobs.pca_fit(double precision[], double precision) IS 'Fits NannyML''s reconstruction model (standardisation + PCA) on reference rows; the model as JSON for mlobs.pca_error';
COMMENT ON FUNCTION mlobs.pca_drift(double precision[], double precision[], double precision) IS 'PCA reconstruction-error drift (NannyML) of two row sets: the mean reconstruction error of reference and current rows';
COMMENT ON FUNCTION mlobs.performance_report(mlobs.confusion, mlobs.confusion, double precision, text) IS 'One row per classification metric of a current confusion summary next to the reference, with relative change and degradation verdict';
COMMENT ON FUNCTION mlobs.performance_report(mlobs.regression_summary, mlobs.regression_summary, double precision) IS 'One row per regression metric of a current summary next to the reference, with relative change and degradation verdict';
COMMENT ON FUNCTION mlobs.pr_auc(mlobs.score_summary) IS 'Approximate average precision of a score summary; NULL without positives';
COMMENT ON FUNCTION mlobs.pr_auc_bounds(mlobs.score_summary) IS 'Bounds {lower, upper} guaranteed to contain the exact average precision of a score summary''s rows';
COMMENT ON FUNCTION mlobs."precision"(mlobs.confusion, text, text) IS 'Precision of a confusion summary (scikit-learn precision_score; zero division gives 0)';
COMMENT ON FUNCTION mlobs."precision"(mlobs.confusion, double precision, text, text) IS 'Precision of a confusion summary with scikit-learn''s zero_division (zero_division 0, 1, or NaN/NULL: undefined, NULL and left out of macro/weighted averages)';
COMMENT ON FUNCTION mlobs."precision"(mlobs.confusion, text, double precision, text) IS 'Precision of a confusion summary, (c, average, zero_division[, pos_label]) form of precision(c, zero_division, average, pos_label)';
COMMENT ON FUNCTION mlobs."precision"(mlobs.confusion, text, text, double precision) IS 'Precision of a confusion summary, (c, average, pos_label, zero_division) form of precision(c, zero_division, average, pos_label)';
COMMENT ON FUNCTION mlobs.predict(text, double precision[], integer) IS 'Prediction of a registered model for one row of features: the regression value, or the probability of class';
COMMENT ON FUNCTION mlobs.predict(text, jsonb, integer) IS 'Prediction of a registered model for one row of features: the regression value, or the probability of class';
COMMENT ON FUNCTION mlobs.predict(text, integer, double precision[], integer) IS 'Prediction of a registered model for one row of features: the regression value, or the probability of class';
COMMENT ON FUNCTION mlobs.predict(text, integer, jsonb, integer) IS 'Prediction of a registered model for one row of features: the regression value, or the probability of class';
COMMENT ON FUNCTION mlobs.predict_margin(text, double precision[], integer) IS 'Raw margin of a registered model for one row of features (log-odds for logistic models)';
COMMENT ON FUNCTION mlobs.predict_margin(text, jsonb, integer) IS 'Raw margin of a registered model for one row of features (log-odds for logistic models)';
COMMENT ON FUNCTION mlobs.predict_margin(text, integer, double precision[], integer) IS 'Raw margin of a registered model for one row of features (log-odds for logistic models)';
COMMENT ON FUNCTION mlobs.predict_margin(text, integer, jsonb, integer) IS 'Raw margin of a registered model for one row of features (log-odds for logistic models)';
COMMENT ON FUNCTION mlobs.predict_proba(text, double precision[]) IS 'Probability of every class from a registered model for one row of features (or the one prediction of a regressor)';
COMMENT ON FUNCTION mlobs.predict_proba(text, jsonb) IS 'Probability of every class from a registered model for one row of features (or the one prediction of a regressor)';
COMMENT ON FUNCTION mlobs.predict_proba(text, integer, double precision[]) IS 'Probability of every class from a registered model for one row of features (or the one prediction of a regressor)';
COMMENT ON FUNCTION mlobs.predict_proba(text, integer, jsonb) IS 'Probability of every class from a registered model for one row of features (or the one prediction of a regressor)';
COMMENT ON FUNCTION mlobs.prune_history(interval, interval, boolean) IS 'Deletes metric points and window summaries older than keep (never within a monitor''s horizon or a rule''s look-back), resolved alerts and old runs; returns the rows deleted per table';
COMMENT ON FUNCTION mlobs.psi(double precision[], double precision[], text, integer) IS 'Population stability index of two numeric samples (Evidently binning by default)';
COMMENT ON FUNCTION mlobs.psi(mlobs.histogram, mlobs.histogram) IS 'Population stability index of two histograms with identical edges';
COMMENT ON FUNCTION mlobs.psi(mlobs.profile, mlobs.profile, integer) IS 'Population stability index of two profiles on reference-quantile bins read from their sketches';
COMMENT ON FUNCTION mlobs.psi(mlobs.profile, mlobs.profile, text, integer) IS 'PSI between two profiles; binning (default evidently, as psi(float8[], float8[]) and drift(p, p, ''psi'')) and bins as the array form';
COMMENT ON FUNCTION mlobs.quality_report(mlobs.feature_profiles, mlobs.feature_profiles, jsonb) IS 'One row per feature and data-quality check of the current feature-profile summary against the reference';
COMMENT ON FUNCTION mlobs.quantile(mlobs.profile, double precision) IS 'Quantile q of a profile from its sketch (within 1 %; q = 0 and 1 are the exact min and max)';
COMMENT ON FUNCTION mlobs.quantile(mlobs.profile, double precision[]) IS 'Quantiles of a profile at every q of the array, from its sketch';
COMMENT ON FUNCTION mlobs.r2(mlobs.regression_summary) IS 'Coefficient of determination R^2 of a regression summary; NULL when empty';
COMMENT ON FUNCTION mlobs.recall(mlobs.confusion, text, text) IS 'Recall of a confusion summary (scikit-learn recall_score; zero division gives 0)';
COMMENT ON FUNCTION mlobs.recall(mlobs.confusion, double precision, text, text) IS 'Recall of a confusion summary with scikit-learn''s zero_division (zero_division 0, 1, or NaN/NULL: undefined, NULL and left out of macro/weighted averages)';
COMMENT ON FUNCTION mlobs.recall(mlobs.confusion, text, double precision, text) IS 'Recall of a confusion summary, (c, average, zero_division[, pos_label]) form of recall(c, zero_division, average, pos_label)';
COMMENT ON FUNCTION mlobs.recall(mlobs.confusion, text, text, double precision) IS 'Recall of a confusion summary, (c, average, pos_label, zero_division) form of recall(c, zero_division, average, pos_label)';
COMMENT ON FUNCTION mlobs.register_model(text, text, jsonb, text[]) IS 'Validates a model export and stores it as the next version of the named model; returns that version';
COMMENT ON FUNCTION mlobs.regression_report(mlobs.regression_summary) IS 'Every regression metric of a regression summary as one jsonb object';
COMMENT ON FUNCTION mlobs.relative_change(double precision, double precision) IS 'Relative change (current - reference) / |reference| of a metric; NULL when either is NULL or the reference is 0';
COMMENT ON FUNCTION mlobs.report(text, timestamp with time zone, timestamp with time zone) IS 'One self-contained HTML document on a model over a period: alerts, drift over time, data quality, realised and estimated performance, and (where the caller may read the log) distributions, confusion matrix, calibration and SHAP importance';
COMMENT ON FUNCTION mlobs.rmse(mlobs.regression_summary) IS 'Root mean squared error of a regression summary; NULL when empty';
COMMENT ON FUNCTION mlobs.roc_auc(mlobs.score_summary) IS 'Approximate ROC AUC of a score summary; NULL when a class is absent';
COMMENT ON FUNCTION mlobs.roc_auc_bounds(mlobs.score_summary) IS 'Bounds {lower, upper} guaranteed to contain the exact ROC AUC of a score summary''s rows';
COMMENT ON FUNCTION mlobs.run_monitors(timestamp with time zone, timestamp with time zone, text, bigint[]) IS 'Computes every due window of the enabled monitors and evaluates their alerts; returns the run''s mlobs.runs row';
COMMENT ON PROCEDURE mlobs.run_monitors_committed(timestamp with time zone, timestamp with time zone) IS 'run_monitors that commits after each group of monitors sharing a scan, then a full run: long catch-ups and backfills visible and kept as they go';
COMMENT ON FUNCTION mlobs.schedule_monitors(text) IS 'Schedules mlobs.run_monitors with pg_cron on the given cron schedule; returns the job id';
COMMENT ON FUNCTION mlobs.schema_of(mlobs.feature_profiles) IS 'Schema the payloads of a reference feature-profile summary follow (per key type, required, nullable, range, categories), as jsonb';
COMMENT ON FUNCTION mlobs.schema_violations(jsonb, jsonb) IS 'Violations of one jsonb payload against a schema, as a jsonb array ([] when valid)';
COMMENT ON FUNCTION mlobs.set_monitor_enabled(text, boolean) IS 'Enables or disables a monitor; returns whether it exists';
COMMENT ON FUNCTION mlobs.shap(text, double precision[], integer) IS 'SHAP values of one row for a registered model (path-dependent TreeSHAP or linear SHAP, margin space)';
COMMENT ON FUNCTION mlobs.shap(text, double precision[], double precision[], integer) IS 'Interventional SHAP values of one row against background rows for a registered model (margin space)';
COMMENT ON FUNCTION mlobs.shap(text, jsonb, double precision[], integer) IS 'Interventional SHAP values of one row against background rows for a registered model (margin space), as jsonb by feature';
COMMENT ON FUNCTION mlobs.shap(text, jsonb, integer) IS 'SHAP values of one row for a registered model (path-dependent TreeSHAP or linear SHAP, margin space), as jsonb by feature';
COMMENT ON FUNCTION mlobs.shap(text, integer, double precision[], integer) IS 'SHAP values of one row for a version of a registered model (path-dependent TreeSHAP or linear SHAP, margin space)';
COMMENT ON FUNCTION mlobs.shap(text, integer, jsonb, integer) IS 'SHAP values of one row for a version of a registered model (path-dependent TreeSHAP or linear SHAP, margin space), as jsonb by feature';
COMMENT ON FUNCTION mlobs.shap_base_value(text) IS 'Base value of path-dependent SHAP for a registered model, in margin space';
COMMENT ON FUNCTION mlobs.shap_base_value(text, double precision[], integer) IS 'Base value of interventional SHAP for a registered model: the mean margin over the background rows';
COMMENT ON FUNCTION mlobs.shap_base_value(text, integer, integer) IS 'Base value of path-dependent SHAP for a version of a registered model, in margin space';
COMMENT ON AGGREGATE mlobs.shap_importance_agg(text, jsonb) IS 'Mean |SHAP| per feature of a registered model over the rows, as jsonb (see docs/models.md)';
COMMENT ON AGGREGATE mlobs.shap_importance_agg(text, double precision[], integer) IS 'Mean |SHAP| per feature of a registered model over the rows, as jsonb (see docs/models.md)';
COMMENT ON AGGREGATE mlobs.shap_importance_agg(text, jsonb, integer) IS 'Mean |SHAP| per feature of a registered model over the rows, as jsonb (see docs/models.md)';
COMMENT ON FUNCTION mlobs.stddev(mlobs.profile) IS 'Sample standard deviation (n - 1) of the finite values of a profile; NULL with fewer than two';
COMMENT ON FUNCTION mlobs.stddev_pop(mlobs.profile) IS 'Population standard deviation (n) of the finite values of a profile; NULL when there are none';
COMMENT ON FUNCTION mlobs.summary_report(mlobs.feature_profiles, mlobs.feature_profiles, text) IS 'One self-contained HTML data-drift document of two feature-profile summaries: every feature''s drift verdict and the reference-against-current distributions';
COMMENT ON FUNCTION mlobs.tnr(mlobs.confusion, text) IS 'True negative rate of a confusion summary for the positive label';
COMMENT ON FUNCTION mlobs.top_share(mlobs.categories) IS 'Share of the most frequent category among the non-NULL values of a category summary';
COMMENT ON FUNCTION mlobs.total_count(mlobs.profile) IS 'Number of rows seen by a profile, NULL, NaN and +/-Infinity included';
COMMENT ON FUNCTION mlobs.tpr(mlobs.confusion, text) IS 'True positive rate (recall) of a confusion summary for the positive label';
COMMENT ON FUNCTION mlobs.unschedule_monitors() IS 'Removes the pg_cron jobs that run this database''s monitors; returns whether there was one (call before DROP EXTENSION)';
COMMENT ON FUNCTION mlobs.schedule_monitors_command(text, name, regrole) IS 'The cron.schedule_in_database statement (job run as job_role; of one owner''s monitors with monitors_of) to run in pg_cron''s database when pg_cron lives in another database';
COMMENT ON FUNCTION mlobs.unschedule_monitors_command() IS 'The statement that removes this database''s monitor jobs in pg_cron''s database';
COMMENT ON FUNCTION mlobs.variance(mlobs.profile) IS 'Sample variance (n - 1) of the finite values of a profile; NULL with fewer than two';
COMMENT ON FUNCTION mlobs.what_if(text, jsonb, jsonb, integer) IS 'Predictions of a registered model before and after changing some features, with every feature''s SHAP change, as jsonb';
