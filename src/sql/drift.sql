-- Composite results of the drift functions (docs/drift.md).

-- mlobs.drift_result ----------------------------------------------------------------------
CREATE TYPE mlobs.drift_result AS (
  method text,        -- the method that ran ('auto' resolved to the chosen one)
  statistic float8,   -- distance, or the test statistic
  p_value float8,     -- tests only; NULL for distances
  threshold float8,   -- the threshold applied (the method's default unless given)
  drifted bool);      -- the verdict under the method's rule; NULL when undefined
COMMENT ON TYPE mlobs.drift_result IS 'Result of mlobs.drift (see docs/drift.md)';

-- mlobs.threshold_band ---------------------------------------------------------------------
CREATE TYPE mlobs.threshold_band AS (
  lower float8,   -- mean − k·σ, clipped to lower_limit
  upper float8,   -- mean + k·σ, clipped to upper_limit
  mean float8,    -- mean of the metric over the reference windows
  stddev float8); -- population standard deviation (divisor n), as NannyML
COMMENT ON TYPE mlobs.threshold_band IS 'Result of mlobs.learned_threshold (see docs/drift.md)';

-- mlobs.concept_drift_result ---------------------------------------------------------------
CREATE TYPE mlobs.concept_drift_result AS (
  score float8,          -- Σ_b w_b · |ȳ_cur(b) − ȳ_ref(b)| over bins populated on both sides
  covered_share float8,  -- share of current rows in those bins
  bins_compared int);
COMMENT ON TYPE mlobs.concept_drift_result IS 'Result of mlobs.concept_drift (see docs/drift.md)';

-- mlobs.pca_drift_result --------------------------------------------------------------------
CREATE TYPE mlobs.pca_drift_result AS (
  reference_error float8,  -- mean reconstruction error of the reference rows (the baseline)
  current_error float8,    -- mean reconstruction error of the current rows
  components int,          -- principal components kept
  explained_share float8); -- variance share they explain on the reference
COMMENT ON TYPE mlobs.pca_drift_result IS 'Result of mlobs.pca_drift (see docs/drift.md)';

-- mlobs.domain_classifier_result ------------------------------------------------------------
CREATE TYPE mlobs.domain_classifier_result AS (
  auc float8,           -- out-of-bag ROC AUC of reference-vs-current; 0.5 = indistinguishable
  reference_rows int,   -- rows used (after dropping incomplete rows and thinning to 5000)
  current_rows int);
COMMENT ON TYPE mlobs.domain_classifier_result IS 'Result of mlobs.domain_classifier (see docs/drift.md)';

-- mlobs.concept_drift_agg ------------------------------------------------------------------
CREATE FUNCTION mlobs.concept_window_trans(internal, jsonb, float8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_concept_window_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.concept_window_final(internal) RETURNS mlobs.concept_drift_result
  AS 'MODULE_PATHNAME', 'mlobs_concept_window_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- No combine function: one reference per group is checked row by row (parallel-safe: it runs
-- above a Gather, as any aggregate without partial states).
CREATE AGGREGATE mlobs.concept_drift_agg(reference jsonb, x float8, y float8) (
  SFUNC = mlobs.concept_window_trans, STYPE = internal, SSPACE = 256,
  FINALFUNC = mlobs.concept_window_final, FINALFUNC_MODIFY = READ_ONLY, PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.concept_drift_agg(jsonb, float8, float8) IS 'Concept drift of a window''s (feature, target) rows against a stored mlobs.concept_reference, in one pass (see docs/drift.md)';
