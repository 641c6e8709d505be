-- Training (issue 19): mlobs.train on production-shaped rows, compare_models, stages and
-- promote, the retraining loop, roles. Errors are shown as 'SQLSTATE: message'.
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT setseed(0.19);
-- 3000 rows a minute apart; labels of the last 500 are still NULL (they land later, by UPDATE).
CREATE TABLE tr_log AS
SELECT i AS id, timestamptz '2026-03-01' + i * interval '1 minute' AS ts, a, b, (i % 5) AS c, (i % 3 = 0) AS flag,
       jsonb_build_object('a', a, 'b', b, 'c', i % 5) AS f,
       CASE WHEN i <= 2500 THEN 1.5 * a - b + 0.4 * (random() - 0.5) > 0 END AS label,
       CASE WHEN a > 0.7 THEN 'high' WHEN a < -0.7 THEN 'low' ELSE 'mid' END AS kind,
       3 * a - 2 * b + 1 + 0.1 * (random() - 0.5) AS y
FROM (SELECT i, random() * 4 - 2 AS a, random() * 4 - 2 AS b FROM generate_series(1, 3000) i) s;

-- 1. Every algorithm trains, registers a version in a served format, and stores what it did.
SELECT mlobs.train('t_rf', 'tr_log', 'label', ARRAY['a', 'b', 'c', 'flag'], 'random_forest', '{"n_trees": 10, "seed": 1}') AS v;
SELECT mlobs.train('t_rf', 'tr_log', 'label', ARRAY['a', 'b', 'c', 'flag'], 'decision_tree', '{"max_depth": 4}') AS v;
SELECT mlobs.train('t_rf', 'tr_log', 'label', ARRAY['a', 'b', 'c', 'flag'], 'logistic_regression') AS v;
SELECT mlobs.train('t_kind', 'tr_log', 'kind', ARRAY['a', 'b'], 'random_forest', '{"n_trees": 5}') AS v;
SELECT mlobs.train('t_kind', 'tr_log', 'kind', ARRAY['a', 'b'], 'logistic_regression', '{"C": 10}') AS v;
SELECT mlobs.train('t_y', 'tr_log', 'y', ARRAY['f'], 'linear_regression') AS v;
SELECT mlobs.train('t_y', 'tr_log', 'y', ARRAY['f'], 'ridge', '{"alpha": 0.5}') AS v;
SELECT mlobs.train('t_y', 'tr_log', 'y', ARRAY['f'], 'random_forest', '{"n_trees": 5, "max_depth": 6}') AS v;
SELECT name, version, format, objective, n_features, feature_names, metadata->'training'->>'algorithm' AS algorithm,
       metadata->'training'->>'task' AS task, metadata->'training'->'rows' AS rows, metadata->'training'->'train_rows' AS train_rows,
       metadata->'training'->'holdout_metrics'->'rows' AS holdout_rows,
       round(coalesce(metadata->'training'->'holdout_metrics'->>'accuracy', metadata->'training'->'holdout_metrics'->>'r2')::numeric, 2) AS quality
FROM mlobs.models WHERE name LIKE 't\_%' ORDER BY name, version;
SELECT metadata->'training'->'params' AS params, metadata->'training'->>'library' AS library,
       metadata->'training'->>'holdout_from' AS holdout_from, metadata->'training'->'classes' AS classes
FROM mlobs.models WHERE name = 't_kind' ORDER BY version;
-- Served like any model: predict (latest version), predict_proba, SHAP additive to the margin, LIME.
SELECT round(mlobs.predict('t_rf', 1, ARRAY[1.0, -1.0, 2, 0])::numeric, 3) AS rf_p,
       round(mlobs.predict('t_rf', 3, ARRAY[1.0, -1.0, 2, 0])::numeric, 3) AS logreg_p,
       array_length(mlobs.predict_proba('t_kind', 1, '{"a": 1.5, "b": 0}'::jsonb), 1) AS kind_classes;
