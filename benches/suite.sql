-- Every benchmark group over one dataset table (psql variables: tbl, rows, reps).
-- Results land in bench_results; benches/report.py formats them.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET jit = off;
-- Sorts (percentile_cont, array_agg + exact drift) get the memory they need, as a DBA would give them.
SET work_mem = '2GB';
\ir bench_lib.sql
-- Fixed inputs some aggregates need: a calibration map and a payload schema from the first day.
DROP TABLE IF EXISTS bench_inputs;
CREATE TABLE bench_inputs AS
SELECT (SELECT mlobs.calibration_agg(score, label) FROM :tbl WHERE id <= 50000) AS cal,
       (SELECT mlobs.schema_of(mlobs.features_agg(features)) FROM :tbl WHERE id <= 50000) AS schema;
SELECT count(*) FROM :tbl;  -- warm the cache

\echo '== single-pass aggregates vs avg(x)'
SELECT pg_temp.bench('single-pass', :'tbl', :rows, ARRAY[
  'avg(f2)', 'mlobs.profile_agg(f2)', 'mlobs.histogram_agg(f2, 11 edges)', 'mlobs.category_agg(c3)',
  'mlobs.score_agg(score, label)', 'mlobs.confusion_agg(label, score >= 0.5)',
  'mlobs.regression_agg(target, prediction)', 'mlobs.log_loss_agg(score, label)',
  'mlobs.brier_agg(score, label)', 'mlobs.cbpe_agg(score, calibration)',
  'mlobs.outlier_count_agg(f2, lo, hi)'],
ARRAY[
  'SELECT avg(f2) FROM %t',
  'SELECT mlobs.profile_agg(f2) FROM %t',
  'SELECT mlobs.histogram_agg(f2, ''{0,10,20,30,40,50,60,70,80,90,100}'') FROM %t',
  'SELECT mlobs.category_agg(c3) FROM %t',
  'SELECT mlobs.score_agg(score, label) FROM %t',
  'SELECT mlobs.confusion_agg(label, score >= 0.5) FROM %t',
  'SELECT mlobs.regression_agg(target, prediction) FROM %t',
  'SELECT mlobs.log_loss_agg(score, label) FROM %t',
  'SELECT mlobs.brier_agg(score, label) FROM %t',
  'SELECT mlobs.cbpe_agg(score, (SELECT cal FROM bench_inputs)) FROM %t',
  'SELECT mlobs.outlier_count_agg(f2, 10, 90) FROM %t'], :reps);

\echo '== exact (sort-based) aggregates vs percentile_cont'
SELECT pg_temp.bench('exact', :'tbl', :rows, ARRAY[
  'percentile_cont(0.5) WITHIN GROUP (ORDER BY score)', 'mlobs.roc_auc_agg(score, label)',
  'mlobs.pr_auc_agg(score, label)', 'mlobs.ece_agg(score, label)', 'mlobs.calibration_agg(score, label)',
  'mlobs.drift(array_agg(f2) ref, array_agg(f2) cur, ''ks'') (exact, halves)'],
ARRAY[
  'SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY score) FROM %t',
  'SELECT mlobs.roc_auc_agg(score, label) FROM %t',
  'SELECT mlobs.pr_auc_agg(score, label) FROM %t',
  'SELECT mlobs.ece_agg(score, label) FROM %t',
  'SELECT mlobs.calibration_agg(score, label) FROM %t',
  'SELECT mlobs.drift(array_agg(f2) FILTER (WHERE ts < ''2026-02-15''), array_agg(f2) FILTER (WHERE ts >= ''2026-02-15''), ''ks'') FROM %t'], :reps);

-- The hand-written jsonb_each query takes ~1 min per million rows; above 2M rows it is left out
-- (its ratio is measured at 1M) so a 10M run stays within the hour.
SELECT :rows > 2000000 AS big \gset
\if :big
\echo '== aggregates over the jsonb payload vs reading it with built-ins'
SELECT pg_temp.bench('jsonb', :'tbl', :rows, ARRAY[
  'avg((features->>''f2'')::float8) (read one key)', 'mlobs.features_agg(features) (13 keys)',
  'mlobs.schema_violations_agg(features, schema) (13 keys checked)'],
ARRAY[
  'SELECT avg((features->>''f2'')::float8) FROM %t',
  'SELECT mlobs.features_agg(features) FROM %t',
  'SELECT mlobs.schema_violations_agg(features, (SELECT schema FROM bench_inputs)) FROM %t'], :reps);

