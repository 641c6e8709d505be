-- Security (issue 7, item 9): what PUBLIC and the two roles may do, no SECURITY DEFINER and every
-- SQL/PL body on a pinned search_path, nothing that reads a table IMMUTABLE, look-alike functions
-- and operators in a schema searched before pg_catalog capturing no mlobs call, and forged
-- summaries (no SQL path to an `internal` value; binary input through COPY BINARY; text input)
-- refused with clean errors. 00_setup lists the volatility of every non-IMMUTABLE function.
SET timezone = 'UTC';
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_mlobs_nobody;
DROP ROLE IF EXISTS regress_mlobs_evil;
RESET client_min_messages;

-- 1. Privileges. PUBLIC may use the schema and call the read-only functions, nothing else.
SELECT has_schema_privilege('public', 'mlobs', 'USAGE') AS usage, has_schema_privilege('public', 'mlobs', 'CREATE') AS "create";
-- Every relation: PUBLIC has no privilege; the reader reads; the admin writes.
SELECT c.relname, c.relkind,
       coalesce(string_agg(a.privilege_type, ',' ORDER BY a.privilege_type) FILTER (WHERE a.grantee = 0), '') AS public,
       coalesce(string_agg(a.privilege_type, ',' ORDER BY a.privilege_type) FILTER (WHERE a.grantee = 'mlobs_reader'::regrole), '') AS reader,
       coalesce(string_agg(a.privilege_type, ',' ORDER BY a.privilege_type) FILTER (WHERE a.grantee = 'mlobs_admin'::regrole), '') AS admin
FROM pg_class c LEFT JOIN LATERAL aclexplode(c.relacl) a ON true
WHERE c.relnamespace = 'mlobs'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
GROUP BY 1, 2 ORDER BY 1;
-- The functions PUBLIC may not execute: every one that writes, and the runtime's internal steps.
SELECT p.oid::regprocedure AS function, has_function_privilege('mlobs_reader', p.oid, 'EXECUTE') AS reader,
       has_function_privilege('mlobs_admin', p.oid, 'EXECUTE') AS admin
FROM pg_proc p WHERE p.pronamespace IN ('mlobs'::regnamespace, 'mlobs_internal'::regnamespace) AND NOT has_function_privilege('public', p.oid, 'EXECUTE')
ORDER BY p.oid::regprocedure::text;
-- VOLATILE functions PUBLIC can still call: none in mlobs; only the demo data generator of the
-- companion extension mlobs_demo (00_setup created it), which returns rows and writes nothing.
SELECT p.oid::regprocedure AS volatile_public FROM pg_proc p
WHERE p.pronamespace IN ('mlobs'::regnamespace, 'mlobs_internal'::regnamespace, 'mlobs_demo'::regnamespace)
  AND p.provolatile = 'v' AND has_function_privilege('public', p.oid, 'EXECUTE');
-- Counts per schema, kind, volatility, parallel safety, strictness, language and PUBLIC EXECUTE: any change shows here.
SELECT p.pronamespace::regnamespace AS schema, p.prokind, p.provolatile, p.proparallel, p.proisstrict, l.lanname,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute, count(*)
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE p.pronamespace IN ('mlobs'::regnamespace, 'mlobs_internal'::regnamespace)
GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY p.pronamespace::regnamespace::text, 2, 3, 4, 5, 6, 7;

