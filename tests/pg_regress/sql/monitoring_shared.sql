-- One scan per window (issue 18): monitors of one source, timestamp column, window size and
-- owner are computed together — up to 24 consecutive windows per GROUP BY scan, each distinct
-- summary expression once. Every stored summary must equal what a scan of its window alone gives
-- (windows with rows, an empty window between them, a window of one row), a bad row must fail
-- only the windows of the monitors that read it, and concept drift must read the reference rows
-- once (its reference side is kept with the reference summary).
SET timezone = 'UTC';
\set VERBOSITY terse
CREATE TEMP TABLE paused AS SELECT name FROM mlobs.monitors WHERE enabled;
-- Monitor ids of the suites after this one stay as they were (the sequence is set back at the end).
SELECT last_value AS monitor_seq, is_called AS monitor_seq_called FROM mlobs.monitors_id_seq \gset
UPDATE mlobs.monitors SET enabled = false WHERE enabled;
CREATE TABLE sh_log AS
SELECT timestamptz '2026-05-01' + (i * interval '37 seconds') AS ts,
       jsonb_build_object('x', (i % 17) / 17.0, 'c', (ARRAY['a', 'b', 'c'])[1 + i % 3]) AS features,
       ((i * 7919) % 1000) / 1000.0 AS score, (i % 3 = 0)::int AS label, (((i * 7919) % 1000) >= 500)::int AS predicted,
       5.0 + i % 11 AS latency_ms
  FROM generate_series(0, 2400) i                                   -- until 2026-05-02 00:40
 WHERE NOT (i * 37 >= 20 * 3600 AND i * 37 < 22 * 3600);            -- hours 20 and 21 have no rows
INSERT INTO sh_log VALUES ('2026-05-02 02:30', '{"x": 0.5, "c": "a"}', 0.5, 1, 1, 7);  -- one row in hour 26
SELECT mlobs.create_monitor('sh drift', 'sh', 'sh_log', 'feature_drift', '{}', '1 hour', '2026-05-01', '2026-05-01 06:00', start_at => '2026-05-01');
SELECT mlobs.create_monitor('sh quality', 'sh', 'sh_log', 'quality', '{}', '1 hour', '2026-05-01', '2026-05-01 06:00', start_at => '2026-05-01');
SELECT mlobs.create_monitor('sh perf', 'sh', 'sh_log', 'classification', '{"score": "score"}', '1 hour', '2026-05-01', '2026-05-01 06:00', start_at => '2026-05-01');
SELECT mlobs.create_monitor('sh latency', 'sh', 'sh_log', 'latency', '{}', '1 hour', start_at => '2026-05-01');
SELECT mlobs.create_monitor('sh latency 2h', 'sh', 'sh_log', 'latency', '{}', '2 hours', start_at => '2026-05-01');
SELECT windows, revised, points > 0 AS points, errors FROM mlobs.run_monitors('2026-05-02 04:00');
-- Every stored window equals its own scan (rows and summary text), empty and 1-row windows too.
CREATE FUNCTION pg_temp.own_scan_differs() RETURNS TABLE (monitor text, windows bigint, differing bigint, empty bigint, single bigint)
LANGUAGE plpgsql AS $$
DECLARE w record; n bigint; s text;
BEGIN
  CREATE TEMP TABLE checked (monitor text, rows bigint, same bool);
  FOR w IN SELECT mo, mw.window_start, mw.window_end, mw.rows, mw.summary FROM mlobs.monitor_windows mw
             JOIN mlobs.monitors mo ON mo.id = mw.monitor_id WHERE mo.model = 'sh' LOOP
    EXECUTE format('SELECT count(*), %s FROM %s WHERE %I >= $1 AND %I < $2', mlobs._monitor_summary_sql(w.mo),
                   (w.mo).source, (w.mo).ts_column, (w.mo).ts_column) INTO n, s USING w.window_start, w.window_end;
    INSERT INTO checked VALUES ((w.mo).name, w.rows, n = w.rows AND s IS NOT DISTINCT FROM w.summary);
  END LOOP;
  RETURN QUERY SELECT c.monitor, count(*), count(*) FILTER (WHERE NOT c.same), count(*) FILTER (WHERE c.rows = 0),
                      count(*) FILTER (WHERE c.rows = 1) FROM checked c GROUP BY c.monitor ORDER BY c.monitor;
  DROP TABLE checked;
