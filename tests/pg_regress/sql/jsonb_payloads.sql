-- One row must not stop monitoring: features_agg and schema_violations_agg summarise every valid
-- jsonb payload. They read the jsonb natively (top-level object only: nested values are counted
-- by kind at any depth; numerics straight to float8). Before, each payload went through jsonb_out
-- and serde_json, and 1e400 or nesting deeper than 128 levels raised 22023 and aborted the
-- whole aggregate.
CREATE TABLE payloads AS SELECT * FROM (VALUES
  (1, '{"x": 1e400, "c": "a"}'::jsonb),
  (2, '{"x": -1e400, "c": "b"}'),
  (3, '{"x": 1e-400, "c": "a"}'),
  (4, '{"x": -1e-400, "flag": true}'),
  (5, '{"x": "12", "c": "a"}'),
  (6, ('{"x": 2.5, "c": "a", "deep": ' || repeat('{"k": ', 300) || '1' || repeat('}', 300) || '}')::jsonb),
  (7, ('{"x": 0.1, "deep": ' || repeat('[', 300) || repeat(']', 300) || '}')::jsonb),
  (8, '[1e400, 2]'),
  (9, '1e400'),
  (10, NULL),
  (11, '{"x": 123456789012345678901234567890, "c": "b", "n": null}'),
  (12, '{"x": 0.30000000000000004, "y": 1.7976931348623157e308, "z": -4.9e-324}')
) v(i, f);
-- Every row is counted: 12 rows, 3 not objects (array, scalar, NULL).
SELECT mlobs.count(s), (s::text::jsonb)->'non_object_rows' AS non_object_rows, (s::text::jsonb)->'dropped_keys' AS dropped
  FROM (SELECT mlobs.features_agg(f) s FROM payloads) x;
SELECT t.* FROM (SELECT mlobs.features_agg(f) s FROM payloads) x, mlobs.feature_types(x.s) t;
-- x: 1e400 and -1e400 are ±Infinity in the profile's counts (the summary format is unchanged),
-- ±1e-400 are 0; the string "12" is counted as a string (type mismatch), not as a number.
SELECT p->'n' AS n, p->'pos_inf_count' AS pos_inf, p->'neg_inf_count' AS neg_inf, p->'nan_count' AS nan,
       p->'min' AS min, p->'max' AS max
  FROM (SELECT mlobs.feature_profile(mlobs.features_agg(f), 'x')::text::jsonb p FROM payloads) x;
SELECT mlobs.feature_categories(mlobs.features_agg(f), 'x')::text AS x_strings,
       mlobs.feature_categories(mlobs.features_agg(f), 'c')::text AS c
  FROM payloads;
-- Numbers convert exactly as numeric -> float8 does (correctly rounded, at the range limits too).
WITH x AS (SELECT mlobs.features_agg(f) s FROM payloads WHERE i = 12)
SELECT k, (mlobs.feature_profile(x.s, k)::text::jsonb->>'min')::float8 = (p.f->>k)::numeric::float8 AS exact
  FROM x, payloads p, unnest(ARRAY['x', 'y', 'z']) k
 WHERE p.i = 12 ORDER BY k;
SELECT (mlobs.feature_profile(mlobs.features_agg(f), 'x')::text::jsonb->>'min')::float8 = 123456789012345678901234567890::float8 AS big_exact
  FROM payloads WHERE i = 11;
-- The summary stores and reads back as before (text and binary forms round-trip).
CREATE TEMP TABLE stored AS SELECT mlobs.features_agg(f) s FROM payloads;
SELECT s::text::mlobs.feature_profiles::text = s::text AS text_roundtrip,
       mlobs.count(mlobs.rollup(s)) AS rollup_rows FROM stored GROUP BY s::text;
-- Partial aggregates (GROUP BY, then rollup) count the same.
SELECT (SELECT array_agg(t ORDER BY t.feature) FROM mlobs.feature_types(r) t)
     = (SELECT array_agg(t ORDER BY t.feature) FROM mlobs.feature_types((SELECT s FROM stored)) t) AS rollup_equal
  FROM (SELECT mlobs.rollup(h) r FROM (SELECT mlobs.features_agg(f) h FROM payloads GROUP BY i % 3) g) y;
-- Schema violations of the same rows: ±Infinity is above max / below min, the string a wrong
-- type, the 300-deep object an unexpected key; nothing aborts.
SELECT jsonb_pretty(mlobs.schema_violations_agg(f, '{"version": 1, "additional_keys": false, "keys": {
          "x": {"type": "number", "required": true, "min": -1000, "max": 1e30},
          "c": {"type": "string", "nullable": false, "categories": ["a"]},
          "flag": {"type": "boolean"}, "n": {"type": "any", "nullable": true},
          "y": {"type": "number"}, "z": {"type": "number"}}}'))
  FROM payloads;
-- quality_report shows the non-finite values per feature (non_finite_share), and counts them as
-- missing.
SELECT feature, check_name, round(value::numeric, 4) AS value, round(reference_value::numeric, 4) AS reference_value,
       threshold, flagged
  FROM mlobs.quality_report((SELECT mlobs.features_agg(f) FROM payloads WHERE i IN (3, 6, 7, 11, 12)),
                            (SELECT mlobs.features_agg(f) FROM payloads))
 WHERE feature = 'x';
SELECT feature, check_name, value, flagged
  FROM mlobs.quality_report((SELECT mlobs.features_agg(f) FROM payloads WHERE i IN (3, 6, 7, 11, 12)),
                            (SELECT mlobs.features_agg(f) FROM payloads), '{"non_finite_share": 0.5}')
 WHERE check_name = 'non_finite_share';
SELECT * FROM mlobs.quality_report((SELECT mlobs.features_agg(f) FROM payloads), (SELECT mlobs.features_agg(f) FROM payloads),
                                   '{"non_finite_share": 2}');
-- Parallel workers read the same (partial aggregates serialized and combined).
CREATE TABLE many AS SELECT p.i, p.f FROM payloads p, generate_series(1, 2000) g;
ANALYZE many;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT mlobs.features_agg(f) FROM many;
SELECT t.feature, t.number, t.string, t.object, t.array,
       (mlobs.feature_profile(s, t.feature)::text::jsonb)->'pos_inf_count' AS pos_inf
  FROM (SELECT mlobs.features_agg(f) s FROM many) x, mlobs.feature_types(x.s) t;
RESET ALL;
DROP TABLE payloads, many;
