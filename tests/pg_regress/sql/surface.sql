-- The SQL surface users browse (issue 13 item 6): accessor names must not shadow core functions.
-- mlobs.row_count(<summary>) is the documented name of the summaries' count; mlobs.count is its
-- deprecated alias until a later release removes it.
CREATE TEMP TABLE surf AS
SELECT g, mlobs.profile_agg(x) AS p, mlobs.histogram_agg(x, '{0,5,10}') AS h, mlobs.category_agg(x::text) AS c,
       mlobs.features_agg(jsonb_build_object('a', x)) AS f, mlobs.confusion_agg(x::int % 2, 1) AS cf,
       mlobs.score_agg(x / 10, x::int % 2) AS s, mlobs.regression_agg(x, x + 1) AS r
FROM generate_series(1, 9) x, generate_series(1, 3) g WHERE x <= g * 3 GROUP BY g;
SELECT g, mlobs.row_count(p) AS profile, mlobs.row_count(h) AS histogram, mlobs.row_count(c) AS categories,
       mlobs.row_count(f) AS feature_profiles, mlobs.row_count(cf) AS confusion, mlobs.row_count(s) AS score_summary,
       mlobs.row_count(r) AS regression_summary
FROM surf ORDER BY g;
-- The alias answers the same.
SELECT bool_and(mlobs.row_count(p) = mlobs.count(p) AND mlobs.row_count(h) = mlobs.count(h) AND mlobs.row_count(c) = mlobs.count(c)
            AND mlobs.row_count(f) = mlobs.count(f) AND mlobs.row_count(cf) = mlobs.count(cf)
            AND mlobs.row_count(s) = mlobs.count(s) AND mlobs.row_count(r) = mlobs.count(r)) AS alias_equals_row_count
FROM surf;
-- NULL in, NULL out (STRICT).
SELECT mlobs.row_count(NULL::mlobs.profile) IS NULL AS null_profile, mlobs.row_count(NULL::mlobs.confusion) IS NULL AS null_confusion;

-- No function of schema mlobs takes the same arguments as a built-in function of the same name
-- (counting "any", anyelement, record and implicit casts as the same), except the deprecated
-- count aliases: with mlobs on search_path such a function would be called instead of the built-in.
SELECT m.oid::regprocedure AS ours, c.oid::regprocedure AS builtin, c.prokind
FROM pg_proc m JOIN pg_proc c ON c.proname = m.proname AND c.pronamespace = 'pg_catalog'::regnamespace
  AND c.pronargs BETWEEN m.pronargs - m.pronargdefaults AND m.pronargs
WHERE m.pronamespace = 'mlobs'::regnamespace
  AND NOT EXISTS (SELECT FROM generate_series(0, c.pronargs - 1) i
                  WHERE NOT (c.proargtypes[i] = m.proargtypes[i]
                             OR c.proargtypes[i] IN ('"any"'::regtype, 'anyelement'::regtype, 'anynonarray'::regtype,
                                                     'anycompatible'::regtype, 'anycompatiblenonarray'::regtype, 'record'::regtype)
                             OR c.proargtypes[i] IN ('anyarray'::regtype, 'anycompatiblearray'::regtype)
                                AND EXISTS (SELECT FROM pg_type t WHERE t.oid = m.proargtypes[i] AND t.typcategory = 'A')
                             OR EXISTS (SELECT FROM pg_cast k WHERE k.castsource = m.proargtypes[i]
                                          AND k.casttarget = c.proargtypes[i] AND k.castcontext = 'i')))
ORDER BY m.oid::regprocedure::text;

-- With mlobs on search_path, unqualified names.
SET search_path = public, mlobs;
SELECT g, row_count(p), row_count(cf), row_count(r) FROM surf ORDER BY g;
-- count(*) and count of any other type are the built-in aggregate ...
SELECT count(*) AS rows, count(g) AS g_values FROM surf;
-- ... but while the deprecated alias exists, count(p) of a summary still resolves to it (an exact
-- type match beats count("any")): one value per row, not the number of rows.
SELECT count(p) AS alias_per_row FROM surf ORDER BY 1;
-- Once the aliases are gone (a later release; dropped here in a transaction rolled back), count(p)
-- is the built-in aggregate for every summary type and row_count still reads the summaries.
BEGIN;
ALTER EXTENSION mlobs DROP FUNCTION mlobs.count(mlobs.profile);
ALTER EXTENSION mlobs DROP FUNCTION mlobs.count(mlobs.histogram);
ALTER EXTENSION mlobs DROP FUNCTION mlobs.count(mlobs.categories);
ALTER EXTENSION mlobs DROP FUNCTION mlobs.count(mlobs.feature_profiles);
ALTER EXTENSION mlobs DROP FUNCTION mlobs.count(mlobs.confusion);
ALTER EXTENSION mlobs DROP FUNCTION mlobs.count(mlobs.score_summary);
ALTER EXTENSION mlobs DROP FUNCTION mlobs.count(mlobs.regression_summary);
DROP FUNCTION mlobs.count(mlobs.profile), mlobs.count(mlobs.histogram), mlobs.count(mlobs.categories),
  mlobs.count(mlobs.feature_profiles), mlobs.count(mlobs.confusion), mlobs.count(mlobs.score_summary),
  mlobs.count(mlobs.regression_summary);
SELECT count(p) AS profile, count(h) AS histogram, count(c) AS categories, count(f) AS feature_profiles,
       count(cf) AS confusion, count(s) AS score_summary, count(r) AS regression_summary,
       sum(row_count(p)) AS values_profiled
FROM surf;
ROLLBACK;
RESET search_path;
