-- Memory (issue 7, item 10). Every size a caller chooses (bins, grid, edges, samples, changes,
-- classes, columns, background rows...) is checked before anything is allocated: a huge value is
-- an ERROR with SQLSTATE 54000 (program_limit_exceeded) or 22023 (invalid_parameter_value), never
-- an abort or an out-of-memory. And a GROUP BY whose HashAggregate spills to disk (the summaries'
-- SSPACE makes the planner size the hash table) gives the same summaries as a sorted GroupAggregate.
-- The peak memory of a 100k-group GROUP BY over 1M rows is measured by tests/integration/memory/run.sh.
SET timezone = 'UTC';
CREATE FUNCTION pg_temp.outcome(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  EXECUTE q INTO r;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
-- A two-feature tree model (counterfactual, LIME, SHAP) and a profile and score summary.
SELECT mlobs.register_model('mem_tree', 'xgboost', '{"learner": {"learner_model_param": {"num_feature": "2", "base_score": "[5E-1]"},
  "objective": {"name": "binary:logistic"},
  "gradient_booster": {"model": {"trees": [{"left_children": [1, -1, -1], "right_children": [2, -1, -1],
    "split_indices": [0, 0, 0], "split_conditions": [0.5, 1.0, -1.0], "default_left": [1, 0, 0],
    "sum_hessian": [10.0, 4.0, 6.0]}]}}}}', ARRAY['a', 'b']) > 0 AS registered;
CREATE TABLE mem_summaries AS
SELECT mlobs.profile_agg(x) AS p, mlobs.score_agg(x, (x > 0.5)::int) AS s
FROM (SELECT (g % 97) / 97.0 AS x FROM generate_series(1, 1000) g) v;
CREATE TABLE mem_training AS SELECT array_agg(ARRAY[(g % 10) / 10.0, (g % 7) / 7.0]) AS rows FROM generate_series(1, 200) g;

SELECT q AS call, pg_temp.outcome(q) AS outcome FROM unnest(ARRAY[
  $$SELECT mlobs.psi(ARRAY[1,2,3]::float8[], ARRAY[1,2,4]::float8[], 'reference_quantile', 2147483647)$$,
  $$SELECT mlobs.psi(ARRAY[1,2,3]::float8[], ARRAY[1,2,4]::float8[], 'reference_quantile', 1000000000)$$,
  $$SELECT mlobs.psi(p, p, 2147483647) FROM mem_summaries$$,
  $$SELECT mlobs.psi(p, p, 1000000000) FROM mem_summaries$$,
  $$SELECT mlobs.drift(ARRAY[1,2,3]::float8[], ARRAY[1,2,4]::float8[], 'psi', options => '{"binning": "reference_quantile", "bins": 2147483647}')$$,
  $$SELECT mlobs.drift(ARRAY[1,2,3]::float8[], ARRAY[1,2,4]::float8[], 'jensenshannon', options => '{"binning": "reference_quantile", "bins": 1e300}')$$,
  $$SELECT mlobs.drift(p, p, 'kl_div', options => '{"binning": "reference_quantile", "bins": 1000000000}') FROM mem_summaries$$,
  $$SELECT mlobs.calibration_error(ARRAY[0.1,0.9], ARRAY[0,1]::bigint[], 2147483647)$$,
  $$SELECT mlobs.calibration_error(s, 1000000000) FROM mem_summaries$$,
  $$SELECT mlobs.calibration_error_bounds(s, 2147483647) FROM mem_summaries$$,
  $$SELECT mlobs.concept_drift(ARRAY[1,2]::float8[], ARRAY[0,1]::float8[], ARRAY[1,2]::float8[], ARRAY[0,1]::float8[], 2147483647)$$,
  $$SELECT mlobs.score_agg(0.5, 1, 2147483647)$$,
  $$SELECT mlobs.score_agg(0.5, true, 1000000000)$$,
  $$SELECT mlobs.histogram_agg(1, (SELECT array_agg(g::float8) FROM generate_series(1, 20000) g))$$,
  $$SELECT mlobs.pca_drift(array_fill(1::float8, ARRAY[10, 600]), array_fill(1::float8, ARRAY[10, 600]))$$,
  $$SELECT mlobs.roc_auc_ovr_agg(array_fill(0.0005::float8, ARRAY[2000]), 1)$$,
  $$SELECT mlobs.log_loss_agg(array_fill(0.0005::float8, ARRAY[2000]), 1)$$,
  $$SELECT mlobs.confusion_agg(g, 0) FROM generate_series(1, 1001) g$$,
  $$SELECT mlobs.confusion_agg(repeat('x', 2000), 'a')$$,
  $$SELECT mlobs.lime('mem_tree', ARRAY[0.2, 0.4], rows, num_samples => 2147483647) FROM mem_training$$,
  $$SELECT mlobs.lime('mem_tree', ARRAY[0.2, 0.4], rows, num_samples => 1000000000) FROM mem_training$$,
  $$SELECT mlobs.lime('mem_tree', ARRAY[0.2, 0.4], rows, num_samples => 100, num_features => 2147483647) FROM mem_training$$,
  $$SELECT mlobs.counterfactual('mem_tree', '{"a": 0.2, "b": 0.4}', 0.5, 2147483647)$$,
  $$SELECT mlobs.counterfactual('mem_tree', '{"a": 0.2, "b": 0.4}', 0.5, 1000000000)$$,
  $$SELECT mlobs.shap('mem_tree', ARRAY[0.2, 0.4], (SELECT array_agg(ARRAY[g % 2, 0]::float8[]) FROM generate_series(1, 100001) g))$$,
  $$SELECT mlobs.predict('mem_tree', ARRAY[0.2, 0.4], 2147483647)$$,
  $$SELECT mlobs_demo.simulate('2026-01-01', '1 hour', 2147483647)$$
]) q;

