-- mlobs 0.2.0 -> 0.3.0. Runs inside ALTER EXTENSION mlobs UPDATE with the same shared library as
-- a fresh 0.3.0 install; every name is schema-qualified. tests/integration/upgrade.sh proves that
-- 0.2.0 + this script (and 0.1.0 + both scripts) describe exactly the same schema as a fresh 0.3.0
-- install and that values stored under the old versions still read and merge.
\echo Use "ALTER EXTENSION mlobs UPDATE TO '0.3.0'" to load this file. \quit

-- ==== section: runtime (monitoring tables and functions) ========================================

-- monitors.owner: runs read each monitor's source as its owner (issue 13). Monitors created
-- before 0.3.0 are owned by the role running this update (a superuser: what ran them before);
-- hand them over with UPDATE mlobs.monitors SET owner = '<role>'.
ALTER TABLE mlobs.monitors ADD COLUMN owner regrole NOT NULL DEFAULT pg_catalog.to_regrole(pg_catalog.quote_ident(CURRENT_USER));
-- 0.2.0 read every source as the caller of run_monitors. When this database's pg_cron jobs ran
-- them as one role (0.2.0's schedule_monitors schedules the job as its caller, often a
-- non-superuser mlobs_admin member), that role is what read them: it owns them from now on and
-- its runs go on. (Owned by the updating superuser, they failed every run of that role with
-- 42501, and a superuser taking the runs over would read the role's views as a superuser.)
-- Otherwise the updating role owns them. A WARNING says which (an extension script's NOTICEs are
-- not shown).
DO $$
DECLARE
  runners text[];
  runner regrole;
BEGIN
  IF pg_catalog.to_regclass('cron.job') IS NOT NULL THEN
    -- The active jobs' role; else the paused jobs' (docs/reliability.md pauses the job around
    -- the update).
    EXECUTE $q$SELECT pg_catalog.array_agg(DISTINCT j.username) FROM cron.job j
                WHERE j.database OPERATOR(pg_catalog.=) pg_catalog.current_database()
                  AND j.command OPERATOR(pg_catalog.~) 'mlobs\.run_monitors'
                  AND j.active = (SELECT pg_catalog.bool_or(k.active) FROM cron.job k
                                   WHERE k.database OPERATOR(pg_catalog.=) pg_catalog.current_database()
                                     AND k.command OPERATOR(pg_catalog.~) 'mlobs\.run_monitors')$q$ INTO runners;
  END IF;
  IF pg_catalog.cardinality(runners) = 1 THEN
    runner := pg_catalog.to_regrole(pg_catalog.quote_ident(runners[1]));
  END IF;
  IF runner IS NOT NULL THEN
    UPDATE mlobs.monitors SET owner = runner;
    IF FOUND THEN
      RAISE WARNING 'mlobs: the monitors created before 0.3.0 are owned by %, the role of the pg_cron job that runs them', runner;
    END IF;
  ELSIF EXISTS (SELECT 1 FROM mlobs.monitors) THEN
    RAISE WARNING 'mlobs: the monitors created before 0.3.0 are owned by %, the role running this update; runs read each monitor''s source as its owner', CURRENT_USER
      USING HINT = 'A role that runs them (its pg_cron job, also one scheduled from pg_cron''s own database, which this update cannot see) must own them or be a member of their owner: UPDATE mlobs.monitors SET owner = ''<role>'' (docs/monitoring.md, "Privileges").';
  END IF;
END $$;
-- Late labels and late rows (issue 14): windows within these horizons are revised.
ALTER TABLE mlobs.monitors ADD COLUMN label_horizon interval NOT NULL DEFAULT '7 days' CHECK (label_horizon >= interval '0'),
  ADD COLUMN late_data_horizon interval NOT NULL DEFAULT '1 day' CHECK (late_data_horizon >= interval '0'),
  ADD COLUMN run_zone text;
ALTER TABLE mlobs.runs ADD COLUMN revised int NOT NULL DEFAULT 0, ADD COLUMN busy_monitors int NOT NULL DEFAULT 0;
-- Alert rules judge only windows with enough rows; alerts record their window, worst value,
-- the rows judged and why they resolved.
ALTER TABLE mlobs.alert_rules ADD COLUMN min_rows int NOT NULL DEFAULT 30 CHECK (min_rows >= 1),
  ADD COLUMN min_coverage float8 NOT NULL DEFAULT 0 CHECK (min_coverage >= 0 AND min_coverage <= 1);
-- The preinstalled accuracy_drop judges windows with at least 500 labelled rows, unless edited.
UPDATE mlobs.alert_rules SET min_rows = 500
 WHERE id = 3 AND name = 'accuracy_drop' AND metric = 'accuracy' AND comparison = '>' AND threshold = 0.10
   AND mode = 'drop_vs_reference' AND severity = 'critical' AND for_duration = '0' AND model IS NULL AND feature IS NULL
   AND request_retraining AND enabled;
ALTER TABLE mlobs.alerts ADD COLUMN window_start timestamptz, ADD COLUMN worst_value float8, ADD COLUMN judged_rows bigint,
  ADD COLUMN judged_share float8,
  ADD COLUMN resolved_reason text CHECK (resolved_reason IN ('recovered', 'no_data', 'rule_disabled', 'monitor_disabled'));
-- Segments (issue 18): windows, points, rules and alerts carry a segment ('' = the whole window).
ALTER TABLE mlobs.monitor_windows ADD COLUMN segment text NOT NULL DEFAULT '';
ALTER TABLE mlobs.monitor_windows DROP CONSTRAINT monitor_windows_pkey,
  ADD CONSTRAINT monitor_windows_pkey PRIMARY KEY (monitor_id, window_start, segment);
ALTER TABLE mlobs.metric_points ADD COLUMN segment text NOT NULL DEFAULT '';
ALTER TABLE mlobs.metric_points DROP CONSTRAINT metric_points_pkey,
  ADD CONSTRAINT metric_points_pkey PRIMARY KEY (monitor_id, window_start, segment, feature, metric);
DROP INDEX mlobs.metric_points_series;
CREATE INDEX metric_points_series ON mlobs.metric_points (metric, model, feature, segment, ts DESC);
ALTER TABLE mlobs.alert_rules ADD COLUMN segment text;
ALTER TABLE mlobs.alerts ADD COLUMN segment text NOT NULL DEFAULT '';
DROP INDEX mlobs.alerts_open;
CREATE UNIQUE INDEX alerts_open ON mlobs.alerts (rule_id, monitor_id, feature, segment) WHERE state <> 'resolved';
-- Monitor kind multivariate_drift (issue 18).
ALTER TABLE mlobs.monitors DROP CONSTRAINT monitors_kind_check,
  ADD CONSTRAINT monitors_kind_check CHECK (kind IN ('feature_drift', 'prediction_drift', 'quality',
                                     'classification', 'regression', 'cbpe', 'latency', 'multivariate_drift'));

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

CREATE FUNCTION mlobs._default_alert_routes() RETURNS SETOF mlobs.alert_routes
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$ VALUES ('critical'::text, 'oncall'::text), ('warning', 'ml-team'), ('info', 'log') $$;

CREATE FUNCTION mlobs._is_default_alert_route(r mlobs.alert_routes) RETURNS bool
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$ SELECT EXISTS (SELECT 1 FROM mlobs._default_alert_routes() d WHERE d IS NOT DISTINCT FROM r) $$;

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

-- The default rule new in 0.3.0 (multivariate_drift, id 8), unless a rule of the user's holds its
-- name. When a rule of the user's holds id 8 (the first rule anyone added under 0.2.0 got it),
-- the rule goes in under the next id, with a WARNING: a rule of the user's from then on (dumped;
-- a restore's CREATE EXTENSION inserts the default, and the two rules loaded after replace it).
INSERT INTO mlobs.alert_rules SELECT * FROM mlobs._default_alert_rules() d
 WHERE d.id = 8 AND NOT EXISTS (SELECT 1 FROM mlobs.alert_rules r WHERE r.id = d.id OR r.name = d.name);
SELECT pg_catalog.setval('mlobs.alert_rules_id_seq', greatest(8, (SELECT last_value FROM mlobs.alert_rules_id_seq),
                                                              (SELECT pg_catalog.max(id) FROM mlobs.alert_rules)));
DO $$
DECLARE
  rule_id bigint;
BEGIN
  INSERT INTO mlobs.alert_rules
  SELECT (pg_catalog.jsonb_populate_record(NULL::mlobs.alert_rules,
            pg_catalog.to_jsonb(d) OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('id', pg_catalog.nextval('mlobs.alert_rules_id_seq')))).*
    FROM mlobs._default_alert_rules() d
   WHERE d.id = 8 AND NOT EXISTS (SELECT 1 FROM mlobs.alert_rules r WHERE r.name = d.name)
  RETURNING id INTO rule_id;
  IF rule_id IS NOT NULL THEN
    RAISE WARNING 'mlobs: the preinstalled rule multivariate_drift is rule % (id 8 holds a rule of yours)', rule_id;
  END IF;
END $$;
-- Defaults deleted under an earlier version get their tombstone, so a restore does not bring
-- them back.
INSERT INTO mlobs.removed_defaults
SELECT 'alert_rules', d.id::text FROM mlobs._default_alert_rules() d WHERE NOT EXISTS (SELECT 1 FROM mlobs.alert_rules r WHERE r.id = d.id)
UNION ALL
SELECT 'alert_routes', d.severity FROM mlobs._default_alert_routes() d WHERE NOT EXISTS (SELECT 1 FROM mlobs.alert_routes r WHERE r.severity = d.severity);

SELECT pg_catalog.pg_extension_config_dump('mlobs.alert_rules', 'WHERE NOT mlobs._is_default_alert_rule(alert_rules)');

SELECT pg_catalog.pg_extension_config_dump('mlobs.alert_routes', 'WHERE NOT mlobs._is_default_alert_route(alert_routes)');

SELECT pg_catalog.pg_extension_config_dump('mlobs.removed_defaults', '');

SELECT pg_catalog.pg_extension_config_dump('mlobs.window_failures', '');

SELECT pg_catalog.pg_extension_config_dump('mlobs.monitor_segments', '');

SELECT pg_catalog.pg_extension_config_dump('mlobs.source_changes', '');

SELECT pg_catalog.pg_extension_config_dump('mlobs.monitor_changes', '');

-- Replaced with new result columns or parameters.
DROP FUNCTION mlobs.run_monitors(timestamptz, timestamptz);
DROP FUNCTION mlobs._run_monitor(bigint, timestamptz, timestamptz);
DROP FUNCTION mlobs.create_monitor(text, text, regclass, text, jsonb, interval, timestamptz, timestamptz, text, timestamptz);
DROP FUNCTION mlobs.schedule_monitors(text);
DROP FUNCTION mlobs.evaluate_alerts(bigint);

-- Whether a column of type `typ` can be the timestamp of tracked changes: the change triggers
-- read it as timestamptz with the built-in casts only (their function runs as the extension's
-- owner, so no cast or operator of a type someone else made may run in it).
CREATE FUNCTION mlobs._trackable_ts_type(typ oid) RETURNS bool
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT typ IN ('pg_catalog.timestamptz'::regtype, 'pg_catalog.timestamp'::regtype, 'pg_catalog.date'::regtype)
$$;

-- The type of a table's column (the log's timestamp, its label), NULL when it has none by that name.
CREATE FUNCTION mlobs._column_type(rel regclass, col text) RETURNS regtype
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT a.atttypid::regtype FROM pg_attribute a WHERE a.attrelid = rel AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped
$$;

-- The change triggers' function. SECURITY DEFINER is unavoidable here: it runs as whoever writes
-- the monitored table (the application, a labelling job), who has no privileges on mlobs'
-- tables, and it only appends the changed minutes of that table to mlobs.source_changes. Its
-- search_path is pinned, it runs only as a trigger, and only mlobs_admin may attach it (EXECUTE).
-- It runs as the extension's owner, so the column's type is checked before any expression reads
-- it: a cast or operator of a type the table's owner created would otherwise run with those
-- rights. The minutes are recorded for the table and for every partitioned table above it (a
-- write aimed at a partition fires only the partition's statement triggers).
-- Updated and deleted rows are always recorded: a label written while a run computes its window
-- (with a snapshot that cannot see it) must be revisited, and a run consumes only the changes it
-- can see, so a window is recomputed after every change committed to it. Inserted rows are
-- recorded when stamped before the table's most advanced watermark (their window was computed
-- already) or, once it has one, before the latest `now` a run started with (mlobs.run_horizon: a
-- run in progress may have scanned their window), so ordinary ingest writes nothing here,
-- whatever the clock of its timestamps as long as they are after the runs' `now`; a row inserted
-- by a transaction that was open when a run began computing its window is covered, as before, by
-- the scheduled run's one-minute lag (found by the load test's labelling client). Rows without a
-- finite timestamp belong to no window.
CREATE FUNCTION mlobs._record_source_changes() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  rows_sql text;
  typ oid;
  is_partition bool;
  is_partitioned bool;
  -- A timestamp or date column: its rows are recorded as their wall clock (below).
  wall bool;
  tz text;
  sources oid[];
  wm timestamptz;
  zoneless bool;
  first_late timestamptz;
  -- The latest `now` a run started with (mlobs.run_horizon), read once per insert statement.
  run_now timestamptz;
  row_t text;
BEGIN
  -- This runs on every write statement of a monitored table, so it costs one catalog query, one
  -- query of the monitors and, for an INSERT, one read of the new rows' first timestamp; the
  -- recording query only when something is recorded (benches/trigger_overhead.sql).
  -- The rows must come from this statement's transition tables, which the firing trigger
  -- declares: a trigger attached without them would let an unqualified mlobs_new resolve to a
  -- temporary view of the writer's (pg_temp is on the path), run as the extension's owner.
  SELECT a.atttypid, c.relispartition, c.relkind = 'p' INTO typ, is_partition, is_partitioned
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    LEFT JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attname = TG_ARGV[0] AND a.attnum > 0 AND NOT a.attisdropped
   WHERE t.tgrelid = TG_RELID AND t.tgname = TG_NAME AND t.tgfoid = 'mlobs._record_source_changes()'::regprocedure
     AND TG_LEVEL = 'STATEMENT'
     AND (TG_OP IN ('DELETE', 'TRUNCATE') OR t.tgnewtable = 'mlobs_new')
     AND (TG_OP IN ('INSERT', 'TRUNCATE') OR t.tgoldtable = 'mlobs_old');
  IF NOT FOUND THEN
    RAISE EXCEPTION 'mlobs._record_source_changes must fire from a statement trigger that declares its transition tables (mlobs.track_changes installs them)'
      USING ERRCODE = '39P01';
  END IF;
  -- Never block the application's write: the monitors of this column fail with the reason.
  IF typ IS NULL THEN
    RAISE WARNING 'mlobs: changes of % are not recorded: it has no column "%"', TG_RELID::regclass, TG_ARGV[0]
      USING HINT = 'A renamed column: call mlobs.track_changes with its new name and drop the old mlobs_changes_* triggers.';
    RETURN NULL;
  -- mlobs._trackable_ts_type, inline: a SQL function with a SET clause is planned at every call.
  ELSIF typ NOT IN ('pg_catalog.timestamptz'::regtype, 'pg_catalog.timestamp'::regtype, 'pg_catalog.date'::regtype) THEN
    RAISE WARNING 'mlobs: changes of % are not recorded: column "%" is not timestamptz, timestamp or date',
      TG_RELID::regclass, TG_ARGV[0]
      USING HINT = 'Give the column one of those types, or drop the table''s mlobs_changes_* triggers.';
    RETURN NULL;
  END IF;
  sources := ARRAY[TG_RELID];
  IF is_partition THEN
    sources := sources || ARRAY(SELECT a::oid FROM pg_partition_ancestors(TG_RELID) a WHERE a::oid <> TG_RELID);
  END IF;
  -- A write aimed at a partitioned table fires only its own statement triggers, and which
  -- partition each row went to is not known here: the minutes are recorded for every monitored
  -- partition below it too (a monitor of a partition revises those windows; where none of its
  -- rows changed, the revision finds the same summary).
  -- Found from the monitors up (a partition's ancestors are a short walk), not from the table
  -- down: pg_partition_tree locks and lists every partition, milliseconds a statement at a
  -- thousand daily partitions.
  IF is_partitioned THEN
    sources := sources || ARRAY(SELECT DISTINCT m.source::oid FROM mlobs.monitors m JOIN pg_class c ON c.oid = m.source
                                 WHERE c.relispartition
                                   AND TG_RELID IN (SELECT a::oid FROM pg_partition_ancestors(m.source) a));
  END IF;
  -- A table whose last monitor was dropped keeps its triggers (dropping them needs its owner):
  -- nothing is recorded for it.
  IF NOT EXISTS (SELECT 1 FROM mlobs.monitors m WHERE m.source::oid = ANY (sources)) THEN
    RETURN NULL;
  END IF;
  -- TRUNCATE has no rows to read: every computed window a run may still revise changed.
  IF TG_OP = 'TRUNCATE' THEN
    INSERT INTO mlobs.source_changes (source, minute, zone)
    SELECT DISTINCT s, w.window_start, NULL::text
      FROM unnest(sources) s JOIN mlobs.monitors m ON m.source::oid = s
      JOIN mlobs.monitor_windows w ON w.monitor_id = m.id AND w.segment = ''
     WHERE w.window_end > m.watermark - greatest(m.label_horizon, m.late_data_horizon);
    RETURN NULL;
  END IF;
  -- r.t: what is recorded, the instant, or for a timestamp or date the wall-clock minute itself
  -- written as UTC (zone 'UTC': a run reads it back in its own zone, run_monitors; no DST gap to
  -- lose it in), so a labelling client in another zone marks the same windows.
  wall := typ <> 'pg_catalog.timestamptz'::regtype;
  -- A date past timestamp's range (year 294277 on) has no minute: it is skipped, not an error
  -- that would fail the application's write.
  row_t := CASE WHEN typ = 'pg_catalog.date'::regtype
                  THEN 'pg_catalog.timezone(''UTC'', CASE WHEN x < ''294277-01-01''::pg_catalog.date THEN x::pg_catalog.timestamp END)'
                WHEN wall THEN 'pg_catalog.timezone(''UTC'', x::pg_catalog.timestamp)' ELSE 'x' END;
  -- Updated and deleted rows are always recorded. An insert is recorded when stamped before the
  -- most advanced watermark: for a wall clock, the watermark's wall clock in the zone of the run
  -- that set it, else in the zone track_changes recorded (tz).
  -- The horizon of an insert is the watermark, or where that is later (once the table's monitors
  -- have run) the latest `now` a run started with (mlobs.run_horizon): a run that is computing
  -- windows has not committed its new watermark yet, and a row stamped in a window it has scanned
  -- and committed before the run does would be in no window for good.
  IF TG_OP = 'INSERT' THEN
    SELECT pg_catalog.to_timestamp(h.last_value::float8 / 1e6) INTO run_now FROM mlobs.run_horizon h;
    IF NOT wall THEN
      SELECT max(greatest(m.watermark, run_now)) FILTER (WHERE m.watermark IS NOT NULL)
        INTO wm FROM mlobs.monitors m WHERE m.source::oid = ANY (sources);
    ELSE
      SELECT max(pg_catalog.timezone('UTC', pg_catalog.timezone(m.run_zone, greatest(m.watermark, run_now))))
               FILTER (WHERE m.watermark IS NOT NULL),
             coalesce(bool_or(m.run_zone IS NULL AND m.watermark IS NOT NULL), false)
        INTO wm, zoneless
        FROM mlobs.monitors m WHERE m.source::oid = ANY (sources);
      IF zoneless THEN
        tz := CASE WHEN TG_NARGS > 1 THEN TG_ARGV[1] ELSE current_setting('TimeZone') END;
        BEGIN
          SELECT greatest(wm, max(pg_catalog.timezone('UTC', pg_catalog.timezone(tz, greatest(m.watermark, run_now))))) INTO wm
            FROM mlobs.monitors m WHERE m.source::oid = ANY (sources) AND m.run_zone IS NULL;
        EXCEPTION WHEN OTHERS THEN
          RAISE WARNING 'mlobs: changes of % are not recorded: its trigger names an unknown time zone "%"', TG_RELID::regclass, tz
            USING HINT = 'Drop the table''s mlobs_changes_* triggers and call mlobs.track_changes again.';
          RETURN NULL;
        END;
      END IF;
    END IF;
    -- Ordinary ingest stops here: no window of these rows was computed yet.
    IF wm IS NULL THEN
      RETURN NULL;
    END IF;
    EXECUTE format('SELECT min(r.t) FROM (SELECT %s FROM (SELECT %I FROM mlobs_new) y(x)) r(t) WHERE isfinite(r.t)',
                   row_t, TG_ARGV[0]) INTO first_late;
    IF first_late IS NULL OR first_late >= wm THEN
      RETURN NULL;
    END IF;
  END IF;
  rows_sql := CASE TG_OP WHEN 'INSERT' THEN format('SELECT %I FROM mlobs_new', TG_ARGV[0])
                         WHEN 'DELETE' THEN format('SELECT %I FROM mlobs_old', TG_ARGV[0])
                         ELSE format('SELECT %1$I FROM mlobs_new UNION ALL SELECT %1$I FROM mlobs_old', TG_ARGV[0]) END;
  -- A minute this transaction queued already is not queued again. Only this transaction's:
  -- a minute another transaction queued may be taken by a run that started before this one
  -- commits, and revised without this change (the review of the fixes, 2026-12-07).
  EXECUTE format('INSERT INTO mlobs.source_changes (source, minute, zone)
                  SELECT DISTINCT s, date_bin(''1 minute'', r.t, timestamptz ''2000-01-01 00:00:00+00''), $3
                    FROM (SELECT %s FROM (%s) y(x)) r(t), unnest($1) s
                   WHERE isfinite(r.t) AND ($2 IS NULL OR r.t < $2)
                     AND NOT EXISTS (SELECT 1 FROM mlobs.source_changes c
                                      WHERE c.source OPERATOR(pg_catalog.=) s::pg_catalog.regclass
                                        AND c.minute OPERATOR(pg_catalog.=) date_bin(''1 minute'', r.t, timestamptz ''2000-01-01 00:00:00+00'')
                                        AND c.zone IS NOT DISTINCT FROM $3
                                        AND c.xmin OPERATOR(pg_catalog.=) pg_catalog.pg_current_xact_id()::pg_catalog.xid)', row_t, rows_sql)
    USING sources, wm, CASE WHEN wall THEN 'UTC' END;
  RETURN NULL;
END $$;

-- mlobs.track_changes: installs the statement triggers that record which minutes of a table
-- changed after the fact (INSERT, UPDATE, DELETE, transition tables), so runs recompute only the
-- windows whose labels or rows changed. create_monitor calls it when its creator may (TRIGGER
-- privilege on a table); without it, label monitors recompute every open window on every run and
-- late rows are not noticed. A partitioned table's partitions get the triggers too (writes aimed
-- at a partition fire only its own statement triggers): call it again after adding partitions.
-- The triggers fire also in sessions with session_replication_role = replica (ENABLE ALWAYS)
-- when the caller owns the table; PostgreSQL's own subscription apply worker fires no statement
-- trigger, so a subscribed table counts as untracked (_changes_tracked). Returns whether the
-- table's triggers are (now) installed.
CREATE FUNCTION mlobs.track_changes(source regclass, ts_column text DEFAULT 'ts') RETURNS bool
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  op text;
  tname text;
  rel regclass;
  typ oid;
BEGIN
  IF source IS NULL OR ts_column IS NULL THEN
    RAISE EXCEPTION 'source and ts_column must not be NULL' USING ERRCODE = '22004';
  END IF;
  IF (SELECT relkind FROM pg_class WHERE oid = source) NOT IN ('r', 'p') THEN
    RAISE EXCEPTION '% is not a table: changes of views and foreign tables cannot be tracked', source
      USING ERRCODE = '42809';
  END IF;
  typ := mlobs._column_type(source, ts_column);
  IF typ IS NULL THEN
    RAISE EXCEPTION 'column "%" does not exist in %', ts_column, source USING ERRCODE = '42703';
  END IF;
  IF NOT mlobs._trackable_ts_type(typ) THEN
    RAISE EXCEPTION 'column "%" of % is %: changes are tracked for a timestamptz, timestamp or date column', ts_column, source,
      format_type(typ, NULL) USING ERRCODE = '42804';
  END IF;
  IF NOT has_table_privilege(source, 'TRIGGER') THEN
    RAISE EXCEPTION 'permission denied: role % may not create triggers on %', current_user, source
      USING ERRCODE = '42501', HINT = format('GRANT TRIGGER ON %s TO %I', source, current_user);
  END IF;
  FOR rel IN SELECT t.relid FROM pg_partition_tree(source) t JOIN pg_class c ON c.oid = t.relid WHERE c.relkind IN ('r', 'p')
             UNION SELECT source LOOP
    IF NOT has_table_privilege(rel, 'TRIGGER') THEN
      RAISE NOTICE 'changes written directly to partition % are not tracked: role % may not create triggers on it', rel, current_user
        USING HINT = format('GRANT TRIGGER ON %s TO %I, then call mlobs.track_changes again', rel, current_user);
      CONTINUE;
    END IF;
    FOREACH op IN ARRAY ARRAY['insert', 'update', 'delete', 'truncate'] LOOP
      tname := format('mlobs_changes_%s_%s', op, left(md5(ts_column), 8));
      IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = rel AND tgname = tname) THEN
        -- The second argument: this session's time zone, in which a timestamp or date column's
        -- watermark filter reads the watermark until a run has recorded its own (run_zone).
        EXECUTE format('CREATE TRIGGER %I AFTER %s ON %s %s FOR EACH STATEMENT EXECUTE FUNCTION mlobs._record_source_changes(%L, %L)',
                       tname, upper(op), rel,
                       CASE op WHEN 'insert' THEN 'REFERENCING NEW TABLE AS mlobs_new' WHEN 'delete' THEN 'REFERENCING OLD TABLE AS mlobs_old'
                               WHEN 'update' THEN 'REFERENCING OLD TABLE AS mlobs_old NEW TABLE AS mlobs_new' ELSE '' END,
                       ts_column, current_setting('TimeZone'));
      END IF;
      -- Writes applied by logical replication (session_replication_role = replica) fire only
      -- ALWAYS triggers; enabling one takes the table's owner.
      -- (A trigger its owner disabled, or set to fire on replicas only, is left as it is.)
      IF (SELECT tgenabled FROM pg_trigger WHERE tgrelid = rel AND tgname = tname) = 'O' THEN
        IF pg_has_role((SELECT relowner FROM pg_class WHERE oid = rel), 'USAGE') THEN
          EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', rel, tname);
        ELSIF op = 'insert' THEN
          RAISE NOTICE 'writes that logical replication applies to % are not tracked: only its owner can enable the triggers for them', rel
            USING HINT = format('As the owner: ALTER TABLE %s ENABLE ALWAYS TRIGGER ... for each of its mlobs_changes_* triggers', rel);
        END IF;
      END IF;
    END LOOP;
  END LOOP;
  RETURN true;
END $$;

-- Whether a table's changes are tracked for a timestamp column (its three triggers exist).
-- A table a logical replication subscription writes (it, or a partitioned table above it) is
-- not tracked, whatever its triggers: the apply worker fires no statement trigger, so the
-- replicated label updates and late rows would never be recorded; its label monitors revise every
-- window within label_horizon on every run instead, as for a table without the triggers.
CREATE FUNCTION mlobs._changes_tracked(source regclass, ts_column text) RETURNS bool
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT count(*) = 3 FROM pg_trigger WHERE tgrelid = source AND tgname IN (
    'mlobs_changes_insert_' || left(md5(ts_column), 8), 'mlobs_changes_update_' || left(md5(ts_column), 8),
    'mlobs_changes_delete_' || left(md5(ts_column), 8))
  AND NOT EXISTS (SELECT 1 FROM pg_subscription_rel sr
                   WHERE sr.srrelid = source OR sr.srrelid IN (SELECT a::oid FROM pg_partition_ancestors(source) a))
$$;

-- 0.3.0 revises windows when labels or rows land late, from triggers on the monitored tables
-- (mlobs.track_changes, which create_monitor calls). Monitors from before have none: say so, with
-- the statement, rather than install triggers on the application's tables during the update.
DO $$
DECLARE
  r record;
BEGIN
  -- Tables only: a view's (or a foreign table's) changes cannot be tracked, and their monitors
  -- recompute as they did under 0.2.0 (docs/monitoring.md, "Late labels").
  FOR r IN SELECT DISTINCT mo.source, mo.ts_column FROM mlobs.monitors mo JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) mo.source
            WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::"char"[]) AND NOT mlobs._changes_tracked(mo.source, mo.ts_column)
            ORDER BY 1, 2 LOOP
    RAISE WARNING 'mlobs 0.3.0: changes of % are not tracked: its monitors with labels recompute every window within label_horizon on every run, and rows committed after their window was computed are not counted', r.source
      USING HINT = pg_catalog.format('As a role with the TRIGGER privilege on it: SELECT mlobs.track_changes(%L, %L);', r.source::text, r.ts_column);
  END LOOP;
END $$;

-- Metrics that need labels: judged on windows with enough labels, whenever those land.
CREATE FUNCTION mlobs._label_metric(metric text) RETURNS bool
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$ SELECT metric IN ('accuracy', 'f1', 'roc_auc', 'concept_drift_score', 'rmse', 'mae') $$;

-- ==== monitor kinds (docs/monitoring.md) =========================================================
-- One row per monitor kind: what a monitor of that kind reads and when it needs a reference or
-- labels. create_monitor, the column checks and the run read these rows instead of listing kinds;
-- a new kind is a row here, its name in the kind CHECK of mlobs.monitors (pg_regress monitoring
-- checks that the two agree), its summary SQL (_monitor_summary_sql) and its metrics
-- (_monitor_metrics), which are code, not data.
--   columns            source columns it always reads, by config key (default: the key itself)
--   optional_columns   source columns it reads when its config names them
--   options            its other config keys
--   needs_reference    create_monitor requires reference_from < reference_to
--   labelled           its window metrics need labels, which land late (windows within
--                      label_horizon are recomputed when they change)
--   reference_labelled its reference summary needs labels too (recomputed while they land)
--   reference_metrics  its reference summary yields reference metrics (drop_vs_reference rules)
CREATE FUNCTION mlobs._monitor_kinds()
RETURNS TABLE (kind text, columns text[], optional_columns text[], options text[], needs_reference bool,
               labelled bool, reference_labelled bool, reference_metrics bool)
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  -- In the order error messages list them.
  VALUES
    ('feature_drift',    '{features}'::text[],    '{}'::text[],   '{method,categorical_method}'::text[], true, false, false, false),
    ('prediction_drift', '{score}',               '{}',           '{}',                                  true, false, false, false),
    ('quality',          '{features}',            '{}',           '{options}',                           true, false, false, false),
    ('classification',   '{label,predicted}',     '{score}',      '{average}',                           true, true,  true,  true),
    ('regression',       '{target,prediction}',   '{}',           '{}',                                  true, true,  true,  true),
    ('cbpe',             '{score,label}',         '{}',           '{threshold}',                         true, false, true,  false),
    ('latency',          '{latency_ms}',          '{error}',      '{}',                                  false, false, false, true),
    ('multivariate_drift', '{features}',          '{}',           '{keys,method,variance,sample}',       true, false, false, false)
$$;

-- The source columns a monitor reads, by config key (default: the key itself): the required ones
-- of its kind, the optional ones its config names, and the timestamp column under key 'ts'.
CREATE FUNCTION mlobs._monitor_columns(kind text, config jsonb, ts_column text)
RETURNS TABLE (key text, column_name text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT k, CASE WHEN k = 'ts' THEN ts_column ELSE coalesce(config->>k, k) END
  FROM unnest((SELECT d.columns || ARRAY(SELECT o FROM unnest(d.optional_columns) o WHERE config ? o)
                 FROM mlobs._monitor_kinds() d WHERE d.kind = _monitor_columns.kind) || ARRAY['ts']) k
  UNION ALL
  -- segment_by entries: a column, or a jsonb column's key as 'column->key'.
  SELECT 'segment_by', split_part(e, '->', 1)
    FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(config->'segment_by') = 'array' THEN config->'segment_by' END) e
$$;

-- A monitor's score as a probability, NULL where it is not one (NaN, ±Infinity, outside [0, 1]),
-- and a target or prediction as a finite float8, NULL where it is not finite. One such row is a
-- broken model or pipeline, not an outage: it is left out like a NULL (a classification window
-- counts it as an invalid score) instead of failing the other rows' window. (NaN sorts above
-- every number in PostgreSQL: `<= 1` and `< 'Infinity'` exclude it.)
CREATE FUNCTION mlobs._monitor_probability(m mlobs.monitors, key text DEFAULT 'score') RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format('(CASE WHEN (%1$s)::float8 >= 0 AND (%1$s)::float8 <= 1 THEN (%1$s)::float8 END)', mlobs._monitor_column(m, key))
$$;