-- 2. An unprivileged role computes with the pure functions but cannot read or write the
-- extension's tables, register models, create or run monitors, or create objects in mlobs.
CREATE ROLE regress_mlobs_nobody;
SET ROLE regress_mlobs_nobody;
SELECT mlobs.psi(ARRAY[1, 2, 3, 4, 5]::float8[], ARRAY[2, 3, 4, 5, 6]::float8[]) > 0 AS pure_functions_work;
-- Aggregates, rollups and the types' text I/O work without any privilege on mlobs_internal (their
-- support functions are called by OID), but the support functions cannot be named.
SELECT mlobs.row_count(mlobs.rollup(p)) AS aggregates_work, bool_and(p::text::mlobs.profile::text = p::text) AS text_io_works
FROM (SELECT mlobs.profile_agg(x) AS p FROM generate_series(1, 6) x GROUP BY x % 2) s;
\set VERBOSITY terse
SELECT mlobs_internal.profile_send(mlobs.profile_agg(1.0));
SELECT count(*) FROM mlobs.models;
SELECT count(*) FROM mlobs.metric_points;
INSERT INTO mlobs.alert_rules (name, metric, threshold) VALUES ('nobody', 'psi', 1);
SELECT nextval('mlobs.runs_id_seq');
SELECT mlobs.register_model('nobody', 'linear', '{"coefficients": [[1]], "intercept": [0], "link": "identity"}');
SELECT mlobs.create_monitor('nobody', 'nobody', 'pg_class', 'latency');
SELECT mlobs.run_monitors();
SELECT mlobs.evaluate_alerts();
SELECT mlobs._run_source(ARRAY[1::bigint], now(), NULL, NULL, NULL);
SELECT mlobs._evaluate_alert_steps(1, ARRAY[now()]);
CREATE TABLE mlobs.nobody (a int);
CREATE FUNCTION mlobs.psi(int[], int[]) RETURNS float8 LANGUAGE sql AS 'SELECT 0.0::float8';
\set VERBOSITY default
RESET ROLE;
-- The reader (Grafana, exporters) reads every table the dashboards read, and writes none.
SET ROLE mlobs_reader;
SELECT (SELECT count(*) FROM mlobs.metric_points) >= 0 AND (SELECT count(*) FROM mlobs.alerts) >= 0
   AND (SELECT count(*) FROM mlobs.monitors) >= 0 AND (SELECT count(*) FROM mlobs.monitor_windows) >= 0
   AND (SELECT count(*) FROM mlobs.runs) >= 0 AND (SELECT count(*) FROM mlobs.alert_rules) > 0
   AND (SELECT count(*) FROM mlobs.alert_routes) > 0 AND (SELECT count(*) FROM mlobs.models) >= 0
   AND (SELECT count(*) FROM mlobs.retraining_requests) >= 0 AS reader_reads_everything;
\set VERBOSITY terse
UPDATE mlobs.alert_rules SET threshold = 99;
DELETE FROM mlobs.alerts;
\set VERBOSITY default
RESET ROLE;

-- 3. No SECURITY DEFINER without a pinned search_path (there is none at all), nothing LEAKPROOF,
-- and every SQL / PL/pgSQL function pins search_path to pg_catalog then pg_temp.
SELECT p.oid::regprocedure AS definer_without_search_path FROM pg_proc p
WHERE p.pronamespace IN ('mlobs'::regnamespace, 'mlobs_internal'::regnamespace) AND p.prosecdef
  AND NOT EXISTS (SELECT FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%');
SELECT count(*) FILTER (WHERE p.prosecdef) AS security_definer, count(*) FILTER (WHERE p.proleakproof) AS leakproof
FROM pg_proc p WHERE p.pronamespace IN ('mlobs'::regnamespace, 'mlobs_internal'::regnamespace);
SELECT p.proname, l.lanname, p.proconfig FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace IN ('mlobs'::regnamespace, 'mlobs_demo'::regnamespace) AND l.lanname NOT IN ('c', 'internal') ORDER BY 1;

-- 4. Anything that reads a table is STABLE or VOLATILE, never IMMUTABLE (an IMMUTABLE reader
-- would be constant-folded into plans and indexes). Readers: SQL/PL bodies naming an mlobs
-- table, and C functions taking a registered model's name (they read mlobs.models).
WITH readers AS (
  SELECT p.oid, p.provolatile FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
  WHERE p.pronamespace = 'mlobs'::regnamespace
    AND ((l.lanname IN ('sql', 'plpgsql') AND EXISTS (
            SELECT FROM pg_class c WHERE c.relnamespace = 'mlobs'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'S')
               AND p.prosrc ~ ('mlobs\.' || c.relname || '\M')))
         OR (l.lanname = 'c' AND p.proargnames[1] = 'model')))
SELECT count(*) AS table_readers, count(*) FILTER (WHERE provolatile = 'i') AS immutable_readers,
       string_agg(oid::regprocedure::text, ', ') FILTER (WHERE provolatile = 'i') AS which
