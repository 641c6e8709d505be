-- Faults the review of the newer monitor families found on 2026-12-07 (CBPE, multivariate
-- drift, regression) on production-shaped data. Each case failed before its fix.
SET timezone = 'UTC';
\set VERBOSITY terse
SET client_min_messages = warning;
-- Full runs below touch only this file's monitors (named with run_monitors' monitor argument).

-- 1. A CBPE monitor recomputes its reference's calibration map while its labels land, but the
-- windows already estimated kept the old map's estimate for good. They are revised now.
SELECT setseed(0.3);
CREATE TABLE rf_cb AS
SELECT ts, s AS score, NULL::int AS label, (random() < s)::int AS true_label
  FROM (SELECT ts, random() AS s FROM generate_series(timestamptz '2026-04-01', timestamptz '2026-04-04' - interval '1 minute',
                                                      interval '1 minute') ts) x;
SELECT mlobs.create_monitor('rf cb', 'rf_cb', 'rf_cb', 'cbpe', '{}', '6 hours', '2026-04-01', '2026-04-02') > 0 AS created;
UPDATE rf_cb SET label = true_label WHERE ts < '2026-04-02' AND score > 0.5;          -- the first reference labels
SELECT status, windows, revised FROM mlobs.run_monitors('2026-04-03', monitor => 'rf cb');
UPDATE rf_cb SET label = true_label WHERE ts < '2026-04-02' AND label IS NULL;         -- the rest land
SELECT status, windows, revised FROM mlobs.run_monitors('2026-04-03 06:00', monitor => 'rf cb');
SELECT p.window_start, p.value = (SELECT mlobs.accuracy(mlobs.cbpe_agg(l.score, m.reference_summary::mlobs.calibration, 0.5))
                                    FROM rf_cb l WHERE l.ts >= p.window_start AND l.ts < p.window_start + interval '6 hours')
         AS with_the_current_map
  FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'rf cb' AND p.metric = 'cbpe_accuracy' ORDER BY 1;

-- ... and a late row in an older window (within late_data_horizon, past label_horizon) that came
-- in the same run as reference labels was lost: the reference's revision replaced the windows
-- whose rows changed (review of this change).
CREATE TABLE rf_cl (ts timestamptz NOT NULL, score float8, label bool);
SELECT setseed(0.3);
INSERT INTO rf_cl SELECT timestamptz '2026-11-01' + i * interval '10 minutes', s, random() < s
  FROM generate_series(0, 11 * 144) i, LATERAL (SELECT random() AS s OFFSET 0) x;
SELECT mlobs.create_monitor('rf cl', 'rf_cl', 'rf_cl', 'cbpe', '{}', '1 day', '2026-11-09', '2026-11-11 12:00', 'ts', '2026-11-01',
                            label_horizon => '1 day', late_data_horizon => '10 days') > 0 AS created;
SELECT status, windows, revised FROM mlobs.run_monitors('2026-11-12 00:05', monitor => 'rf cl');
INSERT INTO rf_cl VALUES ('2026-11-07 12:00:30', 0.5, NULL);
UPDATE rf_cl SET label = NOT label WHERE ts >= '2026-11-10' AND ts < '2026-11-10 06:00';
SELECT status, windows, revised FROM mlobs.run_monitors('2026-11-12 00:10', monitor => 'rf cl');
SELECT w.rows, (SELECT count(*) FROM rf_cl WHERE ts >= '2026-11-07' AND ts < '2026-11-08') AS rows_in_the_log
  FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id
 WHERE m.name = 'rf cl' AND w.window_start = '2026-11-07' AND w.segment = '';

-- 2. A CBPE monitor over a text label was accepted and failed every run with 42883; its
-- reference with rows but no labels yet said it had no rows.
CREATE TABLE rf_tl AS SELECT ts, 0.5::float8 AS score, '1'::text AS label
  FROM generate_series(timestamptz '2026-04-01', timestamptz '2026-04-03', interval '1 hour') ts;
SELECT mlobs.create_monitor('rf cb text', 'rf_tl', 'rf_tl', 'cbpe', '{}', '6 hours', '2026-04-01', '2026-04-02');
ALTER TABLE rf_tl ALTER COLUMN label TYPE int USING NULL;
SELECT mlobs.create_monitor('rf cb nolabel', 'rf_tl', 'rf_tl', 'cbpe', '{}', '6 hours', '2026-04-01', '2026-04-02') > 0 AS created;
SELECT status, errors->0->>'error' AS error FROM mlobs.run_monitors('2026-04-03', monitor => 'rf cb nolabel');