CREATE FUNCTION mlobs._monitor_finite(m mlobs.monitors, key text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format('(CASE WHEN (%1$s)::float8 > ''-Infinity''::float8 AND (%1$s)::float8 < ''Infinity''::float8 THEN (%1$s)::float8 END)',
                mlobs._monitor_column(m, key))
$$;

-- Classification: concept drift computed in the window's scan; kind multivariate_drift.
CREATE OR REPLACE FUNCTION mlobs._monitor_summary_sql(m mlobs.monitors) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RETURN CASE m.kind
    WHEN 'feature_drift' THEN format('mlobs.features_agg(%s)::text', mlobs._monitor_column(m, 'features'))
    WHEN 'quality' THEN format('mlobs.features_agg(%s)::text', mlobs._monitor_column(m, 'features'))
    WHEN 'prediction_drift' THEN format('mlobs.profile_agg(%s)::text', mlobs._monitor_column(m, 'score'))
    -- With scores and a concept reference, the window's concept drift is computed in the same
    -- scan (its label rates per reference score bin need the window's pairs, not a summary): an
    -- aggregate that bins each pair as it arrives (two array_aggs cost 0.14 s per 1M rows).
    WHEN 'classification' THEN format(
      'jsonb_build_object(''confusion'', mlobs.confusion_agg(%1$s, %2$s)::text, ''score'', %3$s%4$s)::text',
      mlobs._monitor_column(m, 'label'), mlobs._monitor_column(m, 'predicted'),
      CASE WHEN m.config ? 'score'
           THEN format('(mlobs.score_agg(%1$s, %2$s) FILTER (WHERE %2$s IS NOT NULL))::text, ''invalid_scores'', count(*) FILTER (WHERE %3$s IS NOT NULL AND %1$s IS NULL)',
                       mlobs._monitor_probability(m), mlobs._monitor_column(m, 'label'), mlobs._monitor_column(m, 'score'))
           ELSE 'NULL' END,
      CASE WHEN m.config ? 'score' AND jsonb_typeof(m.reference_summary::jsonb->'concept') = 'object'
           THEN format(', ''concept_drift_score'', (mlobs.concept_drift_agg(%1$L::jsonb, %2$s, %3$s::float8) FILTER (WHERE %2$s IS NOT NULL)).score',
                       m.reference_summary::jsonb->'concept', mlobs._monitor_probability(m), mlobs._monitor_column(m, 'label'))
           ELSE '' END)
    WHEN 'regression' THEN format('mlobs.regression_agg(%s, %s)::text',
      mlobs._monitor_finite(m, 'target'), mlobs._monitor_finite(m, 'prediction'))
    WHEN 'cbpe' THEN format('mlobs.profile_agg(%s)::text', mlobs._monitor_column(m, 'score'))
    WHEN 'latency' THEN format('jsonb_build_object(''latency'', mlobs.profile_agg(%s)::text, ''errors'', %s)::text',
      mlobs._monitor_column(m, 'latency_ms'),
      CASE WHEN m.config ? 'error' THEN format('count(*) FILTER (WHERE %s)', mlobs._monitor_column(m, 'error'))
           ELSE '0' END)
    WHEN 'multivariate_drift' THEN mlobs._mv_summary_sql(m)
  END;
END $$;

-- The text expression of a row's uncapped segment (NULL: the monitor has no segment_by): each
-- segment_by entry's value ('(null)' when NULL), joined with '|'.
CREATE FUNCTION mlobs._monitor_segment_raw_sql(config jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT '(' || string_agg(CASE WHEN strpos(e, '->') > 0
                                THEN format('coalesce(%I->>%L, ''(null)'')', split_part(e, '->', 1), substr(e, strpos(e, '->') + 2))
                                ELSE format('coalesce(%I::text, ''(null)'')', e) END, ' || ''|'' || ' ORDER BY o) || ')'
    FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(config->'segment_by') = 'array' THEN config->'segment_by' END)
         WITH ORDINALITY x(e, o)
$$;

-- A row's segment as the monitor keeps it: one of its learned segments (mlobs.monitor_segments),
-- else '(other)'. NULL while the monitor has no segments (no segment_by, or none learned yet).
CREATE FUNCTION mlobs._monitor_segment_sql(m mlobs.monitors) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format('CASE WHEN %1$s = ANY (%2$L::text[]) THEN %1$s ELSE ''(other)'' END', mlobs._monitor_segment_raw_sql(m.config),
                array_agg(s.segment ORDER BY s.rank))
    FROM mlobs.monitor_segments s WHERE s.monitor_id = m.id AND s.segment <> '(other)'
  HAVING count(*) > 0 AND mlobs._monitor_segment_raw_sql(m.config) IS NOT NULL
$$;

-- A monitor reads its source as its owner, so who may name an owner is a privilege question: a
-- role may create, edit, hand over or delete a monitor only as a role it is a member of (else an
-- admin could point a monitor owned by a superuser at any table and read its summaries, or drop
-- another team's monitors with their windows and alerts). The runtime's own updates run as the
-- owner (or a superuser) and pass. The retraining loop trains as a policy's owner:
-- mlobs.retraining_policies has the same trigger (src/sql/training.sql).
-- A monitor's row also steers the change triggers of its source, which run as the extension's
-- owner on the application's writes: a run_zone no zone database knows, or a watermark or
-- horizon no timestamp arithmetic takes, would fail (or, an infinite watermark, record) every
-- write to that table, whoever owns the monitor. Those are refused here, as create_monitor
-- would never write them.
CREATE FUNCTION mlobs._check_monitor_owner() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r record := CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
  what text := CASE TG_TABLE_NAME WHEN 'monitors' THEN 'monitor ' || (to_jsonb(r)->>'name')
                                  ELSE 'retraining policy ' || (to_jsonb(r)->>'model') END;
BEGIN
  IF (TG_OP <> 'DELETE' AND (NOT EXISTS (SELECT 1 FROM pg_roles WHERE oid = NEW.owner)
                             OR NOT pg_has_role(current_user, NEW.owner, 'MEMBER')))
     OR (TG_OP <> 'INSERT' AND EXISTS (SELECT 1 FROM pg_roles WHERE oid = OLD.owner)
         AND NOT pg_has_role(current_user, OLD.owner, 'MEMBER')) THEN
    RAISE EXCEPTION 'permission denied: role % may not % % owned by %', current_user,
      CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'DELETE' THEN 'delete' ELSE 'change' END, what,
      CASE WHEN TG_OP = 'UPDATE' AND NEW.owner <> OLD.owner THEN format('%s (to %s)', OLD.owner, NEW.owner) ELSE r.owner::text END
      USING ERRCODE = '42501', HINT = CASE TG_TABLE_NAME WHEN 'monitors' THEN 'A monitor reads its source as its owner'
                                           ELSE 'The retraining loop reads a policy''s source as its owner' END
                                      || ': only members of that role may create, change or delete it.';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  IF TG_TABLE_NAME = 'monitors' THEN
    IF NEW.run_zone IS NOT NULL THEN
      PERFORM pg_catalog.timezone(NEW.run_zone, pg_catalog.now());
    END IF;
    IF NEW.watermark IS NOT NULL THEN
      IF NOT isfinite(NEW.watermark) THEN
        RAISE EXCEPTION 'a watermark must be finite, got %', NEW.watermark USING ERRCODE = '22008';
      END IF;
      PERFORM NEW.watermark - greatest(NEW.label_horizon, NEW.late_data_horizon);
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER check_owner BEFORE INSERT OR UPDATE OR DELETE ON mlobs.monitors
  FOR EACH ROW EXECUTE FUNCTION mlobs._check_monitor_owner();

-- A disabled monitor misses the changes recorded while it is off (runs move them to the queues
-- of the enabled monitors of its table), so enabling it again queues each of its computed
-- windows as changed: its next run revises those within its horizons. Only where the table's
-- changes are tracked (otherwise label monitors revise every window within label_horizon anyway).
CREATE FUNCTION mlobs._monitor_enabled_again() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF mlobs._changes_tracked(NEW.source, NEW.ts_column) THEN
    -- Only windows a run may still revise (within the horizons of the watermark).
    INSERT INTO mlobs.monitor_changes (monitor_id, minute)
    SELECT NEW.id, w.window_start FROM mlobs.monitor_windows w
     WHERE w.monitor_id = NEW.id AND w.segment = ''
       AND w.window_end > NEW.watermark - greatest(NEW.label_horizon, NEW.late_data_horizon);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER enabled_again AFTER UPDATE OF enabled ON mlobs.monitors
  FOR EACH ROW WHEN (NEW.enabled AND NOT OLD.enabled) EXECUTE FUNCTION mlobs._monitor_enabled_again();
-- A disabled monitor is judged by no run: its open alerts resolve now (monitor_disabled, at its
-- watermark), whichever run or job comes next (a per-owner job never evaluates it; its alerts
-- stayed firing and paged for good, reviews of 2026-12-08). Evaluation sweeps them too.
CREATE FUNCTION mlobs._monitor_disabled() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  a bigint;
BEGIN
  FOR a IN
    UPDATE mlobs.alerts al SET state = 'resolved', resolved_at = greatest(al.started_at, coalesce(NEW.watermark, al.started_at)),
           resolved_reason = 'monitor_disabled', updated_at = now()
     WHERE al.monitor_id = NEW.id AND al.state <> 'resolved'
    RETURNING al.id
  LOOP
    PERFORM pg_notify('mlobs_alerts', a::text);
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER disabled AFTER UPDATE OF enabled ON mlobs.monitors
  FOR EACH ROW WHEN (OLD.enabled AND NOT NEW.enabled) EXECUTE FUNCTION mlobs._monitor_disabled();
-- A monitor whose segment_by, segments or max_segments changed learns its segments again at its
-- next run (it kept those of the old segment_by, and every row went to '(other)'). The windows
-- computed before keep theirs.
CREATE FUNCTION mlobs._monitor_segments_changed() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DELETE FROM mlobs.monitor_segments s WHERE s.monitor_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER segments_changed AFTER UPDATE OF config ON mlobs.monitors
  FOR EACH ROW WHEN (OLD.config->'segment_by' IS DISTINCT FROM NEW.config->'segment_by'
                     OR OLD.config->'segments' IS DISTINCT FROM NEW.config->'segments'
                     OR OLD.config->'max_segments' IS DISTINCT FROM NEW.config->'max_segments')
  EXECUTE FUNCTION mlobs._monitor_segments_changed();

-- Raises, with its SQLSTATE, why the current role may not read what a monitor reads. Checked when
-- a monitor is created and, as its owner, before every run of it.
CREATE FUNCTION mlobs._monitor_check_access(name text, source regclass, kind text, config jsonb, ts_column text)
RETURNS void LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = source) THEN
    RAISE EXCEPTION 'monitor %: its source (relation oid %) no longer exists; drop the monitor (mlobs.drop_monitor) or disable it',
      name, source::oid USING ERRCODE = '42P01';
  END IF;
  FOR c IN SELECT * FROM mlobs._monitor_columns(kind, config, ts_column) LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = source AND a.attnum > 0 AND NOT a.attisdropped
                      AND a.attname = c.column_name) THEN
      RAISE EXCEPTION 'monitor %: column "%" (config.%) does not exist in %', name, c.column_name, c.key, source
        USING ERRCODE = '42703';
    END IF;
    IF NOT has_column_privilege(source, c.column_name, 'SELECT') THEN
      RAISE EXCEPTION 'monitor %: permission denied: role % may not SELECT column "%" of %', name, current_user,
        c.column_name, source USING ERRCODE = '42501';
    END IF;
  END LOOP;
END $$;

-- mlobs.create_monitor: validates everything a run will need — the kind, config keys, column
-- names, types (by planning the monitor's query over no rows), drift methods and options (by
-- calling the functions themselves), the window, and that the creator may SELECT every column
-- it reads. The creator becomes the monitor's owner: runs read the source as that role.
CREATE FUNCTION mlobs.create_monitor(
  name text, model text, source regclass, kind text, config jsonb DEFAULT '{}',
  window_size interval DEFAULT '1 hour', reference_from timestamptz DEFAULT NULL,
  reference_to timestamptz DEFAULT NULL, ts_column text DEFAULT 'ts', start_at timestamptz DEFAULT NULL,
  label_horizon interval DEFAULT '7 days', late_data_horizon interval DEFAULT '1 day')
RETURNS bigint LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  m mlobs.monitors;
  d record;
  kinds text[] := ARRAY(SELECT x.kind FROM mlobs._monitor_kinds() x);
  allowed text[];
  k text;
  msg text;
  id bigint;
  label_type oid;
BEGIN
  IF source IS NULL THEN
    RAISE EXCEPTION 'source must not be NULL' USING ERRCODE = '22004';
  END IF;
  IF name IS NULL OR model IS NULL OR kind IS NULL OR config IS NULL OR window_size IS NULL OR ts_column IS NULL THEN
    RAISE EXCEPTION 'name, model, kind, config, window_size and ts_column must not be NULL' USING ERRCODE = '22004';
  END IF;
  SELECT * INTO d FROM mlobs._monitor_kinds() x WHERE x.kind = create_monitor.kind;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'kind must be % or %, got %', array_to_string(kinds[:cardinality(kinds) - 1], ', '),
      kinds[cardinality(kinds)], kind USING ERRCODE = '22023';
  END IF;
  IF jsonb_typeof(config) <> 'object' THEN
    RAISE EXCEPTION 'monitor %: config must be a JSON object, got %', name, config USING ERRCODE = '22023';
  END IF;
  allowed := d.columns || d.optional_columns || d.options || '{segment_by,max_segments,segments}'::text[];
  -- Segments (every kind): segment_by = 1 to 3 columns or 'column->key' entries.
  IF config ? 'segment_by' AND (jsonb_typeof(config->'segment_by') <> 'array' OR jsonb_array_length(config->'segment_by') NOT BETWEEN 1 AND 3
     OR EXISTS (SELECT 1 FROM jsonb_array_elements(config->'segment_by') e
                 WHERE jsonb_typeof(e) <> 'string' OR e #>> '{}' IN ('', '->') OR (e #>> '{}') LIKE '%->' OR (e #>> '{}') LIKE '->%')) THEN
    RAISE EXCEPTION 'monitor %: config.segment_by must be an array of 1 to 3 column names or ''column->key'' entries, got %', name,
      config->'segment_by' USING ERRCODE = '22023';
  END IF;
  IF config ? 'max_segments' AND (jsonb_typeof(config->'max_segments') <> 'number'
     OR (config->>'max_segments')::numeric NOT BETWEEN 1 AND 1000 OR (config->>'max_segments')::numeric % 1 <> 0) THEN
    RAISE EXCEPTION 'monitor %: config.max_segments must be a whole number from 1 to 1000, got %', name, config->'max_segments'
      USING ERRCODE = '22023';
  END IF;
  IF config ? 'segments' AND (jsonb_typeof(config->'segments') <> 'array' OR jsonb_array_length(config->'segments') NOT BETWEEN 1 AND 1000
     OR EXISTS (SELECT 1 FROM jsonb_array_elements(config->'segments') e WHERE jsonb_typeof(e) <> 'string' OR e #>> '{}' IN ('', '(other)'))) THEN
    RAISE EXCEPTION 'monitor %: config.segments must be an array of 1 to 1000 segment values (not '''' or ''(other)''), got %', name,
      config->'segments' USING ERRCODE = '22023';
  END IF;
  -- A multivariate model is fitted on the whole reference; per-segment models are not built.
  IF config ? 'segment_by' AND kind = 'multivariate_drift' THEN
    RAISE EXCEPTION 'monitor %: config.segment_by is not supported for multivariate_drift monitors', name
      USING ERRCODE = '22023', HINT = 'Create one multivariate_drift monitor per segment over a view of its rows.';
  END IF;
  IF (config ? 'max_segments' OR config ? 'segments') AND NOT config ? 'segment_by' THEN
    RAISE EXCEPTION 'monitor %: config.max_segments and config.segments need config.segment_by', name USING ERRCODE = '22023';
  END IF;
  FOR k IN SELECT jsonb_object_keys(config) LOOP
    IF NOT k = ANY (allowed) THEN
      RAISE EXCEPTION 'monitor %: unknown config key "%" for kind %; known keys: %', name, k, kind, array_to_string(allowed, ', ')
        USING ERRCODE = '22023';
    END IF;
    IF k NOT IN ('options', 'segment_by', 'max_segments', 'segments') AND jsonb_typeof(config->k) <> 'string'
       AND NOT (k = 'threshold' AND jsonb_typeof(config->k) = 'number')
       AND NOT (kind = 'multivariate_drift' AND k IN ('keys', 'variance', 'sample')) THEN
      RAISE EXCEPTION 'monitor %: config.% must be a string, got %', name, k, config->k USING ERRCODE = '22023';
    END IF;
  END LOOP;
  IF extract(month FROM window_size) <> 0 OR extract(year FROM window_size) <> 0 OR window_size < interval '1 minute' THEN
    RAISE EXCEPTION 'monitor %: window_size must be at least 1 minute and use days, hours or minutes (months and years vary in length), got %',
      name, window_size USING ERRCODE = '22023';
  END IF;
  -- Whole minutes: changes are tracked per minute (mlobs.source_changes).
  IF extract(epoch FROM window_size)::numeric % 60 <> 0 THEN
    RAISE EXCEPTION 'monitor %: window_size must be a whole number of minutes, got %', name, window_size USING ERRCODE = '22023';
  END IF;
  IF label_horizon IS NULL OR late_data_horizon IS NULL OR label_horizon < interval '0' OR late_data_horizon < interval '0'
     OR NOT isfinite(label_horizon) OR NOT isfinite(late_data_horizon) THEN
    RAISE EXCEPTION 'monitor %: label_horizon and late_data_horizon must be finite and not negative, got % and %', name,
      label_horizon, late_data_horizon USING ERRCODE = '22023';
  END IF;
  IF NOT isfinite(reference_from) OR NOT isfinite(reference_to) OR NOT isfinite(start_at) THEN
    RAISE EXCEPTION 'monitor %: reference_from, reference_to and start_at must be finite', name USING ERRCODE = '22023';
  END IF;
  IF d.needs_reference AND (reference_from IS NULL OR reference_to IS NULL OR reference_to <= reference_from) THEN
    RAISE EXCEPTION 'monitor % (%): reference_from < reference_to is required', name, kind USING ERRCODE = '22023';
  END IF;
  IF kind = 'multivariate_drift' THEN
    PERFORM mlobs._mv_check_config(name, config, reference_from, reference_to, window_size);
  END IF;
  PERFORM mlobs._monitor_check_access(name, source, kind, config, ts_column);
  m.name := name; m.kind := kind; m.config := config; m.source := source; m.ts_column := ts_column;
  -- Types: plan the window query over no rows (a float8 column as features, a text ts, ...).
  BEGIN
    EXECUTE format('SELECT count(*), %s FROM %s WHERE %I >= $1 AND %I < $2 AND false GROUP BY %s',
                   mlobs._monitor_summary_sql(m), source, ts_column, ts_column,
                   coalesce(mlobs._monitor_segment_raw_sql(config), '()'))
      USING now(), now();
  EXCEPTION WHEN undefined_function OR datatype_mismatch OR invalid_text_representation OR cannot_coerce THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
    RAISE EXCEPTION 'monitor %: the % columns of % have the wrong type for a % monitor (%)', name,
      (SELECT string_agg(format('%s %s', c.column_name, format_type(a.atttypid, a.atttypmod)), ', ')
         FROM mlobs._monitor_columns(kind, config, ts_column) c
         JOIN pg_attribute a ON a.attrelid = source AND a.attname = c.column_name),
      source, kind, msg USING ERRCODE = '42804';
  END;
  -- Methods and options, with the functions' own messages.
  IF kind = 'feature_drift' THEN
    PERFORM mlobs.drift_report(f, f, coalesce(config->>'method', 'psi'), coalesce(config->>'categorical_method', 'psi'))
      FROM (SELECT mlobs.features_agg(x) f FROM (VALUES ('{"a": 1, "b": "x"}'::jsonb), ('{"a": 2, "b": "y"}')) v(x)) s;
  ELSIF kind = 'quality' THEN
    PERFORM mlobs.quality_report(f, f, coalesce(config->'options', '{}'))
      FROM (SELECT mlobs.features_agg(x) f FROM (VALUES ('{"a": 1, "b": "x"}'::jsonb), ('{"a": 2, "b": "y"}')) v(x)) s;
  ELSIF kind = 'classification' THEN
    PERFORM mlobs.f1(mlobs.confusion_agg(x, x), coalesce(config->>'average', 'binary')) FROM (VALUES (0), (1)) v(x);
    -- The binary F1 needs 0/1 or bool labels (its positive class is 1 or true): text labels would
    -- pass this check and fail every run ("pos_label is required for text labels").
    label_type := mlobs._column_type(source, coalesce(config->>'label', 'label'));
    IF coalesce(config->>'average', 'binary') = 'binary'
       AND label_type NOT IN ('pg_catalog.bool'::regtype, 'pg_catalog.int2'::regtype, 'pg_catalog.int4'::regtype, 'pg_catalog.int8'::regtype) THEN
      RAISE EXCEPTION 'monitor %: the binary F1 (config.average, default binary) needs bool or 0/1 integer labels; % labels need "average": "macro", "micro" or "weighted"',
        name, format_type(label_type, NULL) USING ERRCODE = '22023';
    END IF;
  ELSIF kind = 'cbpe' THEN
    IF config ? 'threshold' AND NOT ((config->>'threshold')::float8 BETWEEN 0 AND 1) THEN
      RAISE EXCEPTION 'monitor %: config.threshold must be in [0, 1], got %', name, config->>'threshold' USING ERRCODE = '22023';
    END IF;
    -- The windows read only the score: the label is read by the reference's calibration map,
    -- planned here so that a text label is refused now, not by every run (review of 2026-12-07).
    BEGIN
      EXECUTE format('SELECT mlobs.calibration_agg(%s, %s) FROM %s WHERE false', mlobs._monitor_probability(m),
                     mlobs._monitor_column(m, 'label'), source);
    EXCEPTION WHEN undefined_function OR datatype_mismatch OR invalid_text_representation OR cannot_coerce THEN
      RAISE EXCEPTION 'monitor %: CBPE calibrates its reference on bool or 0/1 integer labels; column % of % is %', name,
        coalesce(config->>'label', 'label'), source,
        (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
          WHERE a.attrelid = source AND a.attname = coalesce(config->>'label', 'label') AND a.attnum > 0 AND NOT a.attisdropped)
        USING ERRCODE = '42804';
    END;
  END IF;
  INSERT INTO mlobs.monitors (name, model, source, ts_column, kind, config, window_size,
                              reference_from, reference_to, start_at, owner, label_horizon, late_data_horizon)
  VALUES (create_monitor.name, create_monitor.model, source, ts_column, kind, config, window_size,
          reference_from, reference_to, start_at, (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user)::regrole,
          label_horizon, late_data_horizon)
  RETURNING monitors.id INTO id;
  -- Late labels and late rows: track the table's changes when the creator may add triggers.
  IF NOT mlobs._changes_tracked(source, ts_column) THEN
    IF (SELECT relkind FROM pg_class WHERE oid = source) IN ('r', 'p') AND has_table_privilege(source, 'TRIGGER') THEN
      PERFORM mlobs.track_changes(source, ts_column);
    ELSE
      RAISE NOTICE 'monitor %: changes of % are not tracked (a view, or no TRIGGER privilege): label monitors recompute every window within label_horizon on every run, and rows committed after their window was computed are not counted', name, source
        USING HINT = 'Run mlobs.track_changes on the underlying table as a role with the TRIGGER privilege.';
    END IF;
  END IF;
  RETURN id;
END $$;

-- Monitor management for mlobs_admin: remove a monitor with its windows, points and alerts, or
-- pause / resume it (a disabled monitor is skipped by runs; its watermark waits).
CREATE FUNCTION mlobs.drop_monitor(name text) RETURNS bool
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF name IS NULL THEN RAISE EXCEPTION 'name must not be NULL' USING ERRCODE = '22004'; END IF;
  DELETE FROM mlobs.monitors m WHERE m.name = drop_monitor.name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'monitor "%" does not exist', name USING ERRCODE = '42704';
  END IF;
  RETURN true;
END $$;

CREATE FUNCTION mlobs.set_monitor_enabled(name text, enabled bool) RETURNS bool
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF name IS NULL OR enabled IS NULL THEN
    RAISE EXCEPTION 'name and enabled must not be NULL' USING ERRCODE = '22004';
  END IF;
  UPDATE mlobs.monitors m SET enabled = set_monitor_enabled.enabled WHERE m.name = set_monitor_enabled.name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'monitor "%" does not exist', name USING ERRCODE = '42704';
  END IF;
  RETURN enabled;
END $$;

-- Evaluates every enabled rule — on the monitors of one monitor id, or of all — and moves the
-- alert state machine; returns the number of transitions (each one NOTIFYs mlobs_alerts with the
-- alert id). Which window a rule judges:
--  * a metric computed from features, scores or latency: the monitor's latest window, when it
--    has at least the rule's `min_rows` rows (a window of 1 row gives any drift statistic). When
--    that window is empty, too small or lacks the metric, the series has no data and its open
--    alert resolves with reason 'no_data' at that window's end;
--  * a performance metric (labels): the latest window with at least `min_rows` labelled rows and
--    `min_coverage` labelled share — labels land days later, so that is usually not the latest
--    window, and a window that becomes judgeable when its labels land moves the state machine
--    then, attributed to its own window. A drop_vs_reference rule also needs `min_rows`
--    labelled rows in the reference. Missing labels are not "no data".
-- `for_duration`, started_at, fired_at and resolved_at count window time (window ends), so a
-- catch-up over many windows (evaluated window by window) gives the same alerts as a run per
-- window.
-- `steps`: the windows to judge, in order, as window starts. Step i judges, for each rule, the
-- latest window from steps[i] up to steps[i + 1] (the last step: from there on), so one call over
-- the windows a run has just stored in a row gives the alert history that judging after each
-- window gives; the state machine moves through the steps in order, and open alerts without data
-- resolve at each step's window. A run judges each batch of windows it stores (a chunk of new
-- windows, or one window), so the cost per window does not grow with the monitor's history.
-- Windows before them were judged when they were stored; rules added or changed since are applied
-- by the run's final evaluation (one step from -infinity: every window).
CREATE FUNCTION mlobs._evaluate_alert_steps(monitor bigint, steps timestamptz[]) RETURNS int
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp
-- Generic plans: planning the judged-window query took 2-6 ms, 4-10 times its execution, on every
-- call (custom plans). So every condition on windows is written as an index condition whatever
-- the arguments (a step's window range, each monitor's latest window by LATERAL): a generic plan
-- cannot use `since IS NULL OR window_start >= since` as one, and then walked a monitor's whole
-- history (the fleet benchmark found it). And no sequential scans: the generic plan is made once
-- per session, from the statistics of that moment; a first catch-up on a fresh install (its
-- tables vacuumed empty) got one that scanned every point for every judged window, and kept it
-- while the run added thousands (5.4 s instead of 2.5 s for runtime_scan.sh's week). Every
-- probe here has an index: the primary key's (monitor, window, ...). Each lookup of points
-- compares `metric || ''`, so that no statistics can make metric_points_series (metric first:
-- every point of the metric) look as good as the key. JIT off: a disabled sequential scan (of the
-- small rule and monitor tables) prices a plan above jit_above_cost, and compiling it took 2 s a
-- call where running it takes 2 ms.
SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET jit = off AS $$
DECLARE
  r record;
  a mlobs.alerts;
  transitions int := 0;
  -- The open alerts' keys: a candidate that is not breached moves nothing unless its key is open,
  -- so most candidates need no lookup. A key is format('%s,%s,%L,%L', rule, monitor, feature,
  -- segment), the query's series_key.
  open_keys text[];
  key text;
  have bool;
  step int;
  cands CURSOR FOR
    -- Materialised: the rules' judged windows first (a few rows), then their points by key; a
    -- plan that starts from the points (misled by the statistics of a table growing inside the
    -- run) would read every point of the monitor per window.
    WITH st AS (SELECT u.s AS lo, coalesce(steps[u.i + 1], 'infinity') AS hi, u.i AS step
                  FROM unnest(steps) WITH ORDINALITY u(s, i)),
    -- The enabled rules of the monitors, once (not once per step).
    rules AS MATERIALIZED (
      SELECT ru.id AS rule_id, ru.name AS rule_name, ru.severity, ru.for_duration, ru.request_retraining, ru.mode,
             ru.threshold, ru.min_rows, ru.min_coverage, ru.comparison, ru.metric, ru.feature AS feature_filter,
             ru.segment AS segment_filter, mo.id AS monitor_id, mo.model, mo.reference_metrics,
             mlobs._label_metric(ru.metric) AS needs_labels
        FROM mlobs.alert_rules ru
        -- Enabled monitors only: a disabled one's alerts were resolved above (monitor_disabled).
        JOIN mlobs.monitors mo ON (ru.model IS NULL OR ru.model = mo.model) AND mo.enabled
                              AND (_evaluate_alert_steps.monitor IS NULL OR mo.id = _evaluate_alert_steps.monitor)
        -- A label metric only on kinds with labels (else the search for a window with enough
        -- labels walks the monitor's whole history, on every call).
        JOIN mlobs._monitor_kinds() d ON d.kind = mo.kind AND (d.labelled OR NOT mlobs._label_metric(ru.metric))
       WHERE ru.enabled),
    judged AS MATERIALIZED (
      SELECT st.step, rl.*, j.*
        FROM rules rl
        CROSS JOIN st
        CROSS JOIN LATERAL (
          SELECT w.window_start, w.window_end, w.rows
            FROM mlobs.monitor_windows w
           WHERE w.monitor_id = rl.monitor_id AND w.segment = '' AND w.window_start >= st.lo AND w.window_start < st.hi
             AND (NOT rl.needs_labels
                  OR ((SELECT lr.value FROM mlobs.metric_points lr
                        WHERE lr.monitor_id = w.monitor_id AND lr.window_start = w.window_start AND lr.segment = ''
                          AND lr.feature = '' AND lr.metric || '' = 'labelled_rows') >= rl.min_rows
                      AND coalesce((SELECT ls.value FROM mlobs.metric_points ls
                                     WHERE ls.monitor_id = w.monitor_id AND ls.window_start = w.window_start
                                       AND ls.segment = '' AND ls.feature = '' AND ls.metric || '' = 'labelled_share'), 0)
                          >= rl.min_coverage))
           ORDER BY w.window_start DESC LIMIT 1) j),
    -- The judged window's points of each rule's metric, whole window and segments (a segment is
    -- judged on its own rows, labelled rows and reference).
    points AS (
      SELECT j.*, p.feature, p.segment, p.value,
             -- Scalar subqueries, not joins: each is one probe by key (a join was planned as a
             -- scan of every window of the segment).
             CASE WHEN p.segment = '' THEN j.reference_metrics
                  ELSE (SELECT sg.reference_metrics FROM mlobs.monitor_segments sg
                         WHERE sg.monitor_id = j.monitor_id AND sg.segment = p.segment) END AS reference_of,
             CASE WHEN p.segment = '' THEN j.rows
                  ELSE (SELECT sw.rows FROM mlobs.monitor_windows sw WHERE sw.monitor_id = j.monitor_id
                           AND sw.window_start = j.window_start AND sw.segment = p.segment) END AS segment_rows,
             -- The labels of the point's own series (the whole window's for segment '').
             CASE WHEN j.needs_labels THEN
               (SELECT x.value FROM mlobs.metric_points x WHERE x.monitor_id = j.monitor_id AND x.window_start = j.window_start
                   AND x.segment = p.segment AND x.feature = '' AND x.metric || '' = 'labelled_rows') END AS labelled,
             CASE WHEN j.needs_labels THEN
               (SELECT x.value FROM mlobs.metric_points x WHERE x.monitor_id = j.monitor_id AND x.window_start = j.window_start
                   AND x.segment = p.segment AND x.feature = '' AND x.metric || '' = 'labelled_share') END AS share
        FROM judged j
        -- By key for each judged window (OFFSET 0 keeps it a parameterised scan: with many judged
        -- windows a generic plan hashed them against every point of the table).
        CROSS JOIN LATERAL (
          SELECT p.feature, p.segment, p.value FROM mlobs.metric_points p
           WHERE p.monitor_id = j.monitor_id AND p.window_start = j.window_start AND p.metric || '' = j.metric
             AND (j.feature_filter IS NULL OR j.feature_filter = p.feature)
             AND (j.segment_filter IS NULL OR j.segment_filter = p.segment)
          OFFSET 0) p),
    candidates AS (
      SELECT j.*, j.window_end AS ts, (j.reference_of->>j.metric)::float8 AS reference,
             CASE WHEN j.needs_labels THEN j.labelled ELSE j.segment_rows END AS judged_rows,
             CASE WHEN j.needs_labels THEN j.share END AS judged_share,
             CASE j.mode WHEN 'value' THEN j.value
                  ELSE ((j.reference_of->>j.metric)::float8 - j.value)
                       / nullif(abs((j.reference_of->>j.metric)::float8), 0) END AS observed
        FROM points j
       WHERE (j.needs_labels OR j.segment_rows >= j.min_rows)
         -- A segment is judged on labels only when it has enough of its own (the whole window's
         -- were checked when its judged window was chosen).
         AND (NOT j.needs_labels OR j.segment = ''
              OR (j.labelled >= j.min_rows AND coalesce(j.share, 0) >= j.min_coverage))
         AND (j.mode = 'value' OR NOT j.needs_labels
              OR coalesce((j.reference_of->>'labelled_rows')::float8, 0) >= j.min_rows)),
    judged_candidates AS (
      SELECT c.*, CASE c.comparison WHEN '>' THEN c.observed > c.threshold WHEN '>=' THEN c.observed >= c.threshold
                                    WHEN '<' THEN c.observed < c.threshold ELSE c.observed <= c.threshold END AS breached
        FROM candidates c),
    -- Whether the series breached at an earlier step of this call (its alert may be open then).
    flagged AS (
      SELECT j.*, format('%s,%s,%L,%L', j.rule_id, j.monitor_id, j.feature, j.segment) AS series_key,
             coalesce(bool_or(coalesce(j.breached, false))
                             OVER (PARTITION BY j.rule_id, j.monitor_id, j.feature, j.segment ORDER BY j.step
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS breached_before
        FROM judged_candidates j)
    -- Only candidates that can move an alert: breached ones, and those of a series whose alert is
    -- open (from before the call, or from a breach at an earlier step). In a quiet catch-up that
    -- is next to nothing, where every candidate used to be one loop iteration.
    SELECT f.* FROM flagged f
     WHERE coalesce(f.breached, false) OR f.breached_before
        OR (cardinality(open_keys) > 0 AND f.series_key = ANY (open_keys))
     ORDER BY f.step, f.rule_id, f.monitor_id, f.feature, f.segment;
BEGIN
  -- A hot standby (run_monitors checked before calling this: only evaluate_alerts gets here there).
  PERFORM mlobs._require_primary('mlobs.evaluate_alerts');
  -- Alerts of rules since disabled, or edited so that they no longer cover the alert (its metric,
  -- model, feature or segment filter changed: the alert stayed firing with its old value, no
  -- window judging it again), resolve at their monitor's watermark (window time, like every
  -- other transition), as rule_disabled; first, so that a rule's new metric opens an alert of
  -- its own instead of moving the old one (found by the lookup by rule, feature and segment).
  -- So do the alerts of a disabled monitor (monitor_disabled): no run judges it, and its alerts
  -- stayed firing, paged for good (review of 2026-12-08).
  FOR a IN
    UPDATE mlobs.alerts al SET state = 'resolved', resolved_at = greatest(al.started_at, coalesce(mo.watermark, al.started_at)),
           resolved_reason = CASE WHEN mo.enabled THEN 'rule_disabled' ELSE 'monitor_disabled' END, updated_at = now()
      FROM mlobs.alert_rules ru, mlobs.monitors mo
     WHERE ru.id = al.rule_id AND mo.id = al.monitor_id AND al.state <> 'resolved'
       AND (NOT mo.enabled OR NOT ru.enabled OR ru.metric <> al.metric OR ru.model <> mo.model OR ru.feature <> al.feature
            OR ru.segment <> al.segment)
       AND (_evaluate_alert_steps.monitor IS NULL OR al.monitor_id = _evaluate_alert_steps.monitor)
    RETURNING al.*
  LOOP
    PERFORM pg_notify('mlobs_alerts', a.id::text);
    transitions := transitions + 1;
  END LOOP;
  SELECT coalesce(array_agg(format('%s,%s,%L,%L', al.rule_id, al.monitor_id, al.feature, al.segment)), '{}') INTO open_keys
    FROM mlobs.alerts al
   WHERE al.state <> 'resolved' AND (_evaluate_alert_steps.monitor IS NULL OR al.monitor_id = _evaluate_alert_steps.monitor);
  OPEN cands;
  FETCH cands INTO r;
  have := FOUND;
  FOR step IN 1 .. coalesce(cardinality(steps), 0) LOOP
    WHILE have AND r.step = step LOOP
      <<judge>>
      BEGIN
        key := r.series_key;
        EXIT judge WHEN NOT coalesce(r.breached, false) AND key <> ALL (open_keys);
        SELECT * INTO a FROM mlobs.alerts
         WHERE rule_id = r.rule_id AND monitor_id = r.monitor_id AND feature = r.feature AND segment = r.segment
           AND state <> 'resolved'
         FOR UPDATE;
        -- A rule whose metric was edited after the sweep above and before these candidates were
        -- read: its open alert of the old metric is not moved to the new one (review of
        -- 2026-12-07); it resolves here as it would have there.
        IF a.id IS NOT NULL AND a.metric IS DISTINCT FROM r.metric THEN
          UPDATE mlobs.alerts SET state = 'resolved', resolved_at = greatest(a.started_at, r.ts), resolved_reason = 'rule_disabled',
                 updated_at = now()
           WHERE id = a.id;
          PERFORM pg_notify('mlobs_alerts', a.id::text);
          transitions := transitions + 1;
          open_keys := array_remove(open_keys, key);
          a := NULL;
          EXIT judge WHEN NOT coalesce(r.breached, false);
        END IF;
        -- An open alert is moved only by a window at or after the one it last judged.
        EXIT judge WHEN a.id IS NOT NULL AND r.ts < a.started_at;
        IF coalesce(r.breached, false) THEN
          IF a.id IS NULL THEN
            INSERT INTO mlobs.alerts (rule_id, monitor_id, model, feature, metric, severity, state, value, threshold,
                                      started_at, fired_at, window_start, worst_value, judged_rows, judged_share, segment)
            VALUES (r.rule_id, r.monitor_id, r.model, r.feature, r.metric, r.severity,
                    CASE WHEN r.for_duration <= interval '0' THEN 'firing' ELSE 'pending' END, r.observed, r.threshold,
                    r.ts, CASE WHEN r.for_duration <= interval '0' THEN r.ts END, r.window_start, r.observed, r.judged_rows,
                    r.judged_share, r.segment)
            RETURNING * INTO a;
            open_keys := open_keys || key;
            PERFORM pg_notify('mlobs_alerts', a.id::text);
            transitions := transitions + 1;
          ELSIF a.state = 'pending' AND r.ts - a.started_at >= r.for_duration THEN
            UPDATE mlobs.alerts SET state = 'firing', fired_at = r.ts, value = r.observed, judged_rows = r.judged_rows,
                   judged_share = r.judged_share, severity = r.severity, threshold = r.threshold,
                   worst_value = CASE WHEN r.comparison LIKE '<%' THEN least(worst_value, r.observed) ELSE greatest(worst_value, r.observed) END,
                   updated_at = now()
             WHERE id = a.id RETURNING * INTO a;
            PERFORM pg_notify('mlobs_alerts', a.id::text);
            transitions := transitions + 1;
          ELSE
            -- The rule's severity and threshold as they are now (an edited rule escalates its
            -- open alert: the relay is told, to route it anew).
            UPDATE mlobs.alerts SET value = r.observed, judged_rows = r.judged_rows, judged_share = r.judged_share,
                   worst_value = CASE WHEN r.comparison LIKE '<%' THEN least(worst_value, r.observed) ELSE greatest(worst_value, r.observed) END,
                   severity = r.severity, threshold = r.threshold, updated_at = now()
             WHERE id = a.id;
            IF a.severity IS DISTINCT FROM r.severity OR a.threshold IS DISTINCT FROM r.threshold THEN
              PERFORM pg_notify('mlobs_alerts', a.id::text);
            END IF;
            EXIT judge;
          END IF;
          -- One open request per model: a flapping alert does not queue retraining after retraining.
          IF a.state = 'firing' AND r.request_retraining
             AND NOT EXISTS (SELECT 1 FROM mlobs.retraining_requests q WHERE q.model = r.model AND q.status = 'open') THEN
            INSERT INTO mlobs.retraining_requests (model, alert_id, reason)
            VALUES (r.model, a.id, CASE r.mode
              WHEN 'value' THEN format('%s: %s = %s (%s %s), window starting %s', r.rule_name,
                                       concat_ws(' ', nullif(r.segment, ''), nullif(r.feature, ''), r.metric), round(r.observed::numeric, 4),
                                       r.comparison, r.threshold, to_char(r.window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'))
              ELSE format('%s: %s is %s %% below the reference (%s -> %s; threshold %s %%), window starting %s', r.rule_name,
                          concat_ws(' ', nullif(r.segment, ''), nullif(r.feature, ''), r.metric), round(100 * r.observed::numeric, 2),
                          round(r.reference::numeric, 4), round(r.value::numeric, 4), round(100 * r.threshold::numeric, 2),
                          to_char(r.window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')) END)
            -- Two runs at once (one job per owner) both passed the check above: the unique index
            -- keeps one (retraining_requests_one_open).
            ON CONFLICT (model) WHERE status = 'open' DO NOTHING;
            IF FOUND THEN
              PERFORM pg_notify('mlobs_retraining', r.model);
            END IF;
          END IF;
        ELSIF a.id IS NOT NULL AND r.breached IS NOT NULL THEN
          UPDATE mlobs.alerts SET state = 'resolved', resolved_at = r.ts, value = r.observed, judged_rows = r.judged_rows,
                 judged_share = r.judged_share, resolved_reason = 'recovered', updated_at = now()
           WHERE id = a.id;
          open_keys := array_remove(open_keys, key);
          PERFORM pg_notify('mlobs_alerts', a.id::text);
          transitions := transitions + 1;
        END IF;
      END;
      FETCH cands INTO r;
      have := FOUND;
    END LOOP;
    CONTINUE WHEN cardinality(open_keys) = 0;
    -- No data: open alerts on feature-side metrics whose monitor's latest window of this step
    -- gives their rule nothing to judge (empty or too small, or the metric is missing) resolve at
    -- that window's end.
    FOR a IN
      -- Per monitor, its latest window by key (a generic plan cannot use `monitor IS NULL OR
      -- monitor_id = monitor` as an index condition: over monitor_windows it read every window).
      WITH latest AS (
        SELECT lw.* FROM mlobs.monitors mo
         CROSS JOIN LATERAL (
           SELECT w.monitor_id, w.window_start, w.window_end FROM mlobs.monitor_windows w
            WHERE w.monitor_id = mo.id AND w.segment = '' AND w.window_start >= steps[step]
              AND w.window_start < coalesce(steps[step + 1], 'infinity')
            ORDER BY w.window_start DESC LIMIT 1) lw
         WHERE _evaluate_alert_steps.monitor IS NULL OR mo.id = _evaluate_alert_steps.monitor)
      UPDATE mlobs.alerts al SET state = 'resolved', resolved_at = l.window_end, resolved_reason = 'no_data', updated_at = now()
        FROM latest l, mlobs.alert_rules ru
       WHERE al.monitor_id = l.monitor_id AND ru.id = al.rule_id AND al.state <> 'resolved' AND ru.enabled
         -- <=: an alert that window itself fired (late rows, deleted again by a revision).
         AND NOT mlobs._label_metric(ru.metric) AND al.started_at <= l.window_end
         -- The alert's segment (or the whole window) in that window: its rows, and its point.
         AND (coalesce((SELECT w.rows FROM mlobs.monitor_windows w WHERE w.monitor_id = l.monitor_id
                           AND w.window_start = l.window_start AND w.segment = al.segment), 0) < ru.min_rows
              OR NOT EXISTS (
               SELECT 1 FROM mlobs.metric_points p WHERE p.monitor_id = l.monitor_id AND p.window_start = l.window_start
                  AND p.segment = al.segment AND p.metric || '' = ru.metric AND p.feature = al.feature AND p.value IS NOT NULL))
      RETURNING al.*
    LOOP
      open_keys := array_remove(open_keys, format('%s,%s,%L,%L', a.rule_id, a.monitor_id, a.feature, a.segment));
      PERFORM pg_notify('mlobs_alerts', a.id::text);
      transitions := transitions + 1;
    END LOOP;
  END LOOP;
  CLOSE cands;
  RETURN transitions;
END $$;

-- mlobs.create_alert_rule: a rule whose metric is one mlobs writes (a typo would never fire).
CREATE FUNCTION mlobs.create_alert_rule(name text, metric text, comparison text, threshold float8,
  mode text DEFAULT 'value', severity text DEFAULT 'warning', for_duration interval DEFAULT '0',
  model text DEFAULT NULL, feature text DEFAULT NULL, request_retraining bool DEFAULT false, min_rows int DEFAULT 30,
  min_coverage float8 DEFAULT 0, segment text DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  id bigint;
BEGIN
  IF name IS NULL OR metric IS NULL OR comparison IS NULL OR threshold IS NULL OR mode IS NULL OR severity IS NULL
     OR for_duration IS NULL OR request_retraining IS NULL OR min_rows IS NULL OR min_coverage IS NULL THEN
    RAISE EXCEPTION 'only model, feature and segment may be NULL' USING ERRCODE = '22004';
  END IF;
  IF NOT metric = ANY (mlobs.metric_names()) THEN
    RAISE EXCEPTION 'metric "%" is not one mlobs writes; known metrics: %', metric, array_to_string(mlobs.metric_names(), ', ')
      USING ERRCODE = '22023';
  END IF;
  IF threshold = 'NaN' OR threshold IN ('Infinity', '-Infinity') THEN
    RAISE EXCEPTION 'threshold must be finite, got %', threshold USING ERRCODE = '22023';
  END IF;
  IF min_rows < 1 THEN
    RAISE EXCEPTION 'min_rows must be at least 1, got %', min_rows USING ERRCODE = '22023';
  END IF;
  IF NOT (min_coverage BETWEEN 0 AND 1) THEN
    RAISE EXCEPTION 'min_coverage must be in [0, 1], got %', min_coverage USING ERRCODE = '22023';
  END IF;
  INSERT INTO mlobs.alert_rules (name, metric, comparison, threshold, mode, severity, for_duration, model, feature,
                                 request_retraining, min_rows, min_coverage, segment)
  VALUES (create_alert_rule.name, metric, comparison, threshold, mode, severity, for_duration, model, feature,
          request_retraining, min_rows, min_coverage, create_alert_rule.segment)
  RETURNING alert_rules.id INTO id;
  RETURN id;
END $$;

CREATE FUNCTION mlobs.evaluate_alerts(monitor bigint DEFAULT NULL) RETURNS int
LANGUAGE sql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp
AS $$ SELECT mlobs._evaluate_alert_steps(monitor, '{-infinity}') $$;

-- Every metric name the monitors write (metric_points.metric), for rules and dashboards.
CREATE FUNCTION mlobs.metric_names() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT ARRAY['rows', 'drifted_features', 'drift_share', 'mean',
               -- drift methods (feature_drift statistic per feature, prediction_drift psi/kl_div)
               'psi', 'kl_div', 'jensenshannon', 'wasserstein', 'wasserstein_raw', 'hellinger', 'ed', 'ks', 'mannw',
               'anderson', 'empirical_mmd', 'cramer_von_mises', 't_test', 'chisquare', 'z', 'g_test', 'TVD', 'fisher_exact',
               -- quality checks
               'missing_share', 'out_of_range_share', 'outlier_share', 'new_category_share', 'almost_constant',
               'distinct_count', 'type_mismatch_share', 'new_feature', 'non_finite_share',
               -- performance
               'accuracy', 'f1', 'labelled_rows', 'labelled_share', 'roc_auc', 'concept_drift_score', 'rmse', 'mae',
               'cbpe_accuracy', 'cbpe_f1', 'latency_p99_seconds', 'latency_p50_seconds', 'error_rate',
               -- multivariate drift
               'reconstruction_error', 'reconstruction_error_lower', 'reconstruction_error_upper',
               'domain_classifier_auc', 'multivariate_drift']
$$;

-- The latest point of every series (model, feature, segment) of one metric, with a value,
-- optionally of one monitor kind (among the series' 32 newest points and each such monitor's
-- latest window: a series several kinds write, a key named like another kind's, costs that much,
-- not its history): what the
-- Prometheus exporter and "latest" panels read. A loose index scan over metric_points_series (one
-- probe per series), so its cost does not grow with the history the way a DISTINCT ON over every
-- point of the metric does. Ties on ts go to the highest monitor id. segment '' is the whole window.
CREATE FUNCTION mlobs.latest_points(metric text, kind text DEFAULT NULL)
RETURNS TABLE (monitor_id bigint, window_start timestamptz, ts timestamptz, model text, feature text, value float8,
               segment text)
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  WITH RECURSIVE series AS (
    (SELECT p.model, p.feature, p.segment FROM mlobs.metric_points p WHERE p.metric = latest_points.metric
      ORDER BY p.model, p.feature, p.segment LIMIT 1)
    UNION ALL
    SELECT n.model, n.feature, n.segment FROM series s
     CROSS JOIN LATERAL (SELECT p.model, p.feature, p.segment FROM mlobs.metric_points p
                          WHERE p.metric = latest_points.metric AND (p.model, p.feature, p.segment) > (s.model, s.feature, s.segment)
                          ORDER BY p.model, p.feature, p.segment LIMIT 1) n)
  SELECT l.* FROM series s
   CROSS JOIN LATERAL (
     SELECT c.* FROM (
       SELECT p.monitor_id, p.window_start, p.ts, p.model, p.feature, p.value, p.segment
         FROM (SELECT p.* FROM mlobs.metric_points p
                WHERE p.metric = latest_points.metric AND p.model = s.model AND p.feature = s.feature AND p.segment = s.segment
                  AND p.value IS NOT NULL
                ORDER BY p.ts DESC, p.monitor_id DESC
                -- With a kind, among the series' 32 newest points: a series of another kind (a
                -- feature_drift psi asked for prediction_drift's) was walked to its first point,
                -- the exporter's scrape growing with the history (review of 2026-12-08) ...
                LIMIT CASE WHEN latest_points.kind IS NULL THEN 1 ELSE 32 END) p
        WHERE latest_points.kind IS NULL
           OR EXISTS (SELECT 1 FROM mlobs.monitors m WHERE m.id = p.monitor_id AND m.kind = latest_points.kind)
       UNION ALL
       -- ... and the point of each monitor of the kind (and the series' model) in its latest
       -- window, one probe each: a monitor of another kind writing the same series more often
       -- (a 30-minute feature_drift with a key named prediction beside a daily prediction_drift)
       -- filled the 32 newest points.
       SELECT p.monitor_id, p.window_start, p.ts, p.model, p.feature, p.value, p.segment
         FROM mlobs.monitors mk
        CROSS JOIN LATERAL (SELECT w.window_start FROM mlobs.monitor_windows w WHERE w.monitor_id = mk.id AND w.segment = ''
                             ORDER BY w.window_start DESC LIMIT 1) lw
         JOIN mlobs.metric_points p ON p.monitor_id = mk.id AND p.window_start = lw.window_start AND p.segment = s.segment
                                   AND p.feature = s.feature AND p.metric = latest_points.metric AND p.value IS NOT NULL
        WHERE latest_points.kind IS NOT NULL AND mk.kind = latest_points.kind AND mk.model = s.model) c
      ORDER BY c.ts DESC, c.monitor_id DESC LIMIT 1) l
$$;

-- Coverage (labelled_rows, labelled_share) beside every performance value.
CREATE OR REPLACE FUNCTION mlobs._monitor_metrics(m mlobs.monitors, summary text, rows bigint, window_start timestamptz,
                                       window_end timestamptz)
RETURNS TABLE (feature text, metric text, value float8)
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_method text := coalesce(m.config->>'method', 'psi');
  v_cat_method text := coalesce(m.config->>'categorical_method', 'psi');
  s jsonb;
  conf mlobs.confusion;
  score mlobs.score_summary;
  -- Summaries are parsed once per window (their text form is the costly part).
  ref_f mlobs.feature_profiles;
  cur_f mlobs.feature_profiles;
  concept jsonb;
  lat mlobs.profile;
  pred mlobs.profile;
  n_finite bigint;
  n_slowest bigint;
  n_fastest bigint;
BEGIN
  feature := ''; metric := 'rows'; value := rows; RETURN NEXT;
  IF summary IS NULL THEN RETURN; END IF;
  CASE m.kind
  WHEN 'feature_drift' THEN
    ref_f := m.reference_summary::mlobs.feature_profiles;
    cur_f := summary::mlobs.feature_profiles;
    RETURN QUERY SELECT d.feature, d.method, d.statistic
      FROM mlobs.drift_report(ref_f, cur_f, v_method, v_cat_method) d WHERE d.statistic IS NOT NULL;
    -- The dataset verdict with the monitor's methods when configured (Evidently's
    -- DatasetDriftMetric(num_stattest=...)), else Evidently's default, 'auto'.
    RETURN QUERY SELECT '', x.metric, x.value
      FROM mlobs.dataset_drift(ref_f, cur_f, coalesce(m.config->>'method', 'auto'), 0.5,
                               coalesce(m.config->>'categorical_method', 'auto')) d,
           LATERAL (VALUES ('drifted_features', d.drifted_features::float8), ('drift_share', d.share)) x(metric, value);
  WHEN 'quality' THEN
    RETURN QUERY SELECT q.feature, q.check_name, q.value
      FROM mlobs.quality_report(m.reference_summary::mlobs.feature_profiles, summary::mlobs.feature_profiles,
                                coalesce(m.config->'options', '{}')) q WHERE q.value IS NOT NULL;
  WHEN 'prediction_drift' THEN
    pred := summary::mlobs.profile;
    -- The drift statistics read finite scores only, so NULL, NaN and ±Infinity scores (a broken
    -- model or feature pipeline) get their own shares, as the quality monitor's: a window of NaN
    -- scores shows as missing_share 1 instead of as a window without points.
    IF rows > 0 THEN
      RETURN QUERY SELECT 'prediction', 'missing_share',
          (mlobs.null_count(pred) + mlobs.nan_count(pred) + mlobs.inf_count(pred))::float8 / rows
        UNION ALL SELECT 'prediction', 'non_finite_share', (mlobs.nan_count(pred) + mlobs.inf_count(pred))::float8 / rows;
    END IF;
    IF mlobs.row_count(pred) > 0 THEN
      RETURN QUERY SELECT 'prediction', 'psi', mlobs.psi(m.reference_summary::mlobs.profile, pred)
        UNION ALL SELECT 'prediction', 'kl_div', (mlobs.drift(m.reference_summary::mlobs.profile, pred, 'kl_div')).statistic
        UNION ALL SELECT 'prediction', 'mean', mlobs.mean(pred);
    END IF;
  WHEN 'classification' THEN
    s := summary::jsonb;
    conf := (s->>'confusion')::mlobs.confusion;
    score := (s->>'score')::mlobs.score_summary;
    -- Coverage beside every performance value: labels land later than predictions.
    -- (An empty window's confusion summary is NULL: 0 labelled rows.)
    RETURN QUERY SELECT '', 'labelled_rows', coalesce(mlobs.row_count(conf), 0)::float8
      UNION ALL SELECT '', 'labelled_share', coalesce(mlobs.row_count(conf), 0)::float8 / NULLIF(rows, 0) WHERE rows > 0
      -- Scores that are not probabilities (NaN, ±Infinity, outside [0, 1]) are left out of the
      -- score metrics and counted here (_monitor_probability).
      -- (NULLIF: the planner folds the division with this call's values, before the WHERE.)
      UNION ALL SELECT '', 'invalid_score_share', (s->>'invalid_scores')::float8 / NULLIF(rows, 0) WHERE rows > 0 AND s ? 'invalid_scores';
    IF mlobs.row_count(conf) > 0 THEN
      RETURN QUERY SELECT '', 'accuracy', mlobs.accuracy(conf)
        UNION ALL SELECT '', 'f1', mlobs.f1(conf, coalesce(m.config->>'average', 'binary'));
      IF score IS NOT NULL AND mlobs.row_count(score) > 0 THEN
        feature := ''; metric := 'roc_auc'; value := mlobs.roc_auc(score); RETURN NEXT;
        -- Concept drift of P(label | score) against the reference (mlobs.concept_drift: label
        -- rates per reference-quantile score bin): the reference side is kept in the reference
        -- summary (mlobs.concept_reference); the window side is computed by the window's scan
        -- (_monitor_summary_sql, only with a concept reference), or, for a summary without it,
        -- from the window's pairs read again (the reference is parsed only then: 58 kB of jsonb).
        IF window_start IS NOT NULL AND s ? 'concept_drift_score' THEN
          IF jsonb_typeof(s->'concept_drift_score') = 'number' THEN
            feature := 'score'; metric := 'concept_drift_score'; value := (s->>'concept_drift_score')::float8; RETURN NEXT;
          END IF;
        ELSIF window_start IS NOT NULL AND jsonb_typeof(m.reference_summary::jsonb->'concept') = 'object' THEN
          concept := m.reference_summary::jsonb->'concept';
          RETURN QUERY EXECUTE format(
            'SELECT ''score'', ''concept_drift_score'', (mlobs.concept_drift($1, c.x, c.y)).score
               FROM (SELECT array_agg(%1$s) x, array_agg(%2$s::float8) y FROM %3$s
                      WHERE %4$I >= $2 AND %4$I < $3 AND %2$s IS NOT NULL AND %1$s IS NOT NULL) c
              WHERE c.x IS NOT NULL',
            mlobs._monitor_probability(m), mlobs._monitor_column(m, 'label'), m.source, m.ts_column)
            USING concept, window_start, window_end;
        END IF;
      END IF;
    END IF;
  WHEN 'regression' THEN
    RETURN QUERY SELECT '', 'labelled_rows', mlobs.row_count(summary::mlobs.regression_summary)::float8
      UNION ALL SELECT '', 'labelled_share', mlobs.row_count(summary::mlobs.regression_summary)::float8 / NULLIF(rows, 0) WHERE rows > 0;
    IF mlobs.row_count(summary::mlobs.regression_summary) > 0 THEN
      RETURN QUERY SELECT '', 'rmse', mlobs.rmse(summary::mlobs.regression_summary)
        UNION ALL SELECT '', 'mae', mlobs.mae(summary::mlobs.regression_summary);
    END IF;
  WHEN 'cbpe' THEN
    -- Estimated performance from scores alone: the reference calibration map applied to the
    -- window's scores (re-read: CBPE needs every score of the window once).
    RETURN QUERY EXECUTE format(
      'SELECT '''', ''cbpe_accuracy'', mlobs.accuracy(c) FROM (SELECT mlobs.cbpe_agg(%1$s, $1::mlobs.calibration, %2$s) c
         FROM %3$s WHERE %4$I >= $2 AND %4$I < $3 AND %1$s IS NOT NULL) s WHERE mlobs.row_count(c) > 0
       UNION ALL
       SELECT '''', ''cbpe_f1'', mlobs.f1(c) FROM (SELECT mlobs.cbpe_agg(%1$s, $1::mlobs.calibration, %2$s) c
         FROM %3$s WHERE %4$I >= $2 AND %4$I < $3 AND %1$s IS NOT NULL) s WHERE mlobs.row_count(c) > 0',
      mlobs._monitor_probability(m), coalesce((m.config->>'threshold')::float8, 0.5), m.source, m.ts_column)
      USING m.reference_summary, window_start, window_end;
  WHEN 'latency' THEN
    s := summary::jsonb;
    lat := (s->>'latency')::mlobs.profile;
    -- NaN and +Infinity latencies (timeouts, requests that never finished) are the slowest and
    -- -Infinity the fastest, as percentile_cont ranks them: a window of timeouts has an infinite
    -- p99 instead of no point (and no alert). The finite values' quantile at the same rank
    -- otherwise (the count of -Infinity is in the profile's text form).
    n_finite := mlobs.row_count(lat);
    n_fastest := coalesce(((s->>'latency')::jsonb->>'neg_inf_count')::bigint, 0);
    n_slowest := mlobs.nan_count(lat) + mlobs.inf_count(lat) - n_fastest;
    IF n_finite + n_slowest + n_fastest > 0 THEN
      RETURN QUERY SELECT '', x.metric,
          -- The ranks around h: +Infinity above gives +Infinity; -Infinity only below gives the
          -- fastest finite latency above it (percentile_cont would give NaN there, and a p99
          -- of -Infinity would hide the slow requests); -Infinity on both sides, -Infinity.
          CASE WHEN n_slowest + n_fastest = 0 THEN mlobs.quantile(lat, x.q) / 1000
               WHEN ceil(x.h) >= n_fastest + n_finite THEN 'Infinity'::float8
               WHEN ceil(x.h) < n_fastest THEN '-Infinity'::float8
               WHEN x.h < n_fastest THEN mlobs.quantile(lat, 0) / 1000
               ELSE mlobs.quantile(lat, CASE WHEN n_finite > 1 THEN (x.h - n_fastest) / (n_finite - 1) ELSE 0 END) / 1000 END
        FROM (SELECT v.metric, v.q, v.o, v.q * (n_finite + n_slowest + n_fastest - 1) AS h
                FROM (VALUES ('latency_p99_seconds', 0.99::float8, 1), ('latency_p50_seconds', 0.5, 2)) v(metric, q, o)) x
       ORDER BY x.o;
    END IF;
    IF rows > 0 THEN
      feature := ''; metric := 'error_rate'; value := (s->>'errors')::float8 / rows; RETURN NEXT;
    END IF;
  WHEN 'multivariate_drift' THEN
    RETURN QUERY SELECT * FROM mlobs._mv_metrics(m, summary);
  END CASE;
END $$;

-- Stores windows of one monitor (or one segment of them) from their summaries: the summaries
-- (upserted) and their metric points, one statement each for all the windows. Returns the number
-- of points written and the rows the windows add to the monitor's rows_total (the caller adds them
-- up): their rows the first time, any rows that arrived late when they are recomputed (never
-- negative: rows_total is a true counter; a segment adds none). A segment's metrics come from its
-- summary and reference (the caller passes m with the segment's reference); metrics that re-read
-- the window's rows (concept drift, CBPE) are computed for the whole window only.
CREATE FUNCTION mlobs._monitor_store_windows(m mlobs.monitors, starts timestamptz[], ends timestamptz[], counts bigint[],
                                             summaries text[], segment text DEFAULT '', OUT points int, OUT added bigint)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  whole CONSTANT bool := _monitor_store_windows.segment = '';
BEGIN
  SELECT coalesce(sum(greatest(u.n - coalesce(w.rows, 0), 0)) FILTER (WHERE whole), 0) INTO added
    FROM unnest(starts, counts) u(s, n)
    LEFT JOIN mlobs.monitor_windows w
      ON w.monitor_id = m.id AND w.window_start = u.s AND w.segment = _monitor_store_windows.segment;
  INSERT INTO mlobs.monitor_windows (monitor_id, window_start, window_end, rows, summary, segment)
  SELECT m.id, u.s, u.e, u.n, u.summary, _monitor_store_windows.segment
    FROM unnest(starts, ends, counts, summaries) u(s, e, n, summary)
  ON CONFLICT ON CONSTRAINT monitor_windows_pkey
    DO UPDATE SET rows = excluded.rows, summary = excluded.summary, computed_at = now();
  -- A recomputed window's points are replaced, not upserted: a metric its new summary no longer
  -- gives (labels withdrawn: no accuracy) must not linger beside the new ones. The range keeps the
  -- probe on the key's (monitor, window) prefix: planned with the statistics of a small table,
  -- `window_start = ANY` was a filter over every point of the monitor's segment, and a catch-up's
  -- cost per window grew with its history (30 days 21 ms a window, 120 days 42 ms; review of
  -- 2026-12-08).
  DELETE FROM mlobs.metric_points p
   WHERE p.monitor_id = m.id AND p.window_start >= (SELECT min(x) FROM unnest(starts) x) AND p.window_start <= (SELECT max(x) FROM unnest(starts) x)
     AND p.window_start = ANY (starts) AND p.segment = _monitor_store_windows.segment;
  INSERT INTO mlobs.metric_points (monitor_id, ts, window_start, model, feature, metric, value, segment)
  SELECT m.id, u.e, u.s, m.model, x.feature, x.metric, x.value, _monitor_store_windows.segment
    FROM unnest(starts, ends, counts, summaries) u(s, e, n, summary)
   CROSS JOIN LATERAL mlobs._monitor_metrics(m, u.summary, u.n, CASE WHEN whole THEN u.s END,
                                             CASE WHEN whole THEN u.e END) x;
  GET DIAGNOSTICS points = ROW_COUNT;
  IF whole THEN
    DELETE FROM mlobs.window_failures f
     WHERE f.monitor_id = m.id AND f.window_start >= (SELECT min(x) FROM unnest(starts) x) AND f.window_start <= (SELECT max(x) FROM unnest(starts) x)
       AND f.window_start = ANY (starts);
  END IF;
END $$;

-- Stores the segments of one window of a segmented monitor (`segs`, with their row counts and
-- summaries, from a GROUP BY over the window): each against its own reference. A segment the
-- window no longer has (its rows were deleted) loses its row and points. Returns the points
-- written.
CREATE FUNCTION mlobs._monitor_store_segments(m mlobs.monitors, ws timestamptz, we timestamptz, segs text[], counts bigint[],
                                              sums text[]) RETURNS int
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  ms mlobs.monitors := m;
  sg record;
  points int := 0;
  st record;
BEGIN
  DELETE FROM mlobs.monitor_windows w WHERE w.monitor_id = m.id AND w.window_start = ws AND w.segment <> ''
     AND w.segment <> ALL (coalesce(segs, '{}'));
  DELETE FROM mlobs.metric_points p WHERE p.monitor_id = m.id AND p.window_start = ws AND p.segment <> ''
     AND p.segment <> ALL (coalesce(segs, '{}'));
  FOR sg IN SELECT u.segment, u.n, u.summary, s.reference_summary, s.reference_metrics
              FROM unnest(segs, counts, sums) u(segment, n, summary)
              LEFT JOIN mlobs.monitor_segments s ON s.monitor_id = m.id AND s.segment = u.segment LOOP
    ms.reference_summary := sg.reference_summary;
    ms.reference_metrics := sg.reference_metrics;
    SELECT * INTO st FROM mlobs._monitor_store_windows(ms, ARRAY[ws], ARRAY[we], ARRAY[sg.n], ARRAY[sg.summary],
                                                       sg.segment);
    points := points + st.points;
  END LOOP;
  RETURN points;
END $$;

-- One window of one monitor scanned on its own (a window whose shared scan failed: computed
-- alone, its failure is its own), with its segments. Returns what _monitor_store_windows returns (points
-- of the segments included).
CREATE FUNCTION mlobs._monitor_window(m mlobs.monitors, ws timestamptz, we timestamptz, OUT points int, OUT added bigint)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  summary text;
  n bigint;
  seg_sql text := mlobs._monitor_segment_sql(m);
  segs text[];
  counts bigint[];
  sums text[];
BEGIN
  EXECUTE format('SELECT count(*), %s FROM %s WHERE %I >= $1 AND %I < $2', mlobs._monitor_summary_sql(m), m.source,
                 m.ts_column, m.ts_column)
    INTO n, summary USING ws, we;
  SELECT * INTO points, added FROM mlobs._monitor_store_windows(m, ARRAY[ws], ARRAY[we], ARRAY[n], ARRAY[summary]);
  IF seg_sql IS NOT NULL THEN
    EXECUTE format('SELECT array_agg(g), array_agg(n), array_agg(s) FROM (SELECT %s AS g, count(*) AS n, %s AS s FROM %s
                     WHERE %I >= $1 AND %I < $2 GROUP BY 1) x', seg_sql, mlobs._monitor_summary_sql(m), m.source,
                   m.ts_column, m.ts_column)
      INTO segs, counts, sums USING ws, we;
    points := points + mlobs._monitor_store_segments(m, ws, we, segs, counts, sums);
  END IF;
END $$;

-- A classification monitor's reference summary with the reference side of concept drift added
-- under the key 'concept' (mlobs.concept_reference over the labelled reference rows; JSON null
-- without such rows).
CREATE FUNCTION mlobs._monitor_concept(m mlobs.monitors) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  concept jsonb;
BEGIN
  EXECUTE format('SELECT mlobs.concept_reference(array_agg(%1$s), array_agg(%2$s::float8)) FROM %3$s
                   WHERE %4$I >= $1 AND %4$I < $2 AND %2$s IS NOT NULL AND %1$s IS NOT NULL',
                 mlobs._monitor_probability(m), mlobs._monitor_column(m, 'label'), m.source, m.ts_column)
    INTO concept USING m.reference_from, m.reference_to;
  RETURN (m.reference_summary::jsonb || jsonb_build_object('concept', concept))::text;
END $$;

-- The segments a monitor with segment_by keeps apart, learned once (mlobs.monitor_segments): its
-- config's `segments`, else the max_segments (default 20) values with the most rows in [lo, hi)
-- (its reference, or without one the day before a run, once its log has had rows for a day:
-- _monitor_plan), ties by value; '(other)' takes the rest. Does
-- nothing when they are learned already, or when [lo, hi) has no rows yet (then the next run
-- tries again; until then the monitor computes its windows as a whole only).
CREATE FUNCTION mlobs._monitor_learn_segments(m mlobs.monitors, lo timestamptz, hi timestamptz) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  raw text := mlobs._monitor_segment_raw_sql(m.config);
  vals text[];
BEGIN
  IF raw IS NULL OR EXISTS (SELECT 1 FROM mlobs.monitor_segments s WHERE s.monitor_id = m.id) THEN RETURN; END IF;
  IF m.config ? 'segments' THEN
    SELECT array_agg(DISTINCT v) INTO vals FROM jsonb_array_elements_text(m.config->'segments') v
     WHERE v <> '(other)' AND octet_length(v) <= 1000;
  ELSE
    -- A value '(other)' in the data is not learned: it is the bucket's name, and its rows go there.
    -- Nor is an empty string: segment '' is the whole window in every table of the runtime. Nor
    -- a value over 1000 bytes (a key of the windows' and points' indexes: one of 2.7 kB failed
    -- every run of the monitor, review of 2026-12-07): its rows go to '(other)'.
    EXECUTE format('SELECT array_agg(v ORDER BY n DESC, v) FROM (SELECT %s AS v, count(*) AS n FROM %s
                     WHERE %I >= $1 AND %I < $2 GROUP BY 1 HAVING %1$s NOT IN (''(other)'', '''') AND octet_length(%1$s) <= 1000
                     ORDER BY 2 DESC, 1 LIMIT $3) x', raw, m.source,
                   m.ts_column, m.ts_column)
      INTO vals USING lo, hi, coalesce((m.config->>'max_segments')::int, 20);
  END IF;
  IF vals IS NULL THEN RETURN; END IF;
  INSERT INTO mlobs.monitor_segments (monitor_id, segment, rank)
  SELECT m.id, v, o FROM unnest(vals || '(other)'::text) WITH ORDINALITY u(v, o);
END $$;

-- The reference of each segment of a monitor (its summary over the segment's reference rows and
-- the metrics of that summary), beside the monitor's own; a segment without reference rows has
-- none (its drift metrics are then missing).
CREATE FUNCTION mlobs._monitor_segment_references(m mlobs.monitors) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  seg_sql text := mlobs._monitor_segment_sql(m);
  with_metrics bool := (SELECT d.reference_metrics FROM mlobs._monitor_kinds() d WHERE d.kind = m.kind);
BEGIN
  IF seg_sql IS NULL OR m.reference_from IS NULL OR m.kind = 'cbpe' THEN RETURN; END IF;
  EXECUTE format('UPDATE mlobs.monitor_segments s SET reference_rows = coalesce(r.n, 0), reference_summary = r.summary,
                    reference_metrics = NULL
                    FROM (SELECT s2.segment, x.n, x.summary FROM mlobs.monitor_segments s2
                            LEFT JOIN (SELECT %s AS g, count(*) AS n, %s AS summary FROM %s
                                        WHERE %I >= $1 AND %I < $2 GROUP BY 1) x ON x.g = s2.segment
                           WHERE s2.monitor_id = $3) r
                   WHERE s.monitor_id = $3 AND s.segment = r.segment',
                 seg_sql, mlobs._monitor_summary_sql(m), m.source, m.ts_column, m.ts_column)
    USING m.reference_from, m.reference_to, m.id;
  IF with_metrics THEN
    UPDATE mlobs.monitor_segments s SET reference_metrics = coalesce((
        SELECT jsonb_object_agg(x.metric, x.value)
          FROM mlobs._monitor_metrics(m, s.reference_summary, NULL, NULL, NULL) x
         WHERE x.feature = '' AND x.value IS NOT NULL), '{}')
     WHERE s.monitor_id = m.id AND s.reference_summary IS NOT NULL;
  END IF;
END $$;

-- A monitor's reference summary and metrics (the base of drift and of drop_vs_reference rules),
-- computed over [reference_from, reference_to) and stored in the monitor row. A classification
-- monitor with scores also keeps the reference side of concept drift (mlobs.concept_reference)
-- under the key 'concept', so its windows never read the reference rows again.
-- `summary`: the reference summary when the caller computed it already (one scan for the
-- references of several monitors, _run_source).
CREATE FUNCTION mlobs._monitor_reference(m mlobs.monitors, summary text DEFAULT NULL) RETURNS mlobs.monitors
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  -- The summary expression must not depend on the reference being replaced.
  m.reference_summary := NULL;
  IF m.kind = 'multivariate_drift' THEN
    m.reference_summary := mlobs._mv_reference(m);
  ELSIF summary IS NOT NULL AND m.kind <> 'cbpe' THEN
    m.reference_summary := summary;
  ELSIF m.kind = 'cbpe' THEN
    EXECUTE format('SELECT mlobs.calibration_agg(%1$s, %2$s)::text FROM %3$s WHERE %4$I >= $1 AND %4$I < $2 AND %2$s IS NOT NULL AND %1$s IS NOT NULL',
                   mlobs._monitor_probability(m), mlobs._monitor_column(m, 'label'), m.source, m.ts_column)
      INTO m.reference_summary USING m.reference_from, m.reference_to;
  ELSE
    EXECUTE format('SELECT %s FROM %s WHERE %I >= $1 AND %I < $2', mlobs._monitor_summary_sql(m), m.source,
                   m.ts_column, m.ts_column)
      INTO m.reference_summary USING m.reference_from, m.reference_to;
  END IF;
  IF m.reference_summary IS NULL AND m.kind = 'cbpe' THEN
    -- Its rows may well be there: the calibration map needs their labels (retried every run).
    RAISE EXCEPTION 'monitor %: the reference window [%, %) has no rows with a label and a score yet (CBPE calibrates on labelled rows)',
      m.name, m.reference_from, m.reference_to;
  ELSIF m.reference_summary IS NULL THEN
    RAISE EXCEPTION 'monitor %: the reference window [%, %) has no rows', m.name, m.reference_from, m.reference_to;
  END IF;
  IF m.kind = 'classification' AND m.config ? 'score' THEN
    m.reference_summary := mlobs._monitor_concept(m);
  END IF;
  m.reference_metrics := coalesce((SELECT jsonb_object_agg(x.metric, x.value) FROM mlobs._monitor_metrics(
      m, CASE WHEN (SELECT d.reference_metrics FROM mlobs._monitor_kinds() d WHERE d.kind = m.kind)
              THEN m.reference_summary END, NULL,
      NULL, NULL) x WHERE x.feature = '' AND x.value IS NOT NULL), '{}');
  UPDATE mlobs.monitors SET reference_summary = m.reference_summary, reference_metrics = m.reference_metrics
   WHERE id = m.id;
  PERFORM mlobs._monitor_learn_segments(m, m.reference_from, m.reference_to);
  PERFORM mlobs._monitor_segment_references(m);
  RETURN m;
END $$;

-- Records a window that failed in mlobs.window_failures (first failure, or one more attempt) and
-- returns the run's error entry: a first failure names a query listing the window's rows (ISO
-- timestamps in UTC, whatever the session's DateStyle and TimeZone), a retry says so.
CREATE FUNCTION mlobs._record_window_failure(m mlobs.monitors, ws timestamptz, we timestamptz, e_state text, e_msg text,
                                             retry bool) RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  find_rows text := format('SELECT * FROM %s WHERE %I >= %L AND %I < %L', m.source,
                           m.ts_column, to_char(ws AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US"+00"'),
                           m.ts_column, to_char(we AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US"+00"'));
BEGIN
  INSERT INTO mlobs.window_failures (monitor_id, window_start, window_end, sqlstate, error, find_rows)
  VALUES (m.id, ws, we, e_state, e_msg, find_rows)
  ON CONFLICT ON CONSTRAINT window_failures_pkey DO UPDATE
    SET attempts = window_failures.attempts + 1, last_failed_at = now(), sqlstate = excluded.sqlstate,
        error = excluded.error;
  RETURN jsonb_build_object('monitor', m.name, 'window_start', ws, 'sqlstate', e_state, 'error', e_msg)
         || CASE WHEN retry THEN jsonb_build_object('retry', true) ELSE jsonb_build_object('find_rows', find_rows) END;
END $$;

-- Prepares one monitor for a run and lists the windows it computes, in order. It locks the
-- monitor's row, computes its reference (once, and again while labels may still land in it; a
-- classification monitor from before 0.3.0 gets its concept side added), then lists: the
-- windows that failed before (`retry`) and the computed windows still within the monitor's
-- horizon whose rows or labels changed (`revise`; `changed`: the source's changed minutes, NULL
-- when its changes are not tracked, then label monitors revise every window within
-- label_horizon; `changed_at`: when each was first recorded, a window within its horizon then
-- takes it however late the run), then every complete window after the watermark, or from `backfill_from`, never
-- before the monitor's first window (`new`). `watermark` is where its watermark moves to. Windows
-- that start before the source's retention boundary (mlobs.log_retention: their rows were
-- dropped) are never recomputed, nor a reference that reaches before it.
CREATE FUNCTION mlobs._monitor_plan(monitor_id bigint, as_of timestamptz, backfill_from timestamptz, changed timestamptz[],
                                    changed_at timestamptz[], OUT m mlobs.monitors, OUT starts timestamptz[], OUT ends timestamptz[],
                                    OUT works text[], OUT watermark timestamptz)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  labels bool;
  reference_labels bool;
  horizon interval;
  ws timestamptz;
  first_ws timestamptz;
  first_ts timestamptz;
  retained timestamptz;
  keep_from timestamptz;
  max_new CONSTANT int := 100000;
  n_new int;
  step interval;
  -- The concept side of a classification monitor's reference was computed again (its labels
  -- landed): every window's concept_drift_score within label_horizon was against the old one.
  concept_changed bool := false;
  old_concept jsonb;
  old_summary text;
  learn bool;
  learn_lo timestamptz;
  learn_hi timestamptz;
BEGIN
  -- NO KEY, as run_monitors holds it: a FOR UPDATE would block other sessions' KEY SHARE locks
  -- (foreign keys to the monitor) for the rest of the run.
  SELECT * INTO m FROM mlobs.monitors mo WHERE mo.id = monitor_id FOR NO KEY UPDATE;
  -- The window as a span of time: timestamptz + '1 day' follows the session's calendar (23 or 25
  -- hours at a DST change), while the grid (date_bin) counts a day as 24 hours.
  step := make_interval(secs => extract(epoch FROM m.window_size));
  SELECT d.labelled, d.reference_labelled INTO labels, reference_labels FROM mlobs._monitor_kinds() d WHERE d.kind = m.kind;
  retained := mlobs._retained_before(m.source);
  IF retained IS NOT NULL THEN
    keep_from := date_bin(m.window_size, retained, timestamptz '2000-01-01 00:00:00+00');
    IF keep_from < retained THEN keep_from := keep_from + step; END IF;
    IF m.reference_summary IS NULL AND m.reference_from < retained THEN
      RAISE EXCEPTION 'monitor %: its reference [%, %) begins before the rows kept in % (from %, mlobs.log_retention)',
        m.name, m.reference_from, m.reference_to, m.source, retained USING ERRCODE = '22023',
        HINT = 'Create the monitor again with a reference period after the retention boundary.';
    END IF;
  END IF;
  IF m.reference_from IS NOT NULL AND (m.reference_summary IS NULL
     -- Labels still landing in the reference: recompute it (when they changed, if tracked).
     OR (reference_labels AND m.reference_from >= coalesce(retained, '-infinity')
         AND CASE WHEN changed IS NULL THEN m.reference_to > as_of - m.label_horizon
                  ELSE EXISTS (SELECT 1 FROM unnest(changed, changed_at) c(t, at) WHERE c.t >= m.reference_from AND c.t < m.reference_to
                                  AND m.reference_to > least(as_of, c.at) - m.label_horizon) END)) THEN
    old_concept := CASE WHEN m.reference_summary IS NOT NULL THEN m.reference_summary::jsonb->'concept' END;
    old_summary := m.reference_summary;
    m := mlobs._monitor_reference(m);
    -- Windows judged against the old reference: the concept side of a classification monitor
    -- with scores, a CBPE monitor's calibration map (its estimates stayed those of a partial map
    -- for good: review of 2026-12-07).
    concept_changed := m.kind = 'classification' AND m.config ? 'score'
                       AND (m.reference_summary::jsonb->'concept') IS DISTINCT FROM old_concept
                       OR m.kind = 'cbpe' AND old_summary IS NOT NULL AND m.reference_summary IS DISTINCT FROM old_summary;
  ELSIF m.kind = 'classification' AND m.config ? 'score' AND NOT m.reference_summary::jsonb ? 'concept' THEN
    -- A monitor from before 0.3.0: only the concept side is added (its reference rows may be
    -- gone by now; then it is NULL and the windows get no concept_drift_score, as before).
    m.reference_summary := mlobs._monitor_concept(m);
    UPDATE mlobs.monitors mo SET reference_summary = m.reference_summary WHERE mo.id = m.id;
  END IF;
  -- segment_by added to a monitor whose reference was computed before: learn its segments now.
  IF m.reference_summary IS NOT NULL AND mlobs._monitor_segment_raw_sql(m.config) IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM mlobs.monitor_segments s WHERE s.monitor_id = m.id) THEN
    PERFORM mlobs._monitor_learn_segments(m, m.reference_from, m.reference_to);
    PERFORM mlobs._monitor_segment_references(m);
  END IF;
  starts := '{}'; ends := '{}'; works := '{}';
  -- The monitor's first window: start_at, else the end of the reference, else its first row
  -- with a finite timestamp (a row stamped -infinity belongs to no window).
  first_ts := coalesce(m.start_at, m.reference_to);
  IF first_ts IS NULL THEN
    EXECUTE format('SELECT min(%1$I) FROM %2$s WHERE %1$I > ''-infinity'' AND %1$I < ''infinity''', m.ts_column, m.source)
      INTO first_ts;
  END IF;
  IF first_ts IS NULL THEN RETURN; END IF;
  first_ws := date_bin(m.window_size, first_ts, timestamptz '2000-01-01 00:00:00+00');
  -- Without a reference, a segmented monitor learns its segments from the day of its last
  -- complete windows, once its log has had rows for that whole day (a job's first run 5 minutes
  -- into the traffic learned from 5 rows, for good); its windows until then are computed as a
  -- whole only. Not from its first day: that may hold no rows (start_at before the traffic) or
  -- predate a column a changed segment_by names. A fixed config.segments list needs no rows.
  -- Only a monitor with segment_by reads its log here, and only until they are learned.
  IF m.reference_from IS NULL AND mlobs._monitor_segment_raw_sql(m.config) IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM mlobs.monitor_segments s WHERE s.monitor_id = m.id) THEN
    IF m.config ? 'segments' THEN
      PERFORM mlobs._monitor_learn_segments(m, NULL, NULL);
    ELSE
      -- A date column's rows sit at its dates' local midnights (the run's zone is the monitor's
      -- run_zone): whole local dates up to today's (a UTC-aligned range, or an hourly window's,
      -- held today's first rows).
      IF mlobs._column_type(m.source, m.ts_column) = 'pg_catalog.date'::regtype THEN
        learn_hi := date_trunc('day', as_of);
        learn_lo := learn_hi - make_interval(days => ceil(extract(epoch FROM greatest(step, interval '24 hours')) / 86400)::int);
      ELSE
        learn_hi := date_bin(m.window_size, as_of, timestamptz '2000-01-01 00:00:00+00');
        learn_lo := learn_hi - greatest(step, interval '24 hours');
      END IF;
      EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I >= $1 AND %I <= $2)', m.source, m.ts_column, m.ts_column)
        INTO learn USING first_ws, learn_lo;
      IF learn THEN
        PERFORM mlobs._monitor_learn_segments(m, learn_lo, learn_hi);
      END IF;
    END IF;
  END IF;
  IF backfill_from IS NOT NULL THEN
    ws := greatest(date_bin(m.window_size, backfill_from, timestamptz '2000-01-01 00:00:00+00'), first_ws);
  ELSE
    ws := coalesce(m.watermark, first_ws);
  END IF;
  ws := greatest(ws, keep_from);
  horizon := CASE WHEN labels THEN greatest(m.label_horizon, m.late_data_horizon) ELSE m.late_data_horizon END;
  SELECT coalesce(array_agg(x.window_start ORDER BY x.window_start), '{}'), coalesce(array_agg(x.window_end ORDER BY x.window_start), '{}'),
         coalesce(array_agg(CASE WHEN x.failed THEN 'retry' ELSE 'revise' END ORDER BY x.window_start), '{}')
    INTO starts, ends, works
    FROM (SELECT DISTINCT ON (y.window_start) y.* FROM (
            -- A failed window is retried by every run while within the horizons; past them only
            -- when its rows changed (someone fixed them) or by a backfill: a bad row months old
            -- was rescanned by every run (review of 2026-12-07). It stays in window_failures.
            -- A transient failure (a lock wait timed out, a deadlock, a serialization failure,
            -- a cancel, a full disk, too many connections, an alert a concurrent evaluate_alerts
            -- opened first) says nothing of the rows: retried past the horizons too, for
            -- 30 days (a catch-up run that waited on a lock lost those windows for good, and the
            -- labels recorded for them in time: review of 2026-12-07).
            SELECT f.window_start, f.window_end, true AS failed FROM mlobs.window_failures f
             WHERE f.monitor_id = m.id AND f.window_start < ws AND f.window_start >= coalesce(keep_from, '-infinity')
               AND (f.window_end > as_of - horizon
                    OR changed IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(changed) c WHERE c >= f.window_start AND c < f.window_end)
                    OR f.sqlstate IN ('55P03', '40001', '40P01', '57014', '23505', '53100', '53300')
                       AND f.first_failed_at > pg_catalog.now() - interval '30 days')
            UNION ALL
            -- A change counts where it was recorded while the window was open to it: labels
            -- committed before the horizon's end are not lost to a run that comes after it
            -- (review of 2026-12-07: a daily job lost the last day of every horizon).
            SELECT w.window_start, w.window_end, false FROM mlobs.monitor_windows w
             WHERE w.monitor_id = m.id AND w.window_start < ws AND backfill_from IS NULL
               AND w.window_start >= coalesce(keep_from, '-infinity')
               -- A changed reference adds the windows within label_horizon to those whose rows
               -- changed (it replaced them: a late row older than label_horizon was lost).
               AND (concept_changed AND w.window_end > as_of - m.label_horizon
                    OR CASE WHEN changed IS NULL THEN labels AND w.window_end > as_of - m.label_horizon
                            ELSE EXISTS (SELECT 1 FROM unnest(changed, changed_at) c(t, at) WHERE c.t >= w.window_start AND c.t < w.window_end
                                            AND w.window_end > least(as_of, c.at) - horizon) END)) y
          ORDER BY y.window_start, y.failed DESC) x;
  -- At most max_new new windows a run (a stray row stamped 1970 would otherwise plan millions of
  -- one-minute windows in one statement); the watermark stops there and the next run goes on. A
  -- backfill cannot go on that way (the watermark is ahead already): longer ones are refused.
  IF backfill_from IS NOT NULL AND ws + max_new * step <= as_of THEN
    RAISE EXCEPTION 'monitor %: the backfill from % spans more than % windows', m.name, ws, max_new
      USING ERRCODE = '54000', HINT = 'Backfill in parts: run_monitors(now => ..., backfill_from => ...) with an earlier now first.';
  END IF;
  n_new := 0;
  LOOP
    EXIT WHEN ws + step > as_of OR n_new >= max_new;
    starts := starts || ws; ends := ends || (ws + step); works := works || 'new'::text;
    ws := ws + step;
    n_new := n_new + 1;
  END LOOP;
  watermark := ws;
