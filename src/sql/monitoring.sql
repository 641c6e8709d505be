-- ==== monitoring runtime (docs/monitoring.md) ====================================================
-- Monitors compute per-window summaries of a model's log table and the metrics derived from them
-- (mlobs.metric_points, what Grafana and Prometheus read); rules turn metric points into alerts
-- (pending → firing → resolved, pg_notify on every transition); mlobs.run_monitors() is the
-- pg_cron job. Everything is plain SQL/PL/pgSQL over the extension's aggregates: windows are
-- summarised once (mlobs.monitor_windows) and never rescanned; reference summaries are computed
-- once per monitor.

CREATE TABLE mlobs.monitors (
  id bigserial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  model text NOT NULL,                      -- label of the metric points (the model's name)
  source regclass NOT NULL,                 -- the log table or view
  ts_column text NOT NULL DEFAULT 'ts',
  kind text NOT NULL CHECK (kind IN ('feature_drift', 'prediction_drift', 'quality',
                                     'classification', 'regression', 'cbpe', 'latency', 'multivariate_drift')),
  config jsonb NOT NULL DEFAULT '{}',       -- column names and options per kind (docs/monitoring.md)
  window_size interval NOT NULL DEFAULT '1 hour' CHECK (window_size >= interval '1 minute'),
  reference_from timestamptz,
  reference_to timestamptz,
  start_at timestamptz,                     -- first window; default: reference_to, else the first row
  enabled bool NOT NULL DEFAULT true,
  reference_summary text,                   -- computed on the first run
  reference_metrics jsonb,
  watermark timestamptz,                    -- end of the last computed window
  rows_total bigint NOT NULL DEFAULT 0,     -- rows of every window ever summarised: a true counter
                                            -- (recomputing or pruning never lowers it)
  created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  -- The role whose privileges the monitor reads its source with (its creator): a run acts as it,
  -- so nobody reads through a monitor what they could not read directly.
  owner regrole NOT NULL DEFAULT pg_catalog.to_regrole(pg_catalog.quote_ident(CURRENT_USER)),
  -- Windows younger than this are revisited as their labels land (classification, regression,
  -- the reference of those and of cbpe) ...
  label_horizon interval NOT NULL DEFAULT '7 days' CHECK (label_horizon >= interval '0'),
  -- ... or as rows stamped in them arrive late (every kind; needs the source's change triggers).
  late_data_horizon interval NOT NULL DEFAULT '1 day' CHECK (late_data_horizon >= interval '0'),
  -- The TimeZone of the run that last moved the watermark: a timestamp or date column's change
  -- triggers compare a row's wall clock with the watermark's wall clock there.
  run_zone text);
COMMENT ON TABLE mlobs.monitors IS 'What to compute over which log table (mlobs.create_monitor, mlobs.run_monitors)';

CREATE TABLE mlobs.monitor_windows (
  monitor_id bigint NOT NULL REFERENCES mlobs.monitors ON DELETE CASCADE,
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL,
  rows bigint NOT NULL,
  summary text,                             -- the window's summary in its type's text form
  computed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  -- '' for the window as a whole; a monitor with segment_by also keeps one row per segment.
  segment text NOT NULL DEFAULT '',
  CONSTRAINT monitor_windows_pkey PRIMARY KEY (monitor_id, window_start, segment));
COMMENT ON TABLE mlobs.monitor_windows IS 'Per-window summaries: rolled up instead of rescanning rows';
-- Summaries are compressed with lz4 where the server has it (PostgreSQL built --with-lz4, as
-- Debian's is): a feature summary is ~70 kB of text, pglz spends ~2.4 ms on each and lz4 ~0.3 ms,
-- for ~40 % more disk (docs/performance.md, "Storage").
DO $$
BEGIN
  ALTER TABLE mlobs.monitor_windows ALTER COLUMN summary SET COMPRESSION lz4;
  ALTER TABLE mlobs.monitors ALTER COLUMN reference_summary SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END $$;

CREATE TABLE mlobs.metric_points (
  monitor_id bigint NOT NULL REFERENCES mlobs.monitors ON DELETE CASCADE,
  ts timestamptz NOT NULL,                  -- window end
  window_start timestamptz NOT NULL,
  model text NOT NULL,
  feature text NOT NULL DEFAULT '',         -- '' for model-level metrics
  metric text NOT NULL,
  value float8,
  labels jsonb NOT NULL DEFAULT '{}',
  segment text NOT NULL DEFAULT '',         -- '' for the whole window, else the segment (segment_by)
  CONSTRAINT metric_points_pkey PRIMARY KEY (monitor_id, window_start, segment, feature, metric));
-- Latest point per series (exporters, dashboards, alert evaluation).
CREATE INDEX metric_points_series ON mlobs.metric_points (metric, model, feature, segment, ts DESC);
COMMENT ON TABLE mlobs.metric_points IS 'The metric time series (Grafana, Prometheus read it)';

CREATE TABLE mlobs.alert_rules (
  id bigserial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  metric text NOT NULL,
  comparison text NOT NULL DEFAULT '>' CHECK (comparison IN ('>', '>=', '<', '<=')),
  threshold float8 NOT NULL,
  -- 'value': the metric itself; 'drop_vs_reference': (reference − value) / reference.
  mode text NOT NULL DEFAULT 'value' CHECK (mode IN ('value', 'drop_vs_reference')),
  severity text NOT NULL DEFAULT 'warning' CHECK (severity IN ('info', 'warning', 'critical')),
  for_duration interval NOT NULL DEFAULT '0',  -- breached this long (in window time) before firing
  model text,                               -- NULL: every model
  feature text,                             -- NULL: every feature
  request_retraining bool NOT NULL DEFAULT false,
  enabled bool NOT NULL DEFAULT true,
  -- A window with fewer rows (labelled rows, for performance metrics) is not judged: a 1-row
  -- window gives any drift statistic.
  min_rows int NOT NULL DEFAULT 30 CHECK (min_rows >= 1),
  -- Performance metrics: a window with a smaller labelled share is not judged either.
  min_coverage float8 NOT NULL DEFAULT 0 CHECK (min_coverage >= 0 AND min_coverage <= 1),
  segment text);                            -- NULL: the whole window and every segment; '': the whole window only
COMMENT ON TABLE mlobs.alert_rules IS 'Alert rules over metric points; the platform defaults are preinstalled';

-- The preinstalled (platform) rules exactly as CREATE EXTENSION inserts them. A row equal to its
-- default is left out of pg_dump (the restore's CREATE EXTENSION inserts it again); an edited one
-- is dumped and, when restored, replaces the default (mlobs._replace_default_alert_rule).
CREATE FUNCTION mlobs._default_alert_rules() RETURNS SETOF mlobs.alert_rules
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT d.id, d.name, d.metric, d.comparison, d.threshold, d.mode, d.severity, interval '0', NULL::text,
         NULL::text, d.request_retraining, true, d.min_rows, 0::float8, NULL::text
  FROM (VALUES (1::bigint, 'psi_warning'::text, 'psi'::text, '>'::text, 0.2::float8, 'value'::text, 'warning'::text, false, 30),
               (2, 'psi_critical', 'psi', '>', 0.3, 'value', 'critical', true, 30),
               -- 500 labelled rows: the standard error of an accuracy near 0.75 is then 0.019, well
               -- below the 10 % drop judged (with 30 it is 0.079: partial labels would flap it).
               (3, 'accuracy_drop', 'accuracy', '>', 0.10, 'drop_vs_reference', 'critical', true, 500),
               (4, 'missing_share', 'missing_share', '>', 0.05, 'value', 'warning', false, 30),
               (5, 'outlier_share', 'outlier_share', '>', 0.10, 'value', 'warning', false, 30),
               (6, 'latency_p99', 'latency_p99_seconds', '>', 0.2, 'value', 'warning', false, 30),
               (7, 'error_rate', 'error_rate', '>', 0.05, 'value', 'critical', false, 30),
               -- multivariate_drift is 1 outside the method's band (NannyML's alert), 0 inside.
               (8, 'multivariate_drift', 'multivariate_drift', '>', 0.5, 'value', 'warning', false, 30))
       d(id, name, metric, comparison, threshold, mode, severity, request_retraining, min_rows)
$$;
CREATE FUNCTION mlobs._is_default_alert_rule(r mlobs.alert_rules) RETURNS bool
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$ SELECT EXISTS (SELECT 1 FROM mlobs._default_alert_rules() d WHERE d IS NOT DISTINCT FROM r) $$;
INSERT INTO mlobs.alert_rules SELECT * FROM mlobs._default_alert_rules();
SELECT pg_catalog.setval('mlobs.alert_rules_id_seq', 8);

CREATE TABLE mlobs.alerts (
  id bigserial PRIMARY KEY,
  rule_id bigint NOT NULL REFERENCES mlobs.alert_rules ON DELETE CASCADE,
  monitor_id bigint NOT NULL REFERENCES mlobs.monitors ON DELETE CASCADE,
  model text NOT NULL,
  feature text NOT NULL,
  metric text NOT NULL,
  severity text NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
  value float8,
  threshold float8,
  started_at timestamptz NOT NULL,          -- window end of the first breach
  fired_at timestamptz,
  resolved_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  window_start timestamptz,                 -- start of the first breaching window
  worst_value float8,                       -- the most extreme value judged while open
  judged_rows bigint,                       -- rows (labelled rows, for performance metrics) of the window last judged
  judged_share float8,                      -- labelled share of that window (performance metrics)
  resolved_reason text CHECK (resolved_reason IN ('recovered', 'no_data', 'rule_disabled', 'monitor_disabled')),
  segment text NOT NULL DEFAULT '');
-- At most one open alert per rule, monitor, feature and segment.
CREATE UNIQUE INDEX alerts_open ON mlobs.alerts (rule_id, monitor_id, feature, segment) WHERE state <> 'resolved';
COMMENT ON TABLE mlobs.alerts IS 'Alert state machine: pending → firing → resolved (NOTIFY mlobs_alerts, payload = id)';

CREATE TABLE mlobs.alert_routes (
  severity text PRIMARY KEY CHECK (severity IN ('info', 'warning', 'critical')),
  receiver text NOT NULL);
COMMENT ON TABLE mlobs.alert_routes IS 'Severity-based routing for relays (e.g. to Alertmanager receivers)';
CREATE FUNCTION mlobs._default_alert_routes() RETURNS SETOF mlobs.alert_routes
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$ VALUES ('critical'::text, 'oncall'::text), ('warning', 'ml-team'), ('info', 'log') $$;
CREATE FUNCTION mlobs._is_default_alert_route(r mlobs.alert_routes) RETURNS bool
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$ SELECT EXISTS (SELECT 1 FROM mlobs._default_alert_routes() d WHERE d IS NOT DISTINCT FROM r) $$;
INSERT INTO mlobs.alert_routes SELECT * FROM mlobs._default_alert_routes();

CREATE TABLE mlobs.runs (
  id bigserial PRIMARY KEY,
  started_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
  finished_at timestamptz,
  duration_ms float8,
  as_of timestamptz NOT NULL,               -- the `now` argument
  status text NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'skipped')),
  windows int NOT NULL DEFAULT 0,
  points int NOT NULL DEFAULT 0,
  alert_transitions int NOT NULL DEFAULT 0,
  errors jsonb NOT NULL DEFAULT '[]',
  revised int NOT NULL DEFAULT 0,           -- computed windows recomputed because labels or rows arrived
  busy_monitors int NOT NULL DEFAULT 0);    -- monitors left to an overlapping run that was running them
COMMENT ON TABLE mlobs.runs IS 'One row per mlobs.run_monitors call: duration, counts, per-monitor errors';

-- The segments of a monitor with segment_by (docs/monitoring.md, "Segments"): the values it
-- keeps apart (its config's `segments`, else the max_segments most frequent ones of its reference
-- rows, or of its first window without a reference) and the bucket '(other)' for the rest, each
-- with its reference summary and metrics (the monitor row keeps those of all rows).
CREATE TABLE mlobs.monitor_segments (
  monitor_id bigint NOT NULL REFERENCES mlobs.monitors ON DELETE CASCADE,
  segment text NOT NULL,
  rank int NOT NULL,                        -- 1 = most reference rows; '(other)' comes last
  reference_rows bigint,
  reference_summary text,
  reference_metrics jsonb,
  PRIMARY KEY (monitor_id, segment));
COMMENT ON TABLE mlobs.monitor_segments IS 'The segments each segmented monitor keeps apart, with their references';

-- A window whose computation failed: the run records it here (the windows before and after it
-- stay committed) and retries it on every later run until it succeeds.
CREATE TABLE mlobs.window_failures (
  monitor_id bigint NOT NULL REFERENCES mlobs.monitors ON DELETE CASCADE,
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL,
  sqlstate text NOT NULL,
  error text NOT NULL,
  find_rows text NOT NULL,                  -- a query that lists the window's rows
  attempts int NOT NULL DEFAULT 1,
  first_failed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  last_failed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  PRIMARY KEY (monitor_id, window_start));
COMMENT ON TABLE mlobs.window_failures IS 'Windows that failed to compute, retried by every run within the horizons (on a transient error for 30 days), later when their rows change or by a backfill';

-- Minutes of a monitored table whose rows changed after their window could have been computed:
-- labels written by UPDATE days later, rows committed late, deletions. Written by the table's
-- statement triggers (mlobs.track_changes), consumed by run_monitors, which recomputes the
-- affected windows still within their monitor's horizon. No key: concurrent writers never wait
-- on each other; duplicates collapse when read. `source` is a regclass so that pg_dump writes the
-- table's name, and a restore (new OIDs) keeps the changes that no run has moved yet.
CREATE TABLE mlobs.source_changes (
  source regclass NOT NULL,
  minute timestamptz NOT NULL,
  -- For a timestamp or date column 'UTC': `minute` is the column's wall-clock minute written as
  -- UTC, which a run reads back as a wall clock in its own zone. NULL: an instant.
  zone text,
  recorded_at timestamptz NOT NULL DEFAULT pg_catalog.now());
-- (source, minute): the triggers skip a minute their transaction recorded already, so a
-- transaction of many statements queues each minute once.
CREATE INDEX source_changes_source ON mlobs.source_changes (source, minute);
COMMENT ON TABLE mlobs.source_changes IS 'Changed minutes of monitored tables, recorded by their triggers, consumed by run_monitors';

-- Each enabled monitor's own queue of the changed minutes of its table: every run moves the
-- recorded changes here (one row per monitor of the table), and a monitor's run takes its queue.
-- Runs of different monitors (one job per owner) thus each revise what changed for their own
-- monitors and consume it, whichever runs first. A monitor that fails gets its minutes back.
-- No key, as in source_changes: a run moving changes never waits on one that takes a queue.
-- No foreign key: its check would take KEY SHARE on the rows of monitors other runs hold, and
-- make a run wait for (then fail on) a drop_monitor in another session. Ids are never reused;
-- rows of dropped monitors are deleted by the next run.
CREATE TABLE mlobs.monitor_changes (
  monitor_id bigint NOT NULL,
  minute timestamptz NOT NULL,
  zone text,                                -- as in source_changes
  -- The earliest recorded_at of the minute's changes: a window revises a change recorded while it
  -- was open to it even when the run comes after its horizon. NULL (a monitor enabled again):
  -- the run's own time.
  recorded_at timestamptz);
CREATE INDEX monitor_changes_monitor ON mlobs.monitor_changes (monitor_id);
COMMENT ON TABLE mlobs.monitor_changes IS 'Changed minutes of each monitor''s table that its next run revises (moved from source_changes by run_monitors)';

-- The row a full run locks (FOR UPDATE SKIP LOCKED) so that two full runs do not both walk the
-- fleet; partial runs lock the rows of the monitors they run. Row locks, not advisory locks: any
-- role may take any advisory lock (and read the keys in pg_locks), while locking a row takes the
-- UPDATE privilege, mlobs_admin's. Not dumped: CREATE EXTENSION inserts the row.
CREATE TABLE mlobs.run_lock (id int PRIMARY KEY CHECK (id = 1));
INSERT INTO mlobs.run_lock VALUES (1);
COMMENT ON TABLE mlobs.run_lock IS 'The row a full mlobs.run_monitors locks: an overlapping full run is skipped';

-- The latest `now` a run has started with, in microseconds since 1970 (setval is not
-- transactional: every session sees it while the run is still computing). The change triggers
-- count an insert stamped before it as late, since a run in progress may have scanned its window
-- and will commit a watermark past it (review of 2026-12-07: rows stamped hours earlier,
-- inserted during a catch-up, were in no window). It follows the runs' own `now`, not the clock:
-- ingest stamped after the last run's `now` (rows stamped now, with the scheduled run's minute
-- of lag; a simulated or replayed clock ahead of its runs) records nothing. Dumped, so a restored
-- database keeps recording what the source did.
CREATE SEQUENCE mlobs.run_horizon AS bigint MINVALUE 0 START 0;
SELECT pg_catalog.pg_extension_config_dump('mlobs.run_horizon', '');
COMMENT ON SEQUENCE mlobs.run_horizon IS 'The latest now a run started with (µs since 1970): inserts stamped before it are recorded as late';

