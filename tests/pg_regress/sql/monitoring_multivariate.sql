-- Multivariate drift monitors (issue 18): kind multivariate_drift with NannyML's reconstruction
-- error (pca, the band learned from the reference windows) and the domain classifier, from stored
-- data, owned by a non-superuser. A correlation break that leaves every marginal unchanged must
-- be flagged by both; reference-like windows must stay inside the band; a window of one row, an
-- empty window and rows with a value beyond float8 / of the wrong type must not fail anything.
-- Expected numbers: scikit-learn 1.7.2 as NannyML computes them
-- (tests/fixtures/generate_multivariate_monitor.py), and mlobs.pca_drift on the same rows.
SET timezone = 'UTC';
\set VERBOSITY terse
CREATE TEMP TABLE paused AS SELECT name FROM mlobs.monitors WHERE enabled;
SELECT last_value AS monitor_seq, is_called AS monitor_seq_called FROM mlobs.monitors_id_seq \gset
UPDATE mlobs.monitors SET enabled = false WHERE enabled;
DROP ROLE IF EXISTS regress_mlobs_mv;
CREATE ROLE regress_mlobs_mv IN ROLE mlobs_admin;
-- One row per minute (a, b = a + noise, c independent) from 2026-06-01 00:00 to 2026-06-02 03:59;
-- from 22:00 b = -a + noise: the same marginals, the correlation reversed.
CREATE TABLE mv_log AS
SELECT timestamptz '2026-06-01' + i * interval '1 minute' AS ts,
       jsonb_build_object('a', a, 'b', CASE WHEN i >= 22 * 60 THEN -a ELSE a END + 0.3 * n, 'c', c) AS features
  FROM (SELECT i, (i * 7919 % 1009) / 1009.0::float8 - 0.5 AS a, (i * 104729 % 1013) / 1013.0::float8 - 0.5 AS n,
               (i * 1299709 % 1019) / 1019.0::float8 AS c FROM generate_series(0::bigint, 28 * 60 - 1) i) s;
-- Rows a monitor cannot use (dropped, never an error): a number beyond float8, a string, a key missing.
INSERT INTO mv_log VALUES ('2026-06-01 16:30', '{"a": 1e400, "b": 0, "c": 0.5}'), ('2026-06-01 16:31', '{"a": "x", "b": 0, "c": 0.5}'),
                          ('2026-06-01 16:32', '{"a": 0.1, "c": 0.5}'), ('2026-06-01 16:33', '[1, 2, 3]');
-- A window of one row (04:00-06:00), then an empty one (06:00-08:00).
INSERT INTO mv_log VALUES ('2026-06-02 05:00', '{"a": 0.1, "b": 0.1, "c": 0.5}');
GRANT SELECT ON mv_log TO regress_mlobs_mv;

-- Config checks (22023, naming the key).
SET ROLE regress_mlobs_mv;
SELECT mlobs.create_monitor('mv bad', 'mv', 'mv_log', 'multivariate_drift', '{}', '2 hours', '2026-06-01', '2026-06-01 16:00');
SELECT mlobs.create_monitor('mv bad', 'mv', 'mv_log', 'multivariate_drift', '{"keys": ["a"]}', '2 hours', '2026-06-01', '2026-06-01 16:00');
SELECT mlobs.create_monitor('mv bad', 'mv', 'mv_log', 'multivariate_drift', '{"keys": ["a", "a"]}', '2 hours', '2026-06-01', '2026-06-01 16:00');
SELECT mlobs.create_monitor('mv bad', 'mv', 'mv_log', 'multivariate_drift', '{"keys": "a,b"}', '2 hours', '2026-06-01', '2026-06-01 16:00');
SELECT mlobs.create_monitor('mv bad', 'mv', 'mv_log', 'multivariate_drift', '{"keys": ["a", "b"], "method": "lof"}', '2 hours', '2026-06-01', '2026-06-01 16:00');
SELECT mlobs.create_monitor('mv bad', 'mv', 'mv_log', 'multivariate_drift', '{"keys": ["a", "b"], "variance": 1}', '2 hours', '2026-06-01', '2026-06-01 16:00');
SELECT mlobs.create_monitor('mv bad', 'mv', 'mv_log', 'multivariate_drift', '{"keys": ["a", "b"], "sample": 100}', '2 hours', '2026-06-01', '2026-06-01 16:00');
SELECT mlobs.create_monitor('mv bad', 'mv', 'mv_log', 'multivariate_drift', '{"keys": ["a", "b"], "method": "domain_classifier", "sample": 5}', '2 hours', '2026-06-01', '2026-06-01 16:00');
SELECT mlobs.create_monitor('mv bad', 'mv', 'mv_log', 'multivariate_drift', '{"keys": ["a", "b"]}', '2 hours', '2026-06-01', '2026-06-01 03:00');
SELECT mlobs.create_monitor('mv bad', 'mv', 'mv_log', 'multivariate_drift', '{"keys": ["a", "b"], "features": "nope"}', '2 hours', '2026-06-01', '2026-06-01 16:00');
-- The reference: 00:00-16:00, eight windows of 2 hours.
SELECT mlobs.create_monitor('mv pca', 'mv', 'mv_log', 'multivariate_drift', '{"keys": ["a", "b", "c"]}', '2 hours', '2026-06-01', '2026-06-01 16:00') > 0;
SELECT mlobs.create_monitor('mv dc', 'mv', 'mv_log', 'multivariate_drift', '{"keys": ["a", "b", "c"], "method": "domain_classifier"}',
                            '2 hours', '2026-06-01', '2026-06-01 16:00') > 0;
