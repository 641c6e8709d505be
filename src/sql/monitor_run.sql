-- ==== the monitoring run: windows, revisions, the pg_cron job (docs/monitoring.md) ================
-- run_monitors (what pg_cron calls) computes, revises and retries windows, each monitor as its
-- owner, each window in its own subtransaction.

-- One window of one monitor: its summary (upserted) and metric points. Returns the number of
-- points written. rows_total grows by the window's rows the first time and by any rows that
-- arrived late when it is recomputed (never shrinks: a true counter).
CREATE FUNCTION mlobs._monitor_window(m mlobs.monitors, ws timestamptz, we timestamptz) RETURNS int
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  summary text;
  n bigint;
  k int;
  before bigint;
BEGIN
  EXECUTE format('SELECT count(*), %s FROM %s WHERE %I >= $1 AND %I < $2', mlobs._monitor_summary_sql(m), m.source,
                 m.ts_column, m.ts_column)
    INTO n, summary USING ws, we;
  SELECT w.rows INTO before FROM mlobs.monitor_windows w WHERE w.monitor_id = m.id AND w.window_start = ws;
  INSERT INTO mlobs.monitor_windows (monitor_id, window_start, window_end, rows, summary)
  VALUES (m.id, ws, we, n, summary)
  ON CONFLICT ON CONSTRAINT monitor_windows_pkey
    DO UPDATE SET rows = excluded.rows, summary = excluded.summary, computed_at = now();
  IF n > coalesce(before, 0) THEN
    UPDATE mlobs.monitors SET rows_total = rows_total + n - coalesce(before, 0) WHERE id = m.id;
  END IF;
  INSERT INTO mlobs.metric_points (monitor_id, ts, window_start, model, feature, metric, value)
  SELECT m.id, we, ws, m.model, x.feature, x.metric, x.value
    FROM mlobs._monitor_metrics(m, summary, n, ws, we) x
  ON CONFLICT ON CONSTRAINT metric_points_pkey DO UPDATE SET value = excluded.value, ts = excluded.ts;
  GET DIAGNOSTICS k = ROW_COUNT;
  DELETE FROM mlobs.window_failures f WHERE f.monitor_id = m.id AND f.window_start = ws;
  RETURN k;
END $$;

-- A monitor's reference summary and metrics (the base of drift and of drop_vs_reference rules),
-- computed over [reference_from, reference_to) and stored in the monitor row.
CREATE FUNCTION mlobs._monitor_reference(m mlobs.monitors) RETURNS mlobs.monitors
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF m.kind = 'cbpe' THEN
    EXECUTE format('SELECT mlobs.calibration_agg(%s, %s)::text FROM %s WHERE %I >= $1 AND %I < $2 AND %s IS NOT NULL',
                   mlobs._monitor_column(m, 'score'), mlobs._monitor_column(m, 'label'), m.source,
                   m.ts_column, m.ts_column, mlobs._monitor_column(m, 'label'))
      INTO m.reference_summary USING m.reference_from, m.reference_to;
  ELSE
    EXECUTE format('SELECT %s FROM %s WHERE %I >= $1 AND %I < $2', mlobs._monitor_summary_sql(m), m.source,
                   m.ts_column, m.ts_column)
      INTO m.reference_summary USING m.reference_from, m.reference_to;
  END IF;
  IF m.reference_summary IS NULL THEN
    RAISE EXCEPTION 'monitor %: the reference window [%, %) has no rows', m.name, m.reference_from, m.reference_to;
  END IF;
  m.reference_metrics := coalesce((SELECT jsonb_object_agg(x.metric, x.value) FROM mlobs._monitor_metrics(
      m, CASE WHEN (SELECT d.reference_metrics FROM mlobs._monitor_kinds() d WHERE d.kind = m.kind)
              THEN m.reference_summary END, NULL,
      NULL, NULL) x WHERE x.feature = '' AND x.value IS NOT NULL), '{}');
  UPDATE mlobs.monitors SET reference_summary = m.reference_summary, reference_metrics = m.reference_metrics
   WHERE id = m.id;
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

