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