FROM readers;

-- 5. Hostile search_path. An unprivileged role plants look-alikes of what mlobs' SQL, PL/pgSQL
-- and C (SPI) code uses: more specific overloads of built-ins (they win even with pg_catalog
-- first), same-signature copies (they win when pg_catalog comes after their schema), operators
-- on text, int4, jsonb and timestamptz, and types named like mlobs' own. Each one records its
-- call, then does what the real one does, so a captured call does not even show as an error.
-- (COALESCE, NULLIF, GREATEST and LEAST are grammar, not functions: they cannot be overloaded.)
CREATE TABLE sec_rows AS SELECT g % 5 AS g, ((g * 37) % 100 / 10.0)::float8 AS x, 'c' || (g % 7) AS c FROM generate_series(1, 500) g;
CREATE TABLE sec_log AS
SELECT ts, jsonb_build_object('amount', 10 + i % 50 + CASE WHEN i >= 240 THEN 40 ELSE 0 END, 'merchant', 'm' || (i % 3)) AS features,
       (i % 10) / 10.0 + 0.05 AS score, (i % 10 >= 5)::int AS predicted, CASE WHEN i % 4 <> 0 THEN (i % 7 >= 3)::int END AS label,
       20.0 + i % 30 AS latency_ms, i % 50 = 0 AS failed
FROM (SELECT ts, (extract(epoch FROM ts - '2026-01-01') / 60)::int AS i
      FROM generate_series(timestamptz '2026-01-01', timestamptz '2026-01-01 07:59', interval '1 minute') ts) s;
GRANT SELECT ON sec_log TO mlobs_admin;
INSERT INTO mlobs.alert_rules (name, metric, threshold, request_retraining, model) VALUES ('sec_rows_seen', 'rows', 0, true, 'sec');
CREATE ROLE regress_mlobs_evil;
DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO regress_mlobs_evil', current_database()); END $$;
SET ROLE regress_mlobs_evil;
CREATE SCHEMA evil;
GRANT USAGE ON SCHEMA evil TO PUBLIC;
CREATE TABLE evil.calls (fn text);
GRANT INSERT ON evil.calls TO PUBLIC;
-- Look-alike functions: (name, arguments, result, what the real one returns).
DO $$
DECLARE f record;
BEGIN
  FOR f IN SELECT * FROM (VALUES
    ('psi', 'r float8[], c float8[], b text DEFAULT NULL, n int DEFAULT NULL', 'float8', 'mlobs.psi(r, c)'),
    ('rollup', 'p mlobs.profile', 'mlobs.profile', 'p'),
    ('count', 'p mlobs.profile', 'bigint', 'mlobs.count(p)'),
    ('lower', 't text', 'text', 'pg_catalog.lower(t)'),
    ('now', '', 'timestamptz', 'pg_catalog.now()'),
    ('clock_timestamp', '', 'timestamptz', 'pg_catalog.clock_timestamp()'),
    ('jsonb_build_object', 'k text, v text', 'jsonb', 'pg_catalog.jsonb_build_object(k, v)'),
    ('jsonb_build_object', 'k text, v bigint', 'jsonb', 'pg_catalog.jsonb_build_object(k, v)'),
    ('jsonb_build_object', 'k1 text, v1 text, k2 text, v2 bigint', 'jsonb', 'pg_catalog.jsonb_build_object(k1, v1, k2, v2)'),
    ('jsonb_array_length', 'j jsonb', 'int', 'pg_catalog.jsonb_array_length(j)'),
    ('array_length', 'a float8[], d int', 'int', 'pg_catalog.array_length(a, d)'),
    ('array_to_json', 'a text[]', 'json', 'pg_catalog.array_to_json(a)'),
    ('format', 'f text, a text', 'text', 'pg_catalog.format(f, a)'),
    ('format', 'f text, a text, b text', 'text', 'pg_catalog.format(f, a, b)'),
    ('concat_ws', 's text, a text, b text', 'text', 'pg_catalog.concat_ws(s, a, b)'),
    ('quote_ident', 't text', 'text', 'pg_catalog.quote_ident(t)'),
    ('hashtext', 't text', 'int', 'pg_catalog.hashtext(t)'),
    ('pg_try_advisory_xact_lock', 'k bigint', 'bool', 'pg_catalog.pg_try_advisory_xact_lock(k)'),
    ('pg_notify', 'c text, p text', 'void', 'pg_catalog.pg_notify(c, p)'),
    ('date_bin', 's interval, t timestamptz, o timestamptz', 'timestamptz', 'pg_catalog.date_bin(s, t, o)'),
    ('isfinite', 't timestamptz', 'bool', 'pg_catalog.isfinite(t)'),
    ('to_regnamespace', 't text', 'regnamespace', 'pg_catalog.to_regnamespace(t)'),
    ('round', 'v numeric, d int', 'numeric', 'pg_catalog.round(v, d)'),
    ('texteq', 'a text, b text', 'bool', 'a OPERATOR(pg_catalog.=) b'),
    ('int4eq', 'a int, b int', 'bool', 'a OPERATOR(pg_catalog.=) b'),
    ('int4pl', 'a int, b int', 'int', 'a OPERATOR(pg_catalog.+) b'),
    ('tsge', 'a timestamptz, b timestamptz', 'bool', 'a OPERATOR(pg_catalog.>=) b'),
    ('tslt', 'a timestamptz, b timestamptz', 'bool', 'a OPERATOR(pg_catalog.<) b'),
    ('jsonb_text', 'j jsonb, k text', 'text', 'j OPERATOR(pg_catalog.->>) k'),
    ('jsonb_cat', 'a jsonb, b jsonb', 'jsonb', 'a OPERATOR(pg_catalog.||) b'),
    ('max_step', 's int, v int', 'int', 'CASE WHEN s IS NULL OR v OPERATOR(pg_catalog.>) s THEN v ELSE s END'),
    ('count_step', 's bigint', 'bigint', 's OPERATOR(pg_catalog.+) 1')
  ) v(name, args, result, real) LOOP
    EXECUTE format('CREATE FUNCTION evil.%I(%s) RETURNS %s LANGUAGE plpgsql AS %L', f.name, f.args, f.result,
                   format('BEGIN INSERT INTO evil.calls VALUES (%L); %s; END', f.name,
                          CASE f.result WHEN 'void' THEN 'PERFORM ' ELSE 'RETURN ' END || f.real));
  END LOOP;
