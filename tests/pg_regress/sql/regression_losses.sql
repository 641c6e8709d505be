-- Regression losses (issue 17): mean Tweedie / Poisson / Gamma deviance and pinball loss against
-- scikit-learn 1.7.2 (values copied from tests/fixtures/metrics.json, "regression_losses"), their
-- domain errors, parallel = serial, and the exact median absolute error recipe.
CREATE TEMP TABLE loss_rows (name text, y float8, yhat float8);
INSERT INTO loss_rows VALUES
  ('hand_small_zero_target', 0.0, 0.5), ('hand_small_zero_target', 1.0, 1.0),
  ('hand_small_zero_target', 2.0, 1.5), ('hand_small_zero_target', 3.5, 4.0),
  ('hand_positive', 1.0, 1.5), ('hand_positive', 2.0, 2.0), ('hand_positive', 0.25, 0.5),
  ('hand_positive', 7.0, 5.0), ('hand_positive', 3.0, 3.5);
CREATE TEMP TABLE sklearn_tweedie (name text, power float8, value float8);
INSERT INTO sklearn_tweedie VALUES
  ('hand_small_zero_target', -1, 0.3645833333333321), ('hand_small_zero_target', -0.5, 0.23834642559165586),
  ('hand_small_zero_target', 0, 0.1875), ('hand_small_zero_target', 1, 0.3040021353588662),
  ('hand_small_zero_target', 1.2, 0.4055208281636152), ('hand_small_zero_target', 1.5, 0.744760302913457),
  ('hand_small_zero_target', 1.9, 4.694037088117767),
  ('hand_positive', -1, 4.771874999999998), ('hand_positive', -0.5, 2.059761229005359),
  ('hand_positive', 0, 0.9125), ('hand_positive', 1, 0.2256406854474256),
  ('hand_positive', 1.2, 0.18511152858287178), ('hand_positive', 1.5, 0.14980534215457028),
  ('hand_positive', 1.9, 0.13526053610158756), ('hand_positive', 2, 0.13604010227347157),
  ('hand_positive', 2.5, 0.16239728382716145), ('hand_positive', 3, 0.22815419501133788);
CREATE TEMP TABLE sklearn_pinball (name text, alpha float8, value float8);
INSERT INTO sklearn_pinball VALUES
  ('hand_small_zero_target', 0, 0.25), ('hand_small_zero_target', 0.1, 0.2375),
  ('hand_small_zero_target', 0.25, 0.21875), ('hand_small_zero_target', 0.5, 0.1875),
  ('hand_small_zero_target', 0.9, 0.1375), ('hand_small_zero_target', 1, 0.125),
  ('hand_positive', 0, 0.25), ('hand_positive', 0.1, 0.265), ('hand_positive', 0.25, 0.2875),
  ('hand_positive', 0.5, 0.325), ('hand_positive', 0.9, 0.385), ('hand_positive', 1, 0.4);
-- Every power and alpha within 1e-12 relative of scikit-learn.
SELECT s.name, s.power, abs(mlobs.tweedie_deviance_agg(r.y, r.yhat, s.power) - s.value) <= 1e-12 * s.value AS matches
  FROM sklearn_tweedie s JOIN loss_rows r USING (name) GROUP BY s.name, s.power, s.value ORDER BY 1, 2;
SELECT s.name, s.alpha, abs(mlobs.pinball_loss_agg(r.y, r.yhat, s.alpha) - s.value) <= 1e-12 * s.value AS matches
  FROM sklearn_pinball s JOIN loss_rows r USING (name) GROUP BY s.name, s.alpha, s.value ORDER BY 1, 2;
-- Poisson is power 1, Gamma power 2; the defaults are power 0 (the squared error) and alpha 0.5 (MAE / 2).
SELECT name,
       mlobs.poisson_deviance_agg(y, yhat) = mlobs.tweedie_deviance_agg(y, yhat, 1) AS poisson_is_power_1,
       abs(mlobs.tweedie_deviance_agg(y, yhat) - mlobs.mse(mlobs.regression_agg(y, yhat))) <= 1e-15 AS default_is_mse,
       abs(mlobs.pinball_loss_agg(y, yhat) - mlobs.mae(mlobs.regression_agg(y, yhat)) / 2) <= 1e-15 AS default_is_half_mae
  FROM loss_rows GROUP BY name ORDER BY name;
SELECT round(mlobs.gamma_deviance_agg(y, yhat)::numeric, 15) AS gamma FROM loss_rows WHERE name = 'hand_positive';
-- NULL target or prediction: the row is skipped; no rows: NULL.
SELECT mlobs.tweedie_deviance_agg(y, yhat, 1.5) AS tweedie, mlobs.pinball_loss_agg(y, yhat, 0.9) AS pinball
  FROM (VALUES (1.0::float8, 2.0::float8), (NULL, 1.0), (3.0, NULL)) v(y, yhat);
SELECT mlobs.tweedie_deviance_agg(y, y, 1) IS NULL AS empty_null, mlobs.pinball_loss_agg(y, y) IS NULL AS empty_null_pinball
  FROM loss_rows WHERE false;
