-- The monitoring runtime on hostile, production-shaped input (the adversarial review of
-- 2026-12-07): a change trigger attached to a column of a type its owner made, a row stamped
-- -infinity, daily windows across a DST change in a session that is not in UTC, late labels
-- while a monitor is disabled or while another monitor of the table fails, writes aimed at a
-- partition or applied by logical replication, error messages that quote data, and a data value
-- named like the '(other)' segment. Each case failed before its fix (checked against a build of
-- 2974cad), as did the review of those fixes (transition tables, backfill cap, disabled triggers).
SET timezone = 'UTC';
\set VERBOSITY terse
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_mh_admin;
DROP ROLE IF EXISTS regress_mh_reader;
RESET client_min_messages;
-- Full runs below must touch only this suite's monitors: pause the others (resumed at the end).
CREATE TEMP TABLE paused AS SELECT name FROM mlobs.monitors WHERE enabled;
UPDATE mlobs.monitors SET enabled = false WHERE enabled;
-- A guard: a run that loops forever fails the test instead of hanging it.
SET statement_timeout = '60s';

-- 1. The change triggers' function runs as the extension's owner. A non-superuser admin attaches
-- it to a column of a type it created, with an implicit cast that notes who runs it: the cast must
-- never run (the write goes through with a WARNING), and track_changes refuses such a column.
CREATE ROLE regress_mh_admin IN ROLE mlobs_admin;
CREATE SCHEMA mh_evil AUTHORIZATION regress_mh_admin;
SET ROLE regress_mh_admin;
CREATE TABLE mh_evil.ran_as (who name);
CREATE TYPE mh_evil.evil_ts AS (t timestamptz);
CREATE FUNCTION mh_evil.evil_cast(v mh_evil.evil_ts) RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN INSERT INTO mh_evil.ran_as VALUES (current_user); RETURN v.t; END $$;
CREATE CAST (mh_evil.evil_ts AS timestamptz) WITH FUNCTION mh_evil.evil_cast(mh_evil.evil_ts) AS IMPLICIT;
CREATE TABLE mh_evil.mine (ts mh_evil.evil_ts, x int);
CREATE TRIGGER t AFTER UPDATE ON mh_evil.mine REFERENCING OLD TABLE AS mlobs_old NEW TABLE AS mlobs_new
  FOR EACH STATEMENT EXECUTE FUNCTION mlobs._record_source_changes('ts');
INSERT INTO mh_evil.mine VALUES (ROW('2026-01-01')::mh_evil.evil_ts, 1);
UPDATE mh_evil.mine SET x = 2;
SELECT mlobs.track_changes('mh_evil.mine', 'ts');
-- The same function attached without transition tables, the writer's temporary views in their
-- place (pg_temp is on the function's search_path): refused before anything is read.
CREATE TABLE mh_evil.plain (ts timestamptz);
INSERT INTO mh_evil.plain VALUES ('2026-01-01');
CREATE FUNCTION mh_evil.evil_ts() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN INSERT INTO mh_evil.ran_as VALUES (current_user); RETURN now(); END $$;
CREATE TEMP VIEW mlobs_new AS SELECT mh_evil.evil_ts() AS ts;
CREATE TEMP VIEW mlobs_old AS SELECT mh_evil.evil_ts() AS ts;
CREATE TRIGGER t AFTER UPDATE ON mh_evil.plain FOR EACH STATEMENT EXECUTE FUNCTION mlobs._record_source_changes('ts');
UPDATE mh_evil.plain SET ts = ts;
DROP VIEW mlobs_new, mlobs_old;
RESET ROLE;
SELECT count(*) AS cast_ran FROM mh_evil.ran_as;
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_mh_admin';
SELECT count(*) AS recorded FROM mlobs.source_changes WHERE source = 'mh_evil.mine'::regclass;
DROP SCHEMA mh_evil CASCADE;

-- 2. A row stamped -infinity (and one stamped infinity): a monitor without start_at begins at the
-- first finite row, and the run ends. Writes of such rows and of NULL stamps pass the triggers.
CREATE TABLE mh_api (ts timestamptz, latency_ms float8);
INSERT INTO mh_api SELECT ts, 20 FROM generate_series(timestamptz '2026-01-01', '2026-01-01 09:59', '1 minute') ts;
INSERT INTO mh_api VALUES ('-infinity', 20), ('infinity', 20);
SELECT mlobs.create_monitor('mh inf', 'mh', 'mh_api', 'latency', '{}', '1 hour') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-01-01 10:00');
SELECT min(window_start), max(window_end), count(*), sum(rows) FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id
 WHERE m.name = 'mh inf';
INSERT INTO mh_api VALUES ('-infinity', 21), (NULL, 22);
UPDATE mh_api SET latency_ms = 23 WHERE ts IS NULL OR NOT isfinite(ts);
DELETE FROM mh_api WHERE ts IS NULL;
SELECT count(*) AS recorded FROM mlobs.source_changes WHERE source = 'mh_api'::regclass;
SELECT mlobs.drop_monitor('mh inf');
-- A backfill longer than a run's cap of new windows is refused (the watermark is ahead of it, so
-- later runs would not go on with it).
CREATE TABLE mh_old (ts timestamptz, latency_ms float8);
INSERT INTO mh_old VALUES ('2026-01-01 00:00', 1);
SELECT mlobs.create_monitor('mh old', 'mh', 'mh_old', 'latency', '{}', '1 minute', start_at => '2026-01-01') > 0 AS created;
SELECT status, windows, errors->0->>'sqlstate' AS sqlstate, errors->0->>'error' AS error
  FROM mlobs.run_monitors('2026-03-15', backfill_from => '2026-01-01', monitor => 'mh old');
