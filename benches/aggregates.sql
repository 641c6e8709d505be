-- SQL benchmark: mlobs single-pass aggregates against the built-in avg(x) on the same 10M-row
-- table, serial and with 2 parallel workers, in one run. Medians of :reps runs, in ms.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS mlobs;
DO $$ BEGIN
  IF to_regclass('public.bench_rows') IS NULL THEN
    PERFORM setseed(0.7);
    CREATE TABLE bench_rows AS
      SELECT (exp(3 + random() * 2) * CASE WHEN random() < 0.5 THEN 1 ELSE -1 END)::float8 AS x
      FROM generate_series(1, 10000000);
    ANALYZE bench_rows;
  END IF;
END $$;
-- Warm the buffer cache.
SELECT count(*) AS rows FROM bench_rows;

\ir median_ms.sql

\echo 'aggregate timings over 10M rows (median of 5 runs); ratio = time / avg(x) in the same mode'
WITH q(name, sql) AS (VALUES
  ('avg(x)', 'SELECT avg(x) FROM bench_rows'),
  ('mlobs.profile_agg(x)', 'SELECT mlobs.profile_agg(x) FROM bench_rows'),
  ('mlobs.histogram_agg(x, 11 edges)', 'SELECT mlobs.histogram_agg(x, ''{-150,-100,-50,-20,-10,0,10,20,50,100,150}'') FROM bench_rows')),
modes(mode, workers) AS (VALUES ('serial', 0), ('parallel 2', 2)),
timed AS (SELECT q.name, m.mode, pg_temp.median_ms(q.sql, 5, m.workers) ms FROM q, modes m)
SELECT t.mode, t.name, round(t.ms::numeric, 1) AS median_ms,
       round((t.ms / b.ms)::numeric, 2) AS ratio_to_avg
FROM timed t JOIN timed b ON b.mode = t.mode AND b.name = 'avg(x)'
ORDER BY t.mode DESC, t.name;
