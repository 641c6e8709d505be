-- The change triggers on an application's log, as production writes it (review of 2026-12-07):
-- a minute is queued once however many statements change it; a table whose last monitor was
-- dropped records nothing (its triggers stay: dropping them takes its owner); a date beyond
-- timestamp's range is skipped instead of failing the application's write (was 22008); a write
-- aimed at a partitioned table records the monitored partitions below it, found from the
-- monitors up (pg_partition_tree had locked and listed every partition on each statement).
SET timezone = 'UTC';
\set VERBOSITY terse
CREATE TEMP TABLE paused AS SELECT name FROM mlobs.monitors WHERE enabled;
UPDATE mlobs.monitors SET enabled = false WHERE enabled;
CREATE TABLE to_log AS SELECT timestamptz '2026-01-01' + i * interval '1 minute' AS ts, i % 2 AS predicted, NULL::int AS label
FROM generate_series(0, 2879) i;
SELECT mlobs.create_monitor('to acc', 'to', 'to_log', 'classification', '{}', '1 day', '2026-01-01', '2026-01-02') > 0 AS created;
SELECT status FROM mlobs.run_monitors('2026-01-03', monitor => 'to acc');
UPDATE to_log SET label = predicted WHERE ts >= '2026-01-02 10:00' AND ts < '2026-01-02 10:01';
UPDATE to_log SET label = 1 - predicted WHERE ts >= '2026-01-02 10:00' AND ts < '2026-01-02 10:01';
UPDATE to_log SET label = predicted WHERE ts >= '2026-01-02 10:00' AND ts < '2026-01-02 10:01';
SELECT count(*) AS queued, count(DISTINCT minute) AS minutes FROM mlobs.source_changes WHERE source = 'to_log'::regclass;
-- A minute another transaction queued is queued again: a run that starts while this writer is
-- open may take it and revise the window without this writer's change (the run here comes
-- through dblink, between the writer's UPDATE and its COMMIT). labelled_rows must end equal to
-- the rows' labels (it stayed one short when the writer skipped the queued minute).
CREATE EXTENSION dblink;
BEGIN;
UPDATE to_log SET label = NULL WHERE ts = '2026-01-02 10:00';
SELECT * FROM dblink(format('host=%s port=%s dbname=%s user=%s', host(inet_server_addr()), current_setting('port'), current_database(), current_user),
                     $q$SELECT status FROM mlobs.run_monitors('2026-01-03', monitor => 'to acc')$q$) AS t(status text);
COMMIT;
SELECT count(*) AS queued_after_commit FROM mlobs.source_changes WHERE source = 'to_log'::regclass;
SELECT status FROM mlobs.run_monitors('2026-01-03', monitor => 'to acc');
SELECT p.value AS labelled_rows, (SELECT count(label) FROM to_log WHERE ts >= '2026-01-02' AND ts < '2026-01-03') AS labels
  FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'to acc' AND p.metric = 'labelled_rows' AND p.window_start = '2026-01-02';
DROP EXTENSION dblink;
SELECT mlobs.drop_monitor('to acc');
DELETE FROM mlobs.source_changes WHERE source = 'to_log'::regclass;
UPDATE to_log SET label = predicted WHERE ts < '2026-01-01 01:00';
SELECT count(*) AS recorded_without_a_monitor FROM mlobs.source_changes WHERE source = 'to_log'::regclass;
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid = 'to_log'::regclass AND tgname LIKE 'mlobs_changes_%';

CREATE TABLE to_dates (d date NOT NULL, predicted int, label int);
INSERT INTO to_dates SELECT date '2026-01-01' + i, i % 2, NULL FROM generate_series(0, 9) i;
SELECT mlobs.create_monitor('to dates', 'to', 'to_dates', 'classification', '{}', '1 day', '2026-01-01', '2026-01-03', ts_column => 'd') > 0 AS created;
SELECT status FROM mlobs.run_monitors('2026-01-08', monitor => 'to dates');
UPDATE to_dates SET d = '300000-01-01', label = 1 WHERE d = '2026-01-05';
INSERT INTO to_dates VALUES ('300000-01-02', 1, 1), ('2026-01-04', 0, 0);
SELECT count(*) FILTER (WHERE d > '294276-12-31') AS far_dates_written, count(*) AS rows FROM to_dates;
SELECT minute FROM mlobs.source_changes WHERE source = 'to_dates'::regclass ORDER BY 1;

