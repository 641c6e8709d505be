-- Data for sqlsmith (tests/integration/sqlsmith/run.sh), run as the superuser from the repo root.
-- sqlsmith builds expressions from the *types of the columns it can see* (its only constants are
-- small ints, booleans and typed NULLs), so every mlobs summary type is a column here, and the
-- text / jsonb / array columns hold values the mlobs functions accept (model names, method
-- names, feature objects, 6-feature vectors, 2-D backgrounds) next to hostile ones (NaN, ±Inf,
-- NULL, empty, huge, wrong shapes). Deterministic (no random()), so a seed replays.
\set ON_ERROR_STOP on
CREATE EXTENSION IF NOT EXISTS mlobs;

-- Models the readers can reach by name (text columns below hold these names).
\set body `cat tests/fixtures/models/fraud_xgb.json`
SELECT mlobs.register_model('fraud', 'xgboost', :'body') \gset
\set body `cat tests/fixtures/models/risk_xgb.json`
SELECT mlobs.register_model('risk', 'xgboost', :'body') \gset
\set body `cat tests/fixtures/models/price_lgbm.json`
SELECT mlobs.register_model('price', 'lightgbm', :'body') \gset
\set body `cat tests/fixtures/models/churn_rf.json`
SELECT mlobs.register_model('churn', 'sklearn', :'body') \gset
\set body `cat tests/fixtures/models/fraud_logreg.json`
SELECT mlobs.register_model('fraud_linear', 'linear', :'body') \gset
\unset body

CREATE SCHEMA smith;

