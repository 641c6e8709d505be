-- Segments (issue 18): segment_by (a column, a jsonb key), the max_segments cap and '(other)',
-- per-segment points equal to computing them on the segment's rows directly, the whole window
-- unchanged, rules filtered by segment, late labels, empty and 1-row windows, awkward jsonb,
-- and what mlobs_reader sees.
SET timezone = 'UTC';
\set VERBOSITY terse
SELECT last_value AS monitor_seq, is_called AS monitor_seq_called FROM mlobs.monitors_id_seq \gset
SELECT last_value AS rule_seq, is_called AS rule_seq_called FROM mlobs.alert_rules_id_seq \gset
-- Full runs below must touch only this suite's monitors: pause the others (resumed at the end).
CREATE TEMP TABLE paused AS SELECT name FROM mlobs.monitors WHERE enabled;
UPDATE mlobs.monitors SET enabled = false WHERE enabled;

-- Three days, a row a minute, four countries; day 1 is the reference. From day 2 the
-- amount of DE (and only DE) triples. Labels of day 3 arrive later (UPDATE below).
CREATE TABLE seg_log AS
SELECT timestamptz '2026-04-01' + i * interval '1 minute' AS ts,
       (ARRAY['DE', 'FR', 'US', 'IT'])[1 + i % 4] AS country,
       jsonb_build_object('amount', ((i * 7919) % 1000) / 1000.0 * CASE WHEN i >= 1440 AND i % 4 = 0 THEN 3 ELSE 1 END,
                          'channel', CASE WHEN i % 3 = 0 THEN 'web' ELSE 'app' END) AS features,
       ((i * 104729) % 1000) / 1000.0 AS score,
       CASE WHEN i < 2880 THEN ((i * 31) % 7 < 3)::int END AS label,
       ((i * 17) % 5 < 2)::int AS predicted
  FROM generate_series(0, 4319) i;
-- Day 2: an hour without rows, an hour with one row, and awkward channel values (a number, an
-- object, a missing key).
DELETE FROM seg_log WHERE ts >= '2026-04-02 05:00' AND ts < '2026-04-02 06:00';
DELETE FROM seg_log WHERE ts > '2026-04-02 07:00' AND ts < '2026-04-02 08:00';
UPDATE seg_log SET features = features || '{"channel": 5}' WHERE ts = '2026-04-02 10:00';
UPDATE seg_log SET features = features || '{"channel": {"x": 1}}' WHERE ts = '2026-04-02 10:01';
UPDATE seg_log SET features = features - 'channel' WHERE ts = '2026-04-02 10:02';

-- Bad segment configs: clear errors naming the key.
SELECT mlobs.create_monitor('seg bad', 'seg', 'seg_log', 'feature_drift', '{"segment_by": "country"}', '1 hour', '2026-04-01', '2026-04-02');
SELECT mlobs.create_monitor('seg bad', 'seg', 'seg_log', 'feature_drift', '{"segment_by": []}', '1 hour', '2026-04-01', '2026-04-02');
SELECT mlobs.create_monitor('seg bad', 'seg', 'seg_log', 'feature_drift', '{"segment_by": ["a", "b", "c", "d"]}', '1 hour', '2026-04-01', '2026-04-02');
SELECT mlobs.create_monitor('seg bad', 'seg', 'seg_log', 'feature_drift', '{"segment_by": ["features->"]}', '1 hour', '2026-04-01', '2026-04-02');
SELECT mlobs.create_monitor('seg bad', 'seg', 'seg_log', 'feature_drift', '{"segment_by": ["colour"]}', '1 hour', '2026-04-01', '2026-04-02');
SELECT mlobs.create_monitor('seg bad', 'seg', 'seg_log', 'feature_drift', '{"segment_by": ["country->x"]}', '1 hour', '2026-04-01', '2026-04-02');
SELECT mlobs.create_monitor('seg bad', 'seg', 'seg_log', 'feature_drift', '{"segment_by": ["country"], "max_segments": 0}', '1 hour', '2026-04-01', '2026-04-02');
SELECT mlobs.create_monitor('seg bad', 'seg', 'seg_log', 'feature_drift', '{"segment_by": ["country"], "segments": ["(other)"]}', '1 hour', '2026-04-01', '2026-04-02');
SELECT mlobs.create_monitor('seg bad', 'seg', 'seg_log', 'feature_drift', '{"max_segments": 3}', '1 hour', '2026-04-01', '2026-04-02');

