-- SQL benchmark: model-performance aggregates against the built-in avg(score) on the same
-- 10M-row prediction table, serial and with 2 parallel workers, in one run (median of 5, ms).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS mlobs;
DO $$ BEGIN
  IF to_regclass('public.bench_preds') IS NULL THEN
    PERFORM setseed(0.3);
    CREATE TABLE bench_preds AS
      SELECT label, least(1, greatest(0, 0.3 * label + random() * 0.7))::float8 AS score,
             target, target + (random() - 0.5) * 10 AS prediction
        FROM (SELECT (random() < 0.3)::int AS label, (random() * 100)::float8 AS target
                FROM generate_series(1, 10000000)) s;
    ANALYZE bench_preds;
  END IF;
END $$;
SELECT count(*) AS rows FROM bench_preds;
CREATE TEMP TABLE bench_map AS SELECT mlobs.calibration_agg(score, label) AS map FROM bench_preds TABLESAMPLE SYSTEM (5);

\ir median_ms.sql

\echo 'model-performance aggregates over 10M rows (median of 5 runs); ratio = time / avg(score) in the same mode'
WITH q(name, sql) AS (VALUES
  ('avg(score)', 'SELECT avg(score) FROM bench_preds'),
  ('mlobs.confusion_agg(label, score >= 0.5)', 'SELECT mlobs.confusion_agg(label, (score >= 0.5)::int) FROM bench_preds'),
  ('mlobs.score_agg(score, label)', 'SELECT mlobs.score_agg(score, label) FROM bench_preds'),
  ('mlobs.log_loss_agg(score, label)', 'SELECT mlobs.log_loss_agg(score, label) FROM bench_preds'),
  ('mlobs.regression_agg(target, prediction)', 'SELECT mlobs.regression_agg(target, prediction) FROM bench_preds'),
  ('mlobs.cbpe_agg(score, map)', 'SELECT mlobs.cbpe_agg(score, (SELECT map FROM bench_map)) FROM bench_preds'),
  ('mlobs.roc_auc_agg(score, label) exact', 'SELECT mlobs.roc_auc_agg(score, label) FROM bench_preds')),
modes(mode, workers) AS (VALUES ('serial', 0), ('parallel 2', 2)),
timed AS (SELECT q.name, m.mode, pg_temp.median_ms(q.sql, 5, m.workers) ms FROM q, modes m)
SELECT t.mode, t.name, round(t.ms::numeric, 1) AS median_ms,
       round((t.ms / b.ms)::numeric, 2) AS ratio_to_avg
FROM timed t JOIN timed b ON b.mode = t.mode AND b.name = 'avg(score)'
ORDER BY t.mode DESC, t.name;
