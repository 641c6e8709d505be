-- Faults found by the second adversarial review of the runtime (2026-12-07, on f144f62): an
-- admin training as another team's role, retraining errors quoting data to readers, a segment
-- value '' overwriting the whole window, a backfill discarding recorded label changes, the label
-- changes of a timestamp column recorded in the writer's time zone, a misleading warning after a
-- rename, timeouts missing from latency quantiles, and a TRUNCATE no run noticed. Each case
-- failed on f144f62.
SET timezone = 'UTC';
\set VERBOSITY terse
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_rf_admin;
DROP ROLE IF EXISTS regress_rf_team;
DROP ROLE IF EXISTS regress_rf_reader;
RESET client_min_messages;
-- Full runs below must touch only this suite's monitors: pause the others (resumed at the end).
CREATE TEMP TABLE paused AS SELECT name FROM mlobs.monitors WHERE enabled;
UPDATE mlobs.monitors SET enabled = false WHERE enabled;
CREATE ROLE regress_rf_admin IN ROLE mlobs_admin;
CREATE ROLE regress_rf_team IN ROLE mlobs_admin;
CREATE ROLE regress_rf_reader IN ROLE mlobs_reader;

-- 1. A retraining policy trains as its owner: an admin may not name a role it is not a member of
-- (it could then train on that role's tables and publish their values in a model), nor change
-- another team's policy.
CREATE TABLE rf_payroll AS
SELECT timestamptz '2026-01-01' + i * interval '1 hour' AS ts, i AS emp_id, 50000 + i * 100 AS salary,
       jsonb_build_object('amount', CASE WHEN i = 7 THEN to_jsonb('patient J. Doe'::text) ELSE to_jsonb(i * 10) END) AS features,
       i % 2 AS label
  FROM generate_series(1, 60) i;
GRANT SELECT ON rf_payroll TO regress_rf_team;
SET ROLE regress_rf_admin;
SELECT count(*) FROM rf_payroll;
INSERT INTO mlobs.retraining_policies (model, source, target, features, algorithm, owner)
VALUES ('rf leak', 'rf_payroll', 'salary', '{emp_id}', 'decision_tree', 'regress_rf_team');
RESET ROLE;
SET ROLE regress_rf_team;
SELECT model, owner FROM mlobs.set_retraining_policy('rf claims', 'rf_payroll', 'label', '{features}', 'logistic_regression', '{}',
                                                     '10 days', '3 hours', feature_names => '{amount}', train_after_alert => false);
SET ROLE regress_rf_admin;
UPDATE mlobs.retraining_policies SET target = 'salary' WHERE model = 'rf claims';
UPDATE mlobs.retraining_policies SET owner = 'regress_rf_admin' WHERE model = 'rf claims';
RESET ROLE;

-- 2. A failed retraining's message can quote the source (a failed cast names the value): readers
-- see that it failed and its SQLSTATE, not the message.
INSERT INTO mlobs.retraining_requests (model, reason) VALUES ('rf claims', 'manual');
SET ROLE regress_rf_team;
SELECT model_name, decision, error LIKE '%patient J. Doe%' AS quotes_the_value FROM mlobs.process_retraining_requests('rf claims');
SET ROLE regress_rf_reader;
SELECT status, decision, outcome FROM mlobs.retraining_requests WHERE model = 'rf claims';
SELECT error FROM mlobs.retraining_requests WHERE model = 'rf claims';
RESET ROLE;
SELECT error LIKE '%patient J. Doe%' AS admin_sees_the_message FROM mlobs.retraining_requests WHERE model = 'rf claims';
DELETE FROM mlobs.retraining_requests WHERE model = 'rf claims';
DELETE FROM mlobs.retraining_policies WHERE model = 'rf claims';

-- 3. A segment_by column whose most frequent value is '': it goes to '(other)', and the whole
-- window (segment '') still counts every row.
CREATE TABLE rf_seg AS
SELECT ts, CASE WHEN i % 10 < 6 THEN '' WHEN i % 10 < 9 THEN 'web' ELSE 'app' END AS channel,
       CASE WHEN i % 10 < 6 THEN 500 ELSE 20 END AS latency_ms
  FROM generate_series(timestamptz '2026-01-01', '2026-01-01 23:59', '1 minute') WITH ORDINALITY g(ts, i);
SELECT mlobs.create_monitor('rf seg', 'rf', 'rf_seg', 'latency', '{"segment_by": ["channel"], "max_segments": 3}', '12 hours',
                            start_at => '2026-01-01') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-01-02', monitor => 'rf seg');
SELECT s.segment, s.rank FROM mlobs.monitor_segments s JOIN mlobs.monitors m ON m.id = s.monitor_id
 WHERE m.name = 'rf seg' ORDER BY s.rank;
SELECT p.window_start, p.segment, p.value AS rows FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'rf seg' AND p.metric = 'rows' ORDER BY 1, 2;
SELECT mlobs.drop_monitor('rf seg');

-- 4. Labels that land before a backfill: the backfill recomputes from backfill_from on and does
-- not revise earlier windows, so it must leave their changes to the next run.
CREATE TABLE rf_late (ts timestamptz, label int, predicted int, true_label int);
INSERT INTO rf_late SELECT ts, NULL, (i % 3 = 0)::int, (i % 2 = 0)::int
  FROM generate_series(timestamptz '2026-01-01', '2026-01-03 23:50', '10 minutes') WITH ORDINALITY g(ts, i);
SELECT mlobs.create_monitor('rf late', 'rf', 'rf_late', 'classification', '{}', '6 hours', '2026-01-01', '2026-01-01 06:00',
                            start_at => '2026-01-01') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-01-04', monitor => 'rf late');
UPDATE rf_late SET label = true_label WHERE ts >= '2026-01-03 00:00' AND ts < '2026-01-03 06:00';
SELECT status, windows, revised FROM mlobs.run_monitors('2026-01-04', backfill_from => '2026-01-03 18:00', monitor => 'rf late');
SELECT status, windows, revised FROM mlobs.run_monitors('2026-01-04', monitor => 'rf late');
SELECT p.value AS labelled, (SELECT count(label) FROM rf_late WHERE ts >= '2026-01-03 00:00' AND ts < '2026-01-03 06:00') AS in_table
  FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'rf late' AND p.metric = 'labelled_rows' AND p.window_start = '2026-01-03 00:00';
SELECT mlobs.drop_monitor('rf late');

-- 5. A timestamp (without time zone) column: a labelling client in another time zone than the
-- runs' marks the windows its rows are in, as the runs read them, not windows hours away.
CREATE TABLE rf_local (ts timestamp, label int, predicted int, true_label int);
INSERT INTO rf_local SELECT ts, NULL, (i % 3 = 0)::int, (i % 2 = 0)::int
  FROM generate_series(timestamp '2026-01-01', '2026-01-02 23:50', '10 minutes') WITH ORDINALITY g(ts, i);
SELECT mlobs.create_monitor('rf local', 'rf', 'rf_local', 'classification', '{}', '1 hour', '2026-01-01', '2026-01-01 06:00',
                            start_at => '2026-01-01') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-01-03', monitor => 'rf local');
SET timezone = 'America/New_York';                 -- the labelling client's session
UPDATE rf_local SET label = true_label WHERE ts >= '2026-01-02 10:00' AND ts < '2026-01-02 11:00';
SET timezone = 'UTC';
SELECT min(minute), max(minute) FROM mlobs.source_changes WHERE source = 'rf_local'::regclass;
SELECT status, revised FROM mlobs.run_monitors('2026-01-03', monitor => 'rf local');
SELECT p.window_start, p.value AS labelled FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'rf local' AND p.metric = 'labelled_rows' AND p.value > 0 ORDER BY 1;
-- A run whose TimeZone names the triggers' zone differently (pg_cron sessions get the server's
-- Etc/UTC; the triggers were installed under UTC) revises the same windows, labels and late rows.
SET timezone = 'Etc/UTC';
UPDATE rf_local SET label = true_label WHERE ts >= '2026-01-02 14:00' AND ts < '2026-01-02 15:00';
INSERT INTO rf_local VALUES ('2026-01-02 20:30', 1, 1, 1);
SELECT status, revised FROM mlobs.run_monitors('2026-01-03', monitor => 'rf local');
SET timezone = 'UTC';
SELECT p.window_start, p.value AS labelled FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'rf local' AND p.metric = 'labelled_rows' AND p.value > 0 ORDER BY 1;
SELECT count(*) AS queued FROM mlobs.monitor_changes WHERE monitor_id = (SELECT id FROM mlobs.monitors WHERE name = 'rf local');
-- The run that queues a change may be in another zone than the run that revises it (another
-- owner's job): the queue keeps the wall-clock minute and its zone, the reviser reads it.
UPDATE rf_local SET label = true_label WHERE ts >= '2026-01-02 16:00' AND ts < '2026-01-02 17:00';
SET timezone = 'Asia/Tokyo';
SELECT status FROM mlobs.run_monitors('2026-01-03', monitor_ids => '{}');   -- queues, runs nothing
SET timezone = 'UTC';
SELECT status, revised FROM mlobs.run_monitors('2026-01-03', monitor => 'rf local');
SELECT p.window_start, p.value AS labelled FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'rf local' AND p.metric = 'labelled_rows' AND p.value > 0 ORDER BY 1;

-- 6. A renamed timestamp column: the application's writes go on, with a warning that says so.
ALTER TABLE rf_local RENAME COLUMN ts TO ts2;
UPDATE rf_local SET label = 0 WHERE ts2 = '2026-01-01 00:00';
SELECT mlobs.drop_monitor('rf local');
-- Wall-clock minutes in a DST gap: triggers that read the column in New York, runs in UTC, rows
-- stamped 02:00-02:59 on the night New York springs forward (no such New York time) are revised
-- in their own window, not in 03:00's.
CREATE TABLE rf_gap (ts timestamp, latency_ms float8);
INSERT INTO rf_gap SELECT ts, 10 FROM generate_series(timestamp '2026-03-08 00:00', '2026-03-08 05:59', '1 minute') ts;
SET timezone = 'America/New_York';
SELECT mlobs.track_changes('rf_gap');
SET timezone = 'UTC';
SELECT mlobs.create_monitor('rf gap', 'rf', 'rf_gap', 'latency', '{}', '1 hour', start_at => '2026-03-08') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-03-08 06:00', monitor => 'rf gap');
UPDATE rf_gap SET latency_ms = 1000 WHERE ts >= '2026-03-08 02:00' AND ts < '2026-03-08 03:00';
SELECT status, revised FROM mlobs.run_monitors('2026-03-08 06:00', monitor => 'rf gap');
SELECT p.window_start, p.value AS p50 FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'rf gap' AND p.metric = 'latency_p50_seconds' ORDER BY 1;
SELECT mlobs.drop_monitor('rf gap');
-- A late insert into a timestamp column whose triggers read it in Los Angeles while runs are in
-- UTC: 02:30 is before the run's watermark (06:00 UTC), though 02:30 in Los Angeles is not.
CREATE TABLE rf_west (ts timestamp, latency_ms float8);
INSERT INTO rf_west SELECT ts, 10 FROM generate_series(timestamp '2026-01-01 00:00', '2026-01-01 05:59', '1 minute') ts;
SET timezone = 'America/Los_Angeles';
SELECT mlobs.track_changes('rf_west');
SET timezone = 'UTC';
SELECT mlobs.create_monitor('rf west', 'rf', 'rf_west', 'latency', '{}', '1 hour', start_at => '2026-01-01') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-01-01 06:00', monitor => 'rf west');
INSERT INTO rf_west VALUES ('2026-01-01 02:30', 100000);
SELECT status, revised FROM mlobs.run_monitors('2026-01-01 06:00', monitor => 'rf west');
SELECT w.window_start, w.rows FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id
 WHERE m.name = 'rf west' AND w.window_start = '2026-01-01 02:00';
SELECT mlobs.drop_monitor('rf west');

-- 7. Latencies of requests that timed out (Infinity) or have no value (NaN) are the slowest and
-- -Infinity the fastest, as percentile_cont ranks them: an hour of timeouts has an infinite p99,
-- not no point. Checked against percentile_cont with those latencies as ±1e308 (an interpolation
-- that reaches one of them is infinite), within the profile sketch's 1 %.
CREATE TABLE rf_req AS
SELECT ts, CASE WHEN ts < '2026-01-01 01:00' THEN 500 WHEN ts < '2026-01-01 02:00' THEN 'Infinity'::float8
                WHEN ts >= '2026-01-01 03:00' THEN CASE WHEN extract(minute FROM ts)::int % 10 = 0 THEN '-Infinity'::float8 ELSE 10 END
                WHEN extract(minute FROM ts)::int % 10 = 0 THEN 'Infinity' WHEN extract(minute FROM ts)::int % 10 = 1 THEN 'NaN'
                ELSE 20 + extract(minute FROM ts)::int END AS latency_ms
  FROM generate_series(timestamptz '2026-01-01', '2026-01-01 03:59', '1 minute') ts
UNION ALL VALUES (timestamptz '2026-01-01 04:00', '-Infinity'::float8), ('2026-01-01 04:01', '-Infinity'), ('2026-01-01 04:02', 100000);
SELECT mlobs.create_monitor('rf req', 'rf', 'rf_req', 'latency', '{}', '1 hour', start_at => '2026-01-01') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-01-01 05:00', monitor => 'rf req');
SELECT p.window_start, p.metric, round(p.value::numeric, 4) AS value, (
         SELECT CASE WHEN c >= 1e300 THEN p.value = 'Infinity' WHEN c <= -1e300 THEN p.value = '-Infinity'
                     ELSE abs(p.value - c) <= 0.01 * c END
           FROM (SELECT percentile_cont(CASE p.metric WHEN 'latency_p99_seconds' THEN 0.99 ELSE 0.5 END)
                          WITHIN GROUP (ORDER BY CASE WHEN latency_ms IN ('Infinity', 'NaN') THEN 1e308
                                                      WHEN latency_ms = '-Infinity' THEN -1e308 ELSE latency_ms END) / 1000 AS c
                   FROM rf_req WHERE ts >= p.window_start AND ts < p.window_start + interval '1 hour') x) AS equals_percentile_cont
  FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'rf req' AND p.metric LIKE 'latency_p%' AND p.window_start < '2026-01-01 04:00' ORDER BY 1, 2;
-- Two -Infinity and one slow request: the p99 is the slow one, not -Infinity (percentile_cont:
-- NaN), which would hide it from a `>` rule.
SELECT p.metric, p.value FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'rf req' AND p.metric LIKE 'latency_p%' AND p.window_start = '2026-01-01 04:00' ORDER BY 1;
SELECT mlobs.drop_monitor('rf req');

-- 8. TRUNCATE, then rows for one hour again: the truncated windows within the horizon are
-- revised to what the table now holds (no trigger saw the rows go before).
CREATE TABLE rf_trunc (ts timestamptz, latency_ms float8);
INSERT INTO rf_trunc SELECT ts, 20 FROM generate_series(timestamptz '2026-01-02 09:00', '2026-01-02 11:59', '1 minute') ts;
SELECT mlobs.create_monitor('rf trunc', 'rf', 'rf_trunc', 'latency', '{}', '1 hour', start_at => '2026-01-02 09:00') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-01-02 12:00', monitor => 'rf trunc');
TRUNCATE rf_trunc;
INSERT INTO rf_trunc SELECT ts, 30 FROM generate_series(timestamptz '2026-01-02 11:00', '2026-01-02 11:59', '1 minute') ts;
SELECT status, revised FROM mlobs.run_monitors('2026-01-02 12:00', monitor => 'rf trunc');
SELECT w.window_start, w.rows, (SELECT count(*) FROM rf_trunc t WHERE t.ts >= w.window_start AND t.ts < w.window_end) AS in_table
  FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id WHERE m.name = 'rf trunc' ORDER BY 1;
SELECT mlobs.drop_monitor('rf trunc');
-- The same on a timestamp column whose triggers read it in New York while runs are in UTC: the
-- windows a TRUNCATE marks are instants, not wall-clock minutes to convert.
CREATE TABLE rf_trunc_local (ts timestamp, latency_ms float8);
INSERT INTO rf_trunc_local SELECT ts, 20 FROM generate_series(timestamp '2026-01-02 00:00', '2026-01-02 11:59', '1 minute') ts;
SET timezone = 'America/New_York';
SELECT mlobs.track_changes('rf_trunc_local');
SET timezone = 'UTC';
SELECT mlobs.create_monitor('rf trunc local', 'rf', 'rf_trunc_local', 'latency', '{}', '1 hour', start_at => '2026-01-02') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-01-02 12:00', monitor => 'rf trunc local');
TRUNCATE rf_trunc_local;
SELECT status, revised FROM mlobs.run_monitors('2026-01-02 12:00', monitor => 'rf trunc local');
SELECT count(*) FILTER (WHERE w.rows > 0) AS windows_with_rows FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id
 WHERE m.name = 'rf trunc local';
SELECT mlobs.drop_monitor('rf trunc local');
-- Runs lock monitor rows (and mlobs.run_lock), which takes the UPDATE privilege: a reader can
-- take neither (an advisory lock, anyone can take).
SET ROLE regress_rf_reader;
SELECT 1 FROM mlobs.run_lock FOR UPDATE;
SELECT 1 FROM mlobs.monitors FOR NO KEY UPDATE;
RESET ROLE;

DROP TABLE rf_payroll, rf_seg, rf_late, rf_local, rf_req, rf_trunc, rf_trunc_local, rf_gap, rf_west;
DROP ROLE regress_rf_admin;
DROP ROLE regress_rf_team;
DROP ROLE regress_rf_reader;
UPDATE mlobs.monitors SET enabled = true WHERE name IN (SELECT name FROM paused);
