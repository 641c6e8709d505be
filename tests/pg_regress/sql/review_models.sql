-- Faults found by the adversarial review of the model functions, model import and training
-- (2026-12-07, on 2ef3001). Each case failed there.
SET timezone = 'UTC';
\set VERBOSITY terse
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_rm_team;
DROP ROLE IF EXISTS regress_rm_other;
RESET client_min_messages;
CREATE ROLE regress_rm_team IN ROLE mlobs_admin;
CREATE ROLE regress_rm_other IN ROLE mlobs_admin;

-- 1. The retraining loop reads the source as the policy's owner. Another admin, who may not read
-- the table, registered and promoted a version named after another column (ssn): the loop read
-- it for the comparison, and its failure message quoted a value to that admin. Only the policy's
-- features are read now; such a version fails the request before any row is read.
CREATE TABLE rm_hr AS
SELECT timestamptz '2026-01-01' + i * interval '20 minutes' AS ts, (i % 17)::float8 AS a, (i % 5)::float8 AS b,
       CASE WHEN (i % 17) + (i % 5) > 10 THEN 'yes' ELSE 'no' END AS lab, format('%s-66-%s', 100 + i, 2000 + i) AS ssn
  FROM generate_series(1, 400) i;
GRANT SELECT ON rm_hr TO regress_rm_team;
SET ROLE regress_rm_team;
SELECT mlobs.train('rm hr', 'rm_hr', 'lab', ARRAY['a', 'b'], 'decision_tree', '{"holdout": 0}') AS version;
SELECT model FROM mlobs.set_retraining_policy('rm hr', 'rm_hr', 'lab', ARRAY['a', 'b'], 'decision_tree', '{}',
                                              '3 days', '1 day', train_after_alert => false);
SET ROLE regress_rm_other;
SELECT count(*) FROM rm_hr;
SELECT mlobs.register_model('rm hr', 'linear', '{"coefficients": [[0, 0, 0]], "intercept": [0], "link": "logistic",
  "classes": ["no", "yes"], "feature_names": ["a", "b", "ssn"]}') AS version;
SELECT mlobs.promote('rm hr', 2);
INSERT INTO mlobs.retraining_requests (model, reason) VALUES ('rm hr', 'routine');
SET ROLE regress_rm_team;
SELECT model_name, decision, trained_version, error FROM mlobs.process_retraining_requests('rm hr');
SET ROLE regress_rm_other;
SELECT status, error LIKE '%-66-%' AS quotes_a_value FROM mlobs.retraining_requests WHERE model = 'rm hr';
RESET ROLE;
-- The owner's own versions still compare: a version on the policy's features is promoted or kept.
SELECT mlobs.promote('rm hr', 1);
INSERT INTO mlobs.retraining_requests (model, reason) VALUES ('rm hr', 'routine');
SET ROLE regress_rm_team;
SELECT model_name, decision IN ('promoted', 'kept') AS compared, production_version, error FROM mlobs.process_retraining_requests('rm hr');
RESET ROLE;
DELETE FROM mlobs.retraining_requests WHERE model = 'rm hr';
DELETE FROM mlobs.retraining_policies WHERE model = 'rm hr';
DELETE FROM mlobs.model_stages WHERE name = 'rm hr';
DELETE FROM mlobs.models WHERE name = 'rm hr';

-- 2. Rows an mlobs_admin member writes into mlobs.models directly are read the way
-- register_model reads its arguments: a bad one is 22023 naming the row, not an internal error
-- (XX000, a Rust panic) for every reader of the model.
CREATE FUNCTION pg_temp.state(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT mlobs.register_model('rm lin', 'linear', '{"coefficients": [[1, 2]], "intercept": [0], "link": "identity", "feature_names": ["a", "b"], "feature_means": [0, 0]}');
SET ROLE regress_rm_other;
INSERT INTO mlobs.models (name, version, format, body, feature_names, n_features, objective)
SELECT m.name, v.version, m.format, coalesce(v.body, m.body), coalesce(v.names, m.feature_names), m.n_features, m.objective
  FROM mlobs.models m,
       LATERAL (VALUES (2, m.body || '{"junk": 1e400}'::jsonb, NULL::text[]),
                       (3, m.body || jsonb_build_object('junk', (repeat('[', 200) || repeat(']', 200))::jsonb), NULL),
                       (4, NULL, '{a,NULL}'),
                       (5, NULL, '{a}')) v(version, body, names)
 WHERE m.name = 'rm lin' AND m.version = 1;
RESET ROLE;
SELECT v, pg_temp.state(format('SELECT mlobs.predict(%L, %s, ARRAY[1, 2]::float8[])', 'rm lin', v)) FROM generate_series(1, 5) v;
DELETE FROM mlobs.models WHERE name = 'rm lin' AND version > 1;

-- 3. A linear model near float8's limits: what_if's change and shap_importance_agg's sums
-- overflowed to JSON null (each row's prediction and SHAP are finite).
SELECT pg_temp.state($$SELECT mlobs.what_if('rm lin', '{"a": 1.5e308, "b": 1}', '{"a": -1.5e308}')$$);
SELECT pg_temp.state($$SELECT mlobs.shap_importance_agg('rm lin', j) FROM (VALUES ('{"a": 1.5e308, "b": 0}'::jsonb), ('{"a": 1.5e308, "b": 0}')) v(j)$$);
SELECT mlobs.what_if('rm lin', '{"a": 1, "b": 1}', '{"a": 3}')->'change' AS change;
DELETE FROM mlobs.models WHERE name = 'rm lin';

-- 4. A small scikit-learn export of 10 000 classes: its trees were kept once per class, so 100
-- of them took 1.6 GB in every backend that served it. Refused when registered, at the first
-- tree that passes the bound (here one of 401 nodes, before its arrays are read; the review's
-- valid export of 100 trees registered before).
SELECT pg_temp.state(format($$SELECT mlobs.register_model('rm classes', 'sklearn', %L)$$, jsonb_build_object(
  'n_features', 1, 'kind', 'classifier', 'n_classes', 10000,
  'trees', jsonb_build_array(jsonb_build_object('children_left', (SELECT jsonb_agg(-1) FROM generate_series(1, 401)))))));

-- 5. smartcore grows a tree without polling for interrupts: a tree of 100 classes over 40 000
-- rows ran for minutes (3.4 in a release build), and neither statement_timeout, a cancel nor
-- pg_terminate_backend stopped it. Each tree now grows on its own thread while the backend polls:
-- the statement is cancelled on time. (The thread runs on to its end, or to the backend's exit:
-- reconnect, so that it does not outlive this test.)
CREATE TABLE rm_slow AS SELECT timestamptz '2026-01-01' + g * interval '1 second' AS ts, random() AS a, random() AS b,
       random() AS c, (g * 7919 % 101) AS k FROM generate_series(1, 40000) g;
SET maintenance_work_mem = '16GB';
SET statement_timeout = '1s';
SELECT mlobs.train('rm slow', 'rm_slow', 'k', ARRAY['a', 'b', 'c'], 'decision_tree', '{"max_depth": 60, "holdout": 0}');
RESET statement_timeout;
RESET maintenance_work_mem;
SELECT count(*) AS versions FROM mlobs.models WHERE name = 'rm slow';
DROP TABLE rm_slow;
\c
SET timezone = 'UTC';
\set VERBOSITY terse

DROP TABLE rm_hr;
DROP ROLE regress_rm_team;
DROP ROLE regress_rm_other;