-- One monitor: its reference (once, and again while labels may still land in it), the windows
-- that failed before (retried), the computed windows still within the monitor's horizon whose
-- rows or labels changed (`changed`: the source's changed minutes; NULL when its changes are not
-- tracked, then label monitors recompute every window within label_horizon), and every
-- complete window after the watermark (or from `backfill_from`, never before the monitor's first
-- window). Each window is its own subtransaction: one that fails is rolled back alone, recorded
-- in mlobs.window_failures (and in `failures`), and the monitor goes on with the next; the
-- watermark moves past it and later runs retry it. Alert rules are evaluated after each new or
-- revised window (not during a backfill of past windows).
CREATE FUNCTION mlobs._run_monitor(monitor_id bigint, as_of timestamptz, backfill_from timestamptz, changed timestamptz[],
                                   OUT windows int, OUT revised int, OUT points int, OUT transitions int, OUT failures jsonb)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  m mlobs.monitors;
  labels bool;
  reference_labels bool;
  horizon interval;
  ws timestamptz;
  we timestamptz;
  first_ws timestamptz;
  first_ts timestamptz;
  retry record;
  e_state text;
  e_msg text;
BEGIN
  windows := 0; revised := 0; points := 0; transitions := 0; failures := '[]';
  SELECT * INTO m FROM mlobs.monitors WHERE id = monitor_id FOR UPDATE;
  SELECT d.labelled, d.reference_labelled INTO labels, reference_labels FROM mlobs._monitor_kinds() d WHERE d.kind = m.kind;
  IF m.reference_from IS NOT NULL AND (m.reference_summary IS NULL
     -- Labels still landing in the reference: recompute it (when they changed, if tracked).
     OR (reference_labels AND m.reference_to > as_of - m.label_horizon
         AND (changed IS NULL OR EXISTS (SELECT 1 FROM unnest(changed) c WHERE c >= m.reference_from AND c < m.reference_to)))) THEN
    m := mlobs._monitor_reference(m);
  END IF;
  -- The monitor's first window: start_at, else the end of the reference, else its first row.
  first_ts := coalesce(m.start_at, m.reference_to);
  IF first_ts IS NULL THEN
    EXECUTE format('SELECT min(%I) FROM %s', m.ts_column, m.source) INTO first_ts;
  END IF;
  IF first_ts IS NULL THEN RETURN; END IF;
  first_ws := date_bin(m.window_size, first_ts, timestamptz '2000-01-01 00:00:00+00');
  IF backfill_from IS NOT NULL THEN
    ws := greatest(date_bin(m.window_size, backfill_from, timestamptz '2000-01-01 00:00:00+00'), first_ws);
  ELSE
    ws := coalesce(m.watermark, first_ws);
  END IF;
  -- Windows that failed before (and lie before the ones computed now) are retried first, then
  -- the open windows whose rows or labels changed are revised in place.
  horizon := CASE WHEN labels THEN greatest(m.label_horizon, m.late_data_horizon) ELSE m.late_data_horizon END;
  FOR retry IN
    SELECT DISTINCT ON (x.window_start) x.* FROM (
      SELECT f.window_start, f.window_end, true AS failed FROM mlobs.window_failures f
       WHERE f.monitor_id = m.id AND f.window_start < ws
      UNION ALL
      SELECT w.window_start, w.window_end, false FROM mlobs.monitor_windows w
       WHERE w.monitor_id = m.id AND w.window_start < ws AND w.window_end > as_of - horizon AND backfill_from IS NULL
         AND CASE WHEN changed IS NULL THEN labels AND w.window_end > as_of - m.label_horizon
                  ELSE EXISTS (SELECT 1 FROM unnest(changed) c WHERE c >= w.window_start AND c < w.window_end) END) x
    ORDER BY x.window_start, x.failed DESC
  LOOP
    BEGIN
      points := points + mlobs._monitor_window(m, retry.window_start, retry.window_end);
      IF retry.failed THEN windows := windows + 1; ELSE revised := revised + 1; END IF;
      IF backfill_from IS NULL THEN
        transitions := transitions + mlobs.evaluate_alerts(m.id);
      END IF;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_msg = MESSAGE_TEXT;
      failures := failures || mlobs._record_window_failure(m, retry.window_start, retry.window_end, e_state, e_msg, true);
    END;
  END LOOP;
  LOOP
    we := ws + m.window_size;
    EXIT WHEN we > as_of;
    BEGIN
      points := points + mlobs._monitor_window(m, ws, we);
      windows := windows + 1;
      IF backfill_from IS NULL THEN
        transitions := transitions + mlobs.evaluate_alerts(m.id);
      END IF;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_msg = MESSAGE_TEXT;
      failures := failures || mlobs._record_window_failure(m, ws, we, e_state, e_msg, false);
    END;
    ws := we;
  END LOOP;
  UPDATE mlobs.monitors SET watermark = greatest(watermark, ws) WHERE id = m.id;