RESET ROLE;
SELECT name, owner, kind FROM mlobs.monitors WHERE model = 'mv' ORDER BY 1;
SELECT status, windows, errors FROM mlobs.run_monitors('2026-06-02 08:00');
-- Nothing failed; the owner's monitors computed every window, the bad rows counted in `rows`.
SELECT count(*) AS failures FROM mlobs.window_failures f JOIN mlobs.monitors m ON m.id = f.monitor_id WHERE m.model = 'mv';

-- pca: the points per window, the band and the alert flag.
SELECT p.window_start, max(p.value) FILTER (WHERE p.metric = 'rows') AS rows,
       round(max(p.value) FILTER (WHERE p.metric = 'reconstruction_error')::numeric, 6) AS error,
       round(max(p.value) FILTER (WHERE p.metric = 'reconstruction_error_lower')::numeric, 6) AS lower,
       round(max(p.value) FILTER (WHERE p.metric = 'reconstruction_error_upper')::numeric, 6) AS upper,
       max(p.value) FILTER (WHERE p.metric = 'multivariate_drift') AS drift,
       count(*) FILTER (WHERE p.metric <> 'rows' AND p.value IS NULL) AS null_points
  FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id WHERE m.name = 'mv pca'
 GROUP BY 1 ORDER BY 1;
-- NannyML's numbers (scikit-learn, tests/fixtures/generate_multivariate_monitor.py) to 1e-9.
WITH expected(k, v) AS (VALUES ('lower', 0.8986500838929258::float8),
        ('upper', 0.9080419981097155::float8),
        ('2026-06-01 16:00', 0.9022485335967612::float8),
        ('2026-06-01 18:00', 0.9040988932840742::float8),
        ('2026-06-01 20:00', 0.9040445232355839::float8),
        ('2026-06-01 22:00', 1.5783844801426665::float8),
        ('2026-06-02 00:00', 1.631615291688316::float8),
        ('2026-06-02 02:00', 1.581023236696621::float8)),
got AS (
  SELECT to_char(p.window_start, 'YYYY-MM-DD HH24:MI') AS k, p.value AS v FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
   WHERE m.name = 'mv pca' AND p.metric = 'reconstruction_error'
  UNION ALL SELECT 'lower', (reference_summary::jsonb->>'lower')::float8 FROM mlobs.monitors WHERE name = 'mv pca'
  UNION ALL SELECT 'upper', (reference_summary::jsonb->>'upper')::float8 FROM mlobs.monitors WHERE name = 'mv pca')
SELECT count(*) AS compared, bool_and(abs(e.v - g.v) < 1e-9) AS nannyml_equal FROM expected e JOIN got g USING (k);
-- The same rows through mlobs.pca_drift (one call per window) and mlobs.learned_threshold: to 1e-12.
CREATE TEMP TABLE mv_rows AS
  SELECT date_bin('2 hours', ts, '2000-01-01') AS w, ts < '2026-06-01 16:00' AS ref,
         mlobs.jsonb_floats(features, '{a,b,c}') AS r FROM mv_log;
WITH ref AS (SELECT array_agg(r) r FROM mv_rows WHERE ref),
     per AS (SELECT w, ref AS is_ref, (mlobs.pca_drift(ref.r, array_agg(mv_rows.r))).current_error AS e
               FROM mv_rows, ref GROUP BY w, ref, ref.r),
     band AS (SELECT mlobs.learned_threshold(array_agg(e), 3, lower_limit => 0) b FROM per WHERE is_ref)
SELECT count(*) AS windows,
       bool_and(abs(p.value - per.e) < 1e-12) AS windows_equal,
       bool_and(abs((m.reference_summary::jsonb->>'lower')::float8 - (band.b).lower) < 1e-12
                AND abs((m.reference_summary::jsonb->>'upper')::float8 - (band.b).upper) < 1e-12) AS band_equal
  FROM per JOIN mlobs.monitor_windows w ON w.window_start = per.w
  JOIN mlobs.monitors m ON m.id = w.monitor_id AND m.name = 'mv pca'
  JOIN mlobs.metric_points p ON p.monitor_id = m.id AND p.window_start = per.w AND p.metric = 'reconstruction_error', band
 WHERE NOT per.is_ref;