-- Default alert rules and routes that a user deleted: CREATE EXTENSION (which a restore runs)
-- inserts every default again, and loading this table's rows deletes those (pg_dump round trip).
CREATE TABLE mlobs.removed_defaults (
  table_name text NOT NULL CHECK (table_name IN ('alert_rules', 'alert_routes')),
  key text NOT NULL,
  PRIMARY KEY (table_name, key));
COMMENT ON TABLE mlobs.removed_defaults IS 'Preinstalled alert rules and routes deleted by the user (kept through pg_dump/pg_restore)';

-- pg_dump round trip of the preinstalled rows. A restore runs CREATE EXTENSION (every default
-- inserted, untouched) and then loads the dumped rows: an incoming rule or route with the id,
-- name or severity of an untouched default replaces it (when no alert refers to it), and an
-- incoming tombstone deletes the default the user had deleted. In normal use the same triggers
-- record deletions of defaults and let an explicit INSERT take over an untouched default's name.
CREATE FUNCTION mlobs._replace_default_alert_rule() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DELETE FROM mlobs.alert_rules o
   WHERE (o.id = NEW.id OR o.name = NEW.name) AND mlobs._is_default_alert_rule(o)
     AND NOT EXISTS (SELECT 1 FROM mlobs.alerts a WHERE a.rule_id = o.id);
  DELETE FROM mlobs.removed_defaults WHERE table_name = 'alert_rules' AND key = NEW.id::text;
  RETURN NEW;