END $$;

-- The pg_cron job: every enabled monitor's complete windows up to `now`, then the alert rules.
-- Idempotent (upserts), serialised by an advisory lock (an overlapping run returns 'skipped'),
-- one failing monitor or window is recorded in the run's errors without stopping the others.
-- Each monitor runs as its owner (SET ROLE for its duration): the run's session user must be
-- that role or a member of it (a superuser is), and the owner must still be allowed to SELECT
-- every column the monitor reads; otherwise the monitor is skipped with the reason.
CREATE FUNCTION mlobs.run_monitors(now timestamptz DEFAULT pg_catalog.now(), backfill_from timestamptz DEFAULT NULL,
                                   monitor text DEFAULT NULL)
RETURNS mlobs.runs LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  run mlobs.runs;
  m record;
  res record;
  changes jsonb;
  changed timestamptz[];
  saved_role text := current_setting('role');
  t0 timestamptz := clock_timestamp();
BEGIN
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
  IF NOT pg_try_advisory_xact_lock(hashtext('mlobs.run_monitors')) THEN
    UPDATE mlobs.runs SET status = 'skipped', finished_at = clock_timestamp(),
           duration_ms = extract(epoch FROM clock_timestamp() - t0) * 1000
     WHERE id = run.id RETURNING * INTO run;
    RETURN run;
  END IF;
  -- The minutes of each monitored table that changed since the last run (late labels, late rows),
  -- as its triggers recorded them: consumed by a full run (a run of one monitor only reads them).
  IF monitor IS NULL THEN
    WITH consumed AS (DELETE FROM mlobs.source_changes RETURNING source, minute)
    SELECT jsonb_object_agg(c.source::text, c.minutes) INTO changes
      FROM (SELECT source, array_agg(DISTINCT minute ORDER BY minute) AS minutes FROM consumed GROUP BY source) c;
  ELSE
    SELECT jsonb_object_agg(c.source::text, c.minutes) INTO changes
      FROM (SELECT source, array_agg(DISTINCT minute ORDER BY minute) AS minutes FROM mlobs.source_changes GROUP BY source) c;
  END IF;
  FOR m IN SELECT mo.id, mo.name, mo.source, mo.kind, mo.config, mo.ts_column, mo.owner, ro.rolname
             FROM mlobs.monitors mo LEFT JOIN pg_roles ro ON ro.oid = mo.owner
            WHERE mo.enabled AND (monitor IS NULL OR mo.name = monitor) ORDER BY mo.id LOOP
    BEGIN
      IF m.rolname IS NULL THEN
        RAISE EXCEPTION 'monitor %: its owner (role oid %) no longer exists; UPDATE mlobs.monitors SET owner = ... to hand it over',
          m.name, m.owner::oid USING ERRCODE = '42704';
      END IF;
      IF m.rolname <> current_user THEN
        IF NOT pg_has_role(session_user, m.owner, 'MEMBER') THEN
          RAISE EXCEPTION 'monitor %: this run''s session user % may not act as the monitor''s owner %', m.name, session_user, m.rolname
            USING ERRCODE = '42501', HINT = format('GRANT %I TO %I, or schedule the job as %I', m.rolname, session_user, m.rolname);
        END IF;
        PERFORM set_config('role', m.rolname, true);
      END IF;
      PERFORM mlobs._monitor_check_access(m.name, m.source, m.kind, m.config, m.ts_column);
      changed := CASE WHEN mlobs._changes_tracked(m.source, m.ts_column)
                      THEN ARRAY(SELECT jsonb_array_elements_text(coalesce(changes->(m.source::oid::text), '[]')))::timestamptz[] END;
      SELECT * INTO res FROM mlobs._run_monitor(m.id, run_monitors.now, backfill_from, changed);
      PERFORM set_config('role', saved_role, true);
      run.windows := run.windows + res.windows;
      run.revised := run.revised + res.revised;
      run.points := run.points + res.points;
      run.alert_transitions := run.alert_transitions + res.transitions;
      run.errors := run.errors || res.failures;
    EXCEPTION WHEN OTHERS THEN
      -- The subtransaction's rollback also restored the role. The monitor's changed minutes go
      -- back, so the next run still revises those windows.
      run.errors := run.errors || jsonb_build_object('monitor', m.name, 'sqlstate', SQLSTATE, 'error', SQLERRM);
      IF monitor IS NULL AND changes ? (m.source::oid::text) THEN
        INSERT INTO mlobs.source_changes (source, minute)
        SELECT m.source::oid, x::timestamptz FROM jsonb_array_elements_text(changes->(m.source::oid::text)) x;
        changes := changes - (m.source::oid::text);
      END IF;
    END;
  END LOOP;
  -- Rules added or changed since the last window still apply to the latest points.
  run.alert_transitions := run.alert_transitions + mlobs.evaluate_alerts();
  UPDATE mlobs.runs SET status = CASE WHEN jsonb_array_length(run.errors) > 0 THEN 'partial' ELSE 'ok' END,
         finished_at = clock_timestamp(), duration_ms = extract(epoch FROM clock_timestamp() - t0) * 1000,
         windows = run.windows, points = run.points, alert_transitions = run.alert_transitions, errors = run.errors,
         revised = run.revised
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
  IF to_regnamespace('cron') IS NULL THEN
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

