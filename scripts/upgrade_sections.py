#!/usr/bin/env python3
"""Writes the runtime and surface sections of sql/mlobs--0.2.0--0.3.0.sql from their sources.

The 0.2.0 -> 0.3.0 update replaces most of the monitoring runtime. Its section is generated
from src/sql/monitor_kinds.sql, monitoring.sql, monitor_config.sql, monitor_alerts.sql,
monitor_run.sql, monitor_multivariate.sql and finalize.sql, so that an edit of a runtime function cannot
leave the update behind (the upgrade test's schema diff would catch it later; `--check`, run by
scripts/test.sh, says which file to regenerate at once). Hand-written statements (ALTERs, drops, tombstones) are below.
The surface section (internal schema, row_count, COMMENTs) is the surface part of finalize.sql,
statement for statement.
Usage: scripts/upgrade_sections.py [--check]. Standard library only.
"""
import pathlib
import sys
ROOT = pathlib.Path(__file__).resolve().parent.parent
UPGRADE = ROOT / "sql" / "mlobs--0.2.0--0.3.0.sql"
SOURCES = ROOT / "src" / "sql"
CHECK = "--check" in sys.argv
BEFORE = UPGRADE.read_text()
import re
src='\n'.join((SOURCES / f).read_text() for f in ['monitor_kinds.sql','monitoring.sql','monitor_config.sql','monitor_alerts.sql','monitor_run.sql','monitor_multivariate.sql'])
lines=src.split('\n')
def idx(prefix):
    return next(k for k,l in enumerate(lines) if l.startswith(prefix))
def block(start_pat, end_pat='END $$;', comments=True):
    i=idx(start_pat); j=i
    if comments:
        while j>0 and lines[j-1].startswith('--'): j-=1
    e=next(k for k in range(i,len(lines)) if lines[k].startswith(end_pat))
    return '\n'.join(lines[j:e+1])
def span(a_text, b_text):
    i=src.index(a_text); j=src.index(b_text, i); j=src.index('\n', j)
    return src[i:j]