END $$;
CREATE TRIGGER replace_default BEFORE INSERT ON mlobs.alert_rules
  FOR EACH ROW EXECUTE FUNCTION mlobs._replace_default_alert_rule();
CREATE FUNCTION mlobs._replace_default_alert_route() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DELETE FROM mlobs.alert_routes o WHERE o.severity = NEW.severity AND mlobs._is_default_alert_route(o);
  DELETE FROM mlobs.removed_defaults WHERE table_name = 'alert_routes' AND key = NEW.severity;
  RETURN NEW;
END $$;
CREATE TRIGGER replace_default BEFORE INSERT ON mlobs.alert_routes
  FOR EACH ROW EXECUTE FUNCTION mlobs._replace_default_alert_route();
CREATE FUNCTION mlobs._record_removed_default() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  -- Separate branches: each one names only its own table's columns.
  IF TG_TABLE_NAME = 'alert_rules' THEN
    IF EXISTS (SELECT 1 FROM mlobs._default_alert_rules() d WHERE d.id = OLD.id) THEN
      INSERT INTO mlobs.removed_defaults VALUES ('alert_rules', OLD.id::text) ON CONFLICT DO NOTHING;
    END IF;
  ELSE
    INSERT INTO mlobs.removed_defaults VALUES ('alert_routes', OLD.severity) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER record_removed_default AFTER DELETE ON mlobs.alert_rules
  FOR EACH ROW EXECUTE FUNCTION mlobs._record_removed_default();
