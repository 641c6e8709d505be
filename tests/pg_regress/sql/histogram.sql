-- mlobs.histogram_agg: numpy's bin rule (last bin closed), under/overflow, NULL/NaN/Inf apart.
SELECT mlobs.bin_counts(h), mlobs.count(h), mlobs.null_count(h), mlobs.nan_count(h), mlobs.inf_count(h), mlobs.edges(h)
  FROM (SELECT mlobs.histogram_agg(x, '{0,1,2}') h
          FROM (VALUES (-0.5::float8), (0), (0.5), (1), (2), (2.5), (NULL), ('NaN'), ('Infinity'), ('-Infinity')) v(x)) s;
-- Edge arrays that are not constants must agree row by row.
SELECT mlobs.bin_counts(mlobs.histogram_agg(x, e)) FROM (SELECT x::float8, '{0,5,10}'::float8[] e FROM generate_series(0, 12) x) s;
SELECT mlobs.histogram_agg(x, array[0, x + 1]) FROM generate_series(1, 3) x;
-- Edges from a query parameter (prepared statement) are read once, like a literal.
PREPARE hist(float8[]) AS SELECT mlobs.bin_counts(mlobs.histogram_agg(x::float8, $1)) FROM generate_series(0, 12) x;
EXECUTE hist('{0,5,10}');
EXECUTE hist('{0,1,2,3}');
DEALLOCATE hist;
-- Edges from a column differ per group: each group gets its own, merged parallel or not.
SELECT g, mlobs.edges(mlobs.histogram_agg(x, e)), mlobs.bin_counts(mlobs.histogram_agg(x, e))
  FROM (SELECT x % 2 AS g, x::float8 AS x, CASE WHEN x % 2 = 0 THEN '{0,5,10}' ELSE '{0,3,20}' END::float8[] AS e
          FROM generate_series(0, 12) x) s GROUP BY g ORDER BY g;
-- Bad edges.
\set VERBOSITY sqlstate
SELECT mlobs.histogram_agg(1.0, '{1}');
\set VERBOSITY default
SELECT mlobs.histogram_agg(1.0, '{1}');
SELECT mlobs.histogram_agg(1.0, '{2,1}');
SELECT mlobs.histogram_agg(1.0, '{0,NaN}');
SELECT mlobs.histogram_agg(1.0, '{0,NULL}');
SELECT mlobs.histogram_agg(1.0, NULL);
-- Empty input → NULL.
SELECT mlobs.histogram_agg(x, '{0,1}') IS NULL AS empty_is_null FROM generate_series(1, 0) x;
-- rollup: same edges merge exactly; different edges are an error (SQLSTATE 22000).
SELECT mlobs.bin_counts(mlobs.rollup(h)) FROM (
  SELECT mlobs.histogram_agg(x, '{0,10,20}') h FROM generate_series(0, 25) x GROUP BY x % 3) s;
\set VERBOSITY sqlstate
SELECT mlobs.rollup(h) FROM (SELECT mlobs.histogram_agg(1.0, '{0,10}') h UNION ALL SELECT mlobs.histogram_agg(1.0, '{0,11}')) s;
\set VERBOSITY default
SELECT mlobs.rollup(h) FROM (SELECT mlobs.histogram_agg(1.0, '{0,10}') h UNION ALL SELECT mlobs.histogram_agg(1.0, '{0,11}')) s;
-- Text round trip and validation.
SELECT '{"edges":[0.0,1.0],"counts":[3],"underflow":1,"overflow":0,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0}'::mlobs.histogram;
SELECT '{"edges":[0.0,1.0],"counts":[3,4],"underflow":1,"overflow":0,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0}'::mlobs.histogram;
