-- Labels that arrive days later (issue 14): a prediction row is written with its label NULL and
-- the label by an UPDATE two days later. Every window's performance metrics must follow the
-- labels as they land, the reference too, and accuracy_drop must fire for the concept drift
-- once labels cover it.
SET timezone = 'UTC';
\set VERBOSITY terse
-- Full runs below must touch only this suite's monitors: pause the others (resumed at the end).
CREATE TEMP TABLE paused AS SELECT name FROM mlobs.monitors WHERE enabled;
UPDATE mlobs.monitors SET enabled = false WHERE enabled;
CREATE TABLE ll_log AS                         -- score: the simulator's own pre-drift fraud probability
SELECT ts, features, NULL::int AS label, label AS true_label, label_at, s AS score, (s >= 0.5)::int AS predicted FROM (
  SELECT ts, features, label, label_at,
         1 / (1 + exp(-(-4.0 + 0.6 * ln((features->>'amount')::float8 + 1) + 1.2 * ((features->>'hour')::float8 < 6 OR (features->>'hour')::float8 >= 22)::int
            + coalesce((features->>'distance')::float8, 0) / 40 + 1.5 * ((features->>'score_ext')::float8 > 0.8)::int - 0.01 * (features->>'age')::float8))) AS s
  FROM mlobs_demo.simulate('2026-03-01', '8 days', 120, '{"label_delay": "2 days", "concept_drift": {"from": "2026-03-05", "strength": 3}}', 0.5)) x;
SELECT mlobs.create_monitor('late acc', 'late', 'll_log', 'classification', '{"score": "score"}', '1 day', '2026-03-01', '2026-03-02');
SELECT label_horizon, late_data_horizon, mlobs._changes_tracked('ll_log', 'ts') AS tracked FROM mlobs.monitors WHERE name = 'late acc';
-- What pg_cron does every 6 hours while labels land.
DO $$ DECLARE t timestamptz := '2026-03-02'; BEGIN
  WHILE t <= '2026-03-14' LOOP
    UPDATE ll_log SET label = true_label WHERE label IS NULL AND label_at <= t;   -- labels land
    PERFORM mlobs.run_monitors(t, monitor => 'late acc');
    PERFORM mlobs.run_monitors(t);
    t := t + interval '6 hours';
  END LOOP; END $$;
-- Every window has accuracy, f1, roc_auc, concept_drift_score and its coverage, and they equal a
-- recomputation from the final labels.
SELECT p.window_start::date AS day, count(*) FILTER (WHERE p.metric IN ('accuracy', 'f1', 'roc_auc', 'concept_drift_score')) AS perf_metrics,
       max(p.value) FILTER (WHERE p.metric = 'labelled_rows') AS labelled, max(p.value) FILTER (WHERE p.metric = 'labelled_share') AS share,
       round(max(p.value) FILTER (WHERE p.metric = 'accuracy')::numeric, 4) AS accuracy,
       round(max(p.value) FILTER (WHERE p.metric = 'accuracy')::numeric, 12) = round(r.accuracy::numeric, 12) AS equals_recomputation
  FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
  JOIN (SELECT date_bin('1 day', ts, '2000-01-01') AS ws, avg((label = predicted)::int) AS accuracy FROM ll_log GROUP BY 1) r ON r.ws = p.window_start
 WHERE m.name = 'late acc' GROUP BY p.window_start, r.accuracy ORDER BY 1;
-- The reference was recomputed as its labels landed (it had none at the first run).
SELECT (reference_metrics->>'labelled_rows')::int AS reference_labelled, round((reference_metrics->>'accuracy')::numeric, 4) AS reference_accuracy
  FROM mlobs.monitors WHERE name = 'late acc';
-- accuracy_drop fired for the concept drift, on the first drifted window, once its labels landed.
SELECT r.name, a.state, a.window_start, a.started_at, a.judged_rows, round(a.judged_share::numeric, 2) AS judged_share,
       round(a.value::numeric, 4) AS drop
  FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id JOIN mlobs.monitors m ON m.id = a.monitor_id
 WHERE m.name = 'late acc' ORDER BY a.id;
SELECT reason FROM mlobs.retraining_requests WHERE model = 'late' ORDER BY id;
-- Revisions were driven by the table's change triggers: nothing left to consume.
SELECT count(*) AS pending_changes FROM mlobs.source_changes;
SELECT sum(revised) > 0 AS revised_windows FROM mlobs.runs;

-- Randomised: labels arrive in random order over several days; after every run every window
-- equals a recomputation over the labels present at that moment.
CREATE TABLE ll_rand AS SELECT ts, features, NULL::int AS label, label AS true_label, (features->>'score_ext')::float8 AS score,
                              ((features->>'score_ext')::float8 >= 0.5)::int AS predicted
  FROM mlobs_demo.simulate('2026-05-01', '3 days', 60, '{}', 0.3);
