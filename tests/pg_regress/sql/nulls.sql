-- NULL arguments of the non-STRICT functions (those with optional arguments): a NULL summary or
-- data argument gives NULL (an empty window), a NULL parameter is ERROR 22004 naming it. Before
-- 0.2.0 both were internal errors (XX000) raised by the argument unboxing.
SET client_min_messages = warning;
\set VERBOSITY terse
SELECT mlobs.drift(NULL::float8[], '{1}'::float8[]) IS NULL AS drift_arrays,
       mlobs.drift(NULL::text[], '{a}'::text[]) IS NULL AS drift_text,
       mlobs.drift(NULL::mlobs.profile, NULL::mlobs.profile) IS NULL AS drift_profiles,
       mlobs.drift(NULL::mlobs.categories, NULL::mlobs.categories) IS NULL AS drift_categories,
       mlobs.psi(NULL::float8[], '{1}') IS NULL AS psi,
       mlobs.learned_threshold(NULL) IS NULL AS learned_threshold,
       mlobs.outlier_fences(NULL::float8[]) IS NULL AS fences_values,
       mlobs.outlier_fences(NULL::mlobs.profile) IS NULL AS fences_profile;
SELECT mlobs.f1(NULL::mlobs.confusion) IS NULL AS f1, mlobs.precision(NULL::mlobs.confusion) IS NULL AS precision,
       mlobs.recall(NULL::mlobs.confusion) IS NULL AS recall, mlobs.tpr(NULL::mlobs.confusion) IS NULL AS tpr,
       mlobs.fnr(NULL::mlobs.confusion) IS NULL AS fnr, mlobs.classification_report(NULL) IS NULL AS report,
       (SELECT count(*) FROM mlobs.performance_report(NULL::mlobs.confusion, NULL)) AS performance_rows;
-- The window with no labelled rows: the aggregate is NULL, so are the metrics.
SELECT mlobs.f1(c) IS NULL AS f1_of_empty_window
FROM (SELECT mlobs.confusion_agg(l, p) FILTER (WHERE l IS NOT NULL) c FROM (VALUES (NULL::int8, 1::int8)) v(l, p)) s;
SELECT mlobs.lime('m', NULL::float8[], '{{1}}') IS NULL AS lime, mlobs.what_if(NULL, '{}', '{}') IS NULL AS what_if,
       mlobs.shap(NULL, '{1}'::float8[], '{{1}}'::float8[]) IS NULL AS shap_background;
\set VERBOSITY sqlstate
SELECT mlobs.drift('{1}'::float8[], '{1}'::float8[], NULL);
SELECT mlobs.drift('{1}'::float8[], '{1}'::float8[], 'ks', options => NULL);
SELECT mlobs.psi('{1,2}'::float8[], '{1,2}', NULL);
SELECT mlobs.f1(NULL::mlobs.confusion, NULL);
SELECT mlobs.outlier_fences('{1,2}'::float8[], NULL);
SELECT mlobs.learned_threshold('{1,2}', NULL);
SELECT mlobs.register_model(NULL, 'xgboost', '{}');
SELECT mlobs.schema_violations('{}', NULL);
SELECT mlobs.counterfactual('m', '{}', NULL);
SELECT mlobs.shap_base_value('m', NULL::float8[]);
\set VERBOSITY terse
SELECT mlobs.drift('{1}'::float8[], '{1}'::float8[], NULL);
SELECT mlobs.register_model('m', NULL, '{}');
