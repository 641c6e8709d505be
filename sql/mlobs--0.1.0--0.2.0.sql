-- mlobs 0.1.0 -> 0.2.0. Runs inside ALTER EXTENSION mlobs UPDATE with the same shared library as
-- a fresh 0.2.0 install; every name is schema-qualified. tests/integration/upgrade.sh proves that
-- 0.1.0 + this script describes exactly the same schema as a fresh 0.2.0 install and that values
-- stored under 0.1.0 still read and merge.
\echo Use "ALTER EXTENSION mlobs UPDATE TO '0.2.0'" to load this file. \quit

-- schedule_monitors: the scheduled run closes windows one minute late, so rows committed just
-- after a window's end still count in it (found by tests/integration/load.sh).
CREATE OR REPLACE FUNCTION mlobs.schedule_monitors(cron text DEFAULT '*/5 * * * *') RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  job bigint;
BEGIN
  IF to_regnamespace('cron') IS NULL THEN
    RAISE EXCEPTION 'pg_cron is not installed in this database (CREATE EXTENSION pg_cron)'
      USING ERRCODE = '55000';
  END IF;
  EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job
    USING 'mlobs_run_monitors', cron, 'SELECT mlobs.run_monitors(now() - interval ''1 minute'')';
  RETURN job;
END $$;

-- run_monitors: infinite now/backfill_from are ERROR 22023 (they looped forever or moved every
-- watermark to infinity; found by the bad-input catalogue); default pg_catalog.now().
CREATE OR REPLACE FUNCTION mlobs.run_monitors(now timestamptz DEFAULT pg_catalog.now(), backfill_from timestamptz DEFAULT NULL)
RETURNS mlobs.runs LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  run mlobs.runs;
  m record;
  res record;
  t0 timestamptz := clock_timestamp();
BEGIN
  -- Infinite bounds would loop over windows forever (or move every watermark to infinity).
  IF NOT isfinite(run_monitors.now) THEN
    RAISE EXCEPTION 'now must be a finite timestamp, got %', run_monitors.now USING ERRCODE = '22023';
  END IF;
  IF NOT isfinite(backfill_from) THEN
    RAISE EXCEPTION 'backfill_from must be a finite timestamp, got %', backfill_from USING ERRCODE = '22023';
  END IF;
  INSERT INTO mlobs.runs (as_of, status) VALUES (run_monitors.now, 'running') RETURNING * INTO run;
  IF NOT pg_try_advisory_xact_lock(hashtext('mlobs.run_monitors')) THEN
    UPDATE mlobs.runs SET status = 'skipped', finished_at = clock_timestamp(),
           duration_ms = extract(epoch FROM clock_timestamp() - t0) * 1000
     WHERE id = run.id RETURNING * INTO run;
    RETURN run;
  END IF;
  FOR m IN SELECT id, name FROM mlobs.monitors WHERE enabled ORDER BY id LOOP
    BEGIN
      SELECT * INTO res FROM mlobs._run_monitor(m.id, run_monitors.now, backfill_from);
      run.windows := run.windows + res.windows;
      run.points := run.points + res.points;
      run.alert_transitions := run.alert_transitions + res.transitions;
    EXCEPTION WHEN OTHERS THEN
      run.errors := run.errors || jsonb_build_object('monitor', m.name, 'sqlstate', SQLSTATE, 'error', SQLERRM);
    END;
  END LOOP;
  -- Rules added or changed since the last window still apply to the latest points.
  run.alert_transitions := run.alert_transitions + mlobs.evaluate_alerts();
  UPDATE mlobs.runs SET status = CASE WHEN jsonb_array_length(run.errors) > 0 THEN 'partial' ELSE 'ok' END,
         finished_at = clock_timestamp(), duration_ms = extract(epoch FROM clock_timestamp() - t0) * 1000,
         windows = run.windows, points = run.points, alert_transitions = run.alert_transitions, errors = run.errors
   WHERE id = run.id RETURNING * INTO run;
  RETURN run;
END $$;

