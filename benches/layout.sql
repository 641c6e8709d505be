-- What a log table's column order costs the aggregates. The benchmark table (dataset.sql) stores
-- score, label, target and prediction after the three text columns and the jsonb payload, so
-- every row is deformed past those variable-length values to reach them. `<tbl>_lead` holds the
-- same rows with the fixed-width outcome columns first. Both tables are timed in one group,
-- interleaved, against `avg(f2)` on the original table. psql variables: tbl, rows, reps.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET jit = off;
\ir bench_lib.sql
SELECT :'tbl' || '_lead' AS lead \gset
SELECT to_regclass(:'lead') IS NOT NULL AS lead_exists \gset
\if :lead_exists
\else
CREATE UNLOGGED TABLE :lead AS
SELECT id, ts, score, label, target, prediction, latency_ms,
       f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, c1, c2, c3, features
FROM :tbl ORDER BY id;
ANALYZE :lead;
\endif
CREATE TABLE IF NOT EXISTS bench_inputs AS
SELECT (SELECT mlobs.calibration_agg(score, label) FROM :tbl WHERE id <= 50000) AS cal,
       (SELECT mlobs.schema_of(mlobs.features_agg(features)) FROM :tbl WHERE id <= 50000) AS schema;
SELECT count(*) FROM :tbl;  -- warm the cache
SELECT count(*) FROM :lead;

\echo '== the outcome columns after the payload (as logged) and before it (_lead)'
SELECT pg_temp.bench('layout', :'tbl', :rows, ARRAY[
  'avg(f2)', 'avg(score)', 'avg(score) [lead]',
  'score_agg', 'score_agg [lead]', 'confusion_agg', 'confusion_agg [lead]',
  'avg(prediction - target)', 'avg(prediction - target) [lead]',
  'regression_agg', 'regression_agg [lead]', 'log_loss_agg', 'log_loss_agg [lead]',
  'brier_agg', 'brier_agg [lead]', 'cbpe_agg', 'cbpe_agg [lead]'],
ARRAY[
  'SELECT avg(f2) FROM %t',
  'SELECT avg(score) FROM %t', 'SELECT avg(score) FROM %t_lead',
  'SELECT mlobs.score_agg(score, label) FROM %t', 'SELECT mlobs.score_agg(score, label) FROM %t_lead',
  'SELECT mlobs.confusion_agg(label, score >= 0.5) FROM %t',
  'SELECT mlobs.confusion_agg(label, score >= 0.5) FROM %t_lead',
  'SELECT avg(prediction - target) FROM %t', 'SELECT avg(prediction - target) FROM %t_lead',
  'SELECT mlobs.regression_agg(target, prediction) FROM %t',
  'SELECT mlobs.regression_agg(target, prediction) FROM %t_lead',
  'SELECT mlobs.log_loss_agg(score, label) FROM %t', 'SELECT mlobs.log_loss_agg(score, label) FROM %t_lead',
  'SELECT mlobs.brier_agg(score, label) FROM %t', 'SELECT mlobs.brier_agg(score, label) FROM %t_lead',
  'SELECT mlobs.cbpe_agg(score, (SELECT cal FROM bench_inputs)) FROM %t',
  'SELECT mlobs.cbpe_agg(score, (SELECT cal FROM bench_inputs)) FROM %t_lead'], :reps);

SELECT mode, name, round(ms::numeric, 1) AS ms, round((ms / baseline_ms)::numeric, 2) AS ratio,
       round(min_ms::numeric, 1) AS min_ms, round((min_ms / baseline_min_ms)::numeric, 2) AS min_ratio
FROM bench_results WHERE tbl = :'tbl' AND grp = 'layout' ORDER BY mode DESC, ord;