CREATE TRIGGER record_removed_default AFTER DELETE ON mlobs.alert_routes
  FOR EACH ROW EXECUTE FUNCTION mlobs._record_removed_default();
CREATE FUNCTION mlobs._apply_removed_default() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NEW.table_name = 'alert_rules' THEN
    DELETE FROM mlobs.alert_rules o WHERE o.id::text = NEW.key AND mlobs._is_default_alert_rule(o)
       AND NOT EXISTS (SELECT 1 FROM mlobs.alerts a WHERE a.rule_id = o.id);
  ELSE
    DELETE FROM mlobs.alert_routes o WHERE o.severity = NEW.key AND mlobs._is_default_alert_route(o);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER apply_removed_default AFTER INSERT ON mlobs.removed_defaults
  FOR EACH ROW EXECUTE FUNCTION mlobs._apply_removed_default();

CREATE TABLE mlobs.retraining_requests (
  id bigserial PRIMARY KEY,
  model text NOT NULL,
  alert_id bigint REFERENCES mlobs.alerts ON DELETE SET NULL,
  reason text NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dismissed')),
  requested_at timestamptz NOT NULL DEFAULT pg_catalog.now());
COMMENT ON TABLE mlobs.retraining_requests IS 'Raised by rules with request_retraining (NOTIFY mlobs_retraining)';