END $$;
SELECT * FROM pg_temp.own_scan_differs();
-- The reference side of concept drift is kept; the window's concept_drift_score is the one the
-- two-sample function gives.
SELECT reference_summary::jsonb->'concept' ? 'edges' AS concept_kept FROM mlobs.monitors WHERE name = 'sh perf';
SELECT count(*) AS windows, max(abs(p.value - (mlobs.concept_drift(r.x, r.y, c.x, c.y)).score)) < 1e-12 AS same
  FROM mlobs.metric_points p JOIN mlobs.monitors mo ON mo.id = p.monitor_id AND mo.name = 'sh perf',
       (SELECT array_agg(score::float8) x, array_agg(label::float8) y FROM sh_log WHERE ts >= '2026-05-01' AND ts < '2026-05-01 06:00') r,
       LATERAL (SELECT array_agg(score::float8) x, array_agg(label::float8) y FROM sh_log
                 WHERE ts >= p.window_start AND ts < p.ts) c
 WHERE p.metric = 'concept_drift_score';
-- A label outside 0/1 in hour 27 (score_agg refuses it) fails the classification window alone:
-- the shared scan of its chunk fails, the chunk is computed monitor by monitor, and every other
-- monitor's window of that hour is stored. (A score outside [0, 1] no longer fails a window: it is
-- counted in invalid_score_share, monitoring_hostile section 12.)
INSERT INTO sh_log VALUES ('2026-05-02 03:10', '{"x": 0.5, "c": "a"}', 0.5, 7, 1, 7);
SELECT windows, jsonb_array_length(errors) AS errors, errors->0->>'monitor' AS failed, errors->0->>'sqlstate' AS sqlstate
  FROM mlobs.run_monitors('2026-05-02 06:00');
SELECT mo.name, count(*) FILTER (WHERE w.window_start = '2026-05-02 03:00') AS hour_27_stored
  FROM mlobs.monitors mo LEFT JOIN mlobs.monitor_windows w ON w.monitor_id = mo.id
 WHERE mo.model = 'sh' GROUP BY mo.name ORDER BY mo.name;
SELECT mo.name, f.window_start FROM mlobs.window_failures f JOIN mlobs.monitors mo ON mo.id = f.monitor_id WHERE mo.model = 'sh';
-- Fixed, the next run retries it.
DELETE FROM sh_log WHERE label = 7;
SELECT windows, errors FROM mlobs.run_monitors('2026-05-02 06:00');
SELECT count(*) AS failures_left FROM mlobs.window_failures f JOIN mlobs.monitors mo ON mo.id = f.monitor_id WHERE mo.model = 'sh';
SELECT * FROM pg_temp.own_scan_differs();
-- mlobs.latest_points (what the exporter reads) equals a DISTINCT ON over every point, for every
-- metric, with and without a kind, segments included.
SELECT count(*) AS cases, count(*) FILTER (WHERE rows > 0) AS with_rows, sum(differing) AS differing
  FROM (SELECT mt.metric, k.kind,
               (SELECT count(*) FROM mlobs.latest_points(mt.metric, k.kind)) AS rows,
               (SELECT count(*) FROM ((SELECT * FROM mlobs.latest_points(mt.metric, k.kind)
                                       EXCEPT SELECT * FROM (
                                         SELECT DISTINCT ON (p.model, p.feature, p.segment) p.monitor_id, p.window_start, p.ts, p.model,
                                                p.feature, p.value, p.segment
                                           FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
                                          WHERE p.metric = mt.metric AND p.value IS NOT NULL AND (k.kind IS NULL OR m.kind = k.kind)
                                          ORDER BY p.model, p.feature, p.segment, p.ts DESC, p.monitor_id DESC) d)
                                      UNION ALL
                                      (SELECT * FROM (
                                         SELECT DISTINCT ON (p.model, p.feature, p.segment) p.monitor_id, p.window_start, p.ts, p.model,
                                                p.feature, p.value, p.segment
                                           FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
                                          WHERE p.metric = mt.metric AND p.value IS NOT NULL AND (k.kind IS NULL OR m.kind = k.kind)
                                          ORDER BY p.model, p.feature, p.segment, p.ts DESC, p.monitor_id DESC) d
                                       EXCEPT SELECT * FROM mlobs.latest_points(mt.metric, k.kind))) x) AS differing
          FROM unnest(mlobs.metric_names()) mt(metric),
               (SELECT NULL::text AS kind UNION ALL SELECT kind FROM mlobs._monitor_kinds()) k) c;