SELECT mlobs.drop_monitor('mh old');
DROP TABLE mh_old;

-- 3. Daily windows across the spring DST change, run from a session in Europe/Berlin (pg_cron
-- runs in the database's time zone): every window is 24 hours on the UTC grid.
SET timezone = 'Europe/Berlin';
CREATE TABLE mh_dst (ts timestamptz, latency_ms float8);
INSERT INTO mh_dst SELECT ts, 20 FROM generate_series(timestamptz '2026-03-26 00:00+00', '2026-04-01 23:59+00', '1 minute') ts;
SELECT mlobs.create_monitor('mh dst', 'mh', 'mh_dst', 'latency', '{}', '1 day', start_at => '2026-03-26 00:00+00') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-04-02 00:00+00');
SET timezone = 'UTC';
SELECT count(*) AS windows, count(*) FILTER (WHERE extract(epoch FROM window_end - window_start) <> 86400) AS not_24_hours,
       count(*) FILTER (WHERE rows <> 1440) AS not_1440_rows, min(window_start), max(window_end)
  FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id WHERE m.name = 'mh dst';
SELECT mlobs.drop_monitor('mh dst');

-- 4. Labels that land while a monitor is disabled are revised once it is enabled again; labels
-- that land while another monitor of the table fails are revised for the healthy one.
CREATE TABLE mh_late (ts timestamptz, label int, predicted int, true_label int, label2 int);
INSERT INTO mh_late SELECT ts, NULL, (i % 3 = 0)::int, (i % 2 = 0)::int, 0
  FROM generate_series(timestamptz '2026-02-01', '2026-02-03 23:50', '10 minutes') WITH ORDINALITY g(ts, i);
-- (mh broken is created first: its group runs before mh acc's.)
SELECT mlobs.create_monitor('mh broken', 'mh', 'mh_late', 'classification', '{"label": "label2"}', '12 hours',
                            '2026-02-01', '2026-02-02', start_at => '2026-02-01') > 0 AS created;
SELECT mlobs.create_monitor('mh acc', 'mh', 'mh_late', 'classification', '{}', '1 day', '2026-02-01', '2026-02-02',
                            start_at => '2026-02-01') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-02-04');
SELECT mlobs.set_monitor_enabled('mh acc', false);
UPDATE mh_late SET label = true_label WHERE ts < '2026-02-02';       -- labels of the first day land
SELECT status, revised FROM mlobs.run_monitors('2026-02-04 06:00');  -- a full run while mh acc is off
SELECT mlobs.set_monitor_enabled('mh acc', true);
SELECT status, revised FROM mlobs.run_monitors('2026-02-04 12:00');
ALTER TABLE mh_late DROP COLUMN label2;                              -- mh broken fails from now on
UPDATE mh_late SET label = true_label WHERE ts >= '2026-02-02' AND ts < '2026-02-03';
SELECT status, revised, jsonb_array_length(errors) AS errors, errors->0->>'monitor' AS failed
  FROM mlobs.run_monitors('2026-02-04 18:00');
SELECT p.window_start::date AS day, round(p.value::numeric, 3) AS labelled_share,
       round(r.share::numeric, 3) AS in_the_table
  FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
  JOIN (SELECT date_bin('1 day', ts, '2000-01-01') AS ws, avg((label IS NOT NULL)::int) AS share FROM mh_late GROUP BY 1) r
    ON r.ws = p.window_start
 WHERE m.name = 'mh acc' AND p.metric = 'labelled_share' AND p.segment = '' ORDER BY 1;
SELECT mlobs.drop_monitor('mh acc'), mlobs.drop_monitor('mh broken');
DELETE FROM mlobs.source_changes WHERE source = 'mh_late'::regclass;

-- 5. A partitioned table: writes aimed at a partition are recorded for the monitored parent, and
-- so are writes applied as logical replication applies them (session_replication_role = replica).
CREATE TABLE mh_part (ts timestamptz, label int, predicted int) PARTITION BY RANGE (ts);
CREATE TABLE mh_part_0301 PARTITION OF mh_part FOR VALUES FROM ('2026-03-01') TO ('2026-03-02');
CREATE TABLE mh_part_0302 PARTITION OF mh_part FOR VALUES FROM ('2026-03-02') TO ('2026-03-03');
INSERT INTO mh_part SELECT ts, NULL, 1 FROM generate_series(timestamptz '2026-03-01', '2026-03-02 23:00', '1 hour') ts;
SELECT mlobs.create_monitor('mh part', 'mh', 'mh_part', 'classification', '{}', '1 day', '2026-03-01', '2026-03-02',
                            start_at => '2026-03-01') > 0 AS created;
SELECT c.relname, count(*) AS triggers, bool_and(t.tgenabled = 'A') AS always
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname LIKE 'mh_part%' AND t.tgname LIKE 'mlobs_changes_%'
 GROUP BY 1 ORDER BY 1;
SELECT status, windows FROM mlobs.run_monitors('2026-03-03');
UPDATE mh_part_0301 SET label = 1 WHERE ts < '2026-03-01 12:00';
SET session_replication_role = replica;
UPDATE mh_part SET label = 0 WHERE ts >= '2026-03-02' AND ts < '2026-03-02 06:00';
RESET session_replication_role;
SELECT count(DISTINCT minute) AS changed_minutes FROM mlobs.source_changes WHERE source = 'mh_part'::regclass;
SELECT status, revised FROM mlobs.run_monitors('2026-03-03 01:00');
SELECT p.window_start::date AS day, round(p.value::numeric, 3) AS labelled_share
  FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'mh part' AND p.metric = 'labelled_share' ORDER BY 1;
-- A trigger its owner disabled stays disabled when track_changes runs again.
DO $$ BEGIN EXECUTE format('ALTER TABLE mh_part_0302 DISABLE TRIGGER %I', 'mlobs_changes_insert_' || left(md5('ts'), 8)); END $$;
SELECT mlobs.track_changes('mh_part');
SELECT t.tgenabled FROM pg_trigger t WHERE t.tgrelid = 'mh_part_0302'::regclass AND t.tgname LIKE 'mlobs_changes_insert_%';
SELECT mlobs.drop_monitor('mh part');

-- 6. A reader sees that runs failed, and where, but not the messages: a failed cast quotes the
-- value of a table the reader may not read.
CREATE TABLE mh_secret (ts timestamptz, amount text);
INSERT INTO mh_secret VALUES ('2026-01-01 00:30', 'card 4111-1111-1111-1111');
CREATE VIEW mh_secret_v AS SELECT ts, amount::float8 AS latency_ms FROM mh_secret;
SELECT mlobs.create_monitor('mh secret', 'mh', 'mh_secret_v', 'latency', '{}', '1 hour', start_at => '2026-01-01') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-01-01 01:00');
SELECT monitor, sqlstate, window_start FROM mlobs.run_errors WHERE run_id = (SELECT max(id) FROM mlobs.runs);
CREATE ROLE regress_mh_reader IN ROLE mlobs_reader;
SET ROLE regress_mh_reader;
SELECT monitor, sqlstate, window_start, retry FROM mlobs.run_errors WHERE run_id = (SELECT max(id) FROM mlobs.runs);
SELECT status, windows FROM mlobs.runs WHERE id = (SELECT max(id) FROM mlobs.runs);
SELECT sqlstate, attempts FROM mlobs.window_failures;
SELECT errors FROM mlobs.runs;
SELECT error FROM mlobs.window_failures;
SELECT * FROM mh_secret;
RESET ROLE;
SELECT mlobs.drop_monitor('mh secret');

-- 7. A segment_by column whose data holds the value '(other)': it is the bucket, not a segment.
CREATE TABLE mh_seg (ts timestamptz, latency_ms float8, country text);
INSERT INTO mh_seg SELECT ts, 20, (ARRAY['DE', '(other)', 'US'])[1 + i % 3]
  FROM generate_series(timestamptz '2026-01-01', '2026-01-02 23:59', '10 minutes') WITH ORDINALITY g(ts, i);
SELECT mlobs.create_monitor('mh seg', 'mh', 'mh_seg', 'latency', '{"segment_by": ["country"]}', '1 hour',
                            start_at => '2026-01-01') > 0 AS created;
-- (Without a reference, segments are learned from the day before a run once the log has had rows
-- for a day.)
SELECT status, windows FROM mlobs.run_monitors('2026-01-03 00:00');
SELECT s.segment, s.rank FROM mlobs.monitor_segments s JOIN mlobs.monitors m ON m.id = s.monitor_id WHERE m.name = 'mh seg' ORDER BY 2;
SELECT w.segment, sum(w.rows) FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id
 WHERE m.name = 'mh seg' GROUP BY 1 ORDER BY 1;
SELECT mlobs.drop_monitor('mh seg');

-- 8. One job per owner (docs/monitoring.md: owners that must stay apart) on a table both teams
-- monitor: each partial run revises what the late labels changed for its own monitor and
-- consumes it. Before 0.3.0's per-monitor queues neither run consumed anything (neither ran every
-- monitor of the table): the changes piled up and every run revised the same windows again.
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_mh_team_a;
DROP ROLE IF EXISTS regress_mh_team_b;
RESET client_min_messages;
CREATE ROLE regress_mh_team_a IN ROLE mlobs_admin;
CREATE ROLE regress_mh_team_b IN ROLE mlobs_admin;
CREATE TABLE mh_shared (ts timestamptz, label int, predicted int, true_label int);
INSERT INTO mh_shared SELECT ts, NULL, (i % 3 = 0)::int, (i % 2 = 0)::int
  FROM generate_series(timestamptz '2026-02-01', '2026-02-03 23:50', '10 minutes') WITH ORDINALITY g(ts, i);
GRANT SELECT ON mh_shared TO regress_mh_team_a, regress_mh_team_b;
SELECT mlobs.track_changes('mh_shared');
SET ROLE regress_mh_team_a;
SELECT mlobs.create_monitor('mh team a', 'mh_a', 'mh_shared', 'classification', '{}', '1 day', '2026-02-01', '2026-02-02',
                            start_at => '2026-02-01') > 0 AS created;
SET ROLE regress_mh_team_b;
SELECT mlobs.create_monitor('mh team b', 'mh_b', 'mh_shared', 'classification', '{}', '6 hours', '2026-02-01', '2026-02-02',
                            start_at => '2026-02-01') > 0 AS created;
RESET ROLE;
CREATE FUNCTION pg_temp.team_run(team text, t timestamptz) RETURNS TABLE (status text, windows int, revised int, busy int)
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('SET LOCAL ROLE %I', team);   -- logged in as the team: its job
  RETURN QUERY SELECT r.status, r.windows, r.revised, r.busy_monitors FROM mlobs.run_monitors(t,
    monitor_ids => ARRAY(SELECT id FROM mlobs.monitors WHERE owner = team::regrole)) r;
END $$;
SELECT * FROM pg_temp.team_run('regress_mh_team_a', '2026-02-04');
SELECT * FROM pg_temp.team_run('regress_mh_team_b', '2026-02-04');
UPDATE mh_shared SET label = true_label WHERE ts < '2026-02-02';   -- the first day's labels land
SELECT * FROM pg_temp.team_run('regress_mh_team_a', '2026-02-04 01:00');
SELECT * FROM pg_temp.team_run('regress_mh_team_b', '2026-02-04 01:00');
-- Both consumed what they revised: nothing is pending, the next round revises nothing.
SELECT (SELECT count(*) FROM mlobs.source_changes WHERE source = 'mh_shared'::regclass) AS recorded,
       (SELECT count(*) FROM mlobs.monitor_changes c JOIN mlobs.monitors m ON m.id = c.monitor_id
         WHERE m.source = 'mh_shared'::regclass) AS queued;
SELECT * FROM pg_temp.team_run('regress_mh_team_a', '2026-02-04 02:00');
SELECT * FROM pg_temp.team_run('regress_mh_team_b', '2026-02-04 02:00');
-- Each monitor's labelled rows equal the table's.
SELECT m.name, sum(p.value) AS labelled, (SELECT count(label) FROM mh_shared) AS in_table
  FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name LIKE 'mh team _' AND p.metric = 'labelled_rows' AND p.segment = '' GROUP BY 1 ORDER BY 1;
-- Labels that land while team b's monitor fails (its grant revoked) wait in its queue; team a's
-- run revises and consumes its own.
REVOKE SELECT ON mh_shared FROM regress_mh_team_b;
UPDATE mh_shared SET label = true_label WHERE ts >= '2026-02-02' AND ts < '2026-02-03';
SELECT * FROM pg_temp.team_run('regress_mh_team_b', '2026-02-04 03:00');
SELECT * FROM pg_temp.team_run('regress_mh_team_a', '2026-02-04 03:00');
SELECT m.name, count(DISTINCT c.minute) AS queued_minutes FROM mlobs.monitors m LEFT JOIN mlobs.monitor_changes c ON c.monitor_id = m.id
 WHERE m.name LIKE 'mh team _' GROUP BY 1 ORDER BY 1;
GRANT SELECT ON mh_shared TO regress_mh_team_b;
SELECT * FROM pg_temp.team_run('regress_mh_team_b', '2026-02-04 04:00');
SELECT m.name, sum(p.value) AS labelled, (SELECT count(label) FROM mh_shared) AS in_table
  FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name LIKE 'mh team _' AND p.metric = 'labelled_rows' AND p.segment = '' GROUP BY 1 ORDER BY 1;
SELECT count(*) AS queued FROM mlobs.monitor_changes;
SELECT mlobs.drop_monitor('mh team a'), mlobs.drop_monitor('mh team b');
-- 9. A model that starts scoring NaN (a broken feature pipeline): the drift statistics read finite
-- scores only, so the window of NaN scores had no point but `rows` and its alerts resolved as
-- no_data. Its unusable scores are now counted per window.
CREATE TABLE mh_nan (ts timestamptz, score float8);
INSERT INTO mh_nan SELECT ts, CASE WHEN ts >= '2026-03-01 02:00' THEN 'NaN'::float8
                                   WHEN ts >= '2026-03-01 01:00' AND i % 4 = 0 THEN NULL
                                   WHEN ts >= '2026-03-01 01:00' AND i % 4 = 1 THEN 'Infinity'
                                   ELSE (i % 10) / 10.0 END
  FROM generate_series(timestamptz '2026-03-01', '2026-03-01 02:59', '1 minute') WITH ORDINALITY g(ts, i);
SELECT mlobs.create_monitor('mh nan', 'mh', 'mh_nan', 'prediction_drift', '{}', '1 hour', '2026-03-01', '2026-03-01 01:00') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-03-01 03:00');
SELECT p.window_start, p.metric, round(p.value::numeric, 4) AS value
  FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'mh nan' AND p.metric IN ('rows', 'missing_share', 'non_finite_share', 'mean') ORDER BY 1, 2;
SELECT mlobs.drop_monitor('mh nan');

-- 10. A timestamp column whose triggers name a zone the server no longer knows (say, removed from
-- tzdata). The zone serves only the late-insert filter of monitors no run has given a zone yet:
-- labels are recorded regardless, and an insert is never blocked (a WARNING, and not recorded,
-- only while a monitor without a run zone needs it).
CREATE TABLE mh_zone (ts timestamp, score float8, label bool);
INSERT INTO mh_zone SELECT ts, 0.5 FROM generate_series(timestamp '2026-04-01', '2026-04-01 02:59', '1 minute') ts;
SELECT mlobs.create_monitor('mh zone', 'mh', 'mh_zone', 'prediction_drift', '{}', '1 hour', '2026-04-01', '2026-04-01 01:00') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-04-01 03:00');
DO $$ DECLARE t record; BEGIN
  FOR t IN SELECT tgname, tgargs FROM pg_trigger WHERE tgrelid = 'mh_zone'::regclass AND tgname LIKE 'mlobs_changes_%' LOOP
    EXECUTE format('DROP TRIGGER %I ON mh_zone', t.tgname);
    EXECUTE format('CREATE TRIGGER %I AFTER %s ON mh_zone %s FOR EACH STATEMENT EXECUTE FUNCTION mlobs._record_source_changes(''ts'', ''Mars/Olympus_Mons'')',
                   t.tgname, upper(split_part(t.tgname, '_', 3)),
                   CASE split_part(t.tgname, '_', 3) WHEN 'insert' THEN 'REFERENCING NEW TABLE AS mlobs_new'
                        WHEN 'delete' THEN 'REFERENCING OLD TABLE AS mlobs_old'
                        WHEN 'update' THEN 'REFERENCING OLD TABLE AS mlobs_old NEW TABLE AS mlobs_new' ELSE '' END);
  END LOOP; END $$;
UPDATE mh_zone SET label = true WHERE ts = '2026-04-01 01:30';
INSERT INTO mh_zone VALUES ('2026-04-01 02:10', 0.7);
SELECT minute, zone FROM mlobs.source_changes WHERE source = 'mh_zone'::regclass ORDER BY 1;
-- As after an update from 0.2.0: no run zone yet.
UPDATE mlobs.monitors SET run_zone = NULL WHERE name = 'mh zone';
INSERT INTO mh_zone VALUES ('2026-04-01 02:20', 0.7);
SELECT count(*) AS rows_kept FROM mh_zone;
SELECT mlobs.drop_monitor('mh zone');

-- 11. A monitor of one partition, written through its partitioned parent: a write aimed at the
-- parent fires only the parent's statement triggers, so the late row and the deleted row were
-- recorded for the parent alone and the partition's windows were never revised (review of
-- 2026-12-07). The parent's triggers now record the minutes for its monitored partitions too.
CREATE TABLE mh_pp (ts timestamptz, score float8) PARTITION BY RANGE (ts);
CREATE TABLE mh_pp1 PARTITION OF mh_pp FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO mh_pp SELECT ts, 0.5 FROM generate_series(timestamptz '2026-04-01', '2026-04-01 02:59', '1 minute') ts;
SELECT mlobs.create_monitor('mh pp1', 'mh', 'mh_pp1', 'prediction_drift', '{}', '1 hour', '2026-04-01', '2026-04-01 01:00') > 0 AS created;
SELECT mlobs.track_changes('mh_pp');
SELECT status, windows FROM mlobs.run_monitors('2026-04-01 03:00');
INSERT INTO mh_pp VALUES ('2026-04-01 02:10', 0.9);
DELETE FROM mh_pp WHERE ts = '2026-04-01 01:30';
SELECT status, revised FROM mlobs.run_monitors('2026-04-01 03:15');
SELECT w.window_start, w.rows, (SELECT count(*) FROM mh_pp1 t WHERE t.ts >= w.window_start AND t.ts < w.window_end) AS in_table
  FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id WHERE m.name = 'mh pp1' ORDER BY 1;
