-- Every jsonb argument of every function, with a value serde_json cannot represent: a number
-- beyond float8's range (1e400) and nesting 200 levels deep (serde_json stops at 128). Each gives
-- ERROR 22023 naming the argument; before mlobs read jsonb arguments itself, pgrx's conversion
-- panicked on them (XX000, "a text version of jsonb must be a valid json"). The model functions
-- read their feature rows in place (no serde_json), and name the key as well.
SELECT mlobs.register_model('lin', 'linear',
  '{"coefficients": [[1.0, 2.0]], "intercept": [0.5], "link": "identity", "feature_names": ["a", "b"], "feature_means": [0, 0]}');
CREATE FUNCTION pg_temp.sqlstate(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE sql;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  -- The model functions read a row in place and name the key: 'features.a: ...'.
  RETURN SQLSTATE || CASE WHEN SQLERRM LIKE '%this jsonb value cannot be read%' OR SQLERRM ~ '^(features|changes)\.a: '
                          THEN ' ' || split_part(split_part(SQLERRM, ':', 1), '.', 1) ELSE ': ' || left(SQLERRM, 45) END;
END $$;
-- %1$L is the bad value; `valid` is a value the call accepts in its place.
CREATE TEMP TABLE calls(argument text, call text, valid text);
INSERT INTO calls VALUES
  ('drift(float8[], ..., options)', $$SELECT mlobs.drift(ARRAY[1.0, 2.0], ARRAY[1.0, 3.0], 'psi', NULL, %1$L)$$, '{}'),
  ('drift(text[], ..., options)', $$SELECT mlobs.drift(ARRAY['a', 'b'], ARRAY['a', 'c'], 'chisquare', NULL, %1$L)$$, '{}'),
  ('drift(profile, ..., options)', $$SELECT mlobs.drift(mlobs.profile_agg(x), mlobs.profile_agg(x + 1), 'ks', NULL, %1$L) FROM generate_series(1, 10) x$$, '{}'),
  ('drift(categories, ..., options)', $$SELECT mlobs.drift(mlobs.category_agg(x::text), mlobs.category_agg(x::text), 'chisquare', NULL, %1$L) FROM generate_series(1, 3) x$$, '{}'),
  ('quality_report(.., options)', $$SELECT mlobs.quality_report((SELECT mlobs.features_agg(f) FROM (VALUES ('{"a": 1}'::jsonb)) v(f)), (SELECT mlobs.features_agg(f) FROM (VALUES ('{"a": 2}'::jsonb)) v(f)), %1$L)$$, '{}'),
  ('predict(model, features)', $$SELECT mlobs.predict('lin', %1$L::jsonb)$$, '{"a": 1, "b": 2}'),
  ('predict(model, version, features)', $$SELECT mlobs.predict('lin', 1, %1$L::jsonb)$$, '{"a": 1, "b": 2}'),
  ('predict_margin(model, features)', $$SELECT mlobs.predict_margin('lin', %1$L::jsonb)$$, '{"a": 1, "b": 2}'),
  ('predict_margin(model, version, features)', $$SELECT mlobs.predict_margin('lin', 1, %1$L::jsonb)$$, '{"a": 1, "b": 2}'),
  ('predict_proba(model, features)', $$SELECT mlobs.predict_proba('lin', %1$L::jsonb)$$, '{"a": 1, "b": 2}'),
  ('predict_proba(model, version, features)', $$SELECT mlobs.predict_proba('lin', 1, %1$L::jsonb)$$, '{"a": 1, "b": 2}'),
  ('shap(model, features)', $$SELECT mlobs.shap('lin', %1$L::jsonb)$$, '{"a": 1, "b": 2}'),
  ('shap(model, version, features)', $$SELECT mlobs.shap('lin', 1, %1$L::jsonb)$$, '{"a": 1, "b": 2}'),
  ('shap(model, features, background)', $$SELECT mlobs.shap('lin', %1$L::jsonb, '{{0, 0}, {1, 1}}'::float8[])$$, '{"a": 1, "b": 2}'),
  ('lime(model, features, ..)', $$SELECT mlobs.lime('lin', %1$L::jsonb, '{{0, 0}, {1, 1}, {2, 0}}'::float8[], num_samples => 50)$$, '{"a": 1, "b": 2}'),
  ('what_if(model, features, ..)', $$SELECT mlobs.what_if('lin', %1$L::jsonb, '{"a": 2}')$$, '{"a": 1, "b": 2}'),
  ('what_if(model, .., changes)', $$SELECT mlobs.what_if('lin', '{"a": 1, "b": 2}', %1$L::jsonb)$$, '{}'),
  ('counterfactual(model, features, ..)', $$SELECT mlobs.counterfactual('lin', %1$L::jsonb, 100.0)$$, '{"a": 1, "b": 2}'),
  ('shap_importance_agg(model, features)', $$SELECT mlobs.shap_importance_agg('lin', f) FROM (VALUES (%1$L::jsonb)) v(f)$$, '{"a": 1, "b": 2}'),
  ('shap_importance_agg(model, features, class)', $$SELECT mlobs.shap_importance_agg('lin', f, 0) FROM (VALUES (%1$L::jsonb)) v(f)$$, '{"a": 1, "b": 2}'),
  ('importance_drift(reference, ..)', $$SELECT mlobs.importance_drift(%1$L, '{"a": 1}')$$, '{}'),
  ('importance_drift(.., current)', $$SELECT mlobs.importance_drift('{"a": 1}', %1$L)$$, '{}'),
  ('importance_shift(reference, ..)', $$SELECT mlobs.importance_shift(%1$L, '{"a": 1}')$$, '{}'),
  ('importance_shift(.., current)', $$SELECT mlobs.importance_shift('{"a": 1}', %1$L)$$, '{}'),
  ('register_model(.., body)', $$SELECT mlobs.register_model('lin2', 'linear', %1$L)$$, '{"coefficients": [[1.0]], "intercept": [0.0], "link": "identity"}'),
  ('schema_violations(features, ..)', $$SELECT mlobs.schema_violations(%1$L, '{"version": 1, "keys": {}}')$$, '{}'),
  ('schema_violations(.., schema)', $$SELECT mlobs.schema_violations('{}', %1$L)$$, '{"version": 1, "keys": {}}'),
  ('schema_violations_agg(.., schema)', $$SELECT mlobs.schema_violations_agg(f, %1$L) FROM (VALUES ('{}'::jsonb)) v(f)$$, '{"version": 1, "keys": {}}');
-- 'ok' for the valid value shows each call reaches the argument.
SELECT argument,
       pg_temp.sqlstate(format(call, valid)) AS valid,
       pg_temp.sqlstate(format(call, '{"a": 1e400}')) AS beyond_float8,
       pg_temp.sqlstate(format(call, '{"a": ' || repeat('[', 200) || repeat(']', 200) || '}')) AS nested_200
  FROM calls;
-- The same with VERBOSITY sqlstate, outside a function.
\set VERBOSITY sqlstate
SELECT mlobs.predict('lin', '{"a": 1e400}'::jsonb);
SELECT mlobs.drift(ARRAY[1.0], ARRAY[2.0], 'psi', NULL, ('{"x": ' || repeat('{"y": ', 200) || '1' || repeat('}', 200) || '}')::jsonb);
\set VERBOSITY default
SELECT mlobs.register_model('lin3', 'linear', '{"coefficients": [[-1e400]], "intercept": [0]}');
-- Values within range still work: predictions of the linear model.
SELECT mlobs.predict('lin', '{"a": 1, "b": 2}'::jsonb), mlobs.predict('lin', '{"a": 1e-400, "b": 2}'::jsonb);
DROP TABLE calls;
DELETE FROM mlobs.models WHERE name LIKE 'lin%';