USER_ACL_BEFORE = r'''-- Privileges granted or revoked by hand on mlobs' objects since the release was installed (each
-- ACL against its initial privileges, pg_init_privs; the grants made as the objects' owner, and
-- grant options apart): taken back here, before the statements below replay a fresh install's
-- grants, and given again after them, with the initial privileges set to a fresh install's. Run in
-- this script, a GRANT recorded the object's whole ACL, user grants included, as the extension's
-- own: pg_dump (which dumps the difference) left them out and a dump and restore lost them; and
-- the REVOKE/GRANT pairs undid a user's REVOKE (reviews of 2026-12-08). Columns are taken back
-- before their table (a table's REVOKE also takes its columns' privileges).
DO $$
DECLARE
  d record;
  kept jsonb := '[]';
  what text;
  who text;
BEGIN
  FOR d IN
    WITH ext AS (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'mlobs'),
    members AS (
      SELECT dp.classid, dp.objid FROM pg_catalog.pg_depend dp
       WHERE dp.deptype OPERATOR(pg_catalog.=) 'e' AND dp.refobjid OPERATOR(pg_catalog.=) (SELECT ext.oid FROM ext)
         AND dp.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass),
    objs AS (
      SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid AS classid, c.oid AS objid, 0 AS subid, c.relowner AS owner,
             pg_catalog.format('%s %I.%I', CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                               n.nspname, c.relname) AS target, NULL::pg_catalog.text AS col,
             coalesce(c.relacl, pg_catalog.acldefault(CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S' THEN 's' ELSE 'r' END::"char", c.relowner)) AS acl,
             pg_catalog.acldefault(CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S' THEN 's' ELSE 'r' END::"char", c.relowner) AS dflt
        FROM members m JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) m.objid
        JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
       WHERE m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
      UNION ALL
      SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, c.oid, a.attnum, c.relowner,
             pg_catalog.format('TABLE %I.%I', n.nspname, c.relname), a.attname::pg_catalog.text, a.attacl, NULL
        FROM members m JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) m.objid
        JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
        JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
       WHERE m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
      UNION ALL
      SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid, p.oid, 0, p.proowner,
             pg_catalog.format('ROUTINE %I.%I(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)), NULL,
             coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner)), pg_catalog.acldefault('f', p.proowner)
        FROM members m JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) m.objid
        JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
       WHERE m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
      UNION ALL
      SELECT 'pg_catalog.pg_namespace'::pg_catalog.regclass::pg_catalog.oid, n.oid, 0, n.nspowner, pg_catalog.format('SCHEMA %I', n.nspname), NULL,
             coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner)), pg_catalog.acldefault('n', n.nspowner)
        FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) 'mlobs'),
    judged AS (
      SELECT o.*, coalesce((SELECT ip.initprivs FROM pg_catalog.pg_init_privs ip
                             WHERE ip.objoid OPERATOR(pg_catalog.=) o.objid AND ip.classoid OPERATOR(pg_catalog.=) o.classid
                               AND ip.objsubid OPERATOR(pg_catalog.=) o.subid), o.dflt) AS init
        FROM objs o),
    -- Each (grantee, privilege) the owner granted, now and initially, with its grant option.
    pairs AS (
      SELECT j.classid, j.objid, j.subid, j.target, j.col, x.grantee, x.privilege_type,
             pg_catalog.bool_or(x.now) AS now_held, pg_catalog.bool_or(x.now AND x.is_grantable) AS now_option,
             pg_catalog.bool_or(NOT x.now) AS init_held, pg_catalog.bool_or(NOT x.now AND x.is_grantable) AS init_option
        FROM judged j
       CROSS JOIN LATERAL (SELECT a.grantee, a.privilege_type, a.is_grantable, true AS now FROM pg_catalog.aclexplode(j.acl) a
                            WHERE a.grantor OPERATOR(pg_catalog.=) j.owner
                           UNION ALL
                           SELECT i.grantee, i.privilege_type, i.is_grantable, false FROM pg_catalog.aclexplode(j.init) i
                            WHERE i.grantor OPERATOR(pg_catalog.=) j.owner) x
       GROUP BY j.classid, j.objid, j.subid, j.target, j.col, x.grantee, x.privilege_type)
    SELECT p.*, CASE WHEN p.now_held AND NOT p.init_held THEN 'added'
                     WHEN p.init_held AND NOT p.now_held THEN 'removed'
                     WHEN p.now_option AND NOT p.init_option THEN 'option_added'
                     ELSE 'option_removed' END AS change
      FROM pairs p
     WHERE p.now_held IS DISTINCT FROM p.init_held OR p.now_option IS DISTINCT FROM p.init_option
     ORDER BY p.target, p.col NULLS LAST, p.privilege_type, p.grantee
  LOOP
    what := pg_catalog.format('%s%s ON %s', d.privilege_type, CASE WHEN d.col IS NULL THEN '' ELSE pg_catalog.format(' (%I)', d.col) END,
                              d.target);
    -- (regrole's text is an identifier, quoted where needed)
    who := CASE WHEN d.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE d.grantee::pg_catalog.regrole::pg_catalog.text END;
    BEGIN
      EXECUTE CASE d.change
        WHEN 'added' THEN pg_catalog.format('REVOKE %s FROM %s', what, who)
        WHEN 'removed' THEN pg_catalog.format('GRANT %s TO %s%s', what, who, CASE WHEN d.init_option THEN ' WITH GRANT OPTION' ELSE '' END)
        WHEN 'option_added' THEN pg_catalog.format('REVOKE GRANT OPTION FOR %s FROM %s', what, who)
        ELSE pg_catalog.format('GRANT %s TO %s WITH GRANT OPTION', what, who) END;
      kept := kept OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(
        'what', what, 'who', who, 'option', coalesce(d.now_option, false), 'change', d.change, 'col', d.col IS NOT NULL);
    EXCEPTION WHEN OTHERS THEN
      -- Passed on by its grantee (WITH GRANT OPTION): it stays as it is, and after a dump and
      -- restore it is the extension's own grant, not yours.
      RAISE WARNING 'mlobs: % for % is kept as it is through the update (%)', what, who, SQLERRM
        USING HINT = 'A grant passed on by its grantee: check it after a dump and restore, and grant it again if it is missing.';
    END;
  END LOOP;
  PERFORM pg_catalog.set_config('mlobs.update_user_privileges', kept::pg_catalog.text, true);
END $$;'''
USER_ACL_AFTER = r'''-- The privileges granted or revoked by hand, taken back above, given again (tables before their
-- columns); then the initial privileges of mlobs' objects are what this script's grants recorded
-- (a fresh install's), but for grants made by others than an object's owner or to other roles
-- than the owner, mlobs_reader, mlobs_admin and PUBLIC, which a fresh install never makes: those
-- are yours.
DO $$
DECLARE
  kept jsonb := coalesce(NULLIF(pg_catalog.current_setting('mlobs.update_user_privileges', true), ''), '[]')::jsonb;
  d record;
  snapshot jsonb;
  n int := 0;
BEGIN
  WITH ext AS (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'mlobs'),
  objs AS (
    SELECT dp.classid, dp.objid FROM pg_catalog.pg_depend dp
     WHERE dp.deptype OPERATOR(pg_catalog.=) 'e' AND dp.refobjid OPERATOR(pg_catalog.=) (SELECT ext.oid FROM ext)
       AND dp.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
    UNION ALL
    SELECT 'pg_catalog.pg_namespace'::pg_catalog.regclass, n.oid FROM pg_catalog.pg_namespace n
     WHERE n.nspname OPERATOR(pg_catalog.=) ANY ('{mlobs,mlobs_internal}'::pg_catalog.name[]))
  SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('objoid', ip.objoid, 'classoid', ip.classoid, 'objsubid', ip.objsubid,
                                                                     'privtype', ip.privtype, 'initprivs', ip.initprivs)), '[]')
    INTO snapshot
    FROM pg_catalog.pg_init_privs ip JOIN objs o ON o.classid OPERATOR(pg_catalog.=) ip.classoid AND o.objid OPERATOR(pg_catalog.=) ip.objoid;
  FOR d IN SELECT x.* FROM pg_catalog.jsonb_to_recordset(kept) AS x (what text, who text, option bool, change text, col bool)
            ORDER BY x.col LOOP
    BEGIN
      EXECUTE CASE d.change
        WHEN 'added' THEN pg_catalog.format('GRANT %s TO %s%s', d.what, d.who, CASE WHEN d.option THEN ' WITH GRANT OPTION' ELSE '' END)
        WHEN 'removed' THEN pg_catalog.format('REVOKE %s FROM %s', d.what, d.who)
        WHEN 'option_added' THEN pg_catalog.format('GRANT %s TO %s WITH GRANT OPTION', d.what, d.who)
        ELSE pg_catalog.format('REVOKE GRANT OPTION FOR %s FROM %s', d.what, d.who) END;
      n := n OPERATOR(pg_catalog.+) 1;
    EXCEPTION WHEN OTHERS THEN
      RAISE WARNING 'mlobs: % (%) for %: not given again after the update: %', d.what, d.change, d.who, SQLERRM;
    END;
  END LOOP;
  -- The replay above recorded itself in pg_init_privs: back to the snapshot, filtered.
  DELETE FROM pg_catalog.pg_init_privs ip
   WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_depend dp JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) dp.refobjid
                  WHERE e.extname OPERATOR(pg_catalog.=) 'mlobs' AND dp.deptype OPERATOR(pg_catalog.=) 'e'
                    AND dp.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
                    AND dp.classid OPERATOR(pg_catalog.=) ip.classoid AND dp.objid OPERATOR(pg_catalog.=) ip.objoid)
      OR ip.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass
         AND ip.objoid OPERATOR(pg_catalog.=) ANY (SELECT n.oid FROM pg_catalog.pg_namespace n
                                                    WHERE n.nspname OPERATOR(pg_catalog.=) ANY ('{mlobs,mlobs_internal}'::pg_catalog.name[]));
  INSERT INTO pg_catalog.pg_init_privs (objoid, classoid, objsubid, privtype, initprivs)
  SELECT s.objoid, s.classoid, s.objsubid, s.privtype,
         coalesce((SELECT pg_catalog.array_agg(item) FROM pg_catalog.unnest(s.initprivs) item
                    WHERE w.owner IS NULL OR (SELECT e.grantor OPERATOR(pg_catalog.=) w.owner
                                  AND (e.grantee OPERATOR(pg_catalog.=) 0 OR e.grantee OPERATOR(pg_catalog.=) w.owner
                                       OR e.grantee::pg_catalog.regrole::pg_catalog.text OPERATOR(pg_catalog.=) ANY ('{mlobs_reader,mlobs_admin}'::pg_catalog.text[]))
                             FROM pg_catalog.aclexplode(ARRAY[item]) e LIMIT 1)), '{}')
    FROM pg_catalog.jsonb_to_recordset(snapshot) AS s (objoid oid, classoid oid, objsubid int, privtype "char", initprivs aclitem[])
   CROSS JOIN LATERAL (SELECT coalesce((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) s.objoid
                                          AND s.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass),
                                       (SELECT p.proowner FROM pg_catalog.pg_proc p WHERE p.oid OPERATOR(pg_catalog.=) s.objoid
                                          AND s.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass),
                                       (SELECT t.typowner FROM pg_catalog.pg_type t WHERE t.oid OPERATOR(pg_catalog.=) s.objoid
                                          AND s.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass),
                                       (SELECT x.nspowner FROM pg_catalog.pg_namespace x WHERE x.oid OPERATOR(pg_catalog.=) s.objoid
                                          AND s.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass)) AS owner) w;
  IF n OPERATOR(pg_catalog.>) 0 THEN
    RAISE WARNING 'mlobs: % privileges granted or revoked by hand on mlobs objects are kept through the update, and dumped as yours', n;
  END IF;
END $$;'''
out=[]
out.append("""-- monitors.owner: runs read each monitor's source as its owner (issue 13). Monitors created
-- before 0.3.0 are owned by the role running this update (a superuser: what ran them before);
-- hand them over with UPDATE mlobs.monitors SET owner = '<role>'.
ALTER TABLE mlobs.monitors ADD COLUMN owner regrole NOT NULL DEFAULT pg_catalog.to_regrole(pg_catalog.quote_ident(CURRENT_USER));
-- 0.2.0 read every source as the caller of run_monitors. When this database's pg_cron jobs ran
-- them as one role (0.2.0's schedule_monitors schedules the job as its caller, often a
-- non-superuser mlobs_admin member), that role is what read them: it owns them from now on and
-- its runs go on. (Owned by the updating superuser, they failed every run of that role with
-- 42501, and a superuser taking the runs over would read the role's views as a superuser.)
-- Otherwise the updating role owns them. A WARNING says which (an extension script's NOTICEs are
-- not shown).
DO $$
DECLARE
  runners text[];
  runner regrole;
BEGIN
  IF pg_catalog.to_regclass('cron.job') IS NOT NULL THEN
    -- The active jobs' role; else the paused jobs' (docs/reliability.md pauses the job around
    -- the update).
    EXECUTE $q$SELECT pg_catalog.array_agg(DISTINCT j.username) FROM cron.job j
                WHERE j.database OPERATOR(pg_catalog.=) pg_catalog.current_database()
                  AND j.command OPERATOR(pg_catalog.~) 'mlobs\.run_monitors'
                  AND j.active = (SELECT pg_catalog.bool_or(k.active) FROM cron.job k
                                   WHERE k.database OPERATOR(pg_catalog.=) pg_catalog.current_database()
                                     AND k.command OPERATOR(pg_catalog.~) 'mlobs\.run_monitors')$q$ INTO runners;
  END IF;
  IF pg_catalog.cardinality(runners) = 1 THEN
    runner := pg_catalog.to_regrole(pg_catalog.quote_ident(runners[1]));
  END IF;
  IF runner IS NOT NULL THEN
    UPDATE mlobs.monitors SET owner = runner;
    IF FOUND THEN
      RAISE WARNING 'mlobs: the monitors created before 0.3.0 are owned by %, the role of the pg_cron job that runs them', runner;
    END IF;
  ELSIF EXISTS (SELECT 1 FROM mlobs.monitors) THEN
    RAISE WARNING 'mlobs: the monitors created before 0.3.0 are owned by %, the role running this update; runs read each monitor''s source as its owner', CURRENT_USER
      USING HINT = 'A role that runs them (its pg_cron job, also one scheduled from pg_cron''s own database, which this update cannot see) must own them or be a member of their owner: UPDATE mlobs.monitors SET owner = ''<role>'' (docs/monitoring.md, "Privileges").';
  END IF;
END $$;
-- Late labels and late rows (issue 14): windows within these horizons are revised.
ALTER TABLE mlobs.monitors ADD COLUMN label_horizon interval NOT NULL DEFAULT '7 days' CHECK (label_horizon >= interval '0'),
  ADD COLUMN late_data_horizon interval NOT NULL DEFAULT '1 day' CHECK (late_data_horizon >= interval '0'),
  ADD COLUMN run_zone text;
ALTER TABLE mlobs.runs ADD COLUMN revised int NOT NULL DEFAULT 0, ADD COLUMN busy_monitors int NOT NULL DEFAULT 0;
-- Alert rules judge only windows with enough rows; alerts record their window, worst value,
-- the rows judged and why they resolved.
ALTER TABLE mlobs.alert_rules ADD COLUMN min_rows int NOT NULL DEFAULT 30 CHECK (min_rows >= 1),
  ADD COLUMN min_coverage float8 NOT NULL DEFAULT 0 CHECK (min_coverage >= 0 AND min_coverage <= 1);
-- The preinstalled accuracy_drop judges windows with at least 500 labelled rows, unless edited.
UPDATE mlobs.alert_rules SET min_rows = 500
 WHERE id = 3 AND name = 'accuracy_drop' AND metric = 'accuracy' AND comparison = '>' AND threshold = 0.10
   AND mode = 'drop_vs_reference' AND severity = 'critical' AND for_duration = '0' AND model IS NULL AND feature IS NULL
   AND request_retraining AND enabled;
ALTER TABLE mlobs.alerts ADD COLUMN window_start timestamptz, ADD COLUMN worst_value float8, ADD COLUMN judged_rows bigint,
  ADD COLUMN judged_share float8,
  ADD COLUMN resolved_reason text CHECK (resolved_reason IN ('recovered', 'no_data', 'rule_disabled', 'monitor_disabled'));
-- Segments (issue 18): windows, points, rules and alerts carry a segment ('' = the whole window).
ALTER TABLE mlobs.monitor_windows ADD COLUMN segment text NOT NULL DEFAULT '';
ALTER TABLE mlobs.monitor_windows DROP CONSTRAINT monitor_windows_pkey,
  ADD CONSTRAINT monitor_windows_pkey PRIMARY KEY (monitor_id, window_start, segment);
ALTER TABLE mlobs.metric_points ADD COLUMN segment text NOT NULL DEFAULT '';
ALTER TABLE mlobs.metric_points DROP CONSTRAINT metric_points_pkey,
  ADD CONSTRAINT metric_points_pkey PRIMARY KEY (monitor_id, window_start, segment, feature, metric);
DROP INDEX mlobs.metric_points_series;
CREATE INDEX metric_points_series ON mlobs.metric_points (metric, model, feature, segment, ts DESC);
ALTER TABLE mlobs.alert_rules ADD COLUMN segment text;
ALTER TABLE mlobs.alerts ADD COLUMN segment text NOT NULL DEFAULT '';
DROP INDEX mlobs.alerts_open;
CREATE UNIQUE INDEX alerts_open ON mlobs.alerts (rule_id, monitor_id, feature, segment) WHERE state <> 'resolved';
-- Monitor kind multivariate_drift (issue 18).
ALTER TABLE mlobs.monitors DROP CONSTRAINT monitors_kind_check,
  ADD CONSTRAINT monitors_kind_check CHECK (kind IN ('feature_drift', 'prediction_drift', 'quality',
                                     'classification', 'regression', 'cbpe', 'latency', 'multivariate_drift'));""")