-- create_monitor: a NULL source is ERROR 22004.
CREATE OR REPLACE FUNCTION mlobs.create_monitor(
  name text, model text, source regclass, kind text, config jsonb DEFAULT '{}',
  window_size interval DEFAULT '1 hour', reference_from timestamptz DEFAULT NULL,
  reference_to timestamptz DEFAULT NULL, ts_column text DEFAULT 'ts', start_at timestamptz DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  needed text[];
  col text;
  id bigint;
BEGIN
  IF source IS NULL THEN
    RAISE EXCEPTION 'source must not be NULL' USING ERRCODE = '22004';
  END IF;
  needed := CASE kind
    WHEN 'feature_drift' THEN ARRAY['features'] WHEN 'quality' THEN ARRAY['features']
    WHEN 'prediction_drift' THEN ARRAY['score']
    WHEN 'classification' THEN ARRAY['label', 'predicted']
    WHEN 'regression' THEN ARRAY['target', 'prediction']
    WHEN 'cbpe' THEN ARRAY['score', 'label']
    WHEN 'latency' THEN ARRAY['latency_ms']
    ELSE NULL END;
  IF needed IS NULL THEN
    RAISE EXCEPTION 'kind must be feature_drift, prediction_drift, quality, classification, regression, cbpe or latency, got %', kind
      USING ERRCODE = '22023';
  END IF;
  IF kind IN ('feature_drift', 'quality', 'classification', 'regression', 'cbpe', 'prediction_drift')
     AND (reference_from IS NULL OR reference_to IS NULL OR reference_to <= reference_from) THEN
    RAISE EXCEPTION 'monitor % (%): reference_from < reference_to is required', name, kind USING ERRCODE = '22023';
  END IF;
  -- Column names default to the key itself; every named column must exist in the source.
  FOREACH col IN ARRAY needed || ARRAY['ts'] LOOP
    PERFORM 1 FROM pg_attribute a
     WHERE a.attrelid = source AND a.attnum > 0 AND NOT a.attisdropped
       AND a.attname = CASE WHEN col = 'ts' THEN ts_column ELSE coalesce(config->>col, col) END;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'monitor %: column "%" (config.%) does not exist in %', name,
        CASE WHEN col = 'ts' THEN ts_column ELSE coalesce(config->>col, col) END, col, source
        USING ERRCODE = '42703';
    END IF;
  END LOOP;
  INSERT INTO mlobs.monitors (name, model, source, ts_column, kind, config, window_size,
                              reference_from, reference_to, start_at)
  VALUES (create_monitor.name, create_monitor.model, source, ts_column, kind, config, window_size,
          reference_from, reference_to, start_at)
  RETURNING monitors.id INTO id;
  RETURN id;
END $$;

-- simulate: infinite start_at/duration are ERROR 22023 (they never ended).
CREATE OR REPLACE FUNCTION mlobs.simulate(start_at timestamptz, duration interval, rows_per_hour int DEFAULT 600,
                               scenario jsonb DEFAULT '{}', seed float8 DEFAULT 0.42)
RETURNS TABLE (ts timestamptz, features jsonb, label int, label_at timestamptz, latency_ms float8, failed bool)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  cov jsonb := scenario->'covariate_shift';
  con jsonb := scenario->'concept_drift';
  mis jsonb := scenario->'missing_spike';
  outl jsonb := scenario->'outliers';
  lat jsonb := scenario->'latency_spike';
  delay interval := coalesce((scenario->>'label_delay')::interval, interval '0');
  label_share float8 := coalesce((scenario->>'label_share')::float8, 1.0);
BEGIN
  IF NOT isfinite(start_at) OR NOT isfinite(duration) THEN
    RAISE EXCEPTION 'start_at and duration must be finite, got % and %', start_at, duration USING ERRCODE = '22023';
  END IF;
  IF rows_per_hour < 1 OR rows_per_hour > 360000 THEN
    RAISE EXCEPTION 'rows_per_hour must be 1..360000, got %', rows_per_hour USING ERRCODE = '22023';
  END IF;
  IF seed < -1 OR seed > 1 THEN
    RAISE EXCEPTION 'seed must be in [-1, 1] (setseed), got %', seed USING ERRCODE = '22023';
  END IF;
  PERFORM setseed(seed);
  RETURN QUERY
  WITH base AS (
    SELECT g.t,
           sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z,
           random() AS u_age, random() AS u_dist, random() AS u_tx, random() AS u_ext, random() AS u_label,
           random() AS u_missing, random() AS u_outlier, random() AS u_lat, random() AS u_fail, random() AS u_labelled
      FROM generate_series(start_at, start_at + duration - interval '1 microsecond',
                           interval '1 hour' / rows_per_hour) g(t)),
  shifted AS (
    SELECT b.*,
           -- covariate shift: multiply one feature from `from` on (amount by default)
           CASE WHEN cov IS NOT NULL AND b.t >= (cov->>'from')::timestamptz
                THEN coalesce((cov->>'factor')::float8, 1.8) ELSE 1 END AS shift,
           coalesce(cov->>'feature', 'amount') AS shift_feature,
           mis IS NOT NULL AND b.t >= (mis->>'from')::timestamptz AND b.t < (mis->>'to')::timestamptz
             AND b.u_missing < coalesce((mis->>'share')::float8, 0.3) AS missing,
           outl IS NOT NULL AND b.t >= (outl->>'from')::timestamptz AND b.t < (outl->>'to')::timestamptz
             AND b.u_outlier < coalesce((outl->>'share')::float8, 0.05) AS outlier
      FROM base b),
  feats AS (
    SELECT s.*,
           round((exp(3.5 + s.z) * CASE WHEN s.shift_feature = 'amount' THEN s.shift ELSE 1 END
                  * CASE WHEN s.outlier THEN coalesce((outl->>'scale')::float8, 50) ELSE 1 END)::numeric, 2) AS amount,
           floor(18 + 63 * s.u_age) AS age,
           extract(hour FROM s.t) AS hour,
           round((-20 * ln(1 - s.u_dist) * CASE WHEN s.shift_feature = 'distance' THEN s.shift ELSE 1 END)::numeric, 1) AS distance,
           floor(-ln(1 - s.u_tx) * 5) AS n_tx,
           round(s.u_ext::numeric, 3) AS score_ext
      FROM shifted s),
  truth AS (
    SELECT f.*,
           -- the world's fraud rate; concept drift changes how it depends on the features
           1 / (1 + exp(-(-4.0 + 0.6 * ln(f.amount + 1) + 1.2 * (f.hour < 6 OR f.hour >= 22)::int
                         + f.distance / 40 + 1.5 * (f.score_ext > 0.8)::int - 0.01 * f.age
                         + CASE WHEN con IS NOT NULL AND f.t >= (con->>'from')::timestamptz
                                THEN coalesce((con->>'strength')::float8, 1.5) * (f.n_tx >= 5)::int - 0.5 * (f.score_ext > 0.8)::int
                                ELSE 0 END))) AS p
      FROM feats f)
  SELECT t.t,
         jsonb_build_object('amount', t.amount, 'age', t.age, 'hour', t.hour,
                            'distance', CASE WHEN t.missing AND coalesce(mis->>'feature', 'distance') = 'distance' THEN NULL ELSE t.distance END,
                            'n_tx', t.n_tx,
                            'score_ext', CASE WHEN t.missing AND mis->>'feature' = 'score_ext' THEN NULL ELSE t.score_ext END),
         CASE WHEN t.u_labelled < label_share THEN (t.u_label < t.p)::int END,
         CASE WHEN t.u_labelled < label_share THEN t.t + delay END,
         round((15 + 25 * t.u_lat + CASE WHEN lat IS NOT NULL AND t.t >= (lat->>'from')::timestamptz
                                              AND t.t < (lat->>'to')::timestamptz
                                         THEN coalesce((lat->>'extra_ms')::float8, 300) * t.u_lat ELSE 0 END)::numeric, 2)::float8,
         t.u_fail < CASE WHEN lat IS NOT NULL AND t.t >= (lat->>'from')::timestamptz AND t.t < (lat->>'to')::timestamptz
                         THEN 0.08 ELSE 0.005 END
    FROM truth t ORDER BY t.t;
END $$;

-- The monitoring runtime's internal steps are for run_monitors (mlobs_admin) only.
REVOKE EXECUTE ON FUNCTION mlobs._run_monitor(bigint, timestamptz, timestamptz),
  mlobs._monitor_metrics(mlobs.monitors, text, bigint, timestamptz, timestamptz),
  mlobs._monitor_summary_sql(mlobs.monitors), mlobs._monitor_column(mlobs.monitors, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mlobs._run_monitor(bigint, timestamptz, timestamptz),
  mlobs._monitor_metrics(mlobs.monitors, text, bigint, timestamptz, timestamptz),
  mlobs._monitor_summary_sql(mlobs.monitors), mlobs._monitor_column(mlobs.monitors, text) TO mlobs_admin;