SELECT mlobs.drop_monitor('mh pp1');
DROP TABLE mh_pp;

-- 12. One score that is not a probability (NaN, Infinity, 1.5) or one non-finite target or
-- prediction failed the whole window of classification, cbpe and regression monitors (no
-- accuracy or rmse for the other rows), retried on every run forever, and so kept every later
-- partition from retention (review of 2026-12-07). Such a value is left out like a NULL, and
-- a classification window counts it in invalid_score_share.
CREATE TABLE mh_bad AS SELECT timestamptz '2026-06-01' + i * interval '1 minute' AS ts, (i % 10) / 10.0 + 0.05 AS score,
       (i % 10 >= 5)::int AS predicted, (i % 7 >= 3)::int AS label, (i % 13)::float8 AS target, (i % 13)::float8 + 0.5 AS prediction
  FROM generate_series(0, 2 * 1440 - 1) i;
UPDATE mh_bad SET score = 'NaN', prediction = 'Infinity' WHERE ts = '2026-06-02 10:00';
UPDATE mh_bad SET score = 1.5, target = '-Infinity' WHERE ts = '2026-06-02 11:00';
UPDATE mh_bad SET score = 'Infinity' WHERE ts = '2026-06-02 12:00';
SELECT mlobs.create_monitor('mh bad cls', 'mh_bad', 'mh_bad', 'classification', '{"score": "score"}', '1 day', '2026-06-01', '2026-06-02') > 0 AS cls,
       mlobs.create_monitor('mh bad reg', 'mh_bad', 'mh_bad', 'regression', '{}', '1 day', '2026-06-01', '2026-06-02') > 0 AS reg,
       mlobs.create_monitor('mh bad cbpe', 'mh_bad', 'mh_bad', 'cbpe', '{}', '1 day', '2026-06-01', '2026-06-02') > 0 AS cbpe;
