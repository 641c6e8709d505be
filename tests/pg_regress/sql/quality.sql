-- Data quality: fences and outlier counts, profile/category checks, schemas, the report; bad input.
SET max_parallel_workers_per_gather = 0;
CREATE TABLE q_ref AS
  SELECT i, (i % 100)::float8 AS x, (ARRAY['a', 'b', 'c'])[i % 3 + 1] AS cat,
         jsonb_build_object('amount', (i % 100) + 0.5, 'merchant', (ARRAY['a', 'b', 'c'])[i % 3 + 1], 'flag', i % 2 = 0) AS f
    FROM generate_series(1, 3000) i;
CREATE TABLE q_cur AS
  SELECT i, CASE WHEN i % 50 = 0 THEN NULL WHEN i % 77 = 0 THEN 'NaN' ELSE (i % 150)::float8 END AS x,
         CASE WHEN i % 40 = 0 THEN '' ELSE (ARRAY['a', 'b', 'd'])[i % 3 + 1] END AS cat,
         jsonb_build_object('amount', (i % 150) + 0.5, 'merchant', (ARRAY['a', 'b', 'd'])[i % 3 + 1])
           || CASE WHEN i % 10 = 0 THEN '{"extra": 1}'::jsonb ELSE '{}'::jsonb END
           || CASE WHEN i % 25 = 0 THEN '{"amount": "n/a"}'::jsonb ELSE '{}'::jsonb END AS f
    FROM generate_series(1, 3000) i;

-- Fences: exact from arrays (numpy-linear quartiles: 24.75, 74.25), approximate from profiles.
SELECT mlobs.outlier_fences(array_agg(x)) AS iqr_exact, mlobs.outlier_fences(array_agg(x), 'iqr', 0) AS quartiles,
       mlobs.outlier_fences(array_agg(x), 'zscore', 2) AS z2 FROM q_ref;
SELECT abs((f).lower - (-49.5)) <= 0.02 * 74.25 AND abs((f).upper - 148.5) <= 0.02 * 148.5 AS profile_fences_close
  FROM (SELECT mlobs.outlier_fences(mlobs.profile_agg(x)) f FROM q_ref) t;
SELECT mlobs.outlier_fences(mlobs.profile_agg(x), 'mad') FROM q_ref;
SELECT mlobs.outlier_fences(mlobs.profile_agg(x), 'iqr', -1) FROM q_ref;
SELECT mlobs.outlier_fences(ARRAY[NULL, 'NaN']::float8[]) IS NULL AS no_finite_values;
-- Exact count outside fences vs the profile estimate and its bounds.
SELECT mlobs.outlier_count_agg(x, 0, 99) AS exact_count,
       round(mlobs.outside_share(mlobs.profile_agg(x), 0, 99)::numeric, 4) AS estimated_share,
       (mlobs.outside_share_bounds(mlobs.profile_agg(x), 0, 99))[1] * mlobs.count(mlobs.profile_agg(x)) <= mlobs.outlier_count_agg(x, 0, 99)
         AND mlobs.outlier_count_agg(x, 0, 99) <= (mlobs.outside_share_bounds(mlobs.profile_agg(x), 0, 99))[2] * mlobs.count(mlobs.profile_agg(x)) AS bounds_hold
  FROM q_cur;
SELECT mlobs.outlier_count_agg(x, 0, 1) FROM q_cur WHERE false;

-- Checks from summaries.
SELECT round(mlobs.missing_share(mlobs.profile_agg(x))::numeric, 4) AS numeric_missing,
       round(mlobs.missing_share(mlobs.category_agg(cat))::numeric, 4) AS categorical_missing
  FROM q_cur;
SELECT mlobs.new_categories(r, c), round(mlobs.new_category_share(r, c)::numeric, 4) AS share,
       round(mlobs.top_share(c)::numeric, 4) AS top_share, mlobs.almost_constant(c), mlobs.almost_constant(c, 0.3) AS at_030
  FROM (SELECT mlobs.category_agg(cat) r FROM q_ref) a, (SELECT mlobs.category_agg(cat) c FROM q_cur) b;
SELECT round(mlobs.out_of_range_share(r, c)::numeric, 3) AS out_of_range,
       mlobs.is_constant(r), mlobs.almost_constant(r), (SELECT mlobs.is_constant(mlobs.profile_agg(1.0))) AS one_value
  FROM (SELECT mlobs.profile_agg(x) r FROM q_ref) a, (SELECT mlobs.profile_agg(x) c FROM q_cur) b;

-- Schemas.
CREATE TABLE q_schema AS SELECT mlobs.schema_of(mlobs.features_agg(f)) AS s FROM q_ref;
SELECT jsonb_pretty(s) FROM q_schema;
SELECT i, mlobs.schema_violations(q_cur.f, s) FROM q_cur, q_schema WHERE i IN (1, 10, 25, 50);
SELECT mlobs.schema_violations(NULL, s), mlobs.schema_violations('[1]', s) FROM q_schema;
SELECT jsonb_pretty(mlobs.schema_violations_agg(q_cur.f, s)) FROM q_cur, q_schema;
SELECT mlobs.schema_violations_agg(q_ref.f, s) FROM q_ref, q_schema;
SELECT mlobs.schema_violations('{}', '{"version": 1, "keys": {"a": {"type": "number", "min": "x"}}}');
SELECT mlobs.schema_violations('{}', '{"version": 1, "keys": []}');
SELECT mlobs.schema_violations('{}', '{"version": 1, "keys": {"a": {"type": "decimal"}}}');
SELECT mlobs.schema_violations('{}', '{"version": 2, "keys": {}}');
SELECT mlobs.schema_violations('{}', '{"version": 1, "keys": {"a": {"type": "number", "min": 5, "max": 1}}}');
SELECT mlobs.schema_violations_agg(f, NULL) FROM q_cur;

-- The report, ready for a metrics table.
SELECT * FROM mlobs.quality_report((SELECT mlobs.features_agg(f) FROM q_ref), (SELECT mlobs.features_agg(f) FROM q_cur));
SELECT feature, check_name, flagged FROM mlobs.quality_report((SELECT mlobs.features_agg(f) FROM q_ref), (SELECT mlobs.features_agg(f) FROM q_cur),
                                                          '{"missing_share": 0.5, "new_category_share": 0.5}')
 WHERE check_name IN ('missing_share', 'new_category_share');
SELECT * FROM mlobs.quality_report((SELECT mlobs.features_agg(f) FROM q_ref), (SELECT mlobs.features_agg(f) FROM q_cur), '{"missing": 0.5}');

-- Parallel = serial for the violation counts and outlier counts.
CREATE TEMP TABLE qs AS SELECT mlobs.schema_violations_agg(q_cur.f, s) v, mlobs.outlier_count_agg(x, 0, 99) o FROM q_cur, q_schema;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT mlobs.schema_violations_agg(f, '{"version": 1, "keys": {}}'), mlobs.outlier_count_agg(x, 0, 99) FROM q_cur;
SELECT a.v = b.v AS violations_identical, a.o = b.o AS outliers_identical
  FROM qs a, (SELECT mlobs.schema_violations_agg(q_cur.f, (SELECT s FROM q_schema)) v, mlobs.outlier_count_agg(x, 0, 99) o FROM q_cur) b;
RESET ALL;