SELECT mlobs.create_monitor('rand acc', 'rand', 'll_rand', 'classification', '{"score": "score"}', '6 hours', '2026-05-01', '2026-05-01 12:00');
SELECT setseed(0.7);
DO $$ DECLARE t timestamptz := '2026-05-01 12:00'; bad int := 0; checks int := 0; total int := 0; n int; BEGIN
  WHILE t <= '2026-05-06' LOOP
    UPDATE ll_rand SET label = true_label WHERE label IS NULL AND ts < t AND random() < 0.3;
    PERFORM mlobs.run_monitors(t, monitor => 'rand acc');
    SELECT count(*) FILTER (WHERE p.value IS DISTINCT FROM r.labelled OR a.value IS DISTINCT FROM r.accuracy), count(*) INTO n, checks
      FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id AND m.name = 'rand acc'
      JOIN mlobs.metric_points p ON p.monitor_id = m.id AND p.window_start = w.window_start AND p.metric = 'labelled_rows'
      LEFT JOIN mlobs.metric_points a ON a.monitor_id = m.id AND a.window_start = w.window_start AND a.metric = 'accuracy'
      JOIN (SELECT date_bin('6 hours', ts, '2000-01-01') AS ws, count(label)::float8 AS labelled,
                   avg((label = predicted)::int) FILTER (WHERE label IS NOT NULL)::float8 AS accuracy FROM ll_rand GROUP BY 1) r
        ON r.ws = w.window_start;
    bad := bad + n;
    total := total + checks;
    t := t + interval '3 hours';
  END LOOP;
  RAISE NOTICE 'randomised late labels: % of % window states differ from a recomputation', bad, total;
END $$;