SELECT count(*) AS no_metric FROM mlobs.latest_points(NULL);
-- A classification monitor from before 0.3.0 has no concept side: the next run adds it; one whose
-- reference rows are gone gets NULL (no concept_drift_score), not a failing monitor.
UPDATE mlobs.monitors SET reference_summary = (reference_summary::jsonb - 'concept')::text WHERE name = 'sh perf';
SELECT errors FROM mlobs.run_monitors('2026-05-02 06:00', monitor => 'sh perf');
SELECT jsonb_typeof(reference_summary::jsonb->'concept') AS concept FROM mlobs.monitors WHERE name = 'sh perf';
UPDATE mlobs.monitors SET reference_summary = (reference_summary::jsonb - 'concept')::text,
       reference_from = '2020-01-01', reference_to = '2020-01-02' WHERE name = 'sh perf';
SELECT errors FROM mlobs.run_monitors('2026-05-02 07:00', monitor => 'sh perf');
SELECT jsonb_typeof(reference_summary::jsonb->'concept') AS concept FROM mlobs.monitors WHERE name = 'sh perf';
-- A catch-up judges each monitor's new windows of a chunk in one call (_evaluate_alert_steps, 24
-- steps); the alert history must be the one a run per window gives. Model st_a catches up 30
-- hours in one run, st_b runs every hour; same rows, same rules. The data moves every kind of
-- transition: pending -> firing (for_duration), firing at once, recovered, no data (hours 18-19
-- empty, hour 22 one row), label metrics skipping windows without labels (hours 3, 4, 11),
-- a retraining request.
CREATE TABLE st_log AS
SELECT timestamptz '2026-05-10' + h * interval '1 hour' + k * interval '2 minutes' AS ts,
       jsonb_build_object('x', k) AS features, (k % 10) / 10.0 AS score,
       CASE WHEN h IN (3, 4, 11) THEN NULL ELSE ((k + h) % 2) END AS label,
       CASE WHEN h % 7 IN (2, 3, 4) THEN 1 ELSE (k % 2) END AS predicted,
       CASE WHEN h IN (2, 3, 4, 5, 9, 13, 14, 15, 16, 17, 21, 23) THEN 80.0 ELSE 20.0 END + k AS latency_ms
  FROM generate_series(0, 29) h, generate_series(0, 29) k
 WHERE h NOT IN (18, 19) AND (h <> 22 OR k = 0);
SELECT count(*) AS models_with_monitors FROM (
  SELECT mlobs.create_monitor('st ' || md || ' latency', md, 'st_log', 'latency', '{}', '1 hour', start_at => '2026-05-10'),
         mlobs.create_monitor('st ' || md || ' perf', md, 'st_log', 'classification', '{"score": "score"}', '1 hour',
                              '2026-05-10', '2026-05-10 02:00', start_at => '2026-05-10')
    FROM unnest(ARRAY['st_a', 'st_b']) md) x;
