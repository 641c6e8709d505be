-- Faults the review of mlobs.report found on 2026-12-07 (production-shaped data, a non-superuser
-- admin, a reader, wrappers). Each case failed before its fix.
SET timezone = 'UTC';
\set VERBOSITY terse
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_rr_mal;
DROP ROLE IF EXISTS regress_rr_reader;
CREATE ROLE regress_rr_mal IN ROLE mlobs_admin;
CREATE ROLE regress_rr_reader IN ROLE mlobs_reader;
DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO regress_rr_mal', current_database()); END $$;

-- 1. The report read a table without row security as its caller, taking that to run no code of
-- the owner's. A column of the owner's type runs the owner's cast: the confusion matrix writes
-- label::text. A superuser (sent down that path by the owner revoking its own SELECT) made the
-- admin a superuser; a reader granted SELECT on the log had its own table copied out. Only
-- tables of the caller's own or a superuser's are read as the caller now.
SET ROLE regress_rr_mal;
CREATE SCHEMA rr_mal;
GRANT USAGE ON SCHEMA rr_mal TO PUBLIC;
CREATE TABLE rr_mal.loot (who name, super bool);
GRANT INSERT ON rr_mal.loot TO PUBLIC;
CREATE TYPE rr_mal.lbl AS ENUM ('a', 'b');
CREATE FUNCTION rr_mal.lbl_text(x rr_mal.lbl) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF current_user <> 'regress_rr_mal' THEN
    INSERT INTO rr_mal.loot SELECT current_user, rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user;
  END IF;
  RETURN x::name::text;
END $$;
GRANT EXECUTE ON FUNCTION rr_mal.lbl_text(rr_mal.lbl) TO PUBLIC;
CREATE CAST (rr_mal.lbl AS text) WITH FUNCTION rr_mal.lbl_text(rr_mal.lbl) AS IMPLICIT;
CREATE TABLE rr_mal.log (ts timestamptz, label rr_mal.lbl, predicted rr_mal.lbl);
INSERT INTO rr_mal.log SELECT timestamptz '2026-01-01' + i * interval '10 minutes', (ARRAY['a', 'b'])[1 + i % 2]::rr_mal.lbl,
       (ARRAY['a', 'b'])[1 + (i / 3) % 2]::rr_mal.lbl FROM generate_series(0, 575) i;
GRANT SELECT ON rr_mal.log TO regress_rr_reader;
SELECT mlobs.create_monitor('rr mal cls', 'rr_mal', 'rr_mal.log', 'classification', '{"average": "macro"}', '6 hours',
                            '2026-01-01', '2026-01-02') > 0 AS created;
SELECT status FROM mlobs.run_monitors('2026-01-05', monitor => 'rr mal cls');
RESET ROLE;
SET ROLE regress_rr_reader;
SELECT mlobs.report('rr_mal', '2026-01-02', '2026-01-05') LIKE
       '%The confusion matrix and calibration need the role of the monitor&#39;s owner regress_rr_mal, or SELECT on rr_mal.log as regress_rr_reader on a table that regress_rr_reader or a superuser owns, whose columns read have built-in types.%'
       AS reader_left_out_with_a_note;
RESET ROLE;
SET ROLE regress_rr_mal;
REVOKE SELECT ON rr_mal.log FROM regress_rr_mal;
RESET ROLE;
SELECT mlobs._report_read_role(owner, source, '{label,predicted,ts}')::regrole AS superuser_reads_as FROM mlobs.monitors WHERE name = 'rr mal cls';
SELECT mlobs.report('rr_mal', '2026-01-02', '2026-01-05') LIKE '%The confusion matrix and calibration are not computed: permission denied for table log (42501).%'
       AS superuser_left_out;
SELECT count(*) AS casts_run_as_another_role FROM rr_mal.loot;
SELECT rolsuper AS admin_is_superuser FROM pg_roles WHERE rolname = 'regress_rr_mal';
-- The superuser's own log is read as itself.
CREATE TABLE rr_log (ts timestamptz, features jsonb, label int, predicted int, score float8);
INSERT INTO rr_log SELECT timestamptz '2026-01-01' + i * interval '10 minutes',
       jsonb_build_object('amount', (i % 50) * CASE WHEN i >= 432 THEN 3 ELSE 1 END), i % 2, (i / 3) % 2, (i % 10) / 10.0
  FROM generate_series(0, 4 * 144 - 1) i;