SELECT v, abs(mlobs.shap_base_value('t_rf', v, 1) + (SELECT sum(value::float8) FROM jsonb_each_text(mlobs.shap('t_rf', v, '{"a": 0.3, "b": -0.5, "c": 1, "flag": 1}'::jsonb, 1)))
          - mlobs.predict_margin('t_rf', v, ARRAY[0.3, -0.5, 1, 1], 1)) < 1e-9 AS shap_additive
FROM generate_series(1, 3) v;
SELECT jsonb_typeof(mlobs.lime('t_y', '{"a": 0.3, "b": -0.5, "c": 1}'::jsonb, (SELECT array_agg(ARRAY[a, b, c::float8]) FROM tr_log WHERE id <= 50))) AS lime;
-- Deterministic for a seed: the same seed gives the same body, another seed another.
SELECT mlobs.train('t_seed', 'tr_log', 'label', ARRAY['a', 'b'], 'random_forest', '{"n_trees": 3, "seed": 7}'),
       mlobs.train('t_seed', 'tr_log', 'label', ARRAY['a', 'b'], 'random_forest', '{"n_trees": 3, "seed": 7}'),
       mlobs.train('t_seed', 'tr_log', 'label', ARRAY['a', 'b'], 'random_forest', '{"n_trees": 3, "seed": 8}');
SELECT (SELECT body FROM mlobs.models WHERE name = 't_seed' AND version = 1) = (SELECT body FROM mlobs.models WHERE name = 't_seed' AND version = 2) AS same_seed_same_model,
       (SELECT body FROM mlobs.models WHERE name = 't_seed' AND version = 1) = (SELECT body FROM mlobs.models WHERE name = 't_seed' AND version = 3) AS other_seed_same_model;

-- 2. Production-shaped rows. Labels written by UPDATE later are trained on the next time.
SELECT metadata->'training'->'rows_labelled' AS labelled_before FROM mlobs.models WHERE name = 't_seed' AND version = 1;
UPDATE tr_log SET label = 1.5 * a - b > 0 WHERE id > 2500;
SELECT mlobs.train('t_seed', 'tr_log', 'label', ARRAY['a', 'b'], 'random_forest', '{"n_trees": 3}') AS v;
SELECT metadata->'training'->'rows_labelled' AS labelled_after FROM mlobs.models WHERE name = 't_seed' AND version = 4;
-- Missing, non-finite and unrepresentable values: NULL, NaN, Infinity and a jsonb number beyond
-- float8 are missing values (trees: the training median; counted); a string is an error.
CREATE TABLE tr_messy AS SELECT * FROM tr_log;
UPDATE tr_messy SET a = NULL WHERE id % 10 = 0;
UPDATE tr_messy SET a = 'NaN' WHERE id % 10 = 1;
UPDATE tr_messy SET b = 'Infinity' WHERE id % 10 = 2;
UPDATE tr_messy SET f = jsonb_set(f, '{a}', '1e400') WHERE id % 10 = 3;
UPDATE tr_messy SET f = f - 'b' WHERE id % 10 = 4;
SELECT mlobs.train('t_messy', 'tr_messy', 'label', ARRAY['a', 'b'], 'random_forest', '{"n_trees": 3}') AS v;
SELECT mlobs.train('t_messy', 'tr_messy', 'label', ARRAY['f'], 'random_forest', '{"n_trees": 3}') AS v;
SELECT mlobs.train('t_messy', 'tr_messy', 'label', ARRAY['a', 'b'], 'logistic_regression') AS v;
SELECT version, metadata->'training'->'missing_values' AS missing, metadata->'training'->'fitted_rows' AS fitted_rows,
       metadata->'training'->'train_rows' AS train_rows
