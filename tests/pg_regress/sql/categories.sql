-- mlobs.category_agg: counts, cap, parallel = serial, storage round trips, forged input.
SELECT mlobs.category_agg(x) FROM unnest('{b,a,b,NULL,"",a,a}'::text[]) x;
SELECT mlobs.category_agg(x) IS NULL AS empty_is_null FROM unnest('{}'::text[]) x;
-- Values longer than 1 KiB are counted in other_count.
SELECT mlobs.other_count(mlobs.category_agg(x)), mlobs.distinct_count(mlobs.category_agg(x)) FROM (VALUES (repeat('x', 1025)), ('short')) v(x);
-- The cap: 10 000 smallest categories kept, whatever the order.
SELECT mlobs.distinct_count(a) AS kept, mlobs.other_count(a) AS other, a::text = b::text AS order_independent
  FROM (SELECT mlobs.category_agg(lpad(i::text, 6, '0') ORDER BY i) a, mlobs.category_agg(lpad(i::text, 6, '0') ORDER BY -i) b
          FROM generate_series(1, 10050) i) s;
-- Parallel plan = serial.
CREATE TABLE cats AS SELECT i, 'c' || (i % 37) AS c FROM generate_series(1, 200000) i;
INSERT INTO cats SELECT 0, NULL FROM generate_series(1, 10);
ANALYZE cats;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE s AS SELECT mlobs.category_agg(c) v FROM cats;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT mlobs.category_agg(c) FROM cats;
CREATE TEMP TABLE p AS SELECT mlobs.category_agg(c) v FROM cats;
SELECT s.v::text = p.v::text AS parallel_equals_serial, mlobs.count(p.v), mlobs.null_count(p.v) FROM s, p;
RESET ALL;
-- Beyond the cap in a parallel plan (each participant trims and bounds its own keys, the
-- leader merges): equal to the serial pass and to the 10 000 smallest keys counted by SQL.
CREATE TABLE many_cats AS SELECT i, (i * 7919 % 60000)::text AS c FROM generate_series(1, 180000) i;
ANALYZE many_cats;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE ms AS SELECT mlobs.category_agg(c) v FROM many_cats;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT mlobs.category_agg(c) FROM many_cats;
CREATE TEMP TABLE mp AS SELECT mlobs.category_agg(c) v FROM many_cats;
RESET ALL;
SELECT ms.v::text = mp.v::text AS parallel_equals_serial,
       mlobs.category_counts(mp.v) = (SELECT jsonb_object_agg(c, n) FROM (
         SELECT c, count(*) n FROM many_cats GROUP BY c ORDER BY c COLLATE "C" LIMIT 10000) t) AS smallest_keys_exact,
       mlobs.distinct_count(mp.v), mlobs.other_count(mp.v)
  FROM ms, mp;
-- Rollup of hourly summaries equals one pass.
SELECT mlobs.rollup(c)::text = (SELECT mlobs.category_agg(c)::text FROM cats) AS rollup_equals_whole
  FROM (SELECT mlobs.category_agg(c) c FROM cats GROUP BY i % 24) h;
-- Text and binary round trips; forged input rejected.
CREATE TABLE cat_stored AS SELECT mlobs.category_agg(c) v FROM cats;
SELECT mlobs_internal.categories_send(v::text::mlobs.categories) = mlobs_internal.categories_send(v) AS text_round_trip FROM cat_stored;
\set binfile '/tmp/mlobs_regress_categories.bin'
COPY cat_stored TO :'binfile' (FORMAT binary);
CREATE TABLE cat_stored_copy (LIKE cat_stored);
COPY cat_stored_copy FROM :'binfile' (FORMAT binary);
SELECT a.v::text = b.v::text AS binary_round_trip FROM cat_stored a, cat_stored_copy b;
CREATE TABLE cat_forged(b bytea);
-- Two keys out of order: "b" then "a".
INSERT INTO cat_forged VALUES ('\x4d4c63740102000000010000006201000000000000000100000061010000000000000000000000000000000000000000000000');
\set forgedfile '/tmp/mlobs_regress_categories_forged.bin'
COPY cat_forged TO :'forgedfile' (FORMAT binary);
COPY cat_stored_copy FROM :'forgedfile' (FORMAT binary);
SELECT '{"counts":{"a":0},"other_count":0,"null_count":0}'::mlobs.categories;
SELECT '{"counts":{"a":1},"other_count":0}'::mlobs.categories;
-- Drift between summaries matches drift between the arrays.
SELECT (mlobs.drift(a.v, b.v, 'jensenshannon')).statistic = (mlobs.drift(a.arr, b.arr, 'jensenshannon')).statistic AS same_as_arrays
  FROM (SELECT mlobs.category_agg(c) v, array_agg(c) arr FROM cats WHERE i % 2 = 0) a,
       (SELECT mlobs.category_agg(c) v, array_agg(c) arr FROM cats WHERE i % 3 = 0 AND i % 37 < 30) b;
