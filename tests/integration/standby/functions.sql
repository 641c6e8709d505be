-- Every read-only function of schema mlobs (each one mlobs_reader may execute) called over the demo's
-- tables (examples/demo.sql, tests/integration/grafana/setup.sql), one labelled line per query.
-- tests/integration/standby/run.sh runs this file as a login member of mlobs_reader in read-only
-- transactions on the primary and on the hot standby and diffs the two outputs, which must be
-- identical; it also fails when a function mlobs_reader may execute is not called here.
-- Fixtures are psql variables (\gset): a hot standby cannot create even a temporary table.
-- Reference: the fraud log's 2026-01-02, current: 2026-01-14 (amount drifts from 2026-01-08);
-- samples: one row in 20 (arrays), one in 40 (matrices).
\set ON_ERROR_STOP on
\pset tuples_only on
\pset format unaligned
SET timezone = 'UTC';
-- One transaction: at the end, no read-only function has assigned it a transaction id (a hot standby
-- cannot assign one; pgrx's Spi::get_one* do, compare_models used them).
BEGIN;

SELECT mlobs.profile_agg(amount) FILTER (WHERE ref) AS ref_p, mlobs.profile_agg(amount) FILTER (WHERE NOT ref) AS cur_p,
       mlobs.histogram_agg(amount, '{0,20,40,80,160,320,640}') FILTER (WHERE ref) AS ref_h,
       mlobs.histogram_agg(amount, '{0,20,40,80,160,320,640}') FILTER (WHERE NOT ref) AS cur_h,
       mlobs.category_agg(bucket) FILTER (WHERE ref) AS ref_c, mlobs.category_agg(bucket) FILTER (WHERE NOT ref) AS cur_c,
       mlobs.features_agg(f) FILTER (WHERE ref) AS ref_f, mlobs.features_agg(f) FILTER (WHERE NOT ref) AS cur_f,
       mlobs.confusion_agg(label, predicted_label) FILTER (WHERE ref) AS ref_conf,
       mlobs.confusion_agg(label, predicted_label) FILTER (WHERE NOT ref) AS cur_conf,
       mlobs.score_agg(score, label) FILTER (WHERE ref) AS ref_s, mlobs.score_agg(score, label) FILTER (WHERE NOT ref) AS cur_s,
       mlobs.calibration_agg(score, label) FILTER (WHERE ref) AS cal,
       array_agg(amount ORDER BY id) FILTER (WHERE ref AND id % 20 = 0) AS ref_x,
       array_agg(amount ORDER BY id) FILTER (WHERE NOT ref AND id % 20 = 0) AS cur_x,
       array_agg(bucket ORDER BY id) FILTER (WHERE ref AND id % 20 = 0) AS ref_t,
       array_agg(bucket ORDER BY id) FILTER (WHERE NOT ref AND id % 20 = 0) AS cur_t,
       array_agg(score ORDER BY id) FILTER (WHERE ref AND id % 20 = 0) AS ref_score,
       array_agg(label::float8 ORDER BY id) FILTER (WHERE ref AND id % 20 = 0) AS ref_label,
       array_agg(score ORDER BY id) FILTER (WHERE NOT ref AND id % 20 = 0) AS cur_score,
       array_agg(label::float8 ORDER BY id) FILTER (WHERE NOT ref AND id % 20 = 0) AS cur_label,
       array_agg(label::bigint ORDER BY id) FILTER (WHERE NOT ref AND id % 20 = 0) AS cur_label_int,
       array_agg(mlobs.jsonb_floats(features, '{amount,merchant_risk,account_age_days}') ORDER BY id)
         FILTER (WHERE ref AND id % 40 = 0) AS ref_m,
       array_agg(mlobs.jsonb_floats(features, '{amount,merchant_risk,account_age_days}') ORDER BY id)
         FILTER (WHERE NOT ref AND id % 40 = 0) AS cur_m
FROM (SELECT id, features, features || jsonb_build_object('bucket', bucket) AS f, score, label, predicted_label,
             (features->>'amount')::float8 AS amount, bucket, ts < '2026-01-03' AS ref
        FROM (SELECT p.*, CASE WHEN (p.features->>'merchant_risk')::float8 < 0.5 THEN 'low'
                               WHEN (p.features->>'merchant_risk')::float8 < 0.9 THEN 'mid' ELSE 'high' END AS bucket
                FROM fraud_predictions p) p
       WHERE (ts >= '2026-01-02' AND ts < '2026-01-03') OR ts >= '2026-01-14') s \gset
SELECT mlobs.concept_reference(:'ref_score'::float8[], :'ref_label'::float8[]) AS concept_ref,
       mlobs.pca_fit(:'ref_m'::float8[]) AS pca_model, mlobs.schema_of(:'ref_f'::mlobs.feature_profiles) AS schema \gset

-- Profiles and histograms.
SELECT 'profile', mlobs.row_count(p), mlobs.count(p), mlobs.null_count(p), mlobs.nan_count(p), mlobs.inf_count(p),
       mlobs.total_count(p), mlobs.mean(p), mlobs.stddev(p), mlobs.stddev_pop(p), mlobs.variance(p), mlobs.min(p),
       mlobs.max(p), mlobs.quantile(p, 0.5), mlobs.quantile(p, '{0.1,0.9}'::float8[]), mlobs.n_distinct(p),
       mlobs.n_distinct_bounds(p), mlobs.n_distinct_is_exact(p), mlobs.missing_share(p), mlobs.is_constant(p),
       mlobs.almost_constant(p, 0.95)
  FROM (SELECT :'cur_p'::mlobs.profile p) s;
SELECT 'psi', mlobs.psi(r, c), mlobs.psi(r, c, 10), mlobs.psi(r, c, 'reference_quantile', 20),
       mlobs.psi(:'ref_x'::float8[], :'cur_x'::float8[]), mlobs.psi(:'ref_h'::mlobs.histogram, :'cur_h'::mlobs.histogram),
       mlobs.out_of_range_share(r, c), mlobs.outside_share(c, 0, 100), mlobs.outside_share_bounds(c, 0, 100),
       mlobs.outlier_fences(r), mlobs.outlier_fences(:'ref_x'::float8[])
  FROM (SELECT :'ref_p'::mlobs.profile r, :'cur_p'::mlobs.profile c) s;
SELECT 'histogram', mlobs.edges(h), mlobs.bin_counts(h), mlobs.row_count(h), mlobs.count(h), mlobs.null_count(h),
       mlobs.nan_count(h), mlobs.inf_count(h)
  FROM (SELECT :'cur_h'::mlobs.histogram h) s;
SELECT 'rollup', mlobs.mean(mlobs.rollup(p)), mlobs.bin_counts(mlobs.rollup(h)), mlobs.category_counts(mlobs.rollup(c)),
       mlobs.row_count(mlobs.rollup(f)), mlobs.accuracy(mlobs.rollup(conf)), mlobs.roc_auc(mlobs.rollup(s))
  FROM (VALUES (:'ref_p'::mlobs.profile, :'ref_h'::mlobs.histogram, :'ref_c'::mlobs.categories, :'ref_f'::mlobs.feature_profiles,
                :'ref_conf'::mlobs.confusion, :'ref_s'::mlobs.score_summary),
               (:'cur_p', :'cur_h', :'cur_c', :'cur_f', :'cur_conf', :'cur_s')) v(p, h, c, f, conf, s);
SELECT 'outliers', mlobs.outlier_count_agg((features->>'amount')::float8, 0, 100)
  FROM fraud_predictions WHERE id % 20 = 0;

-- Categories.
SELECT 'categories', mlobs.row_count(c), mlobs.count(c), mlobs.null_count(c), mlobs.distinct_count(c), mlobs.other_count(c),
       mlobs.category_counts(c), mlobs.top_share(c), mlobs.almost_constant(c, 0.9), mlobs.missing_share(c),
       mlobs.new_categories(r, c), mlobs.new_category_share(r, c), mlobs.drift(r, c)
  FROM (SELECT :'ref_c'::mlobs.categories r, :'cur_c'::mlobs.categories c) s;

-- Drift.
SELECT 'drift', mlobs.drift(:'ref_x'::float8[], :'cur_x'::float8[]), mlobs.drift(:'ref_x'::float8[], :'cur_x'::float8[], 'wasserstein'),
       mlobs.drift(:'ref_t'::text[], :'cur_t'::text[]), mlobs.drift(:'ref_p'::mlobs.profile, :'cur_p'::mlobs.profile, 'psi');
SELECT 'drift_methods', count(*), md5(string_agg(m::text, ';' ORDER BY m::text)) FROM mlobs.drift_methods() m;
SELECT 'drift_report', r FROM mlobs.drift_report(:'ref_f'::mlobs.feature_profiles, :'cur_f'::mlobs.feature_profiles) r;
SELECT 'dataset_drift', r FROM mlobs.dataset_drift(:'ref_f'::mlobs.feature_profiles, :'cur_f'::mlobs.feature_profiles) r;
SELECT 'features', mlobs.features(f), mlobs.count(f), mlobs.row_count(f), mlobs.mean(mlobs.feature_profile(f, 'amount')),
       mlobs.category_counts(mlobs.feature_categories(f, 'bucket'))
  FROM (SELECT :'cur_f'::mlobs.feature_profiles f) s;
SELECT 'feature_types', t FROM mlobs.feature_types(:'cur_f'::mlobs.feature_profiles) t;
SELECT 'concept_drift', mlobs.concept_drift(:'ref_score'::float8[], :'ref_label'::float8[], :'cur_score'::float8[], :'cur_label'::float8[]),
       mlobs.concept_drift(:'concept_ref'::jsonb, :'cur_score'::float8[], :'cur_label'::float8[]);
SELECT 'concept_drift_agg', mlobs.concept_drift_agg(:'concept_ref'::jsonb, score, label)
  FROM fraud_predictions WHERE ts >= '2026-01-14' AND id % 20 = 0;
SELECT 'learned_threshold', mlobs.learned_threshold(array_agg(value ORDER BY window_start), 3, lower_limit => 0)
  FROM mlobs.metric_points WHERE metric = 'psi' AND feature = 'amount' AND segment = '' AND window_start < '2026-01-08';
SELECT 'pca', mlobs.pca_error(:'pca_model'::jsonb, :'cur_m'::float8[]), mlobs.pca_drift(:'ref_m'::float8[], :'cur_m'::float8[]),
       mlobs.domain_classifier(:'ref_m'::float8[], :'cur_m'::float8[]), md5(:'pca_model');

-- Data quality.
SELECT 'quality_report', r FROM mlobs.quality_report(:'ref_f'::mlobs.feature_profiles, :'cur_f'::mlobs.feature_profiles) r;
SELECT 'schema', :'schema', mlobs.schema_violations('{"amount": "x", "extra": 1}', :'schema'::jsonb),
       (SELECT mlobs.schema_violations_agg(features, :'schema'::jsonb) FROM fraud_predictions WHERE id % 100 = 0);

-- Classification metrics.
SELECT 'confusion', mlobs.row_count(c), mlobs.count(c), mlobs.accuracy(c), mlobs.mcc(c), mlobs.confusion_matrix(c),
       mlobs.precision(c), mlobs.recall(c), mlobs.f1(c), mlobs.f1(c, 'macro'), mlobs.tpr(c), mlobs.tnr(c), mlobs.fpr(c),
       mlobs.fnr(c), mlobs.classification_report(c), mlobs.chi2_contingency(c)
  FROM (SELECT :'cur_conf'::mlobs.confusion c) s;
SELECT 'class_report', r FROM mlobs.class_report(:'cur_conf'::mlobs.confusion) r;
SELECT 'performance_report', r FROM mlobs.performance_report(:'ref_conf'::mlobs.confusion, :'cur_conf'::mlobs.confusion, max_drop => 0.1) r;
SELECT 'change', mlobs.relative_change(mlobs.accuracy(r), mlobs.accuracy(c)), mlobs.degraded(mlobs.accuracy(r), mlobs.accuracy(c))
  FROM (SELECT :'ref_conf'::mlobs.confusion r, :'cur_conf'::mlobs.confusion c) s;
SELECT 'scores', mlobs.roc_auc_agg(score, label), mlobs.pr_auc_agg(score, label), mlobs.ece_agg(score, label),
       mlobs.log_loss_agg(score, label), mlobs.brier_agg(score, label), mlobs.cbpe_roc_auc_agg(score, :'cal'::mlobs.calibration),
       mlobs.f1(mlobs.cbpe_agg(score, :'cal'::mlobs.calibration)), mlobs.calibrate(:'cal'::mlobs.calibration, 0.3)
  FROM fraud_predictions WHERE ts >= '2026-01-14';
SELECT 'score_summary', mlobs.row_count(s), mlobs.count(s), mlobs.roc_auc(s), mlobs.roc_auc_bounds(s), mlobs.pr_auc(s),
       mlobs.pr_auc_bounds(s), mlobs.log_loss(s), mlobs.brier(s), mlobs.calibration_error(s, 10),
       mlobs.calibration_error_bounds(s, 10),
       mlobs.calibration_error(:'cur_score'::float8[], :'cur_label_int'::bigint[], 10)
  FROM (SELECT :'cur_s'::mlobs.score_summary s) x;
-- Three classes from the fraud score: what the multiclass aggregates read.
SELECT 'multiclass', mlobs.roc_auc_ovr_agg(p, y), mlobs.roc_auc_ovr_weighted_agg(p, y), mlobs.roc_auc_ovo_agg(p, y),
       mlobs.roc_auc_ovo_weighted_agg(p, y), mlobs.pr_auc_ovr_agg(p, y), mlobs.pr_auc_ovr_weighted_agg(p, y),
       mlobs.log_loss_agg(p, y), mlobs.brier_agg(p, y), avg(mlobs.in_top_k(p, y, 2)::int)
  FROM (SELECT ARRAY[(1 - score) * 0.6, (1 - score) * 0.4, score] AS p,
               CASE WHEN label = 1 THEN 2 ELSE id % 2 END::bigint AS y
          FROM fraud_predictions WHERE ts >= '2026-01-14' AND id % 5 = 0) s;

-- Regression (the price model's log).
SELECT mlobs.regression_agg(price, prediction) FILTER (WHERE ts < '2026-02-08') AS ref_r,
       mlobs.regression_agg(price, prediction) FILTER (WHERE ts >= '2026-02-08') AS cur_r
  FROM price_log \gset
SELECT 'regression', mlobs.row_count(r), mlobs.count(r), mlobs.rmse(r), mlobs.mse(r), mlobs.mae(r), mlobs.mape(r), mlobs.r2(r),
       mlobs.mean_error(r), mlobs.explained_variance(r), mlobs.max_error(r), mlobs.median_absolute_error(r),
       mlobs.regression_report(r)
  FROM (SELECT :'cur_r'::mlobs.regression_summary r) s;
SELECT 'regression rollup', mlobs.rmse(mlobs.rollup(r))
  FROM (VALUES (:'ref_r'::mlobs.regression_summary), (:'cur_r')) v(r);
SELECT 'regression report', r FROM mlobs.performance_report(:'ref_r'::mlobs.regression_summary, :'cur_r'::mlobs.regression_summary, 0.1) r;
SELECT 'deviances', mlobs.tweedie_deviance_agg(price, prediction, 1.5), mlobs.poisson_deviance_agg(price, prediction),
       mlobs.gamma_deviance_agg(price, prediction), mlobs.pinball_loss_agg(price, prediction, 0.9)
  FROM price_log WHERE price > 0 AND prediction > 0;

-- Registered models, by name through the registry cache (fraud: the version in production, v2
-- trained and promoted by the demo's retraining loop; price: LightGBM; churn: scikit-learn).
SELECT features AS x, mlobs.jsonb_floats(features, '{amount,age,hour,distance,n_tx,score_ext}') AS xa
  FROM transactions WHERE id = 11607 \gset
SELECT 'model_version', mlobs.model_version('fraud'), mlobs.model_version('fraud', 'latest'), mlobs.model_version('price');
-- The same row as jsonb and as float8[] in each version's feature order (xa: the version served by
-- name, x1: version 1).
WITH features_of AS (
  SELECT m, mlobs.jsonb_floats(:'x'::jsonb, s.feature_names) AS xa, mlobs.jsonb_floats(:'x'::jsonb, v1.feature_names) AS x1
    FROM unnest('{fraud,price,churn}'::text[]) m JOIN mlobs.models s ON s.name = m AND s.version = mlobs.model_version(m)
    JOIN mlobs.models v1 ON v1.name = m AND v1.version = 1)
SELECT 'predict', m, mlobs.predict(m, :'x'::jsonb), mlobs.predict(m, xa), mlobs.predict(m, 1, :'x'::jsonb),
       mlobs.predict(m, 1, x1), mlobs.predict_margin(m, :'x'::jsonb), mlobs.predict_margin(m, xa),
       mlobs.predict_margin(m, 1, :'x'::jsonb), mlobs.predict_margin(m, 1, x1)
  FROM features_of;
WITH features_of AS (
  SELECT m, mlobs.jsonb_floats(:'x'::jsonb, s.feature_names) AS xa, mlobs.jsonb_floats(:'x'::jsonb, v1.feature_names) AS x1
    FROM unnest('{fraud,price,churn}'::text[]) m JOIN mlobs.models s ON s.name = m AND s.version = mlobs.model_version(m)
    JOIN mlobs.models v1 ON v1.name = m AND v1.version = 1)
SELECT 'predict_proba', m, mlobs.predict_proba(m, :'x'::jsonb), mlobs.predict_proba(m, xa),
       mlobs.predict_proba(m, 1, :'x'::jsonb), mlobs.predict_proba(m, 1, x1)
  FROM features_of WHERE m <> 'price';
WITH features_of AS (
  SELECT m, mlobs.jsonb_floats(:'x'::jsonb, s.feature_names) AS xa, mlobs.jsonb_floats(:'x'::jsonb, v1.feature_names) AS x1
    FROM unnest('{fraud,price,churn}'::text[]) m JOIN mlobs.models s ON s.name = m AND s.version = mlobs.model_version(m)
    JOIN mlobs.models v1 ON v1.name = m AND v1.version = 1)
SELECT 'shap', m, mlobs.shap(m, :'x'::jsonb), mlobs.shap(m, xa), mlobs.shap(m, 1, :'x'::jsonb),
       mlobs.shap(m, 1, x1), mlobs.shap_base_value(m), mlobs.shap_base_value(m, 1)
  FROM features_of;
-- A background sample in the fixture models' feature order (price, churn; fraud v2 has its own).
SELECT array_agg(mlobs.jsonb_floats(features, '{amount,age,hour,distance,n_tx,score_ext}') ORDER BY id) AS background
  FROM transactions WHERE id % 400 = 0 AND jsonb_typeof(features->'distance') = 'number' \gset
SELECT 'shap background', mlobs.shap('price', :'x'::jsonb, :'background'::float8[]),
       mlobs.shap('price', :'xa'::float8[], :'background'::float8[]), mlobs.shap_base_value('price', :'background'::float8[]);
SELECT mlobs.shap_importance_agg('fraud', features) FILTER (WHERE ts < '2026-01-02') AS ref_i,
       mlobs.shap_importance_agg('fraud', features) FILTER (WHERE ts >= '2026-01-14') AS cur_i,
       mlobs.shap_importance_agg('price', mlobs.jsonb_floats(features, '{amount,age,hour,distance,n_tx,score_ext}')) AS price_i
  FROM transactions WHERE id % 20 = 0 \gset sh_
SELECT 'shap_importance_agg', :'sh_ref_i', :'sh_cur_i', :'sh_price_i';
SELECT 'importance_drift', d FROM mlobs.importance_drift(:'sh_ref_i'::jsonb, :'sh_cur_i'::jsonb) d;
SELECT 'importance_shift', mlobs.importance_shift(:'sh_ref_i'::jsonb, :'sh_cur_i'::jsonb);
SELECT 'lime', mlobs.lime('churn', :'x'::jsonb, :'background'::float8[], num_samples => 500),
       mlobs.lime('price', :'xa'::float8[], :'background'::float8[], num_samples => 500);
SELECT 'what_if', mlobs.what_if('price', :'x'::jsonb, '{"amount": 500}');
SELECT 'counterfactual', mlobs.counterfactual('fraud', :'x'::jsonb, 0.5, 1, ARRAY['age']);
SELECT 'compare_models', c FROM mlobs.compare_models('fraud', 1, 2, 'fraud_log', '2026-02-15', '2026-02-16', 'label', ARRAY['features']) c;

-- The monitoring readers: functions, the view and every table a reader may read.
SELECT 'metric_names', mlobs.metric_names();
SELECT 'latest_points', p FROM mlobs.latest_points('psi') p ORDER BY p::text;
SELECT 'latest_points accuracy', p FROM mlobs.latest_points('accuracy', 'classification') p ORDER BY p::text;
-- Reports: the HTML document (its clock line aside) is the same on both servers.
SELECT 'report', md5(regexp_replace(mlobs.report('fraud', '2026-01-01', '2026-01-15'), 'generated [0-9: -]+ by', ''));
SELECT 'summary_report', md5(mlobs.summary_report(:'ref_f'::mlobs.feature_profiles, :'cur_f'::mlobs.feature_profiles));
SELECT format('SELECT %L, count(*), md5(string_agg(t::text, E''\n'' ORDER BY t::text)) FROM mlobs.%I t', 'table ' || c.relname, c.relname)
  FROM pg_class c WHERE c.relnamespace = 'mlobs'::regnamespace AND c.relkind IN ('r', 'v')
   AND has_table_privilege(c.oid, 'SELECT') ORDER BY c.relname \gexec
SELECT 'monitors', count(*), md5(string_agg(format('%s %s %s %s %s %s', id, name, kind, watermark, rows_total, reference_metrics), E'\n' ORDER BY id))
  FROM mlobs.monitors;
SELECT 'monitor_windows', count(*), md5(string_agg(format('%s %s %s %s %s', monitor_id, window_start, segment, rows, computed_at), E'\n'
                                                   ORDER BY monitor_id, window_start, segment))
  FROM mlobs.monitor_windows;
SELECT 'monitor_segments', count(*), md5(string_agg(format('%s %s %s %s', monitor_id, segment, rank, reference_rows), E'\n' ORDER BY monitor_id, segment))
  FROM mlobs.monitor_segments;
SELECT 'transaction id assigned', txid_current_if_assigned() IS NOT NULL;
COMMIT;