\else
\echo '== aggregates over the jsonb payload vs reading it with built-ins'
SELECT pg_temp.bench('jsonb', :'tbl', :rows, ARRAY[
  'avg((features->>''f2'')::float8) (read one key)', 'mlobs.features_agg(features) (13 keys)',
  'hand-written: jsonb_each + count/nulls/avg/min/max/count distinct per key',
  'mlobs.schema_violations_agg(features, schema) (13 keys checked)'],
ARRAY[
  'SELECT avg((features->>''f2'')::float8) FROM %t',
  'SELECT mlobs.features_agg(features) FROM %t',
  'SELECT e.key, count(*), count(*) FILTER (WHERE jsonb_typeof(e.value) = ''null''), avg((e.value #>> ''{}'')::float8) FILTER (WHERE jsonb_typeof(e.value) = ''number''), min((e.value #>> ''{}'')::float8) FILTER (WHERE jsonb_typeof(e.value) = ''number''), max((e.value #>> ''{}'')::float8) FILTER (WHERE jsonb_typeof(e.value) = ''number''), count(DISTINCT e.value) FILTER (WHERE jsonb_typeof(e.value) = ''string'') FROM %t, jsonb_each(features) e GROUP BY 1',
  'SELECT mlobs.schema_violations_agg(features, (SELECT schema FROM bench_inputs)) FROM %t'], :reps);

\endif

\echo '== hourly summaries (what a monitor stores) and drift over 90 days of them'
DROP TABLE IF EXISTS bench_hourly;
CREATE TABLE bench_hourly AS
SELECT date_trunc('hour', ts) AS hour, mlobs.profile_agg(f2) AS p, mlobs.category_agg(c1) AS c,
       mlobs.score_agg(score, label) AS s
FROM :tbl GROUP BY 1;
ANALYZE bench_hourly;
SELECT pg_temp.bench('drift-90d', :'tbl', :rows, ARRAY[
  'rollup 2136 + 24 hourly profiles, drift ks (exact p-value, default)', 'same, ks with p_value asymptotic', 'same, wasserstein', 'same, psi',
  'rollup hourly categories, chi-square', 'rollup hourly score summaries, roc_auc last day'],
ARRAY[
  'SELECT mlobs.drift((SELECT mlobs.rollup(p) FROM bench_hourly WHERE hour < ''2026-03-31''), (SELECT mlobs.rollup(p) FROM bench_hourly WHERE hour >= ''2026-03-31''), ''ks'')',
  'SELECT mlobs.drift((SELECT mlobs.rollup(p) FROM bench_hourly WHERE hour < ''2026-03-31''), (SELECT mlobs.rollup(p) FROM bench_hourly WHERE hour >= ''2026-03-31''), ''ks'', options => ''{"p_value": "asymptotic"}'')',
  'SELECT mlobs.drift((SELECT mlobs.rollup(p) FROM bench_hourly WHERE hour < ''2026-03-31''), (SELECT mlobs.rollup(p) FROM bench_hourly WHERE hour >= ''2026-03-31''), ''wasserstein'')',
  'SELECT mlobs.psi((SELECT mlobs.rollup(p) FROM bench_hourly WHERE hour < ''2026-03-31''), (SELECT mlobs.rollup(p) FROM bench_hourly WHERE hour >= ''2026-03-31''))',
  'SELECT mlobs.drift((SELECT mlobs.rollup(c) FROM bench_hourly WHERE hour < ''2026-03-31''), (SELECT mlobs.rollup(c) FROM bench_hourly WHERE hour >= ''2026-03-31''), ''chisquare'')',
  'SELECT mlobs.roc_auc((SELECT mlobs.rollup(s) FROM bench_hourly WHERE hour >= ''2026-03-31''))'], :reps);

\echo '== state sizes (serialized summary over the whole table, bytes)'
DELETE FROM bench_results WHERE tbl = :'tbl' AND grp = 'state-bytes';
INSERT INTO bench_results (tbl, rows, grp, mode, ord, name, ms)
SELECT :'tbl', :rows, 'state-bytes', 'serial', ord, name, bytes FROM (
  SELECT 1 ord, 'mlobs.profile' name, pg_column_size(mlobs.profile_agg(f2))::float8 bytes FROM :tbl UNION ALL
  SELECT 2, 'mlobs.histogram (11 edges)', pg_column_size(mlobs.histogram_agg(f2, '{0,10,20,30,40,50,60,70,80,90,100}')) FROM :tbl UNION ALL
  SELECT 3, 'mlobs.categories (c3, 1000 values)', pg_column_size(mlobs.category_agg(c3)) FROM :tbl UNION ALL
  SELECT 4, 'mlobs.feature_profiles (13 keys)', pg_column_size(mlobs.features_agg(features)) FROM :tbl UNION ALL
  SELECT 5, 'mlobs.score_summary', pg_column_size(mlobs.score_agg(score, label)) FROM :tbl UNION ALL
  SELECT 6, 'mlobs.confusion', pg_column_size(mlobs.confusion_agg(label, score >= 0.5)) FROM :tbl UNION ALL
  SELECT 7, 'mlobs.regression_summary', pg_column_size(mlobs.regression_agg(target, prediction)) FROM :tbl UNION ALL
  SELECT 8, 'mlobs.calibration', pg_column_size(mlobs.calibration_agg(score, label)) FROM :tbl) s;
