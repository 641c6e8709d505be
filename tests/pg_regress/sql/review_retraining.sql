-- Faults of the retraining loop found by the adversarial review of 2026-12-07 (/tmp/revD).
-- Each case failed before its fix. (Two runs at once: tests/integration/retraining, 2e.)
SET timezone = 'UTC';
\set VERBOSITY terse
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_rr_team_a;
DROP ROLE IF EXISTS regress_rr_team_b;
RESET client_min_messages;
CREATE ROLE regress_rr_team_a IN ROLE mlobs_admin;
CREATE ROLE regress_rr_team_b IN ROLE mlobs_admin;

CREATE TABLE rr_log AS SELECT timestamptz '2026-01-01' + i * interval '10 minutes' AS ts,
  (i % 17)::float8 AS x, (i % 5)::float8 AS z, (i % 17) > 8 AS label, (i % 17) * 3 + (i % 5) AS items,
  jsonb_build_object('x', i % 17, 'z', i % 5) AS f, jsonb_build_object('amount', (i % 17) * 10, 'age', i % 5 + 20) AS f2
FROM generate_series(1, 2000) i;
GRANT SELECT ON rr_log TO regress_rr_team_a;

-- 2. Another team's run took team A's open request and closed it as failed (42501: its session
-- user may not act as A); A's own run then found nothing. It is left open for A's run now.
SET SESSION AUTHORIZATION regress_rr_team_a;
SELECT mlobs.train('rr a', 'rr_log', 'label', ARRAY['x', 'z'], 'decision_tree', '{"max_depth": 3}', train_to => '2026-01-05') AS v;
SELECT model, owner FROM mlobs.set_retraining_policy('rr a', train_window => '3 days', holdout_window => '1 day');
INSERT INTO mlobs.retraining_requests (model, reason) VALUES ('rr a', 'team a');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_rr_team_b;
SELECT request_id, model_name, decision, error FROM mlobs.process_retraining_requests('rr a');
RESET SESSION AUTHORIZATION;
SELECT model, status, decision, outcome FROM mlobs.retraining_requests WHERE model = 'rr a';
SET SESSION AUTHORIZATION regress_rr_team_a;
SELECT model_name, decision, trained_version FROM mlobs.process_retraining_requests('rr a');
RESET SESSION AUTHORIZATION;
SELECT model, status, decision FROM mlobs.retraining_requests WHERE model = 'rr a';

-- 4. A policy taken from a version trained as a regression of an integer target (params.task)
-- lost the task and max_rows, so the loop trained a classifier and every request failed
-- (versions 1 and 2 do not solve the same task).
SELECT mlobs.train('rr items', 'rr_log', 'items', ARRAY['x', 'z'], 'random_forest',
                   '{"n_trees": 5, "task": "regression", "max_rows": 5000}', train_to => '2026-01-05') AS v;
SELECT params->'task' AS task, params->'max_rows' AS max_rows
  FROM mlobs.set_retraining_policy('rr items', train_window => '3 days', holdout_window => '1 day');
INSERT INTO mlobs.retraining_requests (model, reason) VALUES ('rr items', 'drift');
SELECT decision, trained_version, metric, error FROM mlobs.process_retraining_requests('rr items');
SELECT version, objective FROM mlobs.models WHERE name = 'rr items' ORDER BY version;
-- The task belongs to its target: a policy on another target does not force it.
SELECT params ? 'task' AS has_task FROM mlobs.set_retraining_policy('rr items', target => 'label');

-- 5. Given new features, a policy kept the jsonb key list of the version it was taken from:
-- columns failed every request (feature_names: only for a single jsonb features column), another
-- jsonb column was read with the old keys, and nothing but an UPDATE cleared them. Names now
-- come only with their own jsonb column; feature_names => '{}' clears them.
SELECT mlobs.train('rr f', 'rr_log', 'label', ARRAY['f'], 'decision_tree', '{"max_depth": 3}', train_to => '2026-01-05') AS v;
SELECT features, feature_names FROM mlobs.set_retraining_policy('rr f', train_window => '3 days', holdout_window => '1 day');
SELECT features, feature_names FROM mlobs.set_retraining_policy('rr f', features => ARRAY['x', 'z'],
  train_window => '3 days', holdout_window => '1 day');