END $$;

-- The monitors of one source (same relation, timestamp column, window size and owner; the caller
-- has set the role to that owner): each is planned (a monitor that fails there is reported and
-- left out), then their windows are computed in window order, up to 24 consecutive windows per
-- scan (GROUP BY window), each distinct summary expression once. A chunk whose scan fails is
-- computed window by window and monitor by monitor, so a bad row fails only what it is in. A
-- monitor's new windows of a chunk are stored in one subtransaction and its alert rules judge them
-- in order in one call (not during a backfill); when that fails, and for revisions, retries and
-- segmented monitors, each window of each monitor is stored and judged in its own subtransaction
-- (a failure is recorded in mlobs.window_failures and in `failures`; later runs retry it).
-- Progress shows in pg_stat_activity.application_name while it runs. `failed_monitors`: monitors
-- that could not be planned.
CREATE FUNCTION mlobs._run_source(ids bigint[], as_of timestamptz, backfill_from timestamptz, changed timestamptz[],
                                  changed_at timestamptz[], OUT windows int, OUT revised int, OUT points int, OUT transitions int,
                                  OUT failures jsonb, OUT failed_monitors int)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  chunk_size CONSTANT int := 24;
  origin CONSTANT timestamptz := timestamptz '2000-01-01 00:00:00+00';
  ms mlobs.monitors[] := '{}';
  marks timestamptz[] := '{}';
  adds bigint[] := '{}';         -- per monitor: rows its windows add to rows_total
  st record;
  r record;
  slots int[] := '{}';           -- per monitor: its summary expression's position in exprs
  exprs text[] := '{}';
  seg_slots int[] := '{}';       -- per monitor: its segment expression's position in seg_specs (0: none)
  seg_specs text[] := '{}';
  seg_arrays text[];             -- per segment expression: the summaries it needs (NULL elsewhere)
  sk int[];                      -- the current chunk's segment rows: expression, window, segment, rows, summaries
  sb timestamptz[];
  sg text[];
  sn bigint[];
  ss text[];
  x_b timestamptz[];
  x_g text[];
  x_n bigint[];
  x_s text[];
  seg_sql text;
  seg_segs text[];
  seg_counts bigint[];
  seg_sums text[];
  p record;
  m mlobs.monitors;
  expr text;
  i int;
  j int;
  k int;
  -- Every planned (monitor, window), in window order.
  pm int[] := '{}';
  ps timestamptz[] := '{}';
  pe timestamptz[] := '{}';
  pw text[] := '{}';
  -- The distinct windows, and the current chunk's scan.
  ws_all timestamptz[];
  we_all timestamptz[];
  c_from int;
  c_to int;
  grid bool;
  exprs_sql text;
  from_sql text;
  bins timestamptz[];
  counts bigint[];
  sums text[];
  empty text[];
  shared bool;
  in_bins bool;                  -- the current window has rows (a bin of the chunk's scan)
  e_state text;
  e_msg text;
  saved_sort text := current_setting('enable_sort');
  lock_msg text;                 -- set once a statement timed out on a lock (55P03)
  store_lock_msg text;           -- ... while storing or judging a window (an alert's row lock)
  -- statement_timeout in ms (0: none), the current chunk's start and the last chunk's duration.
  timeout_ms bigint := (SELECT s.setting::bigint FROM pg_settings s WHERE s.name = 'statement_timeout');
  chunk_t0 timestamptz;
  chunk_ms float8 := 0;
  stop_at int;                   -- the first planned (monitor, window) left to the next run
  j_chunk int;
  s_windows int;
  s_revised int;
  s_points int;
  s_transitions int;
  s_failures jsonb;
  s_adds bigint[];
  -- A monitor's batch of new windows in the current chunk: positions in ps, their windows.
  j_end int;
  mi int;
  done int[];
  b_js int[];
  b_new bool;
  b_s timestamptz[];
  b_e timestamptz[];
  b_n bigint[];
  b_sums text[];
BEGIN
  windows := 0; revised := 0; points := 0; transitions := 0; failures := '[]'; failed_monitors := 0;
  -- First references of monitors with the same reference period: one scan computes each distinct
  -- summary expression once (a feature_drift and a quality monitor summarise the same rows). On
  -- any error each monitor computes its own in its plan, with its own error.
  FOR r IN SELECT mo.reference_from, mo.reference_to, array_agg(mo.id ORDER BY mo.id) AS ids
             FROM mlobs.monitors mo
            WHERE mo.id = ANY (ids) AND mo.reference_summary IS NULL AND mo.reference_from IS NOT NULL
              AND mo.kind NOT IN ('cbpe', 'multivariate_drift')
            GROUP BY 1, 2 HAVING count(*) > 1 LOOP
    BEGIN
      exprs := ARRAY(SELECT DISTINCT mlobs._monitor_summary_sql(mo) FROM mlobs.monitors mo WHERE mo.id = ANY (r.ids));
      SELECT * INTO m FROM mlobs.monitors mo WHERE mo.id = r.ids[1];
      EXECUTE format('SELECT ARRAY[%s]::text[] FROM %s WHERE %I >= $1 AND %I < $2', array_to_string(exprs, ', '), m.source,
                     m.ts_column, m.ts_column)
        INTO sums USING r.reference_from, r.reference_to;
      FOREACH k IN ARRAY r.ids LOOP
        SELECT * INTO m FROM mlobs.monitors mo WHERE mo.id = k FOR NO KEY UPDATE;
        PERFORM mlobs._monitor_reference(m, sums[array_position(exprs, mlobs._monitor_summary_sql(m))]);
      END LOOP;
    EXCEPTION WHEN OTHERS THEN
      NULL;
    END;
  END LOOP;
  exprs := '{}';
  FOREACH j IN ARRAY ids LOOP
    BEGIN
      SELECT * INTO p FROM mlobs._monitor_plan(j, as_of, backfill_from, changed, changed_at);
      ms := ms || p.m;
      marks := marks || p.watermark;
      adds := adds || 0::bigint;
      -- Each distinct summary (and segment) expression once; the monitor keeps its position.
      expr := mlobs._monitor_summary_sql(p.m);
      exprs := exprs || CASE WHEN expr = ANY (exprs) THEN '{}' ELSE ARRAY[expr] END;
      slots := slots || array_position(exprs, expr);
      seg_sql := mlobs._monitor_segment_sql(p.m);
      seg_specs := seg_specs || CASE WHEN seg_sql IS NULL OR seg_sql = ANY (seg_specs) THEN '{}' ELSE ARRAY[seg_sql] END;
      seg_slots := seg_slots || coalesce(array_position(seg_specs, seg_sql), 0);
      pm := pm || array_fill(cardinality(ms), ARRAY[cardinality(p.starts)]);
      ps := ps || p.starts; pe := pe || p.ends; pw := pw || p.works;
    EXCEPTION WHEN OTHERS THEN
      failures := failures || jsonb_build_object('monitor', (SELECT mo.name FROM mlobs.monitors mo WHERE mo.id = j),
                                                 'sqlstate', SQLSTATE, 'error', SQLERRM);
      failed_monitors := failed_monitors + 1;
    END;
  END LOOP;
  IF cardinality(ms) = 0 THEN RETURN; END IF;
  m := ms[1];
  SELECT coalesce(array_agg(s ORDER BY s), '{}'), coalesce(array_agg(e ORDER BY s), '{}') INTO ws_all, we_all
    FROM (SELECT s, min(e) AS e FROM unnest(ps, pe) u(s, e) GROUP BY s) x;
  -- Re-sorted in window order, then monitor order.
  SELECT coalesce(array_agg(x.m ORDER BY x.s, x.m), '{}'), coalesce(array_agg(x.s ORDER BY x.s, x.m), '{}'),
         coalesce(array_agg(x.e ORDER BY x.s, x.m), '{}'), coalesce(array_agg(x.w ORDER BY x.s, x.m), '{}')
    INTO pm, ps, pe, pw FROM unnest(pm, ps, pe, pw) x(m, s, e, w);
  exprs_sql := array_to_string(exprs, ', ');
  -- Each segment expression's scan computes only the summaries of the monitors segmented by it.
  seg_arrays := ARRAY(SELECT 'ARRAY[' || (SELECT string_agg(CASE WHEN EXISTS (
                                             SELECT 1 FROM generate_subscripts(ms, 1) q WHERE seg_slots[q] = sp AND slots[q] = e)
                                           THEN exprs[e] ELSE 'NULL' END, ', ' ORDER BY e)
                                         FROM generate_subscripts(exprs, 1) e) || ']::text[]'
                        FROM generate_subscripts(seg_specs, 1) sp ORDER BY sp);
  from_sql := format('FROM %s WHERE %I >= $1 AND %I < $2', m.source, m.ts_column, m.ts_column);
  c_from := 1;
  j := 1;  -- next planned (monitor, window)
  WHILE c_from <= cardinality(ws_all) LOOP
    -- A chunk: consecutive windows on the window grid (GROUP BY date_bin gives exactly them), or
    -- one window.
    c_to := c_from;
    grid := date_bin(m.window_size, ws_all[c_from], origin) = ws_all[c_from]
            AND we_all[c_from] - ws_all[c_from] = m.window_size;
    WHILE grid AND c_to < cardinality(ws_all) AND c_to - c_from + 1 < chunk_size AND ws_all[c_to + 1] = we_all[c_to]
          AND we_all[c_to + 1] - ws_all[c_to + 1] = m.window_size LOOP
      c_to := c_to + 1;
    END LOOP;
    -- A statement_timeout shorter than the catch-up (review of 2026-12-08): the cancel rolled the
    -- group back, chunks stored included, and every run did the same work again, for good. When
    -- only new windows are left (no backfill: its watermark is ahead already) and the next chunk
    -- would likely end after the timeout (twice the last one's time), they are left to the next
    -- run; a cancel that comes in a chunk all the same rolls back that chunk only (below). The
    -- watermarks stop at the windows stored.
    IF timeout_ms > 0 AND c_from > 1 AND backfill_from IS NULL
       AND extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000 + 2 * chunk_ms > timeout_ms
       AND NOT EXISTS (SELECT 1 FROM generate_series(j, cardinality(ps)) x WHERE pw[x] <> 'new') THEN
      stop_at := j;
      EXIT;
    END IF;
    -- What the chunk changes, to take back if it is cancelled (variables are not rolled back).
    j_chunk := j; s_windows := windows; s_revised := revised; s_points := points; s_transitions := transitions;
    s_failures := failures; s_adds := adds;
    BEGIN
      chunk_t0 := clock_timestamp();
      PERFORM set_config('application_name', left(format('mlobs run_monitors: %s window %s of %s', m.source, c_from,
                                                         cardinality(ws_all)), 63), true);
      BEGIN
        -- Once a statement of this call timed out on a lock (lock_timeout, run_monitors), every
        -- later window fails at once with it and is retried by the next run: waiting again for
        -- each window multiplied the stall by the windows.
        IF lock_msg IS NOT NULL THEN
          RAISE EXCEPTION USING ERRCODE = '55P03', MESSAGE = lock_msg;
        END IF;
        -- Hash the windows, never sort the chunk's rows: the planner takes date_bin for nearly as
        -- many groups as rows and sorted them all (spilling to disk at the default work_mem) to
        -- build 24 groups.
        PERFORM set_config('enable_sort', 'off', true);
        IF c_to > c_from THEN
          EXECUTE format('SELECT array_agg(b ORDER BY b), array_agg(n ORDER BY b), array_agg(s ORDER BY b)
                            FROM (SELECT date_bin($3, %I::timestamptz, $4) AS b, count(*) AS n, ARRAY[%s]::text[] AS s
                                    %s GROUP BY 1) x', m.ts_column, exprs_sql, from_sql)
            INTO bins, counts, sums USING ws_all[c_from], we_all[c_to], m.window_size, origin;
          IF empty IS NULL AND (bins IS NULL OR cardinality(bins) < c_to - c_from + 1) THEN
            -- The summaries of a window without rows, as its own scan would give them.
            EXECUTE format('SELECT ARRAY[%s]::text[] %s AND false', exprs_sql, from_sql) INTO empty
              USING ws_all[c_from], we_all[c_from];
          END IF;
        ELSE
          EXECUTE format('SELECT ARRAY[count(*)], ARRAY[ARRAY[%s]::text[]] %s', exprs_sql, from_sql)
            INTO counts, sums USING ws_all[c_from], we_all[c_from];
          bins := ARRAY[ws_all[c_from]];
        END IF;
        -- The segments of the chunk's windows, one scan per segment expression.
        sk := '{}'; sb := '{}'; sg := '{}'; sn := '{}'; ss := '{}';
        FOR i IN 1 .. coalesce(cardinality(seg_specs), 0) LOOP
          EXECUTE format('SELECT array_agg(b ORDER BY b, g), array_agg(g ORDER BY b, g), array_agg(n ORDER BY b, g),
                                 array_agg(s ORDER BY b, g)
                            FROM (SELECT %s AS b, %s AS g, count(*) AS n, %s AS s
                                    %s GROUP BY 1, 2) x',
                         CASE WHEN c_to > c_from THEN format('date_bin($3, %I::timestamptz, $4)', m.ts_column) ELSE '$1' END,
                         seg_specs[i], seg_arrays[i], from_sql)
            INTO x_b, x_g, x_n, x_s USING ws_all[c_from], we_all[c_to], m.window_size, origin;
          IF x_b IS NOT NULL THEN
            sk := sk || array_fill(i, ARRAY[cardinality(x_b)]); sb := sb || x_b; sg := sg || x_g; sn := sn || x_n; ss := ss || x_s;
          END IF;
        END LOOP;
        PERFORM set_config('enable_sort', saved_sort, true);
        shared := true;
      EXCEPTION WHEN OTHERS THEN
        shared := false;
        IF SQLSTATE = '55P03' THEN lock_msg := SQLERRM; END IF;
      END;
      -- A monitor's new windows of the chunk are stored and judged together, in one subtransaction
      -- (a few statements for up to 24 windows); segmented monitors, revisions and retries, and the
      -- windows of a batch that failed, window by window below.
      j_end := j;
      WHILE j_end <= cardinality(ps) AND ps[j_end] <= ws_all[c_to] LOOP j_end := j_end + 1; END LOOP;
      done := '{}';
      FOR mi IN 1 .. CASE WHEN shared AND store_lock_msg IS NULL THEN cardinality(ms) ELSE 0 END LOOP
        CONTINUE WHEN seg_slots[mi] > 0;
        SELECT array_agg(x ORDER BY x), bool_and(pw[x] = 'new') INTO b_js, b_new
          FROM generate_series(j, j_end - 1) x WHERE pm[x] = mi;
        CONTINUE WHEN b_js IS NULL OR NOT b_new;
        -- A window without a bin has no rows: the empty window's summary, as below.
        SELECT array_agg(ps[x] ORDER BY x), array_agg(pe[x] ORDER BY x),
               array_agg(CASE WHEN b.k IS NULL THEN 0 ELSE counts[b.k] END ORDER BY x),
               array_agg(CASE WHEN b.k IS NULL THEN empty[slots[mi]] ELSE sums[b.k][slots[mi]] END ORDER BY x)
          INTO b_s, b_e, b_n, b_sums FROM unnest(b_js) x, LATERAL (SELECT array_position(bins, ps[x]) AS k) b;
        BEGIN
          SELECT * INTO st FROM mlobs._monitor_store_windows(ms[mi], b_s, b_e, b_n, b_sums);
          IF backfill_from IS NULL THEN
            transitions := transitions + mlobs._evaluate_alert_steps(ms[mi].id, b_s);
          END IF;
          points := points + st.points;
          adds[mi] := adds[mi] + st.added;
          windows := windows + cardinality(b_js);
          done := done || b_js;
        EXCEPTION WHEN OTHERS THEN
          -- Window by window below, each failure its own; after a lock timeout, at once.
          IF SQLSTATE = '55P03' THEN store_lock_msg := SQLERRM; END IF;
        END;
      END LOOP;
      k := 1;  -- position in bins
      FOR i IN c_from .. c_to LOOP
        WHILE k <= coalesce(cardinality(bins), 0) AND bins[k] < ws_all[i] LOOP k := k + 1; END LOOP;
        WHILE j <= cardinality(ps) AND ps[j] = ws_all[i] LOOP
          m := ms[pm[j]];
          IF j = ANY (done) THEN
            j := j + 1;
            CONTINUE;
          END IF;
          BEGIN
            IF NOT shared AND lock_msg IS NOT NULL THEN
              RAISE EXCEPTION USING ERRCODE = '55P03', MESSAGE = lock_msg;
            END IF;
            -- A window stored or judged after a lock timeout (a transaction holding an open
            -- alert's row) would wait 10 s again: it fails at once and is retried.
            IF store_lock_msg IS NOT NULL THEN
              RAISE EXCEPTION USING ERRCODE = '55P03', MESSAGE = store_lock_msg;
            END IF;
            IF NOT shared THEN
              SELECT * INTO st FROM mlobs._monitor_window(m, ps[j], pe[j]);
            ELSE
              in_bins := k <= coalesce(cardinality(bins), 0) AND bins[k] = ws_all[i];
              SELECT * INTO st FROM mlobs._monitor_store_windows(
                  m, ARRAY[ps[j]], ARRAY[pe[j]], ARRAY[CASE WHEN in_bins THEN counts[k] ELSE 0 END],
                  ARRAY[CASE WHEN in_bins THEN sums[k][slots[pm[j]]] ELSE empty[slots[pm[j]]] END]);
              IF seg_slots[pm[j]] > 0 THEN
                SELECT array_agg(sg[q] ORDER BY q), array_agg(sn[q] ORDER BY q), array_agg(ss[q][slots[pm[j]]] ORDER BY q)
                  INTO seg_segs, seg_counts, seg_sums
                  FROM generate_subscripts(sk, 1) q WHERE sk[q] = seg_slots[pm[j]] AND sb[q] = ps[j];
                st.points := st.points + mlobs._monitor_store_segments(m, ps[j], pe[j], seg_segs, seg_counts, seg_sums);
              END IF;
            END IF;
            IF backfill_from IS NULL THEN
              transitions := transitions + mlobs._evaluate_alert_steps(m.id, ARRAY[ps[j]]);
            END IF;
            points := points + st.points;
            adds[pm[j]] := adds[pm[j]] + st.added;
            IF pw[j] = 'revise' THEN revised := revised + 1; ELSE windows := windows + 1; END IF;
          EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_msg = MESSAGE_TEXT;
            IF e_state = '55P03' AND (shared OR lock_msg IS NULL) THEN store_lock_msg := e_msg; END IF;
            failures := failures || mlobs._record_window_failure(m, ps[j], pe[j], e_state, e_msg, pw[j] <> 'new');
          END;
          j := j + 1;
        END LOOP;
      END LOOP;
      c_from := c_to + 1;
    EXCEPTION WHEN query_canceled THEN
      IF backfill_from IS NOT NULL OR EXISTS (SELECT 1 FROM generate_series(j_chunk, cardinality(ps)) x WHERE pw[x] <> 'new') THEN
        RAISE;  -- revisions, retries or a backfill: the whole group is rolled back (queues given back)
      END IF;
      windows := s_windows; revised := s_revised; points := s_points; transitions := s_transitions;
      failures := s_failures; adds := s_adds;
      stop_at := j_chunk;
      EXIT;
    END;
    chunk_ms := extract(epoch FROM clock_timestamp() - chunk_t0) * 1000;
  END LOOP;
  -- Windows left to the next run: each monitor's watermark stops at its first one.
  IF stop_at IS NOT NULL THEN
    FOR i IN 1 .. cardinality(ms) LOOP
      k := (SELECT min(x) FROM generate_series(stop_at, cardinality(ps)) x WHERE pm[x] = i);
      CONTINUE WHEN k IS NULL;
      -- (None of its windows stored: its watermark stays as it was, NULL before a first run.)
      marks[i] := CASE WHEN EXISTS (SELECT 1 FROM generate_series(1, k - 1) x WHERE pm[x] = i) THEN ps[k] ELSE ms[i].watermark END;
      failures := failures || jsonb_build_object(
        'monitor', ms[i].name, 'window_start', ps[k], 'sqlstate', '57014',
        'error', format('left %s windows from %s to the next run: the statement_timeout (%s) or a cancel request ended this run',
                        (SELECT count(*) FROM generate_series(k, cardinality(ps)) x WHERE pm[x] = i), ps[k],
                        current_setting('statement_timeout')));
    END LOOP;
  END IF;
  -- Only monitors that moved: a run with nothing due writes no monitor row (WAL on every tick).
  FOR i IN 1 .. cardinality(ms) LOOP
    CONTINUE WHEN adds[i] = 0 AND (marks[i] IS NULL OR marks[i] <= ms[i].watermark);
    UPDATE mlobs.monitors mo SET watermark = greatest(mo.watermark, marks[i]), rows_total = mo.rows_total + adds[i],
                                 run_zone = current_setting('TimeZone')
     WHERE mo.id = ms[i].id;
  END LOOP;
END $$;

-- The pg_cron job: every enabled monitor's complete windows up to `now`, then the alert rules.
-- Idempotent (upserts). A monitor is run by one run at a time (its row locked): a run leaves the
-- monitors an overlapping run holds to it (`busy_monitors`), so jobs of different owners firing
-- at the same minute all make progress; a run that finds every monitor busy returns 'skipped' at
-- once, as does a full run overlapping another full run (mlobs.run_lock). One failing monitor or
-- window is recorded in the run's errors without stopping the others.
-- Monitors of one source and owner run together (mlobs._run_source: one scan per window for all
-- of them), as that owner (SET ROLE for their duration): the run's session user must be that
-- role or a member of it (a superuser is), and the owner must still be allowed to SELECT every
-- column each monitor reads; otherwise the monitor is skipped with the reason. `monitor` or
-- `monitor_ids` restrict a run to some monitors.
CREATE FUNCTION mlobs.run_monitors(now timestamptz DEFAULT pg_catalog.now(), backfill_from timestamptz DEFAULT NULL,
                                   monitor text DEFAULT NULL, monitor_ids bigint[] DEFAULT NULL)
RETURNS mlobs.runs LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  run mlobs.runs;
  g record;
  mon record;
  res record;
  ids bigint[];
  wanted bigint[];
  held bigint[] := '{}';
  overlapping bool := false;
  failed_ids bigint[];
  q_ids bigint[];
  q_minutes timestamptz[];
  q_zones text[];
  q_ats timestamptz[];
  changed timestamptz[];
  changed_at timestamptz[];
  full_run bool := monitor IS NULL AND monitor_ids IS NULL;
  saved_role text := current_setting('role');
  saved_lock_timeout text := current_setting('lock_timeout');
  saved_zone text := current_setting('TimeZone');
  pinned_zone text;
  -- A statement_timeout or a cancel request during a group: the groups before it are kept.
  canceled bool := false;
  t0 timestamptz := clock_timestamp();
BEGIN
  -- A hot standby: a clear error before any work (not "cannot execute INSERT in a read-only transaction").
  PERFORM mlobs._require_primary('mlobs.run_monitors');
  IF run_monitors.now IS NULL THEN
    RAISE EXCEPTION 'now must not be NULL' USING ERRCODE = '22004';
  END IF;
  -- Infinite bounds would loop over windows forever (or move every watermark to infinity).
  IF NOT isfinite(run_monitors.now) THEN
    RAISE EXCEPTION 'now must be a finite timestamp, got %', run_monitors.now USING ERRCODE = '22023';
  END IF;
  IF NOT isfinite(backfill_from) THEN
    RAISE EXCEPTION 'backfill_from must be a finite timestamp, got %', backfill_from USING ERRCODE = '22023';
  END IF;
  IF monitor IS NOT NULL AND NOT EXISTS (SELECT 1 FROM mlobs.monitors mo WHERE mo.name = monitor) THEN
    RAISE EXCEPTION 'monitor "%" does not exist', monitor USING ERRCODE = '42704';
  END IF;
  INSERT INTO mlobs.runs (as_of, status) VALUES (run_monitors.now, 'running') RETURNING * INTO run;
  -- The monitors this run may take: those no overlapping run holds. Two full runs (a slow one and
  -- the next tick) do not both walk the fleet: the second is skipped.
  wanted := ARRAY(SELECT mo.id FROM mlobs.monitors mo
                   WHERE mo.enabled AND (monitor IS NULL OR mo.name = monitor) AND (monitor_ids IS NULL OR mo.id = ANY (monitor_ids))
                   ORDER BY mo.id);
  -- Row locks held to the end of the run (a killed backend's included): mlobs.run_lock for a
  -- full run, each monitor's row for the monitors it runs (no lock-table entry per row, however
  -- large the fleet; NO KEY, so other sessions' KEY SHARE locks, a foreign key's, pass).
  IF full_run THEN
    PERFORM 1 FROM mlobs.run_lock FOR UPDATE SKIP LOCKED;
    overlapping := NOT FOUND AND EXISTS (SELECT 1 FROM mlobs.run_lock);
  END IF;
  IF NOT overlapping THEN
    held := ARRAY(SELECT mo.id FROM mlobs.monitors mo WHERE mo.id = ANY (wanted) ORDER BY mo.id FOR NO KEY UPDATE SKIP LOCKED);
  END IF;
  run.busy_monitors := cardinality(wanted) - cardinality(held);
  IF overlapping OR cardinality(held) = 0 AND run.busy_monitors > 0 THEN
    UPDATE mlobs.runs SET status = 'skipped', finished_at = clock_timestamp(), busy_monitors = run.busy_monitors,
           duration_ms = extract(epoch FROM clock_timestamp() - t0) * 1000
     WHERE id = run.id RETURNING * INTO run;
    RETURN run;
  END IF;
  -- Before any window is scanned: from now on the change triggers count an insert stamped before
  -- this run's `now` as late (mlobs.run_horizon; not rolled back with the run).
  PERFORM pg_catalog.setval('mlobs.run_horizon', greatest(h.last_value, (extract(epoch FROM run_monitors.now) * 1e6)::bigint))
     FROM mlobs.run_horizon h WHERE isfinite(run_monitors.now);
  -- The minutes of each monitored table that changed since (late labels, late rows), as its
  -- triggers recorded them, move to the queue of every enabled monitor of the table; rows another
  -- run is moving are left to it. A disabled monitor gets none (enabling it queues its windows).
  WITH moved AS (DELETE FROM mlobs.source_changes sc
                  WHERE sc.ctid = ANY (ARRAY(SELECT x.ctid FROM mlobs.source_changes x FOR UPDATE SKIP LOCKED))
                 RETURNING sc.source, sc.minute, sc.zone, sc.recorded_at)
  INSERT INTO mlobs.monitor_changes (monitor_id, minute, zone, recorded_at)
  SELECT mo.id, c.minute, c.zone, min(c.recorded_at) FROM moved c JOIN mlobs.monitors mo ON mo.source = c.source AND mo.enabled
   GROUP BY mo.id, c.minute, c.zone;
  DELETE FROM mlobs.monitor_changes mc
   WHERE mc.ctid = ANY (ARRAY(SELECT x.ctid FROM mlobs.monitor_changes x
                               WHERE NOT EXISTS (SELECT 1 FROM mlobs.monitors mo WHERE mo.id = x.monitor_id)
                               FOR UPDATE SKIP LOCKED));
  FOR g IN SELECT mo.source, mo.ts_column, mo.window_size, mo.owner, ro.rolname, array_agg(mo.id ORDER BY mo.id) AS ids
             FROM mlobs.monitors mo LEFT JOIN pg_roles ro ON ro.oid = mo.owner
            WHERE mo.id = ANY (held)
            GROUP BY mo.source, mo.ts_column, mo.window_size, mo.owner, ro.rolname ORDER BY min(mo.id) LOOP
    failed_ids := '{}';
    BEGIN
      -- A lock on the source held by someone else (LOCK TABLE, a TRUNCATE, an ALTER) fails this
      -- group after 10 s (55P03, retried by the next run) instead of stalling the run, with the
      -- other monitors' rows locked, for as long as it lasts. A lock_timeout of the job's wins.
      IF current_setting('lock_timeout') IN ('0', '0ms') THEN
        PERFORM set_config('lock_timeout', '10s', true);
      END IF;
      -- The group's queued changes, taken as the run's role: given back below to the monitors
      -- that fail, and by the rollback if the whole group fails. A backfill revises nothing
      -- before backfill_from (_monitor_plan), so it leaves the queue to the next run.
      WITH taken AS (DELETE FROM mlobs.monitor_changes mc WHERE mc.monitor_id = ANY (g.ids) AND backfill_from IS NULL
                     RETURNING mc.monitor_id, mc.minute, mc.zone, mc.recorded_at)
      SELECT coalesce(array_agg(t.monitor_id), '{}'), coalesce(array_agg(t.minute), '{}'), coalesce(array_agg(t.zone), '{}'),
             coalesce(array_agg(t.recorded_at), '{}')
        INTO q_ids, q_minutes, q_zones, q_ats FROM taken t;
      ids := '{}';
      -- Each monitor's owner and access, with its own error: first who may act as the owner ...
      FOR mon IN SELECT * FROM mlobs.monitors x WHERE x.id = ANY (g.ids) ORDER BY x.id LOOP
        BEGIN
          IF g.rolname IS NULL THEN
            RAISE EXCEPTION 'monitor %: its owner (role oid %) no longer exists; UPDATE mlobs.monitors SET owner = ... to hand it over',
              mon.name, mon.owner::oid USING ERRCODE = '42704';
          END IF;
          IF g.rolname <> current_user AND NOT pg_has_role(session_user, mon.owner, 'MEMBER') THEN
            RAISE EXCEPTION 'monitor %: this run''s session user % may not act as the monitor''s owner %', mon.name, session_user, g.rolname
              USING ERRCODE = '42501', HINT = format('GRANT %I TO %I, or schedule the job as %I', g.rolname, session_user, g.rolname);
          END IF;
          ids := ids || mon.id;
        EXCEPTION WHEN OTHERS THEN
          run.errors := run.errors || jsonb_build_object('monitor', mon.name, 'sqlstate', SQLSTATE, 'error', SQLERRM);
          failed_ids := failed_ids || mon.id;
        END;
      END LOOP;
      IF cardinality(ids) > 0 AND g.rolname <> current_user THEN
        PERFORM set_config('role', g.rolname, true);
      END IF;
      -- ... then, as the owner, what each monitor reads.
      FOR mon IN SELECT * FROM mlobs.monitors x WHERE x.id = ANY (ids) ORDER BY x.id LOOP
        BEGIN
          PERFORM mlobs._monitor_check_access(mon.name, mon.source, mon.kind, mon.config, mon.ts_column);
        EXCEPTION WHEN OTHERS THEN
          run.errors := run.errors || jsonb_build_object('monitor', mon.name, 'sqlstate', SQLSTATE, 'error', SQLERRM);
          ids := array_remove(ids, mon.id);
          failed_ids := failed_ids || mon.id;
        END;
      END LOOP;
      -- A timestamp or date column is read in the zone of the group's first run (run_zone), not
      -- in this session's: a catch-up from a client in another zone (or after ALTER DATABASE ...
      -- SET timezone) moved the window grid under the watermark, leaving one wall-clock hour in
      -- no window and another in two (review of 2026-12-07). UPDATE mlobs.monitors SET run_zone
      -- to change it on purpose.
      pinned_zone := NULL;
      IF mlobs._column_type(g.source, g.ts_column) IN ('pg_catalog.timestamp'::regtype, 'pg_catalog.date'::regtype) THEN
        SELECT mo.run_zone INTO pinned_zone FROM mlobs.monitors mo
         WHERE mo.id = ANY (ids) AND mo.run_zone IS NOT NULL ORDER BY mo.id LIMIT 1;
        IF pinned_zone IS NOT NULL AND pinned_zone <> saved_zone THEN
          PERFORM set_config('TimeZone', pinned_zone, true);
        END IF;
      END IF;
      -- A wall-clock minute of a timestamp or date column (written as UTC, zone 'UTC') is the
      -- instant this run reads that wall clock as; each minute with its first recording.
      changed := NULL;
      changed_at := NULL;
      IF mlobs._changes_tracked(g.source, g.ts_column) THEN
        SELECT coalesce(array_agg(x.t ORDER BY x.t), '{}'), coalesce(array_agg(x.at ORDER BY x.t), '{}') INTO changed, changed_at
          FROM (SELECT CASE WHEN u.z IS NULL THEN u.t ELSE (u.t AT TIME ZONE u.z)::timestamptz END AS t, min(u.at) AS at
                  FROM unnest(q_minutes, q_zones, q_ats) u(t, z, at) GROUP BY 1) x;
      END IF;
      SELECT * INTO res FROM mlobs._run_source(ids, run_monitors.now, backfill_from, changed, changed_at);
      PERFORM set_config('role', saved_role, true);
      PERFORM set_config('lock_timeout', saved_lock_timeout, true);
      IF pinned_zone IS NOT NULL AND pinned_zone <> saved_zone THEN
        PERFORM set_config('TimeZone', saved_zone, true);
      END IF;
      run.windows := run.windows + res.windows;
      run.revised := run.revised + res.revised;
      run.points := run.points + res.points;
      run.alert_transitions := run.alert_transitions + res.transitions;
      run.errors := run.errors || res.failures;
      -- Windows left to the next run at the statement_timeout: so are the groups after this one.
      canceled := res.failures @> '[{"sqlstate": "57014"}]';
      -- Monitors that could not be planned (a failed window is retried from window_failures).
      failed_ids := failed_ids || ARRAY(SELECT mo.id FROM jsonb_array_elements(res.failures) f
                                          JOIN mlobs.monitors mo ON mo.name = f->>'monitor' AND mo.id = ANY (ids)
                                         WHERE NOT f ? 'window_start');
      -- Each minute once, and none that no run may revise any more (older than the monitor's
      -- horizons when it was recorded, a day's margin for the zones, unless in a reference still
      -- open to labels); a change waits for a monitor that keeps failing 30 days at most, so its
      -- queue stays bounded (a failed run after the horizon lost labels recorded in time).
      INSERT INTO mlobs.monitor_changes (monitor_id, minute, zone, recorded_at)
      SELECT u.m, u.t, u.z, min(u.at) FROM unnest(q_ids, q_minutes, q_zones, q_ats) u(m, t, z, at) JOIN mlobs.monitors mo ON mo.id = u.m
       WHERE u.m = ANY (failed_ids)
         AND (u.t >= least(run_monitors.now, u.at) - greatest(mo.label_horizon, mo.late_data_horizon) - mo.window_size - interval '1 day'
              AND coalesce(u.at, run_monitors.now) > run_monitors.now - interval '30 days'
              OR mo.reference_to > run_monitors.now - mo.label_horizon AND u.t >= mo.reference_from - interval '1 day')
       GROUP BY u.m, u.t, u.z;
    EXCEPTION WHEN query_canceled THEN
      -- statement_timeout (a common guard on a job's role) or a cancel request: this group is
      -- rolled back, the groups before it are kept and the run is recorded and returned, so a
      -- catch-up longer than the timeout moves on group by group instead of losing every run
      -- whole (review of 2026-12-07). The groups after it are left to the next run.
      run.errors := run.errors || (SELECT jsonb_agg(jsonb_build_object('monitor', x.name, 'sqlstate', SQLSTATE, 'error', SQLERRM)
                                                    ORDER BY x.id) FROM mlobs.monitors x WHERE x.id = ANY (g.ids));
      canceled := true;
    WHEN OTHERS THEN
      -- The subtransaction's rollback also restored the role, lock_timeout and the queue.
      run.errors := run.errors || (SELECT jsonb_agg(jsonb_build_object('monitor', x.name, 'sqlstate', SQLSTATE, 'error', SQLERRM)
                                                    ORDER BY x.id) FROM mlobs.monitors x WHERE x.id = ANY (g.ids));
    END;
    EXIT WHEN canceled;
  END LOOP;
  -- Rules added or changed since the last window still apply to the latest points: of every
  -- monitor after a full run that held them all, else of the monitors this run held (a run of
  -- one monitor evaluated the whole fleet's rules: the fleet benchmark's per-monitor backfill
  -- spent most of its time there; and another run is judging the monitors it holds).
  -- (An evaluate_alerts called meanwhile in another session can open the same alert first:
  -- recorded, not the whole run rolled back; the next run judges again.)
  BEGIN
    -- Bounded like the groups: a transaction holding an open alert's row (an admin's, a hand-run
    -- evaluate_alerts not yet committed) stalled the run, every monitor locked, as long as it
    -- lasted (review of 2026-12-08). Recorded below; the next run judges again.
    IF current_setting('lock_timeout') IN ('0', '0ms') THEN
      PERFORM set_config('lock_timeout', '10s', true);
    END IF;
    IF canceled THEN
      NULL;  -- judged by the next run, with the groups left
    ELSIF full_run AND run.busy_monitors = 0 THEN
      run.alert_transitions := run.alert_transitions + mlobs.evaluate_alerts();
    ELSE
      run.alert_transitions := run.alert_transitions
        + coalesce((SELECT sum(mlobs.evaluate_alerts(x)) FROM unnest(held) x), 0)::int;
    END IF;
    PERFORM set_config('lock_timeout', saved_lock_timeout, true);
  EXCEPTION WHEN OTHERS THEN
    run.errors := run.errors || jsonb_build_object('stage', 'evaluate_alerts', 'sqlstate', SQLSTATE, 'error', SQLERRM);
  END;
  UPDATE mlobs.runs SET status = CASE WHEN jsonb_array_length(run.errors) > 0 THEN 'partial' ELSE 'ok' END,
         finished_at = clock_timestamp(), duration_ms = extract(epoch FROM clock_timestamp() - t0) * 1000,
         windows = run.windows, points = run.points, alert_transitions = run.alert_transitions, errors = run.errors,
         revised = run.revised, busy_monitors = run.busy_monitors
   WHERE id = run.id RETURNING * INTO run;
  RETURN run;
END $$;

-- Schedules mlobs.run_monitors() with pg_cron (1.4: minute granularity) in this database, as the
-- calling role. The scheduled run closes windows one minute late: a row stamped now() by a
-- transaction that commits after its window ended would otherwise miss the window for good
-- (the load test measured commits up to 0.25 s after the window end). Monitors run as their
-- owners whoever runs the job; a job owned by a superuser still gets a WARNING: schedule it as
-- a dedicated mlobs_admin role that is a member of the monitors' owners (docs/monitoring.md).
CREATE FUNCTION mlobs.schedule_monitors(cron text DEFAULT '*/5 * * * *') RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  job bigint;
BEGIN
  -- pg_cron's own schema (a member of the extension), not any schema named cron: in a database
  -- without pg_cron, a role with CREATE there could define cron.schedule and have it run as
  -- this caller.
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension e
                   JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.refobjid = e.oid
                                              AND d.classid = 'pg_catalog.pg_namespace'::regclass AND d.deptype = 'e'
                   JOIN pg_catalog.pg_namespace n ON n.oid = d.objid
                  WHERE e.extname = 'pg_cron' AND n.nspname = 'cron') THEN
    RAISE EXCEPTION 'pg_cron is not installed in this database (CREATE EXTENSION pg_cron)'
      USING ERRCODE = '55000',
            HINT = 'pg_cron lives in one database per cluster (cron.database_name, postgres by default). '
                   'There, as a superuser (pg_cron grants schedule_in_database to no one else), execute: '
                   || mlobs.schedule_monitors_command(cron, current_user);
  END IF;
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    RAISE WARNING 'the mlobs_run_monitors job will run as superuser %', current_user
      USING DETAIL = 'Each monitor still reads its source as its owner, but the job itself needs no superuser.',
            HINT = 'Schedule it as a dedicated LOGIN role that is a member of mlobs_admin and of the monitors'' owners (docs/monitoring.md, "Running as a dedicated role").';
  END IF;
  EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job
    USING 'mlobs_run_monitors', cron, 'SELECT mlobs.run_monitors(now() - interval ''1 minute'')';
  RETURN job;
END $$;

-- Removes the pg_cron jobs that run this database's monitors (DROP EXTENSION mlobs leaves pg_cron's
-- jobs alone: call this first). Returns whether a job was removed. With pg_cron in another
-- database there is nothing to remove from here: a NOTICE gives the statement to run there.
CREATE FUNCTION mlobs.unschedule_monitors() RETURNS bool
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  removed bool;
BEGIN
  -- pg_cron's own schema only (schedule_monitors says why).
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension e
                   JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.refobjid = e.oid
                                              AND d.classid = 'pg_catalog.pg_namespace'::regclass AND d.deptype = 'e'
                   JOIN pg_catalog.pg_namespace n ON n.oid = d.objid
                  WHERE e.extname = 'pg_cron' AND n.nspname = 'cron') THEN
    RAISE NOTICE 'pg_cron is not installed in this database; in its database, run: %',
      mlobs.unschedule_monitors_command();
    RETURN false;
  END IF;
  -- The same statement as in pg_cron's database, so this database's job names are defined once.
  EXECUTE 'SELECT bool_or(removed) FROM (' || rtrim(mlobs.unschedule_monitors_command(), ';') || ') AS jobs(removed)'
    INTO removed;
  RETURN coalesce(removed, false);
END $$;

-- The run for long catch-ups and backfills (CALL it, outside a transaction block; pg_cron can):
-- each group of monitors that share a scan (source, timestamp column, window size, owner) runs
-- and COMMITs on its own, so another connection sees each group's windows, points and mlobs.runs
-- row as soon as the group is done, and a later group's failure or a killed backend loses only
-- the group being computed; then one full run (mlobs.run_monitors) consumes the recorded changes,
-- revises what they touched and evaluates every rule. While a group runs,
-- pg_stat_activity.application_name names its window. No SET search_path: PostgreSQL forbids
-- COMMIT in a procedure with a SET clause; the body names only schema-qualified mlobs objects
-- and pg_catalog functions, with no operator the caller's search_path could resolve.
CREATE PROCEDURE mlobs.run_monitors_committed(now timestamptz DEFAULT NULL, backfill_from timestamptz DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
  g record;
  r mlobs.runs;
  -- Qualified: the body is compiled with the caller's search_path (a domain named timestamptz
  -- ahead of pg_catalog would run its CHECK as the caller).
  as_of pg_catalog.timestamptz := pg_catalog.statement_timestamp();
BEGIN
  -- A hot standby: a clear error before any work (not "cannot execute INSERT in a read-only transaction").
  PERFORM mlobs._require_primary('mlobs.run_monitors_committed');
  IF now IS NOT NULL THEN as_of := now; END IF;
  FOR g IN SELECT pg_catalog.array_agg(mo.id ORDER BY mo.id) AS ids FROM mlobs.monitors mo WHERE mo.enabled
            GROUP BY mo.source, mo.ts_column, mo.window_size, mo.owner ORDER BY pg_catalog.min(mo.id) LOOP
    r := mlobs.run_monitors(as_of, backfill_from, NULL, g.ids);
    COMMIT;
    -- Cancelled (statement_timeout, a cancel request): what is committed stays, the rest waits.
    IF r.errors OPERATOR(pg_catalog.@>) '[{"sqlstate": "57014"}]'::pg_catalog.jsonb THEN
      RETURN;
    END IF;
  END LOOP;
  PERFORM mlobs.run_monitors(as_of, backfill_from);
  COMMIT;
END $$;

-- pg_cron can be created in one database per cluster only (cron.database_name, `postgres` by
-- default), and a function here cannot reach another database. So for a log in any other
-- database this returns the statement to run in pg_cron's database: pg_cron 1.4's
-- cron.schedule_in_database, with a job name per database (jobs are unique per name and user).
-- pg_cron leaves schedule_in_database to superusers unless they grant it, so a superuser usually
-- runs the statement: job_role names the role the job runs as. monitors_of makes it the job of one
-- owner's monitors (job mlobs_run_monitors_<hash of database and owner>): owners that must stay apart get
-- one job each, run as themselves (SET ROLE is no boundary between owners of one job).
CREATE FUNCTION mlobs.schedule_monitors_command(cron text DEFAULT '*/5 * * * *', job_role name DEFAULT NULL,
                                                monitors_of regrole DEFAULT NULL) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT pg_catalog.format('SELECT cron.schedule_in_database(%L, %L, %L, %L%s);',
           -- A per-owner job's name hashes database and owner: pg_cron keeps 63 bytes of a name
           -- and replaces a job of the same name and user, so '<db>_<owner>' could collide.
           CASE WHEN monitors_of IS NOT NULL
                THEN 'mlobs_run_monitors_' || pg_catalog.left(pg_catalog.md5(pg_catalog.current_database() || '|' || monitors_of::text), 20)
                WHEN pg_catalog.octet_length('mlobs_run_monitors_' || pg_catalog.current_database()) <= 63
                THEN 'mlobs_run_monitors_' || pg_catalog.current_database()
                ELSE 'mlobs_run_monitors_' || pg_catalog.left(pg_catalog.md5(pg_catalog.current_database()), 20) END, cron,
           CASE WHEN monitors_of IS NULL THEN 'SELECT mlobs.run_monitors(now() - interval ''1 minute'')'
                ELSE pg_catalog.format('SELECT mlobs.run_monitors(now() - interval ''1 minute'', '
                                       'monitor_ids => ARRAY(SELECT id FROM mlobs.monitors WHERE owner = %L::regrole))',
                                       monitors_of::text) END,
           pg_catalog.current_database(),
           CASE WHEN job_role IS NOT NULL THEN pg_catalog.format(', username => %L', job_role) ELSE '' END)
   WHERE cron IS NOT NULL
$$;

-- The statement that removes this database's jobs in pg_cron's database (any of the names).
CREATE FUNCTION mlobs.unschedule_monitors_command() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT pg_catalog.format('SELECT cron.unschedule(jobid) FROM cron.job WHERE database = %L AND (jobname = %L OR starts_with(jobname, %L));',
           pg_catalog.current_database(), 'mlobs_run_monitors', 'mlobs_run_monitors_')
$$;

-- Checks a multivariate_drift monitor's config (create_monitor), with messages naming the key.
CREATE FUNCTION mlobs._mv_check_config(name text, config jsonb, reference_from timestamptz, reference_to timestamptz,
                                       window_size interval)
RETURNS void LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  method text;
BEGIN
  IF NOT config ? 'keys' THEN
    RAISE EXCEPTION 'monitor %: config.keys is required for a multivariate_drift monitor: an array of 2 to 500 keys of the features column',
      name USING ERRCODE = '22023';
  END IF;
  IF jsonb_typeof(config->'keys') <> 'array' OR jsonb_array_length(config->'keys') NOT BETWEEN 2 AND 500
     OR EXISTS (SELECT 1 FROM jsonb_array_elements(config->'keys') k WHERE jsonb_typeof(k) <> 'string')
     OR (SELECT count(DISTINCT k) FROM jsonb_array_elements_text(config->'keys') k) <> jsonb_array_length(config->'keys') THEN
    RAISE EXCEPTION 'monitor %: config.keys must be an array of 2 to 500 distinct keys (strings), got %', name, config->'keys'
      USING ERRCODE = '22023';
  END IF;
  IF config ? 'method' AND (jsonb_typeof(config->'method') <> 'string' OR config->>'method' NOT IN ('pca', 'domain_classifier')) THEN
    RAISE EXCEPTION 'monitor %: config.method must be pca or domain_classifier, got %', name, config->'method'
      USING ERRCODE = '22023';
  END IF;
  method := coalesce(config->>'method', 'pca');
  IF config ? 'variance' AND method <> 'pca' OR config ? 'sample' AND method <> 'domain_classifier' THEN
    RAISE EXCEPTION 'monitor %: config.% applies to method %, not %', name,
      CASE WHEN config ? 'variance' AND method <> 'pca' THEN 'variance' ELSE 'sample' END,
      CASE WHEN config ? 'variance' AND method <> 'pca' THEN 'pca' ELSE 'domain_classifier' END, method
      USING ERRCODE = '22023';
  END IF;
  IF config ? 'variance' AND (jsonb_typeof(config->'variance') <> 'number'
                              OR NOT ((config->>'variance')::numeric > 0 AND (config->>'variance')::numeric < 1)) THEN
    RAISE EXCEPTION 'monitor %: config.variance must be a number between 0 and 1 (exclusive), got %', name, config->'variance'
      USING ERRCODE = '22023';
  END IF;
  IF config ? 'sample' AND (jsonb_typeof(config->'sample') <> 'number'
                            OR (config->>'sample')::numeric NOT BETWEEN 10 AND 5000
                            OR (config->>'sample')::numeric % 1 <> 0) THEN
    RAISE EXCEPTION 'monitor %: config.sample must be a whole number of rows from 10 to 5000, got %', name, config->'sample'
      USING ERRCODE = '22023';
  END IF;
  -- The learned band needs the spread of at least two reference windows.
  IF method = 'pca' AND reference_to - reference_from < 2 * window_size THEN
    RAISE EXCEPTION 'monitor %: method pca learns its threshold from the reference windows: the reference [%, %) must span at least 2 windows of %',
      name, reference_from, reference_to, window_size USING ERRCODE = '22023';
  END IF;
END $$;

-- A multivariate_drift monitor's window summary expression (jsonb text): pca — the mean
-- reconstruction error of the complete rows under the stored model, and their count; domain
-- classifier — the bounded sample of complete rows.
CREATE FUNCTION mlobs._mv_summary_sql(m mlobs.monitors) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  e text;
BEGIN
  IF coalesce(m.config->>'method', 'pca') = 'pca' THEN
    e := format('mlobs.pca_error(%s::jsonb, ARRAY[%s])',
                coalesce(quote_literal(m.reference_summary::jsonb->'model'), 'NULL'), mlobs._mv_row_sql(m));
    -- Summed as numeric (each error to 15 digits, the sum exact): the same summary whatever order
    -- a scan meets the rows in (a shared GROUP BY scan sorts them), as every stored summary is.
    RETURN format('jsonb_build_object(''error'', avg((%1$s)::numeric), ''rows'', count(%1$s))::text', e);
  END IF;
  RETURN format('jsonb_build_object(''sample'', mlobs._row_sample_agg(%s, %s))::text', mlobs._mv_row_sql(m),
                coalesce((m.config->>'sample')::int, 2000));
END $$;

-- A multivariate_drift monitor's reference summary (jsonb text). pca: the model fitted on the
-- reference's complete rows, the mean error of each reference window (the reference period cut
-- into the monitor's windows, as NannyML's reference chunks) and the band learned from them
-- (mean ± 3σ, σ with divisor n, lower end clipped at 0: NannyML's StandardDeviationThreshold for
-- data reconstruction drift); fewer than two windows with complete rows leave the band NULL.
-- domain_classifier: the bounded sample of the reference's complete rows.
CREATE FUNCTION mlobs._mv_reference(m mlobs.monitors) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  model jsonb;
  sample text;
  errors float8[];
  counts bigint[];
  band mlobs.threshold_band;