FROM mlobs.models WHERE name = 't_messy' ORDER BY version;
-- A missing value is predicted as the training median.
SELECT mlobs.predict('t_messy', 1, ARRAY[NULL, 0.5]::float8[]) = mlobs.predict('t_messy', 1, ARRAY[(SELECT (metadata->'training'->'imputation'->'median'->>0)::float8 FROM mlobs.models WHERE name = 't_messy' AND version = 1), 0.5]) AS missing_is_median;
UPDATE tr_messy SET f = jsonb_set(f, '{a}', '"high"') WHERE id = 7;
SELECT pg_temp.err($$SELECT mlobs.train('t_messy', 'tr_messy', 'label', ARRAY['f'])$$);
-- A jsonb boolean and a row that is not an object are refused as predict refuses them (they
-- were trained as 1/0 and as a row of missing values: a model learning inputs it cannot serve).
UPDATE tr_messy SET f = jsonb_set(f, '{a}', '0.5') WHERE id = 7;
UPDATE tr_messy SET f = jsonb_set(f, '{a}', 'true') WHERE id = 8;
SELECT pg_temp.err($$SELECT mlobs.train('t_messy', 'tr_messy', 'label', ARRAY['f'])$$);
SELECT pg_temp.err($$SELECT mlobs.predict('t_messy', 2, '{"a": true, "b": 1}'::jsonb)$$) AS predict_refuses_too;
UPDATE tr_messy SET f = jsonb_set(f, '{a}', '0.5') WHERE id = 8;
UPDATE tr_messy SET f = '[1, 2]' WHERE id = 9;
SELECT pg_temp.err($$SELECT mlobs.train('t_messy', 'tr_messy', 'label', ARRAY['f'])$$);
UPDATE tr_messy SET f = 'null' WHERE id = 9;
SELECT pg_temp.err($$SELECT mlobs.train('t_messy', 'tr_messy', 'label', ARRAY['f'])$$);
UPDATE tr_messy SET f = NULL WHERE id = 9;
-- A window with one labelled row, and one with none.
SELECT pg_temp.err($$SELECT mlobs.train('t_w', 'tr_log', 'label', ARRAY['a', 'b'], train_from => '2026-03-01 00:01', train_to => '2026-03-01 00:02')$$);
SELECT pg_temp.err($$SELECT mlobs.train('t_w', 'tr_log', 'label', ARRAY['a', 'b'], train_from => '2027-01-01', train_to => '2027-01-02')$$);
SELECT pg_temp.err($$SELECT mlobs.train('t_w', 'tr_log', 'label', ARRAY['f'], train_from => '2027-01-01', train_to => '2027-01-02')$$);
-- A time window trains on its rows only.
SELECT mlobs.train('t_w', 'tr_log', 'label', ARRAY['a', 'b'], 'decision_tree', '{"holdout": 0}', '2026-03-01 10:00', '2026-03-01 20:00') AS v;
SELECT metadata->'training'->'rows' AS rows, metadata->'training'->>'first_ts' AS first_ts, metadata->'training'->>'last_ts' AS last_ts
FROM mlobs.models WHERE name = 't_w';

