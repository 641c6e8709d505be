-- mlobs_demo 0.3.0: demo and test data for mlobs, in a schema of its own so that production
-- databases, which install only mlobs, carry no data generator (issue 21). Until mlobs 0.3.0 this
-- function was mlobs.simulate; the 0.2.0 -> 0.3.0 update of mlobs drops that one.
\echo Use "CREATE EXTENSION mlobs_demo" to load this file. \quit

-- CREATE EXTENSION reuses an existing schema named in the control file as it is: one created
-- beforehand by another role would stay that role's. Only a superuser-owned schema is trusted;
-- CREATE EXTENSION creates it owned by the installing superuser.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
                 WHERE n.nspname OPERATOR(pg_catalog.=) 'mlobs_demo' AND r.rolsuper) THEN
    RAISE EXCEPTION 'schema mlobs_demo exists and is not owned by a superuser'
      USING ERRCODE = '42501', HINT = 'Drop it, or ALTER SCHEMA mlobs_demo OWNER TO a superuser, before CREATE EXTENSION mlobs_demo.';
  END IF;
END $$;

-- PUBLIC may use the schema (call simulate) but never create objects in it, as in schema mlobs.
REVOKE ALL ON SCHEMA mlobs_demo FROM PUBLIC;
GRANT USAGE ON SCHEMA mlobs_demo TO PUBLIC;

-- mlobs_demo.simulate: a realistic prediction log for the fixture models' features (amount, age,
-- hour, distance, n_tx, score_ext) with scripted incidents, for demos and tests
-- (docs/monitoring.md). Deterministic for a given seed (it calls setseed, which also sets the
-- session's random() state). VOLATILE and executable by PUBLIC: it returns rows and writes nothing.
CREATE FUNCTION mlobs_demo.simulate(start_at timestamptz, duration interval, rows_per_hour int DEFAULT 600,
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
  -- Production-shaped labels: NULL unless they arrived by then (label_at <= labels_as_of); the
  -- rest are written later by UPDATE (docs/monitoring.md, "Late labels and late rows").
  labels_as_of timestamptz := (scenario->>'labels_as_of')::timestamptz;
BEGIN
  IF NOT isfinite(start_at) OR NOT isfinite(duration) THEN
    RAISE EXCEPTION 'start_at and duration must be finite, got % and %', start_at, duration USING ERRCODE = '22023';
  END IF;
  IF rows_per_hour < 1 OR rows_per_hour > 360000 THEN
    RAISE EXCEPTION 'rows_per_hour must be 1..360000, got %', rows_per_hour USING ERRCODE = '22023';
  END IF;
  -- A set-returning PL/pgSQL function materialises its whole result before the first row is
  -- read (LIMIT does not stop it): bound it instead of filling the disk.
  IF extract(epoch FROM duration) / 3600 * rows_per_hour > 50000000 THEN
    RAISE EXCEPTION 'simulate would generate % rows (duration × rows_per_hour); at most 50 000 000 per call: call it per day',
      round(extract(epoch FROM duration) / 3600 * rows_per_hour) USING ERRCODE = '54000';
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
         CASE WHEN t.u_labelled < label_share AND (labels_as_of IS NULL OR t.t + delay <= labels_as_of)
              THEN (t.u_label < t.p)::int END,
         CASE WHEN t.u_labelled < label_share THEN t.t + delay END,
         round((15 + 25 * t.u_lat + CASE WHEN lat IS NOT NULL AND t.t >= (lat->>'from')::timestamptz
                                              AND t.t < (lat->>'to')::timestamptz
                                         THEN coalesce((lat->>'extra_ms')::float8, 300) * t.u_lat ELSE 0 END)::numeric, 2)::float8,
         t.u_fail < CASE WHEN lat IS NOT NULL AND t.t >= (lat->>'from')::timestamptz AND t.t < (lat->>'to')::timestamptz
                         THEN 0.08 ELSE 0.005 END
    FROM truth t ORDER BY t.t;
END $$;
COMMENT ON FUNCTION mlobs_demo.simulate(timestamp with time zone, interval, integer, jsonb, double precision) IS 'Synthetic prediction log (ts, features, label, label_at, latency_ms, failed) for the fixture models with scripted incidents, for demos and tests';