-- A row committed after its window was computed (a batch loading yesterday's predictions) is
-- counted: the window is recomputed within late_data_horizon.
SELECT w.rows FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id
 WHERE m.name = 'rand acc' AND w.window_start = '2026-05-02 00:00';
INSERT INTO ll_rand SELECT '2026-05-02 01:00', '{}', 1, 1, 0.9, 1 FROM generate_series(1, 5);
SELECT status, revised FROM mlobs.run_monitors('2026-05-02 12:00', monitor => 'rand acc');
SELECT w.rows FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id
 WHERE m.name = 'rand acc' AND w.window_start = '2026-05-02 00:00';

-- Labels withdrawn (a labelling job re-run that clears them): the revised window keeps no
-- performance metric of its old labels beside labelled_rows 0.
SELECT p.metric FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'rand acc' AND p.window_start = '2026-05-02 06:00' ORDER BY p.metric;
UPDATE ll_rand SET label = NULL WHERE ts >= '2026-05-02 06:00' AND ts < '2026-05-02 12:00';
SELECT status, revised FROM mlobs.run_monitors('2026-05-02 12:00', monitor => 'rand acc');
SELECT p.metric, p.value FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'rand acc' AND p.window_start = '2026-05-02 06:00' ORDER BY p.metric;

-- Labels recorded inside label_horizon by a run that comes after its end (a daily job, or the
-- last minutes before the horizon with a 5-minute one) were lost: the run no longer revised the
-- window and consumed the change (review of 2026-12-07). A change counts when it was recorded
-- (recorded_at, set here to the simulated time the labels landed).
CREATE TABLE ll_h (ts timestamptz, predicted int, label int);
INSERT INTO ll_h SELECT timestamptz '2026-01-01' + i * interval '1 minute', i % 2, NULL FROM generate_series(0, 3 * 1440 - 1) i;
UPDATE ll_h SET label = 1 WHERE ts < '2026-01-02';
SELECT mlobs.create_monitor('ll horizon', 'llh', 'll_h', 'classification', '{}', '1 day', '2026-01-01', '2026-01-02',
                            label_horizon => '1 day') > 0 AS created;
SELECT status, windows, revised FROM mlobs.run_monitors('2026-01-03', monitor => 'll horizon');
UPDATE ll_h SET label = 1 WHERE ts >= '2026-01-02' AND ts < '2026-01-03';
UPDATE mlobs.source_changes SET recorded_at = '2026-01-03 18:00' WHERE source = 'll_h'::regclass;
SELECT status, windows, revised FROM mlobs.run_monitors('2026-01-04', monitor => 'll horizon');
-- Labels recorded after the horizon's end are not applied.
UPDATE ll_h SET label = 0 WHERE ts >= '2026-01-02' AND ts < '2026-01-02 12:00';
UPDATE mlobs.source_changes SET recorded_at = '2026-01-04 00:01' WHERE source = 'll_h'::regclass;
SELECT status, windows, revised FROM mlobs.run_monitors('2026-01-04 00:05', monitor => 'll horizon');
SELECT p.window_start, p.metric, p.value FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'll horizon' AND p.metric IN ('labelled_rows', 'accuracy') ORDER BY 1, 2;

-- ... nor when the run that should apply them fails more than a day after the horizon (a daily
-- job, an owner briefly without a grant): the failed monitor's queue kept only minutes within
-- the horizon of the run's own time.
UPDATE ll_h SET label = 1 WHERE ts >= '2026-01-03' AND ts < '2026-01-03 06:00';
UPDATE mlobs.source_changes SET recorded_at = '2026-01-04 18:00' WHERE source = 'll_h'::regclass;
ALTER TABLE ll_h RENAME COLUMN label TO label_gone;
SELECT status, windows, revised FROM mlobs.run_monitors('2026-01-08', monitor => 'll horizon');
ALTER TABLE ll_h RENAME COLUMN label_gone TO label;
SELECT count(*) > 0 AS still_queued FROM mlobs.monitor_changes mc JOIN mlobs.monitors m ON m.id = mc.monitor_id WHERE m.name = 'll horizon';
SELECT status, revised FROM mlobs.run_monitors('2026-01-08 00:05', monitor => 'll horizon');
SELECT p.value AS labelled_rows FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'll horizon' AND p.metric = 'labelled_rows' AND p.window_start = '2026-01-03';

-- A window that failed on a transient error (here a lock wait that timed out in a catch-up run
-- after its horizon) was retried only within the horizon: that window, and the labels recorded
-- for it in time, were lost for good. It is retried whatever its age (for 30 days).
INSERT INTO mlobs.window_failures (monitor_id, window_start, window_end, sqlstate, error, find_rows)
SELECT id, '2026-01-02', '2026-01-03', '55P03', 'canceling statement due to lock timeout', '' FROM mlobs.monitors WHERE name = 'll horizon';
SELECT status, windows, revised FROM mlobs.run_monitors('2026-01-08 00:10', monitor => 'll horizon');
SELECT count(*) AS failures_left FROM mlobs.window_failures f JOIN mlobs.monitors m ON m.id = f.monitor_id WHERE m.name = 'll horizon';
-- A failure of the rows themselves past the horizon waits for them to change, as before.
INSERT INTO mlobs.window_failures (monitor_id, window_start, window_end, sqlstate, error, find_rows)
SELECT id, '2026-01-02', '2026-01-03', '22023', 'a bad value', '' FROM mlobs.monitors WHERE name = 'll horizon';
SELECT status, windows, revised FROM mlobs.run_monitors('2026-01-08 00:15', monitor => 'll horizon');
SELECT count(*) AS failures_left FROM mlobs.window_failures f JOIN mlobs.monitors m ON m.id = f.monitor_id WHERE m.name = 'll horizon';
DELETE FROM mlobs.window_failures;

-- An alert the latest window fired (late rows), then revised to empty (the rows deleted again),
-- stayed firing with its old value until the next window: it resolves as no_data.
CREATE TABLE ll_nd (id bigint, ts timestamptz, features jsonb);
INSERT INTO ll_nd SELECT i, timestamptz '2026-01-01' + i * interval '1 minute', jsonb_build_object('x', (i * 7919 % 1000) / 10.0)
  FROM generate_series(0, 2 * 1440 - 1) i;
SELECT mlobs.create_monitor('ll nodata', 'llnd', 'll_nd', 'feature_drift', '{}', '1 day', '2026-01-01', '2026-01-02') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-01-04', monitor => 'll nodata');
INSERT INTO ll_nd SELECT 100000 + i, timestamptz '2026-01-03 12:00', '{"x": 5000}' FROM generate_series(1, 100) i;
SELECT status, windows, revised FROM mlobs.run_monitors('2026-01-04 00:10', monitor => 'll nodata');
SELECT ru.name, a.state FROM mlobs.alerts a JOIN mlobs.alert_rules ru ON ru.id = a.rule_id JOIN mlobs.monitors m ON m.id = a.monitor_id
 WHERE m.name = 'll nodata' ORDER BY 1;
DELETE FROM ll_nd WHERE id >= 100000;
SELECT status, windows, revised FROM mlobs.run_monitors('2026-01-04 00:20', monitor => 'll nodata');
SELECT ru.name, a.state, a.resolved_reason, a.resolved_at FROM mlobs.alerts a JOIN mlobs.alert_rules ru ON ru.id = a.rule_id
  JOIN mlobs.monitors m ON m.id = a.monitor_id WHERE m.name = 'll nodata' ORDER BY 1;

SELECT mlobs.drop_monitor('ll horizon'), mlobs.drop_monitor('ll nodata');
DELETE FROM mlobs.retraining_requests WHERE model = 'llnd';
DROP TABLE ll_h, ll_nd;
SELECT mlobs.drop_monitor('late acc'), mlobs.drop_monitor('rand acc');
DELETE FROM mlobs.retraining_requests WHERE model IN ('late', 'rand');
DROP TABLE ll_log, ll_rand;
UPDATE mlobs.monitors SET enabled = true WHERE name IN (SELECT name FROM paused);