SELECT features, feature_names FROM mlobs.set_retraining_policy('rr f', features => ARRAY['f2'],
  train_window => '3 days', holdout_window => '1 day');
SELECT features, feature_names FROM mlobs.set_retraining_policy('rr f', feature_names => '{z}',
  train_window => '3 days', holdout_window => '1 day');
SELECT features, feature_names FROM mlobs.set_retraining_policy('rr f', feature_names => '{}',
  train_window => '3 days', holdout_window => '1 day');
SELECT features, feature_names FROM mlobs.set_retraining_policy('rr f', features => ARRAY['x', 'z'],
  train_window => '3 days', holdout_window => '1 day');
INSERT INTO mlobs.retraining_requests (model, reason) VALUES ('rr f', 'columns');
SELECT decision, trained_version, error FROM mlobs.process_retraining_requests('rr f');
SELECT version, feature_names FROM mlobs.models WHERE name = 'rr f' ORDER BY version;

-- 8. One labelled row stamped in the future (a client's wrong clock) put every window after it:
-- each request failed with "0 labelled rows". Rows after the run's now are not read.
CREATE TABLE rr_future AS SELECT * FROM rr_log;
INSERT INTO rr_future (ts, x, z, label) VALUES ('2099-01-01', 3, 1, false);
SELECT mlobs.train('rr future', 'rr_future', 'label', ARRAY['x', 'z'], 'decision_tree', '{"max_depth": 3}', train_to => '2026-01-05') AS v;
SELECT model FROM mlobs.set_retraining_policy('rr future', train_window => '3 days', holdout_window => '1 day');
INSERT INTO mlobs.retraining_requests (model, reason) VALUES ('rr future', 'drift');
SELECT decision, trained_version, error FROM mlobs.process_retraining_requests('rr future');
SELECT outcome->'holdout_window' AS holdout_window FROM mlobs.retraining_requests WHERE model = 'rr future';
-- Only rows in the future: the message names the first.
DELETE FROM rr_future WHERE ts < '2099-01-01';
INSERT INTO mlobs.retraining_requests (model, reason) VALUES ('rr future', 'drift');
SELECT decision, error FROM mlobs.process_retraining_requests('rr future');

-- 9. A source dropped and recreated (the ETL swap) failed with a syntax error at the dangling
-- regclass's OID (42601). Now 42P01 naming the source the model was trained on.
CREATE TABLE rr_swap AS SELECT * FROM rr_log;
SELECT mlobs.train('rr swap', 'rr_swap', 'label', ARRAY['x', 'z'], 'decision_tree', '{"max_depth": 3}', train_to => '2026-01-05') AS v;
SELECT model FROM mlobs.set_retraining_policy('rr swap', train_window => '3 days', holdout_window => '1 day');
CREATE TABLE rr_swap_new AS SELECT * FROM rr_swap;
DROP TABLE rr_swap;
ALTER TABLE rr_swap_new RENAME TO rr_swap;
INSERT INTO mlobs.retraining_requests (model, reason) VALUES ('rr swap', 'drift');
SELECT decision, regexp_replace(error, 'oid \d+', 'oid N') AS error FROM mlobs.process_retraining_requests('rr swap');
SELECT status, outcome->>'sqlstate' AS sqlstate FROM mlobs.retraining_requests WHERE model = 'rr swap';

-- 10. A NaN label in the holdout failed the request with "loss_a must be finite, got NaN", naming
-- nothing; a finite 1e200 as "got inf". Now the model, the window and the row are named.
CREATE TABLE rr_sales (ts timestamptz, x float8, z float8, y float8);
INSERT INTO rr_sales SELECT timestamptz '2026-01-01' + i * interval '10 minutes', (i % 37)::float8, (i % 11)::float8,
  2 * (i % 37) + (i % 11) * 0.1 FROM generate_series(0, 1000) i;
SELECT mlobs.train('rr sales', 'rr_sales', 'y', ARRAY['x', 'z'], 'ridge', '{"alpha": 1}', train_to => '2026-01-03') AS v;
SELECT mlobs.promote('rr sales', 1);
UPDATE rr_sales SET y = 'NaN' WHERE ts = '2026-01-07 12:00';
SELECT model FROM mlobs.set_retraining_policy('rr sales', train_window => '3 days', holdout_window => '1 day');
INSERT INTO mlobs.retraining_requests (model, reason) VALUES ('rr sales', 'nan');
SELECT decision, trained_version, error FROM mlobs.process_retraining_requests('rr sales');
UPDATE rr_sales SET y = 1e200 WHERE ts = '2026-01-07 12:00';
INSERT INTO mlobs.retraining_requests (model, reason) VALUES ('rr sales', 'huge');
SELECT decision, trained_version, error FROM mlobs.process_retraining_requests('rr sales');
SELECT status, outcome->>'sqlstate' AS sqlstate FROM mlobs.retraining_requests WHERE model = 'rr sales' ORDER BY id;
SELECT mlobs.model_version('rr sales') AS served, count(*) AS versions FROM mlobs.models WHERE name = 'rr sales';

-- 3. A statement_timeout shorter than the run cancelled it whole: every finished request rolled
-- back, and each run redid the same ones (no progress ever). A cancelled request is left open
-- and the run returns what it finished; the next run takes the cancelled request last.
-- rr_sleepy: rr_log behind a 60-second sleep (a request that never fits the timeout).
CREATE VIEW rr_sleepy AS SELECT s.* FROM rr_log s, (SELECT pg_sleep(60)) z;
SELECT mlobs.train(m, 'rr_log', 'label', ARRAY['x', 'z'], 'decision_tree', '{"max_depth": 3}', train_to => '2026-01-05') AS v
  FROM unnest(ARRAY['rr quick 1', 'rr quick 2', 'rr slow']) m;
SELECT count(*) FROM (SELECT mlobs.set_retraining_policy(m, train_window => '3 days', holdout_window => '1 day')
                        FROM unnest(ARRAY['rr quick 1', 'rr quick 2']) m) s;
SELECT model FROM mlobs.set_retraining_policy('rr slow', 'rr_sleepy', train_window => '3 days', holdout_window => '1 day');
INSERT INTO mlobs.retraining_requests (model, reason) VALUES ('rr quick 1', 'timeout'), ('rr slow', 'timeout');
SET statement_timeout = '3s';
SELECT model_name, decision, error FROM mlobs.process_retraining_requests();
RESET statement_timeout;
SELECT model, status, decision, outcome->'canceled' AS canceled, outcome->>'sqlstate' AS sqlstate
  FROM mlobs.retraining_requests WHERE reason = 'timeout' ORDER BY id;
INSERT INTO mlobs.retraining_requests (model, reason) VALUES ('rr quick 2', 'timeout');
SET statement_timeout = '3s';
SELECT model_name, decision, error FROM mlobs.process_retraining_requests();
RESET statement_timeout;
SELECT model, status, decision, outcome->'canceled' AS canceled, outcome->>'sqlstate' AS sqlstate
  FROM mlobs.retraining_requests WHERE reason = 'timeout' ORDER BY id;
SELECT name, count(*) AS versions FROM mlobs.models WHERE name IN ('rr quick 1', 'rr quick 2', 'rr slow') GROUP BY name ORDER BY name;

DROP VIEW rr_sleepy;
DROP TABLE rr_log, rr_future, rr_swap, rr_sales;
DELETE FROM mlobs.retraining_requests WHERE model LIKE 'rr %';
DELETE FROM mlobs.retraining_policies WHERE model LIKE 'rr %';
DELETE FROM mlobs.models WHERE name LIKE 'rr %';
DROP ROLE regress_rr_team_a;
DROP ROLE regress_rr_team_b;