-- Drift per country, capped at 2 segments (ties broken by value: DE, FR; US and IT go to
-- '(other)'); the same monitor without segments; performance per channel (a jsonb key).
SELECT mlobs.create_monitor('seg drift', 'seg', 'seg_log', 'feature_drift', '{"segment_by": ["country"], "max_segments": 2}',
                            '1 hour', '2026-04-01', '2026-04-02') > 0 AS created;
SELECT mlobs.create_monitor('seg whole', 'seg', 'seg_log', 'feature_drift', '{}', '1 hour', '2026-04-01', '2026-04-02') > 0 AS created;
SELECT mlobs.create_monitor('seg perf', 'seg', 'seg_log', 'classification', '{"score": "score", "segment_by": ["features->channel"]}',
                            '1 hour', '2026-04-01', '2026-04-02') > 0 AS created;
-- Only DE's psi above 0.5 alerts, on windows with at least 10 rows.
SELECT mlobs.create_alert_rule('seg de psi', 'psi', '>', 0.5, model => 'seg', segment => 'DE', min_rows => 10) > 0 AS rule;
SELECT status, windows, points > 0 AS points, errors FROM mlobs.run_monitors('2026-04-04');

SELECT mo.name, s.segment, s.rank, s.reference_rows, s.reference_metrics ? 'accuracy' AS has_reference_metrics
  FROM mlobs.monitor_segments s JOIN mlobs.monitors mo ON mo.id = s.monitor_id WHERE mo.model = 'seg' ORDER BY 1, 3;
-- Windows per segment: every segment's rows add up to the whole window's; the empty hour has no
-- segment rows, the 1-row hour one.
SELECT mo.name, count(DISTINCT w.window_start) AS windows,
       count(*) FILTER (WHERE w.segment <> '') AS segment_windows,
       count(*) FILTER (WHERE w.segment = '' AND w.rows <> (SELECT sum(x.rows) FROM mlobs.monitor_windows x
                                WHERE x.monitor_id = w.monitor_id AND x.window_start = w.window_start AND x.segment <> ''))
         AS unbalanced
  FROM mlobs.monitor_windows w JOIN mlobs.monitors mo ON mo.id = w.monitor_id
 WHERE mo.model = 'seg' AND mo.name <> 'seg whole' GROUP BY 1 ORDER BY 1;
SELECT w.window_start, w.segment, w.rows FROM mlobs.monitor_windows w JOIN mlobs.monitors mo ON mo.id = w.monitor_id
 WHERE mo.name = 'seg drift' AND w.window_start IN ('2026-04-02 05:00', '2026-04-02 07:00') ORDER BY 1, 2;
-- The awkward channel values are segments of their own text, outside the learned ones: '(other)'.
SELECT w.segment, w.rows FROM mlobs.monitor_windows w JOIN mlobs.monitors mo ON mo.id = w.monitor_id
 WHERE mo.name = 'seg perf' AND w.window_start = '2026-04-02 10:00' ORDER BY 1;

-- Every segment's psi equals the drift of the segment's own rows against the segment's own
-- reference rows; the whole window equals the monitor without segments.
CREATE TEMP VIEW seg_rows AS
SELECT ts, CASE WHEN country IN ('DE', 'FR') THEN country ELSE '(other)' END AS segment, features FROM seg_log;
SELECT count(*) AS segment_points,
       count(*) FILTER (WHERE abs(p.value - d.statistic) > 1e-12 OR d.statistic IS NULL) AS differing
  FROM mlobs.metric_points p JOIN mlobs.monitors mo ON mo.id = p.monitor_id
  CROSS JOIN LATERAL (
    SELECT r.statistic FROM mlobs.drift_report(
      (SELECT mlobs.features_agg(features) FROM seg_rows WHERE segment = p.segment AND ts >= '2026-04-01' AND ts < '2026-04-02'),
      (SELECT mlobs.features_agg(features) FROM seg_rows WHERE segment = p.segment AND ts >= p.window_start AND ts < p.ts),
      'psi', 'psi') r WHERE r.feature = p.feature) d
 WHERE mo.name = 'seg drift' AND p.segment <> '' AND p.metric = 'psi';
SELECT count(*) AS whole_points,
       count(*) FILTER (WHERE q.value IS DISTINCT FROM p.value) AS differing
  FROM mlobs.metric_points p JOIN mlobs.monitors mo ON mo.id = p.monitor_id
  LEFT JOIN mlobs.metric_points q ON q.monitor_id = (SELECT id FROM mlobs.monitors WHERE name = 'seg whole')
        AND q.window_start = p.window_start AND q.segment = '' AND q.feature = p.feature AND q.metric = p.metric
 WHERE mo.name = 'seg drift' AND p.segment = '';