BEGIN
  IF coalesce(m.config->>'method', 'pca') = 'domain_classifier' THEN
    EXECUTE format('SELECT mlobs._row_sample_agg(%s, %s) FROM %s WHERE %I >= $1 AND %I < $2', mlobs._mv_row_sql(m),
                   coalesce((m.config->>'sample')::int, 2000), m.source, m.ts_column, m.ts_column)
      INTO sample USING m.reference_from, m.reference_to;
    -- Fewer than 10 would fail every window after it (review of 2026-12-07): not stored, so the
    -- next run tries the reference again.
    IF sample IS NULL OR array_length(sample::float8[], 1) < 10 THEN
      RAISE EXCEPTION 'monitor %: the reference window [%, %) has % complete rows (every key a number); the domain classifier needs at least 10',
        m.name, m.reference_from, m.reference_to, coalesce(array_length(sample::float8[], 1), 0) USING ERRCODE = '22023';
    END IF;
    RETURN jsonb_build_object('method', 'domain_classifier', 'sample', sample)::text;
  END IF;
  BEGIN
    EXECUTE format('SELECT mlobs.pca_fit(array_agg(r), $3) FROM (SELECT %s AS r FROM %s WHERE %I >= $1 AND %I < $2) s',
                   mlobs._mv_row_sql(m), m.source, m.ts_column, m.ts_column)
      INTO model USING m.reference_from, m.reference_to, coalesce((m.config->>'variance')::float8, 0.65);
  EXCEPTION WHEN invalid_parameter_value OR numeric_value_out_of_range THEN
    -- pca_fit's message names neither the monitor nor its keys.
    RAISE EXCEPTION 'monitor %: the reference window [%, %) of keys % cannot be fitted: %', m.name, m.reference_from,
      m.reference_to, m.config->'keys', SQLERRM USING ERRCODE = SQLSTATE;
  END;
  IF model IS NULL THEN
    RETURN NULL;  -- no reference rows: _monitor_reference says so
  END IF;
  EXECUTE format('SELECT array_agg(e ORDER BY b), array_agg(n ORDER BY b) FROM (
                    SELECT date_bin($3, %1$I, timestamptz ''2000-01-01 00:00:00+00'') AS b, avg(x) AS e, count(x) AS n
                      FROM (SELECT %1$I, mlobs.pca_error($4, ARRAY[%2$s]) AS x FROM %3$s WHERE %1$I >= $1 AND %1$I < $2) r
                     GROUP BY 1) c WHERE n > 0',
                 m.ts_column, mlobs._mv_row_sql(m), m.source)
    INTO errors, counts USING m.reference_from, m.reference_to, m.window_size, model;
  IF cardinality(errors) >= 2 THEN
    band := mlobs.learned_threshold(errors, 3, lower_limit => 0);
  END IF;
  RETURN jsonb_build_object('method', 'pca', 'model', model, 'reference_errors', errors, 'reference_rows', counts,
                            'lower', band.lower, 'upper', band.upper)::text;
