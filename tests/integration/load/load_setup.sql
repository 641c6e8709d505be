-- Schema, roles and monitors of the concurrency and load test (tests/integration/load/run.sh).
-- psql variables: speed (simulated seconds per real second), grace_s (real seconds).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET timezone = 'UTC';
CREATE EXTENSION mlobs;
CREATE SCHEMA load;

-- The test's clock: real time accelerated :speed times, 2026-01-01 00:00 UTC when setup ends, so that
-- 1-minute windows (the smallest a monitor accepts) close every 60/:speed real seconds and a short run
-- closes many windows. Ingest stamps rows and the runners pick their horizon with the same function of the
-- server's clock, so "late commit into a closed window" is exactly as possible as in real time.
-- (Replaced with the real epoch at the end of this file; IMMUTABLE: a constant affine map.)
CREATE FUNCTION load.sim(t timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT t $$;

-- A prediction log as an application writes it: ts DEFAULT "now", one row per scored request.
CREATE TABLE load.predictions (
  id bigserial PRIMARY KEY,
  ts timestamptz NOT NULL DEFAULT load.sim(now()),
  features jsonb NOT NULL,
  score float8 NOT NULL,
  predicted int NOT NULL,
  label int,                                 -- NULL: not labelled (yet)
  latency_ms float8 NOT NULL,
  failed bool NOT NULL,
  late_label bool NOT NULL DEFAULT false);   -- labelled later by UPDATE (load_labels.pgbench)
CREATE INDEX ON load.predictions (ts);

-- n fake predictions at (simulated) time `at`: numeric features amount (lognormal) and age (2 % missing),
-- categorical merchant and channel. From 00:10, every other 10 simulated minutes amount doubles and
-- merchant 'd' dominates, so drift alerts fire and resolve during the run (the alert state machine is under
-- load too); the reference hour before 00:00 has no drift.
CREATE FUNCTION load.fake(n int, at timestamptz)
RETURNS TABLE (features jsonb, score float8, predicted int, label int, latency_ms float8, failed bool)
LANGUAGE sql VOLATILE AS $$
  SELECT jsonb_build_object(
           'amount', round((exp(3 + random()) * CASE WHEN d THEN 2 ELSE 1 END)::numeric, 2),
           'age', CASE WHEN random() >= 0.02 THEN floor(18 + 60 * random()) END,
           'merchant', CASE WHEN d AND random() < 0.5 THEN 'd' ELSE (ARRAY['a', 'b', 'c', 'd'])[1 + floor(random() * 4)::int] END,
           'channel', (ARRAY['web', 'app', 'pos'])[1 + floor(random() * 3)::int]),
         s, (s >= 0.5)::int,
         CASE WHEN random() < 0.8 THEN (random() < s)::int END,
         20 + 60 * random(), random() < 0.01
    FROM (SELECT random() AS s, at >= '2026-01-01' AND (extract(epoch FROM at)::bigint / 600) % 2 = 1 AS d
            FROM generate_series(1, n)) x
$$;

-- Reference: the simulated hour before the clock starts.
INSERT INTO load.predictions (ts, features, score, predicted, label, latency_ms, failed)
SELECT t, f.* FROM generate_series(timestamptz '2025-12-31 23:00', '2025-12-31 23:59:59', interval '1 second') t,
     LATERAL load.fake(2, t) f;

SELECT mlobs.create_monitor('load drift', 'load', 'load.predictions', 'feature_drift', '{}', '1 minute',
                            '2025-12-31 23:00', '2026-01-01 00:00'),
       mlobs.create_monitor('load quality', 'load', 'load.predictions', 'quality', '{}', '1 minute',
                            '2025-12-31 23:00', '2026-01-01 00:00'),
       mlobs.create_monitor('load accuracy', 'load', 'load.predictions', 'classification', '{"score": "score"}',
                            '1 minute', '2025-12-31 23:00', '2026-01-01 00:00'),
       mlobs.create_monitor('load prediction drift', 'load', 'load.predictions', 'prediction_drift', '{}',
                            '1 minute', '2025-12-31 23:00', '2026-01-01 00:00'),
       mlobs.create_monitor('load cbpe', 'load', 'load.predictions', 'cbpe', '{}', '1 minute',
                            '2025-12-31 23:00', '2026-01-01 00:00'),
       mlobs.create_monitor('load latency', 'load', 'load.predictions', 'latency', '{"error": "failed"}', '1 minute',
                            start_at => '2026-01-01 00:00');

-- Login roles: the application (INSERT only), the scheduler (mlobs_admin + reading the log), Grafana.
CREATE ROLE load_ingest LOGIN;
CREATE ROLE load_runner LOGIN IN ROLE mlobs_admin;
CREATE ROLE load_grafana LOGIN IN ROLE mlobs_reader;
CREATE ROLE load_labeller LOGIN;                 -- writes late labels (UPDATE), no mlobs privileges
GRANT USAGE ON SCHEMA load TO load_labeller;
GRANT SELECT, UPDATE ON load.predictions TO load_labeller;
GRANT USAGE ON SCHEMA load TO load_ingest, load_runner;
GRANT INSERT ON load.predictions TO load_ingest;
GRANT USAGE ON SEQUENCE load.predictions_id_seq TO load_ingest;
GRANT SELECT ON load.predictions TO load_runner;
-- The scheduler owns the monitors: each monitor reads its log as its owner, and a run's session
-- user must be (a member of) that owner (docs/monitoring.md, "Privileges").
UPDATE mlobs.monitors SET owner = 'load_runner';

-- The runners' horizon: windows close :grace_s real seconds after they end (see docs/reliability.md:
-- run_monitors has no grace period of its own; an ingest transaction must commit within the grace).
SELECT format('CREATE FUNCTION load.horizon() RETURNS timestamptz LANGUAGE sql STABLE AS %L',
              format('SELECT load.sim(now()) - interval %L', (:grace_s * :speed) || ' seconds')) \gexec

-- Start the clock.
SELECT format('CREATE OR REPLACE FUNCTION load.sim(t timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L',
              format('SELECT timestamptz %L + (t - timestamptz %L) * %s', '2026-01-01 00:00+00', clock_timestamp(), :speed)) \gexec
