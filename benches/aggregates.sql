-- Issue 20's focused run: the single-pass group and the jsonb group of suite.sql, without the
-- slow hand-written jsonb_each query, plus built-in baselines that read the same columns as the
-- metric aggregates (score, label, target, prediction lie after the jsonb payload in the row, so
-- PostgreSQL deforms more of each tuple for them than for avg(f2)). psql variables: tbl, rows, reps.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET jit = off;
\ir bench_lib.sql
CREATE TABLE IF NOT EXISTS bench_inputs AS
SELECT (SELECT mlobs.calibration_agg(score, label) FROM :tbl WHERE id <= 50000) AS cal,
       (SELECT mlobs.schema_of(mlobs.features_agg(features)) FROM :tbl WHERE id <= 50000) AS schema;
SELECT count(*) FROM :tbl;  -- warm the cache

\echo '== single-pass aggregates vs avg(x)'
SELECT pg_temp.bench('single-pass', :'tbl', :rows, ARRAY[
  'avg(f2)', 'avg(score) (built-in, reads the score column)',
  'avg(score) FILTER (WHERE label) (built-in, score and label)',
  'mlobs.profile_agg(f2)', 'mlobs.histogram_agg(f2, 11 edges)', 'mlobs.category_agg(c3)',
  'count((id % 100000)::text) (built-in, the same text expression)',
  'mlobs.category_agg(id % 100000) (100 000 distinct)',
  'mlobs.score_agg(score, label)', 'mlobs.confusion_agg(label, score >= 0.5)',
  'avg(prediction - target) (built-in, reads target and prediction)',
  'mlobs.regression_agg(target, prediction)', 'mlobs.log_loss_agg(score, label)',
  'mlobs.brier_agg(score, label)', 'mlobs.cbpe_agg(score, calibration)',
  'mlobs.outlier_count_agg(f2, lo, hi)'],
ARRAY[
  'SELECT avg(f2) FROM %t',
  'SELECT avg(score) FROM %t',
  'SELECT avg(score) FILTER (WHERE label) FROM %t',
  'SELECT mlobs.profile_agg(f2) FROM %t',
  'SELECT mlobs.histogram_agg(f2, ''{0,10,20,30,40,50,60,70,80,90,100}'') FROM %t',
  'SELECT mlobs.category_agg(c3) FROM %t',
  'SELECT count((id % 100000)::text) FROM %t',
  'SELECT mlobs.category_agg((id % 100000)::text) FROM %t',
  'SELECT mlobs.score_agg(score, label) FROM %t',
  'SELECT mlobs.confusion_agg(label, score >= 0.5) FROM %t',
  'SELECT avg(prediction - target) FROM %t',
  'SELECT mlobs.regression_agg(target, prediction) FROM %t',
  'SELECT mlobs.log_loss_agg(score, label) FROM %t',
  'SELECT mlobs.brier_agg(score, label) FROM %t',
  'SELECT mlobs.cbpe_agg(score, (SELECT cal FROM bench_inputs)) FROM %t',
  'SELECT mlobs.outlier_count_agg(f2, 10, 90) FROM %t'], :reps);

\echo '== aggregates over the jsonb payload vs reading one key with built-ins'
SELECT pg_temp.bench('jsonb', :'tbl', :rows, ARRAY[
  'avg((features->>''f2'')::float8) (read one key)', 'mlobs.features_agg(features) (13 keys)',
  'mlobs.schema_violations_agg(features, schema) (13 keys checked)'],
ARRAY[
  'SELECT avg((features->>''f2'')::float8) FROM %t',
  'SELECT mlobs.features_agg(features) FROM %t',
  'SELECT mlobs.schema_violations_agg(features, (SELECT schema FROM bench_inputs)) FROM %t'], :reps);

SELECT grp, mode, name, round(ms::numeric, 1) AS ms, round((ms / baseline_ms)::numeric, 2) AS ratio,
       round(min_ms::numeric, 1) AS min_ms, round((min_ms / baseline_min_ms)::numeric, 2) AS min_ratio
FROM bench_results WHERE tbl = :'tbl' AND grp IN ('single-pass', 'jsonb') ORDER BY grp DESC, mode DESC, ord;