END $$;

-- Metric points of a multivariate_drift window (feature ''). pca: reconstruction_error and the
-- band (reconstruction_error_lower, _upper); multivariate_drift 1 outside the band (NannyML: not
-- lower < value < upper), else 0. domain_classifier: domain_classifier_auc (NULL with fewer than
-- 10 complete rows in the window); multivariate_drift 1 when AUC >= 0.65, else 0. NULL without a
-- value.
CREATE FUNCTION mlobs._mv_metrics(m mlobs.monitors, summary text)
RETURNS TABLE (feature text, metric text, value float8)
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  s jsonb := summary::jsonb;
  r jsonb := m.reference_summary::jsonb;
  v float8;
  lo float8;
  hi float8;
  cur float8[];
BEGIN
  feature := '';
  IF r->>'method' = 'domain_classifier' THEN
    cur := (s->>'sample')::float8[];
    IF array_length(cur, 1) >= 10 THEN
      v := (mlobs.domain_classifier((r->>'sample')::float8[], cur)).auc;
    END IF;
    -- No lower end: an AUC below 0.5 is the out-of-bag estimate's pessimism, not drift.
    lo := '-Infinity'; hi := 0.65;
    metric := 'domain_classifier_auc'; value := v; RETURN NEXT;
  ELSE
    v := (s->>'error')::float8;
    lo := (r->>'lower')::float8; hi := (r->>'upper')::float8;
    metric := 'reconstruction_error'; value := v; RETURN NEXT;
    metric := 'reconstruction_error_lower'; value := lo; RETURN NEXT;
    metric := 'reconstruction_error_upper'; value := hi; RETURN NEXT;
  END IF;
  metric := 'multivariate_drift';
  value := CASE WHEN v IS NULL OR lo IS NULL OR hi IS NULL THEN NULL WHEN lo < v AND v < hi THEN 0 ELSE 1 END;
  RETURN NEXT;
END $$;

-- The row of numbers a multivariate_drift monitor reads from each source row.
CREATE FUNCTION mlobs._mv_row_sql(m mlobs.monitors) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format('mlobs.jsonb_floats(%s, %L::text[])', mlobs._monitor_column(m, 'features'),
                ARRAY(SELECT jsonb_array_elements_text(m.config->'keys')))
$$;

-- NannyML's estimated-vs-realised view: per model and window, the CBPE estimate (from scores,
-- available at once) beside the realised value (from labels, revised as they land), the label
-- coverage it rests on, and the estimation error. The cbpe and classification monitors of a
-- model are matched on the window: one row per cbpe monitor and window, realised by the model's
-- first classification monitor with that window (a model with a second one, say per label
-- column, gave a row for each, review of 2026-12-07).
CREATE VIEW mlobs.estimated_vs_realised AS
SELECT e.model, e.window_start, e.ts AS window_end, pg_catalog.substr(e.metric, 6) AS metric, e.value AS estimated,
       r.value AS realised, c.value AS labelled_share, r.value - e.value AS estimation_error
  FROM mlobs.metric_points e
  LEFT JOIN LATERAL (SELECT r1.value, r1.monitor_id, r1.window_start FROM mlobs.metric_points r1
                      WHERE r1.model = e.model AND r1.window_start = e.window_start AND r1.feature = ''
                        AND r1.metric = pg_catalog.substr(e.metric, 6) AND r1.ts = e.ts AND r1.segment = ''
                      ORDER BY r1.monitor_id LIMIT 1) r ON true
  LEFT JOIN mlobs.metric_points c ON c.monitor_id = r.monitor_id AND c.window_start = r.window_start
                                 AND c.feature = '' AND c.metric = 'labelled_share' AND c.segment = ''
 WHERE e.metric IN ('cbpe_accuracy', 'cbpe_f1') AND e.feature = '' AND e.segment = '';
COMMENT ON VIEW mlobs.estimated_vs_realised IS 'CBPE estimate beside the realised value of every window, with label coverage and estimation error';

-- Every run's errors without their messages, for readers (dashboards, exporters): a message can
-- quote a value of the monitored table (a failed cast names it), so mlobs.runs.errors and
-- mlobs.window_failures.error are for mlobs_admin only. One row per error, in the run's order.
CREATE VIEW mlobs.run_errors AS
SELECT r.id AS run_id, r.started_at, e.ordinality AS n, e.value->>'monitor' AS monitor, e.value->>'sqlstate' AS sqlstate,
       (e.value->>'window_start')::timestamptz AS window_start, coalesce((e.value->>'retry')::bool, false) AS retry
  FROM mlobs.runs r CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(r.errors) WITH ORDINALITY AS e;
COMMENT ON VIEW mlobs.run_errors IS 'Each run''s errors (monitor, SQLSTATE, window) without their messages, readable by mlobs_reader';

-- The demo data generator leaves the production extension (issue 21): it is mlobs_demo.simulate
-- in the companion extension mlobs_demo (CREATE EXTENSION mlobs_demo). A view or function of the
-- user's that calls mlobs.simulate makes this update fail (2BP01) instead of being dropped with it.
ALTER EXTENSION mlobs DROP FUNCTION mlobs.simulate(timestamptz, interval, int, jsonb, float8);
DROP FUNCTION mlobs.simulate(timestamptz, interval, int, jsonb, float8);

-- The hot-standby check of every writer (issue 21), one function in Rust (src/errors.rs).
CREATE FUNCTION mlobs._require_primary(writer text) RETURNS void STRICT STABLE PARALLEL SAFE
LANGUAGE c AS 'MODULE_PATHNAME', 'require_primary_sql_wrapper';

-- Training (issue 19): the C entry points, then src/sql/training.sql as is (all of it is new).
CREATE FUNCTION mlobs._compare_models(name text, version_a int, version_b int, source oid, "from" text, "to" text,
  target text, features text[], ts_column text)
RETURNS TABLE (metric text, value_a float8, value_b float8, difference float8, test text, statistic float8,
               p_value float8, rows bigint)
STABLE PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'compare_impl_wrapper';
CREATE FUNCTION mlobs._train(name text, source oid, target text, features text[], algorithm text, params jsonb,
  train_from text, train_to text, ts_column text, feature_names text[])
RETURNS int VOLATILE PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'train_impl_wrapper';
-- Stages: the version predict, shap and the other readers serve by default is the one in
-- 'production' (else the latest); 'candidate' marks a version under evaluation.
CREATE TABLE mlobs.model_stages (
  name text NOT NULL,
  stage text NOT NULL CHECK (stage IN ('production', 'candidate')),
  version int NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  updated_by text NOT NULL DEFAULT CURRENT_USER,
  PRIMARY KEY (name, stage),
  FOREIGN KEY (name, version) REFERENCES mlobs.models (name, version) ON DELETE CASCADE);
COMMENT ON TABLE mlobs.model_stages IS 'The version of each model in stage production or candidate (mlobs.promote)';
CREATE TABLE mlobs.model_stage_history (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  stage text NOT NULL,
  version int NOT NULL,
  previous_version int,
  changed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  changed_by text NOT NULL DEFAULT CURRENT_USER,
  reason text);
COMMENT ON TABLE mlobs.model_stage_history IS 'Every stage change made by mlobs.promote';
SELECT pg_catalog.pg_extension_config_dump('mlobs.model_stages', '');
SELECT pg_catalog.pg_extension_config_dump('mlobs.model_stage_history', '');
SELECT pg_catalog.pg_extension_config_dump('mlobs.model_stage_history_id_seq', '');

-- How the loop retrains a model: what to read and fit, over which windows, when to promote.
CREATE TABLE mlobs.retraining_policies (
  model text PRIMARY KEY,
  source regclass NOT NULL,
  target text NOT NULL,
  features text[] NOT NULL,
  feature_names text[],
  algorithm text NOT NULL DEFAULT 'random_forest',
  params jsonb NOT NULL DEFAULT '{}',
  ts_column text NOT NULL DEFAULT 'ts',
  -- The model is trained on [end − holdout_window − train_window, end − holdout_window) and
  -- compared with production on [end − holdout_window, end], end being the last labelled row.
  train_window interval NOT NULL DEFAULT '14 days' CHECK (train_window > interval '0'),
  holdout_window interval NOT NULL DEFAULT '2 days' CHECK (holdout_window > interval '0'),
  metric text CHECK (metric IN ('accuracy', 'roc_auc', 'log_loss', 'f1', 'rmse', 'mae', 'r2')),
  min_improvement float8 NOT NULL DEFAULT 0 CHECK (min_improvement >= 0),
  -- A request raised by an alert waits until both windows lie after the alert's first breached
  -- window: a model retrained for a concept drift learns from rows of the new concept only.
  train_after_alert bool NOT NULL DEFAULT true,
  enabled bool NOT NULL DEFAULT true,
  -- The role the loop trains as (reads the source as): nobody trains on rows they cannot read.
  owner regrole NOT NULL DEFAULT pg_catalog.to_regrole(pg_catalog.quote_ident(CURRENT_USER)),
  created_at timestamptz NOT NULL DEFAULT pg_catalog.now());
COMMENT ON TABLE mlobs.retraining_policies IS 'How mlobs.process_retraining_requests retrains each model';
-- Only members of a policy's owner may create, change or delete it: the loop reads its source as that
-- role (src/sql/monitor_config.sql, _check_monitor_owner).
CREATE TRIGGER check_owner BEFORE INSERT OR UPDATE OR DELETE ON mlobs.retraining_policies
  FOR EACH ROW EXECUTE FUNCTION mlobs._check_monitor_owner();
SELECT pg_catalog.pg_extension_config_dump('mlobs.retraining_policies', '');

-- What the loop did with a request.
ALTER TABLE mlobs.retraining_requests DROP CONSTRAINT retraining_requests_status_check,
  ADD CONSTRAINT retraining_requests_status_check CHECK (status IN ('open', 'done', 'dismissed', 'failed')),
  ADD COLUMN processed_at timestamptz,
  ADD COLUMN trained_version int,
  ADD COLUMN decision text CHECK (decision IN ('promoted', 'kept', 'failed')),
  ADD COLUMN outcome jsonb,
  -- A failure's message: it can quote a value of the source (a failed cast names it), so readers
  -- get every column but this one (outcome has the SQLSTATE).
  ADD COLUMN error text;
-- One open request per model (mlobs._evaluate_alert_steps): two runs at once raised two, and the
-- model was trained twice. An update from a version without the index dismisses the later
-- duplicates.
UPDATE mlobs.retraining_requests q SET status = 'dismissed', processed_at = pg_catalog.now(), decision = NULL,
       outcome = '{"reason": "a duplicate open request of the model"}'
 WHERE q.status = 'open' AND EXISTS (SELECT 1 FROM mlobs.retraining_requests o
                                      WHERE o.model = q.model AND o.status = 'open' AND o.id < q.id);
CREATE UNIQUE INDEX retraining_requests_one_open ON mlobs.retraining_requests (model) WHERE status = 'open';

CREATE FUNCTION mlobs.train(name text, source regclass, target text, features text[],
  algorithm text DEFAULT 'random_forest', params jsonb DEFAULT '{}', train_from timestamptz DEFAULT NULL,
  train_to timestamptz DEFAULT NULL, ts_column text DEFAULT 'ts', feature_names text[] DEFAULT NULL)
RETURNS int LANGUAGE sql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT mlobs._train(name, source::oid, target, features, algorithm, params, to_jsonb(train_from) #>> '{}',
                      to_jsonb(train_to) #>> '{}',
                      ts_column, feature_names)
$$;
COMMENT ON FUNCTION mlobs.train(text, regclass, text, text[], text, jsonb, timestamptz, timestamptz, text, text[]) IS
  'Trains a model on the labelled rows of a window with smartcore and registers it as the next version (docs/training.md)';

CREATE FUNCTION mlobs.compare_models(name text, version_a int, version_b int, source regclass, "from" timestamptz,
  "to" timestamptz, target text DEFAULT NULL, features text[] DEFAULT NULL, ts_column text DEFAULT NULL)
RETURNS TABLE (metric text, value_a float8, value_b float8, difference float8, test text, statistic float8,
               p_value float8, rows bigint)
LANGUAGE sql STABLE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT * FROM mlobs._compare_models(name, version_a, version_b, source::oid, to_jsonb("from") #>> '{}',
                                      to_jsonb("to") #>> '{}', target,
                                      features, ts_column)
$$;
COMMENT ON FUNCTION mlobs.compare_models(text, int, int, regclass, timestamptz, timestamptz, text, text[], text) IS
  'Scores two versions of a model on the same labelled rows: metrics, differences (b - a) and paired tests (docs/training.md)';

-- The version a stage holds; 'production' falls back to the latest version (what the readers
-- serve), 'latest' is the newest version whatever its stage.
CREATE FUNCTION mlobs.model_version(name text, stage text DEFAULT 'production')
RETURNS int LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v int;
BEGIN
  IF stage IS NULL OR stage NOT IN ('production', 'candidate', 'latest') THEN
    RAISE EXCEPTION 'stage must be production, candidate or latest, got %', coalesce(quote_literal(stage), 'NULL')
      USING ERRCODE = '22023';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM mlobs.models m WHERE m.name = model_version.name) THEN
    RAISE EXCEPTION 'model ''%'' is not registered', model_version.name USING ERRCODE = '42704';
  END IF;
  SELECT s.version INTO v FROM mlobs.model_stages s WHERE s.name = model_version.name AND s.stage = model_version.stage;
  IF v IS NULL AND stage IN ('production', 'latest') THEN
    SELECT max(m.version) INTO v FROM mlobs.models m WHERE m.name = model_version.name;
  END IF;
  IF v IS NULL THEN
    RAISE EXCEPTION 'model ''%'' has no version in stage %', model_version.name, stage USING ERRCODE = '42704';
  END IF;
  RETURN v;
END $$;
COMMENT ON FUNCTION mlobs.model_version(text, text) IS
  'The version of a model in a stage (production: else the latest; candidate; latest)';

CREATE FUNCTION mlobs.promote(name text, version int, stage text DEFAULT 'production', reason text DEFAULT NULL)
RETURNS int LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  previous int;
BEGIN
  -- A hot standby: a clear error before any work (not "cannot execute INSERT in a read-only transaction").
  PERFORM mlobs._require_primary('mlobs.promote');
  IF stage IS NULL OR stage NOT IN ('production', 'candidate') THEN
    RAISE EXCEPTION 'stage must be production or candidate, got %', coalesce(quote_literal(stage), 'NULL')
      USING ERRCODE = '22023';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM mlobs.models m WHERE m.name = promote.name AND m.version = promote.version) THEN
    RAISE EXCEPTION 'model ''%'' version % is not registered', promote.name, coalesce(promote.version::text, 'NULL')
      USING ERRCODE = '42704';
  END IF;
  -- One stage change of a model at a time: the history's previous_version stays exact. Row locks
  -- on its versions (registered, checked above), which need a privilege only mlobs_admin has: an
  -- advisory lock's key could be taken by any role to stall promotions.
  PERFORM FROM mlobs.models m WHERE m.name = promote.name FOR NO KEY UPDATE;
  SELECT s.version INTO previous FROM mlobs.model_stages s WHERE s.name = promote.name AND s.stage = promote.stage;
  INSERT INTO mlobs.model_stages AS s (name, stage, version) VALUES (promote.name, promote.stage, promote.version)
  ON CONFLICT ON CONSTRAINT model_stages_pkey DO UPDATE
    SET version = EXCLUDED.version, updated_at = now(), updated_by = CURRENT_USER;
  -- A candidate that becomes production is no longer a candidate.
  IF stage = 'production' THEN
    DELETE FROM mlobs.model_stages s WHERE s.name = promote.name AND s.stage = 'candidate' AND s.version = promote.version;
  END IF;
  INSERT INTO mlobs.model_stage_history (name, stage, version, previous_version, reason)
  VALUES (promote.name, promote.stage, promote.version, previous, promote.reason);
  PERFORM pg_notify('mlobs_models', json_build_object('model', promote.name, 'stage', promote.stage,
                                                      'version', promote.version, 'previous', previous)::text);
  RETURN previous;
END $$;
COMMENT ON FUNCTION mlobs.promote(text, int, text, text) IS
  'Puts a model version in a stage (production by default) and records the change; returns the previous version';

-- Sets how a model is retrained; anything not given is taken from its latest version trained
-- by mlobs.train (source, target, features, algorithm, params, timestamp column).
CREATE FUNCTION mlobs.set_retraining_policy(model text, source regclass DEFAULT NULL, target text DEFAULT NULL,
  features text[] DEFAULT NULL, algorithm text DEFAULT NULL, params jsonb DEFAULT NULL,
  train_window interval DEFAULT '14 days', holdout_window interval DEFAULT '2 days', metric text DEFAULT NULL,
  min_improvement float8 DEFAULT 0, ts_column text DEFAULT NULL, feature_names text[] DEFAULT NULL,
  train_after_alert bool DEFAULT true)
RETURNS mlobs.retraining_policies LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  t jsonb;
  p mlobs.retraining_policies;