-- DE drifts from day 2, the other segments do not.
SELECT p.segment, round(avg(p.value)::numeric, 2) AS mean_psi
  FROM mlobs.metric_points p JOIN mlobs.monitors mo ON mo.id = p.monitor_id
 WHERE mo.name = 'seg drift' AND p.metric = 'psi' AND p.feature = 'amount' GROUP BY 1 ORDER BY 1;
-- The rule filtered on DE: alerts on DE only.
SELECT a.segment, a.feature, count(*) AS alerts
  FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id WHERE r.name = 'seg de psi' GROUP BY 1, 2 ORDER BY 1, 2;

-- Late labels: day 3's labels land two days later; the channel segments' coverage follows.
SELECT p.segment, sum(p.value) AS labelled
  FROM mlobs.metric_points p JOIN mlobs.monitors mo ON mo.id = p.monitor_id
 WHERE mo.name = 'seg perf' AND p.metric = 'labelled_rows' AND p.window_start >= '2026-04-03' GROUP BY 1 ORDER BY 1;
UPDATE seg_log SET label = ((extract(epoch FROM ts - '2026-04-01')::bigint / 60 * 31) % 7 < 3)::int WHERE ts >= '2026-04-03';
SELECT status, revised FROM mlobs.run_monitors('2026-04-06');
SELECT p.segment, sum(p.value) AS labelled,
       (SELECT count(*) FROM seg_log l WHERE l.ts >= '2026-04-03' AND l.label IS NOT NULL
           AND (p.segment = '' OR l.features->>'channel' = p.segment)) AS expected
  FROM mlobs.metric_points p JOIN mlobs.monitors mo ON mo.id = p.monitor_id
 WHERE mo.name = 'seg perf' AND p.metric = 'labelled_rows' AND p.window_start >= '2026-04-03' GROUP BY 1 ORDER BY 1;
-- A segment's accuracy equals the accuracy of its own rows.
SELECT count(*) AS windows,
       count(*) FILTER (WHERE abs(p.value - (SELECT mlobs.accuracy(mlobs.confusion_agg(l.label, l.predicted)) FROM seg_log l
                                            WHERE l.ts >= p.window_start AND l.ts < p.ts AND l.features->>'channel' = 'web'))
                               > 1e-12) AS differing
  FROM mlobs.metric_points p JOIN mlobs.monitors mo ON mo.id = p.monitor_id
 WHERE mo.name = 'seg perf' AND p.segment = 'web' AND p.metric = 'accuracy';

-- Rows of a segment deleted after its window was computed: the segment leaves that window.
DELETE FROM seg_log WHERE ts >= '2026-04-03 12:00' AND ts < '2026-04-03 13:00' AND country = 'DE';
SELECT status, revised > 0 AS revised FROM mlobs.run_monitors('2026-04-04');
SELECT w.segment, w.rows FROM mlobs.monitor_windows w JOIN mlobs.monitors mo ON mo.id = w.monitor_id
 WHERE mo.name = 'seg drift' AND w.window_start = '2026-04-03 12:00' ORDER BY 1;

-- mlobs_reader: every point with its segment, the segment list, never the summaries.
SET ROLE mlobs_reader;
SELECT segment, count(*) > 0 AS has_points FROM mlobs.metric_points WHERE model = 'seg' GROUP BY 1 ORDER BY 1;
SELECT count(*) AS segments FROM mlobs.monitor_segments;
SELECT reference_summary FROM mlobs.monitor_segments LIMIT 1;
RESET ROLE;

SELECT mlobs.drop_monitor('seg drift'), mlobs.drop_monitor('seg whole'), mlobs.drop_monitor('seg perf');
SELECT count(*) AS segments_left FROM mlobs.monitor_segments;
DELETE FROM mlobs.alert_rules WHERE name = 'seg de psi';
DELETE FROM mlobs.retraining_requests WHERE model = 'seg';
DROP VIEW seg_rows;
DROP TABLE seg_log;
UPDATE mlobs.monitors SET enabled = true WHERE name IN (SELECT name FROM paused);
SELECT setval('mlobs.monitors_id_seq', :monitor_seq, :'monitor_seq_called') > 0 AS sequence_restored;
SELECT setval('mlobs.alert_rules_id_seq', :rule_seq, :'rule_seq_called') > 0 AS sequence_restored;