out.append(span('-- Summaries are compressed with lz4 where the server has it', 'END $$;'))
out.append(span('-- The segments of a monitor with segment_by', "COMMENT ON TABLE mlobs.monitor_segments"))
out.append(span('-- A window whose computation failed', "COMMENT ON TABLE mlobs.window_failures"))
out.append(span('-- Minutes of a monitored table whose rows changed', "COMMENT ON TABLE mlobs.source_changes"))
out.append(span("-- Each enabled monitor's own queue of the changed minutes", "COMMENT ON TABLE mlobs.monitor_changes"))
out.append(span("-- The row a full run locks (FOR UPDATE SKIP LOCKED)", "COMMENT ON TABLE mlobs.run_lock"))
out.append(span("-- The latest `now` a run has started with", "COMMENT ON SEQUENCE mlobs.run_horizon"))
out.append(span('-- Default alert rules and routes that a user deleted', "COMMENT ON TABLE mlobs.removed_defaults"))
out.append(block('CREATE FUNCTION mlobs._default_alert_rules()', '$$;'))
out.append(block('CREATE FUNCTION mlobs._is_default_alert_rule(', 'AS $$', False))
out.append(block('CREATE FUNCTION mlobs._default_alert_routes()', 'AS $$', False))
out.append(block('CREATE FUNCTION mlobs._is_default_alert_route(', 'AS $$', False))
out.append(span('-- pg_dump round trip of the preinstalled rows.', 'FOR EACH ROW EXECUTE FUNCTION mlobs._apply_removed_default();'))
out.append("""-- The default rule new in 0.3.0 (multivariate_drift, id 8), unless a rule of the user's holds its
-- name. When a rule of the user's holds id 8 (the first rule anyone added under 0.2.0 got it),
-- the rule goes in under the next id, with a WARNING: a rule of the user's from then on (dumped;
-- a restore's CREATE EXTENSION inserts the default, and the two rules loaded after replace it).
INSERT INTO mlobs.alert_rules SELECT * FROM mlobs._default_alert_rules() d
 WHERE d.id = 8 AND NOT EXISTS (SELECT 1 FROM mlobs.alert_rules r WHERE r.id = d.id OR r.name = d.name);
SELECT pg_catalog.setval('mlobs.alert_rules_id_seq', greatest(8, (SELECT last_value FROM mlobs.alert_rules_id_seq),
                                                              (SELECT pg_catalog.max(id) FROM mlobs.alert_rules)));
DO $$
DECLARE
  rule_id bigint;
BEGIN
  INSERT INTO mlobs.alert_rules
  SELECT (pg_catalog.jsonb_populate_record(NULL::mlobs.alert_rules,
            pg_catalog.to_jsonb(d) OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('id', pg_catalog.nextval('mlobs.alert_rules_id_seq')))).*
    FROM mlobs._default_alert_rules() d
   WHERE d.id = 8 AND NOT EXISTS (SELECT 1 FROM mlobs.alert_rules r WHERE r.name = d.name)
  RETURNING id INTO rule_id;
  IF rule_id IS NOT NULL THEN
    RAISE WARNING 'mlobs: the preinstalled rule multivariate_drift is rule % (id 8 holds a rule of yours)', rule_id;
  END IF;
END $$;
-- Defaults deleted under an earlier version get their tombstone, so a restore does not bring
-- them back.
INSERT INTO mlobs.removed_defaults
SELECT 'alert_rules', d.id::text FROM mlobs._default_alert_rules() d WHERE NOT EXISTS (SELECT 1 FROM mlobs.alert_rules r WHERE r.id = d.id)
UNION ALL
SELECT 'alert_routes', d.severity FROM mlobs._default_alert_routes() d WHERE NOT EXISTS (SELECT 1 FROM mlobs.alert_routes r WHERE r.severity = d.severity);""")
for l in lines:
    if re.match(r"SELECT pg_catalog.pg_extension_config_dump\('mlobs\.(alert_rules|alert_routes|removed_defaults|window_failures|source_changes|monitor_changes|monitor_segments)'", l):
        out.append(l)
