-- mlobs.drift: edge cases, undefined results, errors.
-- NULL/NaN/±Inf dropped; empty side → NULL.
SELECT (mlobs.drift('{1,2,3,NULL,NaN,Infinity}'::float8[], '{1,2,3}'::float8[], 'ks')).*;
SELECT mlobs.drift('{NULL,NaN}'::float8[], '{1}'::float8[]) IS NULL AS nothing_finite,
       mlobs.drift('{1}'::float8[], '{}'::float8[], 'psi') IS NULL AS empty_current;
-- Tiny samples.
SELECT (mlobs.drift('{1}'::float8[], '{2}'::float8[], 'ks')).*;
SELECT (mlobs.drift('{1,2}'::float8[], '{3,4,5}'::float8[], 'ks')).*;
-- Undefined results are NULL, never NaN: t-test with no variance, χ² with one category.
SELECT (mlobs.drift('{5,5,5}'::float8[], '{5,5}'::float8[], 't_test')).*;
SELECT (mlobs.drift('{5,5,5}'::float8[], '{5,5}'::float8[], 'chisquare')).*;
SELECT (mlobs.drift('{5,5,5}'::float8[], '{5,5}'::float8[], 'z')).*;
-- Identical samples: distances 0, tests not significant.
SELECT m, (mlobs.drift(a, a, m)).statistic, (mlobs.drift(a, a, m)).drifted
  FROM (SELECT array(SELECT (i * 37 % 101)::float8 FROM generate_series(1, 300) i) a) s,
       unnest('{psi,kl_div,jensenshannon,wasserstein,wasserstein_raw,hellinger,ed,ks}'::text[]) m;
-- A value unseen in the reference: χ² is infinite with p = 0.
SELECT (mlobs.drift('{1,1,2,2,3}'::float8[], '{1,2,3,4}'::float8[], 'chisquare')).*;
-- auto: categorical for ≤ 5 distinct reference values, KS up to 1000 reference rows, Wasserstein above.
SELECT (mlobs.drift('{0,1,0,1}'::float8[], '{0,0,0,1}'::float8[])).method AS binary,
       (mlobs.drift('{0,1,2,3,4}'::float8[], '{0,0,0,1}'::float8[])).method AS five_values,
       (mlobs.drift(array(SELECT i::float8 FROM generate_series(1, 1000) i), '{1,2,3}'::float8[])).method AS ref_1000,
       (mlobs.drift(array(SELECT i::float8 FROM generate_series(1, 1001) i), '{1,2,3}'::float8[])).method AS ref_1001;
-- Errors (SQLSTATE 22023).
\set VERBOSITY sqlstate
SELECT mlobs.drift('{1}'::float8[], '{1}'::float8[], 'nope');
\set VERBOSITY default
SELECT mlobs.drift('{1,2,3}'::float8[], '{1,2}'::float8[], 'z');
SELECT mlobs.drift('{1}'::float8[], '{1}'::float8[], 'psi', 'NaN');
SELECT mlobs.drift('{1}'::float8[], '{1}'::float8[], 'psi', options => '[1]');
SELECT mlobs.drift('{1}'::float8[], '{1}'::float8[], 'jensenshannon', options => '{"base": 1}');
SELECT mlobs.drift('{1}'::float8[], '{1}'::float8[], 'jensenshannon', options => '{"base": "two"}');
SELECT mlobs.drift('{}'::float8[], '{1}'::float8[], 'psi', options => '{"nope": 1}');
-- Binning options.
SELECT round((mlobs.drift(a, b, 'psi', options => '{"binning": "reference_quantile", "bins": 4}')).statistic::numeric, 6) AS psi_rq,
       round(mlobs.psi(a, b, 'reference_quantile', 4)::numeric, 6) AS same_as_psi_function
  FROM (SELECT array(SELECT i::float8 FROM generate_series(1, 100) i) a, array(SELECT i::float8 + 30 FROM generate_series(1, 100) i) b) s;
