-- SQL benchmark: predict() and shap() on the fixture fraud model (XGBoost, 20 trees) over a
-- 1M-row table of feature arrays, against sum(f[1]) on the same table (the cost of reading the
-- rows), and predict() over the same rows as jsonb objects against reading one of their keys, serial and with 2 parallel workers (median of 3, ms; rows/second). The rows are the
-- deterministic table of crates/mlobs-explain/benches/explain.rs and benches/python_shap_peer.py.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS mlobs;
DO $$ BEGIN
  IF to_regclass('public.bench_models') IS NULL THEN
    CREATE TABLE bench_models AS
      SELECT i AS id, ARRAY[i * 7 % 400 + 5, 18 + i % 60, i % 24, i * 3 % 120, i % 12, (i % 10) / 10.0]::float8[] AS f
        FROM generate_series(0, 999999) i;
    ANALYZE bench_models;
  END IF;
  -- The same rows as jsonb objects keyed by the model's feature names (how a prediction log
  -- usually holds them).
  IF to_regclass('public.bench_models_json') IS NULL THEN
    CREATE TABLE bench_models_json AS
      SELECT id, jsonb_build_object('amount', f[1], 'age', f[2], 'hour', f[3], 'distance', f[4], 'n_tx', f[5],
                                    'score_ext', f[6]) AS j
        FROM bench_models;
    ANALYZE bench_models_json;
  END IF;
END $$;
DELETE FROM mlobs.models WHERE name = 'bench_fraud';
\set body `cat tests/fixtures/models/fraud_xgb.json`
SELECT mlobs.register_model('bench_fraud', 'xgboost', :'body') AS registered \gset

\ir median_ms.sql

\echo 'model functions over bench_models (median of 3 runs)'
WITH q(name, rows, sql) AS (VALUES
  ('sum(f[1]) (read the rows)', 1000000, 'SELECT sum(f[1]) FROM bench_models'),
  ('mlobs.predict(model, f)', 1000000, 'SELECT sum(mlobs.predict(''bench_fraud'', f)) FROM bench_models'),
  ('sum((j->>''amount'')::float8) (read one key of the jsonb rows)', 1000000, 'SELECT sum((j->>''amount'')::float8) FROM bench_models_json'),
  ('mlobs.predict(model, j) (jsonb rows)', 1000000, 'SELECT sum(mlobs.predict(''bench_fraud'', j)) FROM bench_models_json'),
  ('mlobs.shap(model, f) path-dependent', 200000, 'SELECT sum((mlobs.shap(''bench_fraud'', f))[1]) FROM bench_models WHERE id < 200000'),
  ('mlobs.shap_importance_agg(model, f)', 200000, 'SELECT mlobs.shap_importance_agg(''bench_fraud'', f) FROM bench_models WHERE id < 200000')),
modes(mode, workers) AS (VALUES ('serial', 0), ('parallel 2', 2)),
timed AS (SELECT q.name, q.rows, m.mode, pg_temp.median_ms(q.sql, 3, m.workers) ms FROM q, modes m)
SELECT mode, name, round(ms::numeric, 1) AS median_ms, round(rows / (ms / 1000))::bigint AS rows_per_s
FROM timed ORDER BY mode DESC, name;