-- 3. Bad input: clear errors naming the argument.
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_log', 'label', ARRAY['a'], 'svm')$$);
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_log', 'label', ARRAY['a'], 'ridge', '{"n_trees": 3}')$$);
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_log', 'label', ARRAY['a'], 'random_forest', '{"n_trees": 0}')$$);
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_log', 'label', ARRAY['a'], 'random_forest', '{"max_depth": 100}')$$);
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_log', 'label', ARRAY['a'], 'random_forest', '[1]')$$);
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_log', 'nope', ARRAY['a'])$$);
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_log', 'label', ARRAY['a', 'nope'])$$);
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_log', 'label', ARRAY['a', 'kind'])$$);
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_log', 'f', ARRAY['a'])$$);
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_log', 'label', ARRAY['a'], ts_column => 'nope')$$);
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_log', 'label', ARRAY['a', NULL])$$);
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_log', 'label', ARRAY[]::text[])$$);
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_log', 'label', NULL)$$);
SELECT pg_temp.err($$SELECT mlobs.train('', 'tr_log', 'label', ARRAY['a'])$$);
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_log', 'y', ARRAY['a'], 'logistic_regression', '{"task": "regression"}')$$);
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_log', 'label', ARRAY['a', 'c'], feature_names => ARRAY['x', 'y'])$$);
ALTER TABLE tr_messy ADD COLUMN constant float8 DEFAULT 4, ADD COLUMN empty float8, ADD COLUMN one_class bool DEFAULT true;
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_messy', 'label', ARRAY['a', 'constant'])$$);
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_messy', 'label', ARRAY['a', 'empty'])$$);
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_messy', 'one_class', ARRAY['a', 'b'])$$);
UPDATE tr_messy SET y = 'Infinity' WHERE id = 5;
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_messy', 'y', ARRAY['a', 'b'], 'ridge')$$);
-- A class seen only after the holdout split.
UPDATE tr_messy SET kind = 'rare' WHERE id = 2990;
SELECT pg_temp.err($$SELECT mlobs.train('t_bad', 'tr_messy', 'kind', ARRAY['a', 'b'], 'logistic_regression')$$);
SELECT count(*) AS nothing_registered FROM mlobs.models WHERE name = 't_bad';

-- 4. Bounded: the row cap samples (seeded), memory is bounded by maintenance_work_mem, and
-- statement_timeout cancels a training.
SELECT mlobs.train('t_cap', 'tr_log', 'label', ARRAY['a', 'b'], 'decision_tree', '{"max_rows": 400, "seed": 3}') AS v;
SELECT metadata->'training'->'rows' AS rows, metadata->'training'->'rows_labelled' AS labelled,
       metadata->'training'->'rows_sampled' AS sampled FROM mlobs.models WHERE name = 't_cap';
SET maintenance_work_mem = '1MB';
CREATE TABLE tr_wide AS SELECT i AS ts, i % 2 = 0 AS label, x.* FROM generate_series(1, 20000) i,
  LATERAL (SELECT i * 1.0 AS x1, i * 2.0 AS x2, i * 3.0 AS x3, (i % 7) * 1.0 AS x4) x;
SELECT pg_temp.err($$SELECT mlobs.train('t_mem', 'tr_wide', 'label', ARRAY['x1', 'x2', 'x3', 'x4'])$$);
-- The trees are charged as they grow: 1 000 noisy rows fit in 2 MB, a default forest of them
-- (100 trees) does not, and is refused after the trees that fit instead of growing the backend.
SET maintenance_work_mem = '2MB';
CREATE TABLE tr_noisy AS SELECT i AS ts, (i * 7919) % 101 < 50 AS label, ((i * 7919) % 101) % 3 AS k,
  (i * 31) % 97 * 1.0 AS a, (i * 17) % 89 * 1.0 AS b, (i * 13) % 83 * 1.0 AS c FROM generate_series(1, 1000) i;
SELECT pg_temp.err($$SELECT mlobs.train('t_mem', 'tr_noisy', 'label', ARRAY['a', 'b', 'c'], 'random_forest')$$);
-- smartcore's classification tree (here 3 classes) queues a vector over every row for each
-- node of a level: at depth 30 over 20 000 rows that bound is far above 64 MB.
RESET maintenance_work_mem;
SELECT pg_temp.err($$SELECT mlobs.train('t_mem', 'tr_wide', 'x4', ARRAY['x1', 'x2'], 'decision_tree', '{"max_depth": 30, "task": "classification"}')$$);
SET statement_timeout = '300ms';
\set VERBOSITY terse
SELECT mlobs.train('t_slow', 'tr_wide', 'label', ARRAY['x1', 'x2', 'x3', 'x4'], 'random_forest', '{"n_trees": 1000, "max_depth": 20}');
\set VERBOSITY default
RESET statement_timeout;
SELECT count(*) AS nothing_registered FROM mlobs.models WHERE name IN ('t_mem', 't_slow');

