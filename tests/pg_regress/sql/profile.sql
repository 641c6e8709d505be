-- mlobs.profile_agg and accessors.
CREATE TABLE obs(g int, x float8);
INSERT INTO obs VALUES (1, 1.0), (1, 2.0), (1, NULL), (1, 'NaN'), (1, 'Infinity'), (1, '-Infinity'), (1, 3.5),
                       (2, NULL), (2, NULL);
SELECT g, mlobs.count(p), mlobs.null_count(p), mlobs.nan_count(p), mlobs.inf_count(p), mlobs.total_count(p),
       mlobs.min(p), mlobs.max(p), round(mlobs.mean(p)::numeric, 12) AS mean,
       round(mlobs.stddev(p)::numeric, 12) AS stddev, round(mlobs.stddev_pop(p)::numeric, 12) AS stddev_pop,
       round(mlobs.variance(p)::numeric, 12) AS variance
  FROM (SELECT g, mlobs.profile_agg(x) p FROM obs GROUP BY g) s ORDER BY g;
-- Moments agree with the built-in aggregates.
SELECT abs(mlobs.mean(p) - avg) < 1e-9 AS mean_ok, abs(mlobs.stddev(p) - sd) < 1e-9 AS stddev_ok,
       mlobs.min(p) = mn AS min_ok, mlobs.max(p) = mx AS max_ok, mlobs.count(p) = n AS count_ok
  FROM (SELECT mlobs.profile_agg(x) p, avg(x) avg, stddev(x) sd, min(x) mn, max(x) mx, count(x) n
          FROM (SELECT sin(i) * 1000 + i x FROM generate_series(1, 100000) i) t) s;
-- Quantiles: q = 0 and 1 are exact; the others within 1 % of the true value.
SELECT mlobs.quantile(p, 0) AS q0, mlobs.quantile(p, 1) AS q1,
       abs(mlobs.quantile(p, 0.5) - 5000.5) / 5000.5 <= 0.01 AS median_within_1pct,
       abs(mlobs.quantile(p, 0.9) - 9000.1) / 9000.1 <= 0.01 AS p90_within_1pct,
       array_length(mlobs.quantile(p, '{0.1,0.5,0.9}'::float8[]), 1) AS n_quantiles
  FROM (SELECT mlobs.profile_agg(i) p FROM generate_series(1, 10000) i) s;
-- Empty input gives NULL; all-NULL input gives a profile with n = 0 and NULL moments.
SELECT mlobs.profile_agg(x) IS NULL AS empty_is_null FROM obs WHERE false;
SELECT mlobs.count(p), mlobs.null_count(p), mlobs.mean(p), mlobs.min(p), mlobs.quantile(p, 0.5), mlobs.stddev(p)
  FROM (SELECT mlobs.profile_agg(x) p FROM obs WHERE g = 2) s;
-- Bad q.
SELECT mlobs.quantile(mlobs.profile_agg(x), 1.5) FROM obs;
SELECT mlobs.quantile(mlobs.profile_agg(x), 'NaN'::float8) FROM obs;
-- rollup merges stored summaries: equal to one aggregate over all rows.
CREATE TABLE hourly AS SELECT i % 24 AS h, mlobs.profile_agg(i::float8) p FROM generate_series(1, 10000) i GROUP BY 1;
SELECT mlobs.count(r), mlobs.min(r), mlobs.max(r), abs(mlobs.mean(r) - 5000.5) < 1e-9 AS mean_ok,
       mlobs.quantile(r, 0.25) = mlobs.quantile(whole, 0.25) AS sketch_identical
  FROM (SELECT mlobs.rollup(p) r FROM hourly) a, (SELECT mlobs.profile_agg(i::float8) whole FROM generate_series(1, 10000) i) b;
SELECT mlobs.rollup(p) IS NULL AS rollup_of_nothing FROM hourly WHERE false;
SELECT mlobs.count(mlobs.rollup(p)) FROM (SELECT NULL::mlobs.profile p UNION ALL SELECT p FROM hourly WHERE h = 1) s;
-- Text form is JSON and round-trips; malformed text is rejected with SQLSTATE 22P02.
SELECT mlobs.profile_agg(x)::text FROM (VALUES (1.5::float8), (NULL)) v(x);
SELECT '{"n":1,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0,"min":2.0,"max":2.0,"shift":2.0,"mean":0.0,"m2":0.0,"sketch":{"zero_count":0,"positive":{"offset":35,"counts":[1]},"negative":{"offset":0,"counts":[]}}}'::mlobs.profile::text;
\set VERBOSITY sqlstate
SELECT 'not json'::mlobs.profile;
SELECT '{"n":5,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0,"min":2.0,"max":2.0,"shift":2.0,"mean":0.0,"m2":0.0,"sketch":{"zero_count":0,"positive":{"offset":35,"counts":[1]},"negative":{"offset":0,"counts":[]}}}'::mlobs.profile;
\set VERBOSITY default
SELECT '{"n":1,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0,"min":3.0,"max":2.0,"shift":2.0,"mean":0.0,"m2":0.0,"sketch":{"zero_count":0,"positive":{"offset":35,"counts":[1]},"negative":{"offset":0,"counts":[]}}}'::mlobs.profile;
SELECT '{"n":1}'::mlobs.profile;
-- Distinct values (n_distinct): exact up to 256 finite values, as count(DISTINCT x) counts them.
SELECT mlobs.n_distinct(p) = cd AS same_as_count_distinct, mlobs.n_distinct(p), mlobs.n_distinct_is_exact(p),
       mlobs.n_distinct_bounds(p)
  FROM (SELECT mlobs.profile_agg(x) p, count(DISTINCT x) cd
          FROM unnest('{3, 3, 0, -0, NaN, -NaN, Infinity, -Infinity, 1e-300, NULL}'::float8[]) x) s;