BEGIN
  IF model IS NULL THEN
    RAISE EXCEPTION 'model must not be NULL' USING ERRCODE = '22004';
  END IF;
  SELECT m.metadata->'training' INTO t FROM mlobs.models m
   WHERE m.name = set_retraining_policy.model AND m.metadata ? 'training' ORDER BY m.version DESC LIMIT 1;
  t := coalesce(t, '{}');
  p.model := model;
  p.source := coalesce(source, to_regclass(t->>'source'));
  p.target := coalesce(target, t->>'target');
  p.features := coalesce(features, CASE
    WHEN t->'features' ? 'columns' THEN ARRAY(SELECT jsonb_array_elements_text(t->'features'->'columns'))
    WHEN t->'features' ? 'jsonb' THEN ARRAY[t->'features'->>'jsonb'] END);
  -- Names belong to the jsonb column they were found in: inherited only with that column (a
  -- policy moved to columns or to another jsonb column finds its own); '{}' clears them.
  p.feature_names := CASE WHEN feature_names IS NOT NULL THEN nullif(feature_names, '{}')
    WHEN t->'features' ? 'jsonb' AND p.features = ARRAY[t->'features'->>'jsonb']
    THEN ARRAY(SELECT jsonb_array_elements_text(t->'features'->'names')) END;
  p.algorithm := coalesce(algorithm, t->>'algorithm', 'random_forest');
  -- The training's task and max_rows are recorded beside its params: without them an integer
  -- target fitted as a regression would be retrained as a classifier. The task goes with its target.
  p.params := coalesce(params, ((t->'params') - 'holdout') || jsonb_strip_nulls(jsonb_build_object(
    'max_rows', t->'max_rows', 'task', CASE WHEN p.target = t->>'target' THEN t->'task' END)), '{}');
  p.ts_column := coalesce(ts_column, t->>'ts_column', 'ts');
  IF p.source IS NULL OR p.target IS NULL OR p.features IS NULL THEN
    RAISE EXCEPTION 'model ''%'': give source, target and features (no version trained by mlobs.train to take them from)', model
      USING ERRCODE = '22023';
  END IF;
  p.train_window := train_window;
  p.holdout_window := holdout_window;
  p.metric := metric;
  p.min_improvement := min_improvement;
  p.train_after_alert := coalesce(train_after_alert, true);
  p.enabled := true;
  p.owner := to_regrole(quote_ident(CURRENT_USER));
  p.created_at := now();
  INSERT INTO mlobs.retraining_policies VALUES (p.*)
  ON CONFLICT ON CONSTRAINT retraining_policies_pkey DO UPDATE SET source = EXCLUDED.source, target = EXCLUDED.target,
    features = EXCLUDED.features, feature_names = EXCLUDED.feature_names, algorithm = EXCLUDED.algorithm,
    params = EXCLUDED.params, ts_column = EXCLUDED.ts_column, train_window = EXCLUDED.train_window,
    holdout_window = EXCLUDED.holdout_window, metric = EXCLUDED.metric, min_improvement = EXCLUDED.min_improvement,
    train_after_alert = EXCLUDED.train_after_alert, enabled = true, owner = EXCLUDED.owner
  RETURNING * INTO p;
  RETURN p;
END $$;
COMMENT ON FUNCTION mlobs.set_retraining_policy(text, regclass, text, text[], text, jsonb, interval, interval, text, float8, text, text[], bool) IS
  'Sets how mlobs.process_retraining_requests retrains a model (defaults from its latest trained version)';

-- The loop: each open request of a model with an enabled policy is trained on the policy's
-- recent labelled window (after the alert's breach, see train_after_alert; until then it
-- waits), compared with the production version on the rows after it (on the policy's features:
-- the production version may need no others), and promoted when better by more than min_improvement (else kept
-- as the candidate). Each request
-- is one subtransaction: a failure is recorded on it (status failed) and the others go on.
-- Requests are locked (SKIP LOCKED): two runs at once never process one twice; a run killed
-- midway commits nothing, and its requests stay open for the next run; a run cancelled
-- (statement_timeout) keeps the requests it finished. A run leaves the requests of policies whose
-- owner its session user may not act as open, for that owner's run.
CREATE FUNCTION mlobs.process_retraining_requests(model text DEFAULT NULL)
RETURNS TABLE (request_id bigint, model_name text, decision text, trained_version int, production_version int,
               metric text, production_value float8, trained_value float8, p_value float8, error text)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  req mlobs.retraining_requests;
  pol mlobs.retraining_policies;
  owner_name text;
  saved_role text := current_setting('role');
  last_ts timestamptz;
  alert_start timestamptz;
  holdout_from timestamptz;
  v int;
  prod int;
  m text;
  lower_better bool;
  c record;
  improvement float8;
  result jsonb;
  params jsonb;
  outside text[];
  reraise bigint[];
  later timestamptz;
  objective text;
  bad record;
  canceled bool := false;