SELECT mlobs.create_monitor('rr drift', 'rr_sd', 'rr_log', 'feature_drift', '{}', '6 hours', '2026-01-01', '2026-01-02') > 0 AS created,
       mlobs.create_monitor('rr cls', 'rr_sd', 'rr_log', 'classification', '{"score": "score"}', '6 hours', '2026-01-01', '2026-01-02') > 0 AS created;
SELECT status FROM mlobs.run_monitors('2026-01-05', monitor_ids => ARRAY(SELECT id FROM mlobs.monitors WHERE name IN ('rr drift', 'rr cls')));
SELECT mlobs._report_read_role(owner, source, '{features,ts}')::regrole AS read_as FROM mlobs.monitors WHERE name = 'rr drift';

-- 2. The report always set the role to read the log, even to the current one: from a
-- security-definer function or a materialized view (the usual ways to hand a report to another
-- role) the whole report failed with 42501. It sets no role now.
CREATE FUNCTION rr_sd_report(m text) RETURNS text LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog
  AS $$ SELECT mlobs.report(m, '2026-01-02', '2026-01-05') $$;
SELECT r LIKE '%id="distributions"%' AS distributions, r LIKE '%Confusion matrix%' AS confusion FROM rr_sd_report('rr_sd') r;
CREATE MATERIALIZED VIEW rr_mv AS SELECT mlobs.report('rr_sd', '2026-01-02', '2026-01-05') AS html;
SELECT html LIKE '%id="distributions"%' AS distributions FROM rr_mv;

-- 3. A caller who may act as the owner read the owner's log after SET ROLE owner: a function in
-- the owner's view reset the role and acted as the superuser who ran the report (also from a
-- superuser's security-definer wrapper called after SET ROLE owner). The log is read as the
-- owner in a security-restricted operation: the reset is refused and the section left out.
SET ROLE regress_rr_mal;
CREATE TABLE rr_mal.base (ts timestamptz, label int, predicted int);
INSERT INTO rr_mal.base SELECT timestamptz '2026-01-01' + i * interval '10 minutes', i % 2, i % 2 FROM generate_series(0, 575) i;
CREATE FUNCTION rr_mal.pwn(int) RETURNS int LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF current_user <> session_user THEN
    PERFORM set_config('role', 'none', true);
    IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
      EXECUTE 'ALTER ROLE regress_rr_mal SUPERUSER';
    END IF;
  END IF;
  RETURN $1;
END $$;
CREATE VIEW rr_mal.v AS SELECT ts, rr_mal.pwn(label) AS label, predicted FROM rr_mal.base;
SELECT mlobs.create_monitor('rr mal view', 'rr_malv', 'rr_mal.v', 'classification', '{}', '6 hours', '2026-01-01', '2026-01-02') > 0 AS created;
RESET ROLE;
SELECT mlobs.report('rr_malv', '2026-01-02', '2026-01-05') LIKE
       '%The confusion matrix and calibration are not computed: cannot set parameter &quot;role&quot; within security-definer function (42501).%'
       AS refused_with_a_note;