-- Words the text arguments understand (models, methods, averages, binnings, features, labels),
-- plus '', NULL and a long string; each text column draws from it with a different stride.
CREATE FUNCTION smith.word(i int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT (ARRAY['fraud', 'risk', 'price', 'churn', 'fraud_linear', 'nope', 'auto', 'psi', 'kl_div',
    'jensenshannon', 'wasserstein', 'wasserstein_raw', 'hellinger', 'ed', 'ks', 'mannw', 'anderson',
    'empirical_mmd', 'cramer_von_mises', 't_test', 'chisquare', 'z', 'binary', 'macro', 'micro',
    'weighted', 'iqr', 'zscore', 'evidently', 'reference_quantile', 'reference_doane', 'amount', 'age',
    'hour', 'distance', 'n_tx', 'score_ext', 'merchant', '0', '1', '2', 'a', 'b', '', NULL,
    repeat('w', 5000)])[1 + abs(i) % 46]
$$;

-- One row per logged prediction.
CREATE TABLE smith.predictions AS
SELECT g AS id,
       g::int8 * 1000003 AS n,
       timestamptz '2026-01-01' + g * interval '17 minutes' AS ts,
       CASE g % 23 WHEN 0 THEN NULL WHEN 1 THEN 'NaN' WHEN 2 THEN 'Infinity' WHEN 3 THEN '-Infinity'
         WHEN 4 THEN 1e308 WHEN 5 THEN -1e308 WHEN 6 THEN 5e-324 WHEN 7 THEN 0
         ELSE round((100 * sin(g) + g % 7)::numeric, 3)::float8 END AS x,
       CASE g % 19 WHEN 0 THEN NULL WHEN 1 THEN 'NaN' ELSE (g % 11) * 1.5 - 3 END::float8 AS y,
       CASE g % 29 WHEN 0 THEN NULL WHEN 1 THEN 'NaN' WHEN 2 THEN 1.5 WHEN 3 THEN -0.5
         ELSE (g % 97) / 97.0 END::float8 AS score,
       CASE g % 13 WHEN 0 THEN NULL WHEN 1 THEN 2 WHEN 2 THEN -1 ELSE (g % 3 = 0)::int END::int8 AS label,
       CASE WHEN g % 17 = 0 THEN NULL ELSE g % 3 = 0 END AS actual,
       CASE WHEN g % 31 = 0 THEN NULL ELSE g % 4 = 0 END AS predicted,
       smith.word(g) AS word,
       smith.word(g * 7 + 3) AS label_text,
       (ARRAY['fraud', 'risk', 'price', 'churn', 'fraud_linear', 'fraud', 'nope', NULL])[1 + g % 8] AS model,
       CASE g % 11
         WHEN 0 THEN '{"amount": 120, "age": 35, "hour": 23, "distance": 80, "n_tx": 4, "score_ext": 0.9}'
         WHEN 1 THEN '{"amount": null, "age": 35}'
         WHEN 2 THEN '{"amount": "x", "age": 1}'
         WHEN 3 THEN '{"ammount": 1}'
         WHEN 4 THEN '{}'
         WHEN 5 THEN '[1, 2, 3]'
         WHEN 6 THEN '{"amount": 1e300, "age": -1e300, "hour": 0, "distance": 0, "n_tx": 0, "score_ext": 0}'
         WHEN 7 THEN '{"amount": 10, "merchant": "shop", "vip": true, "tags": [1, {"a": null}]}'
         ELSE jsonb_build_object('amount', g * 3 % 500, 'age', 18 + g % 60, 'hour', g % 24,
                                 'distance', g % 90, 'n_tx', g % 9, 'score_ext', (g % 10) / 10.0,
                                 'merchant', (ARRAY['shop', 'fuel', 'cash', 'travel'])[1 + g % 4])
       END::jsonb AS features,
       CASE g % 9
         WHEN 0 THEN '{"binning": "reference_quantile", "bins": 10}'
         WHEN 1 THEN '{"binning": "evidently"}'
         WHEN 2 THEN '{}'
         WHEN 3 THEN '{"amount": 0.8, "hour": 0.2}'
         WHEN 4 THEN '{"amount": 500, "hour": 3}'
         WHEN 5 THEN '{"binning": "reference_doane", "bins": 0}'
         WHEN 6 THEN 'null'
         WHEN 7 THEN '{"amount": {"type": "number", "min": 0, "max": 100}}'
         ELSE '{"bins": 2147483647, "binning": "reference_quantile"}'
       END::jsonb AS options,
       CASE g % 10
         WHEN 0 THEN NULL WHEN 1 THEN '{}' WHEN 2 THEN '{120,35,23,NULL,4,NaN}'
         WHEN 3 THEN '{1,2,3,4,5}' WHEN 4 THEN '{{1,2,3},{4,5,6}}' WHEN 5 THEN '{Infinity,0,0,0,0,0}'
         ELSE ARRAY[g * 3 % 500, 18 + g % 60, g % 24, g % 90, g % 9, (g % 10) / 10.0]
       END::float8[] AS vec,
       CASE g % 7
         WHEN 0 THEN '{0.2,0.3,0.5}' WHEN 1 THEN '{1,0,0}' WHEN 2 THEN '{NaN,0.5,0.5}' WHEN 3 THEN '{0.5,0.5}'
         WHEN 4 THEN NULL ELSE ARRAY[(g % 5) / 10.0, 0.5, 0.5 - (g % 5) / 10.0]
       END::float8[] AS probs,
       CASE g % 5 WHEN 0 THEN '{}' WHEN 1 THEN NULL ELSE ARRAY[smith.word(g), smith.word(g + 1), 'amount'] END AS tags,
       (ARRAY[0, 1, 2, 3, 5, 10, -1, 1000, 2147483647, NULL])[1 + g % 10] AS k,
       CASE g % 4 WHEN 0 THEN '{0,1,1,0}' WHEN 1 THEN '{}' WHEN 2 THEN '{0,1,2}' ELSE NULL END::int8[] AS labels
FROM generate_series(1, 150) g;

-- Hourly summaries of a larger synthetic log, one row per (hour, segment): every summary type as
-- a column, with degenerate windows (all NaN, a single value, no rows -> NULL) mixed in. sqlsmith
-- reads single values as (SELECT col FROM t LIMIT 1 OFFSET n) with n up to ~100, so every
-- relation has more than 100 rows, or that subquery is NULL and the strict mlobs functions never run.
CREATE TABLE smith.windows AS
WITH raw AS (
  SELECT g, timestamptz '2026-01-01' + (g / 300) * interval '1 hour' AS bucket,
         (ARRAY['a', 'b', 'c'])[1 + g % 3] AS segment,
         CASE WHEN g / 300 = 5 THEN 'NaN'::float8 WHEN g / 300 = 6 THEN 42
              WHEN g % 97 = 0 THEN NULL ELSE sin(g) * 50 + (g / 300) END AS v,
         (g % 89) / 89.0 AS score, (g % 3 = 0)::int::int8 AS label,
         (ARRAY['shop', 'fuel', 'cash', 'travel', NULL])[1 + g % 5] AS cat,
         jsonb_build_object('amount', g % 500, 'age', 18 + g % 60, 'hour', g % 24, 'distance', g % 90,
                            'n_tx', g % 9, 'score_ext', (g % 10) / 10.0,
                            'merchant', (ARRAY['shop', 'fuel', 'cash'])[1 + g % 3]) AS features
  FROM generate_series(0, 11999) g)
SELECT bucket, segment,
       mlobs.profile_agg(v) FILTER (WHERE bucket <> '2026-01-01 07:00+00') AS p,
       mlobs.histogram_agg(v, '{-50,-10,0,10,50}') AS h,
       mlobs.category_agg(cat) AS c,
       mlobs.features_agg(features) AS f,
       mlobs.confusion_agg(label, (score > 0.5)::int::int8) AS cm,
       mlobs.score_agg(score, label) AS s,
       mlobs.regression_agg(v, v + score) FILTER (WHERE v <> 'NaN') AS r,
       mlobs.calibration_agg(score, label) AS cal,
       mlobs.shap_importance_agg('fraud', features - 'merchant') FILTER (WHERE g % 10 = 0) AS importance,
       mlobs.schema_of(mlobs.features_agg(features)) AS schema,
       array_agg(v ORDER BY g) FILTER (WHERE g % 4 = 0) AS sample,
       array_agg(score ORDER BY g) FILTER (WHERE g % 4 = 0) AS scores,
       array_agg(cat ORDER BY g) FILTER (WHERE g % 4 = 0) AS cats,
       array_agg(label ORDER BY g) FILTER (WHERE g % 4 = 0) AS labels,
       -- rows x 6 features (backgrounds, training data, multivariate drift)
       (SELECT array_agg(ARRAY[g2 % 500, 18 + g2 % 60, g2 % 24, g2 % 90, g2 % 9, (g2 % 10) / 10.0]::float8[])
          FROM generate_series(min(g), min(g) + 9) g2) AS grid,
       (min(g) % 100) / 100.0 AS q
FROM raw GROUP BY bucket, segment;
INSERT INTO smith.windows (bucket, segment) VALUES ('2026-02-01', NULL);

-- Composite results, so their types appear as columns too.
CREATE TABLE smith.results AS
SELECT a.segment,
       mlobs.drift(a.p, b.p) AS drift, mlobs.outlier_fences(a.p) AS fences,
       mlobs.learned_threshold(a.sample) AS band,
       mlobs.concept_drift(a.scores, a.labels::float8[], b.scores, b.labels::float8[]) AS concept,
       mlobs.pca_drift(a.grid, b.grid) AS pca
FROM smith.windows a JOIN smith.windows b ON b.segment = a.segment AND b.bucket = a.bucket + interval '1 hour'
WHERE a.p IS NOT NULL AND b.p IS NOT NULL;  -- drift(profile, NULL) is an ERROR, not NULL

-- Views wrapping set-returning and aggregate functions, which sqlsmith cannot call itself
-- (it skips set-returning functions) but will filter, join and nest.
CREATE VIEW smith.drift_rows AS
SELECT a.segment, a.bucket, d.*
FROM smith.windows a JOIN smith.windows b ON b.segment = a.segment AND b.bucket = a.bucket + interval '3 hours',
     mlobs.drift_report(a.f, b.f) d;
CREATE VIEW smith.quality_rows AS
SELECT a.bucket, q.*
FROM smith.windows a JOIN smith.windows b ON b.segment = a.segment AND b.bucket = a.bucket + interval '1 hour',
     mlobs.quality_report(a.f, b.f) q;
CREATE VIEW smith.performance_rows AS
SELECT a.bucket, r.*
FROM smith.windows a JOIN smith.windows b ON b.segment = a.segment AND b.bucket = a.bucket + interval '2 hours',
     mlobs.performance_report(a.cm, b.cm, 0.1, '1') r;
CREATE VIEW smith.rollups AS   -- each window with its segment's last 4 hours
SELECT w.bucket, w.segment, r.*
FROM smith.windows w, LATERAL (
  SELECT mlobs.rollup(x.p) AS p, mlobs.rollup(x.h) AS h, mlobs.rollup(x.c) AS c, mlobs.rollup(x.f) AS f,
         mlobs.rollup(x.cm) AS cm, mlobs.rollup(x.s) AS s, mlobs.rollup(x.r) AS r
  FROM smith.windows x WHERE x.segment = w.segment AND x.bucket BETWEEN w.bucket - interval '3 hours' AND w.bucket) r;

-- Views applying mlobs's scalar functions to real inputs: sqlsmith filters, joins, sorts and
-- nests them (random plan shapes, rescans, subplans), which reaches far more mlobs code with
-- non-NULL arguments than its own calls, whose arguments are mostly NULL casts.
CREATE VIEW smith.window_metrics AS
SELECT w.bucket, w.segment,
       mlobs.mean(w.p) AS mean, mlobs.stddev(w.p) AS stddev, mlobs.quantile(w.p, w.q) AS quantile,
       mlobs.quantile(w.p, ARRAY[0.1, 0.5, 0.9]) AS deciles, mlobs.missing_share(w.p) AS missing_share,
       mlobs.is_constant(w.p) AS is_constant, mlobs.outside_share(w.p, -10, 10) AS outside_share,
       mlobs.bin_counts(w.h) AS bin_counts, mlobs.edges(w.h) AS edges,
       mlobs.top_share(w.c) AS top_share, mlobs.category_counts(w.c) AS category_counts,
       mlobs.almost_constant(w.c, 0.95) AS almost_constant,
       mlobs.features(w.f) AS features, mlobs.feature_profile(w.f, 'amount') AS amount,
       mlobs.feature_categories(w.f, 'merchant') AS merchant, mlobs.schema_of(w.f) AS schema,
       mlobs.accuracy(w.cm) AS accuracy, mlobs.f1(w.cm, 'macro') AS f1, mlobs.precision(w.cm) AS precision,
       mlobs.recall(w.cm, 'weighted') AS recall, mlobs.mcc(w.cm) AS mcc, mlobs.tpr(w.cm, '1') AS tpr,
       mlobs.classification_report(w.cm, '1') AS classification,
       mlobs.roc_auc(w.s) AS roc_auc, mlobs.pr_auc(w.s) AS pr_auc, mlobs.log_loss(w.s) AS log_loss,
       mlobs.brier(w.s) AS brier, mlobs.roc_auc_bounds(w.s) AS roc_auc_bounds,
       mlobs.calibration_error(w.s, 10) AS ece, mlobs.rmse(w.r) AS rmse, mlobs.r2(w.r) AS r2,
       mlobs.regression_report(w.r) AS regression, mlobs.calibrate(w.cal, w.q) AS calibrated,
       CASE WHEN prev.p IS NOT NULL AND w.p IS NOT NULL THEN mlobs.psi(prev.p, w.p) END AS psi,
       mlobs.psi(prev.h, w.h) AS psi_histogram,
       CASE WHEN prev.p IS NOT NULL AND w.p IS NOT NULL THEN (mlobs.drift(prev.p, w.p, 'wasserstein')).statistic END AS wasserstein,
       CASE WHEN prev.c IS NOT NULL THEN (mlobs.drift(prev.c, w.c)).p_value END AS category_drift,
       CASE WHEN prev.sample IS NOT NULL THEN (mlobs.drift(prev.sample, w.sample, 'ks')).p_value END AS ks,
       mlobs.new_categories(prev.c, w.c) AS new_categories, mlobs.out_of_range_share(prev.p, w.p) AS out_of_range,
       mlobs.importance_shift(prev.importance, w.importance) AS importance_shift,
       mlobs.relative_change(mlobs.accuracy(prev.cm), mlobs.accuracy(w.cm)) AS accuracy_change
FROM smith.windows w LEFT JOIN smith.windows prev ON prev.segment = w.segment AND prev.bucket = w.bucket - interval '1 hour'
WHERE w.segment IS NOT NULL;  -- not the all-NULL window: f1(NULL, ...) and others raise an ERROR

CREATE VIEW smith.explained AS      -- rows whose vec is a valid 6-feature vector
SELECT p.id, m.model, mlobs.predict(m.model, p.vec) AS prediction, mlobs.predict_margin(m.model, p.vec) AS margin,
       mlobs.predict_proba(m.model, p.vec) AS proba, mlobs.shap(m.model, p.vec) AS shap,
       mlobs.shap_base_value(m.model) AS base_value,
       mlobs.what_if(m.model, jsonb_build_object('amount', p.vec[1], 'age', p.vec[2]), '{"amount": 900}') AS what_if
FROM smith.predictions p, LATERAL (SELECT (ARRAY['fraud', 'price', 'churn'])[1 + p.id % 3] AS model) m
WHERE p.id % 10 >= 6;

CREATE VIEW smith.window_more AS
SELECT w.bucket, w.segment, mlobs.min(w.p) AS min, mlobs.max(w.p) AS max, mlobs.variance(w.p) AS variance,
       mlobs.stddev_pop(w.p) AS stddev_pop, mlobs.total_count(w.p) AS total_count, mlobs.inf_count(w.p) AS inf_count,
       mlobs.other_count(w.c) AS other_count, mlobs.fnr(w.cm, '1') AS fnr, mlobs.fpr(w.cm, '1') AS fpr,
       mlobs.tnr(w.cm, '1') AS tnr, mlobs.confusion_matrix(w.cm) AS confusion_matrix, mlobs.mae(w.r) AS mae,
       mlobs.mse(w.r) AS mse, mlobs.mape(w.r) AS mape, mlobs.max_error(w.r) AS max_error,
       mlobs.median_absolute_error(w.r) AS median_absolute_error, mlobs.explained_variance(w.r) AS explained_variance,
       mlobs.outside_share_bounds(w.p, -10, 10) AS outside_share_bounds, mlobs.outlier_fences(w.p) AS fences,
       mlobs.new_category_share(prev.c, w.c) AS new_category_share,
       mlobs.degraded(mlobs.accuracy(prev.cm), mlobs.accuracy(w.cm), 0.05) AS degraded,
       mlobs.schema_violations(jsonb_build_object('amount', w.q * 1000, 'merchant', 'casino'), w.schema) AS violations,
       CASE WHEN prev.grid IS NOT NULL THEN mlobs.domain_classifier(prev.grid, w.grid) END AS domain,
       CASE WHEN prev.grid IS NOT NULL THEN mlobs.pca_drift(prev.grid, w.grid) END AS pca,
       CASE WHEN prev.scores IS NOT NULL THEN mlobs.concept_drift(prev.scores, prev.labels::float8[], w.scores, w.labels::float8[]) END AS concept
FROM smith.windows w LEFT JOIN smith.windows prev ON prev.segment = w.segment AND prev.bucket = w.bucket - interval '1 hour'
WHERE w.segment IS NOT NULL;
CREATE VIEW smith.feature_rows AS  -- sqlsmith does not quote identifiers: rename "null", "array"
SELECT w.bucket, w.segment, t.feature, t.kind, t.missing, t.number, t.string, t."boolean" AS booleans,
       t."null" AS nulls, t.object, t."array" AS arrays
FROM smith.windows w, mlobs.feature_types(w.f) t;
CREATE VIEW smith.dataset_rows AS
SELECT a.bucket, d.*
FROM smith.windows a JOIN smith.windows b ON b.segment = a.segment AND b.bucket = a.bucket + interval '6 hours',
     mlobs.dataset_drift(a.f, b.f) d;
CREATE VIEW smith.importance_rows AS
SELECT a.bucket, i.*
FROM smith.windows a JOIN smith.windows b ON b.segment = a.segment AND b.bucket = a.bucket + interval '1 hour',
     mlobs.importance_drift(a.importance, b.importance) i;
CREATE VIEW smith.local_explanations AS   -- every 10th valid row: LIME and counterfactuals cost more
SELECT p.id, mlobs.lime('fraud', p.vec, w.grid, p.id, 200) AS lime,
       mlobs.counterfactual('fraud', jsonb_build_object('amount', p.vec[1], 'age', p.vec[2], 'hour', p.vec[3]), 0.5) AS counterfactual
FROM smith.predictions p JOIN smith.windows w ON w.bucket = '2026-01-01 03:00+00' AND w.segment = 'a'
WHERE p.id % 10 = 9;

ANALYZE smith.predictions, smith.windows, smith.results;

-- The role sqlsmith connects as: no superuser, reads the tables above and mlobs.models (the model
-- readers need it), calls mlobs's functions that PUBLIC may call (not the writers: register_model,
-- run_monitors...), cannot write anything (sqlsmith runs in autocommit and generates
-- INSERT/UPDATE/DELETE/MERGE). mlobs's other, empty, tables stay out of its sight: queries over
-- them only produce NULLs. Its settings bound what a random query can do.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mlobs_smith') THEN
    CREATE ROLE mlobs_smith LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
