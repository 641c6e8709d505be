-- mlobs bootstrap: summary types and aggregates whose support functions are raw C functions.
-- Runs first in the extension script. Every name is schema-qualified.

-- mlobs.profile ---------------------------------------------------------------------------
CREATE TYPE mlobs.profile;
CREATE FUNCTION mlobs.profile_in(cstring) RETURNS mlobs.profile
  AS 'MODULE_PATHNAME', 'mlobs_profile_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.profile_out(mlobs.profile) RETURNS cstring
  AS 'MODULE_PATHNAME', 'mlobs_profile_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.profile_recv(internal) RETURNS mlobs.profile
  AS 'MODULE_PATHNAME', 'mlobs_profile_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.profile_send(mlobs.profile) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_profile_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE mlobs.profile (
  INPUT = mlobs.profile_in, OUTPUT = mlobs.profile_out,
  RECEIVE = mlobs.profile_recv, SEND = mlobs.profile_send,
  INTERNALLENGTH = VARIABLE, STORAGE = extended);
COMMENT ON TYPE mlobs.profile IS
  'Numeric profile: counts (n, NULL, NaN, ±Inf), exact min/max/mean/M2, 1%-relative-error quantile sketch';

CREATE FUNCTION mlobs.profile_trans(internal, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_profile_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.profile_rollup_trans(internal, mlobs.profile) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_profile_rollup_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.profile_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_profile_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.profile_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_profile_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.profile_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_profile_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.profile_final(internal) RETURNS mlobs.profile
  AS 'MODULE_PATHNAME', 'mlobs_profile_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE mlobs.profile_agg(float8) (
  SFUNC = mlobs.profile_trans, STYPE = internal, SSPACE = 4096,
  FINALFUNC = mlobs.profile_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.profile_combine,
  SERIALFUNC = mlobs.profile_serial, DESERIALFUNC = mlobs.profile_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.profile_agg(float8) IS 'Numeric profile of a column (see docs/profile.md)';

CREATE AGGREGATE mlobs.rollup(mlobs.profile) (
  SFUNC = mlobs.profile_rollup_trans, STYPE = internal, SSPACE = 4096,
  FINALFUNC = mlobs.profile_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.profile_combine,
  SERIALFUNC = mlobs.profile_serial, DESERIALFUNC = mlobs.profile_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.rollup(mlobs.profile) IS 'Merges stored profiles';

-- mlobs.histogram -------------------------------------------------------------------------
CREATE TYPE mlobs.histogram;
CREATE FUNCTION mlobs.histogram_in(cstring) RETURNS mlobs.histogram
  AS 'MODULE_PATHNAME', 'mlobs_histogram_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.histogram_out(mlobs.histogram) RETURNS cstring
  AS 'MODULE_PATHNAME', 'mlobs_histogram_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.histogram_recv(internal) RETURNS mlobs.histogram
  AS 'MODULE_PATHNAME', 'mlobs_histogram_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.histogram_send(mlobs.histogram) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_histogram_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE mlobs.histogram (
  INPUT = mlobs.histogram_in, OUTPUT = mlobs.histogram_out,
  RECEIVE = mlobs.histogram_recv, SEND = mlobs.histogram_send,
  INTERNALLENGTH = VARIABLE, STORAGE = extended);
COMMENT ON TYPE mlobs.histogram IS
  'Exact counts on fixed edges with underflow/overflow bins; NULL, NaN, ±Inf counted apart';

CREATE FUNCTION mlobs.histogram_trans(internal, float8, float8[]) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_histogram_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.histogram_rollup_trans(internal, mlobs.histogram) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_histogram_rollup_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.histogram_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_histogram_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.histogram_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_histogram_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.histogram_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_histogram_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.histogram_final(internal) RETURNS mlobs.histogram
  AS 'MODULE_PATHNAME', 'mlobs_histogram_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE mlobs.histogram_agg(float8, float8[]) (
  SFUNC = mlobs.histogram_trans, STYPE = internal, SSPACE = 512,
  FINALFUNC = mlobs.histogram_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.histogram_combine,
  SERIALFUNC = mlobs.histogram_serial, DESERIALFUNC = mlobs.histogram_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.histogram_agg(float8, float8[]) IS 'Exact counts on fixed edges (see docs/profile.md)';

CREATE AGGREGATE mlobs.rollup(mlobs.histogram) (
  SFUNC = mlobs.histogram_rollup_trans, STYPE = internal, SSPACE = 512,
  FINALFUNC = mlobs.histogram_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.histogram_combine,
  SERIALFUNC = mlobs.histogram_serial, DESERIALFUNC = mlobs.histogram_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.rollup(mlobs.histogram) IS 'Merges stored histograms (edges must match)';

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

-- mlobs.categories ------------------------------------------------------------------------
CREATE TYPE mlobs.categories;
CREATE FUNCTION mlobs.categories_in(cstring) RETURNS mlobs.categories
  AS 'MODULE_PATHNAME', 'mlobs_categories_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.categories_out(mlobs.categories) RETURNS cstring
  AS 'MODULE_PATHNAME', 'mlobs_categories_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.categories_recv(internal) RETURNS mlobs.categories
  AS 'MODULE_PATHNAME', 'mlobs_categories_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.categories_send(mlobs.categories) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_categories_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE mlobs.categories (
  INPUT = mlobs.categories_in, OUTPUT = mlobs.categories_out,
  RECEIVE = mlobs.categories_recv, SEND = mlobs.categories_send,
  INTERNALLENGTH = VARIABLE, STORAGE = extended);
COMMENT ON TYPE mlobs.categories IS
  'Category counts: exact up to 10000 categories (the smallest kept, the rest in other_count), NULLs counted';

CREATE FUNCTION mlobs.categories_trans(internal, text) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_categories_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.categories_rollup_trans(internal, mlobs.categories) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_categories_rollup_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.categories_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_categories_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.categories_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_categories_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.categories_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_categories_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.categories_final(internal) RETURNS mlobs.categories
  AS 'MODULE_PATHNAME', 'mlobs_categories_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE mlobs.category_agg(text) (
  SFUNC = mlobs.categories_trans, STYPE = internal, SSPACE = 1024,
  FINALFUNC = mlobs.categories_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.categories_combine,
  SERIALFUNC = mlobs.categories_serial, DESERIALFUNC = mlobs.categories_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.category_agg(text) IS 'Category counts of a text column (see docs/drift.md)';

CREATE AGGREGATE mlobs.rollup(mlobs.categories) (
  SFUNC = mlobs.categories_rollup_trans, STYPE = internal, SSPACE = 1024,
  FINALFUNC = mlobs.categories_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.categories_combine,
  SERIALFUNC = mlobs.categories_serial, DESERIALFUNC = mlobs.categories_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.rollup(mlobs.categories) IS 'Merges stored category counts';

-- mlobs.feature_profiles ------------------------------------------------------------------
CREATE TYPE mlobs.feature_profiles;
CREATE FUNCTION mlobs.feature_profiles_in(cstring) RETURNS mlobs.feature_profiles
  AS 'MODULE_PATHNAME', 'mlobs_feature_profiles_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.feature_profiles_out(mlobs.feature_profiles) RETURNS cstring
  AS 'MODULE_PATHNAME', 'mlobs_feature_profiles_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.feature_profiles_recv(internal) RETURNS mlobs.feature_profiles
  AS 'MODULE_PATHNAME', 'mlobs_feature_profiles_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.feature_profiles_send(mlobs.feature_profiles) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_feature_profiles_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE mlobs.feature_profiles (
  INPUT = mlobs.feature_profiles_in, OUTPUT = mlobs.feature_profiles_out,
  RECEIVE = mlobs.feature_profiles_recv, SEND = mlobs.feature_profiles_send,
  INTERNALLENGTH = VARIABLE, STORAGE = extended);
COMMENT ON TYPE mlobs.feature_profiles IS
  'Per JSON key: numeric profile, category counts, JSON type counts (up to 1000 keys)';

CREATE FUNCTION mlobs.feature_profiles_trans(internal, jsonb) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_feature_profiles_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.feature_profiles_rollup_trans(internal, mlobs.feature_profiles) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_feature_profiles_rollup_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.feature_profiles_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_feature_profiles_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.feature_profiles_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_feature_profiles_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.feature_profiles_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_feature_profiles_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.feature_profiles_final(internal) RETURNS mlobs.feature_profiles
  AS 'MODULE_PATHNAME', 'mlobs_feature_profiles_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE mlobs.features_agg(jsonb) (
  SFUNC = mlobs.feature_profiles_trans, STYPE = internal, SSPACE = 16384,
  FINALFUNC = mlobs.feature_profiles_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.feature_profiles_combine,
  SERIALFUNC = mlobs.feature_profiles_serial, DESERIALFUNC = mlobs.feature_profiles_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.features_agg(jsonb) IS 'Feature profiles of a jsonb payload column, one pass (see docs/drift.md)';

CREATE AGGREGATE mlobs.rollup(mlobs.feature_profiles) (
  SFUNC = mlobs.feature_profiles_rollup_trans, STYPE = internal, SSPACE = 16384,
  FINALFUNC = mlobs.feature_profiles_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.feature_profiles_combine,
  SERIALFUNC = mlobs.feature_profiles_serial, DESERIALFUNC = mlobs.feature_profiles_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.rollup(mlobs.feature_profiles) IS 'Merges stored feature profiles';

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