SET ROLE regress_rr_mal;
SELECT rr_sd_report('rr_malv') LIKE '%cannot set parameter &quot;role&quot; within security-definer function (42501)%' AS refused_from_the_wrapper;
RESET ROLE;
SELECT rolsuper AS admin_is_superuser FROM pg_roles WHERE rolname = 'regress_rr_mal';
-- An index expression's constant part is folded by the planner as the reader: the owner's
-- table is read as its owner, restricted, never as a superuser who is not its owner (here the
-- owner revoked its SELECT: the caller path was the way in).
SET ROLE regress_rr_mal;
CREATE FUNCTION rr_mal.k(int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
    EXECUTE 'ALTER ROLE regress_rr_mal SUPERUSER';
  END IF;
  RETURN $1;
END $$;
CREATE INDEX ON rr_mal.base ((label + rr_mal.k(0)));
SELECT mlobs.create_monitor('rr mal idx', 'rr_malx', 'rr_mal.base', 'classification', '{}', '6 hours', '2026-01-01', '2026-01-02') > 0 AS created;
REVOKE SELECT ON rr_mal.base FROM regress_rr_mal;
RESET ROLE;
\c
SET timezone = 'UTC';
\set VERBOSITY terse
SET client_min_messages = warning;
SELECT mlobs.report('rr_malx', '2026-01-02', '2026-01-05') LIKE '%The confusion matrix and calibration are not computed: permission denied for table base (42501).%'
       AS left_out_with_a_note;
SELECT rolsuper AS admin_is_superuser FROM pg_roles WHERE rolname = 'regress_rr_mal';
-- A superuser's table with a column of the admin's type, the admin granted column SELECT only
-- (has_table_privilege false: the superuser read as itself and ran the admin's cast). A member
-- of the owner reads as the owner, restricted; anyone else only built-in types as itself.
SET ROLE regress_rr_mal;
CREATE TYPE rr_mal.lbl2 AS ENUM ('0', '1');
CREATE FUNCTION rr_mal.lbl2_text(x rr_mal.lbl2) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
    EXECUTE 'ALTER ROLE regress_rr_mal SUPERUSER';
  END IF;
  IF current_user <> 'regress_rr_mal' THEN
    INSERT INTO rr_mal.loot SELECT current_user, false;
  END IF;
  RETURN x::name::text;
END $$;
GRANT EXECUTE ON FUNCTION rr_mal.lbl2_text(rr_mal.lbl2) TO PUBLIC;
GRANT USAGE ON TYPE rr_mal.lbl2 TO PUBLIC;
CREATE CAST (rr_mal.lbl2 AS text) WITH FUNCTION rr_mal.lbl2_text(rr_mal.lbl2) AS IMPLICIT;
RESET ROLE;
CREATE TABLE rr_su_log (ts timestamptz, label rr_mal.lbl2, predicted rr_mal.lbl2, pii text);
INSERT INTO rr_su_log SELECT timestamptz '2026-01-01' + i * interval '10 minutes', (i % 2)::text::rr_mal.lbl2,
       ((i / 3) % 2)::text::rr_mal.lbl2, 'secret' FROM generate_series(0, 575) i;
GRANT SELECT (ts, label, predicted) ON rr_su_log TO regress_rr_mal;
GRANT SELECT ON rr_su_log TO regress_rr_reader;
SET ROLE regress_rr_mal;
SELECT mlobs.create_monitor('rr su cls', 'rr_su', 'public.rr_su_log', 'classification', '{"average": "macro"}', '6 hours',
                            '2026-01-01', '2026-01-02') > 0 AS created;
RESET ROLE;
SELECT r LIKE '%Confusion matrix%' AS read_as_the_owner FROM mlobs.report('rr_su', '2026-01-02', '2026-01-05') r;
SET ROLE regress_rr_reader;
SELECT r LIKE '%The confusion matrix and calibration need the role%' AS reader_left_out FROM mlobs.report('rr_su', '2026-01-02', '2026-01-05') r;
RESET ROLE;
SELECT rolsuper AS admin_is_superuser, (SELECT count(*) FROM rr_mal.loot) AS casts_run_as_another_role
  FROM pg_roles WHERE rolname = 'regress_rr_mal';
DROP TABLE rr_su_log;
-- The owner read in the restricted operation needs none of mlobs' roles: a monitor whose owner
-- left mlobs_admin still gets its confusion matrix (the report failed whole with 42501).
SET ROLE regress_rr_mal;
CREATE TABLE rr_mal.log3 (ts timestamptz, label int, predicted int);
INSERT INTO rr_mal.log3 SELECT timestamptz '2026-01-01' + i * interval '10 minutes', i % 2, (i / 2) % 2 FROM generate_series(0, 575) i;
SELECT mlobs.create_monitor('rr mal cls3', 'rr_mal3', 'rr_mal.log3', 'classification', '{}', '6 hours', '2026-01-01', '2026-01-02') > 0 AS created;
RESET ROLE;
REVOKE mlobs_admin FROM regress_rr_mal;
SELECT r LIKE '%Confusion matrix%' AS confusion FROM mlobs.report('rr_mal3', '2026-01-02', '2026-01-05') r;
GRANT mlobs_admin TO regress_rr_mal;
SELECT current_user = session_user AS role_restored;

-- 3. A timestamp (without time zone) log was read in the caller's TimeZone, not the monitor's
-- run_zone: from a Tokyo session the confusion matrix of 00:00–12:00 UTC counted 09:00–21:00.
CREATE TABLE rr_tlog (ts timestamp, label int, predicted int);
INSERT INTO rr_tlog SELECT timestamp '2026-01-01' + i * interval '10 minutes', 1, CASE WHEN i % 144 < 72 THEN 1 ELSE 0 END
  FROM generate_series(0, 4 * 144 - 1) i;  -- predicted = 1 from 00:00 to 12:00
SELECT mlobs.create_monitor('rr tcls', 'rr_tz', 'rr_tlog', 'classification', '{}', '12 hours', '2026-01-01', '2026-01-02') > 0 AS created;
SELECT status FROM mlobs.run_monitors('2026-01-05', monitor => 'rr tcls');
SELECT array_agg(m[1]) AS cells_utc
  FROM regexp_matches(mlobs.report('rr_tz', '2026-01-03 00:00+00', '2026-01-03 12:00+00'), '<td style="[^"]*">(\d+)</td>', 'g') m;
SET timezone = 'Asia/Tokyo';
SELECT array_agg(m[1]) AS cells_tokyo
  FROM regexp_matches(mlobs.report('rr_tz', '2026-01-03 00:00+00', '2026-01-03 12:00+00'), '<td style="[^"]*">(\d+)</td>', 'g') m;
SELECT current_setting('TimeZone') AS zone_restored;
SET timezone = 'UTC';

-- 4. More than 40 classes: the first 40 alphabetically were drawn and the other rows dropped
-- without a word (175 of 864 labelled rows). The 39 most frequent are drawn, the rest together.
CREATE TABLE rr_mlog AS SELECT timestamptz '2026-01-01' + g * interval '5 minutes' AS ts,
       'c' || (g % 50) AS label, 'c' || ((g + g / 7) % 50) AS predicted FROM generate_series(0, 4 * 288 - 1) g;
SELECT mlobs.create_monitor('rr multi', 'rr_multi', 'rr_mlog', 'classification', '{"average": "macro"}', '6 hours',
                            '2026-01-01', '2026-01-02') > 0 AS created;
SELECT status FROM mlobs.run_monitors('2026-01-05', monitor => 'rr multi');
SELECT sum(m[1]::int) AS rows_in_matrix, (SELECT count(*) FROM rr_mlog WHERE ts >= '2026-01-02' AND ts < '2026-01-05') AS labelled_rows,
       count(*) AS cells
  FROM regexp_matches(mlobs.report('rr_multi', '2026-01-02', '2026-01-05'), '<td style="[^"]*">(\d+)</td>', 'g') m;
SELECT mlobs.report('rr_multi', '2026-01-02', '2026-01-05') LIKE '%count the 11 least frequent classes together%' AS says_so;

-- 5. A period of one window drew every chart as a one-point polyline, which shows nothing.
SELECT mlobs.report('rr_sd', '2026-01-04 00:00', '2026-01-04 06:00') ~ '<circle[^>]*fill="#0072B2"' AS drawn_as_a_dot;

-- 6. A dropped log: the note named a bare OID as a table to be granted.
CREATE TABLE rr_dlog (ts timestamptz, features jsonb);
INSERT INTO rr_dlog SELECT timestamptz '2026-01-01' + i * interval '10 minutes', jsonb_build_object('amount', i % 50) FROM generate_series(0, 575) i;
SELECT mlobs.create_monitor('rr dropped', 'rr_dropped', 'rr_dlog', 'feature_drift', '{}', '6 hours', '2026-01-01', '2026-01-02') > 0 AS created;
SELECT status FROM mlobs.run_monitors('2026-01-05', monitor => 'rr dropped');
DROP TABLE rr_dlog;
SELECT mlobs.report('rr_dropped', '2026-01-02', '2026-01-05') ~ 'Distributions and SHAP importance are not drawn: the monitor&#39;s source \(OID \d+\) no longer exists\.' AS says_so;

SET client_min_messages = warning;
DELETE FROM mlobs.monitors WHERE name LIKE 'rr %';
DROP MATERIALIZED VIEW rr_mv;
DROP FUNCTION rr_sd_report(text);
DROP TABLE rr_log, rr_tlog, rr_mlog;
DROP SCHEMA rr_mal CASCADE;
DO $$ BEGIN EXECUTE format('REVOKE CREATE ON DATABASE %I FROM regress_rr_mal', current_database()); END $$;
DROP ROLE regress_rr_reader;
DROP ROLE regress_rr_mal;
