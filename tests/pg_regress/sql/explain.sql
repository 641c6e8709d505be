-- Models against the libraries, inside PostgreSQL: every fixture model (XGBoost binary,
-- multiclass and regression; LightGBM; scikit-learn forests; linear models) is registered and
-- predict / predict_margin / SHAP are compared with the values xgboost, lightgbm,
-- scikit-learn and shap produced (tests/fixtures/models/expected.json).
\set expected `cat tests/fixtures/models/expected.json`
CREATE TABLE expected AS SELECT key AS model, value AS entry FROM jsonb_each((:'expected'::jsonb)->'models');
\set body `cat tests/fixtures/models/fraud_xgb.json`
SELECT mlobs.register_model('fraud_xgb', 'xgboost', :'body');
\set body `cat tests/fixtures/models/risk_xgb.json`
SELECT mlobs.register_model('risk_xgb', 'xgboost', :'body');
\set body `cat tests/fixtures/models/price_xgb.json`
SELECT mlobs.register_model('price_xgb', 'xgboost', :'body');
\set body `cat tests/fixtures/models/price_lgbm.json`
SELECT mlobs.register_model('price_lgbm', 'lightgbm', :'body');
\set body `cat tests/fixtures/models/fraud_lgbm.json`
SELECT mlobs.register_model('fraud_lgbm', 'lightgbm', :'body');
\set body `cat tests/fixtures/models/risk_lgbm.json`
SELECT mlobs.register_model('risk_lgbm', 'lightgbm', :'body');
\set body `cat tests/fixtures/models/churn_rf.json`
SELECT mlobs.register_model('churn_rf', 'sklearn', :'body');
\set body `cat tests/fixtures/models/price_rf.json`
SELECT mlobs.register_model('price_rf', 'sklearn', :'body');
\set body `cat tests/fixtures/models/fraud_logreg.json`
SELECT mlobs.register_model('fraud_logreg', 'linear', :'body');
\set body `cat tests/fixtures/models/price_linreg.json`
SELECT mlobs.register_model('price_linreg', 'linear', :'body');
\set body `cat tests/fixtures/models/risk_logreg.json`
SELECT mlobs.register_model('risk_logreg', 'linear', :'body');
SELECT name, format, objective, n_features, feature_names FROM mlobs.models ORDER BY name;