out.append("""-- Replaced with new result columns or parameters.
DROP FUNCTION mlobs.run_monitors(timestamptz, timestamptz);
DROP FUNCTION mlobs._run_monitor(bigint, timestamptz, timestamptz);
DROP FUNCTION mlobs.create_monitor(text, text, regclass, text, jsonb, interval, timestamptz, timestamptz, text, timestamptz);
DROP FUNCTION mlobs.schedule_monitors(text);
DROP FUNCTION mlobs.evaluate_alerts(bigint);""")
out.append(block('CREATE FUNCTION mlobs._trackable_ts_type(', '$$;'))
out.append(block('CREATE FUNCTION mlobs._column_type(', '$$;'))
out.append(block('CREATE FUNCTION mlobs._record_source_changes('))
out.append(block('CREATE FUNCTION mlobs.track_changes('))
out.append(block('CREATE FUNCTION mlobs._changes_tracked(', '$$;'))
out.append("""-- 0.3.0 revises windows when labels or rows land late, from triggers on the monitored tables
-- (mlobs.track_changes, which create_monitor calls). Monitors from before have none: say so, with
-- the statement, rather than install triggers on the application's tables during the update.
DO $$
DECLARE
  r record;
BEGIN
  -- Tables only: a view's (or a foreign table's) changes cannot be tracked, and their monitors
  -- recompute as they did under 0.2.0 (docs/monitoring.md, "Late labels").
  FOR r IN SELECT DISTINCT mo.source, mo.ts_column FROM mlobs.monitors mo JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) mo.source
            WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::"char"[]) AND NOT mlobs._changes_tracked(mo.source, mo.ts_column)
            ORDER BY 1, 2 LOOP
    RAISE WARNING 'mlobs 0.3.0: changes of % are not tracked: its monitors with labels recompute every window within label_horizon on every run, and rows committed after their window was computed are not counted', r.source
      USING HINT = pg_catalog.format('As a role with the TRIGGER privilege on it: SELECT mlobs.track_changes(%L, %L);', r.source::text, r.ts_column);
  END LOOP;
END $$;""")
out.append(block('CREATE FUNCTION mlobs._label_metric(', 'AS $$', True))
out.append(block('CREATE FUNCTION mlobs._monitor_kinds()', '$$;'))
out.append(block('CREATE FUNCTION mlobs._monitor_columns(', '$$;'))
# Scores, targets and predictions that are not valid are left out like NULLs (2026-12-07).
out.append(block('CREATE FUNCTION mlobs._monitor_probability(', '$$;'))
out.append(block('CREATE FUNCTION mlobs._monitor_finite(', '$$;', False))
out.append("-- Classification: concept drift computed in the window's scan; kind multivariate_drift.\n" + block('CREATE FUNCTION mlobs._monitor_summary_sql(', 'END $$;', False).replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION', 1))
out.append(block('CREATE FUNCTION mlobs._monitor_segment_raw_sql(', '$$;'))
out.append(block('CREATE FUNCTION mlobs._monitor_segment_sql(', '$$;'))
out.append(span('-- A monitor reads its source as its owner, so who may name an owner', 'FOR EACH ROW EXECUTE FUNCTION mlobs._check_monitor_owner();'))
out.append(span('-- A disabled monitor misses the changes recorded while it is off', 'EXECUTE FUNCTION mlobs._monitor_segments_changed();'))
for pat in ['_monitor_check_access(','create_monitor(','drop_monitor(','set_monitor_enabled(','_evaluate_alert_steps(','create_alert_rule(']:
    out.append(block('CREATE FUNCTION mlobs.'+pat))
out.append(block('CREATE FUNCTION mlobs.evaluate_alerts(', 'AS $$', False))
out.append(block('CREATE FUNCTION mlobs.metric_names()', '$$;'))
out.append(block('CREATE FUNCTION mlobs.latest_points(', '$$;'))
out.append("-- Coverage (labelled_rows, labelled_share) beside every performance value.\n" + block('CREATE FUNCTION mlobs._monitor_metrics(', 'END $$;', False).replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION', 1))
for pat in ['_monitor_store_windows(','_monitor_store_segments(','_monitor_window(','_monitor_concept(','_monitor_learn_segments(','_monitor_segment_references(','_monitor_reference(','_record_window_failure(','_monitor_plan(','_run_source(','run_monitors(','schedule_monitors(','unschedule_monitors(']:
    out.append(block('CREATE FUNCTION mlobs.'+pat))
out.append(block('CREATE PROCEDURE mlobs.run_monitors_committed('))
for pat in ['schedule_monitors_command(', 'unschedule_monitors_command(']:
    out.append(block('CREATE FUNCTION mlobs.'+pat, '$$;'))
for pat in ['_mv_check_config(', '_mv_summary_sql(', '_mv_reference(', '_mv_metrics(']:
    out.append(block('CREATE FUNCTION mlobs.'+pat))
out.append(block('CREATE FUNCTION mlobs._mv_row_sql(', '$$;'))
out.append(span('-- NannyML\'s estimated-vs-realised view', "COMMENT ON VIEW mlobs.estimated_vs_realised"))
out.append(span('-- Every run\'s errors without their messages, for readers', "COMMENT ON VIEW mlobs.run_errors"))
out.append("""-- The demo data generator leaves the production extension (issue 21): it is mlobs_demo.simulate
-- in the companion extension mlobs_demo (CREATE EXTENSION mlobs_demo). A view or function of the
-- user's that calls mlobs.simulate makes this update fail (2BP01) instead of being dropped with it.
ALTER EXTENSION mlobs DROP FUNCTION mlobs.simulate(timestamptz, interval, int, jsonb, float8);
DROP FUNCTION mlobs.simulate(timestamptz, interval, int, jsonb, float8);""")
out.append("""-- The hot-standby check of every writer (issue 21), one function in Rust (src/errors.rs).
CREATE FUNCTION mlobs._require_primary(writer text) RETURNS void STRICT STABLE PARALLEL SAFE
LANGUAGE c AS 'MODULE_PATHNAME', 'require_primary_sql_wrapper';""")
out.append("""-- Training (issue 19): the C entry points, then src/sql/training.sql as is (all of it is new).
CREATE FUNCTION mlobs._compare_models(name text, version_a int, version_b int, source oid, "from" text, "to" text,
  target text, features text[], ts_column text)
RETURNS TABLE (metric text, value_a float8, value_b float8, difference float8, test text, statistic float8,
               p_value float8, rows bigint)
STABLE PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'compare_impl_wrapper';
CREATE FUNCTION mlobs._train(name text, source oid, target text, features text[], algorithm text, params jsonb,
  train_from text, train_to text, ts_column text, feature_names text[])
RETURNS int VOLATILE PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'train_impl_wrapper';
""" + (SOURCES / 'training.sql').read_text().split('\n', 2)[2].strip())
out.append("-- Retention (issue 21): src/sql/retention.sql as is (all of it is new).\n"
           + (SOURCES / 'retention.sql').read_text().split('\n', 1)[1].strip())
out.append("""-- Reports (issue 22): the C entry points, then src/sql/report.sql as is (all of it is new).
CREATE FUNCTION mlobs._render_report(data bytea) RETURNS text IMMUTABLE STRICT PARALLEL SAFE
LANGUAGE c AS 'MODULE_PATHNAME', 'render_report_wrapper';
CREATE FUNCTION mlobs._report_query_as(owner oid, query bytea) RETURNS bytea STRICT VOLATILE PARALLEL UNSAFE
LANGUAGE c AS 'MODULE_PATHNAME', 'report_query_as_wrapper';
""" + (SOURCES / 'report.sql').read_text().split('\n', 1)[1].strip())
out.append("""-- 0.2.0 stepped a window by window_size in the session's calendar: a '1 day' window across a DST
-- change lasted 23 or 25 hours, and every window after it started off the grid 0.3.0 windows on
-- (window_size from 2000-01-01 UTC), where a backfill then added grid windows beside them (rows
-- counted twice). When the log still holds their rows, such windows go, with their points and
-- failures (rows_total gives their rows back), and the watermark moves back to the grid before the
-- first of them: the next run computes those days again, on the grid (a WARNING names each
-- monitor). When rows are gone from the log since, they stay as they are, with a WARNING: their
-- history is worth more than the grid. A window is off the grid when its start is, or when it
-- lasted other than window_size (the 23-hour day itself).
DO $$
DECLARE
  m record;
  -- The monitor's off-grid windows (their starts), judged once.
  offs timestamptz[];
  first_off timestamptz;
  last_off timestamptz;
  off_rows numeric;
  log_rows numeric;
BEGIN
  FOR m IN SELECT mo.id, mo.name, mo.window_size, mo.source, mo.ts_column FROM mlobs.monitors mo
            WHERE pg_catalog.date_part('month', mo.window_size) = 0 AND pg_catalog.date_part('year', mo.window_size) = 0
            ORDER BY mo.id LOOP
    SELECT pg_catalog.array_agg(w.window_start), pg_catalog.min(w.window_start), pg_catalog.max(w.window_end),
           coalesce(pg_catalog.sum(w.rows) FILTER (WHERE w.segment = ''), 0) INTO offs, first_off, last_off, off_rows
      FROM mlobs.monitor_windows w
     WHERE w.monitor_id = m.id
       AND (w.window_start <> pg_catalog.date_bin(m.window_size, w.window_start, timestamptz '2000-01-01 00:00:00+00')
            OR w.window_end - w.window_start <> m.window_size);
    CONTINUE WHEN first_off IS NULL;
    BEGIN
      EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s WHERE %I >= $1 AND %I < $2', m.source, m.ts_column, m.ts_column)
        INTO log_rows USING first_off, last_off;
    EXCEPTION WHEN OTHERS THEN
      log_rows := NULL;
    END;
    IF log_rows IS NULL OR log_rows < off_rows THEN
      -- The windows stay; the watermark moves on to the grid (forward: at most the DST hour
      -- after the last kept window is in no window, where moving back would count up to a day
      -- twice), so the windows from now on are on the grid and late rows find theirs.
      UPDATE mlobs.monitors mo
         SET watermark = pg_catalog.date_bin(m.window_size, mo.watermark, timestamptz '2000-01-01 00:00:00+00') + m.window_size
       WHERE mo.id = m.id
         AND mo.watermark <> pg_catalog.date_bin(m.window_size, mo.watermark, timestamptz '2000-01-01 00:00:00+00');
      RAISE WARNING 'mlobs: monitor %: its windows from % are off the window grid (a DST change under 0.2.0) and kept: the log no longer holds their rows; its next windows start on the grid', m.name, first_off
        USING HINT = 'Up to an hour after the last kept window is in no window. A backfill over the kept windows adds grid windows beside them: delete those first.';
      CONTINUE;
    END IF;
    DELETE FROM mlobs.metric_points p WHERE p.monitor_id = m.id AND p.window_start = ANY (offs);
    DELETE FROM mlobs.window_failures f WHERE f.monitor_id = m.id AND f.window_start = ANY (offs);
    DELETE FROM mlobs.monitor_windows w WHERE w.monitor_id = m.id AND w.window_start = ANY (offs);
    UPDATE mlobs.monitors mo
       SET watermark = least(mo.watermark, pg_catalog.date_bin(m.window_size, first_off, timestamptz '2000-01-01 00:00:00+00')),
           rows_total = greatest(mo.rows_total - off_rows, 0)
     WHERE mo.id = m.id;
    RAISE WARNING 'mlobs: monitor %: its windows from % were off the window grid (a DST change under 0.2.0); the next run computes them again', m.name, first_off;
  END LOOP;
END $$;""")
fin=(SOURCES / 'finalize.sql').read_text()
i=fin.index('GRANT USAGE ON SCHEMA mlobs TO mlobs_reader')
fin=fin[:fin.index('-- ==== surface:')] if '-- ==== surface:' in fin else fin
out.append(USER_ACL_BEFORE)
out.append("-- Privileges as a fresh install grants them (src/sql/finalize.sql); readers lose the summary columns and the error messages.\nREVOKE SELECT ON mlobs.monitors, mlobs.monitor_windows, mlobs.runs, mlobs.window_failures, mlobs.retraining_requests FROM mlobs_reader;\n"+fin[i:].strip())
out.append(USER_ACL_AFTER)
sec="\n\n".join(out)
up=open(UPGRADE).read()
marker='-- ==== section: runtime (monitoring tables and functions) ========================================\n'
a=up.index(marker)+len(marker)
b=up.index('-- ==== section: jsonb')
up=up[:a]+'\n'+sec+'\n\n'+up[b:]
open(UPGRADE, 'w').write(up)

# The surface section: the statements after finalize.sql's surface header, verbatim.
M_SURF = "-- ==== section: surface (comments, internal schema, accessor names) ===============================\n"
fin_all = (SOURCES / "finalize.sql").read_text()
fin_surface = fin_all[fin_all.index("-- ==== surface:"):]
fin_surface = fin_surface.split("\n", 3)[3]          # past its three header lines
up = UPGRADE.read_text()
head = up[:up.index(M_SURF) + len(M_SURF)]
body = up[up.index(M_SURF) + len(M_SURF):]
keep = body.split("\n", 2)[:2]                        # the section's own two header lines
UPGRADE.write_text(head + keep[0] + "\n" + keep[1] + "\n" + fin_surface)

if CHECK:
    AFTER = UPGRADE.read_text()
    UPGRADE.write_text(BEFORE)
    if AFTER != BEFORE:
        sys.exit("sql/mlobs--0.2.0--0.3.0.sql: the runtime or surface section differs from the sources; "
                 "run scripts/upgrade_sections.py")
    print("upgrade runtime and surface sections: up to date")
