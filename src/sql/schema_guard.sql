-- mlobs schema guard: runs first in the extension script (pgrx `bootstrap`).

-- CREATE EXTENSION reuses an existing schema named in the control file as it is: one created
-- beforehand by another role would stay that role's (it could add look-alike overloads next to
-- ours, and this script's unqualified references resolve through it). Only a superuser-owned
-- schema is trusted; CREATE EXTENSION creates it owned by the installing superuser.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
                 WHERE n.nspname OPERATOR(pg_catalog.=) 'mlobs' AND r.rolsuper) THEN
    RAISE EXCEPTION 'schema mlobs exists and is not owned by a superuser'
      USING ERRCODE = '42501', HINT = 'Drop it, or ALTER SCHEMA mlobs OWNER TO a superuser, before CREATE EXTENSION mlobs.';
  END IF;
END $$;
