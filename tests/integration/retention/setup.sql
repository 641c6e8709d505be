-- A log partitioned by day (native RANGE partitioning on ts) for the retention suite (run.sh):
-- ten days up to the start of today, one row every 30 s, owned by the non-superuser ops (a
-- member of mlobs_admin), who also owns the monitors. Labels of the last three days are NULL
-- (they arrive later by UPDATE). Times are relative to the clock: horizons are judged by now().
SET client_min_messages = warning;
SET timezone = 'UTC';
CREATE EXTENSION mlobs;
CREATE ROLE ops LOGIN IN ROLE mlobs_admin;
CREATE ROLE dash LOGIN IN ROLE mlobs_reader;
CREATE SCHEMA app AUTHORIZATION ops;
SET ROLE ops;
CREATE TABLE app.anchor AS SELECT date_trunc('day', now()) - interval '10 days' AS d0;
CREATE FUNCTION app.u(i bigint, k int) RETURNS float8 LANGUAGE sql IMMUTABLE
AS $$ SELECT (hashint8(i * 16 + k)::bigint + 2147483648)::float8 / 4294967296 $$;
CREATE TABLE app.plog (ts timestamptz NOT NULL, features jsonb, score float8, predicted int, label int,
                       latency_ms float8) PARTITION BY RANGE (ts);
DO $$
DECLARE d0 timestamptz := (SELECT d0 FROM app.anchor);
BEGIN
  FOR k IN 0 .. 11 LOOP  -- two days ahead: rows are written into them later
    EXECUTE format('CREATE TABLE app.plog_%s PARTITION OF app.plog FOR VALUES FROM (%L) TO (%L)',
                   to_char(d0 + k * interval '1 day', 'YYYYMMDD'), d0 + k * interval '1 day', d0 + (k + 1) * interval '1 day');
  END LOOP;
END $$;
CREATE TABLE app.plog_default PARTITION OF app.plog DEFAULT;
CREATE INDEX ON app.plog (ts);
INSERT INTO app.plog
SELECT ts, jsonb_build_object('amount', round(exp(3.5 + 3 * (app.u(i, 1) - 0.5))::numeric, 2), 'age', floor(18 + 60 * app.u(i, 2))),
       app.u(i, 4), (app.u(i, 4) > 0.5)::int,
       CASE WHEN ts < (SELECT d0 FROM app.anchor) + interval '7 days' THEN (app.u(i, 5) < 0.2 + 0.6 * app.u(i, 4))::int END,
       round((15 + 25 * app.u(i, 6))::numeric, 2)::float8
  FROM generate_series(0, 10 * 24 * 120 - 1) i, LATERAL (SELECT (SELECT d0 FROM app.anchor) + i * interval '30 s' AS ts) t;
SELECT mlobs.track_changes('app.plog');
SELECT mlobs.create_monitor('drift', 'fraud', 'app.plog', 'feature_drift', '{}', '1 hour',
                            (SELECT d0 FROM app.anchor), (SELECT d0 + interval '1 day' FROM app.anchor));
SELECT mlobs.create_monitor('performance', 'fraud', 'app.plog', 'classification', '{"score": "score"}', '1 hour',
                            (SELECT d0 FROM app.anchor), (SELECT d0 + interval '1 day' FROM app.anchor),
                            label_horizon => '3 days');
SELECT mlobs.create_monitor('latency', 'fraud', 'app.plog', 'latency', '{}', '6 hours',
                            start_at => (SELECT d0 + interval '1 day' FROM app.anchor));
RESET ROLE;