SELECT mlobs.drift('{1,2}'::float8[], '{1}'::float8[], 'psi', options => '{"binning": "doane"}');
SELECT mlobs.drift('{1,2}'::float8[], '{1}'::float8[], 'psi', options => '{"binning": "reference_quantile", "bins": 2.5}');
SELECT mlobs.drift('{1,2}'::float8[], '{1}'::float8[], 'psi', options => '{"bins": 4}');
-- From profiles: NULL for profiles without finite values; auto as for arrays while both count
-- their values (at most 256 distinct: Evidently's few-values branch), else by reference size;
-- categorical tests refused.
SELECT mlobs.drift(p, p) IS NULL AS no_values FROM (SELECT mlobs.profile_agg(NULL::float8) p) s;
SELECT (mlobs.drift(a.p, b.p)).method AS small, (mlobs.drift(c.p, b.p)).method AS large
  FROM (SELECT mlobs.profile_agg(i % 3) p FROM generate_series(1, 1000) i) a,
       (SELECT mlobs.profile_agg(i % 3) p FROM generate_series(1, 50) i) b,
       (SELECT mlobs.profile_agg(i % 3) p FROM generate_series(1, 1001) i) c;
SELECT (mlobs.drift(a.p, b.p)).method AS small, (mlobs.drift(c.p, b.p)).method AS large
  FROM (SELECT mlobs.profile_agg(i % 300) p FROM generate_series(1, 1000) i) a,
       (SELECT mlobs.profile_agg(i % 3) p FROM generate_series(1, 50) i) b,
       (SELECT mlobs.profile_agg(i % 300) p FROM generate_series(1, 1001) i) c;
SELECT mlobs.drift(p, p, 'z') FROM (SELECT mlobs.profile_agg(i) p FROM generate_series(1, 10) i) s;
-- Profiles drift the same whether rolled up from hourly summaries or aggregated at once.
SELECT (mlobs.drift(a.p, b.p, 'ks')).statistic = (mlobs.drift(w.p, b.p, 'ks')).statistic AS rollup_equals_whole
  FROM (SELECT mlobs.rollup(p) p FROM (SELECT mlobs.profile_agg(sin(i)) p FROM generate_series(1, 2400) i GROUP BY i % 24) h) a,
       (SELECT mlobs.profile_agg(sin(i)) p FROM generate_series(1, 2400) i) w,
       (SELECT mlobs.profile_agg(cos(i)) p FROM generate_series(1, 900) i) b;
-- Categorical (text): NULLs dropped, empty string is a category, one bin per category.
SELECT (mlobs.drift('{a,b,NULL,""}'::text[], '{a,b,b,""}'::text[], 'chisquare')).*;
SELECT (mlobs.drift('{x,x,y}'::text[], '{x,y,y}'::text[])).method AS auto_binary,
       (mlobs.drift('{x,y,z}'::text[], '{x,y,z}'::text[])).method AS auto_three,
       (mlobs.drift(array(SELECT 'v' || (i % 3) FROM generate_series(1, 1001) i), '{v1}'::text[])).method AS auto_large;
SELECT mlobs.drift('{}'::text[], '{a}'::text[]) IS NULL AS empty_reference,
       mlobs.drift('{NULL}'::text[], '{a}'::text[]) IS NULL AS only_null;
-- TVD: deterministic permutation p-value; identical samples never drift.
SELECT (d).statistic, (d).p_value, (d).drifted, (mlobs.drift(a, a, 'TVD')).p_value = (d).p_value AS deterministic_rerun
  FROM (SELECT mlobs.drift(a, a, 'TVD') d, a FROM (SELECT array(SELECT 'c' || (i % 4) FROM generate_series(1, 400) i) a) s) t;
SELECT (mlobs.drift(array(SELECT 'c' || (i % 2) FROM generate_series(1, 300) i), array(SELECT 'c' || (i % 3 / 2) FROM generate_series(1, 300) i), 'TVD')).drifted AS shifted_drifts;
-- Errors: numeric-only methods, binning options, the TVD cap, z with more than 2 categories.
SELECT mlobs.drift('{a}'::text[], '{a}'::text[], 'ks');
SELECT mlobs.drift('{a}'::text[], '{a}'::text[], 'psi', options => '{"binning": "reference_quantile"}');
SELECT mlobs.drift(array(SELECT 'c' FROM generate_series(1, 150000)), array(SELECT 'c' FROM generate_series(1, 60000)), 'TVD');
SELECT mlobs.drift('{a,b,c}'::text[], '{a}'::text[], 'z');
-- learned_threshold: band, clipping, NULL for no finite values, errors.
SELECT (mlobs.learned_threshold('{1,2,3,4,NULL,NaN}'::float8[])).*;
SELECT (mlobs.learned_threshold('{0.01,0.02,0.03}'::float8[], 3, lower_limit => 0, upper_limit => 0.05)).*;
SELECT mlobs.learned_threshold('{NULL}'::float8[]) IS NULL AS nothing_finite;
SELECT mlobs.learned_threshold('{1,2}'::float8[], -1);
SELECT mlobs.learned_threshold('{1,2}'::float8[], 3, 1, 0);
-- concept_drift: errors and NULL rules.
SELECT mlobs.concept_drift('{1,2}'::float8[], '{1}'::float8[], '{1}'::float8[], '{1}'::float8[]);
SELECT mlobs.concept_drift('{1}'::float8[], '{1}'::float8[], '{1,2}'::float8[], '{0}'::float8[]);
SELECT mlobs.concept_drift('{1}'::float8[], '{1}'::float8[], '{NULL}'::float8[], '{1}'::float8[]) IS NULL AS empty_current;
SELECT mlobs.concept_drift('{1}'::float8[], '{1}'::float8[], '{1}'::float8[], '{1}'::float8[], 0);
SELECT (mlobs.concept_drift('{1,2,3}'::float8[], '{0,1,0}'::float8[], '{1,2,3,NaN}'::float8[], '{0,1,1,1}'::float8[], 3)).*;
-- concept_drift_agg equals concept_drift(reference, arrays) exactly, per group, NULL and
-- non-finite pairs included; a group without a complete pair is NULL.
WITH ref AS (SELECT mlobs.concept_reference(array_agg(x), array_agg(y)) AS r
               FROM (SELECT (i % 97) / 97.0 AS x, (i % 7 < 3)::int::float8 AS y FROM generate_series(1, 2000) i) s),
     cur AS (SELECT i % 13 AS g,
                    CASE WHEN i % 31 = 0 THEN NULL WHEN i % 37 = 0 THEN 'NaN' ELSE (i % 89) / 80.0 - 0.05 END::float8 AS x,
                    CASE WHEN i % 29 = 0 THEN NULL WHEN i % 13 = 12 THEN NULL ELSE (i % 5 < 2)::int END::float8 AS y
               FROM generate_series(1, 3000) i)
SELECT count(*) AS groups, count(*) FILTER (WHERE a IS NULL) AS null_groups,
       count(*) FILTER (WHERE a IS NOT DISTINCT FROM b) AS identical
  FROM (SELECT mlobs.concept_drift_agg(ref.r, x, y) AS a, mlobs.concept_drift(ref.r, array_agg(x), array_agg(y)) AS b
          FROM cur, ref GROUP BY g, ref.r) t;
-- pca_drift: shapes, NULL rows, errors.
SELECT (mlobs.pca_drift('{{1,2},{3,NULL},{5,7},{2,2}}'::float8[], '{{1,2}}'::float8[])).components;
SELECT mlobs.pca_drift('{{1,2},{3,4}}'::float8[], '{{NULL,1}}'::float8[]) IS NULL AS no_complete_current_row;
SELECT mlobs.pca_drift('{{1,2},{3,4}}'::float8[], '{{1,2,3}}'::float8[]);
SELECT mlobs.pca_drift('{{1,2}}'::float8[], '{{1,2}}'::float8[]);
SELECT mlobs.pca_drift('{{1,2},{3,4}}'::float8[], '{{1,2}}'::float8[], 1);
SELECT mlobs.pca_drift('{{{1}}}'::float8[], '{{1}}'::float8[]);
-- fisher_exact: binary only; single category → p = 1.
SELECT (mlobs.drift('{a,a,a,b,b,b}'::text[], '{a,b,b,b,b,b}'::text[], 'fisher_exact')).*;
SELECT (mlobs.drift('{a,a}'::text[], '{a}'::text[], 'fisher_exact')).*;
SELECT mlobs.drift('{a,b,c}'::text[], '{a}'::text[], 'fisher_exact');
-- domain_classifier: NULL for an empty side, column mismatch, shape errors.
SELECT mlobs.domain_classifier('{{1,2},{3,4}}'::float8[], '{{NULL,1}}'::float8[]) IS NULL AS no_current_rows;
SELECT mlobs.domain_classifier('{{1,2},{3,4}}'::float8[], '{{1,2,3}}'::float8[]);
SELECT mlobs.domain_classifier('{1,2}'::float8[], '{{1,2}}'::float8[]);
SELECT (mlobs.domain_classifier('{{1},{2},{3},{4}}'::float8[], '{{1},{2},{3},{4}}'::float8[])).reference_rows;
SELECT (mlobs.domain_classifier(array(SELECT ARRAY[i, i % 3] FROM generate_series(1, 12) i), array(SELECT ARRAY[i, i % 3] FROM generate_series(1, 12) i))).reference_rows;
-- empirical_mmd: deterministic p; undefined below 2 values per side.
SELECT (d).method, round((d).statistic::numeric, 6), (d).p_value, (d).drifted,
       (mlobs.drift(a, b, 'empirical_mmd')).p_value = (d).p_value AS deterministic
  FROM (SELECT mlobs.drift(a, b, 'empirical_mmd') d, a, b
          FROM (SELECT array(SELECT sin(i) FROM generate_series(1, 300) i) a, array(SELECT sin(i) + 0.3 FROM generate_series(1, 200) i) b) s) t;
SELECT (mlobs.drift('{1}'::float8[], '{1,2}'::float8[], 'empirical_mmd')).*;
-- cramer_von_mises: exact (≤ 20 per side), asymptotic above, NaN → NULL below two values.
SELECT (mlobs.drift('{-0.5,-1.5}'::float8[], '{-1,1,0}'::float8[], 'cramer_von_mises')).*;
SELECT (d).method, round((d).statistic::numeric, 6), (d).p_value < 0.001 AS tiny_p, (d).drifted
  FROM (SELECT mlobs.drift(array(SELECT sin(i) FROM generate_series(1, 300) i), array(SELECT sin(i) + 0.3 FROM generate_series(1, 200) i), 'cramer_von_mises') d) s;
SELECT (mlobs.drift('{1}'::float8[], '{1,2,3}'::float8[], 'cramer_von_mises')).*;
-- reference_doane binning: leftover bins catch current values outside the reference range.
SELECT (d).method, round((d).statistic::numeric, 6), (d).drifted
  FROM (SELECT mlobs.drift(array(SELECT i::float8 FROM generate_series(1, 500) i), array(SELECT i::float8 + 250 FROM generate_series(1, 500) i),
                           'jensenshannon', options => '{"binning": "reference_doane"}') d) s;
SELECT mlobs.drift('{1,2,3}'::float8[], '{1}'::float8[], 'psi', options => '{"binning": "reference_doane", "bins": 5}');
-- Long computations poll for cancellation: a statement timeout stops a permutation test.
SET statement_timeout = '300ms';
SELECT mlobs.drift(array(SELECT (i * 7919 % 10007)::float8 FROM generate_series(1, 5000) i),
                   array(SELECT (i * 104729 % 10007)::float8 FROM generate_series(1, 5000) i), 'empirical_mmd');
RESET statement_timeout;
SELECT 'still alive' AS after_cancel;
-- The registry, mlobs.drift_methods(): every method runs on exactly the input kinds it lists
-- (binary data, which every method takes) and is refused on the others. No row: all agree.
CREATE FUNCTION pg_temp.drift_runs(m text, kind text) RETURNS bool LANGUAGE plpgsql AS $$
DECLARE
  r float8[] := '{0,1,1,0,1,1,0,1}';
  c float8[] := '{1,1,1,0,1}';
BEGIN
  PERFORM CASE kind
    WHEN 'numeric' THEN mlobs.drift(r, c, m)
    WHEN 'profile' THEN mlobs.drift((SELECT mlobs.profile_agg(x) FROM unnest(r) x), (SELECT mlobs.profile_agg(x) FROM unnest(c) x), m)
    WHEN 'categories' THEN mlobs.drift(r::text[], c::text[], m)
  END;
  RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
  RETURN false;
END $$;
SELECT name, inputs, runs_on
  FROM (SELECT name, inputs,
               array(SELECT kind FROM unnest('{numeric,profile,categories}'::text[]) kind WHERE pg_temp.drift_runs(name, kind)) AS runs_on
          FROM mlobs.drift_methods()) d
 WHERE NOT (runs_on @> inputs AND runs_on <@ inputs);
-- Rows exist, each described and named once, with known input kinds; 'auto' is not a row but
-- runs, an unknown name is refused.
SELECT count(*) > 0 AS has_methods, bool_and(statistic <> '') AS described, count(DISTINCT name) = count(*) AS unique_names,
       bool_and(inputs <@ '{numeric,profile,categories}' AND cardinality(inputs) > 0) AS known_inputs
  FROM mlobs.drift_methods();
SELECT pg_temp.drift_runs('auto', 'numeric') AS auto_runs, pg_temp.drift_runs('nope', 'numeric') AS unknown_runs;