END $$;
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.texteq);
CREATE OPERATOR evil.= (LEFTARG = int, RIGHTARG = int, FUNCTION = evil.int4eq);
CREATE OPERATOR evil.+ (LEFTARG = int, RIGHTARG = int, FUNCTION = evil.int4pl);
CREATE OPERATOR evil.>= (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = evil.tsge);
CREATE OPERATOR evil.< (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = evil.tslt);
CREATE OPERATOR evil.->> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = evil.jsonb_text);
CREATE OPERATOR evil.|| (LEFTARG = jsonb, RIGHTARG = jsonb, FUNCTION = evil.jsonb_cat);
CREATE AGGREGATE evil.max(int) (SFUNC = evil.max_step, STYPE = int);
CREATE AGGREGATE evil.count(*) (SFUNC = evil.count_step, STYPE = bigint, INITCOND = '0');
CREATE TYPE evil.profile AS (n int);
CREATE TYPE evil.drift_result AS (method int);
-- Domains named like built-in types: an unqualified cast or declaration resolves to them when
-- evil comes before pg_catalog, and their CHECK runs as the caller (found by the 2026-12-07
-- review in the model registry's SPI and run_monitors_committed's DECLARE).
CREATE FUNCTION evil.cast_to(what text) RETURNS bool LANGUAGE sql AS $$ INSERT INTO evil.calls VALUES ('cast to ' || what) RETURNING true $$;
CREATE DOMAIN evil.text AS pg_catalog.text CHECK (evil.cast_to('text'));
CREATE DOMAIN evil.timestamptz AS pg_catalog.timestamptz CHECK (evil.cast_to('timestamptz'));
CREATE DOMAIN evil.jsonb AS pg_catalog.jsonb CHECK (evil.cast_to('jsonb'));
CREATE DOMAIN evil.float8 AS pg_catalog.float8 CHECK (evil.cast_to('float8'));
CREATE DOMAIN evil.int4 AS pg_catalog.int4 CHECK (evil.cast_to('int4'));
CREATE DOMAIN evil.int8 AS pg_catalog.int8 CHECK (evil.cast_to('int8'));
CREATE DOMAIN evil.bool AS pg_catalog.bool CHECK (evil.cast_to('bool'));
CREATE DOMAIN evil.regclass AS pg_catalog.regclass CHECK (evil.cast_to('regclass'));
RESET ROLE;