-- 3. One reference row holding 1e200 overflowed the PCA fit: every run failed and the monitor
-- never computed a window. Such a row is left out, like 1e400.
CREATE TABLE rf_mv AS
SELECT timestamptz '2026-03-01' + i * interval '1 minute' AS ts,
       jsonb_build_object('a', (i * 7919 % 1009) / 1009.0, 'b', (i * 104729 % 1013) / 1013.0) AS features
  FROM generate_series(0, 24 * 60 - 1) i;
UPDATE rf_mv SET features = '{"a": 1e200, "b": 0.5}' WHERE ts = '2026-03-01 03:30';
-- 4. ... and a window row of 1e308 stored reconstruction_error NaN and fired the drift rule.
INSERT INTO rf_mv VALUES ('2026-03-01 18:30', '{"a": 1e308, "b": 1e308}');
SELECT mlobs.create_monitor('rf pca', 'rf_mv', 'rf_mv', 'multivariate_drift', '{"keys": ["a", "b"]}', '2 hours',
                            '2026-03-01', '2026-03-01 16:00') > 0 AS created;
SELECT status, windows, errors FROM mlobs.run_monitors('2026-03-02', monitor => 'rf pca');
SELECT p.window_start, p.metric, p.value FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'rf pca' AND p.window_start = '2026-03-01 18:00' AND p.metric IN ('rows', 'multivariate_drift')
 ORDER BY 2;
SELECT count(*) AS nan_points FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'rf pca' AND p.value = 'NaN';
SELECT count(*) AS alerts FROM mlobs.alerts a JOIN mlobs.monitors m ON m.id = a.monitor_id WHERE m.name = 'rf pca';
SELECT mlobs.pca_error(mlobs.pca_fit(ARRAY[[0, 0], [0.1, 0.1], [0.2, 0.25]]::float8[]), ARRAY[[1e149, -1e149]]::float8[]) > 1e140
       AS far_row_is_far;

-- 5. A reference with no complete rows named neither the monitor nor its keys; a domain
-- classifier reference of fewer than 10 rows was stored and failed every window after it.
CREATE TABLE rf_few AS SELECT timestamptz '2026-03-01' + i * interval '1 minute' AS ts,
       CASE WHEN i < 5 OR i >= 600 THEN jsonb_build_object('a', i % 7, 'b', i % 5) ELSE '{"a": 1}' END AS features
  FROM generate_series(0, 24 * 60 - 1) i;
SELECT mlobs.create_monitor('rf few pca', 'rf_few', 'rf_few', 'multivariate_drift', '{"keys": ["a", "b"]}', '2 hours',
                            '2026-03-01 01:00', '2026-03-01 09:00') > 0 AS created,
       mlobs.create_monitor('rf few dc', 'rf_few', 'rf_few', 'multivariate_drift', '{"keys": ["a", "b"], "method": "domain_classifier"}',
                            '2 hours', '2026-03-01', '2026-03-01 09:00') > 0 AS created;
SELECT e->>'monitor' AS monitor, e->>'sqlstate' AS sqlstate, e->>'error' AS error
  FROM mlobs.run_monitors('2026-03-02', monitor_ids => ARRAY(SELECT id FROM mlobs.monitors WHERE name LIKE 'rf few %')) r,
       jsonb_array_elements(r.errors) e ORDER BY 1;
SELECT name, reference_summary IS NULL AS not_stored, watermark FROM mlobs.monitors WHERE name LIKE 'rf few %' ORDER BY 1;

-- 6. A regression window whose one labelled row has an error of 1e155 stored rmse = Infinity
-- (the MSE overflows, the RMSE does not); the overflow message put the bound at 1.8e308.
CREATE TABLE rf_rl AS SELECT ts, (i % 7)::float8 AS target, (i % 5)::float8 AS prediction
  FROM generate_series(timestamptz '2026-04-01', timestamptz '2026-04-03' - interval '1 minute', interval '1 minute') WITH ORDINALITY g(ts, i);