GRANT USAGE ON SCHEMA smith TO mlobs_smith;
GRANT SELECT ON ALL TABLES IN SCHEMA smith TO mlobs_smith;
GRANT SELECT ON mlobs.models TO mlobs_smith;
ALTER ROLE mlobs_smith SET statement_timeout = '1s';   -- sqlsmith sets 1s too; this holds if it does not
ALTER ROLE mlobs_smith SET lock_timeout = '1s';
ALTER ROLE mlobs_smith SET idle_in_transaction_session_timeout = '10s';
ALTER ROLE mlobs_smith SET temp_file_limit = '256MB';
ALTER ROLE mlobs_smith SET jit = off;                  -- LLVM aborts on OOM: keep crashes ours
-- Built-ins a non-superuser may still call that would disturb the run rather than test it:
-- ending its own sessions, sleeping, changing its own limits, creating large objects,
-- holding session-level advisory locks across statements.
REVOKE EXECUTE ON FUNCTION pg_terminate_backend(int, bigint), pg_cancel_backend(int),
  pg_sleep(float8), pg_sleep_for(interval), pg_sleep_until(timestamptz), set_config(text, text, boolean),
  lo_create(oid), lo_creat(int), lo_from_bytea(oid, bytea),
  pg_advisory_lock(bigint), pg_advisory_lock(int, int), pg_advisory_lock_shared(bigint),
  pg_advisory_lock_shared(int, int), pg_try_advisory_lock(bigint), pg_try_advisory_lock(int, int),
  pg_try_advisory_lock_shared(bigint), pg_try_advisory_lock_shared(int, int) FROM PUBLIC;

