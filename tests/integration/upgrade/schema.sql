-- A canonical description of everything the extension owns (every pg_depend 'e' member) and of
-- its privileges, so two databases can be diffed: install(current) against
-- install(0.1.0) + ALTER EXTENSION UPDATE. OIDs never appear, only names and definitions.
\pset footer off
\pset tuples_only on
WITH members AS (
  SELECT classid, objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
  WHERE e.extname = 'mlobs' AND d.deptype = 'e')
SELECT 'function ' || p.oid::regprocedure || ' kind=' || p.prokind::text
       || ' returns=' || pg_get_function_result(p.oid)
       || ' args=' || pg_get_function_arguments(p.oid)
       || ' vol=' || p.provolatile::text || ' par=' || p.proparallel::text || ' strict=' || p.proisstrict
       || ' secdef=' || p.prosecdef || ' leakproof=' || p.proleakproof
       || ' lang=' || l.lanname || ' config=' || coalesce(p.proconfig::text, '-')
       || ' cost=' || p.procost || ' rows=' || p.prorows
       || ' acl=' || coalesce(p.proacl::text, '-')
       || ' src=' || md5(coalesce(p.prosrc, '') || coalesce(p.probin, ''))
       || ' comment=' || md5(coalesce(obj_description(p.oid, 'pg_proc'), ''))
FROM members m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
JOIN pg_language l ON l.oid = p.prolang
UNION ALL
SELECT 'aggregate ' || a.aggfnoid::regprocedure || ' trans=' || a.aggtransfn::regproc
       || ' final=' || a.aggfinalfn::regproc || ' combine=' || a.aggcombinefn::regproc
       || ' serial=' || a.aggserialfn::regproc || ' deserial=' || a.aggdeserialfn::regproc
       || ' stype=' || format_type(a.aggtranstype, NULL) || ' init=' || coalesce(a.agginitval, '-')
       || ' finalextra=' || a.aggfinalextra || ' finalmodify=' || a.aggfinalmodify::text
FROM members m JOIN pg_aggregate a ON m.classid = 'pg_proc'::regclass AND a.aggfnoid = m.objid
UNION ALL
SELECT 'type ' || format_type(t.oid, NULL) || ' typtype=' || t.typtype::text || ' len=' || t.typlen
       || ' in=' || t.typinput::regproc || ' out=' || t.typoutput::regproc
       || ' recv=' || t.typreceive::regproc || ' send=' || t.typsend::regproc
       || ' storage=' || t.typstorage::text || ' align=' || t.typalign::text
       || ' comment=' || md5(coalesce(obj_description(t.oid, 'pg_type'), ''))
       || coalesce(' attrs=' || (SELECT string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod), ',' ORDER BY a.attnum)
                                 FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '')
FROM members m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
UNION ALL
SELECT 'relation ' || c.oid::regclass || ' kind=' || c.relkind::text || ' persistence=' || c.relpersistence::text
       || ' acl=' || coalesce(c.relacl::text, '-') || ' options=' || coalesce(c.reloptions::text, '-')
       || ' comment=' || md5(coalesce(obj_description(c.oid, 'pg_class'), ''))
       || coalesce(' view=' || md5(pg_get_viewdef(c.oid)), '')
       || coalesce(' columns=' || (SELECT string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod)
                                      || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                                      || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
                                      || coalesce(' identity=' || nullif(a.attidentity::text, ''), '')
                                      || coalesce(' acl=' || a.attacl::text, ''), ', ' ORDER BY a.attnum)
                                   FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                                   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '')
FROM members m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
UNION ALL
-- Indexes, constraints and triggers are not extension members themselves; they hang off its tables.
SELECT 'index ' || i.indexrelid::regclass || ' ' || pg_get_indexdef(i.indexrelid)
FROM members m JOIN pg_index i ON m.classid = 'pg_class'::regclass AND i.indrelid = m.objid
UNION ALL
SELECT 'constraint ' || co.conrelid::regclass || '.' || co.conname || ' ' || pg_get_constraintdef(co.oid)
FROM members m JOIN pg_constraint co ON m.classid = 'pg_class'::regclass AND co.conrelid = m.objid
UNION ALL
SELECT 'trigger ' || tg.tgrelid::regclass || '.' || tg.tgname || ' ' || pg_get_triggerdef(tg.oid)
FROM members m JOIN pg_trigger tg ON m.classid = 'pg_class'::regclass AND tg.tgrelid = m.objid AND NOT tg.tgisinternal
UNION ALL
SELECT 'other ' || pg_describe_object(m.classid, m.objid, 0)
FROM members m WHERE m.classid NOT IN ('pg_proc'::regclass, 'pg_type'::regclass, 'pg_class'::regclass)
UNION ALL
SELECT 'schema ' || nspname || ' owner_is_superuser=' || (SELECT rolsuper FROM pg_roles WHERE oid = nspowner)
       || ' acl=' || coalesce(nspacl::text, '-') || ' comment=' || md5(coalesce(obj_description(oid, 'pg_namespace'), ''))
FROM pg_namespace WHERE nspname IN ('mlobs', 'mlobs_internal')
UNION ALL
SELECT 'config ' || c::regclass || ' ' || coalesce(cond, '')
FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(c, cond) WHERE e.extname = 'mlobs'
UNION ALL
-- The extension's initial privileges: pg_dump dumps each object's ACL as its difference from them.
SELECT 'initprivs ' || (pg_identify_object(ip.classoid, ip.objoid, ip.objsubid)).identity || ' ' || ip.privtype::text
       || ' ' || (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(ip.initprivs) x)
FROM pg_init_privs ip
WHERE (ip.classoid, ip.objoid) IN (SELECT classid, objid FROM members)
   OR ip.classoid = 'pg_namespace'::regclass AND ip.objoid IN ('mlobs'::regnamespace, 'mlobs_internal'::regnamespace)
ORDER BY 1;