BEGIN
  -- A hot standby: a clear error before any work (not "cannot execute INSERT in a read-only transaction").
  PERFORM mlobs._require_primary('mlobs.process_retraining_requests');
  -- Alerts raise a request when they start firing. One still firing after its model's last
  -- request ended without a promotion (kept or failed) asks again once a holdout window has
  -- passed since: the drift is not left unretrained for as long as the alert lasts.
  -- Two runs at once: each locks the last request it would raise after (SKIP LOCKED: the other
  -- run leaves that model), and the INSERT, a later statement, sees a request another run
  -- committed meanwhile: one request (and one candidate) per holdout window, not one per run.
  reraise := ARRAY(
    SELECT x.id FROM mlobs.retraining_requests x
     WHERE x.id IN (SELECT q.id FROM mlobs.retraining_policies p
                      JOIN LATERAL (SELECT y.* FROM mlobs.retraining_requests y WHERE y.model = p.model ORDER BY y.id DESC LIMIT 1) q ON true
                     WHERE p.enabled AND (process_retraining_requests.model IS NULL OR p.model = process_retraining_requests.model)
                       AND q.status IN ('done', 'failed') AND q.decision IS DISTINCT FROM 'promoted'
                       AND q.processed_at < now() - p.holdout_window
                       AND EXISTS (SELECT 1 FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id AND r.request_retraining
                                    WHERE a.model = p.model AND a.state = 'firing'))
     FOR UPDATE OF x SKIP LOCKED);
  -- An older request set back to open by hand holds the model's one open request: no second one
  -- (the unique index failed the whole call, every model's requests with it). Dynamic SQL: the
  -- conflict target's column would read as this function's parameter `model`.
  EXECUTE $ins$
  INSERT INTO mlobs.retraining_requests (model, alert_id, reason)
  SELECT DISTINCT ON (p.model) p.model, a.id,
         format('alert %s still firing after request %s ended %s', a.id, q.id, coalesce(q.decision, q.status))
    FROM mlobs.retraining_policies p
    JOIN LATERAL (SELECT * FROM mlobs.retraining_requests x WHERE x.model = p.model ORDER BY x.id DESC LIMIT 1) q ON true
    JOIN mlobs.alerts a ON a.model = p.model AND a.state = 'firing'
    JOIN mlobs.alert_rules r ON r.id = a.rule_id AND r.request_retraining
   -- q is still the model's last request, one reraise chose (ended, not promoted, a holdout
   -- window ago): not one another run raised meanwhile.
   WHERE p.enabled AND ($1 IS NULL OR p.model = $1) AND q.id = ANY ($2)
   ORDER BY p.model, a.id
  ON CONFLICT (model) WHERE status = 'open' DO NOTHING$ins$ USING process_retraining_requests.model, reraise;
  FOR req IN SELECT q.* FROM mlobs.retraining_requests q
              WHERE q.status = 'open' AND (process_retraining_requests.model IS NULL OR q.model = process_retraining_requests.model)
                -- Another team's requests are its own run's: left open, like those of a model
                -- without a policy (a policy whose owner was dropped fails its requests, 42704).
                AND EXISTS (SELECT 1 FROM mlobs.retraining_policies p WHERE p.model = q.model AND p.enabled
                              AND (p.owner = to_regrole(quote_ident(current_user)) OR pg_has_role(session_user, p.owner, 'MEMBER')
                                   OR NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.oid = p.owner)))
              -- A request cancelled by a run's statement_timeout goes after the others: one that
              -- never fits the timeout does not hold the rest back.
              ORDER BY coalesce((q.outcome->>'canceled')::int, 0), q.id FOR UPDATE OF q SKIP LOCKED LOOP
    request_id := req.id; model_name := req.model; decision := NULL; trained_version := NULL;
    production_version := NULL; metric := NULL; production_value := NULL; trained_value := NULL;
    p_value := NULL; error := NULL;
    BEGIN
      SELECT * INTO pol FROM mlobs.retraining_policies p WHERE p.model = req.model;
      SELECT rolname INTO owner_name FROM pg_roles WHERE oid = pol.owner;
      IF owner_name IS NULL THEN
        RAISE EXCEPTION 'the retraining policy''s owner (role oid %) no longer exists', pol.owner::oid USING ERRCODE = '42704';
      END IF;
      IF owner_name <> current_user AND NOT pg_has_role(session_user, pol.owner, 'MEMBER') THEN
        CONTINUE;  -- the policy changed owner since the request was taken: that owner's run's (open)
      END IF;
      IF owner_name <> current_user THEN
        PERFORM set_config('role', owner_name, true);
      END IF;
      -- A regclass of a dropped table prints as its OID (a syntax error in the queries below).
      IF NOT EXISTS (SELECT 1 FROM pg_class cl WHERE cl.oid = pol.source) THEN
        RAISE EXCEPTION '%', format('model %L: the retraining policy''s source (relation oid %s%s) no longer exists; '
            'set the policy again with its source (mlobs.set_retraining_policy)', req.model, pol.source::oid,
          coalesce((SELECT format(', %s when version %s was trained', x.metadata->'training'->>'source', x.version)
                      FROM mlobs.models x WHERE x.name = req.model AND x.metadata ? 'training' ORDER BY x.version DESC LIMIT 1), ''))
          USING ERRCODE = '42P01';
      END IF;
      -- Rows stamped after this run's now (a client's wrong clock) are not read: one of them would
      -- put every window in the future.
      EXECUTE format('SELECT max(%I) FROM %s WHERE %I IS NOT NULL AND %I <= $1', pol.ts_column, pol.source, pol.target,
                     pol.ts_column) INTO last_ts USING now();
      IF last_ts IS NULL THEN
        EXECUTE format('SELECT min(%I) FROM %s WHERE %I IS NOT NULL', pol.ts_column, pol.source, pol.target) INTO later;
        RAISE EXCEPTION '%', format('no labelled rows in %s%s', pol.source, CASE WHEN later IS NOT NULL
          THEN format(' stamped up to now; the first is stamped %s', to_jsonb(later) #>> '{}') ELSE '' END) USING ERRCODE = '22023';
      END IF;
      SELECT a.window_start INTO alert_start FROM mlobs.alerts a WHERE a.id = req.alert_id;
      IF pol.train_after_alert AND alert_start IS NOT NULL
         AND last_ts < alert_start + pol.train_window + pol.holdout_window THEN
        -- Not enough labelled rows after the breach yet: the request stays open.
        PERFORM set_config('role', saved_role, true);
        UPDATE mlobs.retraining_requests q SET outcome = jsonb_build_object('waiting_for_labels_until',
               alert_start + pol.train_window + pol.holdout_window, 'last_labelled', last_ts)
         WHERE q.id = req.id;
        decision := 'waiting';
        RETURN NEXT;
        CONTINUE;
      END IF;
      holdout_from := last_ts - pol.holdout_window;
      -- The policy's holdout window is the evaluation; inside the training window every row is fitted.
      params := jsonb_build_object('holdout', 0) || pol.params;
      v := mlobs.train(req.model, pol.source, pol.target, pol.features, pol.algorithm, params,
                       holdout_from - pol.train_window, holdout_from, pol.ts_column, pol.feature_names);
      trained_version := v;
      SELECT s.version INTO prod FROM mlobs.model_stages s WHERE s.name = req.model AND s.stage = 'production';
      IF prod IS NULL THEN
        SELECT max(x.version) INTO prod FROM mlobs.models x WHERE x.name = req.model AND x.version < v;
      END IF;
      production_version := prod;
      IF prod IS NULL THEN
        decision := 'promoted';
        result := jsonb_build_object('reason', 'no production version');
      ELSE
        -- Rows are read with the owner's rights, so only what the policy trains on: any mlobs_admin
        -- can register and promote a version whose feature names are other columns (or keys) of
        -- the source, and would read them through the comparison's results and errors.
        SELECT array_agg(f ORDER BY f) INTO outside
          FROM unnest((SELECT x.feature_names FROM mlobs.models x WHERE x.name = req.model AND x.version = prod)) f
         WHERE f <> ALL (coalesce((SELECT x.feature_names FROM mlobs.models x WHERE x.name = req.model AND x.version = v), '{}'));
        IF outside IS NOT NULL THEN
          RAISE EXCEPTION 'production version % needs features the policy does not train on: %', prod, array_to_string(outside, ', ')
            USING ERRCODE = '22023',
                  HINT = 'Compare the versions with mlobs.compare_models and promote by hand, or add the features to the policy.';
        END IF;
        SELECT x.objective INTO objective FROM mlobs.models x WHERE x.name = req.model AND x.version = v;
        m := coalesce(pol.metric, CASE WHEN objective IN ('regression', 'regressor') THEN 'rmse' ELSE 'roc_auc' END);
        BEGIN
          SELECT * INTO c FROM mlobs.compare_models(req.model, prod, v, pol.source, holdout_from, last_ts + interval '1 microsecond',
                                                    pol.target, pol.features, pol.ts_column) x WHERE x.metric = m;
          IF m = 'roc_auc' AND c.value_a IS NULL THEN
            m := 'accuracy';
            SELECT * INTO c FROM mlobs.compare_models(req.model, prod, v, pol.source, holdout_from, last_ts + interval '1 microsecond',
                                                      pol.target, pol.features, pol.ts_column) x WHERE x.metric = m;
          END IF;
        EXCEPTION WHEN invalid_parameter_value THEN
          -- A regression label that is not finite (or whose error overflows) fails the comparison's
          -- paired test with "loss_a must be finite", naming nothing: name the model, the window
          -- and the row, as train does for its own rows (the target is not finite).
          IF SQLERRM NOT LIKE 'loss\_% must be finite%' OR objective NOT IN ('regression', 'regressor') THEN
            RAISE;
          END IF;
          EXECUTE format('SELECT %1$I AS ts, %2$I::float8 AS y FROM %3$s WHERE %1$I >= $1 AND %1$I <= $2 AND %2$I IS NOT NULL '
                         'ORDER BY %2$I::float8 IN (''NaN'', ''Infinity'', ''-Infinity'') DESC, abs(%2$I::float8) DESC NULLS FIRST, %1$I LIMIT 1',
                         pol.ts_column, pol.target, pol.source) INTO bad USING holdout_from, last_ts;
          RAISE EXCEPTION '%', format('model %L: cannot compare the trained version with version %s on the holdout [%s, %s]: %s',
                                      req.model, prod, to_jsonb(holdout_from) #>> '{}', to_jsonb(last_ts) #>> '{}',
                                      CASE WHEN bad.y IN ('NaN', 'Infinity', '-Infinity')
                                           THEN format('the target is not finite (%s) in the row at %s', bad.y, to_jsonb(bad.ts) #>> '{}')
                                           ELSE format('a row''s error is not finite; the largest target is %s, in the row at %s', bad.y,
                                                       to_jsonb(bad.ts) #>> '{}') END)
            USING ERRCODE = '22023';
        END;
        IF c.value_a IS NULL OR c.value_b IS NULL THEN
          RAISE EXCEPTION 'no labelled rows to compare on in [%, %]', holdout_from, last_ts USING ERRCODE = '22023';
        END IF;
        lower_better := m IN ('rmse', 'mae', 'log_loss');
        improvement := CASE WHEN lower_better THEN c.value_a - c.value_b ELSE c.value_b - c.value_a END;
        metric := m; production_value := c.value_a; trained_value := c.value_b; p_value := c.p_value;
        decision := CASE WHEN improvement > pol.min_improvement THEN 'promoted' ELSE 'kept' END;
        result := jsonb_build_object('metric', m, 'production_value', c.value_a, 'trained_value', c.value_b,
                                     'improvement', improvement, 'min_improvement', pol.min_improvement,
                                     'test', c.test, 'p_value', c.p_value, 'rows', c.rows);
      END IF;
      PERFORM set_config('role', saved_role, true);
      PERFORM mlobs.promote(req.model, v, CASE decision WHEN 'promoted' THEN 'production' ELSE 'candidate' END,
                            format('retraining request %s', req.id));
      result := result || jsonb_build_object('production_version', prod, 'trained_version', v,
        'train_window', jsonb_build_array(holdout_from - pol.train_window, holdout_from),
        'holdout_window', jsonb_build_array(holdout_from, last_ts));
      UPDATE mlobs.models x SET metadata = x.metadata || jsonb_build_object('retraining', result)
       WHERE x.name = req.model AND x.version = v;
      UPDATE mlobs.retraining_requests q SET status = 'done', processed_at = now(), trained_version = v,
             decision = process_retraining_requests.decision, outcome = result
       WHERE q.id = req.id;
    EXCEPTION WHEN query_canceled THEN
      -- statement_timeout (a common guard on a job's role) or a cancel request: this request is
      -- rolled back and left open, the requests before it are kept and returned (the statement
      -- ends, its transaction commits them), the rest are left to the next run. Otherwise a run
      -- longer than the timeout lost every request it finished, and each run redid the same ones.
      decision := 'canceled'; trained_version := NULL; error := SQLERRM;
      canceled := true;
      UPDATE mlobs.retraining_requests q
         SET outcome = jsonb_build_object('canceled', coalesce((q.outcome->>'canceled')::int, 0) + 1, 'sqlstate', SQLSTATE)
       WHERE q.id = req.id;
    WHEN OTHERS THEN
      -- The subtransaction's rollback undid the version and restored the role.
      decision := 'failed'; trained_version := NULL; error := SQLERRM;
      UPDATE mlobs.retraining_requests q SET status = 'failed', processed_at = now(), decision = 'failed',
             outcome = jsonb_build_object('sqlstate', SQLSTATE), error = SQLERRM
       WHERE q.id = req.id;
    END;
    IF canceled THEN
      RETURN NEXT;
      EXIT;
    END IF;
    PERFORM pg_notify('mlobs_retraining_done', json_build_object('request', req.id, 'model', req.model,
                      'decision', decision, 'version', trained_version)::text);
    RETURN NEXT;
  END LOOP;
END $$;
COMMENT ON FUNCTION mlobs.process_retraining_requests(text) IS
  'Retrains, compares and (when better) promotes the models of open retraining requests (schedule with pg_cron)';

-- Retention (issue 21): src/sql/retention.sql as is (all of it is new).
-- Logs grow without bound while their summaries are small. A log partitioned by time (native
-- RANGE partitioning on the monitors' timestamp column) loses its old partitions with
-- mlobs.drop_summarised_partitions once every window touching them is summarised and can no
-- longer be revised; mlobs.prune_history ages out the runtime's own tables.

-- Where each log's raw rows begin after retention: no run recomputes a window that starts before
-- it (a backfill, a revision after a horizon was raised), which would otherwise store the
-- summary of the rows left, i.e. of none, over a window computed when they existed.
CREATE TABLE mlobs.log_retention (
  source regclass PRIMARY KEY,
  dropped_before timestamptz NOT NULL,      -- the rows before this were dropped
  updated_at timestamptz NOT NULL DEFAULT pg_catalog.now());
COMMENT ON TABLE mlobs.log_retention IS 'Per log table: its raw rows before dropped_before are gone (mlobs.drop_summarised_partitions)';
SELECT pg_catalog.pg_extension_config_dump('mlobs.log_retention', '');

-- The relations a view reads (none for a table), through views of views to the tables below,
-- UNION branches and subqueries included: a monitor of the view reads their rows (and, through a
-- partition, some rows of the tables above it: the callers match partition trees). UNION, not
-- UNION ALL: each relation is visited once, so even a cycle of views ends the walk.
CREATE FUNCTION mlobs._tables_of_view(src regclass) RETURNS regclass[]
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  WITH RECURSIVE reached(rel) AS (
    SELECT src::oid
    UNION
    SELECT d.refobjid
      FROM reached r JOIN pg_rewrite w ON w.ev_class = r.rel
      JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid AND d.refclassid = 'pg_class'::regclass)
  SELECT coalesce(array_agg(r.rel::regclass ORDER BY r.rel), '{}') FROM reached r WHERE r.rel <> src
$$;

-- The retention boundary of a monitor's source: that of any log whose partition tree holds the
-- source or a relation its views read (a partition of the log, the log, or a table above it).
CREATE FUNCTION mlobs._retained_before(src regclass) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT max(r.dropped_before) FROM mlobs.log_retention r
   WHERE r.source = src OR r.source = ANY (mlobs._tables_of_view(src))
      OR EXISTS (SELECT 1 FROM unnest(src::oid || mlobs._tables_of_view(src)::oid[]) x(rel)
                  WHERE x.rel IN (SELECT t.relid FROM pg_partition_tree(r.source) t
                                  UNION ALL SELECT a.relid FROM pg_partition_ancestors(r.source) a))
$$;

-- Why monitor m still needs the raw rows of [lo, hi) of its log, or NULL when it does not. A
-- window touching the range must be computed (the watermark past it, no failure to retry) and
-- out of the monitor's horizon (labels and late rows revise younger windows from raw rows); a
-- reference overlapping it must be computed and final (no more labels landing in it).
CREATE FUNCTION mlobs._monitor_needs_range(m mlobs.monitors, lo timestamptz, hi timestamptz, as_of timestamptz) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  labels bool;
  reference_labels bool;
  first_ws timestamptz;
  last_end timestamptz := date_bin(m.window_size, hi - interval '1 microsecond', timestamptz '2000-01-01 00:00:00+00') + m.window_size;
  horizon interval;
BEGIN
  SELECT d.labelled, d.reference_labelled INTO labels, reference_labels FROM mlobs._monitor_kinds() d WHERE d.kind = m.kind;
  IF m.reference_from IS NOT NULL AND m.reference_from < hi AND m.reference_to > lo THEN
    IF m.reference_summary IS NULL THEN
      RETURN format('monitor %s has not computed its reference yet', m.name);
    END IF;
    IF reference_labels AND m.reference_to > as_of - m.label_horizon THEN
      RETURN format('monitor %s: labels may still land in its reference until %s', m.name, m.reference_to + m.label_horizon);
    END IF;
  END IF;
  first_ws := date_bin(m.window_size, coalesce(m.start_at, m.reference_to), timestamptz '2000-01-01 00:00:00+00');
  IF first_ws >= hi THEN
    RETURN NULL;  -- its windows start after the range
  END IF;
  IF m.watermark IS NULL OR m.watermark < last_end THEN
    RETURN format('monitor %s has not summarised its windows up to %s (watermark %s)', m.name, last_end,
                  coalesce(m.watermark::text, 'none'));
  END IF;
  IF EXISTS (SELECT 1 FROM mlobs.window_failures f WHERE f.monitor_id = m.id AND f.window_start < hi) THEN
    RETURN format('monitor %s has a failed window before %s to retry (mlobs.window_failures)', m.name, hi);
  END IF;
  horizon := CASE WHEN labels THEN greatest(m.label_horizon, m.late_data_horizon) ELSE m.late_data_horizon END;
  -- A CBPE monitor revises its windows within label_horizon when labels landing in its
  -- reference change the calibration map (mlobs._monitor_plan).
  IF reference_labels AND NOT labels AND m.reference_to > as_of - m.label_horizon THEN
    horizon := greatest(horizon, m.label_horizon);
  END IF;
  IF last_end > as_of - horizon THEN
    RETURN format('monitor %s may still revise its window ending %s until %s (%s horizon)', m.name, last_end,
                  last_end + horizon, CASE WHEN horizon = m.label_horizon AND (labels OR reference_labels) THEN 'label' ELSE 'late data' END);
  END IF;
  -- A change recorded while its window was open is revised by the next run however late
  -- (mlobs._monitor_plan): the rows stay until it is. A day's margin for wall-clock minutes. Not
  -- for a disabled monitor, whose queue waits until it is enabled (its windows before the
  -- retention boundary are never revised then).
  IF m.enabled AND EXISTS (SELECT 1 FROM mlobs.monitor_changes mc WHERE mc.monitor_id = m.id
                              AND mc.minute >= lo - interval '1 day' AND mc.minute < hi + interval '1 day')
     OR EXISTS (SELECT 1 FROM mlobs.source_changes sc WHERE sc.source = m.source
                   AND sc.minute >= lo - interval '1 day' AND sc.minute < hi + interval '1 day') THEN
    RETURN format('monitor %s has recorded changes of rows before %s that its next run may apply (retry after it)', m.name, hi);
  END IF;
  RETURN NULL;
END $$;

-- Drops the partitions of a RANGE-partitioned log that monitors read, oldest first, whose upper
-- bound is at or before older_than, as long as no monitor of the log (directly or through a view over it; disabled
-- ones too) and no retraining policy still needs their rows; stops at the first one that is
-- needed, so the rows left always begin at one boundary (recorded in mlobs.log_retention). The
-- DEFAULT partition is never dropped. Runs as the caller, who must own the partitions; waits
-- for a running mlobs.run_monitors to finish and keeps others from starting meanwhile.
-- `partition` is the schema-qualified name (a dropped table has no regclass left).
CREATE FUNCTION mlobs.drop_summarised_partitions(source regclass, older_than timestamptz DEFAULT pg_catalog.now(),
                                                 dry_run bool DEFAULT false)
RETURNS TABLE (partition text, range_from timestamptz, range_to timestamptz, action text, reason text)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  key_column text;
  -- A timestamp or date key: its bounds are wall clocks, which each monitor reads in its run_zone.
  wall_clock bool;
  log_rels oid[];
  p record;
  reader record;
  m mlobs.monitors;
  readers mlobs.monitors[] := '{}';
  column_why text[] := '{}';
  rel oid;
  col int;
  q text;
  hit text[];
  lo timestamptz;
  hi timestamptz;
  pol record;
  why text;
  blocked text;
  boundary timestamptz;
  t_now timestamptz := pg_catalog.now();
BEGIN
  IF source IS NULL OR older_than IS NULL OR dry_run IS NULL THEN
    RAISE EXCEPTION 'source, older_than and dry_run must not be NULL' USING ERRCODE = '22004';
  END IF;
  PERFORM mlobs._require_primary('mlobs.drop_summarised_partitions');
  SELECT a.attname, a.atttypid IN ('pg_catalog.timestamp'::regtype, 'pg_catalog.date'::regtype) INTO key_column, wall_clock
    FROM pg_partitioned_table pt JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
   WHERE pt.partrelid = source AND pt.partstrat = 'r' AND pt.partnatts = 1;
  IF key_column IS NULL THEN
    RAISE EXCEPTION '% is not a table partitioned by RANGE on one column', source USING ERRCODE = '42809',
      HINT = 'Partition the log with PARTITION BY RANGE (ts) (docs/retention.md).';
  END IF;
  -- The log, its partitions and the tables above it: a monitor of any of them, or of a view that
  -- reads one, reads rows of the log. They all name the key column alike.
  log_rels := ARRAY(SELECT t.relid::oid FROM pg_partition_tree(source) t UNION SELECT a.relid::oid FROM pg_partition_ancestors(source) a);
  -- The monitors reading the log, directly or through a view, found once (not per partition)
  -- and locked against edits while they are judged. FOR SHARE also waits for the runs that hold
  -- them (run_monitors locks the rows of its monitors): a run reads the partitions and moves the
  -- watermarks this function judges by.
  -- A view calling a function of the user's (neither pg_catalog's nor mlobs', and not IMMUTABLE:
  -- an immutable function reads no table) may read the log in it, where no dependency shows:
  -- its monitors count as readers of every log, never proven.
  FOR reader IN SELECT mo AS m, fn.name AS fn
              FROM mlobs.monitors mo
             CROSS JOIN LATERAL (SELECT mlobs._tables_of_view(mo.source)::oid[] AS rels) v
              LEFT JOIN LATERAL (SELECT min(f.oid::regprocedure::text) AS name FROM pg_rewrite w
                                   JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid
                                                   AND d.refclassid = 'pg_proc'::regclass
                                   JOIN pg_proc f ON f.oid = d.refobjid
                                  WHERE w.ev_class = ANY (mo.source::oid || v.rels)
                                    AND f.pronamespace NOT IN ('pg_catalog'::regnamespace, 'mlobs'::regnamespace)
                                    AND f.provolatile <> 'i') fn ON true
             WHERE mo.source::oid = ANY (log_rels) OR v.rels && log_rels OR fn.name IS NOT NULL
             ORDER BY mo.id FOR SHARE OF mo LOOP
    m := reader.m;
    readers := readers || m;
    IF reader.fn IS NOT NULL THEN
      column_why := column_why || format('monitor %s reads %s through function %s, whose reads retention cannot see', m.name, m.source, reader.fn);
      CONTINUE;
    END IF;
    -- Its watermark says how far it summarised the column it windows by: that says nothing of
    -- the partitions unless the column is the key, passed unchanged through every view on the
    -- way. Each view's stored query tells: its output column is a plain column reference when
    -- the parser marked its origin (resorigtbl/resorigcol, what the wire protocol reports as a
    -- result column's table). Anything that makes a view's row depend on other rows (aggregates,
    -- window functions, DISTINCT, LIMIT, set operations, subqueries, CTEs) or reads the log twice
    -- (a self-join) is not followed: the partitions are kept.
    rel := m.source;
    SELECT a.attnum INTO col FROM pg_attribute a
     WHERE a.attrelid = m.source AND a.attname = m.ts_column AND a.attnum > 0 AND NOT a.attisdropped;
    FOR step IN 1 .. 100 LOOP
      EXIT WHEN col IS NULL OR rel = ANY (log_rels);
      q := (SELECT w.ev_action::text FROM pg_rewrite w WHERE w.ev_class = rel AND w.rulename = '_RETURN');
      IF q IS NULL
         -- A CTE's body is read as often as it is referenced: not followed either.
         OR q ~ ':(hasAggs|hasWindowFuncs|hasSubLinks|hasRecursive) true|:(groupClause|groupingSets|distinctClause|cteList) \(|:(limitOffset|limitCount|setOperations) \{'
         OR (SELECT count(*) FROM regexp_matches(q, ':rtekind 0 :relid (\d+) ', 'g') r(x)
              WHERE r.x[1]::oid <> rel
                AND (r.x[1]::oid = ANY (log_rels) OR mlobs._tables_of_view(r.x[1]::oid::regclass)::oid[] && log_rels)) <> 1 THEN
        col := NULL;
        EXIT;
      END IF;
      -- Without subqueries the last target list is the view's own (those of FROM subqueries come
      -- before it); its entry numbered as the view's column.
      hit := regexp_match(substring(q FROM '.*:targetList \((.*)$'),
                          ':resno ' || col || ' :resname (?:[^ \\]|\\.)+ :ressortgroupref \d+ :resorigtbl (\d+) :resorigcol (\d+) :resjunk false');
      rel := hit[1]::oid;
      col := nullif(hit[2]::int, 0);
    END LOOP;
    IF col IS NOT NULL AND rel = ANY (log_rels) THEN
      q := (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = rel AND a.attnum = col);
      column_why := column_why || CASE WHEN q <> key_column THEN
        format('monitor %s windows by column %s, not by the partition key %s', m.name,
               CASE WHEN q = m.ts_column THEN q ELSE format('%s of %s (%s of %s)', m.ts_column, m.source, q, rel::regclass) END, key_column) END;
    ELSE
      column_why := column_why || format('monitor %s windows by column %s of %s, which is not shown to be the partition key %s passed through unchanged',
                                         m.name, m.ts_column, m.source, key_column);
    END IF;
  END LOOP;
  -- Bounds as the session reads them (older_than, range_from, range_to), and for a timestamp or
  -- date key also as written (lo_wall, hi_wall).
  FOR p IN SELECT x.oid::regclass AS rel, x.lo, x.hi, x.lo_wall, x.hi_wall, x.is_default, x.relowner
             FROM (SELECT c.oid, c.relowner, b.bound = 'DEFAULT' AS is_default,
                          CASE WHEN r.m[1] = 'MINVALUE' THEN '-infinity'::timestamptz ELSE r.m[1]::timestamptz END AS lo,
                          CASE WHEN r.m[2] = 'MAXVALUE' THEN 'infinity'::timestamptz ELSE r.m[2]::timestamptz END AS hi,
                          CASE WHEN NOT wall_clock THEN NULL WHEN r.m[1] = 'MINVALUE' THEN '-infinity'::timestamp ELSE r.m[1]::timestamp END AS lo_wall,
                          CASE WHEN NOT wall_clock THEN NULL WHEN r.m[2] = 'MAXVALUE' THEN 'infinity'::timestamp ELSE r.m[2]::timestamp END AS hi_wall
                     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid,
                          LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS bound) b,
                          LATERAL (SELECT regexp_match(b.bound, '^FOR VALUES FROM \(''?(.*?)''?\) TO \(''?(.*?)''?\)$') AS m) r
                    WHERE i.inhparent = source) x
            WHERE x.is_default OR x.hi <= older_than
            ORDER BY x.is_default, x.lo LOOP
    partition := p.rel::text; range_from := p.lo; range_to := p.hi;
    IF p.is_default THEN
      action := 'kept'; reason := 'the DEFAULT partition holds rows of any time';
      RETURN NEXT; CONTINUE;
    END IF;
    why := blocked;
    IF why IS NULL AND NOT pg_has_role(p.relowner, 'MEMBER') THEN
      why := format('permission denied: only its owner %s may drop %s', p.relowner::regrole, p.rel);
    END IF;
    IF why IS NULL AND cardinality(readers) = 0 THEN
      -- Nothing summarises the table: its rows are not this function's to drop (a wrong name).
      why := format('no monitor reads %s', drop_summarised_partitions.source);
    END IF;
    IF why IS NULL THEN
      FOR i IN 1 .. cardinality(readers) LOOP
        m := readers[i];
        why := column_why[i];
        EXIT WHEN why IS NOT NULL;
        IF wall_clock THEN
          -- A monitor windows a wall clock in the zone its runs are pinned to (run_monitors), not
          -- in this session's (pg_cron's is the server's). Without one yet, the range is taken as
          -- wide as every zone could read it.
          IF m.run_zone IS NULL THEN
            lo := timezone('UTC', p.lo_wall) - interval '1 day'; hi := timezone('UTC', p.hi_wall) + interval '1 day';
          ELSE
            lo := timezone(m.run_zone, p.lo_wall); hi := timezone(m.run_zone, p.hi_wall);
          END IF;
        ELSE
          lo := p.lo; hi := p.hi;
        END IF;
        why := mlobs._monitor_needs_range(m, lo, hi, t_now);
        EXIT WHEN why IS NOT NULL;
      END LOOP;
    END IF;
    -- The latest instant the partition's rows may reach: for a wall clock, in any zone.
    hi := CASE WHEN wall_clock THEN timezone('UTC', p.hi_wall) + interval '1 day' ELSE p.hi END;
    IF why IS NULL THEN
      FOR pol IN SELECT rp.model, rp.train_window, rp.holdout_window FROM mlobs.retraining_policies rp
                  WHERE rp.source = drop_summarised_partitions.source AND rp.enabled LOOP
        IF hi > t_now - pol.train_window - pol.holdout_window THEN
          why := format('the retraining policy of model %s trains on the last %s', pol.model, pol.train_window + pol.holdout_window);
          EXIT;
        END IF;
      END LOOP;
    END IF;
    IF why IS NOT NULL THEN
      -- Older rows only go first: everything after a kept partition is kept too.
      blocked := coalesce(blocked, format('an older partition (%s) is kept', p.rel));
      action := 'kept'; reason := why;
    ELSIF dry_run THEN
      action := 'would drop'; reason := NULL;
    ELSE
      EXECUTE format('DROP TABLE %s', p.rel);
      -- No run recomputes a window before the boundary, whatever zone it reads a wall clock in.
      boundary := greatest(boundary, hi);
      action := 'dropped'; reason := NULL;
    END IF;
    RETURN NEXT;
  END LOOP;
  IF boundary IS NOT NULL THEN
    INSERT INTO mlobs.log_retention AS r (source, dropped_before) VALUES (drop_summarised_partitions.source, boundary)
    ON CONFLICT ON CONSTRAINT log_retention_pkey DO UPDATE SET dropped_before = greatest(r.dropped_before, excluded.dropped_before), updated_at = now();
  END IF;
END $$;

-- Ages out the runtime's own history: metric points and window summaries older than `keep`
-- (never those a monitor may still revise or an alert rule's for_duration still looks back on),
-- resolved alerts resolved before it, and mlobs.runs rows older than keep_runs. Failed windows
-- (their failure, summary and points) and open alerts are never deleted. Returns the rows
-- deleted (or that would be) per table.
CREATE FUNCTION mlobs.prune_history(keep interval DEFAULT '13 months', keep_runs interval DEFAULT '90 days',
                                    dry_run bool DEFAULT false)
RETURNS TABLE (what text, deleted bigint)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  m record;
  cutoff timestamptz;
  look_back interval := coalesce((SELECT max(r.for_duration) FROM mlobs.alert_rules r), interval '0');
  n_points bigint := 0;
  n_windows bigint := 0;
  n bigint;
  t_now timestamptz := pg_catalog.now();
BEGIN
  IF keep IS NULL OR keep_runs IS NULL OR dry_run IS NULL THEN
    RAISE EXCEPTION 'keep, keep_runs and dry_run must not be NULL' USING ERRCODE = '22004';
  END IF;
  IF keep < interval '0' OR keep_runs < interval '0' OR NOT isfinite(t_now - keep) OR NOT isfinite(t_now - keep_runs) THEN
    RAISE EXCEPTION 'keep and keep_runs must be finite and not negative, got % and %', keep, keep_runs USING ERRCODE = '22023';
  END IF;
  PERFORM mlobs._require_primary('mlobs.prune_history');
  FOR m IN SELECT mo.id, mo.window_size,
                  CASE WHEN d.labelled THEN greatest(mo.label_horizon, mo.late_data_horizon) ELSE mo.late_data_horizon END AS horizon
             FROM mlobs.monitors mo JOIN mlobs._monitor_kinds() d ON d.kind = mo.kind ORDER BY mo.id LOOP
    -- Window starts before cutoff go: their windows ended keep ago, out of every look-back.
    cutoff := least(t_now - keep, t_now - m.horizon, t_now - look_back - m.window_size) - m.window_size;
    -- A failed window keeps its last good summary and points: the run that retries it revises
    -- them, and until then they are all there is of it (a point's ts is its window's end).
    IF dry_run THEN
      SELECT count(*) INTO n FROM mlobs.metric_points p WHERE p.monitor_id = m.id AND p.window_start < cutoff
         AND NOT EXISTS (SELECT 1 FROM mlobs.window_failures f
                          WHERE f.monitor_id = m.id AND f.window_start < p.ts AND f.window_end > p.window_start);
      n_points := n_points + n;
      SELECT count(*) INTO n FROM mlobs.monitor_windows w WHERE w.monitor_id = m.id AND w.window_start < cutoff
         AND NOT EXISTS (SELECT 1 FROM mlobs.window_failures f
                          WHERE f.monitor_id = m.id AND f.window_start < w.window_end AND f.window_end > w.window_start);
      n_windows := n_windows + n;
    ELSE
      DELETE FROM mlobs.metric_points p WHERE p.monitor_id = m.id AND p.window_start < cutoff
         AND NOT EXISTS (SELECT 1 FROM mlobs.window_failures f
                          WHERE f.monitor_id = m.id AND f.window_start < p.ts AND f.window_end > p.window_start);
      GET DIAGNOSTICS n = ROW_COUNT;
      n_points := n_points + n;
      DELETE FROM mlobs.monitor_windows w WHERE w.monitor_id = m.id AND w.window_start < cutoff
         AND NOT EXISTS (SELECT 1 FROM mlobs.window_failures f
                          WHERE f.monitor_id = m.id AND f.window_start < w.window_end AND f.window_end > w.window_start);
      GET DIAGNOSTICS n = ROW_COUNT;
      n_windows := n_windows + n;
    END IF;
  END LOOP;
  what := 'metric_points'; deleted := n_points; RETURN NEXT;
  what := 'monitor_windows'; deleted := n_windows; RETURN NEXT;
  what := 'alerts';
  IF dry_run THEN
    SELECT count(*) INTO deleted FROM mlobs.alerts a WHERE a.state = 'resolved' AND a.resolved_at < t_now - keep;
  ELSE
    DELETE FROM mlobs.alerts a WHERE a.state = 'resolved' AND a.resolved_at < t_now - keep;
    GET DIAGNOSTICS deleted = ROW_COUNT;
  END IF;
  RETURN NEXT;
  what := 'runs';
  IF dry_run THEN
    SELECT count(*) INTO deleted FROM mlobs.runs r WHERE r.started_at < t_now - keep_runs AND r.status <> 'running';
  ELSE
    DELETE FROM mlobs.runs r WHERE r.started_at < t_now - keep_runs AND r.status <> 'running';
    GET DIAGNOSTICS deleted = ROW_COUNT;
  END IF;
  RETURN NEXT;
END $$;

-- Reports (issue 22): the C entry points, then src/sql/report.sql as is (all of it is new).
CREATE FUNCTION mlobs._render_report(data bytea) RETURNS text IMMUTABLE STRICT PARALLEL SAFE
LANGUAGE c AS 'MODULE_PATHNAME', 'render_report_wrapper';
CREATE FUNCTION mlobs._report_query_as(owner oid, query bytea) RETURNS bytea STRICT VOLATILE PARALLEL UNSAFE
LANGUAGE c AS 'MODULE_PATHNAME', 'report_query_as_wrapper';
-- mlobs.report: one self-contained HTML document about a model (or a monitor's model) over a period, for a ticket or an
-- investigation: its alerts, drift per feature over time against the rule thresholds, data
-- quality, realised and estimated performance with label coverage, and, where the caller may
-- read the log itself, reference-against-current distributions of the drifted features, the
-- confusion matrix, the calibration curve and SHAP importance with its drift. It runs as the
-- caller: an mlobs_reader gets what the metric points and alerts show; reading the log needs
-- the log's own SELECT privilege, never mlobs'. The HTML is laid out by crates/mlobs-report.

-- The points of one series as [[epoch seconds, value], ...] (NaN and ±Infinity as gaps).
CREATE FUNCTION mlobs._report_points(monitor_id bigint, feature text, metric text, "from" timestamptz, "to" timestamptz)
RETURNS jsonb LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_array(extract(epoch FROM p.ts),
                                              CASE WHEN p.value IN ('NaN', 'Infinity', '-Infinity') THEN NULL ELSE p.value END)
                            ORDER BY p.ts), '[]')
    FROM mlobs.metric_points p
   WHERE p.monitor_id = _report_points.monitor_id AND p.feature = _report_points.feature AND p.metric = _report_points.metric
     AND p.segment = '' AND p.ts > "from" AND p.ts <= "to"
$$;

-- A bin edge for a chart label: three significant digits.
CREATE FUNCTION mlobs._report_num(x float8) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN x = 0 THEN '0' WHEN abs(x) >= 1e15 OR abs(x) < 1e-6 THEN to_char(x, '9.99EEEE')
              ELSE round(x::numeric, greatest(0, 2 - floor(log(abs(x)::numeric))::int))::text END
$$;

-- Reference-against-current shares of one feature of a jsonb features column: ten bins between
-- the reference deciles for numbers, the ten most frequent reference categories and (other)
-- for the rest. Runs as the caller, on the log.
CREATE FUNCTION mlobs._report_distribution(source regclass, features_column text, ts_column text, feature text,
                                          ref_from timestamptz, ref_to timestamptz, "from" timestamptz, "to" timestamptz)
RETURNS jsonb LANGUAGE plpgsql STABLE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  val text := format('(%I -> %L)', features_column, feature);
  in_ref text := format('%I >= %L AND %I < %L', ts_column, ref_from, ts_column, ref_to);
  in_cur text := format('%I >= %L AND %I < %L', ts_column, "from", ts_column, "to");
  numeric_feature bool;
  edges float8[];
  res jsonb;
BEGIN
  EXECUTE format('SELECT bool_and(jsonb_typeof(%s) = ''number'') FROM (SELECT %s FROM %s WHERE %s AND %s IS NOT NULL LIMIT 1000) x',
                 'x.v', val || ' AS v', source, in_ref, val) INTO numeric_feature;
  IF numeric_feature IS NULL THEN
    RETURN NULL;
  END IF;
  IF numeric_feature THEN
    EXECUTE format('SELECT array_agg(DISTINCT e ORDER BY e) FROM unnest((SELECT percentile_cont(ARRAY[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9])
                      WITHIN GROUP (ORDER BY (%s)::float8) FROM %s WHERE %s AND jsonb_typeof(%s) = ''number'')) e',
                   val, source, in_ref, val) INTO edges;
    IF edges IS NULL THEN
      RETURN NULL;
    END IF;
    EXECUTE format(
      'WITH v AS (SELECT %s AS ref, width_bucket((%s)::float8, $1) AS b FROM %s
                   WHERE (%s OR %s) AND jsonb_typeof(%s) = ''number''),
            s AS (SELECT b, count(*) FILTER (WHERE ref)::float8 / nullif(sum(count(*) FILTER (WHERE ref)) OVER (), 0) AS r,
                         count(*) FILTER (WHERE NOT ref)::float8 / nullif(sum(count(*) FILTER (WHERE NOT ref)) OVER (), 0) AS c
                    FROM v GROUP BY b)
       SELECT jsonb_build_object(''labels'', jsonb_agg(CASE WHEN g = 0 THEN ''<'' || mlobs._report_num($1[1])
                                                           WHEN g = cardinality($1) THEN ''≥'' || mlobs._report_num($1[g])
                                                           ELSE mlobs._report_num($1[g]) || ''–'' || mlobs._report_num($1[g + 1]) END ORDER BY g),
                                 ''reference'', jsonb_agg(coalesce(s.r, 0) ORDER BY g), ''current'', jsonb_agg(coalesce(s.c, 0) ORDER BY g))
         FROM generate_series(0, cardinality($1)) g LEFT JOIN s ON s.b = g',
      in_ref, val, source, in_ref, in_cur, val) INTO res USING edges;
  ELSE
    EXECUTE format(
      'WITH v AS (SELECT %s AS ref, %s #>> ''{}'' AS k FROM %s WHERE (%s OR %s) AND %s IS NOT NULL),
            top AS (SELECT k FROM v WHERE ref GROUP BY k ORDER BY count(*) DESC, k LIMIT 10),
            s AS (SELECT CASE WHEN k IN (SELECT k FROM top) THEN k ELSE ''(other)'' END AS g,
                         count(*) FILTER (WHERE ref)::float8 AS r, count(*) FILTER (WHERE NOT ref)::float8 AS c FROM v GROUP BY 1)
       SELECT jsonb_build_object(''labels'', jsonb_agg(g ORDER BY g = ''(other)'', r DESC, g),
                                 ''reference'', jsonb_agg(rs ORDER BY g = ''(other)'', r DESC, g),
                                 ''current'', jsonb_agg(cs ORDER BY g = ''(other)'', r DESC, g))
         FROM (SELECT g, r, coalesce(r / nullif(sum(r) OVER (), 0), 0) AS rs, coalesce(c / nullif(sum(c) OVER (), 0), 0) AS cs
                 FROM (SELECT g, sum(r) AS r, sum(c) AS c FROM s GROUP BY g) s2) s3',
      in_ref, val, source, in_ref, in_cur, val) INTO res;
  END IF;
  RETURN res || jsonb_build_object('feature', feature);
END $$;

-- For mlobs.report: an instant as a timestamptz literal of a query's text (ISO 8601 with its
-- offset: read back the same whatever the DateStyle and TimeZone).
CREATE FUNCTION mlobs._report_instant(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT pg_catalog.quote_literal(pg_catalog.to_jsonb(t) #>> '{}') || '::timestamptz'
$$;

-- For mlobs.report: the role to read a monitor's log as, NULL when none may. The monitor's owner
-- when the caller may act as it (is it or a member of it; superusers are): mlobs._report_read
-- then runs the owner's code (a view's functions, a type's cast, an index expression) as the
-- owner in a security-restricted operation, which cannot take back the caller's rights (and when
-- the owner may not read the log, the section says so: the owner can revoke its own SELECT, or
-- hold column privileges only, to send a superuser down the next path). Else the caller, when it
-- may read the source, the source (a table, plain or partitioned, with every partition and child
-- a table) and everything below it is owned by the caller or by a superuser, and every column
-- read has a built-in type: reading a table runs its owner's code as the reader (an index
-- expression the planner folds), and a column's type its owner's cast (label::text).
CREATE FUNCTION mlobs._report_read_role(owner regrole, source regclass, columns text[]) RETURNS oid
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  WITH RECURSIVE tree(rel) AS (SELECT source::oid UNION SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.rel)
  SELECT CASE WHEN pg_has_role(current_user, owner, 'MEMBER') THEN owner::oid
              WHEN has_table_privilege(source, 'SELECT')
                   AND NOT EXISTS (SELECT FROM tree t JOIN pg_class c ON c.oid = t.rel LEFT JOIN pg_roles r ON r.oid = c.relowner
                                    WHERE c.relkind NOT IN ('r', 'p')
                                       OR NOT (c.relowner = to_regrole(quote_ident(current_user))::oid
                                               OR coalesce(r.rolsuper, false)))
                   AND (SELECT count(*) FROM pg_attribute a
                         WHERE a.attrelid = source AND a.attname = ANY (columns) AND a.attnum > 0 AND NOT a.attisdropped
                           AND a.atttypid < 16384)  -- FirstNormalObjectId: made by initdb, owned by the bootstrap superuser
                       = (SELECT count(DISTINCT c) FROM unnest(columns) c WHERE c IS NOT NULL)
              THEN to_regrole(quote_ident(current_user))::oid END
$$;

-- For mlobs.report: the jsonb value (column v) of one query over a monitor's log, read as
-- read_as (mlobs._report_read_role): directly when that is the caller, else as the owner in a
-- security-restricted operation (mlobs._report_query_as).
CREATE FUNCTION mlobs._report_read(read_as oid, query text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  res jsonb;
BEGIN
  IF read_as = to_regrole(quote_ident(current_user))::oid THEN
    EXECUTE format('SELECT q.v FROM (%s) q', query) INTO res;
  ELSE
    res := convert_from(mlobs._report_query_as(read_as, convert_to(format('SELECT convert_to(q.v::text, ''UTF8'') FROM (%s) q', query),
                                                                   current_setting('server_encoding'))),
                        'UTF8')::jsonb;
  END IF;
  RETURN res;
END $$;

-- For mlobs.report: why a monitor's log is not read, when _report_read_role gave no role.
CREATE FUNCTION mlobs._report_unread_note(what text, source regclass, owner regrole) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = source)
              THEN format('%s are not drawn: the monitor''s source (OID %s) no longer exists.', what, source::oid)
              ELSE format('%s need the role of the monitor''s owner %s, or SELECT on %s as %s on a table that %s or a superuser '
                          'owns, whose columns read have built-in types.', what, owner, source, current_user, current_user) END
$$;

CREATE FUNCTION mlobs.report(model text, "from" timestamptz DEFAULT pg_catalog.now() - interval '7 days',
                             "to" timestamptz DEFAULT pg_catalog.now())
RETURNS text LANGUAGE plpgsql STABLE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  d jsonb;
  drift jsonb := '[]';
  perf jsonb := '[]';
  notes text[] := '{}';
  dists jsonb := '[]';
  dist jsonb;
  r record;
  mon record;
  cls record;
  omitted bigint;
  conf jsonb;
  cal jsonb;
  shap_cur jsonb;
  shap_ref jsonb;
  max_charts CONSTANT int := 40;
  lbl text := model;
  saved_zone text := current_setting('TimeZone');
  read_as oid;
  shap jsonb;
  -- The period as literals of the queries that read the log (mlobs._report_read).
  from_at text := mlobs._report_instant("from");
  to_at text := mlobs._report_instant("to");
BEGIN
  IF model IS NULL OR "from" IS NULL OR "to" IS NULL THEN
    RAISE EXCEPTION 'model, from and to must not be NULL' USING ERRCODE = '22004';
  END IF;
  IF NOT isfinite("from") OR NOT isfinite("to") OR "from" >= "to" THEN
    RAISE EXCEPTION 'from must be before to, both finite, got % and %', "from", "to" USING ERRCODE = '22023';
  END IF;
  -- A model label, or a monitor's name (then the report is on that monitor's model).
  IF NOT EXISTS (SELECT 1 FROM mlobs.monitors mo WHERE mo.model = lbl) THEN
    SELECT mo.model INTO lbl FROM mlobs.monitors mo WHERE mo.name = report.model;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'no monitor reports on model "%", and no monitor has that name', model USING ERRCODE = '42704',
        HINT = 'Give the label monitors were created with (mlobs.monitors.model) or a monitor''s name.';
    END IF;
  END IF;
  -- Drift: the share of drifted features, then each feature's drift metric, most drifted first.
  FOR r IN SELECT mo.id, mo.name, p.feature, p.metric, max(p.value) FILTER (WHERE p.value < 'Infinity') AS top
             FROM mlobs.metric_points p JOIN mlobs.monitors mo ON mo.id = p.monitor_id
            WHERE p.model = lbl AND mo.kind IN ('feature_drift', 'prediction_drift', 'multivariate_drift')
              AND p.segment = '' AND p.ts > "from" AND p.ts <= "to"
              AND p.metric NOT IN ('rows', 'drifted_features', 'mean', 'reconstruction_error_lower', 'reconstruction_error_upper')
            GROUP BY mo.id, mo.name, p.feature, p.metric
            ORDER BY p.metric <> 'drift_share', p.metric <> 'multivariate_drift', top DESC NULLS LAST, p.feature, mo.id LOOP
    IF jsonb_array_length(drift) >= max_charts THEN
      omitted := coalesce(omitted, 0) + 1;
      CONTINUE;
    END IF;
    drift := drift || jsonb_build_object(
      'title', CASE WHEN r.feature = '' THEN r.metric ELSE r.feature || ': ' || r.metric END || ' (monitor ' || r.name || ')',
      'unit', r.metric,
      'threshold', (SELECT min(ru.threshold) FROM mlobs.alert_rules ru
                     WHERE ru.enabled AND ru.metric = r.metric AND ru.mode = 'value' AND ru.comparison IN ('>', '>=')
                       AND (ru.feature IS NULL OR ru.feature = r.feature) AND (ru.model IS NULL OR ru.model = lbl)),
      'lines', jsonb_build_array(jsonb_build_object('name', coalesce(nullif(r.feature, ''), r.metric),
                                                    'points', mlobs._report_points(r.id, r.feature, r.metric, "from", "to"))));
  END LOOP;
  -- Performance: realised against estimated (CBPE), then the other metrics and label coverage.
  FOR r IN SELECT x.title, x.metrics FROM (VALUES (1, 'accuracy', ARRAY['accuracy', 'cbpe_accuracy']), (2, 'F1', ARRAY['f1', 'cbpe_f1']),
                                                  (3, 'ROC AUC', ARRAY['roc_auc']), (4, 'RMSE', ARRAY['rmse']), (5, 'MAE', ARRAY['mae']),
                                                  (6, 'label coverage (share of rows with a label)', ARRAY['labelled_share']),
                                                  (7, 'concept drift score', ARRAY['concept_drift_score'])) x(k, title, metrics)
            ORDER BY x.k LOOP
    SELECT jsonb_agg(jsonb_build_object('name', CASE WHEN s.metric LIKE 'cbpe_%' THEN 'estimated (CBPE, ' || s.name || ')'
                                                     ELSE 'realised (' || s.name || ')' END,
                                        'dashed', s.metric LIKE 'cbpe_%',
                                        'points', mlobs._report_points(s.id, s.feature, s.metric, "from", "to"))
                     ORDER BY s.metric LIKE 'cbpe_%', s.id)
      INTO dist
      FROM (SELECT DISTINCT mo.id, mo.name, p.feature, p.metric FROM mlobs.metric_points p JOIN mlobs.monitors mo ON mo.id = p.monitor_id
             WHERE p.model = lbl AND p.metric = ANY (r.metrics) AND p.segment = '' AND p.ts > "from" AND p.ts <= "to") s;
    IF dist IS NOT NULL THEN
      perf := perf || jsonb_build_object('title', r.title, 'unit', r.metrics[1], 'lines', dist);
    END IF;
  END LOOP;
  -- Distributions, confusion, calibration and SHAP read the log: only where the caller may, and
  -- never running another role's code with the caller's rights. Any admin may label a monitor
  -- with any model, and a view's functions, a row security policy, a type's cast or an index
  -- expression run as the role that reads the log: a caller who may act as the owner reads as the
  -- owner in a security-restricted operation, else only a table of its own or a superuser's is
  -- read, as the caller (mlobs._report_read_role, mlobs._report_read). The log's timestamp
  -- column is read in the monitor's run_zone, as its runs read it.
  -- (Named columns: a reader may not read the stored summaries.)
  FOR mon IN SELECT mo.id, mo.source, mo.config, mo.ts_column, mo.reference_from, mo.reference_to, mo.owner, mo.run_zone
               FROM mlobs.monitors mo WHERE mo.model = lbl AND mo.kind = 'feature_drift'
                AND mo.reference_from IS NOT NULL ORDER BY mo.id LIMIT 1 LOOP
    read_as := mlobs._report_read_role(mon.owner, mon.source, ARRAY[coalesce(mon.config->>'features', 'features'), mon.ts_column]);
    IF read_as IS NULL THEN
      notes := notes || mlobs._report_unread_note('Distributions and SHAP importance', mon.source, mon.owner);
      CONTINUE;
    END IF;
    PERFORM set_config('TimeZone', coalesce(mon.run_zone, saved_zone), true);
    FOR r IN SELECT f.feature FROM (SELECT p.feature, max(p.value) AS top FROM mlobs.metric_points p
                                     WHERE p.monitor_id = mon.id AND p.feature <> '' AND p.segment = '' AND p.ts > "from" AND p.ts <= "to"
                                       AND p.metric NOT IN ('rows', 'mean') GROUP BY p.feature) f
              ORDER BY f.top DESC NULLS LAST, f.feature LIMIT 6 LOOP
      BEGIN
        dist := mlobs._report_read(read_as, format('SELECT mlobs._report_distribution(%s::oid::regclass, %L, %L, %L, %s, %s, %s, %s) AS v',
                                     mon.source::oid, coalesce(mon.config->>'features', 'features'), mon.ts_column, r.feature,
                                     mlobs._report_instant(mon.reference_from), mlobs._report_instant(mon.reference_to),
                                     from_at, to_at));
        IF dist IS NOT NULL THEN dists := dists || dist; END IF;
      EXCEPTION WHEN OTHERS THEN
        notes := notes || format('The distribution of %s is not drawn: %s (%s).', r.feature, SQLERRM, SQLSTATE);
      END;
    END LOOP;
    IF EXISTS (SELECT 1 FROM mlobs.models mm WHERE mm.name = lbl) THEN
      BEGIN
        -- One statement, two periods: the last 500 rows of the reported one and of the reference.
        shap := mlobs._report_read(read_as, format(
          'SELECT jsonb_build_array(mlobs.shap_importance_agg(%1$L, f) FILTER (WHERE cur), mlobs.shap_importance_agg(%1$L, f) FILTER (WHERE NOT cur)) AS v
             FROM (SELECT * FROM (SELECT true AS cur, %2$I AS f FROM %3$s WHERE %4$I >= %5$s AND %4$I < %6$s ORDER BY %4$I DESC LIMIT 500) c
                   UNION ALL
                   SELECT * FROM (SELECT false, %2$I FROM %3$s WHERE %4$I >= %7$s AND %4$I < %8$s ORDER BY %4$I DESC LIMIT 500) r) x',
          lbl, coalesce(mon.config->>'features', 'features'), mon.source, mon.ts_column, from_at,
          to_at, mlobs._report_instant(mon.reference_from), mlobs._report_instant(mon.reference_to)));
        shap_cur := nullif(shap->0, 'null');
        shap_ref := nullif(shap->1, 'null');
      EXCEPTION WHEN OTHERS THEN
        notes := notes || format('SHAP importance is not computed: %s (%s).', SQLERRM, SQLSTATE);
      END;
    END IF;
    PERFORM set_config('TimeZone', saved_zone, true);
  END LOOP;
  FOR cls IN SELECT mo.id, mo.source, mo.config, mo.ts_column, mo.owner, mo.run_zone FROM mlobs.monitors mo
              WHERE mo.model = lbl AND mo.kind = 'classification' ORDER BY mo.id LIMIT 1 LOOP
    read_as := mlobs._report_read_role(cls.owner, cls.source,
                                       ARRAY[coalesce(cls.config->>'label', 'label'), coalesce(cls.config->>'predicted', 'predicted'),
                                             cls.config->>'score', cls.ts_column]);
    IF read_as IS NULL THEN
      notes := notes || mlobs._report_unread_note('The confusion matrix and calibration', cls.source, cls.owner);
      CONTINUE;
    END IF;
    PERFORM set_config('TimeZone', coalesce(cls.run_zone, saved_zone), true);
    BEGIN
      conf := mlobs._report_read(read_as, format(
        -- At most 40 classes: beyond that the 39 most frequent (as actual or predicted) and
        -- the rest counted together last (x NULL), so every labelled row is in the matrix.
        'WITH c AS (SELECT %1$I::text AS a, %2$I::text AS p, count(*) AS n FROM %3$s WHERE %4$I >= %5$s AND %4$I < %6$s AND %1$I IS NOT NULL
                     AND %2$I IS NOT NULL GROUP BY 1, 2),
              f AS (SELECT x, sum(n) AS n FROM (SELECT a AS x, n FROM c UNION ALL SELECT p, n FROM c) u GROUP BY x),
              k AS (SELECT x FROM f ORDER BY n DESC, x LIMIT CASE WHEN (SELECT count(*) FROM f) > 40 THEN 39 ELSE 40 END),
              m AS (SELECT CASE WHEN a IN (SELECT x FROM k) THEN a END AS a, CASE WHEN p IN (SELECT x FROM k) THEN p END AS p,
                           sum(n) AS n FROM c GROUP BY 1, 2),
              l AS (SELECT x FROM k UNION ALL SELECT NULL WHERE (SELECT count(*) FROM f) > 40)
         SELECT jsonb_build_object(''labels'', (SELECT jsonb_agg(coalesce(x, ''(other)'') ORDER BY x NULLS LAST) FROM l),
                                   ''counts'', (SELECT jsonb_agg((SELECT jsonb_agg(coalesce((SELECT n FROM m WHERE m.a IS NOT DISTINCT FROM la.x
                                                                                                          AND m.p IS NOT DISTINCT FROM lp.x), 0)
                                                                                   ORDER BY lp.x NULLS LAST) FROM l lp) ORDER BY la.x NULLS LAST) FROM l la),
                                   ''other_classes'', (SELECT count(*) FROM f) - (SELECT count(*) FROM k)) AS v',
        coalesce(cls.config->>'label', 'label'), coalesce(cls.config->>'predicted', 'predicted'), cls.source, cls.ts_column,
        from_at, to_at));
      IF cls.config ? 'score' THEN
        cal := mlobs._report_read(read_as, format(
          'SELECT jsonb_agg(jsonb_build_object(''mean_score'', s, ''positive_share'', y, ''rows'', n) ORDER BY s) AS v
             FROM (SELECT avg(%1$I::float8) AS s, avg(CASE WHEN %2$I::text IN (''1'', ''true'') THEN 1.0 ELSE 0.0 END) AS y, count(*) AS n
                     FROM %3$s WHERE %4$I >= %5$s AND %4$I < %6$s AND %2$I IS NOT NULL AND %1$I::float8 BETWEEN 0 AND 1
                    GROUP BY width_bucket(%1$I::float8, 0, 1.0000001, 10)) b',
          cls.config->>'score', coalesce(cls.config->>'label', 'label'), cls.source, cls.ts_column,
          from_at, to_at));
      END IF;
    EXCEPTION WHEN OTHERS THEN
      notes := notes || format('The confusion matrix and calibration are not computed: %s (%s).', SQLERRM, SQLSTATE);
    END;
    PERFORM set_config('TimeZone', saved_zone, true);
  END LOOP;
  d := jsonb_build_object(
    'model', lbl,
    'from', to_char("from" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), 'to', to_char("to" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
    'from_epoch', extract(epoch FROM "from"), 'to_epoch', extract(epoch FROM "to"),
    'generated_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
    'monitors', (SELECT coalesce(jsonb_agg(jsonb_build_object('name', mo.name, 'kind', mo.kind, 'window_size', mo.window_size::text,
                                                              'watermark', to_char(mo.watermark AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'))
                                           ORDER BY mo.id), '[]')
                   FROM mlobs.monitors mo WHERE mo.model = lbl),
    'alerts', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                 'rule', ru.name, 'monitor', mo.name, 'feature', a.feature, 'segment', a.segment, 'severity', a.severity,
                 'state', a.state, 'started_at', to_char(a.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
                 'resolved_at', to_char(a.resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
                 'worst_value', CASE WHEN a.worst_value IN ('NaN', 'Infinity', '-Infinity') THEN NULL ELSE a.worst_value END,
                 'threshold', a.threshold)
                 ORDER BY array_position(ARRAY['critical', 'warning', 'info'], a.severity), a.started_at, a.id), '[]')
                 FROM mlobs.alerts a JOIN mlobs.alert_rules ru ON ru.id = a.rule_id JOIN mlobs.monitors mo ON mo.id = a.monitor_id
                WHERE a.model = lbl AND a.started_at < "to" AND (a.resolved_at IS NULL OR a.resolved_at >= "from")),
    'drift', drift, 'drift_omitted', coalesce(omitted, 0), 'distributions', dists,
    'quality', (SELECT coalesce(jsonb_agg(jsonb_build_object('feature', q.feature, 'metric', q.metric, 'last', q.last, 'max', q.top)
                                          ORDER BY q.top DESC, q.feature, q.metric), '[]')
                  FROM (SELECT p.feature, p.metric, max(p.value) AS top, (array_agg(p.value ORDER BY p.ts DESC))[1] AS last
                          FROM mlobs.metric_points p JOIN mlobs.monitors mo ON mo.id = p.monitor_id
                         WHERE p.model = lbl AND mo.kind = 'quality' AND p.segment = '' AND p.ts > "from" AND p.ts <= "to"
                           AND p.metric <> 'rows' AND p.value < 'Infinity'
                         GROUP BY p.feature, p.metric HAVING max(p.value) > 0 LIMIT 500) q),
    'performance', perf,
    'confusion', conf,
    'calibration', coalesce(cal, '[]'),
    'shap', (SELECT coalesce(jsonb_agg(jsonb_build_object('feature', k, 'reference', (shap_ref->>k)::float8, 'current', (shap_cur->>k)::float8)
                                       ORDER BY (shap_cur->>k)::float8 DESC NULLS LAST, k), '[]')
               FROM (SELECT jsonb_object_keys(coalesce(shap_cur, '{}') || coalesce(shap_ref, '{}')) AS k) x),
    'notes', to_jsonb(notes || CASE WHEN EXISTS (SELECT 1 FROM mlobs.metric_points p WHERE p.model = lbl AND p.segment = ''
                                                   AND p.ts > "from" AND p.ts <= "to" AND p.metric IN ('missing_share', 'outlier_share'))
                                    THEN ARRAY['Data-quality metrics that stayed 0 over the period are not listed.'] ELSE '{}' END));
  RETURN mlobs._render_report(convert_to(d::text, 'UTF8'));
END $$;

-- Reference-against-current shares of two profiles over the reference's deciles, from their
-- sketches (approximate, like mlobs.outside_share): the share below each edge, differenced.
CREATE FUNCTION mlobs._report_profile_shares(reference mlobs.profile, current mlobs.profile) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  edges float8[];
  labels text[] := '{}';
  r float8[] := '{}';
  c float8[] := '{}';
  below_r float8 := 0;
  below_c float8 := 0;
  next_r float8;
  next_c float8;
  e float8;
BEGIN
  IF coalesce(mlobs.row_count(reference), 0) = 0 OR coalesce(mlobs.row_count(current), 0) = 0 THEN
    RETURN NULL;
  END IF;
  edges := ARRAY(SELECT DISTINCT q FROM unnest(mlobs.quantile(reference, ARRAY[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])) q
                  WHERE q > mlobs.min(reference) ORDER BY q);
  FOREACH e IN ARRAY edges LOOP
    next_r := greatest(below_r, coalesce(mlobs.outside_share(reference, e, greatest(mlobs.max(reference), e)), below_r));
    next_c := greatest(below_c, coalesce(mlobs.outside_share(current, e, greatest(mlobs.max(current), e)), below_c));
    labels := labels || CASE WHEN cardinality(r) = 0 THEN '<' || mlobs._report_num(e)
                             ELSE mlobs._report_num(edges[cardinality(r)]) || '–' || mlobs._report_num(e) END;
    r := r || (next_r - below_r);
    c := c || (next_c - below_c);
    below_r := next_r;
    below_c := next_c;
  END LOOP;
  labels := labels || CASE WHEN cardinality(edges) = 0 THEN 'all' ELSE '≥' || mlobs._report_num(edges[cardinality(edges)]) END;
  r := r || greatest(1 - below_r, 0);
  c := c || greatest(1 - below_c, 0);
  RETURN jsonb_build_object('labels', to_jsonb(labels), 'reference', to_jsonb(r), 'current', to_jsonb(c));
END $$;

-- The report of two summaries: a data-drift report of two feature-profile summaries (say,
-- features_agg over two periods, or two stored summaries): every feature's drift verdict
-- (mlobs.drift_report), then the reference-against-current distributions of up to 20 features,
-- drifted ones first. Not an overload of mlobs.report: mlobs.report('fraud', '2026-01-01',
-- '2026-01-08') with string literals would then be ambiguous.
CREATE FUNCTION mlobs.summary_report(reference mlobs.feature_profiles, current mlobs.feature_profiles,
                             title text DEFAULT 'current data against the reference')
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  rows_table jsonb;
  dists jsonb := '[]';
  dist jsonb;
  r record;
BEGIN
  IF reference IS NULL OR current IS NULL OR title IS NULL THEN
    RAISE EXCEPTION 'reference, current and title must not be NULL' USING ERRCODE = '22004';
  END IF;
  SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.drifted IS NOT TRUE, x.statistic DESC NULLS LAST, x.feature), '[]')
    INTO rows_table FROM mlobs.drift_report(reference, current) x;
  FOR r IN SELECT x.feature, x.kind FROM jsonb_to_recordset(rows_table) x(feature text, kind text) LIMIT 20 LOOP
    IF r.kind = 'numeric' THEN
      dist := mlobs._report_profile_shares(mlobs.feature_profile(reference, r.feature), mlobs.feature_profile(current, r.feature));
    ELSE
      SELECT jsonb_build_object('labels', jsonb_agg(k ORDER BY o, rc DESC, k), 'reference', jsonb_agg(rs ORDER BY o, rc DESC, k),
                                'current', jsonb_agg(cs ORDER BY o, rc DESC, k))
        INTO dist
        FROM (SELECT k, o, rc, coalesce(rc / nullif(sum(rc) OVER (), 0), 0) AS rs, coalesce(cc / nullif(sum(cc) OVER (), 0), 0) AS cs
                FROM (SELECT CASE WHEN t.rank <= 10 THEN t.k ELSE '(other)' END AS k, bool_or(t.rank > 10) AS o,
                             sum(t.rc) AS rc, sum(t.cc) AS cc
                        FROM (SELECT coalesce(a.key, b.key) AS k, coalesce(a.value::float8, 0) AS rc, coalesce(b.value::float8, 0) AS cc,
                                     rank() OVER (ORDER BY coalesce(a.value::float8, 0) DESC, coalesce(a.key, b.key)) AS rank
                                FROM jsonb_each_text(mlobs.category_counts(mlobs.feature_categories(reference, r.feature))) a
                                FULL JOIN jsonb_each_text(mlobs.category_counts(mlobs.feature_categories(current, r.feature))) b
                                  ON a.key = b.key) t
                       GROUP BY 1) g) s;
    END IF;
    IF dist IS NOT NULL AND dist->'labels' <> 'null' THEN
      dists := dists || (dist || jsonb_build_object('feature', r.feature));
    END IF;
  END LOOP;
  RETURN mlobs._render_report(convert_to(jsonb_build_object(
    'model', title, 'summaries_only', true,
    'subtitle', format('reference: %s rows · current: %s rows', mlobs.row_count(reference), mlobs.row_count(current)),
    'drift_table', rows_table, 'distributions', dists)::text, 'UTF8'));
END $$;

-- 0.2.0 stepped a window by window_size in the session's calendar: a '1 day' window across a DST
-- change lasted 23 or 25 hours, and every window after it started off the grid 0.3.0 windows on
-- (window_size from 2000-01-01 UTC), where a backfill then added grid windows beside them (rows
-- counted twice). When the log still holds their rows, such windows go, with their points and
-- failures (rows_total gives their rows back), and the watermark moves back to the grid before the
-- first of them: the next run computes those days again, on the grid (a WARNING names each
-- monitor). When rows are gone from the log since, they stay as they are, with a WARNING: their
-- history is worth more than the grid. A window is off the grid when its start is, or when it
-- lasted other than window_size (the 23-hour day itself).
DO $$
DECLARE
  m record;
  -- The monitor's off-grid windows (their starts), judged once.
  offs timestamptz[];
  first_off timestamptz;
  last_off timestamptz;
  off_rows numeric;
  log_rows numeric;
BEGIN
  FOR m IN SELECT mo.id, mo.name, mo.window_size, mo.source, mo.ts_column FROM mlobs.monitors mo
            WHERE pg_catalog.date_part('month', mo.window_size) = 0 AND pg_catalog.date_part('year', mo.window_size) = 0
            ORDER BY mo.id LOOP
    SELECT pg_catalog.array_agg(w.window_start), pg_catalog.min(w.window_start), pg_catalog.max(w.window_end),
           coalesce(pg_catalog.sum(w.rows) FILTER (WHERE w.segment = ''), 0) INTO offs, first_off, last_off, off_rows
      FROM mlobs.monitor_windows w
     WHERE w.monitor_id = m.id
       AND (w.window_start <> pg_catalog.date_bin(m.window_size, w.window_start, timestamptz '2000-01-01 00:00:00+00')
            OR w.window_end - w.window_start <> m.window_size);
    CONTINUE WHEN first_off IS NULL;
    BEGIN
      EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s WHERE %I >= $1 AND %I < $2', m.source, m.ts_column, m.ts_column)
        INTO log_rows USING first_off, last_off;
    EXCEPTION WHEN OTHERS THEN
      log_rows := NULL;
    END;
    IF log_rows IS NULL OR log_rows < off_rows THEN
      -- The windows stay; the watermark moves on to the grid (forward: at most the DST hour
      -- after the last kept window is in no window, where moving back would count up to a day
      -- twice), so the windows from now on are on the grid and late rows find theirs.
      UPDATE mlobs.monitors mo
         SET watermark = pg_catalog.date_bin(m.window_size, mo.watermark, timestamptz '2000-01-01 00:00:00+00') + m.window_size
       WHERE mo.id = m.id
         AND mo.watermark <> pg_catalog.date_bin(m.window_size, mo.watermark, timestamptz '2000-01-01 00:00:00+00');
      RAISE WARNING 'mlobs: monitor %: its windows from % are off the window grid (a DST change under 0.2.0) and kept: the log no longer holds their rows; its next windows start on the grid', m.name, first_off
        USING HINT = 'Up to an hour after the last kept window is in no window. A backfill over the kept windows adds grid windows beside them: delete those first.';
      CONTINUE;
    END IF;
    DELETE FROM mlobs.metric_points p WHERE p.monitor_id = m.id AND p.window_start = ANY (offs);
    DELETE FROM mlobs.window_failures f WHERE f.monitor_id = m.id AND f.window_start = ANY (offs);
    DELETE FROM mlobs.monitor_windows w WHERE w.monitor_id = m.id AND w.window_start = ANY (offs);
    UPDATE mlobs.monitors mo
       SET watermark = least(mo.watermark, pg_catalog.date_bin(m.window_size, first_off, timestamptz '2000-01-01 00:00:00+00')),
           rows_total = greatest(mo.rows_total - off_rows, 0)
     WHERE mo.id = m.id;
    RAISE WARNING 'mlobs: monitor %: its windows from % were off the window grid (a DST change under 0.2.0); the next run computes them again', m.name, first_off;
  END LOOP;
END $$;

-- Privileges granted or revoked by hand on mlobs' objects since the release was installed (each
-- ACL against its initial privileges, pg_init_privs; the grants made as the objects' owner, and
-- grant options apart): taken back here, before the statements below replay a fresh install's
-- grants, and given again after them, with the initial privileges set to a fresh install's. Run in
-- this script, a GRANT recorded the object's whole ACL, user grants included, as the extension's
-- own: pg_dump (which dumps the difference) left them out and a dump and restore lost them; and
-- the REVOKE/GRANT pairs undid a user's REVOKE (reviews of 2026-12-08). Columns are taken back
-- before their table (a table's REVOKE also takes its columns' privileges).
DO $$
DECLARE
  d record;
  kept jsonb := '[]';
  what text;
  who text;