SELECT status, jsonb_array_length(errors) AS errors FROM mlobs.run_monitors('2026-06-03', monitor_ids => ARRAY(SELECT id FROM mlobs.monitors WHERE model = 'mh_bad'));
SELECT m.name, p.metric, round(p.value::numeric, 6) AS value
  FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.model = 'mh_bad' AND p.window_start = '2026-06-02'
   AND p.metric IN ('accuracy', 'roc_auc', 'labelled_rows', 'invalid_score_share', 'rmse', 'mae', 'cbpe_accuracy') ORDER BY 1, 2;
-- The same numbers from the rows that are valid, by hand.
SELECT round(mlobs.roc_auc(mlobs.score_agg(score, label))::numeric, 6) AS roc_auc,
       round(mlobs.rmse(mlobs.regression_agg(target, prediction) FILTER (WHERE ts NOT IN ('2026-06-02 10:00', '2026-06-02 11:00')))::numeric, 6) AS rmse
  FROM mh_bad WHERE ts >= '2026-06-02' AND (score >= 0 AND score <= 1);
SELECT count(*) AS failed_windows FROM mlobs.window_failures f JOIN mlobs.monitors m ON m.id = f.monitor_id WHERE m.model = 'mh_bad';
-- A window without rows (found by the load test: the planner folded the invalid-score share's
-- division by zero before its WHERE rows > 0).
SELECT status, windows, jsonb_array_length(errors) AS errors
  FROM mlobs.run_monitors('2026-06-04', monitor_ids => ARRAY(SELECT id FROM mlobs.monitors WHERE model = 'mh_bad'));
