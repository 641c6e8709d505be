-- Model registry: versions, cache invalidation by version, errors.
CREATE TABLE model_body AS SELECT '{"learner": {"learner_model_param": {"num_feature": "2", "base_score": "[5E-1]"},
  "objective": {"name": "binary:logistic"},
  "gradient_booster": {"model": {"trees": [{"left_children": [1, -1, -1], "right_children": [2, -1, -1],
    "split_indices": [0, 0, 0], "split_conditions": [0.5, 1.0, -1.0], "default_left": [1, 0, 0],
    "sum_hessian": [10.0, 4.0, 6.0]}]}}}}'::jsonb AS body;
SELECT mlobs.register_model('m', 'xgboost', body) FROM model_body;
SELECT mlobs.predict_margin('m', ARRAY[0.2, 0]) AS v1_margin;
-- A second version with another leaf value is used by the next call (new cache key).
SELECT mlobs.register_model('m', 'xgboost', jsonb_set(body, '{learner,gradient_booster,model,trees,0,split_conditions,1}', '2.5')) FROM model_body;
SELECT mlobs.predict_margin('m', ARRAY[0.2, 0]) AS v2_margin, mlobs.predict_margin('m', ARRAY[0.9, 0]) AS right_leaf;
SELECT name, version FROM mlobs.models WHERE name = 'm' ORDER BY version;
SELECT mlobs.register_model('m', 'onnx', body) FROM model_body;
SELECT mlobs.register_model('m', 'xgboost', body, ARRAY['only_one']) FROM model_body;
SELECT mlobs.register_model('m', 'xgboost', jsonb_set(body, '{learner,gradient_booster,model,trees,0,left_children,0}', '0')) FROM model_body;
SELECT mlobs.register_model('m', 'xgboost', jsonb_set(body, '{learner,objective,name}', '"rank:pairwise"')) FROM model_body;
SELECT mlobs.register_model('m', 'lightgbm', '{"max_feature_idx": 0, "objective": "regression", "tree_info": [{"tree_structure": {"split_feature": 0, "threshold": 1, "decision_type": "<=", "internal_count": 2, "left_child": {"leaf_value": 1}}}]}');
SELECT mlobs.predict('m', ARRAY[1, 2, 3]);
SELECT mlobs.shap('missing_model', ARRAY[1.0]);

-- A version replaced in the transaction that used it (every row it writes has one xmin) is read
-- again: the cache also keys on the row's cmin and ctid. Each was served the first body before.
BEGIN;
SELECT mlobs.register_model('same_xact', 'linear', '{"coefficients": [[1]], "intercept": [0], "link": "identity"}') AS v;
SELECT mlobs.predict('same_xact', ARRAY[10.0]) AS first_body;
DELETE FROM mlobs.models WHERE name = 'same_xact';
SELECT mlobs.register_model('same_xact', 'linear', '{"coefficients": [[100]], "intercept": [5], "link": "identity"}') AS v;
SELECT mlobs.predict('same_xact', ARRAY[10.0]) AS registered_again, mlobs.predict('same_xact', 1, ARRAY[10.0]) AS by_version;
UPDATE mlobs.models SET body = '{"coefficients": [[-1]], "intercept": [0], "link": "identity"}' WHERE name = 'same_xact';
SELECT mlobs.predict('same_xact', ARRAY[10.0]) AS updated;
COMMIT;
SELECT mlobs.predict('same_xact', ARRAY[10.0]) AS after_commit;
DELETE FROM mlobs.models WHERE name = 'same_xact';

-- A PL/pgSQL loop of read-only statements keeps one command id and one call site while each
-- statement takes a new snapshot: a version registered by another session between two
-- iterations is served by the second (the call site keyed on the command id served the first).
CREATE EXTENSION dblink;
SELECT mlobs.register_model('loop_model', 'linear', '{"coefficients": [[1]], "intercept": [0], "link": "identity"}') AS v;
CREATE FUNCTION pg_temp.score_twice() RETURNS SETOF float8 LANGUAGE plpgsql AS $$
DECLARE x float8;
BEGIN
  FOR i IN 1..2 LOOP
    x := mlobs.predict('loop_model', ARRAY[10.0]);
    RETURN NEXT x;
    IF i = 1 THEN
      PERFORM * FROM dblink(format('host=%s port=%s dbname=%s user=%s', host(inet_server_addr()), current_setting('port'),
                                   current_database(), current_user),
                            $q$SELECT mlobs.register_model('loop_model', 'linear', '{"coefficients": [[100]], "intercept": [5], "link": "identity"}')$q$)
                     AS t(version int);
    END IF;
  END LOOP;
END $$;
SELECT * FROM pg_temp.score_twice();
DELETE FROM mlobs.models WHERE name = 'loop_model';
DROP EXTENSION dblink;
