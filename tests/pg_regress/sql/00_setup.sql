-- Fresh extension in the regression database.
CREATE EXTENSION mlobs;
SELECT extname, extrelocatable, extnamespace::regnamespace FROM pg_extension WHERE extname = 'mlobs';
-- PUBLIC may use the schema but not create in it.
SELECT has_schema_privilege('public', 'mlobs', 'USAGE') AS usage, has_schema_privilege('public', 'mlobs', 'CREATE') AS create;
-- Nothing outside schemas mlobs and mlobs_internal belongs to the extension.
SELECT count(*) AS objects_outside_mlobs FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'mlobs')
   AND p.pronamespace NOT IN ('mlobs'::regnamespace, 'mlobs_internal'::regnamespace);
-- mlobs_internal (the types' and aggregates' support functions) is created by the extension script:
-- owned by a superuser, a member of the extension, and PUBLIC has no privilege on it.
SELECT r.rolsuper AS owner_is_superuser,
       EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e'
                 AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'mlobs')) AS extension_member,
       has_schema_privilege('public', 'mlobs_internal', 'USAGE') AS public_usage,
       has_schema_privilege('public', 'mlobs_internal', 'CREATE') AS public_create
  FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE n.nspname = 'mlobs_internal';
-- No support function is left in mlobs, where users browse (\df mlobs.*): nothing taking or
-- returning internal or cstring, and no transition, final, combine, serialize or type I/O function
-- of any aggregate or type. A new one in src/sql/ must be moved by the surface section of
-- src/sql/finalize.sql and of the update script.
SELECT p.oid::regprocedure AS support_function_in_mlobs FROM pg_proc p
 WHERE p.pronamespace = 'mlobs'::regnamespace AND p.prokind = 'f'
   AND (p.prorettype IN ('internal'::regtype, 'cstring'::regtype)
        OR p.proargtypes::regtype[] && ARRAY['internal', 'cstring']::regtype[]
        OR p.oid IN (SELECT unnest(ARRAY[aggtransfn, aggfinalfn, aggcombinefn, aggserialfn, aggdeserialfn,
                                         aggmtransfn, aggminvtransfn, aggmfinalfn]::oid[]) FROM pg_aggregate)
        OR p.oid IN (SELECT unnest(ARRAY[typinput, typoutput, typreceive, typsend, typmodin, typmodout, typanalyze]::oid[])
                       FROM pg_type))
 ORDER BY 1;
-- Volatility/parallel audit: every function is IMMUTABLE PARALLEL SAFE (pure mathematics) except the
-- model registry: readers of mlobs.models are STABLE PARALLEL SAFE (read-only SPI works in parallel
-- workers), register_model VOLATILE UNSAFE.
SELECT p.proname, p.provolatile, p.proparallel FROM pg_proc p
 WHERE p.pronamespace = 'mlobs'::regnamespace AND (p.provolatile <> 'i' OR p.proparallel <> 's') ORDER BY 1;
-- The same audit in mlobs_internal: the support functions are IMMUTABLE PARALLEL SAFE except the
-- SHAP-importance transitions, which read mlobs.models.
SELECT p.proname, p.provolatile, p.proparallel FROM pg_proc p
 WHERE p.pronamespace = 'mlobs_internal'::regnamespace AND (p.provolatile <> 'i' OR p.proparallel <> 's') ORDER BY 1;
SELECT count(*) > 0 AS no_security_definer FROM pg_proc WHERE pronamespace = 'mlobs'::regnamespace AND NOT prosecdef;
SELECT count(*) AS security_definer FROM pg_proc
 WHERE pronamespace IN ('mlobs'::regnamespace, 'mlobs_internal'::regnamespace) AND prosecdef;
-- Every user-facing function and aggregate of schema mlobs has a COMMENT saying what it returns
-- (\df+, \dd); the monitoring runtime's internal steps (leading underscore) are not user-facing.
SELECT p.oid::regprocedure AS function_without_comment FROM pg_proc p
 WHERE p.pronamespace = 'mlobs'::regnamespace AND p.proname !~ '^_' AND obj_description(p.oid, 'pg_proc') IS NULL
 ORDER BY 1;
-- ... and every type (not the array types, nor the row types of the tables).
SELECT t.oid::regtype AS type_without_comment FROM pg_type t
 WHERE t.typnamespace = 'mlobs'::regnamespace AND t.typcategory <> 'A'
   AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
   AND obj_description(t.oid, 'pg_type') IS NULL
 ORDER BY 1;

-- The demo data generator is not part of mlobs (issue 21): it is the companion extension
-- mlobs_demo (extensions/mlobs_demo), which the suites needing demo data (memory,
-- monitoring_late) call. It requires mlobs, is not relocatable, lives in its own schema, owned by
-- a superuser, where PUBLIC may call but not create; its only member is simulate (VOLATILE,
-- PARALLEL UNSAFE, not SECURITY DEFINER, search_path pinned).
SELECT to_regprocedure('mlobs.simulate(timestamptz, interval, int, jsonb, float8)') AS simulate_in_mlobs;
CREATE EXTENSION mlobs_demo;
SELECT e.extname, e.extversion, e.extrelocatable, e.extnamespace::regnamespace AS schema, r.rolsuper AS schema_owner_is_superuser,
       has_schema_privilege('public', 'mlobs_demo', 'USAGE') AS public_usage, has_schema_privilege('public', 'mlobs_demo', 'CREATE') AS public_create,
       (SELECT string_agg(x.extname, ',') FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid
         WHERE d.classid = 'pg_extension'::regclass AND d.objid = e.oid AND d.refclassid = 'pg_extension'::regclass) AS requires
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace JOIN pg_roles r ON r.oid = n.nspowner
 WHERE e.extname = 'mlobs_demo';
SELECT pg_describe_object(d.classid, d.objid, 0) AS member, p.provolatile, p.proparallel, p.prosecdef, p.proconfig,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
  FROM pg_depend d LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
 WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'mlobs_demo')
   AND d.deptype = 'e'
 ORDER BY 1;