DELETE FROM mlobs.monitors WHERE model = 'mh_bad';

-- 13. Two more from that review. mlobs.estimated_vs_realised gave a row per classification
-- monitor of the model with the same window (three rows with different realised values for a
-- model with a second label column); it takes the first one now. And a classification monitor on
-- text labels with the default binary F1 was accepted, then failed every run ("pos_label is
-- required for text labels"); create_monitor refuses it and names the averages that work.
CREATE TABLE mh_ev AS SELECT timestamptz '2026-06-01' + i * interval '1 minute' AS ts, (i % 10) / 10.0 + 0.05 AS score,
       (i % 10 >= 5)::int AS predicted, (i % 7 >= 3)::int AS label, (i % 3 >= 1)::int AS label_v2,
       CASE WHEN i % 7 >= 3 THEN 'fraud' ELSE 'ok' END AS verdict, CASE WHEN i % 10 >= 5 THEN 'fraud' ELSE 'ok' END AS said
  FROM generate_series(0, 3 * 1440 - 1) i;
SELECT mlobs.create_monitor('mh ev acc', 'mh_ev', 'mh_ev', 'classification', '{}', '1 day', '2026-06-01', '2026-06-02') > 0 AS acc,
       mlobs.create_monitor('mh ev acc v2', 'mh_ev', 'mh_ev', 'classification', '{"label": "label_v2"}', '1 day', '2026-06-01', '2026-06-02') > 0 AS acc_v2,
       mlobs.create_monitor('mh ev cbpe', 'mh_ev', 'mh_ev', 'cbpe', '{}', '1 day', '2026-06-01', '2026-06-02') > 0 AS cbpe;
SELECT status FROM mlobs.run_monitors('2026-06-04', monitor_ids => ARRAY(SELECT id FROM mlobs.monitors WHERE model = 'mh_ev'));
SELECT window_start, metric, count(*) AS rows_in_view, round(min(realised)::numeric, 4) AS realised
  FROM mlobs.estimated_vs_realised WHERE model = 'mh_ev' GROUP BY 1, 2 ORDER BY 1, 2;
SELECT round(avg((label = predicted)::int)::numeric, 4) AS first_monitor_accuracy FROM mh_ev WHERE ts >= '2026-06-02' AND ts < '2026-06-03';
DO $$ BEGIN
  PERFORM mlobs.create_monitor('mh ev text', 'mh_ev', 'mh_ev', 'classification', '{"label": "verdict", "predicted": "said"}', '1 day', '2026-06-01', '2026-06-02');
EXCEPTION WHEN OTHERS THEN RAISE NOTICE '%: %', SQLSTATE, SQLERRM;
END $$;
SELECT mlobs.create_monitor('mh ev text', 'mh_ev', 'mh_ev', 'classification', '{"label": "verdict", "predicted": "said", "average": "macro"}', '1 day', '2026-06-01', '2026-06-02') > 0 AS text_macro;
DELETE FROM mlobs.monitors WHERE model = 'mh_ev';
DROP TABLE mh_ev;

-- 14. A statement_timeout on the job's role (a common guard) cancelled a run whole when a
-- catch-up took longer: no window, no mlobs.runs row, every later run the same (review of
-- 2026-12-07). The groups finished before the cancel are kept and the run is recorded.
CREATE TABLE mh_to AS SELECT timestamptz '2026-07-01' + i * interval '1 minute' AS ts, 10.0 + i % 7 AS latency_ms
  FROM generate_series(0, 3 * 60 - 1) i;
CREATE VIEW mh_to_slow AS SELECT t.ts, t.latency_ms FROM mh_to t, (SELECT pg_sleep(30)) s;
SELECT mlobs.create_monitor('mh to fast', 'mh_to', 'mh_to', 'latency', '{}', '1 hour', start_at => '2026-07-01') > 0 AS fast,
       mlobs.create_monitor('mh to slow', 'mh_to', 'mh_to_slow', 'latency', '{}', '1 hour', start_at => '2026-07-01') > 0 AS slow;
SET statement_timeout = '3s';
SELECT r.status, r.windows, e->>'monitor' AS monitor, e->>'sqlstate' AS sqlstate
  FROM mlobs.run_monitors('2026-07-01 03:00', monitor_ids => ARRAY(SELECT id FROM mlobs.monitors WHERE model = 'mh_to')) r,
       jsonb_array_elements(r.errors) e;
RESET statement_timeout;
SELECT m.name, count(w.*) AS windows, m.watermark FROM mlobs.monitors m LEFT JOIN mlobs.monitor_windows w ON w.monitor_id = m.id
 WHERE m.model = 'mh_to' GROUP BY m.id ORDER BY m.id;
SELECT status, windows FROM mlobs.runs ORDER BY id DESC LIMIT 1;
DELETE FROM mlobs.monitors WHERE model = 'mh_to';
DROP VIEW mh_to_slow;
-- ... and when one group's catch-up is longer than the timeout (the usual shape: every monitor
-- of a log is one group), the group's rollback lost its stored chunks and no run ever moved on
-- (review of 2026-12-08). The windows stored are kept; the rest is left to the next run (57014).
CREATE TABLE mh_to3 AS SELECT timestamptz '2026-07-01' + i * interval '1 minute' AS ts, 10.0 + i % 7 AS latency_ms
  FROM generate_series(0, 3 * 24 * 60 - 1) i;
