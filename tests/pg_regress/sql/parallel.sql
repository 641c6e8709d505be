-- Parallel plans give the serial answer; EXPLAIN shows partial aggregation.
CREATE TABLE par AS SELECT i, (sin(i) * 100 + (i % 1000))::float8 AS x FROM generate_series(1, 300000) i;
INSERT INTO par SELECT 0, NULL FROM generate_series(1, 100);
INSERT INTO par VALUES (0, 'NaN'), (0, 'Infinity');
ANALYZE par;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial AS SELECT mlobs.profile_agg(x) p, mlobs.histogram_agg(x, '{-100,0,100,500,1000}') h FROM par;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT mlobs.profile_agg(x), mlobs.histogram_agg(x, '{-100,0,100,500,1000}') FROM par;
CREATE TEMP TABLE parallel AS SELECT mlobs.profile_agg(x) p, mlobs.histogram_agg(x, '{-100,0,100,500,1000}') h FROM par;
SELECT mlobs.count(s.p) = mlobs.count(q.p) AS count_eq,
       mlobs.null_count(s.p) = mlobs.null_count(q.p) AND mlobs.nan_count(s.p) = mlobs.nan_count(q.p)
         AND mlobs.inf_count(s.p) = mlobs.inf_count(q.p) AS tallies_eq,
       mlobs.min(s.p) = mlobs.min(q.p) AND mlobs.max(s.p) = mlobs.max(q.p) AS extremes_eq,
       abs(mlobs.mean(s.p) - mlobs.mean(q.p)) <= 1e-12 * abs(mlobs.mean(s.p)) AS mean_eq_to_rounding,
       abs(mlobs.stddev(s.p) - mlobs.stddev(q.p)) <= 1e-12 * mlobs.stddev(s.p) AS stddev_eq_to_rounding,
       mlobs.quantile(s.p, '{0.01,0.25,0.5,0.75,0.99}'::float8[]) = mlobs.quantile(q.p, '{0.01,0.25,0.5,0.75,0.99}'::float8[]) AS sketch_eq,
       mlobs.psi(s.p, q.p) = 0 AS psi_zero,
       s.h::text = q.h::text AS histogram_identical
  FROM serial s, parallel q;
-- Grouped: partial hash aggregation in workers, finalize in the leader; each group as serial.
CREATE TABLE par_g AS SELECT i % 4 AS g, (sin(i) * 100 + (i % 1000))::float8 AS x FROM generate_series(1, 200000) i;
ANALYZE par_g;
EXPLAIN (COSTS OFF) SELECT g, mlobs.profile_agg(x), mlobs.histogram_agg(x, '{0,500,1000}') FROM par_g GROUP BY g;
CREATE TEMP TABLE grouped_parallel AS SELECT g, mlobs.profile_agg(x) p, mlobs.histogram_agg(x, '{0,500,1000}') h FROM par_g GROUP BY g;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE grouped_serial AS SELECT g, mlobs.profile_agg(x) p, mlobs.histogram_agg(x, '{0,500,1000}') h FROM par_g GROUP BY g;
SELECT count(*) AS groups,
       bool_and(mlobs.count(a.p) = mlobs.count(b.p) AND mlobs.min(a.p) = mlobs.min(b.p) AND mlobs.max(a.p) = mlobs.max(b.p)) AS counts_extremes_eq,
       bool_and(mlobs.quantile(a.p, '{0.1,0.5,0.9}'::float8[]) = mlobs.quantile(b.p, '{0.1,0.5,0.9}'::float8[])) AS sketch_eq,
       bool_and(abs(mlobs.mean(a.p) - mlobs.mean(b.p)) <= 1e-12 * abs(mlobs.mean(b.p))) AS mean_eq_to_rounding,
       bool_and(a.h::text = b.h::text) AS histograms_identical
  FROM grouped_parallel a JOIN grouped_serial b USING (g);
RESET ALL;