-- Positive control: unqualified references in the session's own SQL are captured.
SET search_path = evil, pg_catalog, mlobs, public;
SELECT lower('ABC') AS lower, 'a'::text = 'a'::text AS text_eq, array_to_json(ARRAY['x']) AS array_to_json,
       '2026-01-01'::timestamptz IS NOT NULL AS timestamptz;
RESET search_path;
SELECT fn, count(*) AS calls FROM evil.calls GROUP BY fn ORDER BY fn;
TRUNCATE evil.calls;

-- Every kind of mlobs code path under `evil` before pg_catalog, as the superuser (what a pg_cron
-- job runs as) and as mlobs_admin: aggregates and accessors, drift and quality reports, metrics,
-- the model registry (SPI), monitors of every kind (PL/pgSQL with dynamic SQL), alerts. The
-- statements themselves write OPERATOR(pg_catalog.x) where evil has a look-alike operator, so
-- any call recorded below comes from inside mlobs.
SET search_path = evil, pg_catalog, mlobs;
SELECT mlobs.psi(ARRAY[1, 2, 3, 4, 5]::pg_catalog.float8[], ARRAY[2, 3, 4, 5, 6]::pg_catalog.float8[]) > 0.0 AS psi,
       (mlobs.drift(ARRAY[1, 2, 3, 4, 5]::pg_catalog.float8[], ARRAY[2, 3, 4, 5, 6]::pg_catalog.float8[], 'ks')).p_value > 0.0 AS ks;
SELECT mlobs.count(mlobs.rollup(p)) AS rolled_up, mlobs.quantile(mlobs.rollup(p), 0.5) > 0.0 AS median
FROM (SELECT mlobs.profile_agg(x) AS p FROM public.sec_rows GROUP BY g) s;
SELECT mlobs.count(c) AS categories, mlobs.distinct_count(c) AS distinct_count FROM (SELECT mlobs.category_agg(c) AS c FROM public.sec_rows) s;
SELECT d.feature, d.method FROM mlobs.drift_report(
  (SELECT mlobs.features_agg(features) FROM public.sec_log WHERE ts OPERATOR(pg_catalog.<) '2026-01-01 04:00'),
  (SELECT mlobs.features_agg(features) FROM public.sec_log WHERE ts OPERATOR(pg_catalog.>=) '2026-01-01 04:00')) d ORDER BY 1;
SELECT q.feature, q.check_name FROM mlobs.quality_report(
  (SELECT mlobs.features_agg(features) FROM public.sec_log WHERE ts OPERATOR(pg_catalog.<) '2026-01-01 04:00'),
  (SELECT mlobs.features_agg(features) FROM public.sec_log WHERE ts OPERATOR(pg_catalog.>=) '2026-01-01 04:00')) q ORDER BY 1, 2 LIMIT 3;
SELECT mlobs.accuracy(mlobs.confusion_agg(label, predicted)) > 0.0 AS accuracy, mlobs.roc_auc(mlobs.score_agg(score, label)) > 0.0 AS auc
FROM public.sec_log;
SELECT mlobs.register_model('sec_model', 'linear', '{"coefficients": [[1, 2]], "intercept": [0.5], "link": "identity"}', ARRAY['a', 'b']) AS version;
SELECT mlobs.predict('sec_model', '{"a": 1, "b": 2}'::pg_catalog.jsonb) AS by_name, mlobs.predict('sec_model', 1, ARRAY[1, 2]::pg_catalog.float8[]) AS by_version,
       mlobs.shap('sec_model', ARRAY[1, 2]::pg_catalog.float8[], ARRAY[[0, 0], [1, 1]]::pg_catalog.float8[]) IS NOT NULL AS shap;