BEGIN
  FOR d IN
    WITH ext AS (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'mlobs'),
    members AS (
      SELECT dp.classid, dp.objid FROM pg_catalog.pg_depend dp
       WHERE dp.deptype OPERATOR(pg_catalog.=) 'e' AND dp.refobjid OPERATOR(pg_catalog.=) (SELECT ext.oid FROM ext)
         AND dp.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass),
    objs AS (
      SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid AS classid, c.oid AS objid, 0 AS subid, c.relowner AS owner,
             pg_catalog.format('%s %I.%I', CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                               n.nspname, c.relname) AS target, NULL::pg_catalog.text AS col,
             coalesce(c.relacl, pg_catalog.acldefault(CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S' THEN 's' ELSE 'r' END::"char", c.relowner)) AS acl,
             pg_catalog.acldefault(CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S' THEN 's' ELSE 'r' END::"char", c.relowner) AS dflt
        FROM members m JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) m.objid
        JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
       WHERE m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
      UNION ALL
      SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, c.oid, a.attnum, c.relowner,
             pg_catalog.format('TABLE %I.%I', n.nspname, c.relname), a.attname::pg_catalog.text, a.attacl, NULL
        FROM members m JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) m.objid
        JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
        JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
       WHERE m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
      UNION ALL
      SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid, p.oid, 0, p.proowner,
             pg_catalog.format('ROUTINE %I.%I(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)), NULL,
             coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner)), pg_catalog.acldefault('f', p.proowner)
        FROM members m JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) m.objid
        JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
       WHERE m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
      UNION ALL
      SELECT 'pg_catalog.pg_namespace'::pg_catalog.regclass::pg_catalog.oid, n.oid, 0, n.nspowner, pg_catalog.format('SCHEMA %I', n.nspname), NULL,
             coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner)), pg_catalog.acldefault('n', n.nspowner)
        FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) 'mlobs'),
    judged AS (
      SELECT o.*, coalesce((SELECT ip.initprivs FROM pg_catalog.pg_init_privs ip
                             WHERE ip.objoid OPERATOR(pg_catalog.=) o.objid AND ip.classoid OPERATOR(pg_catalog.=) o.classid
                               AND ip.objsubid OPERATOR(pg_catalog.=) o.subid), o.dflt) AS init
        FROM objs o),
    -- Each (grantee, privilege) the owner granted, now and initially, with its grant option.
    pairs AS (
      SELECT j.classid, j.objid, j.subid, j.target, j.col, x.grantee, x.privilege_type,
             pg_catalog.bool_or(x.now) AS now_held, pg_catalog.bool_or(x.now AND x.is_grantable) AS now_option,
             pg_catalog.bool_or(NOT x.now) AS init_held, pg_catalog.bool_or(NOT x.now AND x.is_grantable) AS init_option
        FROM judged j
       CROSS JOIN LATERAL (SELECT a.grantee, a.privilege_type, a.is_grantable, true AS now FROM pg_catalog.aclexplode(j.acl) a
                            WHERE a.grantor OPERATOR(pg_catalog.=) j.owner
                           UNION ALL
                           SELECT i.grantee, i.privilege_type, i.is_grantable, false FROM pg_catalog.aclexplode(j.init) i
                            WHERE i.grantor OPERATOR(pg_catalog.=) j.owner) x
       GROUP BY j.classid, j.objid, j.subid, j.target, j.col, x.grantee, x.privilege_type)
    SELECT p.*, CASE WHEN p.now_held AND NOT p.init_held THEN 'added'
                     WHEN p.init_held AND NOT p.now_held THEN 'removed'
                     WHEN p.now_option AND NOT p.init_option THEN 'option_added'
                     ELSE 'option_removed' END AS change
      FROM pairs p
     WHERE p.now_held IS DISTINCT FROM p.init_held OR p.now_option IS DISTINCT FROM p.init_option
     ORDER BY p.target, p.col NULLS LAST, p.privilege_type, p.grantee
  LOOP
    what := pg_catalog.format('%s%s ON %s', d.privilege_type, CASE WHEN d.col IS NULL THEN '' ELSE pg_catalog.format(' (%I)', d.col) END,
                              d.target);
    -- (regrole's text is an identifier, quoted where needed)
    who := CASE WHEN d.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE d.grantee::pg_catalog.regrole::pg_catalog.text END;
    BEGIN
      EXECUTE CASE d.change
        WHEN 'added' THEN pg_catalog.format('REVOKE %s FROM %s', what, who)
        WHEN 'removed' THEN pg_catalog.format('GRANT %s TO %s%s', what, who, CASE WHEN d.init_option THEN ' WITH GRANT OPTION' ELSE '' END)
        WHEN 'option_added' THEN pg_catalog.format('REVOKE GRANT OPTION FOR %s FROM %s', what, who)
        ELSE pg_catalog.format('GRANT %s TO %s WITH GRANT OPTION', what, who) END;
      kept := kept OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(
        'what', what, 'who', who, 'option', coalesce(d.now_option, false), 'change', d.change, 'col', d.col IS NOT NULL);
    EXCEPTION WHEN OTHERS THEN
      -- Passed on by its grantee (WITH GRANT OPTION): it stays as it is, and after a dump and
      -- restore it is the extension's own grant, not yours.
      RAISE WARNING 'mlobs: % for % is kept as it is through the update (%)', what, who, SQLERRM
        USING HINT = 'A grant passed on by its grantee: check it after a dump and restore, and grant it again if it is missing.';
    END;
  END LOOP;
  PERFORM pg_catalog.set_config('mlobs.update_user_privileges', kept::pg_catalog.text, true);
END $$;

-- Privileges as a fresh install grants them (src/sql/finalize.sql); readers lose the summary columns and the error messages.
REVOKE SELECT ON mlobs.monitors, mlobs.monitor_windows, mlobs.runs, mlobs.window_failures, mlobs.retraining_requests FROM mlobs_reader;
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

-- The privileges granted or revoked by hand, taken back above, given again (tables before their
-- columns); then the initial privileges of mlobs' objects are what this script's grants recorded
-- (a fresh install's), but for grants made by others than an object's owner or to other roles
-- than the owner, mlobs_reader, mlobs_admin and PUBLIC, which a fresh install never makes: those
-- are yours.
DO $$
DECLARE
  kept jsonb := coalesce(NULLIF(pg_catalog.current_setting('mlobs.update_user_privileges', true), ''), '[]')::jsonb;
  d record;
  snapshot jsonb;
  n int := 0;
BEGIN
  WITH ext AS (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'mlobs'),
  objs AS (
    SELECT dp.classid, dp.objid FROM pg_catalog.pg_depend dp
     WHERE dp.deptype OPERATOR(pg_catalog.=) 'e' AND dp.refobjid OPERATOR(pg_catalog.=) (SELECT ext.oid FROM ext)
       AND dp.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
    UNION ALL
    SELECT 'pg_catalog.pg_namespace'::pg_catalog.regclass, n.oid FROM pg_catalog.pg_namespace n
     WHERE n.nspname OPERATOR(pg_catalog.=) ANY ('{mlobs,mlobs_internal}'::pg_catalog.name[]))
  SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('objoid', ip.objoid, 'classoid', ip.classoid, 'objsubid', ip.objsubid,
                                                                     'privtype', ip.privtype, 'initprivs', ip.initprivs)), '[]')
    INTO snapshot
    FROM pg_catalog.pg_init_privs ip JOIN objs o ON o.classid OPERATOR(pg_catalog.=) ip.classoid AND o.objid OPERATOR(pg_catalog.=) ip.objoid;
  FOR d IN SELECT x.* FROM pg_catalog.jsonb_to_recordset(kept) AS x (what text, who text, option bool, change text, col bool)
            ORDER BY x.col LOOP
    BEGIN
      EXECUTE CASE d.change
        WHEN 'added' THEN pg_catalog.format('GRANT %s TO %s%s', d.what, d.who, CASE WHEN d.option THEN ' WITH GRANT OPTION' ELSE '' END)
        WHEN 'removed' THEN pg_catalog.format('REVOKE %s FROM %s', d.what, d.who)
        WHEN 'option_added' THEN pg_catalog.format('GRANT %s TO %s WITH GRANT OPTION', d.what, d.who)
        ELSE pg_catalog.format('REVOKE GRANT OPTION FOR %s FROM %s', d.what, d.who) END;
      n := n OPERATOR(pg_catalog.+) 1;
    EXCEPTION WHEN OTHERS THEN
      RAISE WARNING 'mlobs: % (%) for %: not given again after the update: %', d.what, d.change, d.who, SQLERRM;
    END;
  END LOOP;
  -- The replay above recorded itself in pg_init_privs: back to the snapshot, filtered.
  DELETE FROM pg_catalog.pg_init_privs ip
   WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_depend dp JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) dp.refobjid
                  WHERE e.extname OPERATOR(pg_catalog.=) 'mlobs' AND dp.deptype OPERATOR(pg_catalog.=) 'e'
                    AND dp.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
                    AND dp.classid OPERATOR(pg_catalog.=) ip.classoid AND dp.objid OPERATOR(pg_catalog.=) ip.objoid)
      OR ip.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass
         AND ip.objoid OPERATOR(pg_catalog.=) ANY (SELECT n.oid FROM pg_catalog.pg_namespace n
                                                    WHERE n.nspname OPERATOR(pg_catalog.=) ANY ('{mlobs,mlobs_internal}'::pg_catalog.name[]));
  INSERT INTO pg_catalog.pg_init_privs (objoid, classoid, objsubid, privtype, initprivs)
  SELECT s.objoid, s.classoid, s.objsubid, s.privtype,
         coalesce((SELECT pg_catalog.array_agg(item) FROM pg_catalog.unnest(s.initprivs) item
                    WHERE w.owner IS NULL OR (SELECT e.grantor OPERATOR(pg_catalog.=) w.owner
                                  AND (e.grantee OPERATOR(pg_catalog.=) 0 OR e.grantee OPERATOR(pg_catalog.=) w.owner
                                       OR e.grantee::pg_catalog.regrole::pg_catalog.text OPERATOR(pg_catalog.=) ANY ('{mlobs_reader,mlobs_admin}'::pg_catalog.text[]))
                             FROM pg_catalog.aclexplode(ARRAY[item]) e LIMIT 1)), '{}')
    FROM pg_catalog.jsonb_to_recordset(snapshot) AS s (objoid oid, classoid oid, objsubid int, privtype "char", initprivs aclitem[])
   CROSS JOIN LATERAL (SELECT coalesce((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) s.objoid
                                          AND s.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass),
                                       (SELECT p.proowner FROM pg_catalog.pg_proc p WHERE p.oid OPERATOR(pg_catalog.=) s.objoid
                                          AND s.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass),
                                       (SELECT t.typowner FROM pg_catalog.pg_type t WHERE t.oid OPERATOR(pg_catalog.=) s.objoid
                                          AND s.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass),
                                       (SELECT x.nspowner FROM pg_catalog.pg_namespace x WHERE x.oid OPERATOR(pg_catalog.=) s.objoid
                                          AND s.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass)) AS owner) w;
  IF n OPERATOR(pg_catalog.>) 0 THEN
    RAISE WARNING 'mlobs: % privileges granted or revoked by hand on mlobs objects are kept through the update, and dumped as yours', n;
  END IF;
END $$;

-- ==== section: jsonb (native jsonb reading) ======================================================

-- ==== section: numerics (drift, categories, profiles) ============================================
-- mlobs.psi(profile, profile): one name, one default. Without a binning it now uses Evidently's
-- bins like mlobs.psi(float8[], float8[]) and mlobs.drift(p, p, 'psi') (0.2.0 used 10
-- reference-quantile bins); binning => 'reference_quantile' keeps the old numbers. The 0.2.0
-- positional form psi(r, c, n) keeps its meaning (n reference-quantile bins) under the same C
-- symbol, without a default so that psi(r, c) is not ambiguous. A view calling
-- mlobs.psi(profile, profile[, int]) must be dropped before this update and recreated after.
DROP FUNCTION mlobs.psi(mlobs.profile, mlobs.profile, integer);
CREATE FUNCTION mlobs.psi(
	"reference" mlobs.profile,
	"current" mlobs.profile,
	"reference_quantile_bins" INT
) RETURNS double precision
IMMUTABLE STRICT PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'psi_profiles_wrapper';
CREATE FUNCTION mlobs.psi(
	"reference" mlobs.profile,
	"current" mlobs.profile,
	"binning" TEXT DEFAULT 'evidently',
	"bins" INT DEFAULT NULL
) RETURNS double precision
IMMUTABLE PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'psi_profiles_binned_wrapper';

-- mlobs.drift_methods(): the drift-method registry (new in 0.3.0).
CREATE FUNCTION mlobs.drift_methods() RETURNS TABLE (
	"name" TEXT,
	"inputs" TEXT[],
	"options" TEXT[],
	"default_threshold" double precision,
	"drifted_when" TEXT,
	"statistic" TEXT
)
IMMUTABLE STRICT PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'drift_methods_wrapper';

-- mlobs.class_report(confusion): scikit-learn's classification_report as rows (new in 0.3.0).
CREATE FUNCTION mlobs.class_report(
	"c" mlobs.confusion,
	"zero_division" double precision DEFAULT 0
) RETURNS TABLE (
	"class" TEXT,
	"precision" double precision,
	"recall" double precision,
	"f1" double precision,
	"support" double precision
)
IMMUTABLE PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'class_report_wrapper';

-- mlobs.chi2_contingency(confusion): feature-target chi-square test and Cramér's V (new in 0.3.0).
CREATE FUNCTION mlobs.chi2_contingency(
	"c" mlobs.confusion,
	"correction" bool DEFAULT true
) RETURNS TABLE (
	"statistic" double precision,
	"p_value" double precision,
	"dof" bigint,
	"cramers_v" double precision
)
IMMUTABLE PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'chi2_contingency_wrapper';

-- Multiclass ROC AUC over the one-vs-rest state: one-vs-rest weighted, one-vs-one (Hand & Till)
-- macro and weighted (new in 0.3.0). Their final functions move to mlobs_internal below.
CREATE FUNCTION mlobs.ovr_auc_weighted_final(internal) RETURNS float8
  AS 'MODULE_PATHNAME', 'mlobs_ovr_auc_weighted_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.ovo_auc_final(internal) RETURNS float8
  AS 'MODULE_PATHNAME', 'mlobs_ovo_auc_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.ovo_auc_weighted_final(internal) RETURNS float8
  AS 'MODULE_PATHNAME', 'mlobs_ovo_auc_weighted_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE mlobs.roc_auc_ovr_weighted_agg(float8[], int8) (
  SFUNC = mlobs.ovr_trans, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.ovr_auc_weighted_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ovr_combine,
  SERIALFUNC = mlobs.ovr_serial, DESERIALFUNC = mlobs.ovr_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.roc_auc_ovr_weighted_agg(float8[], int8) IS 'Exact multiclass ROC AUC, one-vs-rest, class-prevalence weighted average (scikit-learn)';
CREATE AGGREGATE mlobs.roc_auc_ovo_agg(float8[], int8) (
  SFUNC = mlobs.ovr_trans, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.ovo_auc_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ovr_combine,
  SERIALFUNC = mlobs.ovr_serial, DESERIALFUNC = mlobs.ovr_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.roc_auc_ovo_agg(float8[], int8) IS 'Exact multiclass ROC AUC, one-vs-one (Hand & Till), macro average (scikit-learn)';
CREATE AGGREGATE mlobs.roc_auc_ovo_weighted_agg(float8[], int8) (
  SFUNC = mlobs.ovr_trans, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.ovo_auc_weighted_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ovr_combine,
  SERIALFUNC = mlobs.ovr_serial, DESERIALFUNC = mlobs.ovr_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.roc_auc_ovo_weighted_agg(float8[], int8) IS 'Exact multiclass ROC AUC, one-vs-one (Hand & Till), pair-prevalence weighted average (scikit-learn)';

-- Multiclass average precision over the one-vs-rest state, macro and weighted (new in 0.3.0).
-- Their final functions move to mlobs_internal below.
CREATE FUNCTION mlobs.ovr_ap_final(internal) RETURNS float8
  AS 'MODULE_PATHNAME', 'mlobs_ovr_ap_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.ovr_ap_weighted_final(internal) RETURNS float8
  AS 'MODULE_PATHNAME', 'mlobs_ovr_ap_weighted_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE mlobs.pr_auc_ovr_agg(float8[], int8) (
  SFUNC = mlobs.ovr_trans, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.ovr_ap_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ovr_combine,
  SERIALFUNC = mlobs.ovr_serial, DESERIALFUNC = mlobs.ovr_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.pr_auc_ovr_agg(float8[], int8) IS 'Exact multiclass average precision, one-vs-rest, macro average (scikit-learn)';
CREATE AGGREGATE mlobs.pr_auc_ovr_weighted_agg(float8[], int8) (
  SFUNC = mlobs.ovr_trans, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.ovr_ap_weighted_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ovr_combine,
  SERIALFUNC = mlobs.ovr_serial, DESERIALFUNC = mlobs.ovr_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.pr_auc_ovr_weighted_agg(float8[], int8) IS 'Exact multiclass average precision, one-vs-rest, class-prevalence weighted average (scikit-learn)';

-- mlobs.in_top_k: one row's top-k hit (scikit-learn top_k_accuracy_score), new in 0.3.0.
CREATE FUNCTION mlobs.in_top_k(
	"scores" double precision[],
	"label" bigint,
	"k" INT DEFAULT 2
) RETURNS bool
IMMUTABLE PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'in_top_k_wrapper';

-- Regression losses over the loss state (new in 0.3.0): mean Tweedie / Poisson / Gamma deviance
-- and mean pinball loss. The state's format is version 2 (parameterised kinds); it is an
-- internal aggregate state, never stored, and version 1 still decodes. The transitions move to
-- mlobs_internal below.
CREATE FUNCTION mlobs.tweedie_deviance_trans(internal, float8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_tweedie_deviance_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.tweedie_deviance_trans(internal, float8, float8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_tweedie_deviance_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.poisson_deviance_trans(internal, float8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_poisson_deviance_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.gamma_deviance_trans(internal, float8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_gamma_deviance_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.pinball_loss_trans(internal, float8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_pinball_loss_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.pinball_loss_trans(internal, float8, float8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_pinball_loss_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE mlobs.tweedie_deviance_agg(float8, float8) (
  SFUNC = mlobs.tweedie_deviance_trans, STYPE = internal, SSPACE = 64,
  FINALFUNC = mlobs.loss_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.loss_combine,
  SERIALFUNC = mlobs.loss_serial, DESERIALFUNC = mlobs.loss_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.tweedie_deviance_agg(float8, float8) IS 'Mean Tweedie deviance of (target, prediction, power 0) (scikit-learn mean_tweedie_deviance; power 0 is the squared error)';
CREATE AGGREGATE mlobs.tweedie_deviance_agg(float8, float8, float8) (
  SFUNC = mlobs.tweedie_deviance_trans, STYPE = internal, SSPACE = 64,
  FINALFUNC = mlobs.loss_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.loss_combine,
  SERIALFUNC = mlobs.loss_serial, DESERIALFUNC = mlobs.loss_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.tweedie_deviance_agg(float8, float8, float8) IS 'Mean Tweedie deviance of (target, prediction, power) (scikit-learn mean_tweedie_deviance; power 0 is the squared error)';
CREATE AGGREGATE mlobs.poisson_deviance_agg(float8, float8) (
  SFUNC = mlobs.poisson_deviance_trans, STYPE = internal, SSPACE = 64,
  FINALFUNC = mlobs.loss_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.loss_combine,
  SERIALFUNC = mlobs.loss_serial, DESERIALFUNC = mlobs.loss_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.poisson_deviance_agg(float8, float8) IS 'Mean Poisson deviance of (target, prediction) (scikit-learn mean_poisson_deviance)';
CREATE AGGREGATE mlobs.gamma_deviance_agg(float8, float8) (
  SFUNC = mlobs.gamma_deviance_trans, STYPE = internal, SSPACE = 64,
  FINALFUNC = mlobs.loss_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.loss_combine,
  SERIALFUNC = mlobs.loss_serial, DESERIALFUNC = mlobs.loss_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.gamma_deviance_agg(float8, float8) IS 'Mean Gamma deviance of (target, prediction) (scikit-learn mean_gamma_deviance)';
CREATE AGGREGATE mlobs.pinball_loss_agg(float8, float8) (
  SFUNC = mlobs.pinball_loss_trans, STYPE = internal, SSPACE = 64,
  FINALFUNC = mlobs.loss_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.loss_combine,
  SERIALFUNC = mlobs.loss_serial, DESERIALFUNC = mlobs.loss_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.pinball_loss_agg(float8, float8) IS 'Mean pinball (quantile) loss of (target, prediction, alpha 0.5) (scikit-learn mean_pinball_loss)';
CREATE AGGREGATE mlobs.pinball_loss_agg(float8, float8, float8) (
  SFUNC = mlobs.pinball_loss_trans, STYPE = internal, SSPACE = 64,
  FINALFUNC = mlobs.loss_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.loss_combine,
  SERIALFUNC = mlobs.loss_serial, DESERIALFUNC = mlobs.loss_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.pinball_loss_agg(float8, float8, float8) IS 'Mean pinball (quantile) loss of (target, prediction, alpha) (scikit-learn mean_pinball_loss)';

-- Concept drift against a stored reference (new in 0.3.0): monitors keep the reference side
-- and never read the reference rows again per window.
CREATE FUNCTION mlobs.concept_reference(
	"reference_x" double precision[],
	"reference_y" double precision[],
	"bins" INT DEFAULT 10
) RETURNS jsonb
IMMUTABLE STRICT PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'concept_reference_wrapper';
CREATE FUNCTION mlobs.concept_drift(
	"reference" jsonb,
	"current_x" double precision[],
	"current_y" double precision[]
) RETURNS mlobs.concept_drift_result
IMMUTABLE STRICT PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'concept_drift_stored_wrapper';
-- concept_drift_agg: the stored-reference comparison as an aggregate over a window's rows (the
-- runtime's classification scan uses it instead of two array_aggs). Its support functions move to
-- mlobs_internal below.
CREATE FUNCTION mlobs.concept_window_trans(internal, jsonb, float8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_concept_window_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.concept_window_final(internal) RETURNS mlobs.concept_drift_result
  AS 'MODULE_PATHNAME', 'mlobs_concept_window_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE mlobs.concept_drift_agg(reference jsonb, x float8, y float8) (
  SFUNC = mlobs.concept_window_trans, STYPE = internal, SSPACE = 256,
  FINALFUNC = mlobs.concept_window_final, FINALFUNC_MODIFY = READ_ONLY, PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.concept_drift_agg(jsonb, float8, float8) IS 'Concept drift of a window''s (feature, target) rows against a stored mlobs.concept_reference, in one pass (see docs/drift.md)';
-- Sample weights on the exact ranking aggregates, their one-vs-rest forms and score_agg (new in
-- 0.3.0; scikit-learn's sample_weight; scikit-learn's one-vs-one AUC takes none). The ranking,
-- one-vs-rest and score summary formats gain a version 2, written only by weighted values;
-- version 1 values (every stored score_summary) still read and merge with weighted ones. The
-- transitions move to mlobs_internal below.
CREATE FUNCTION mlobs.ranking_trans_int_w(internal, float8, int8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_ranking_trans_int_w' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.ranking_trans_bool_w(internal, float8, bool, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_ranking_trans_bool_w' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE mlobs.roc_auc_agg(float8, int8, float8) (
  SFUNC = mlobs.ranking_trans_int_w, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.roc_auc_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ranking_combine,
  SERIALFUNC = mlobs.ranking_serial, DESERIALFUNC = mlobs.ranking_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.roc_auc_agg(float8, int8, float8) IS 'Exact ROC AUC of (score, label, sample weight), ties count 1/2 (scikit-learn)';
CREATE AGGREGATE mlobs.pr_auc_agg(float8, int8, float8) (
  SFUNC = mlobs.ranking_trans_int_w, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.pr_auc_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ranking_combine,
  SERIALFUNC = mlobs.ranking_serial, DESERIALFUNC = mlobs.ranking_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.pr_auc_agg(float8, int8, float8) IS 'Exact average precision of (score, label, sample weight) (scikit-learn)';
CREATE AGGREGATE mlobs.ece_agg(float8, int8, float8) (
  SFUNC = mlobs.ranking_trans_int_w, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.ece_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ranking_combine,
  SERIALFUNC = mlobs.ranking_serial, DESERIALFUNC = mlobs.ranking_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.ece_agg(float8, int8, float8) IS 'Expected calibration error on 10 equal-count bins (scikit-learn calibration_curve quantile bins), sample-weighted';
CREATE AGGREGATE mlobs.roc_auc_agg(float8, bool, float8) (
  SFUNC = mlobs.ranking_trans_bool_w, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.roc_auc_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ranking_combine,
  SERIALFUNC = mlobs.ranking_serial, DESERIALFUNC = mlobs.ranking_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.roc_auc_agg(float8, bool, float8) IS 'Exact ROC AUC of (score, label, sample weight), ties count 1/2 (scikit-learn)';
CREATE AGGREGATE mlobs.pr_auc_agg(float8, bool, float8) (
  SFUNC = mlobs.ranking_trans_bool_w, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.pr_auc_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ranking_combine,
  SERIALFUNC = mlobs.ranking_serial, DESERIALFUNC = mlobs.ranking_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.pr_auc_agg(float8, bool, float8) IS 'Exact average precision of (score, label, sample weight) (scikit-learn)';
CREATE AGGREGATE mlobs.ece_agg(float8, bool, float8) (
  SFUNC = mlobs.ranking_trans_bool_w, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.ece_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ranking_combine,
  SERIALFUNC = mlobs.ranking_serial, DESERIALFUNC = mlobs.ranking_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.ece_agg(float8, bool, float8) IS 'Expected calibration error on 10 equal-count bins (scikit-learn calibration_curve quantile bins), sample-weighted';
CREATE FUNCTION mlobs.ovr_trans_w(internal, float8[], int8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_ovr_trans_w' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE mlobs.roc_auc_ovr_agg(float8[], int8, float8) (
  SFUNC = mlobs.ovr_trans_w, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.ovr_auc_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ovr_combine,
  SERIALFUNC = mlobs.ovr_serial, DESERIALFUNC = mlobs.ovr_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.roc_auc_ovr_agg(float8[], int8, float8) IS 'Exact multiclass ROC AUC, one-vs-rest, macro average, sample-weighted (scikit-learn)';
CREATE AGGREGATE mlobs.roc_auc_ovr_weighted_agg(float8[], int8, float8) (
  SFUNC = mlobs.ovr_trans_w, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.ovr_auc_weighted_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ovr_combine,
  SERIALFUNC = mlobs.ovr_serial, DESERIALFUNC = mlobs.ovr_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.roc_auc_ovr_weighted_agg(float8[], int8, float8) IS 'Exact multiclass ROC AUC, one-vs-rest, average weighted by the classes'' summed sample weights, sample-weighted (scikit-learn)';
CREATE AGGREGATE mlobs.pr_auc_ovr_agg(float8[], int8, float8) (
  SFUNC = mlobs.ovr_trans_w, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.ovr_ap_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ovr_combine,
  SERIALFUNC = mlobs.ovr_serial, DESERIALFUNC = mlobs.ovr_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.pr_auc_ovr_agg(float8[], int8, float8) IS 'Exact multiclass average precision, one-vs-rest, macro average, sample-weighted (scikit-learn)';
CREATE AGGREGATE mlobs.pr_auc_ovr_weighted_agg(float8[], int8, float8) (
  SFUNC = mlobs.ovr_trans_w, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.ovr_ap_weighted_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ovr_combine,
  SERIALFUNC = mlobs.ovr_serial, DESERIALFUNC = mlobs.ovr_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.pr_auc_ovr_weighted_agg(float8[], int8, float8) IS 'Exact multiclass average precision, one-vs-rest, average weighted by the classes'' summed sample weights, sample-weighted (scikit-learn)';
CREATE FUNCTION mlobs.score_trans_int_w(internal, float8, int8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_score_trans_int_w' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.score_trans_bool_w(internal, float8, bool, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_score_trans_bool_w' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.score_trans_int_w_grid(internal, float8, int8, float8, int4) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_score_trans_int_w_grid' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.score_trans_bool_w_grid(internal, float8, bool, float8, int4) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_score_trans_bool_w_grid' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE mlobs.score_agg(float8, int8, float8) (
  SFUNC = mlobs.score_trans_int_w, STYPE = internal, SSPACE = 1024,
  FINALFUNC = mlobs.score_summary_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.score_summary_combine,
  SERIALFUNC = mlobs.score_summary_serial, DESERIALFUNC = mlobs.score_summary_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.score_agg(float8, int8, float8) IS 'Mergeable score summary of (probability, label, sample weight) (see docs/metrics.md)';
CREATE AGGREGATE mlobs.score_agg(float8, bool, float8) (
  SFUNC = mlobs.score_trans_bool_w, STYPE = internal, SSPACE = 1024,
  FINALFUNC = mlobs.score_summary_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.score_summary_combine,
  SERIALFUNC = mlobs.score_summary_serial, DESERIALFUNC = mlobs.score_summary_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.score_agg(float8, bool, float8) IS 'Mergeable score summary of (probability, label, sample weight) (see docs/metrics.md)';
CREATE AGGREGATE mlobs.score_agg(float8, int8, float8, int4) (
  SFUNC = mlobs.score_trans_int_w_grid, STYPE = internal, SSPACE = 1024,
  FINALFUNC = mlobs.score_summary_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.score_summary_combine,
  SERIALFUNC = mlobs.score_summary_serial, DESERIALFUNC = mlobs.score_summary_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.score_agg(float8, int8, float8, int4) IS 'Mergeable score summary of (probability, label, sample weight) (see docs/metrics.md)';
CREATE AGGREGATE mlobs.score_agg(float8, bool, float8, int4) (
  SFUNC = mlobs.score_trans_bool_w_grid, STYPE = internal, SSPACE = 1024,
  FINALFUNC = mlobs.score_summary_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.score_summary_combine,
  SERIALFUNC = mlobs.score_summary_serial, DESERIALFUNC = mlobs.score_summary_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.score_agg(float8, bool, float8, int4) IS 'Mergeable score summary of (probability, label, sample weight) (see docs/metrics.md)';
-- Sample weights (issue 17): log_loss_agg and brier_agg (every input form) and regression_agg take
-- a weight after (prediction, label) / (target, prediction), as confusion_agg does; the weighted
-- transitions share the unweighted ones' C symbols (they read the weight when given). Summaries
-- stored by 0.2.0 (regression_summary format version 1) still read and merge.
CREATE FUNCTION mlobs.log_loss_trans_int(internal, float8, int8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_log_loss_trans_int' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.log_loss_trans_bool(internal, float8, bool, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_log_loss_trans_bool' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.log_loss_trans_array(internal, float8[], int8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_log_loss_trans_array' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.brier_trans_int(internal, float8, int8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_brier_trans_int' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.brier_trans_bool(internal, float8, bool, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_brier_trans_bool' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.brier_trans_array(internal, float8[], int8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_brier_trans_array' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE mlobs.log_loss_agg(float8, int8, float8) (
  SFUNC = mlobs.log_loss_trans_int, STYPE = internal, SSPACE = 64,
  FINALFUNC = mlobs.loss_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.loss_combine,
  SERIALFUNC = mlobs.loss_serial, DESERIALFUNC = mlobs.loss_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.log_loss_agg(float8, int8, float8) IS 'Log loss (scikit-learn, probabilities clipped to [eps, 1-eps]) with sample weights (scikit-learn sample_weight; NULL weight skips the row, total weight 0 gives NULL)';
CREATE AGGREGATE mlobs.log_loss_agg(float8, bool, float8) (
  SFUNC = mlobs.log_loss_trans_bool, STYPE = internal, SSPACE = 64,
  FINALFUNC = mlobs.loss_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.loss_combine,
  SERIALFUNC = mlobs.loss_serial, DESERIALFUNC = mlobs.loss_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.log_loss_agg(float8, bool, float8) IS 'Log loss (scikit-learn, probabilities clipped to [eps, 1-eps]) with sample weights (scikit-learn sample_weight; NULL weight skips the row, total weight 0 gives NULL)';
CREATE AGGREGATE mlobs.log_loss_agg(float8[], int8, float8) (
  SFUNC = mlobs.log_loss_trans_array, STYPE = internal, SSPACE = 64,
  FINALFUNC = mlobs.loss_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.loss_combine,
  SERIALFUNC = mlobs.loss_serial, DESERIALFUNC = mlobs.loss_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.log_loss_agg(float8[], int8, float8) IS 'Log loss (scikit-learn, probabilities clipped to [eps, 1-eps]) with sample weights (scikit-learn sample_weight; NULL weight skips the row, total weight 0 gives NULL)';
CREATE AGGREGATE mlobs.brier_agg(float8, int8, float8) (
  SFUNC = mlobs.brier_trans_int, STYPE = internal, SSPACE = 64,
  FINALFUNC = mlobs.loss_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.loss_combine,
  SERIALFUNC = mlobs.loss_serial, DESERIALFUNC = mlobs.loss_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.brier_agg(float8, int8, float8) IS 'Brier score (scikit-learn; multiclass sums over classes) with sample weights (scikit-learn sample_weight; NULL weight skips the row, total weight 0 gives NULL)';
CREATE AGGREGATE mlobs.brier_agg(float8, bool, float8) (
  SFUNC = mlobs.brier_trans_bool, STYPE = internal, SSPACE = 64,
  FINALFUNC = mlobs.loss_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.loss_combine,
  SERIALFUNC = mlobs.loss_serial, DESERIALFUNC = mlobs.loss_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.brier_agg(float8, bool, float8) IS 'Brier score (scikit-learn; multiclass sums over classes) with sample weights (scikit-learn sample_weight; NULL weight skips the row, total weight 0 gives NULL)';
CREATE AGGREGATE mlobs.brier_agg(float8[], int8, float8) (
  SFUNC = mlobs.brier_trans_array, STYPE = internal, SSPACE = 64,
  FINALFUNC = mlobs.loss_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.loss_combine,
  SERIALFUNC = mlobs.loss_serial, DESERIALFUNC = mlobs.loss_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.brier_agg(float8[], int8, float8) IS 'Brier score (scikit-learn; multiclass sums over classes) with sample weights (scikit-learn sample_weight; NULL weight skips the row, total weight 0 gives NULL)';

CREATE FUNCTION mlobs.regression_trans(internal, float8, float8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_regression_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE mlobs.regression_agg(float8, float8, float8) (
  SFUNC = mlobs.regression_trans, STYPE = internal, SSPACE = 4096,
  FINALFUNC = mlobs.regression_summary_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.regression_summary_combine,
  SERIALFUNC = mlobs.regression_summary_serial, DESERIALFUNC = mlobs.regression_summary_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.regression_agg(float8, float8, float8) IS 'Regression summary of (target, prediction) with sample weights (scikit-learn sample_weight; see docs/metrics.md)';

-- mlobs.precision/recall/f1(c, zero_division, average, pos_label): scikit-learn's zero_division
-- (new in 0.3.0); the positional forms are in the surface section.
CREATE FUNCTION mlobs."precision"(
	"c" mlobs.confusion,
	"zero_division" double precision,
	"average" TEXT DEFAULT 'binary',
	"pos_label" TEXT DEFAULT NULL
) RETURNS double precision
IMMUTABLE PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'precision_zero_division_wrapper';
CREATE FUNCTION mlobs.recall(
	"c" mlobs.confusion,
	"zero_division" double precision,
	"average" TEXT DEFAULT 'binary',
	"pos_label" TEXT DEFAULT NULL
) RETURNS double precision
IMMUTABLE PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'recall_zero_division_wrapper';
CREATE FUNCTION mlobs.f1(
	"c" mlobs.confusion,
	"zero_division" double precision,
	"average" TEXT DEFAULT 'binary',
	"pos_label" TEXT DEFAULT NULL
) RETURNS double precision
IMMUTABLE PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'f1_zero_division_wrapper';
-- mlobs.n_distinct: distinct counts of profiles (new in 0.3.0). Profiles now write binary format version 3 (with
-- the distinct sketch); versions 1 and 2 stored before still read, with an unknown (NULL)
-- distinct count.
CREATE FUNCTION mlobs."n_distinct"(
	"p" mlobs.profile
) RETURNS bigint
IMMUTABLE STRICT PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'n_distinct_wrapper';
CREATE FUNCTION mlobs."n_distinct_bounds"(
	"p" mlobs.profile
) RETURNS bigint[]
IMMUTABLE STRICT PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'n_distinct_bounds_wrapper';
CREATE FUNCTION mlobs."n_distinct_is_exact"(
	"p" mlobs.profile
) RETURNS bool
IMMUTABLE STRICT PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'n_distinct_is_exact_wrapper';

-- Monitor kind multivariate_drift (issue 18): a row of numbers from a jsonb payload, NannyML's
-- reconstruction model as JSON, and the bounded sample of a window's rows (new in 0.3.0).
CREATE FUNCTION mlobs."jsonb_floats"(
	"payload" jsonb,
	"keys" TEXT[]
) RETURNS double precision[]
IMMUTABLE STRICT PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'jsonb_floats_wrapper';
CREATE FUNCTION mlobs."pca_fit"(
	"reference" double precision[],
	"variance" double precision DEFAULT 0.65
) RETURNS jsonb
IMMUTABLE STRICT PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'pca_fit_wrapper';
CREATE FUNCTION mlobs."pca_error"(
	"pca_model" jsonb,
	"rows" double precision[]
) RETURNS double precision
IMMUTABLE STRICT PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'pca_error_wrapper';
CREATE FUNCTION mlobs._row_sample_trans(internal, float8[], int) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_row_sample_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs._row_sample_final(internal) RETURNS text
  AS 'MODULE_PATHNAME', 'mlobs_row_sample_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE mlobs._row_sample_agg(float8[], int) (
  SFUNC = mlobs._row_sample_trans, STYPE = internal,
  FINALFUNC = mlobs._row_sample_final, FINALFUNC_MODIFY = READ_ONLY, PARALLEL = SAFE);

-- ==== section: surface (comments, internal schema, accessor names) ===============================
-- The same statements as the surface section at the end of src/sql/finalize.sql (a fresh install);
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