CREATE VIEW mh_to3_slow AS SELECT t.ts, t.latency_ms FROM mh_to3 t, (SELECT pg_sleep(1)) s;
SELECT mlobs.create_monitor('mh to3', 'mh_to3', 'mh_to3_slow', 'latency', '{}', '1 hour', start_at => '2026-07-01') > 0 AS created;
SET statement_timeout = '2500ms';
SELECT status, windows, errors->0->>'sqlstate' AS sqlstate, errors->0->>'window_start' AS left_from
  FROM mlobs.run_monitors('2026-07-04', monitor => 'mh to3');
SELECT status, windows, errors->0->>'sqlstate' AS sqlstate, errors->0->>'window_start' AS left_from
  FROM mlobs.run_monitors('2026-07-04', monitor => 'mh to3');
SELECT status, windows, errors->0->>'sqlstate' AS sqlstate FROM mlobs.run_monitors('2026-07-04', monitor => 'mh to3');
RESET statement_timeout;
SELECT m.watermark, count(w.*) AS windows, sum(w.rows) AS rows FROM mlobs.monitors m
  LEFT JOIN mlobs.monitor_windows w ON w.monitor_id = m.id WHERE m.name = 'mh to3' GROUP BY m.id;
SELECT mlobs.drop_monitor('mh to3');
DROP VIEW mh_to3_slow;
DROP TABLE mh_to3;
-- ... and when a chunk costs more than twice the one before (a traffic spike), the cancel comes
-- inside it: the chunk alone is rolled back, the ones before kept (review of 2026-12-08: the
-- whole group was, forever). Three days of 0.24 s, a spike day of 1.5 s, one more day.
CREATE TABLE mh_to4 AS SELECT timestamptz '2026-03-01' + i * interval '1 minute' AS ts, 10.0 + i % 7 AS latency_ms
  FROM generate_series(0, 5 * 1440 - 1) i;