-- User data and configuration: pg_dump keeps them.
SELECT pg_catalog.pg_extension_config_dump('mlobs.monitors', '');
SELECT pg_catalog.pg_extension_config_dump('mlobs.monitors_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('mlobs.monitor_windows', '');
SELECT pg_catalog.pg_extension_config_dump('mlobs.metric_points', '');
-- Untouched defaults are left out: CREATE EXTENSION inserts them again on restore.
SELECT pg_catalog.pg_extension_config_dump('mlobs.alert_rules', 'WHERE NOT mlobs._is_default_alert_rule(alert_rules)');
SELECT pg_catalog.pg_extension_config_dump('mlobs.alert_rules_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('mlobs.alerts', '');
SELECT pg_catalog.pg_extension_config_dump('mlobs.alerts_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('mlobs.alert_routes', 'WHERE NOT mlobs._is_default_alert_route(alert_routes)');
SELECT pg_catalog.pg_extension_config_dump('mlobs.removed_defaults', '');
SELECT pg_catalog.pg_extension_config_dump('mlobs.window_failures', '');
SELECT pg_catalog.pg_extension_config_dump('mlobs.monitor_segments', '');
SELECT pg_catalog.pg_extension_config_dump('mlobs.source_changes', '');
SELECT pg_catalog.pg_extension_config_dump('mlobs.monitor_changes', '');
SELECT pg_catalog.pg_extension_config_dump('mlobs.runs', '');
SELECT pg_catalog.pg_extension_config_dump('mlobs.runs_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('mlobs.retraining_requests', '');
SELECT pg_catalog.pg_extension_config_dump('mlobs.retraining_requests_id_seq', '');