-- Caps that keep the summary bounded without an error: categories beyond 10000 go to
-- other_count, keys beyond 1000 to dropped_keys, labels longer than 1024 bytes to other_count.
SELECT mlobs.count(c) AS rows, mlobs.distinct_count(c) AS kept, mlobs.other_count(c) AS other
FROM (SELECT mlobs.category_agg(g::text) AS c FROM generate_series(1, 10500) g) s;
SELECT mlobs.other_count(mlobs.category_agg(repeat('x', 2000))) AS long_label_in_other;
SELECT cardinality(mlobs.features(f)) AS features_kept, f::text::jsonb->'dropped_keys' AS dropped_keys
FROM (SELECT mlobs.features_agg(j) AS f FROM (SELECT jsonb_object_agg('k' || g, g) AS j FROM generate_series(1, 1001) g) s) t;

-- HashAggregate forced to spill (work_mem 64kB) against sorting: same summaries for 2000 groups.
CREATE TABLE mem_rows AS SELECT g % 2000 AS g, ((g * 7919) % 1000)::float8 AS x, 'c' || (g % 13) AS c FROM generate_series(1, 40000) g;
ANALYZE mem_rows;
SET max_parallel_workers_per_gather = 0;
SET work_mem = '64kB';
SET enable_sort = off;
CREATE FUNCTION pg_temp.hash_batches(q text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
  EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON, TIMING OFF, SUMMARY OFF) ' || q INTO plan;
  RETURN CASE WHEN plan->0->'Plan'->>'Strategy' = 'Hashed' THEN (plan->0->'Plan'->>'HashAgg Batches')::int END;
END $$;
SELECT pg_temp.hash_batches('SELECT g, mlobs.profile_agg(x), mlobs.category_agg(c), mlobs.histogram_agg(x, ''{0,250,500,750}'') FROM mem_rows GROUP BY g') > 1 AS hash_aggregate_spilled;
CREATE TABLE mem_hashed AS
SELECT g, mlobs.profile_agg(x) AS p, mlobs.category_agg(c) AS c, mlobs.histogram_agg(x, '{0,250,500,750}') AS h FROM mem_rows GROUP BY g;
RESET enable_sort;
SET enable_hashagg = off;
CREATE TABLE mem_sorted AS
SELECT g, mlobs.profile_agg(x) AS p, mlobs.category_agg(c) AS c, mlobs.histogram_agg(x, '{0,250,500,750}') AS h FROM mem_rows GROUP BY g;
RESET enable_hashagg;
RESET work_mem;
RESET max_parallel_workers_per_gather;
-- Counts, extremes, categories and histograms are exact; mean and variance agree to rounding
-- (within a group the two plans feed rows in different orders).
SELECT count(*) AS groups, sum(mlobs.count(h.p)) AS rows,
       bool_and(mlobs.count(h.p) = mlobs.count(s.p) AND mlobs.min(h.p) = mlobs.min(s.p) AND mlobs.max(h.p) = mlobs.max(s.p)) AS exact,
       bool_and(abs(mlobs.mean(h.p) - mlobs.mean(s.p)) <= 1e-9 * abs(mlobs.mean(s.p))
                AND abs(mlobs.variance(h.p) - mlobs.variance(s.p)) <= 1e-9 * mlobs.variance(s.p)) AS moments,
       bool_and(h.c::text = s.c::text AND h.h::text = s.h::text) AS categories_and_histograms
FROM mem_hashed h JOIN mem_sorted s USING (g);
DELETE FROM mlobs.models WHERE name = 'mem_tree';