-- The "focused" catalog: sqlsmith reads its functions from an unqualified `pg_proc`, so a
-- relation of that name first on its search_path (options=-csearch_path=smith_catalog,pg_catalog)
-- narrows what it generates to every mlobs function plus the built-ins whose argument and result
-- types are the column types above (no polymorphic pseudo-types: sqlsmith 1.4 mishandles them on
-- PostgreSQL 15). A materialized view, because information_schema.tables does not list those,
-- so sqlsmith does not also pick it as a table to query. Schema mlobs_internal (the support
-- functions of the types and aggregates) is left out: PUBLIC has no USAGE on it, so mlobs_smith
-- cannot name its functions (tests/integration/hostile/run.sh calls them as a superuser).
CREATE SCHEMA smith_catalog;
CREATE MATERIALIZED VIEW smith_catalog.pg_proc AS
WITH types AS (
  SELECT unnest(ARRAY['float8', 'float4', 'int2', 'int4', 'int8', 'numeric', 'text', 'bool', 'jsonb',
    'timestamptz', 'interval', '_float8', '_int8', '_int4', '_text', '_bool', '_jsonb']::regtype[]) AS t
  UNION ALL SELECT oid FROM pg_catalog.pg_type WHERE typnamespace = 'mlobs'::regnamespace)
SELECT p.oid, p.proname, p.pronamespace, p.prorettype, p.proretset, p.prokind, p.proargtypes
FROM pg_catalog.pg_proc p
WHERE p.pronamespace = 'mlobs'::regnamespace
      AND NOT EXISTS (SELECT 1 FROM unnest(p.proargtypes) a WHERE a IN ('internal'::regtype, 'cstring'::regtype))
   OR p.pronamespace = 'pg_catalog'::regnamespace AND p.prorettype IN (SELECT t FROM types)
      AND NOT EXISTS (SELECT 1 FROM unnest(p.proargtypes) a WHERE a NOT IN (SELECT t FROM types));
GRANT USAGE ON SCHEMA smith_catalog TO mlobs_smith;
GRANT SELECT ON smith_catalog.pg_proc TO mlobs_smith;