SELECT mlobs.create_monitor('sec features', 'sec', 'public.sec_log', 'feature_drift', '{}', '1 hour', '2026-01-01', '2026-01-01 02:00') > 0 AS features,
       mlobs.create_monitor('sec quality', 'sec', 'public.sec_log', 'quality', '{}', '1 hour', '2026-01-01', '2026-01-01 02:00') > 0 AS quality,
       mlobs.create_monitor('sec score', 'sec', 'public.sec_log', 'prediction_drift', '{}', '1 hour', '2026-01-01', '2026-01-01 02:00') > 0 AS score,
       mlobs.create_monitor('sec perf', 'sec', 'public.sec_log', 'classification', '{"score": "score"}', '1 hour', '2026-01-01', '2026-01-01 02:00') > 0 AS perf,
       mlobs.create_monitor('sec cbpe', 'sec', 'public.sec_log', 'cbpe', '{}', '1 hour', '2026-01-01', '2026-01-01 02:00') > 0 AS cbpe,
       mlobs.create_monitor('sec latency', 'sec', 'public.sec_log', 'latency', '{"error": "failed"}', '1 hour', start_at => '2026-01-01') > 0 AS latency;
SELECT status IS NOT NULL AS ran FROM mlobs.run_monitors('2026-01-01 06:00');
SELECT mlobs.evaluate_alerts() IS NOT NULL AS evaluated;
SET ROLE mlobs_admin;
SELECT status IS NOT NULL AS ran FROM mlobs.run_monitors('2026-01-01 08:00');
RESET ROLE;
CALL mlobs.run_monitors_committed('2026-01-01 08:00');
RESET search_path;
SELECT fn, count(*) AS captured_calls FROM evil.calls GROUP BY fn ORDER BY fn;
-- What the runs did (read back on a normal path): windows and points per monitor, no errors,
-- the alert fired and requested retraining.
SELECT m.name, count(w.*) AS windows, (SELECT count(*) FROM mlobs.metric_points p WHERE p.monitor_id = m.id) AS points
FROM mlobs.monitors m LEFT JOIN mlobs.monitor_windows w ON w.monitor_id = m.id WHERE m.model = 'sec' GROUP BY m.id, m.name ORDER BY m.name;
SELECT e->>'monitor' AS monitor, e->>'error' AS error FROM mlobs.runs r, jsonb_array_elements(r.errors) e WHERE e->>'monitor' LIKE 'sec %';
SELECT a.feature, a.metric, a.state, count(*) FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id
WHERE r.name = 'sec_rows_seen' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
SELECT model, status FROM mlobs.retraining_requests WHERE model = 'sec';

-- The default path (pg_catalog implicitly first) leaves only more specific overloads to win.
SET search_path = evil, mlobs, public;
SELECT mlobs.register_model('sec_model2', 'linear', '{"coefficients": [[3, 4]], "intercept": [0], "link": "identity"}', ARRAY['a', 'b']) AS version;
SELECT mlobs.predict('sec_model2', '{"a": 1, "b": 1}'::jsonb) AS by_name, mlobs.predict_margin('sec_model2', ARRAY[1, 1]::float8[]) AS margin;
SELECT status IS NOT NULL AS ran FROM mlobs.run_monitors('2026-01-01 08:00', backfill_from => '2026-01-01 07:00');
RESET search_path;
SELECT fn, count(*) AS captured_calls FROM evil.calls GROUP BY fn ORDER BY fn;
DELETE FROM mlobs.monitors WHERE model = 'sec';
DELETE FROM mlobs.alert_rules WHERE name = 'sec_rows_seen';
DELETE FROM mlobs.retraining_requests WHERE model = 'sec';
DELETE FROM mlobs.models WHERE name LIKE 'sec_model%';

