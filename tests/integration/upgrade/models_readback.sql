-- Predictions and SHAP values of the registered models on fixed rows; must not change across
-- an upgrade.
\pset footer off
SELECT name, version, format FROM mlobs.models ORDER BY name, version;
WITH m AS (SELECT name, cardinality(feature_names) AS k FROM mlobs.models),
rows AS (SELECT m.name, i, (SELECT array_agg(((i * 7 + j * 3) % 11)::float8 / 3) FROM generate_series(1, m.k) j) AS x
         FROM m, generate_series(1, 4) i)
SELECT name, i, mlobs.predict(name, x, class => c), CASE WHEN name <> 'risk' THEN mlobs.shap(name, x, class => c) END AS shap
FROM (SELECT *, CASE WHEN name IN ('churn', 'risk') THEN 1 END AS c FROM rows) r ORDER BY name, i;