-- Bad inputs (docs/errors.md): 22023 names the argument and the row's values; a NULL parameter is 22004.
\set VERBOSITY sqlstate
SELECT mlobs.tweedie_deviance_agg(y, yhat, 0.5) FROM loss_rows;
SELECT mlobs.poisson_deviance_agg(y, yhat) FROM (VALUES (-1.0::float8, 2.0::float8)) v(y, yhat);
SELECT mlobs.pinball_loss_agg(y, yhat, NULL) FROM loss_rows;
\set VERBOSITY default
SELECT mlobs.tweedie_deviance_agg(y, yhat, 0.5) FROM loss_rows;
SELECT mlobs.tweedie_deviance_agg(y, yhat, 'NaN') FROM loss_rows;
SELECT mlobs.tweedie_deviance_agg(y, yhat, NULL) FROM loss_rows;
SELECT mlobs.tweedie_deviance_agg(y, yhat, CASE WHEN y > 1 THEN 1.5 ELSE 1 END) FROM loss_rows;
SELECT mlobs.poisson_deviance_agg(y, yhat) FROM (VALUES (2.0::float8, 1.0::float8), (-1.0, 2.0)) v(y, yhat);
SELECT mlobs.poisson_deviance_agg(y, yhat) FROM (VALUES (1.0::float8, 0.0::float8)) v(y, yhat);
SELECT mlobs.gamma_deviance_agg(y, yhat) FROM loss_rows WHERE name = 'hand_small_zero_target';
SELECT mlobs.tweedie_deviance_agg(y, yhat, -1) FROM (VALUES (-3.0::float8, 1.0::float8), (1.0, -0.5)) v(y, yhat);
SELECT mlobs.tweedie_deviance_agg(y, yhat, 3) FROM (VALUES (1.0::float8, 1e-200::float8)) v(y, yhat);
SELECT mlobs.tweedie_deviance_agg(y, yhat) FROM (VALUES ('NaN'::float8, 1.0::float8)) v(y, yhat);
SELECT mlobs.pinball_loss_agg(y, yhat) FROM (VALUES (1.0::float8, 'Infinity'::float8)) v(y, yhat);
SELECT mlobs.pinball_loss_agg(y, yhat, 0.9) FROM (VALUES (1e308::float8, -1e308::float8)) v(y, yhat);
SELECT mlobs.pinball_loss_agg(y, yhat, 1.5) FROM loss_rows;
SELECT mlobs.pinball_loss_agg(y, yhat, NULL) FROM loss_rows;
-- Parallel plans give the serial answer (partial states are serialized, merged in the leader).
CREATE TABLE loss_par AS
  SELECT i % 3 AS g, (abs(sin(i)) * 10 + 0.01)::float8 AS y, (abs(cos(i)) * 10 + 0.01)::float8 AS yhat
  FROM generate_series(1, 200000) i;
ANALYZE loss_par;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE loss_serial AS
  SELECT g, mlobs.tweedie_deviance_agg(y, yhat, 1.5) t, mlobs.gamma_deviance_agg(y, yhat) ga,
         mlobs.pinball_loss_agg(y, yhat, 0.1) q FROM loss_par GROUP BY ROLLUP (g);
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT mlobs.tweedie_deviance_agg(y, yhat, 1.5), mlobs.pinball_loss_agg(y, yhat, 0.1) FROM loss_par;
CREATE TEMP TABLE loss_parallel AS
  SELECT NULL::int AS g, mlobs.tweedie_deviance_agg(y, yhat, 1.5) t, mlobs.gamma_deviance_agg(y, yhat) ga,
         mlobs.pinball_loss_agg(y, yhat, 0.1) q FROM loss_par;
INSERT INTO loss_parallel
  SELECT g, mlobs.tweedie_deviance_agg(y, yhat, 1.5), mlobs.gamma_deviance_agg(y, yhat),
         mlobs.pinball_loss_agg(y, yhat, 0.1) FROM loss_par GROUP BY g;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
SELECT s.g, abs(s.t - p.t) <= 1e-12 * s.t AS tweedie_eq, abs(s.ga - p.ga) <= 1e-12 * s.ga AS gamma_eq,
       abs(s.q - p.q) <= 1e-12 * s.q AS pinball_eq
  FROM loss_serial s JOIN loss_parallel p ON s.g IS NOT DISTINCT FROM p.g ORDER BY s.g;
DROP TABLE loss_par;
-- Exact median absolute error (scikit-learn median_absolute_error, numpy's median: the midpoint
-- of the two middle values when n is even) is percentile_cont(0.5) over the rows' |error|;
-- mlobs.median_absolute_error(regression_summary) is the sketch's (within 1 %), for stored windows.
CREATE TEMP TABLE median_rows (name text, y float8, yhat float8);
INSERT INTO median_rows VALUES
  ('even_n_median_midpoint', 1.0, 1.125), ('even_n_median_midpoint', 2.0, 2.5),
  ('even_n_median_midpoint', 3.0, 2.0), ('even_n_median_midpoint', 4.0, 7.0),
  ('odd_n_median', 1.0, 1.5), ('odd_n_median', 2.0, 2.0), ('odd_n_median', 3.0, 2.0),
  ('odd_n_median', 4.0, 6.0), ('odd_n_median', 5.0, 4.0),
  ('small_hand', 3.0, 2.5), ('small_hand', -0.5, 0.0), ('small_hand', 2.0, 2.0), ('small_hand', 7.0, 8.0);
SELECT m.name, percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(m.y - m.yhat)) AS exact_median,
       s.value AS sklearn, percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(m.y - m.yhat)) = s.value AS matches
  FROM median_rows m JOIN (VALUES ('even_n_median_midpoint', 0.75::float8), ('odd_n_median', 1.0), ('small_hand', 0.5)) s(name, value)
    USING (name)
 GROUP BY m.name, s.value ORDER BY m.name;