-- 5. Champion and challenger on the same labelled rows.
SELECT metric, round(value_a::numeric, 4) AS a, round(value_b::numeric, 4) AS b, round(difference::numeric, 4) AS b_minus_a,
       test, round(statistic::numeric, 3) AS statistic, round(p_value::numeric, 4) AS p, rows
FROM mlobs.compare_models('t_rf', 2, 3, 'tr_log', '2026-03-02 16:00', '2026-03-03');
SELECT metric, round(value_a::numeric, 4) AS a, round(value_b::numeric, 4) AS b, test, rows
FROM mlobs.compare_models('t_y', 1, 3, 'tr_log', '2026-03-02 16:00', '2026-03-03');
SELECT metric, test IS NULL AS no_test, rows FROM mlobs.compare_models('t_kind', 1, 2, 'tr_log', '2026-03-02 16:00', '2026-03-03');
SELECT pg_temp.err($$SELECT * FROM mlobs.compare_models('t_rf', 1, 9, 'tr_log', '2026-03-02', '2026-03-03')$$);
SELECT pg_temp.err($$SELECT * FROM mlobs.compare_models('t_rf', 1, 2, 'tr_log', '2026-03-02', '2026-03-03', target => 'kind')$$);
SELECT count(*) AS empty_window FROM mlobs.compare_models('t_rf', 1, 2, 'tr_log', '2027-01-01', '2027-01-02') WHERE value_a IS NOT NULL;

-- 6. Stages: the readers serve the production version, else the latest.
SELECT mlobs.model_version('t_rf') AS served, mlobs.promote('t_rf', 1) AS previous;
SELECT mlobs.model_version('t_rf') AS served, mlobs.model_version('t_rf', 'latest') AS latest,
       round(mlobs.predict('t_rf', ARRAY[1.0, -1.0, 2, 0])::numeric, 3) = round(mlobs.predict('t_rf', 1, ARRAY[1.0, -1.0, 2, 0])::numeric, 3) AS serves_v1;
SELECT mlobs.promote('t_rf', 3, 'candidate', 'looks better') AS previous;
SELECT mlobs.model_version('t_rf', 'candidate') AS candidate, mlobs.promote('t_rf', 3, reason => 'won') AS previous;
SELECT name, stage, version FROM mlobs.model_stages WHERE name = 't_rf';
SELECT name, stage, version, previous_version, reason FROM mlobs.model_stage_history WHERE name = 't_rf' ORDER BY id;
SELECT pg_temp.err($$SELECT mlobs.model_version('t_rf', 'candidate')$$);
SELECT pg_temp.err($$SELECT mlobs.model_version('t_rf', 'staging')$$);
SELECT pg_temp.err($$SELECT mlobs.model_version('nope')$$);
SELECT pg_temp.err($$SELECT mlobs.promote('t_rf', 42)$$);
SELECT pg_temp.err($$SELECT mlobs.promote('t_rf', 1, 'archive')$$);
-- Deleting a version removes its stage (the readers fall back to the latest).
DELETE FROM mlobs.models WHERE name = 't_rf' AND version = 3;
SELECT count(*) AS stages_left, mlobs.model_version('t_rf') AS served FROM mlobs.model_stages WHERE name = 't_rf';

-- 7. The retraining loop.
SELECT mlobs.register_model('loop', format, body, feature_names) FROM mlobs.models WHERE name = 't_rf' AND version = 2;
SELECT mlobs.promote('loop', 1);
SELECT pg_temp.err($$SELECT mlobs.set_retraining_policy('loop')$$);
SELECT model, source, target, features, algorithm, params, train_window, holdout_window, train_after_alert
FROM mlobs.set_retraining_policy('loop', 'tr_log', 'label', ARRAY['a', 'b', 'c', 'flag'], 'random_forest', '{"n_trees": 10}',
                                 train_window => '1 day', holdout_window => '6 hours');