UPDATE rf_rl SET target = NULL WHERE ts >= '2026-04-02';
UPDATE rf_rl SET target = 1e155 WHERE ts = '2026-04-02 03:00';
SELECT mlobs.create_monitor('rf reg', 'rf_rl', 'rf_rl', 'regression', '{}', '6 hours', '2026-04-01', '2026-04-02') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-04-03', monitor => 'rf reg');
SELECT p.metric, p.value FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'rf reg' AND p.window_start = '2026-04-02 00:00' AND p.metric IN ('rmse', 'mae', 'labelled_rows') ORDER BY 1;
UPDATE rf_rl SET target = 2 WHERE ts = '2026-04-02 03:01';
SELECT status, errors->0->>'error' AS error FROM mlobs.run_monitors('2026-04-03 01:00', monitor => 'rf reg');

-- 7. The domain classifier's forest (smartcore) polls for no cancellation: 5000 rows of 500
-- keys ran ~20 s past a 3 s statement_timeout, and pg_terminate_backend waited as long. It runs
-- on its own thread while the backend polls (the thread runs on to its end: reconnect after).
CREATE TABLE rf_dc AS WITH r AS (SELECT array_agg(ARRAY(SELECT ((i * 7919 + j * 104729) % 1000) / 1000.0 FROM generate_series(1, 100) j))::float8[] a
                                   FROM generate_series(1, 4000) i)
SELECT r.a AS ra, r.a AS ca FROM r;
SELECT clock_timestamp() AS rf_t0 \gset
SET statement_timeout = '200ms';
SELECT (mlobs.domain_classifier(ra, ca)).auc FROM rf_dc;
RESET statement_timeout;
SELECT clock_timestamp() - :'rf_t0'::timestamptz < interval '2 seconds' AS cancelled_on_time;
DROP TABLE rf_dc;
\c
SET timezone = 'UTC';
\set VERBOSITY terse
SET client_min_messages = warning;