CREATE TABLE to_parts (ts timestamptz NOT NULL, latency_ms float8, label int) PARTITION BY RANGE (ts);
CREATE TABLE to_parts_1 PARTITION OF to_parts FOR VALUES FROM ('2026-01-01') TO ('2026-01-02');
CREATE TABLE to_parts_2 PARTITION OF to_parts FOR VALUES FROM ('2026-01-02') TO ('2026-01-03');
INSERT INTO to_parts SELECT timestamptz '2026-01-01' + i * interval '1 minute', 20 + i % 7, NULL FROM generate_series(0, 2879) i;
SELECT mlobs.create_monitor('to parts', 'to', 'to_parts', 'latency', '{}', '1 hour', start_at => '2026-01-01') > 0 AS created;
SELECT mlobs.create_monitor('to part 2', 'to', 'to_parts_2', 'latency', '{}', '1 hour', start_at => '2026-01-02') > 0 AS created;
SELECT (mlobs.run_monitors('2026-01-03', monitor => 'to parts')).status, (mlobs.run_monitors('2026-01-03', monitor => 'to part 2')).status;
UPDATE to_parts SET label = 1 WHERE ts >= '2026-01-02 05:00' AND ts < '2026-01-02 05:01';
SELECT source::text, minute FROM mlobs.source_changes WHERE source IN ('to_parts'::regclass, 'to_parts_1'::regclass, 'to_parts_2'::regclass)
 ORDER BY 1, 2;

-- An open alert's row locked by another session (an admin's open transaction, a hand-run
-- evaluate_alerts not yet committed), lock_timeout at its default 0: the run waited as long as
-- it was held, every monitor locked (review of 2026-12-08). Its windows give up after 10 s (the
-- second at once) and so does its final evaluation; the next run retries the windows.
CREATE TABLE to_alerted AS
SELECT ts, jsonb_build_object('x', (i % 100) * CASE WHEN ts >= '2026-01-02' THEN 5 ELSE 1 END) AS features
  FROM generate_series(0, 2 * 1440 - 1) i, LATERAL (SELECT timestamptz '2026-01-01' + i * interval '1 minute' AS ts) t;
SELECT mlobs.create_monitor('to alerted', 'to', 'to_alerted', 'feature_drift', '{}', '6 hours', '2026-01-01', '2026-01-02') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-01-02 12:00', monitor => 'to alerted');
SELECT count(*) > 0 AS has_open_alerts FROM mlobs.alerts a JOIN mlobs.monitors m ON m.id = a.monitor_id WHERE m.name = 'to alerted' AND a.state <> 'resolved';
CREATE EXTENSION dblink;
SELECT dblink_connect('holder', format('host=%s port=%s dbname=%s user=%s', host(inet_server_addr()), current_setting('port'),
                                       current_database(), current_user));
SELECT dblink_exec('holder', 'BEGIN');
SELECT * FROM dblink('holder', $q$SELECT count(*) > 0 FROM (SELECT 1 FROM mlobs.alerts a JOIN mlobs.monitors m ON m.id = a.monitor_id
                                                            WHERE m.name = 'to alerted' AND a.state <> 'resolved' FOR UPDATE OF a) x$q$) AS t(locked bool);
SET statement_timeout = '45s';
SELECT clock_timestamp() AS to_t0 \gset
SELECT status, windows, (SELECT string_agg(coalesce(e->>'stage', e->>'window_start') || ' ' || (e->>'sqlstate'), ', ' ORDER BY e->>'window_start')
                           FROM jsonb_array_elements(errors) e) AS errors
  FROM mlobs.run_monitors('2026-01-03 00:00', monitor => 'to alerted');
SELECT clock_timestamp() - :'to_t0'::timestamptz < interval '25 seconds' AS bounded;
RESET statement_timeout;
SELECT dblink_exec('holder', 'COMMIT');
SELECT dblink_disconnect('holder');
DROP EXTENSION dblink;
SELECT status, windows, revised FROM mlobs.run_monitors('2026-01-03 00:00', monitor => 'to alerted');

SELECT mlobs.drop_monitor(name) FROM mlobs.monitors WHERE name LIKE 'to %' ORDER BY name;
DELETE FROM mlobs.source_changes WHERE source IN ('to_log'::regclass, 'to_dates'::regclass, 'to_parts'::regclass, 'to_parts_1'::regclass, 'to_parts_2'::regclass);
DROP TABLE to_log, to_dates, to_parts, to_alerted;
UPDATE mlobs.monitors SET enabled = true WHERE name IN (SELECT name FROM paused);
