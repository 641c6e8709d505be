-- SQL benchmark: drift paths. (1) drift between two windows read from 90 days of stored hourly
-- profiles (target < 50 ms); (2) features_agg over a jsonb column vs the same per-key summaries
-- written by hand with jsonb_each + built-in aggregates; (3) the exact array paths on 1M values.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS mlobs;
DO $$ BEGIN
  IF to_regclass('public.bench_hourly') IS NULL THEN
    PERFORM setseed(0.3);
    CREATE TABLE bench_hourly AS
      SELECT h AS bucket, mlobs.profile_agg(exp(3 + random() * 2 + CASE WHEN h > 80 * 24 THEN 0.3 ELSE 0 END)) AS p
      FROM generate_series(1, 90 * 24) h, generate_series(1, 400) r GROUP BY h;
  END IF;
  IF to_regclass('public.bench_payloads') IS NULL THEN
    PERFORM setseed(0.4);
    CREATE TABLE bench_payloads AS
      SELECT jsonb_build_object('amount', round((exp(3 + random() * 2))::numeric, 2), 'age', floor(random() * 700),
                                'risk', random(), 'merchant', (ARRAY['grocery','fuel','travel','online'])[1 + floor(random() * 4)::int],
                                'country', (ARRAY['de','fr','us'])[1 + floor(random() * 3)::int]) AS f
      FROM generate_series(1, 1000000);
    CREATE TABLE bench_arrays AS
      SELECT array(SELECT exp(3 + random() * 2) FROM generate_series(1, 1000000)) AS r,
             array(SELECT exp(3.1 + random() * 2) FROM generate_series(1, 1000000)) AS c;
    ANALYZE bench_payloads;
  END IF;
END $$;
SELECT count(*) AS hourly_profiles FROM bench_hourly;
SELECT count(*) AS payload_rows FROM bench_payloads;

\ir median_ms.sql

\echo 'drift paths (median of 5 runs, serial)'
SELECT name, round(pg_temp.median_ms(sql, 5, 0)::numeric, 1) AS median_ms FROM (VALUES
  ('drift ks: 80 days vs last day from 2160 hourly profiles',
   'SELECT mlobs.drift((SELECT mlobs.rollup(p) FROM bench_hourly WHERE bucket <= 80*24), (SELECT mlobs.rollup(p) FROM bench_hourly WHERE bucket > 89*24), ''ks'')'),
  ('drift wasserstein: same windows',
   'SELECT mlobs.drift((SELECT mlobs.rollup(p) FROM bench_hourly WHERE bucket <= 80*24), (SELECT mlobs.rollup(p) FROM bench_hourly WHERE bucket > 89*24), ''wasserstein'')'),
  ('psi: same windows',
   'SELECT mlobs.psi((SELECT mlobs.rollup(p) FROM bench_hourly WHERE bucket <= 80*24), (SELECT mlobs.rollup(p) FROM bench_hourly WHERE bucket > 89*24))'),
  ('features_agg(f) over 1M payloads',
   'SELECT mlobs.features_agg(f) FROM bench_payloads'),
  ('hand-written: jsonb_each + count/avg/min/max per key, 1M payloads',
   'SELECT e.key, count(*), avg((e.value #>> ''{}'')::float8) FILTER (WHERE jsonb_typeof(e.value) = ''number''), min(e.value #>> ''{}''), max(e.value #>> ''{}'') FROM bench_payloads, jsonb_each(f) e GROUP BY 1'),
  ('exact ks on 1M + 1M array values',
   'SELECT mlobs.drift(r, c, ''ks'') FROM bench_arrays'),
  ('exact wasserstein on 1M + 1M array values',
   'SELECT mlobs.drift(r, c, ''wasserstein'') FROM bench_arrays'),
  ('evidently psi on 1M + 1M array values',
   'SELECT mlobs.psi(r, c) FROM bench_arrays'),
  ('built-in: percentile_cont(0.5) over 2M values (unnest)',
   'SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM bench_arrays, unnest(r || c) x')
) q(name, sql);