CREATE FUNCTION mh_to4_cost(t timestamptz) RETURNS bool LANGUAGE plpgsql VOLATILE COST 100000 AS $$
BEGIN
  IF extract(minute FROM t) = 0 THEN
    PERFORM pg_sleep(CASE WHEN t >= '2026-03-04' AND t < '2026-03-05' THEN 0.0625 ELSE 0.01 END);
  END IF;
  RETURN true;
END $$;
CREATE VIEW mh_to4_v AS SELECT ts, latency_ms FROM mh_to4 WHERE mh_to4_cost(ts);
SELECT mlobs.create_monitor('mh to4', 'mh_to4', 'mh_to4_v', 'latency', '{}', '1 hour', start_at => '2026-03-01') > 0 AS created;
SET statement_timeout = '2s';
SELECT status, windows, errors->0->>'sqlstate' AS sqlstate, errors->0->>'window_start' AS left_from
  FROM mlobs.run_monitors('2026-03-06', monitor => 'mh to4');
SELECT status, windows, errors->0->>'sqlstate' AS sqlstate, errors->0->>'window_start' AS left_from
  FROM mlobs.run_monitors('2026-03-06', monitor => 'mh to4');
SELECT status, windows, errors->0->>'sqlstate' AS sqlstate FROM mlobs.run_monitors('2026-03-06', monitor => 'mh to4');
RESET statement_timeout;
SELECT m.watermark, count(w.*) AS windows, sum(w.rows) AS rows FROM mlobs.monitors m
  LEFT JOIN mlobs.monitor_windows w ON w.monitor_id = m.id WHERE m.name = 'mh to4' GROUP BY m.id;
-- A backfill cut by the timeout is rolled back whole (its watermark is ahead already: a part
-- left to "the next run" was never computed, half the range stale).
UPDATE mh_to4 SET latency_ms = latency_ms * 100;
SET statement_timeout = '2s';
SELECT status, windows, errors->0->>'sqlstate' AS sqlstate, errors->0 ? 'window_start' AS left_windows
  FROM mlobs.run_monitors('2026-03-06', backfill_from => '2026-03-01', monitor => 'mh to4');
RESET statement_timeout;
SELECT count(DISTINCT p.value) AS p50_values FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'mh to4' AND p.metric = 'latency_p50_seconds';
SELECT mlobs.drop_monitor('mh to4');
DROP VIEW mh_to4_v;
DROP FUNCTION mh_to4_cost(timestamptz);
DROP TABLE mh_to4;

-- 15. The reference's labels landing after windows were computed (a later labelling batch for
-- the historical period): the reference was recomputed, but the windows kept no or a stale
-- concept_drift_score against the old one (review of 2026-12-07). They are revised now, as a
-- backfill would compute them.
CREATE TABLE mh_ref AS SELECT ts, s AS score, (s >= 0.5)::int AS predicted, NULL::int AS label,
       CASE WHEN ts >= '2026-08-02' THEN (((i * 7919) % 1000) / 1000.0 < 1 - s)::int ELSE (((i * 7919) % 1000) / 1000.0 < s)::int END AS truth
  FROM (SELECT timestamptz '2026-08-01' + i * interval '1 minute' AS ts, ((i * 4271) % 997) / 997.0 AS s, i
          FROM generate_series(0, 3 * 1440 - 1) i) x;