INSERT INTO mlobs.retraining_requests (model, reason) VALUES ('loop', 'by hand'), ('no_policy', 'nobody retrains me');
SELECT model_name, decision, trained_version, production_version, metric,
       round(production_value::numeric, 3) AS production_value, round(trained_value::numeric, 3) AS trained_value, error
FROM mlobs.process_retraining_requests();
SELECT model, status, decision, trained_version, outcome->>'metric' AS metric, outcome->'train_window' AS train_window,
       outcome->'holdout_window' AS holdout_window FROM mlobs.retraining_requests WHERE model IN ('loop', 'no_policy') ORDER BY id;
SELECT mlobs.model_version('loop') AS served, metadata->'retraining'->>'production_version' AS compared_with
FROM mlobs.models WHERE name = 'loop' AND version = 2;
-- Not better by the margin: kept as the candidate.
UPDATE mlobs.retraining_policies SET min_improvement = 0.5 WHERE model = 'loop';
INSERT INTO mlobs.retraining_requests (model, reason) VALUES ('loop', 'again');
SELECT decision, trained_version, production_version FROM mlobs.process_retraining_requests('loop');
SELECT stage, version FROM mlobs.model_stages WHERE name = 'loop' ORDER BY stage;
-- A failing policy fails its request only; its version is rolled back.
UPDATE mlobs.retraining_policies SET features = ARRAY['a', 'kind'] WHERE model = 'loop';
INSERT INTO mlobs.retraining_requests (model, reason) VALUES ('loop', 'broken');
SELECT decision, error FROM mlobs.process_retraining_requests('loop');
SELECT status, decision, outcome->>'sqlstate' AS sqlstate FROM mlobs.retraining_requests WHERE reason = 'broken';
SELECT max(version) AS versions FROM mlobs.models WHERE name = 'loop';
-- The production version is scored on the policy's features only (they are read with the
-- owner's rights, and any admin may register and promote a version): one that needs others fails
-- the request before a row is read.
UPDATE mlobs.retraining_policies SET features = ARRAY['a', 'b'], min_improvement = 0 WHERE model = 'loop';
INSERT INTO mlobs.retraining_requests (model, reason) VALUES ('loop', 'narrowed');
SELECT decision, error FROM mlobs.process_retraining_requests('loop');
-- A request raised by an alert waits until its windows lie after the alert's window.
UPDATE mlobs.retraining_policies SET features = ARRAY['a', 'b', 'c', 'flag'] WHERE model = 'loop';
INSERT INTO mlobs.monitors (name, model, source, kind, config) VALUES ('loop perf', 'loop', 'tr_log', 'classification', '{"score": "a"}');
INSERT INTO mlobs.alerts (rule_id, monitor_id, model, metric, feature, severity, state, started_at, window_start, value)
SELECT 3, (SELECT id FROM mlobs.monitors WHERE name = 'loop perf'), 'loop', 'accuracy', '', 'critical', 'firing', '2026-03-02 12:00', '2026-03-02 12:00', 0.5;
INSERT INTO mlobs.retraining_requests (model, alert_id, reason) SELECT 'loop', max(id), 'alert' FROM mlobs.alerts;
SELECT decision, trained_version FROM mlobs.process_retraining_requests('loop');
SELECT status, outcome FROM mlobs.retraining_requests WHERE reason = 'alert';
UPDATE mlobs.retraining_policies SET train_window = '8 hours', holdout_window = '2 hours' WHERE model = 'loop';
SELECT decision IN ('promoted', 'kept') AS processed, error FROM mlobs.process_retraining_requests('loop');
SELECT status, (outcome->'train_window'->>0)::timestamptz >= '2026-03-02 12:00' AS trained_after_alert FROM mlobs.retraining_requests WHERE reason = 'alert';
-- The alert still fires and the last request ended without a promotion: once a holdout window
-- has passed since, the loop asks again (and not before).
UPDATE mlobs.retraining_policies SET min_improvement = 0.9 WHERE model = 'loop';
INSERT INTO mlobs.retraining_requests (model, alert_id, reason) SELECT 'loop', max(id), 'kept one' FROM mlobs.alerts;
SELECT decision FROM mlobs.process_retraining_requests('loop');
SELECT count(*) AS no_new_request FROM mlobs.process_retraining_requests('loop');
UPDATE mlobs.retraining_requests SET processed_at = processed_at - interval '3 hours' WHERE reason = 'kept one';
SELECT decision FROM mlobs.process_retraining_requests('loop');
SELECT reason LIKE 'alert % still firing after request % ended kept' AS asked_again, status, decision
FROM mlobs.retraining_requests WHERE model = 'loop' ORDER BY id DESC LIMIT 1;
-- An older request set back to open by hand (a retry) while the last one ended and the alert
-- still fires: the loop's new request conflicted with the one-open-per-model index and the whole
-- call failed (23505), every model's requests with it. The reopened one is the model's request.
UPDATE mlobs.retraining_requests SET status = 'open' WHERE model = 'loop' AND reason = 'kept one';
UPDATE mlobs.retraining_requests SET processed_at = processed_at - interval '3 hours'
 WHERE id = (SELECT max(id) FROM mlobs.retraining_requests WHERE model = 'loop');
