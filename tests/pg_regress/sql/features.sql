-- mlobs.features_agg: one pass over jsonb payloads; parallel = serial; storage; errors.
CREATE TABLE fx AS
  SELECT i, CASE WHEN i % 1000 = 0 THEN NULL
                 WHEN i % 997 = 0 THEN '"not an object"'::jsonb
                 ELSE jsonb_build_object('amount', (i % 250) * 1.5, 'country', (ARRAY['de','fr','us'])[1 + i % 3],
                                         'flag', i % 7 = 0, 'note', CASE WHEN i % 5 = 0 THEN NULL ELSE 'x' END,
                                         'nested', CASE WHEN i % 11 = 0 THEN '{"a":1}'::jsonb ELSE '[1,2]'::jsonb END)
                 || CASE WHEN i % 4 = 0 THEN '{"rare": 3}'::jsonb ELSE '{}'::jsonb END END AS f
  FROM generate_series(1, 100000) i;
ANALYZE fx;
SELECT t.* FROM (SELECT mlobs.features_agg(f) fp FROM fx) s, mlobs.feature_types(s.fp) t;
SELECT mlobs.features_agg(f) IS NULL AS empty_is_null FROM fx WHERE false;
-- Parallel = serial (byte-identical, except rounding of moments: compare counts, quantiles, categories).
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE fs AS SELECT mlobs.features_agg(f) v FROM fx;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT mlobs.features_agg(f) FROM fx;
CREATE TEMP TABLE fp AS SELECT mlobs.features_agg(f) v FROM fx;
RESET ALL;
SELECT mlobs.count(a.v) = mlobs.count(b.v) AS rows_eq,
       mlobs.features(a.v) = mlobs.features(b.v) AS keys_eq,
       mlobs.quantile(mlobs.feature_profile(a.v, 'amount'), '{0.1,0.5,0.9}'::float8[])
         = mlobs.quantile(mlobs.feature_profile(b.v, 'amount'), '{0.1,0.5,0.9}'::float8[]) AS sketch_eq,
       abs(mlobs.mean(mlobs.feature_profile(a.v, 'amount')) - mlobs.mean(mlobs.feature_profile(b.v, 'amount'))) < 1e-9 AS mean_eq,
       mlobs.feature_categories(a.v, 'country')::text = mlobs.feature_categories(b.v, 'country')::text AS categories_eq
  FROM fs a, fp b;
-- Rollup of hourly summaries: same counts and categories as one pass.
SELECT (SELECT array_agg(t.missing ORDER BY t.feature) FROM mlobs.feature_types(r) t)
     = (SELECT array_agg(t.missing ORDER BY t.feature) FROM mlobs.feature_types((SELECT v FROM fs)) t) AS rollup_missing_eq
  FROM (SELECT mlobs.rollup(h) r FROM (SELECT mlobs.features_agg(f) h FROM fx GROUP BY i % 24) x) y;
-- Text and binary round trips, forged input rejected.
SELECT mlobs_internal.feature_profiles_send(v::text::mlobs.feature_profiles) = mlobs_internal.feature_profiles_send(v) AS text_round_trip FROM fs;
SELECT '{"rows":1,"non_object_rows":0,"dropped_keys":0,"features":{"a":{"types":{"number":5,"string":0,"boolean":0,"null":0,"object":0,"array":0},"numeric":{"n":0,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0,"min":null,"max":null,"shift":0.0,"mean":0.0,"m2":0.0,"sketch":{"zero_count":0,"positive":{"offset":0,"counts":[]},"negative":{"offset":0,"counts":[]}}},"categories":{"counts":{},"other_count":0,"null_count":0}}}}'::mlobs.feature_profiles;
-- Drift report and dataset verdict; methods are validated even on empty summaries.
WITH r AS (SELECT mlobs.features_agg(f) v FROM fx WHERE i <= 50000),
     c AS (SELECT mlobs.features_agg(CASE WHEN f ? 'amount' THEN f || jsonb_build_object('amount', (f->>'amount')::float8 * 2) ELSE f END) v FROM fx WHERE i > 50000)
SELECT d.feature, d.kind, d.method, d.drifted FROM r, c, mlobs.drift_report(r.v, c.v) d;
WITH r AS (SELECT mlobs.features_agg(f) v FROM fx WHERE i <= 50000),
     c AS (SELECT mlobs.features_agg(f) v FROM fx WHERE i > 50000)
SELECT d.* FROM r, c, mlobs.dataset_drift(r.v, c.v, 'psi', drift_share => 0.3) d;
SELECT * FROM mlobs.drift_report((SELECT v FROM fs), (SELECT v FROM fs), 'chisquare');
SELECT * FROM mlobs.drift_report((SELECT v FROM fs), (SELECT v FROM fs), categorical_method => 'ks');
SELECT * FROM mlobs.dataset_drift((SELECT v FROM fs), (SELECT v FROM fs), drift_share => 1.5);