-- One row per (model, fixture row, class slot); slot NULL for single-output models.
CREATE TABLE cases AS
SELECT e.model, r.ord, k.slot,
       ARRAY(SELECT (v #>> '{}')::float8 FROM jsonb_array_elements(r.row->'features') v) AS features,
       CASE WHEN k.slot IS NULL THEN r.row->'prediction' ELSE r.row->'prediction'->k.slot END AS prediction,
       CASE WHEN k.slot IS NULL THEN r.row->'margin' ELSE r.row->'margin'->k.slot END AS margin,
       CASE WHEN k.slot IS NULL THEN r.row->'shap' ELSE r.row->'shap'->k.slot END AS shap,
       (SELECT array_agg(ARRAY(SELECT (v #>> '{}')::float8 FROM jsonb_array_elements(b) v))
          FROM jsonb_array_elements(e.entry->'background') b) AS background
FROM expected e
CROSS JOIN LATERAL jsonb_array_elements(e.entry->'rows') WITH ORDINALITY r(row, ord)
CROSS JOIN LATERAL (SELECT NULL::int AS slot WHERE jsonb_typeof(r.row->'prediction') = 'number'
                    UNION ALL
                    SELECT s FROM generate_series(0, jsonb_array_length(r.row->'prediction') - 1) s
                    WHERE jsonb_typeof(r.row->'prediction') = 'array') k;

-- |a − b| <= tol·(1 + |b|) for every element.
CREATE FUNCTION close_all(a float8[], b jsonb, tol float8) RETURNS bool LANGUAGE sql IMMUTABLE AS $$
  SELECT bool_and(abs(x - (b->>(i::int - 1))::float8) <= tol * (1 + abs((b->>(i::int - 1))::float8)))
         AND cardinality(a) = jsonb_array_length(b)
  FROM unnest(a) WITH ORDINALITY u(x, i) $$;

-- Predictions and margins to 1e-9; SHAP to 2e-6 (XGBoost's float32) — path-dependent for trees,
-- LinearExplainer's interventional form (background means) for linear models.
SELECT model, count(*) AS cases,
       bool_and(abs(mlobs.predict(model, features, slot) - prediction::float8) <= 1e-9 * (1 + abs(prediction::float8))) AS predict_ok,
       bool_and(abs(mlobs.predict_margin(model, features, slot) - margin::float8) <= 1e-9 * (1 + abs(margin::float8))) AS margin_ok,
       bool_and(close_all(CASE WHEN model LIKE '%\_l%reg' THEN mlobs.shap(model, features, background, slot)
                               ELSE mlobs.shap(model, features, slot) END, shap, 2e-6)) AS shap_ok
FROM cases GROUP BY model ORDER BY model;

-- Additivity in SQL: Σφ + base = margin, path-dependent and interventional.
SELECT model,
       max(abs((SELECT sum(v) FROM unnest(mlobs.shap(model, features, slot)) v)
               + mlobs.shap_base_value(model, version => NULL, class => slot)
               - mlobs.predict_margin(model, features, slot))) < 1e-4 AS path_dependent_additive,
       max(abs((SELECT sum(v) FROM unnest(mlobs.shap(model, features, background, slot)) v)
               + mlobs.shap_base_value(model, background, slot)
               - mlobs.predict_margin(model, features, slot))) < 1e-4 AS interventional_additive
FROM cases WHERE model NOT LIKE '%\_l%reg' AND ord <= 10 GROUP BY model ORDER BY model;

-- Named features (jsonb): the same numbers; null and absent keys are missing values.
SELECT mlobs.predict('fraud_xgb', '{"amount": 120, "age": 35, "hour": 23, "distance": null, "n_tx": 4}'::jsonb)
     = mlobs.predict('fraud_xgb', ARRAY[120, 35, 23, NULL, 4, NULL]::float8[]) AS json_equals_array;
SELECT jsonb_object_keys(mlobs.shap('churn_rf', '{"amount": 120, "age": 35, "hour": 23, "n_tx": 4}'::jsonb)) AS shap_keys;
SELECT round(mlobs.predict('churn_rf', ARRAY[120, 35, 23, 8, 4, 0.5], class => 0)::numeric
           + mlobs.predict('churn_rf', ARRAY[120, 35, 23, 8, 4, 0.5], class => 1)::numeric, 12) AS classes_sum_to_one;
SELECT array_length(mlobs.predict_proba('risk_xgb', ARRAY[120, 35, 23, 8, 4, 0.5]), 1) AS n_classes,
       round((SELECT sum(p) FROM unnest(mlobs.predict_proba('risk_xgb', ARRAY[120, 35, 23, 8, 4, 0.5])) p)::numeric, 6) AS total;
-- Versions: (model, version) reads that version; NULL version is the latest.
SELECT mlobs.predict('fraud_xgb', 1, ARRAY[120, 35, 23, 8, 4, 0.5]) = mlobs.predict('fraud_xgb', NULL, ARRAY[120, 35, 23, 8, 4, 0.5]) AS version_one_is_latest;

-- What-if and counterfactuals.
SELECT w->'prediction_before' IS NOT NULL AS has_before,
       abs((SELECT sum(value::float8) FROM jsonb_each_text(w->'shap_delta'))
           - (mlobs.predict('price_lgbm', '{"amount": 500, "age": 40, "hour": 12, "distance": 10, "n_tx": 5, "score_ext": 0.5}'::jsonb)
              - mlobs.predict('price_lgbm', '{"amount": 50, "age": 40, "hour": 12, "distance": 10, "n_tx": 5, "score_ext": 0.5}'::jsonb))) < 1e-9 AS shap_delta_adds_up
FROM (SELECT mlobs.what_if('price_lgbm', '{"amount": 50, "age": 40, "hour": 12, "distance": 10, "n_tx": 5, "score_ext": 0.5}', '{"amount": 500}') AS w) s;
WITH cf AS (SELECT mlobs.counterfactual('fraud_xgb', '{"amount": 120, "age": 35, "hour": 23, "distance": 80, "n_tx": 4, "score_ext": 0.9}', 0.2, 2, ARRAY['age']) AS c)
SELECT c->'n_changes' AS n_changes, (c->>'prediction_after')::float8 < 0.2 AS crossed, NOT (c->'changes' ? 'age') AS age_kept,
       mlobs.predict('fraud_xgb', '{"amount": 120, "age": 35, "hour": 23, "distance": 80, "n_tx": 4, "score_ext": 0.9}'::jsonb
                     || (SELECT jsonb_object_agg(key, value->'to') FROM jsonb_each(c->'changes'))) = (c->>'prediction_after')::float8 AS reproducible
FROM cf;
SELECT mlobs.counterfactual('fraud_xgb', '{"amount": 120, "age": 35, "hour": 23, "distance": 80, "n_tx": 4, "score_ext": 0.9}', 2.0) IS NULL AS unreachable_is_null;

-- LIME: deterministic per seed; weights for every feature.
CREATE TABLE training AS SELECT ARRAY[g * 1.0, 20 + g % 50, g % 24, g % 100, g % 9, (g % 10) / 10.0] AS f FROM generate_series(1, 300) g;
WITH l AS (SELECT mlobs.lime('fraud_xgb', '{"amount": 120, "age": 35, "hour": 23, "distance": 80, "n_tx": 4, "score_ext": 0.9}'::jsonb,
                             (SELECT array_agg(f) FROM training), seed => 42) AS a,
                  mlobs.lime('fraud_xgb', '{"amount": 120, "age": 35, "hour": 23, "distance": 80, "n_tx": 4, "score_ext": 0.9}'::jsonb,
                             (SELECT array_agg(f) FROM training), seed => 42) AS b)
SELECT a = b AS same_seed_same_result, (SELECT count(*) FROM jsonb_object_keys(a->'weights')) AS n_weights,
       (a->>'score')::float8 BETWEEN 0 AND 1 AS score_in_range, a->'conditions'->>'hour' AS hour_condition FROM l;

-- Global importance: mean |φ|, the same serial and parallel.
CREATE TABLE scored AS SELECT ARRAY[g % 500 * 1.0, 20 + g % 50, g % 24, g % 100, g % 9, (g % 10) / 10.0] AS f FROM generate_series(1, 20000) g;
ANALYZE scored;
CREATE TABLE serial_importance AS SELECT mlobs.shap_importance_agg('fraud_xgb', f) AS imp FROM scored;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT mlobs.shap_importance_agg('fraud_xgb', f) FROM scored;
SELECT (SELECT bool_and(abs(p.value::float8 - s.value::float8) <= 1e-12 * s.value::float8)
          FROM jsonb_each_text(mlobs.shap_importance_agg('fraud_xgb', f)) p JOIN jsonb_each_text(imp) s USING (key)) AS parallel_equals_serial
FROM scored, serial_importance GROUP BY imp;
SELECT count(*) AS rows, sum(mlobs.predict('fraud_xgb', f)) = (SELECT sum(mlobs.predict('fraud_xgb', f)) FROM (SELECT f FROM scored OFFSET 0) s) AS parallel_predict_ok FROM scored;
-- In a transaction that has written (it has an XID), parallel workers still read the registry.
BEGIN;
SELECT mlobs.register_model('fraud_xgb_copy', 'xgboost', body) IS NOT NULL AS registered FROM mlobs.models WHERE name = 'fraud_xgb';
SELECT count(*) AS rows, round(sum(mlobs.predict('fraud_xgb_copy', f))::numeric, 6) = round(sum(mlobs.predict('fraud_xgb', f))::numeric, 6) AS same FROM scored;
ROLLBACK;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size; RESET max_parallel_workers_per_gather;
SELECT abs((imp->>'amount')::float8 - (SELECT avg(abs((mlobs.shap('fraud_xgb', f))[1])) FROM scored)) < 1e-12 AS amount_is_mean_abs_shap FROM serial_importance;
SELECT * FROM mlobs.importance_drift('{"amount": 0.8, "hour": 0.2}', '{"amount": 0.2, "hour": 0.6, "distance": 0.2}');
SELECT mlobs.importance_shift('{"amount": 0.8, "hour": 0.2}', '{"amount": 0.2, "hour": 0.6, "distance": 0.2}');

-- Errors name the argument or field, with SQLSTATE 22023 (42704 for unknown models).
\set VERBOSITY terse
SELECT mlobs.predict('fraud_xgb', '{"ammount": 1}'::jsonb);
SELECT mlobs.predict('fraud_xgb', '{"amount": "12"}'::jsonb);
SELECT mlobs.predict('risk_xgb', ARRAY[120, 35, 23, 8, 4, 0.5]);
SELECT mlobs.predict('risk_xgb', ARRAY[120, 35, 23, 8, 4, 0.5], class => 3);
SELECT mlobs.predict('fraud_xgb', 7, ARRAY[120, 35, 23, 8, 4, 0.5]);
SELECT mlobs.predict('fraud_logreg', ARRAY[120, 35, 23, NULL, 4, 0.5]);
SELECT mlobs.predict('fraud_xgb', ARRAY[120, 35, 23, 'Infinity', 4, 0.5]);
SELECT mlobs.shap('fraud_logreg', ARRAY[120, 35, 23, 8, 4, 0.5]);
SELECT mlobs.shap('fraud_xgb', ARRAY[120, 35, 23, 8, 4, 0.5], ARRAY[1, 2]::float8[]);
SELECT mlobs.shap('fraud_xgb', ARRAY[120, 35, 23, 8, 4, 0.5], '{}'::float8[]);
SELECT mlobs.counterfactual('fraud_logreg', '{"amount": 1, "age": 1, "hour": 1, "distance": 1, "n_tx": 1, "score_ext": 1}', 0.5);
SELECT mlobs.counterfactual('fraud_xgb', '{"amount": 1}', 0.5, 1, ARRAY['agee']);
SELECT mlobs.lime('fraud_xgb', ARRAY[120, 35, 23, NULL, 4, 0.5], (SELECT array_agg(f) FROM training));
SELECT mlobs.register_model('bad', 'linear', '{"coefficients": [[1, 2]], "intercept": [0], "link": "probit"}');
SELECT mlobs.register_model('bad', 'linear', '{"coefficients": [[1, "x"]], "intercept": [0], "link": "identity"}');
SELECT mlobs.register_model('bad', 'sklearn', '{"kind": "classifier", "n_features": 1, "n_classes": 2, "trees": [{"children_left": [1, -1, -1], "children_right": [2, -1, -1], "feature": [0, -2, -2], "threshold": [0.5, -2, -2], "value": [[0.5, 0.5], [1, 0], [0]], "weighted_n_node_samples": [2, 1, 1]}]}');
SELECT mlobs.register_model('bad', 'lightgbm', '{"max_feature_idx": 0, "objective": "lambdarank", "tree_info": []}');
SELECT mlobs.register_model('bad', 'xgboost', '{"learner": {"learner_model_param": {"num_feature": "1", "num_class": "3", "base_score": "[0.1,0.2]"}, "objective": {"name": "multi:softprob"}, "gradient_booster": {"model": {"trees": [], "tree_info": []}}}}');
SELECT mlobs.register_model('bad', 'xgboost', '{"learner": 5}', ARRAY['a']);
SELECT mlobs.importance_shift('{"a": -1}', '{}');
