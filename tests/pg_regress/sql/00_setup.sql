-- Fresh extension in the regression database.
CREATE EXTENSION mlobs;
SELECT extname, extrelocatable, extnamespace::regnamespace FROM pg_extension WHERE extname = 'mlobs';
-- PUBLIC may use the schema but not create in it.
SELECT has_schema_privilege('public', 'mlobs', 'USAGE') AS usage, has_schema_privilege('public', 'mlobs', 'CREATE') AS create;
-- Nothing outside schema mlobs belongs to the extension.
SELECT count(*) AS objects_outside_mlobs FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'mlobs') AND p.pronamespace <> 'mlobs'::regnamespace;
-- Volatility/parallel audit: every function is IMMUTABLE PARALLEL SAFE (pure mathematics) except the
-- model registry: readers of mlobs.models are STABLE PARALLEL SAFE (read-only SPI works in parallel
-- workers), register_model VOLATILE UNSAFE.
SELECT p.proname, p.provolatile, p.proparallel FROM pg_proc p
 WHERE p.pronamespace = 'mlobs'::regnamespace AND (p.provolatile <> 'i' OR p.proparallel <> 's') ORDER BY 1;
SELECT count(*) > 0 AS no_security_definer FROM pg_proc WHERE pronamespace = 'mlobs'::regnamespace AND NOT prosecdef;
SELECT count(*) AS security_definer FROM pg_proc WHERE pronamespace = 'mlobs'::regnamespace AND prosecdef;
