-- Faults found by the adversarial security review of 2026-12-07 (on 9e983ae): code of another
-- role run with the caller's rights, locks any role could hold, and rows of mlobs.monitors that
-- broke the application's writes or another team's monitors. Each case failed there. (The
-- look-alike types of that review are in security.sql, section 5.)
SET timezone = 'UTC';
\set VERBOSITY terse
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_rs_alice;
DROP ROLE IF EXISTS regress_rs_bob;
DROP ROLE IF EXISTS regress_rs_owner;
RESET client_min_messages;
CREATE ROLE regress_rs_alice IN ROLE mlobs_admin;
CREATE ROLE regress_rs_bob IN ROLE mlobs_admin;
CREATE ROLE regress_rs_owner;
CREATE FUNCTION pg_temp.state(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- 1. schedule_monitors / unschedule_monitors took any schema named cron for pg_cron. pg_cron lives
-- in one database per cluster; in the others a role with CREATE on the database could define
-- cron.unschedule, and a superuser following docs/monitoring.md ran it (the reviewer's made its
-- owner a superuser). Only pg_cron's own schema is used now.
DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO regress_rs_owner', current_database()); END $$;
SET ROLE regress_rs_owner;
CREATE SCHEMA cron;
CREATE TABLE cron.job (jobid bigint, database text, jobname text);
INSERT INTO cron.job VALUES (1, current_database(), 'mlobs_run_monitors');
CREATE TABLE cron.ran (fn text, as_role name);
GRANT INSERT ON cron.ran TO PUBLIC;
GRANT USAGE ON SCHEMA cron TO PUBLIC;
CREATE FUNCTION cron.unschedule(bigint) RETURNS bool LANGUAGE sql AS $$ INSERT INTO cron.ran VALUES ('unschedule', current_user) RETURNING true $$;
CREATE FUNCTION cron.schedule(text, text, text) RETURNS bigint LANGUAGE sql AS $$ INSERT INTO cron.ran VALUES ('schedule', current_user) RETURNING 1::bigint $$;
RESET ROLE;
SELECT mlobs.unschedule_monitors() AS removed;
SET ROLE regress_rs_alice;
SELECT pg_temp.state($$SELECT mlobs.schedule_monitors()$$);
RESET ROLE;
SELECT count(*) AS cron_functions_run FROM cron.ran;
DROP SCHEMA cron CASCADE;
DO $$ BEGIN EXECUTE format('REVOKE CREATE ON DATABASE %I FROM regress_rs_owner', current_database()); END $$;

-- 2. mlobs.report read the log of the model's first monitor as its caller. Any admin may label a
-- monitor with any model (and pick its id): bob's view called a function of his that copied
-- alice's secret table when alice (or a superuser) ran the report on her own model. The report
-- reads a monitor's log as its owner where the caller may take that role, else only a table
-- without row security.
CREATE TABLE rs_secrets (card text);
INSERT INTO rs_secrets VALUES ('4111-1111-1111-1111');
CREATE TABLE rs_log (ts timestamptz, features jsonb, label int, predicted int);
INSERT INTO rs_log SELECT '2026-01-01'::timestamptz + i * interval '1 minute', jsonb_build_object('amount', i % 50), i % 2, i % 2
  FROM generate_series(0, 599) i;
GRANT SELECT ON rs_secrets, rs_log TO regress_rs_alice;
CREATE SCHEMA rs_bob AUTHORIZATION regress_rs_bob;
SET ROLE regress_rs_bob;
CREATE TABLE rs_bob.loot (who name, card text);
GRANT INSERT ON rs_bob.loot TO PUBLIC;
CREATE TABLE rs_bob.base (ts timestamptz, features jsonb);
INSERT INTO rs_bob.base SELECT '2026-01-01'::timestamptz + i * interval '1 minute', '{"amount": 1}' FROM generate_series(0, 599) i;
CREATE FUNCTION rs_bob.steal() RETURNS bool LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  INSERT INTO rs_bob.loot SELECT current_user, s.card FROM public.rs_secrets s;
  RETURN true;
EXCEPTION WHEN OTHERS THEN
  INSERT INTO rs_bob.loot VALUES (current_user, NULL);
  RETURN true;
END $$;
CREATE VIEW rs_bob.v AS SELECT ts, features FROM rs_bob.base WHERE rs_bob.steal();
GRANT SELECT ON rs_bob.v TO PUBLIC;
INSERT INTO mlobs.monitors (id, name, model, source, ts_column, kind, config, window_size, reference_from, reference_to, owner)
VALUES (-1, 'rs innocent', 'rs_fraud', 'rs_bob.v', 'ts', 'feature_drift', '{}', '1 hour', '2026-01-01', '2026-01-01 02:00', 'regress_rs_bob');
INSERT INTO mlobs.metric_points (monitor_id, ts, window_start, model, feature, metric, value)
VALUES (-1, '2026-01-01 05:00', '2026-01-01 04:00', 'rs_fraud', 'amount', 'psi', 0.5);
RESET ROLE;
SET ROLE regress_rs_alice;
SELECT mlobs.create_monitor('rs perf', 'rs_fraud', 'public.rs_log', 'classification', '{}', '1 hour', '2026-01-01', '2026-01-01 02:00') > 0 AS alice_monitor;
SELECT status FROM mlobs.run_monitors('2026-01-01 10:00', monitor_ids => ARRAY(SELECT id FROM mlobs.monitors WHERE name = 'rs perf'));
SELECT mlobs.report('rs_fraud', '2026-01-01', '2026-01-01 10:00') LIKE '%need the role of the monitor&#39;s owner regress_rs_bob, or SELECT on rs_bob.v as regress_rs_alice on a table that regress_rs_alice or a superuser owns, whose columns read have built-in types.%' AS left_out_with_a_note;
RESET ROLE;
-- A superuser may take bob's role: the view runs as bob, who may not read the secrets.
SELECT length(mlobs.report('rs_fraud', '2026-01-01', '2026-01-01 10:00')) > 0 AS superuser_report;
SELECT DISTINCT who, card FROM rs_bob.loot ORDER BY 1;
-- The report is back in the caller's role afterwards.
SELECT current_user = session_user AS role_restored;

-- 3. Any admin could drop another team's monitor (its windows, points and alerts with it), though
-- editing it was refused. Deleting is the owner's too now.
SET ROLE regress_rs_bob;
SELECT pg_temp.state($$SELECT mlobs.drop_monitor('rs perf')$$);
SELECT pg_temp.state($$DELETE FROM mlobs.monitors WHERE name = 'rs perf'$$);
RESET ROLE;
SELECT count(*) AS alice_monitor_kept FROM mlobs.monitors WHERE name = 'rs perf';

-- 4. A monitor row steers the change triggers of its table, which run as the extension's owner on
-- the application's writes. Bob, with no privilege on alice's table, inserted a monitor of it
-- with an unknown run_zone: every INSERT of the application failed. Such rows are refused.
CREATE TABLE rs_orders (ts timestamp, amount float8);
GRANT SELECT ON rs_orders TO regress_rs_alice;
SET ROLE regress_rs_alice;
SELECT mlobs.create_monitor('rs orders', 'rs_orders_model', 'public.rs_orders', 'latency', '{"latency_ms": "amount"}', '1 hour', start_at => '2026-01-01') > 0 AS monitor;
RESET ROLE;
SELECT mlobs.track_changes('public.rs_orders', 'ts') IS NOT NULL AS tracked;
SET ROLE regress_rs_bob;
SELECT pg_temp.state($$INSERT INTO mlobs.monitors (name, model, source, ts_column, kind, config, window_size, watermark, run_zone)
  VALUES ('rs zone', 'x', 'public.rs_orders', 'ts', 'feature_drift', '{}', '1 hour', '2030-01-01', 'No/Such_Zone')$$);
SELECT pg_temp.state($$INSERT INTO mlobs.monitors (name, model, source, ts_column, kind, config, window_size, watermark)
  VALUES ('rs infinite', 'x', 'public.rs_orders', 'ts', 'feature_drift', '{}', '1 hour', 'infinity')$$);
SELECT pg_temp.state($$INSERT INTO mlobs.monitors (name, model, source, ts_column, kind, config, window_size, watermark, label_horizon)
  VALUES ('rs horizon', 'x', 'public.rs_orders', 'ts', 'feature_drift', '{}', '1 hour', '2030-01-01', '10000000 years')$$);
RESET ROLE;
INSERT INTO rs_orders VALUES ('2026-01-01 00:10', 5);
SELECT count(*) AS application_rows FROM rs_orders;

-- 5. register_model, train and promote took advisory locks whose keys any role could take (a role
-- with no mlobs privilege stalled them for as long as its session lasted). Row locks now, which
-- need mlobs_admin's UPDATE privilege; no advisory lock is held.
BEGIN;
SELECT mlobs.register_model('rs_model', 'linear', '{"coefficients": [[1, 2]], "intercept": [0.5], "link": "identity"}', ARRAY['a', 'b']) AS v1;
SELECT mlobs.register_model('rs_model', 'linear', '{"coefficients": [[1, 3]], "intercept": [0.5], "link": "identity"}', ARRAY['a', 'b']) AS v2;
SELECT mlobs.promote('rs_model', 2) AS previous_production;
SELECT count(*) AS advisory_locks FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid();
COMMIT;

DELETE FROM mlobs.monitors WHERE name IN ('rs perf', 'rs orders', 'rs innocent');
DELETE FROM mlobs.model_stages WHERE name = 'rs_model';
DELETE FROM mlobs.model_stage_history WHERE name = 'rs_model';
DELETE FROM mlobs.models WHERE name = 'rs_model';
DROP TABLE rs_orders, rs_log, rs_secrets;
DROP SCHEMA rs_bob CASCADE;
DROP OWNED BY regress_rs_alice, regress_rs_bob, regress_rs_owner;
DROP ROLE regress_rs_alice;
DROP ROLE regress_rs_bob;
DROP ROLE regress_rs_owner;