-- pg_cron can be created in one database per cluster only (cron.database_name, `postgres` by
-- default), and a function here cannot reach another database. So for a log in any other
-- database this returns the statement to run in pg_cron's database: pg_cron 1.4's
-- cron.schedule_in_database, with a job name per database (jobs are unique per name and user).
-- pg_cron leaves schedule_in_database to superusers unless they grant it, so a superuser usually
-- runs the statement: job_role names the role the job runs as.
CREATE FUNCTION mlobs.schedule_monitors_command(cron text DEFAULT '*/5 * * * *', job_role name DEFAULT NULL) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT pg_catalog.format('SELECT cron.schedule_in_database(%L, %L, %L, %L%s);',
           'mlobs_run_monitors_' || pg_catalog.current_database(), cron,
           'SELECT mlobs.run_monitors(now() - interval ''1 minute'')', pg_catalog.current_database(),
           CASE WHEN job_role IS NOT NULL THEN pg_catalog.format(', username => %L', job_role) ELSE '' END)
   WHERE cron IS NOT NULL
$$;

-- The statement that removes this database's jobs in pg_cron's database (either name).
CREATE FUNCTION mlobs.unschedule_monitors_command() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT pg_catalog.format('SELECT cron.unschedule(jobid) FROM cron.job WHERE database = %L AND jobname IN (%L, %L);',
           pg_catalog.current_database(), 'mlobs_run_monitors', 'mlobs_run_monitors_' || pg_catalog.current_database())
$$;

-- Removes the pg_cron jobs that run this database's monitors (DROP EXTENSION mlobs leaves pg_cron's
-- jobs alone: call this first). Returns whether a job was removed. With pg_cron in another
-- database there is nothing to remove from here: a NOTICE gives the statement to run there.
CREATE FUNCTION mlobs.unschedule_monitors() RETURNS bool
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  removed bool;
BEGIN
  IF to_regnamespace('cron') IS NULL THEN
    RAISE NOTICE 'pg_cron is not installed in this database; in its database, run: %',
      mlobs.unschedule_monitors_command();
    RETURN false;
  END IF;
  -- The same statement as in pg_cron's database, so this database's job names are defined once.
  EXECUTE 'SELECT bool_or(removed) FROM (' || rtrim(mlobs.unschedule_monitors_command(), ';') || ') AS jobs(removed)'
    INTO removed;
  RETURN coalesce(removed, false);
END $$;

-- NannyML's estimated-vs-realised view: per model and window, the CBPE estimate (from scores,
-- available at once) beside the realised value (from labels, revised as they land), the label
-- coverage it rests on, and the estimation error. The cbpe and classification monitors of a
-- model are matched on the window.
CREATE VIEW mlobs.estimated_vs_realised AS
SELECT e.model, e.window_start, e.ts AS window_end, pg_catalog.substr(e.metric, 6) AS metric, e.value AS estimated,
       r.value AS realised, c.value AS labelled_share, r.value - e.value AS estimation_error
  FROM mlobs.metric_points e
  LEFT JOIN mlobs.metric_points r ON r.model = e.model AND r.window_start = e.window_start AND r.feature = ''
                                 AND r.metric = pg_catalog.substr(e.metric, 6) AND r.ts = e.ts
  LEFT JOIN mlobs.metric_points c ON c.monitor_id = r.monitor_id AND c.window_start = r.window_start
                                 AND c.feature = '' AND c.metric = 'labelled_share'
 WHERE e.metric IN ('cbpe_accuracy', 'cbpe_f1') AND e.feature = '';
COMMENT ON VIEW mlobs.estimated_vs_realised IS 'CBPE estimate beside the realised value of every window, with label coverage and estimation error';