-- 8. The dataset verdict (drifted_features, drift_share) judged every monitor with 'auto'
-- whatever its method: a psi monitor stored psi 15.2 (psi_critical fired) and 0 drifted
-- features (review of 2026-12-08; Evidently's DatasetDriftMetric(num_stattest='psi') gives 1).
CREATE TABLE rf_cap AS
SELECT timestamptz '2026-04-01' + i * interval '1 minute' AS ts,
       jsonb_build_object('capacitance', (1 + (i * 7919 % 1000) / 1000.0) * CASE WHEN i < 2880 THEN 1e-6 ELSE 3e-6 END) AS features
  FROM generate_series(0, 3 * 1440 - 1) i;
SELECT mlobs.create_monitor('rf cap psi', 'rf_cap', 'rf_cap', 'feature_drift', '{"method": "psi"}', '1 day', '2026-04-01', '2026-04-03') > 0 AS created;
SELECT mlobs.create_monitor('rf cap auto', 'rf_cap', 'rf_cap', 'feature_drift', '{}', '1 day', '2026-04-01', '2026-04-03') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-04-04', monitor => 'rf cap psi');
SELECT status, windows FROM mlobs.run_monitors('2026-04-04', monitor => 'rf cap auto');
SELECT m.name, p.feature, p.metric, round(p.value::numeric, 4) AS value FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name LIKE 'rf cap %' AND p.window_start = '2026-04-03' AND p.metric <> 'rows' ORDER BY 1, 2, 3;

-- 9. An empty window of a classification monitor stored labelled_rows NULL (rows 0).
CREATE TABLE rf_c AS SELECT timestamptz '2026-04-01' + i * interval '1 minute' AS ts, i % 2 AS label, (i % 3 = 0)::int AS predicted
  FROM generate_series(0, 2 * 1440 - 1) i WHERE i < 1440 OR i >= 2 * 1440 - 10;
SELECT mlobs.create_monitor('rf c', 'rf_c', 'rf_c', 'classification', '{}', '1 day', '2026-03-31', '2026-04-01') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-04-04', monitor => 'rf c');
SELECT p.window_start::date, p.metric, p.value FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'rf c' AND p.metric IN ('rows', 'labelled_rows', 'labelled_share') ORDER BY 1, 2;

-- 10. A profile's drift read every value through its sketch's 1 % buckets: years 2019..2026
-- drifting to 2019..2021 stored psi 0.0015 (Evidently 5.066; no alert), and 0..5 item counts in
-- a 48-row window psi 8.92 (Evidently 2.61). Profiles of at most 256 distinct values count them.
CREATE TABLE rf_yr AS
SELECT timestamptz '2026-04-01' + i * interval '1 minute' AS ts,
       jsonb_build_object('model_year', CASE WHEN i < 2880 THEN 2019 + (i * 7) % 8 ELSE 2019 + (i * 7) % 3 END,
                          'n_items', CASE WHEN i < 2880 THEN i % 6 ELSE 1 + i % 4 END) AS features
  FROM generate_series(0, 3 * 1440 - 1) i WHERE i < 2880 OR i % 30 = 0;
SELECT mlobs.create_monitor('rf yr', 'rf_yr', 'rf_yr', 'feature_drift', '{"method": "psi"}', '1 day', '2026-04-01', '2026-04-03') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-04-04', monitor => 'rf yr');
SELECT p.feature, p.metric, round(p.value::numeric, 6) AS stored,
       round(mlobs.psi(array(SELECT (features->>p.feature)::float8 FROM rf_yr WHERE ts < '2026-04-03'),
                       array(SELECT (features->>p.feature)::float8 FROM rf_yr WHERE ts >= '2026-04-03'))::numeric, 6) AS on_rows
  FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'rf yr' AND p.metric = 'psi' ORDER BY 1;

-- 11. A disabled monitor's firing alerts stayed firing for good (no run judges it; the relay
-- paged them and ml_alerts_firing stayed 1): they resolve as monitor_disabled.
-- (At once, by the disabling itself: a per-owner job's run never evaluates a disabled monitor.)
SELECT mlobs.set_monitor_enabled('rf yr', false);
SELECT r.name, a.feature, a.state, a.resolved_reason, a.resolved_at FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id
  JOIN mlobs.monitors m ON m.id = a.monitor_id WHERE m.name = 'rf yr' AND r.name LIKE 'psi%' ORDER BY 1, 2;
-- latest_points with a kind reads the series' newest points only: feature_drift's psi series
-- are not prediction_drift's, whatever their history.
SELECT count(*) AS prediction_drift_psi FROM mlobs.latest_points('psi', 'prediction_drift') l JOIN mlobs.monitors m ON m.id = l.monitor_id
 WHERE m.name = 'rf yr';
SELECT count(*) AS feature_drift_psi FROM mlobs.latest_points('psi', 'feature_drift') l JOIN mlobs.monitors m ON m.id = l.monitor_id
 WHERE m.name = 'rf yr';
-- A 30-minute feature_drift with a key named prediction beside a daily prediction_drift: the
-- feature_drift filled the series' newest points, and the daily psi was not listed.
CREATE TABLE rf_lp AS SELECT ts, jsonb_build_object('prediction', (i % 50) / 50.0 * CASE WHEN ts >= '2026-04-03' THEN 2 ELSE 1 END) AS features,
       (i % 50) / 50.0 * CASE WHEN ts >= '2026-04-03' THEN 0.5 ELSE 1 END AS score
  FROM generate_series(0, 4 * 1440 - 1) i, LATERAL (SELECT timestamptz '2026-04-01' + i * interval '1 minute' AS ts) t;
SELECT mlobs.create_monitor('rf lp fd', 'rf_lp', 'rf_lp', 'feature_drift', '{}', '30 minutes', '2026-04-01', '2026-04-02') > 0 AS created,
       mlobs.create_monitor('rf lp pd', 'rf_lp', 'rf_lp', 'prediction_drift', '{}', '1 day', '2026-04-01', '2026-04-02') > 0 AS created;
SELECT (mlobs.run_monitors('2026-04-05', monitor => 'rf lp fd')).status, (mlobs.run_monitors('2026-04-04', monitor => 'rf lp pd')).status;
SELECT l.ts, round(l.value::numeric, 4) AS psi,
       (SELECT round(p.value::numeric, 4) FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
         WHERE m.name = 'rf lp pd' AND p.metric = 'psi' ORDER BY p.ts DESC LIMIT 1) AS newest_psi
  FROM mlobs.latest_points('psi', 'prediction_drift') l WHERE l.model = 'rf_lp';

SELECT mlobs.drop_monitor(name) FROM mlobs.monitors WHERE name LIKE 'rf %' ORDER BY name;
DELETE FROM mlobs.retraining_requests WHERE model LIKE 'rf\_%';
DROP TABLE rf_cb, rf_cl, rf_tl, rf_mv, rf_few, rf_rl, rf_cap, rf_c, rf_yr, rf_lp;