-- 6. Forged states. No SQL expression yields a value of type `internal`: the only function
-- returning one without taking one is internal_in, which always raises. So the aggregate support
-- functions (transition, combine, deserialize, final: all take `internal`) are unreachable from
-- SQL, and only a superuser may wire them into a new aggregate.
SELECT p.oid::regprocedure AS internal_from_nothing FROM pg_proc p
WHERE p.prorettype = 'internal'::regtype AND NOT ('internal'::regtype = ANY (p.proargtypes));
\set VERBOSITY terse
SELECT mlobs_internal.profile_final(pg_catalog.internal_in('0'));
SELECT mlobs_internal.profile_trans(NULL, 1.0);
SELECT mlobs_internal.histogram_deserial('\x00'::bytea, NULL::internal);
SET ROLE regress_mlobs_evil;
CREATE AGGREGATE evil.confused(float8, float8[]) (SFUNC = mlobs_internal.histogram_trans, STYPE = internal, FINALFUNC = mlobs_internal.profile_final);
RESET ROLE;
\set VERBOSITY default

-- Binary input (the types' receive functions): every summary type's COPY BINARY form, valid
-- (the control) and forged, loaded through COPY FROM ... (FORMAT binary).
CREATE TABLE sec_valid AS
SELECT mlobs.profile_agg(x) AS p, mlobs.histogram_agg(x, '{0,1,2}') AS h, mlobs.category_agg(x::text) AS c,
       mlobs.features_agg(jsonb_build_object('a', x)) AS f, mlobs.confusion_agg(x::int, 1) AS cf,
       mlobs.score_agg(x / 3, x::int % 2) AS s, mlobs.regression_agg(x, x + 1) AS r, mlobs.calibration_agg(x / 3, x::int % 2) AS cal
FROM (VALUES (0.5::float8), (1.5), (2)) v(x);
CREATE TABLE sec_forged AS
SELECT t AS type, f.label, f.bytes FROM sec_valid, LATERAL (VALUES
  ('profile', mlobs_internal.profile_send(p)), ('histogram', mlobs_internal.histogram_send(h)), ('categories', mlobs_internal.categories_send(c)),
  ('feature_profiles', mlobs_internal.feature_profiles_send(f)), ('confusion', mlobs_internal.confusion_send(cf)),
  ('score_summary', mlobs_internal.score_summary_send(s)), ('regression_summary', mlobs_internal.regression_summary_send(r)),
  ('calibration', mlobs_internal.calibration_send(cal))) v(t, good),
LATERAL (VALUES ('1 valid', good), ('2 empty', ''::bytea), ('3 truncated', substring(good FROM 1 FOR length(good) - 1)),
  ('4 trailing byte', good || '\x00'::bytea), ('5 wrong tag', overlay(good PLACING '\x00'::bytea FROM 1 FOR 1)),
  ('6 version 255', overlay(good PLACING '\xff'::bytea FROM 5 FOR 1)),
  ('7 all 0xff', substring(good FROM 1 FOR 5) || decode(repeat('ff', length(good) - 5), 'hex'))) f(label, bytes);
-- Every summary type of the extension has forged cases.
SELECT t.typname AS type_without_forged_cases FROM pg_type t
WHERE t.typnamespace = 'mlobs'::regnamespace AND t.typtype = 'b' AND t.typcategory <> 'A'
  AND t.typname NOT IN (SELECT type FROM sec_forged);
CREATE TABLE sec_forged_outcome (type text, label text, outcome text);
DO $$
DECLARE
  f record;
  path text := current_setting('data_directory') || '/mlobs_security_forged.bin';
  outcome text;
BEGIN
  FOR f IN SELECT * FROM sec_forged ORDER BY 1, 2 LOOP
    EXECUTE format('CREATE TEMP TABLE forged_in (v mlobs.%I)', f.type);
    EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', f.bytes, path);
    BEGIN
      EXECUTE format('COPY forged_in FROM %L (FORMAT binary)', path);
      outcome := 'loaded';
    EXCEPTION WHEN OTHERS THEN
      outcome := SQLSTATE || ' ' || SQLERRM;
    END;
    INSERT INTO sec_forged_outcome VALUES (f.type, f.label, outcome);
    DROP TABLE forged_in;
  END LOOP;
END $$;
SELECT * FROM sec_forged_outcome ORDER BY 1, 2;

-- Text input: malformed, inconsistent and out-of-bounds summaries.
CREATE FUNCTION pg_temp.text_input(t text, v text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('SELECT %L::mlobs.%I', v, t);
  RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
SELECT t AS type, pg_temp.text_input(t, v) AS outcome FROM (VALUES
  ('profile', 'not json'),
  ('profile', '{"n": -1}'),
  ('profile', '{"n":3,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0,"min":2.0,"max":0.5,"shift":0.5,"mean":0.8,"m2":1.1,"sketch":{"zero_count":0,"positive":{"offset":0,"counts":[3]},"negative":{"offset":0,"counts":[]}}}'),
  ('profile', '{"n":3,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0,"min":0.5,"max":2.0,"shift":0.5,"mean":0.8,"m2":-1,"sketch":{"zero_count":0,"positive":{"offset":0,"counts":[3]},"negative":{"offset":0,"counts":[]}}}'),
  ('profile', '{"n":3,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0,"min":0.5,"max":2.0,"shift":0.5,"mean":0.8,"m2":1.1,"sketch":{"zero_count":0,"positive":{"offset":0,"counts":[5]},"negative":{"offset":0,"counts":[]}}}'),
  ('profile', '{"n":18446744073709551615,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0,"min":0.5,"max":2.0,"shift":0.5,"mean":0.8,"m2":1.1,"sketch":{"zero_count":0,"positive":{"offset":2147483647,"counts":[18446744073709551615]},"negative":{"offset":0,"counts":[]}}}'),
  ('histogram', '{"edges":[2.0,1.0,0.0],"counts":[1,2],"underflow":0,"overflow":0,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0}'),
  ('histogram', '{"edges":[0.0,1.0,2.0],"counts":[1],"underflow":0,"overflow":0,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0}'),
  ('categories', '{"counts":{"a":-1},"other_count":0,"null_count":0}'),
  ('feature_profiles', '{"rows":1,"non_object_rows":0,"dropped_keys":0,"features":{"a":{"types":{"number":5,"string":0,"boolean":0,"null":0,"object":0,"array":0},"numeric":null,"categories":{"counts":{},"other_count":0,"null_count":0}}}}'),
  ('confusion', '{"rows":3,"skipped":0,"cells":[{"actual":0,"predicted":1,"weight":1.0},{"actual":0,"predicted":1,"weight":2.0}]}'),
  ('confusion', '{"rows":3,"skipped":0,"cells":[{"actual":0,"predicted":1,"weight":-1.0}]}'),
  ('confusion', '{"rows":3,"skipped":0,"cells":[{"actual":0,"predicted":"x","weight":1.0}]}'),
  ('score_summary', '{"grid":2147483647,"bins":{},"log_loss_sum":0,"brier_sum":0}'),
  ('score_summary', '{"grid":10,"bins":{"10":[1,0]},"log_loss_sum":0,"brier_sum":0}'),
  ('regression_summary', '{"skipped":0,"target":{"n":3,"mean":1,"m2":1},"error":{"n":2,"mean":1.0,"m2":0.0},"sum_abs_error":3.0,"sum_abs_pct_error":3,"max_abs_error":1.0,"abs_error_sketch":{"zero_count":0,"positive":{"offset":0,"counts":[3]},"negative":{"offset":0,"counts":[]}}}'),
  ('calibration', '{"x":[0.6,0.1],"y":[0.0,0.0],"fitted_rows":3}'),
  ('calibration', '{"x":[0.1,0.6],"y":[0.0,7.0],"fitted_rows":3}')
) c(t, v);

-- mlobs_admin reads everything mlobs_reader reads (an exporter or dashboard may log in as an
-- admin member): every relation and column readable by the reader is readable by the admin.
SELECT c.relname, a.attname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'mlobs'
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'v', 'p', 'm')
  AND has_column_privilege('mlobs_reader', c.oid, a.attnum, 'SELECT')
  AND NOT has_column_privilege('mlobs_admin', c.oid, a.attnum, 'SELECT')
ORDER BY 1, 2;

-- Clean up the cluster-wide roles.
DROP SCHEMA evil CASCADE;
DO $$ BEGIN EXECUTE format('REVOKE CREATE ON DATABASE %I FROM regress_mlobs_evil', current_database()); END $$;
REVOKE SELECT ON sec_log FROM mlobs_admin;
DROP ROLE regress_mlobs_evil;
DROP ROLE regress_mlobs_nobody;