UPDATE mh_ref SET label = truth WHERE ts >= '2026-08-02';
SELECT mlobs.create_monitor('mh ref', 'mh_ref', 'mh_ref', 'classification', '{"score": "score"}', '12 hours', '2026-08-01', '2026-08-02') > 0 AS created;
SELECT status FROM mlobs.run_monitors('2026-08-04', monitor => 'mh ref');
SELECT count(*) AS concept_points_before FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'mh ref' AND p.metric = 'concept_drift_score';
UPDATE mh_ref SET label = truth WHERE ts < '2026-08-02';
SELECT status, revised FROM mlobs.run_monitors('2026-08-04 01:00', monitor => 'mh ref');
CREATE TEMP TABLE mh_ref_after AS SELECT p.window_start, p.value FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 WHERE m.name = 'mh ref' AND p.metric = 'concept_drift_score';
SELECT status FROM mlobs.run_monitors('2026-08-04 01:00', backfill_from => '2026-08-02', monitor => 'mh ref');
SELECT count(*) AS concept_points, count(*) FILTER (WHERE a.value = p.value) AS equal_to_backfill
  FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id LEFT JOIN mh_ref_after a ON a.window_start = p.window_start
 WHERE m.name = 'mh ref' AND p.metric = 'concept_drift_score';
SELECT mlobs.drop_monitor('mh ref');

-- 16. A timestamp (no zone) log run by sessions in different zones (pg_cron in the database's, a
-- catch-up from a client that sends its own): the grid moved under the watermark, one wall-clock
-- hour in no window and another in two, with the totals still agreeing (review of 2026-12-07).
-- Runs read such a column in the zone of the monitor's first run (run_zone).
SET timezone = 'UTC';
CREATE TABLE mh_wall AS SELECT timestamp '2026-09-01' + i * interval '1 minute' AS ts, 1000.0 * (i / 60) AS latency_ms
  FROM generate_series(0, 24 * 60 - 1) i;
SELECT mlobs.create_monitor('mh wall', 'mh_wall', 'mh_wall', 'latency', '{}', '1 hour', start_at => '2026-09-01 00:00+00') > 0 AS created;
SELECT status, windows FROM mlobs.run_monitors('2026-09-01 06:00+00', monitor => 'mh wall');
SET timezone = 'Europe/Berlin';
SELECT status, windows FROM mlobs.run_monitors('2026-09-01 12:00+00', monitor => 'mh wall');
SET timezone = 'UTC';
SELECT status, windows FROM mlobs.run_monitors('2026-09-01 18:00+00', monitor => 'mh wall');
-- latency_ms is 1000 × the wall-clock hour: each window's median names the hour it summarised.
SELECT count(*) AS windows, sum(w.rows) AS rows, (SELECT count(*) FROM mh_wall WHERE ts < '2026-09-01 18:00') AS in_table,
       count(*) FILTER (WHERE round(p.value) = extract(hour FROM w.window_start AT TIME ZONE 'UTC')) AS on_their_hour,
       min(m.run_zone) AS run_zone
  FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id
  JOIN mlobs.metric_points p ON p.monitor_id = w.monitor_id AND p.window_start = w.window_start AND p.metric = 'latency_p50_seconds'
 WHERE m.name = 'mh wall';
SELECT mlobs.drop_monitor('mh wall');

-- 17. A window that keeps failing (here a label outside 0/1 in a binary monitor) was retried by
-- every run with no horizon: months later still rescanned (review of 2026-12-07). Past the
-- horizons it is retried only when its rows change; it stays in window_failures meanwhile.
CREATE TABLE mh_stale AS SELECT timestamptz '2026-10-01' + i * interval '10 minutes' AS ts, (i % 2) AS predicted, (i % 3 = 0)::int AS label
  FROM generate_series(0, 10 * 144 - 1) i;
UPDATE mh_stale SET label = 7 WHERE ts = '2026-10-02 10:00';
SELECT mlobs.create_monitor('mh stale', 'mh_stale', 'mh_stale', 'classification', '{}', '1 day', '2026-10-01', '2026-10-02',
                            label_horizon => '2 days', late_data_horizon => '1 day') > 0 AS created;
SELECT mlobs.track_changes('mh_stale', 'ts') IS NOT NULL AS tracked;
SELECT status, windows FROM mlobs.run_monitors('2026-10-03', monitor => 'mh stale');
SELECT status FROM mlobs.run_monitors('2026-10-03 01:00', monitor => 'mh stale');
SELECT status, windows FROM mlobs.run_monitors('2026-10-11', monitor => 'mh stale');
SELECT status FROM mlobs.run_monitors('2026-10-11 01:00', monitor => 'mh stale');
SELECT f.window_start, f.attempts FROM mlobs.window_failures f JOIN mlobs.monitors m ON m.id = f.monitor_id WHERE m.name = 'mh stale';
UPDATE mh_stale SET label = 1 WHERE ts = '2026-10-02 10:00';
SELECT status, revised FROM mlobs.run_monitors('2026-10-11 02:00', monitor => 'mh stale');
SELECT count(*) AS failures_left, (SELECT w.rows FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id
                                    WHERE m.name = 'mh stale' AND w.window_start = '2026-10-02') AS failed_day_rows
  FROM mlobs.window_failures f JOIN mlobs.monitors m ON m.id = f.monitor_id WHERE m.name = 'mh stale';
SELECT mlobs.drop_monitor('mh stale');

RESET statement_timeout;
DROP TABLE mh_api, mh_dst, mh_late, mh_part, mh_seg, mh_shared, mh_nan, mh_zone, mh_bad, mh_to, mh_ref, mh_wall, mh_stale;
DROP VIEW mh_secret_v;
DROP TABLE mh_secret;
DROP ROLE regress_mh_admin;
DROP ROLE regress_mh_reader;
DROP ROLE regress_mh_team_a;
DROP ROLE regress_mh_team_b;
UPDATE mlobs.monitors SET enabled = true WHERE name IN (SELECT name FROM paused);