SELECT count(*) AS models_with_rules FROM (
  SELECT mlobs.create_alert_rule('st p99 ' || md, 'latency_p99_seconds', '>', 0.09, for_duration => '2 hours', model => md,
                                 min_rows => 10),
         mlobs.create_alert_rule('st p50 ' || md, 'latency_p50_seconds', '>', 0.08, model => md, min_rows => 10,
                                 request_retraining => true),
         mlobs.create_alert_rule('st accuracy ' || md, 'accuracy', '<', 0.5, model => md, min_rows => 10),
         mlobs.create_alert_rule('st f1 drop ' || md, 'f1', '>', 0.2, mode => 'drop_vs_reference', for_duration => '1 hour',
                                 model => md, min_rows => 10)
    FROM unnest(ARRAY['st_a', 'st_b']) md) x;
SELECT windows, errors FROM mlobs.run_monitors('2026-05-11 06:00',
  monitor_ids => ARRAY(SELECT id FROM mlobs.monitors WHERE model = 'st_a'));
SELECT sum(windows) AS windows, jsonb_agg(errors) FILTER (WHERE errors <> '[]') AS errors
  FROM generate_series(1, 30) h,
       LATERAL mlobs.run_monitors(timestamptz '2026-05-10' + h * interval '1 hour',
                                  monitor_ids => ARRAY(SELECT id FROM mlobs.monitors WHERE model = 'st_b'));
CREATE TEMP VIEW st_history AS
SELECT al.model, replace(ru.name, ' ' || al.model, '') AS rule, al.feature, al.metric, al.state, al.value, al.started_at,
       al.fired_at, al.resolved_at, al.resolved_reason, al.worst_value, al.judged_rows, al.judged_share, al.window_start
  FROM mlobs.alerts al JOIN mlobs.alert_rules ru ON ru.id = al.rule_id WHERE al.model IN ('st_a', 'st_b');
SELECT rule, state, resolved_reason, count(*) AS alerts FROM st_history WHERE model = 'st_a'
 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
SELECT (SELECT count(*) FROM ((SELECT rule, feature, metric, state, value, started_at, fired_at, resolved_at, resolved_reason,
                                      worst_value, judged_rows, judged_share, window_start FROM st_history WHERE model = 'st_a'
                               EXCEPT ALL
                               SELECT rule, feature, metric, state, value, started_at, fired_at, resolved_at, resolved_reason,
                                      worst_value, judged_rows, judged_share, window_start FROM st_history WHERE model = 'st_b')
                              UNION ALL
                              (SELECT rule, feature, metric, state, value, started_at, fired_at, resolved_at, resolved_reason,
                                      worst_value, judged_rows, judged_share, window_start FROM st_history WHERE model = 'st_b'
                               EXCEPT ALL
                               SELECT rule, feature, metric, state, value, started_at, fired_at, resolved_at, resolved_reason,
                                      worst_value, judged_rows, judged_share, window_start FROM st_history WHERE model = 'st_a')) d)
       AS differing_alerts,
       (SELECT array_agg(replace(reason, 'st_b', 'st_a') ORDER BY model) FROM mlobs.retraining_requests
         WHERE model IN ('st_a', 'st_b')) AS retraining;
DELETE FROM mlobs.retraining_requests WHERE model IN ('st_a', 'st_b');
DELETE FROM mlobs.alerts WHERE model IN ('st_a', 'st_b');
DELETE FROM mlobs.alert_rules WHERE model IN ('st_a', 'st_b');
SELECT count(mlobs.drop_monitor(name)) AS dropped FROM mlobs.monitors WHERE model IN ('st_a', 'st_b');
DROP VIEW st_history;
DROP TABLE st_log;
SELECT mlobs.drop_monitor(name) FROM mlobs.monitors WHERE model = 'sh' ORDER BY name;
DROP TABLE sh_log;
UPDATE mlobs.monitors SET enabled = true WHERE name IN (SELECT name FROM paused);
SELECT setval('mlobs.monitors_id_seq', :monitor_seq, :'monitor_seq_called') > 0 AS sequence_restored;