SELECT g, mlobs.n_distinct(p) = cd AS exact_at_256_and_257, mlobs.n_distinct_is_exact(p) AS exact
  FROM (SELECT g, mlobs.profile_agg(i::float8) p, count(DISTINCT i) cd
          FROM (SELECT 256 g, i FROM generate_series(1, 256) i UNION ALL SELECT 257, i FROM generate_series(1, 257) i) t
         GROUP BY g) s ORDER BY g;
-- Above 256: estimated within 3 standard errors (4.9 %), inside its bounds; rollup = one pass.
SELECT n, abs(mlobs.n_distinct(p) - n) <= 0.049 * n AS within_3_sigma,
       (mlobs.n_distinct_bounds(p))[1] <= n AND n <= (mlobs.n_distinct_bounds(p))[2] AS bounds_hold,
       mlobs.n_distinct(p) <= mlobs.row_count(p) AS at_most_rows
  FROM (SELECT n, mlobs.profile_agg((i % n) * 0.01) p
          FROM unnest('{300, 5000, 100000}'::int[]) n, generate_series(1, 200000) i WHERE i <= 2 * n GROUP BY n) s ORDER BY n;
CREATE TABLE hourly_ids AS SELECT i % 24 AS h, mlobs.profile_agg((i % 50000)::float8) p FROM generate_series(1, 100000) i GROUP BY 1;
SELECT mlobs.n_distinct(r) = mlobs.n_distinct(whole) AS rollup_same_estimate,
       (r::text::jsonb)->'distinct' = (whole::text::jsonb)->'distinct' AS rollup_same_sketch,
       jsonb_typeof((r::text::jsonb)->'distinct'->'dense') AS form
  FROM (SELECT mlobs.rollup(p) r FROM hourly_ids) a,
       (SELECT mlobs.profile_agg((i % 50000)::float8) whole FROM generate_series(1, 100000) i) b;
SELECT mlobs.n_distinct(p::text::mlobs.profile) = mlobs.n_distinct(p) AS text_round_trip FROM hourly_ids WHERE h = 0;
-- A 0.2.0 profile (no "distinct" in its JSON) has an unknown distinct count, and so has a rollup
-- with it; the rest of the rollup is unaffected. The categories' distinct_count(NULL) still resolves.
CREATE TABLE old_profile AS SELECT '{"n":1,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0,"min":2.0,"max":2.0,"shift":2.0,"mean":0.0,"m2":0.0,"sketch":{"zero_count":0,"positive":{"offset":35,"counts":[1]},"negative":{"offset":0,"counts":[]}}}'::mlobs.profile old;
SELECT mlobs.n_distinct(old) IS NULL AS old_unknown, mlobs.n_distinct_is_exact(old) IS NULL AS old_exact_unknown,
       mlobs.n_distinct_bounds(old) IS NULL AS old_bounds_unknown FROM old_profile;
SELECT mlobs.n_distinct(r) IS NULL AS rollup_unknown, mlobs.row_count(r) AS rollup_rows, mlobs.max(r)
  FROM (SELECT mlobs.rollup(p) r FROM (SELECT p FROM hourly WHERE h = 1 UNION ALL SELECT old FROM old_profile) s) t;
SELECT mlobs.distinct_count(NULL) IS NULL AS categories_call_resolves, mlobs.n_distinct(NULL) IS NULL AS strict;
-- Forged distinct sketches are rejected (22P02).
\set VERBOSITY sqlstate
SELECT '{"n":2,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0,"min":1.0,"max":2.0,"shift":1.0,"mean":0.5,"m2":0.5,"sketch":{"zero_count":0,"positive":{"offset":0,"counts":[2]},"negative":{"offset":0,"counts":[]}},"distinct":{"exact":[1.0,1.5,2.0]}}'::mlobs.profile;
\set VERBOSITY default
SELECT '{"n":2,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0,"min":1.0,"max":2.0,"shift":1.0,"mean":0.5,"m2":0.5,"sketch":{"zero_count":0,"positive":{"offset":0,"counts":[2]},"negative":{"offset":0,"counts":[]}},"distinct":{"sparse":[[1,1]]}}'::mlobs.profile;