-- Both monitors were computed in one shared scan (same source, window and owner); each stored
-- summary equals a scan of its window alone (the pca error is summed exactly, the sample is
-- order-free).
CREATE FUNCTION pg_temp.own_scan(m mlobs.monitors, ws timestamptz, we timestamptz) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  EXECUTE format('SELECT %s FROM mv_log WHERE ts >= $1 AND ts < $2', mlobs._monitor_summary_sql(m)) INTO r USING ws, we;
  RETURN r;
END $$;
SELECT m.name, count(*) AS windows, bool_and(w.summary = pg_temp.own_scan(m, w.window_start, w.window_end)) AS summaries_equal
  FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id WHERE m.model = 'mv' GROUP BY 1 ORDER BY 1;
-- The model's reference errors are the reference windows' (NannyML's reference chunks).
SELECT jsonb_array_length(reference_summary::jsonb->'reference_errors') AS reference_windows,
       reference_summary::jsonb->'reference_rows' AS reference_rows,
       jsonb_array_length(reference_summary::jsonb->'model'->'components') AS components
  FROM mlobs.monitors WHERE name = 'mv pca';

-- domain classifier: below 0.65 on reference-like windows (≈ 0.35, the out-of-bag AUC's pessimism on
-- 120 rows, hence no lower bound), towards 1 after the break; NULL points with fewer than 10
-- complete rows (the window of one row, the empty window).
SELECT p.window_start, max(p.value) FILTER (WHERE p.metric = 'rows') AS rows,
       CASE WHEN max(p.value) FILTER (WHERE p.metric = 'domain_classifier_auc') > 0.9 THEN 'high'
            WHEN max(p.value) FILTER (WHERE p.metric = 'domain_classifier_auc') BETWEEN 0.3 AND 0.45 THEN 'below 0.45'
            ELSE coalesce(round(max(p.value) FILTER (WHERE p.metric = 'domain_classifier_auc')::numeric, 4)::text, 'NULL') END AS auc,
       max(p.value) FILTER (WHERE p.metric = 'multivariate_drift') AS drift,
       count(*) FILTER (WHERE p.metric <> 'rows' AND p.value IS NULL) AS null_points
  FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id WHERE m.name = 'mv dc'
 GROUP BY 1 ORDER BY 1;
-- Each window's sample is kept with it (at most `sample` rows): the metric step reads no source row.
SELECT w.window_start, array_length((w.summary::jsonb->>'sample')::float8[], 1) AS sample_rows
  FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id WHERE m.name = 'mv dc' ORDER BY 1;
SELECT array_length((reference_summary::jsonb->>'sample')::float8[], 1) AS reference_sample FROM mlobs.monitors WHERE name = 'mv dc';
-- The preinstalled rule fires on both after the break, and resolves as no data on the empty window.
SELECT m.name, r.name AS rule, a.state, a.window_start, a.resolved_reason
  FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id JOIN mlobs.monitors m ON m.id = a.monitor_id
 WHERE m.model = 'mv' ORDER BY 1, a.id;
SELECT name, metric, comparison, threshold, severity, min_rows FROM mlobs.alert_rules WHERE name = 'multivariate_drift';

-- The functions behind it.
SELECT mlobs.jsonb_floats('{"a": 1.5, "b": "x", "c": 1e400, "d": -2, "e": null, "f": {"g": 1}}', '{a,b,c,d,e,f,missing,a}');
SELECT mlobs.jsonb_floats('[1, 2]', '{a}'), mlobs.jsonb_floats('{"a": 1e-400}', '{a}');
SELECT mlobs.pca_error(mlobs.pca_fit('{{1,2},{2,4.1},{3,5.9},{4,8}}'), '{{1,2},{NaN,1}}') IS NOT NULL AS one_complete_row,
       mlobs.pca_error(mlobs.pca_fit('{{1,2},{2,4.1},{3,5.9},{4,8}}'), '{{NULL,2}}') IS NULL AS no_complete_row;
SELECT mlobs.pca_error(mlobs.pca_fit('{{1,2},{2,4.1},{3,5.9},{4,8}}'), '{{1,2,3}}');
SELECT mlobs.pca_error('{"mean": [0, 0], "scale": [1, 0], "components": [[1, 0]]}', '{{1,2}}');
SELECT mlobs.pca_error('{"mean": [1e400]}', '{{1,2}}');

SELECT mlobs.drop_monitor(name) FROM mlobs.monitors WHERE model = 'mv' ORDER BY name;
DROP TABLE mv_log;
DROP OWNED BY regress_mlobs_mv;
DROP ROLE regress_mlobs_mv;
UPDATE mlobs.monitors SET enabled = true WHERE name IN (SELECT name FROM paused);
SELECT setval('mlobs.monitors_id_seq', :monitor_seq, :'monitor_seq_called') > 0 AS sequence_restored;