SELECT count(*) AS processed FROM mlobs.process_retraining_requests('loop');
SELECT count(*) FILTER (WHERE status = 'open') AS open_left, count(*) AS requests FROM mlobs.retraining_requests WHERE model = 'loop';

-- 8. Roles: a reader reads stages but cannot train, promote or run the loop; an admin trains on
-- what it can read, and only that.
DROP ROLE IF EXISTS regress_train_admin;
DROP ROLE IF EXISTS regress_train_reader;
CREATE ROLE regress_train_admin IN ROLE mlobs_admin;
CREATE ROLE regress_train_reader IN ROLE mlobs_reader;
GRANT SELECT ON tr_log TO regress_train_admin, regress_train_reader;
SET ROLE regress_train_reader;
SELECT count(*) > 0 AS reads_stages FROM mlobs.model_stages;
SELECT pg_temp.err($$SELECT mlobs.train('t_role', 'tr_log', 'label', ARRAY['a', 'b'])$$);
SELECT pg_temp.err($$SELECT mlobs.promote('loop', 1)$$);
SELECT pg_temp.err($$SELECT * FROM mlobs.process_retraining_requests()$$);
SELECT pg_temp.err($$INSERT INTO mlobs.model_stages VALUES ('loop', 'candidate', 1)$$);
SET ROLE regress_train_admin;
SELECT mlobs.train('t_role', 'tr_log', 'label', ARRAY['a', 'b'], 'decision_tree') AS v;
SELECT pg_temp.err($$SELECT mlobs.train('t_role', 'tr_messy', 'label', ARRAY['a', 'b'])$$);
SELECT pg_temp.err($$SELECT * FROM mlobs.compare_models('t_rf', 1, 2, 'tr_messy', '2026-03-02', '2026-03-03')$$);
RESET ROLE;
DELETE FROM mlobs.alerts WHERE model = 'loop';
DELETE FROM mlobs.monitors WHERE name = 'loop perf';
DELETE FROM mlobs.retraining_requests WHERE model IN ('loop', 'no_policy');
DELETE FROM mlobs.retraining_policies;
DELETE FROM mlobs.model_stage_history;
DELETE FROM mlobs.models WHERE name IN ('t_rf', 't_kind', 't_y', 't_seed', 't_messy', 't_w', 't_cap', 't_role', 'loop');
DROP OWNED BY regress_train_admin, regress_train_reader;
DROP TABLE tr_log, tr_messy, tr_wide;
DROP ROLE regress_train_admin;
DROP ROLE regress_train_reader;
