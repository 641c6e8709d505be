-- The fleet benchmark's database (benches/fleet.sh): one prediction log per model, the standard
-- monitor set per model, and the helpers that ingest rows and land labels as simulated time
-- passes. psql variables: models, features, rate (rows per model per hour), t0 (first reference
-- hour), hist_days (days of history after the reference day), label_share, segments (values of
-- each log's `segment` column; 0: none).
SET client_min_messages = warning;
CREATE EXTENSION mlobs;
SELECT setseed(0.18);

CREATE TABLE fleet_conf (models int, features int, rate int, t0 timestamptz, label_share float8,
                         ingested_to timestamptz, segments int);
INSERT INTO fleet_conf VALUES (:models, :features, :rate, :'t0', :label_share, :'t0', :segments);

-- What the benchmark records (the report reads these).
CREATE TABLE fleet_ticks (phase text, as_of timestamptz, run_id bigint, wal_bytes numeric, wall_ms float8, cpu_ms bigint);
CREATE TABLE fleet_sizes (phase text, rel text, bytes bigint);
CREATE TABLE fleet_funcs (phase text, funcname text, calls bigint, total_ms float8, self_ms float8);
CREATE TABLE fleet_ingest_wal (phase text, wal_bytes numeric);

-- CPU time of this backend so far (user + system, ms; /proc in clock ticks of 10 ms): a run's
-- CPU time, unlike its wall time, does not grow when other work shares the cores.
CREATE FUNCTION fleet_cpu_ms() RETURNS bigint LANGUAGE sql VOLATILE AS $$
  SELECT (a[14]::bigint + a[15]::bigint) * 10 FROM string_to_array(pg_read_file('/proc/self/stat'), ' ') a
$$;

-- Rows of model k in [t_from, t_to): `rate` per hour, evenly spaced. Features f1..fN in four
-- shapes (sum of uniforms, exponential, uniform 0-100, integer 0-9); every 5th model's f1 shifts
-- by 0.6 from day 4 (drift alerts), every 7th model has a 2 % latency tail of 250-350 ms
-- (latency alerts). `labelled`: whether this row's label will ever arrive; `truth`: that label.
CREATE FUNCTION fleet_rows(k int, t_from timestamptz, t_to timestamptz)
RETURNS TABLE (ts timestamptz, features jsonb, score float8, predicted int, latency_ms float8, truth int, labelled bool)
LANGUAGE sql VOLATILE AS $$
  SELECT x.ts,
         (SELECT jsonb_object_agg('f' || j, CASE j % 4
                   WHEN 1 THEN round((random() + random() + random() - 1.5
                                      + CASE WHEN k % 5 = 0 AND j = 1 AND x.ts >= c.t0 + interval '4 days' THEN 0.6 ELSE 0 END)::numeric, 4)
                   WHEN 2 THEN round((-ln(1 - random()) * 10)::numeric, 3)
                   WHEN 3 THEN round((random() * 100)::numeric, 2)
                   ELSE floor(random() * 10)::numeric END)
            FROM generate_series(1, c.features) j),
         x.s, (x.s >= 0.5)::int,
         CASE WHEN k % 7 = 0 AND x.u < 0.02 THEN 250 + 100 * random() ELSE 5 + 60 * power(random(), 4) END,
         (random() < x.s)::int, random() < c.label_share
    FROM fleet_conf c,
         LATERAL (SELECT t_from + (i * 3600.0 / c.rate) * interval '1 second' AS ts,
                         1 / (1 + exp(-(3 * random() - 1.5))) AS s, random() AS u
                    FROM generate_series(0, ceil(extract(epoch FROM t_to - t_from) / 3600.0 * c.rate)::int - 1) i) x
$$;

CREATE FUNCTION fleet_table(k int) RETURNS regclass LANGUAGE sql STABLE AS $$
  SELECT format('fleet_m%s', lpad(k::text, 3, '0'))::regclass
$$;

-- Labels: a labelling job lands at hh:30 the labels of the rows of [hh-7h, hh-6h) (a
-- `label_share` of them), by UPDATE, as late labels arrive.
CREATE FUNCTION fleet_label(b timestamptz) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  k int;
  h timestamptz := date_trunc('hour', b);
BEGIN
  FOR k IN 1 .. (SELECT models FROM fleet_conf) LOOP
    EXECUTE format('UPDATE %s SET label = truth WHERE labelled AND label IS NULL AND ts >= $1 AND ts < $2', fleet_table(k))
      USING h - interval '7 hours', h - interval '6 hours';
  END LOOP;
END $$;

-- Ingests every model's rows up to t (from where the last call stopped), then runs the label
-- batches due in that interval. The bulk load (no monitor yet) labels directly what those
-- batches would have labelled.
CREATE FUNCTION fleet_ingest_upto(t timestamptz, bulk bool DEFAULT false) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  c fleet_conf;
  k int;
  b timestamptz;
BEGIN
  SELECT * INTO c FROM fleet_conf;
  IF t <= c.ingested_to THEN RETURN; END IF;
  FOR k IN 1 .. c.models LOOP
    EXECUTE format('INSERT INTO %s (ts, features, score, label, predicted, latency_ms, truth, labelled, segment)
                    SELECT ts, features, score, CASE WHEN $4 AND labelled AND ts < date_trunc(''hour'', $2) - interval ''7 hours'' THEN truth END,
                           predicted, latency_ms, truth, labelled,
                           CASE WHEN $5 > 0 THEN ''s'' || floor(random() * $5)::int END
                      FROM fleet_rows($3, $1, $2)', fleet_table(k))
      USING c.ingested_to, t, k, bulk, c.segments;
  END LOOP;
  IF NOT bulk THEN
    FOR b IN SELECT g FROM generate_series(date_trunc('hour', c.ingested_to) + interval '30 minutes', t, interval '1 hour') g
              WHERE g > c.ingested_to AND g <= t LOOP
      PERFORM fleet_label(b);
    END LOOP;
  END IF;
  UPDATE fleet_conf SET ingested_to = t;
END $$;

CREATE FUNCTION fleet_snapshot_sizes(phase text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO fleet_sizes
  SELECT phase, c.relname, pg_total_relation_size(c.oid)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'mlobs' AND c.relkind = 'r'
  UNION ALL
  SELECT phase, 'prediction logs (all models)', sum(pg_total_relation_size(c.oid))::bigint
    FROM pg_class c WHERE c.relkind = 'r' AND c.relname LIKE 'fleet\_m%'
$$;

CREATE FUNCTION fleet_snapshot_funcs(phase text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO fleet_funcs
  SELECT phase, s.funcname, s.calls, s.total_time, s.self_time
    FROM pg_stat_user_functions s WHERE s.schemaname = 'mlobs'
$$;

DO $$
DECLARE
  k int;
BEGIN
  FOR k IN 1 .. (SELECT models FROM fleet_conf) LOOP
    EXECUTE format('CREATE TABLE fleet_m%s (ts timestamptz NOT NULL, features jsonb, score float8, label int, predicted int,
                                            latency_ms float8, truth int, labelled bool, segment text)', lpad(k::text, 3, '0'));
    EXECUTE format('CREATE INDEX ON %s (ts)', fleet_table(k));
  END LOOP;
END $$;
