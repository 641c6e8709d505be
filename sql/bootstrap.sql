-- mlobs bootstrap: summary types and aggregates whose support functions are raw C functions.
-- Runs first in the extension script. Every name is schema-qualified.

-- CREATE EXTENSION reuses an existing schema named in the control file as it is: one created
-- beforehand by another role would stay that role's (it could add look-alike overloads next to
-- ours, and this script's unqualified references resolve through it). Only a superuser-owned
-- schema is trusted; CREATE EXTENSION creates it owned by the installing superuser.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
                 WHERE n.nspname OPERATOR(pg_catalog.=) 'mlobs' AND r.rolsuper) THEN
    RAISE EXCEPTION 'schema mlobs exists and is not owned by a superuser'
      USING ERRCODE = '42501', HINT = 'Drop it, or ALTER SCHEMA mlobs OWNER TO a superuser, before CREATE EXTENSION mlobs.';
  END IF;
END $$;

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

-- ==== model performance (docs/metrics.md) ====================================================

-- mlobs.confusion -----------------------------------------------------------------------
CREATE TYPE mlobs.confusion;
CREATE FUNCTION mlobs.confusion_in(cstring) RETURNS mlobs.confusion
  AS 'MODULE_PATHNAME', 'mlobs_confusion_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.confusion_out(mlobs.confusion) RETURNS cstring
  AS 'MODULE_PATHNAME', 'mlobs_confusion_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.confusion_recv(internal) RETURNS mlobs.confusion
  AS 'MODULE_PATHNAME', 'mlobs_confusion_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.confusion_send(mlobs.confusion) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_confusion_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE mlobs.confusion (
  INPUT = mlobs.confusion_in, OUTPUT = mlobs.confusion_out,
  RECEIVE = mlobs.confusion_recv, SEND = mlobs.confusion_send,
  INTERNALLENGTH = VARIABLE, STORAGE = extended);
COMMENT ON TYPE mlobs.confusion IS
  'Confusion counts (actual × predicted, summed weights) of int, text or bool labels, up to 1000 classes';
CREATE FUNCTION mlobs.confusion_trans_int(internal, int8, int8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_confusion_trans_int' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.confusion_trans_int_w(internal, int8, int8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_confusion_trans_int_w' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.confusion_trans_text(internal, text, text) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_confusion_trans_text' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.confusion_trans_text_w(internal, text, text, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_confusion_trans_text_w' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.confusion_trans_bool(internal, bool, bool) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_confusion_trans_bool' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.confusion_trans_bool_w(internal, bool, bool, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_confusion_trans_bool_w' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.confusion_rollup_trans(internal, mlobs.confusion) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_confusion_rollup_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.confusion_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_confusion_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.confusion_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_confusion_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.confusion_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_confusion_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.confusion_final(internal) RETURNS mlobs.confusion
  AS 'MODULE_PATHNAME', 'mlobs_confusion_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE mlobs.confusion_agg(int8, int8) (
  SFUNC = mlobs.confusion_trans_int, STYPE = internal, SSPACE = 256,
  FINALFUNC = mlobs.confusion_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.confusion_combine,
  SERIALFUNC = mlobs.confusion_serial, DESERIALFUNC = mlobs.confusion_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.confusion_agg(int8, int8) IS 'Confusion summary of (label, prediction) with int labels (see docs/metrics.md)';
CREATE AGGREGATE mlobs.confusion_agg(int8, int8, float8) (
  SFUNC = mlobs.confusion_trans_int_w, STYPE = internal, SSPACE = 256,
  FINALFUNC = mlobs.confusion_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.confusion_combine,
  SERIALFUNC = mlobs.confusion_serial, DESERIALFUNC = mlobs.confusion_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.confusion_agg(int8, int8, float8) IS 'Confusion summary of (label, prediction, weight) with int labels (see docs/metrics.md)';
CREATE AGGREGATE mlobs.confusion_agg(text, text) (
  SFUNC = mlobs.confusion_trans_text, STYPE = internal, SSPACE = 256,
  FINALFUNC = mlobs.confusion_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.confusion_combine,
  SERIALFUNC = mlobs.confusion_serial, DESERIALFUNC = mlobs.confusion_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.confusion_agg(text, text) IS 'Confusion summary of (label, prediction) with text labels (see docs/metrics.md)';
CREATE AGGREGATE mlobs.confusion_agg(text, text, float8) (
  SFUNC = mlobs.confusion_trans_text_w, STYPE = internal, SSPACE = 256,
  FINALFUNC = mlobs.confusion_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.confusion_combine,
  SERIALFUNC = mlobs.confusion_serial, DESERIALFUNC = mlobs.confusion_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.confusion_agg(text, text, float8) IS 'Confusion summary of (label, prediction, weight) with text labels (see docs/metrics.md)';
CREATE AGGREGATE mlobs.confusion_agg(bool, bool) (
  SFUNC = mlobs.confusion_trans_bool, STYPE = internal, SSPACE = 256,
  FINALFUNC = mlobs.confusion_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.confusion_combine,
  SERIALFUNC = mlobs.confusion_serial, DESERIALFUNC = mlobs.confusion_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.confusion_agg(bool, bool) IS 'Confusion summary of (label, prediction) with bool labels (see docs/metrics.md)';
CREATE AGGREGATE mlobs.confusion_agg(bool, bool, float8) (
  SFUNC = mlobs.confusion_trans_bool_w, STYPE = internal, SSPACE = 256,
  FINALFUNC = mlobs.confusion_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.confusion_combine,
  SERIALFUNC = mlobs.confusion_serial, DESERIALFUNC = mlobs.confusion_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.confusion_agg(bool, bool, float8) IS 'Confusion summary of (label, prediction, weight) with bool labels (see docs/metrics.md)';
CREATE AGGREGATE mlobs.rollup(mlobs.confusion) (
  SFUNC = mlobs.confusion_rollup_trans, STYPE = internal, SSPACE = 256,
  FINALFUNC = mlobs.confusion_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.confusion_combine,
  SERIALFUNC = mlobs.confusion_serial, DESERIALFUNC = mlobs.confusion_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.rollup(mlobs.confusion) IS 'Merges stored confusion summaries';

-- mlobs.score_summary -------------------------------------------------------------------
CREATE TYPE mlobs.score_summary;
CREATE FUNCTION mlobs.score_summary_in(cstring) RETURNS mlobs.score_summary
  AS 'MODULE_PATHNAME', 'mlobs_score_summary_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.score_summary_out(mlobs.score_summary) RETURNS cstring
  AS 'MODULE_PATHNAME', 'mlobs_score_summary_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.score_summary_recv(internal) RETURNS mlobs.score_summary
  AS 'MODULE_PATHNAME', 'mlobs_score_summary_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.score_summary_send(mlobs.score_summary) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_score_summary_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE mlobs.score_summary (
  INPUT = mlobs.score_summary_in, OUTPUT = mlobs.score_summary_out,
  RECEIVE = mlobs.score_summary_recv, SEND = mlobs.score_summary_send,
  INTERNALLENGTH = VARIABLE, STORAGE = extended);
COMMENT ON TYPE mlobs.score_summary IS
  'Per-class score counts on a fine grid over [0,1]: approximate ROC/PR AUC with guaranteed bounds';
CREATE FUNCTION mlobs.score_trans_int(internal, float8, int8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_score_trans_int' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.score_trans_bool(internal, float8, bool) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_score_trans_bool' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.score_trans_int_grid(internal, float8, int8, int4) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_score_trans_int_grid' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.score_trans_bool_grid(internal, float8, bool, int4) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_score_trans_bool_grid' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.score_summary_rollup_trans(internal, mlobs.score_summary) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_score_summary_rollup_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.score_summary_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_score_summary_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.score_summary_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_score_summary_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.score_summary_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_score_summary_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.score_summary_final(internal) RETURNS mlobs.score_summary
  AS 'MODULE_PATHNAME', 'mlobs_score_summary_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE mlobs.score_agg(float8, int8) (
  SFUNC = mlobs.score_trans_int, STYPE = internal, SSPACE = 1024,
  FINALFUNC = mlobs.score_summary_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.score_summary_combine,
  SERIALFUNC = mlobs.score_summary_serial, DESERIALFUNC = mlobs.score_summary_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.score_agg(float8, int8) IS 'Mergeable score summary of (probability, label) (see docs/metrics.md)';
CREATE AGGREGATE mlobs.score_agg(float8, bool) (
  SFUNC = mlobs.score_trans_bool, STYPE = internal, SSPACE = 1024,
  FINALFUNC = mlobs.score_summary_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.score_summary_combine,
  SERIALFUNC = mlobs.score_summary_serial, DESERIALFUNC = mlobs.score_summary_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.score_agg(float8, bool) IS 'Mergeable score summary of (probability, label) (see docs/metrics.md)';
CREATE AGGREGATE mlobs.score_agg(float8, int8, int4) (
  SFUNC = mlobs.score_trans_int_grid, STYPE = internal, SSPACE = 1024,
  FINALFUNC = mlobs.score_summary_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.score_summary_combine,
  SERIALFUNC = mlobs.score_summary_serial, DESERIALFUNC = mlobs.score_summary_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.score_agg(float8, int8, int4) IS 'Mergeable score summary of (probability, label) (see docs/metrics.md)';
CREATE AGGREGATE mlobs.score_agg(float8, bool, int4) (
  SFUNC = mlobs.score_trans_bool_grid, STYPE = internal, SSPACE = 1024,
  FINALFUNC = mlobs.score_summary_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.score_summary_combine,
  SERIALFUNC = mlobs.score_summary_serial, DESERIALFUNC = mlobs.score_summary_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.score_agg(float8, bool, int4) IS 'Mergeable score summary of (probability, label) (see docs/metrics.md)';
CREATE AGGREGATE mlobs.rollup(mlobs.score_summary) (
  SFUNC = mlobs.score_summary_rollup_trans, STYPE = internal, SSPACE = 1024,
  FINALFUNC = mlobs.score_summary_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.score_summary_combine,
  SERIALFUNC = mlobs.score_summary_serial, DESERIALFUNC = mlobs.score_summary_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.rollup(mlobs.score_summary) IS 'Merges stored score summaries (grids must match)';

-- mlobs.regression_summary --------------------------------------------------------------
CREATE TYPE mlobs.regression_summary;
CREATE FUNCTION mlobs.regression_summary_in(cstring) RETURNS mlobs.regression_summary
  AS 'MODULE_PATHNAME', 'mlobs_regression_summary_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.regression_summary_out(mlobs.regression_summary) RETURNS cstring
  AS 'MODULE_PATHNAME', 'mlobs_regression_summary_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.regression_summary_recv(internal) RETURNS mlobs.regression_summary
  AS 'MODULE_PATHNAME', 'mlobs_regression_summary_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.regression_summary_send(mlobs.regression_summary) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_regression_summary_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE mlobs.regression_summary (
  INPUT = mlobs.regression_summary_in, OUTPUT = mlobs.regression_summary_out,
  RECEIVE = mlobs.regression_summary_recv, SEND = mlobs.regression_summary_send,
  INTERNALLENGTH = VARIABLE, STORAGE = extended);
COMMENT ON TYPE mlobs.regression_summary IS
  'Regression errors: exact moments (Chan-merged), absolute/percentage sums, max, and a 1%-relative sketch of |error|';
CREATE FUNCTION mlobs.regression_trans(internal, float8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_regression_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.regression_summary_rollup_trans(internal, mlobs.regression_summary) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_regression_summary_rollup_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.regression_summary_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_regression_summary_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.regression_summary_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_regression_summary_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.regression_summary_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_regression_summary_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.regression_summary_final(internal) RETURNS mlobs.regression_summary
  AS 'MODULE_PATHNAME', 'mlobs_regression_summary_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE mlobs.regression_agg(float8, float8) (
  SFUNC = mlobs.regression_trans, STYPE = internal, SSPACE = 4096,
  FINALFUNC = mlobs.regression_summary_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.regression_summary_combine,
  SERIALFUNC = mlobs.regression_summary_serial, DESERIALFUNC = mlobs.regression_summary_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.regression_agg(float8, float8) IS 'Regression summary of (target, prediction) (see docs/metrics.md)';
CREATE AGGREGATE mlobs.rollup(mlobs.regression_summary) (
  SFUNC = mlobs.regression_summary_rollup_trans, STYPE = internal, SSPACE = 4096,
  FINALFUNC = mlobs.regression_summary_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.regression_summary_combine,
  SERIALFUNC = mlobs.regression_summary_serial, DESERIALFUNC = mlobs.regression_summary_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.rollup(mlobs.regression_summary) IS 'Merges stored regression summaries';

-- exact ranking aggregates (state: every score) ------------------------------------------------
CREATE FUNCTION mlobs.ranking_trans_int(internal, float8, int8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_ranking_trans_int' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.ranking_trans_bool(internal, float8, bool) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_ranking_trans_bool' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.ranking_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_ranking_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.ranking_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_ranking_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.ranking_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_ranking_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.roc_auc_final(internal) RETURNS float8
  AS 'MODULE_PATHNAME', 'mlobs_roc_auc_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.pr_auc_final(internal) RETURNS float8
  AS 'MODULE_PATHNAME', 'mlobs_pr_auc_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.ece_final(internal) RETURNS float8
  AS 'MODULE_PATHNAME', 'mlobs_ece_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE mlobs.roc_auc_agg(float8, int8) (
  SFUNC = mlobs.ranking_trans_int, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.roc_auc_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ranking_combine,
  SERIALFUNC = mlobs.ranking_serial, DESERIALFUNC = mlobs.ranking_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.roc_auc_agg(float8, int8) IS 'Exact ROC AUC of (score, label), ties count 1/2 (scikit-learn)';
CREATE AGGREGATE mlobs.pr_auc_agg(float8, int8) (
  SFUNC = mlobs.ranking_trans_int, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.pr_auc_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ranking_combine,
  SERIALFUNC = mlobs.ranking_serial, DESERIALFUNC = mlobs.ranking_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.pr_auc_agg(float8, int8) IS 'Exact average precision of (score, label) (scikit-learn)';
CREATE AGGREGATE mlobs.ece_agg(float8, int8) (
  SFUNC = mlobs.ranking_trans_int, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.ece_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ranking_combine,
  SERIALFUNC = mlobs.ranking_serial, DESERIALFUNC = mlobs.ranking_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.ece_agg(float8, int8) IS 'Expected calibration error on 10 equal-count bins (scikit-learn calibration_curve quantile bins)';
CREATE AGGREGATE mlobs.roc_auc_agg(float8, bool) (
  SFUNC = mlobs.ranking_trans_bool, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.roc_auc_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ranking_combine,
  SERIALFUNC = mlobs.ranking_serial, DESERIALFUNC = mlobs.ranking_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.roc_auc_agg(float8, bool) IS 'Exact ROC AUC of (score, label), ties count 1/2 (scikit-learn)';
CREATE AGGREGATE mlobs.pr_auc_agg(float8, bool) (
  SFUNC = mlobs.ranking_trans_bool, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.pr_auc_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ranking_combine,
  SERIALFUNC = mlobs.ranking_serial, DESERIALFUNC = mlobs.ranking_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.pr_auc_agg(float8, bool) IS 'Exact average precision of (score, label) (scikit-learn)';
CREATE AGGREGATE mlobs.ece_agg(float8, bool) (
  SFUNC = mlobs.ranking_trans_bool, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.ece_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ranking_combine,
  SERIALFUNC = mlobs.ranking_serial, DESERIALFUNC = mlobs.ranking_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.ece_agg(float8, bool) IS 'Expected calibration error on 10 equal-count bins (scikit-learn calibration_curve quantile bins)';
CREATE FUNCTION mlobs.ovr_trans(internal, float8[], int8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_ovr_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.ovr_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_ovr_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.ovr_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_ovr_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.ovr_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_ovr_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.ovr_auc_final(internal) RETURNS float8
  AS 'MODULE_PATHNAME', 'mlobs_ovr_auc_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE mlobs.roc_auc_ovr_agg(float8[], int8) (
  SFUNC = mlobs.ovr_trans, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.ovr_auc_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ovr_combine,
  SERIALFUNC = mlobs.ovr_serial, DESERIALFUNC = mlobs.ovr_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.roc_auc_ovr_agg(float8[], int8) IS 'Exact multiclass ROC AUC, one-vs-rest, macro average (scikit-learn)';

-- probabilistic losses ---------------------------------------------------------------------------
CREATE FUNCTION mlobs.log_loss_trans_int(internal, float8, int8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_log_loss_trans_int' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.log_loss_trans_bool(internal, float8, bool) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_log_loss_trans_bool' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.log_loss_trans_array(internal, float8[], int8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_log_loss_trans_array' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.brier_trans_int(internal, float8, int8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_brier_trans_int' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.brier_trans_bool(internal, float8, bool) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_brier_trans_bool' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.brier_trans_array(internal, float8[], int8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_brier_trans_array' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.loss_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_loss_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.loss_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_loss_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.loss_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_loss_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.loss_final(internal) RETURNS float8
  AS 'MODULE_PATHNAME', 'mlobs_loss_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE mlobs.log_loss_agg(float8, int8) (
  SFUNC = mlobs.log_loss_trans_int, STYPE = internal, SSPACE = 64,
  FINALFUNC = mlobs.loss_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.loss_combine,
  SERIALFUNC = mlobs.loss_serial, DESERIALFUNC = mlobs.loss_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.log_loss_agg(float8, int8) IS 'Log loss (scikit-learn, probabilities clipped to [eps, 1-eps])';
CREATE AGGREGATE mlobs.log_loss_agg(float8, bool) (
  SFUNC = mlobs.log_loss_trans_bool, STYPE = internal, SSPACE = 64,
  FINALFUNC = mlobs.loss_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.loss_combine,
  SERIALFUNC = mlobs.loss_serial, DESERIALFUNC = mlobs.loss_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.log_loss_agg(float8, bool) IS 'Log loss (scikit-learn, probabilities clipped to [eps, 1-eps])';
CREATE AGGREGATE mlobs.log_loss_agg(float8[], int8) (
  SFUNC = mlobs.log_loss_trans_array, STYPE = internal, SSPACE = 64,
  FINALFUNC = mlobs.loss_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.loss_combine,
  SERIALFUNC = mlobs.loss_serial, DESERIALFUNC = mlobs.loss_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.log_loss_agg(float8[], int8) IS 'Log loss (scikit-learn, probabilities clipped to [eps, 1-eps])';
CREATE AGGREGATE mlobs.brier_agg(float8, int8) (
  SFUNC = mlobs.brier_trans_int, STYPE = internal, SSPACE = 64,
  FINALFUNC = mlobs.loss_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.loss_combine,
  SERIALFUNC = mlobs.loss_serial, DESERIALFUNC = mlobs.loss_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.brier_agg(float8, int8) IS 'Brier score (scikit-learn; multiclass sums over classes)';
CREATE AGGREGATE mlobs.brier_agg(float8, bool) (
  SFUNC = mlobs.brier_trans_bool, STYPE = internal, SSPACE = 64,
  FINALFUNC = mlobs.loss_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.loss_combine,
  SERIALFUNC = mlobs.loss_serial, DESERIALFUNC = mlobs.loss_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.brier_agg(float8, bool) IS 'Brier score (scikit-learn; multiclass sums over classes)';
CREATE AGGREGATE mlobs.brier_agg(float8[], int8) (
  SFUNC = mlobs.brier_trans_array, STYPE = internal, SSPACE = 64,
  FINALFUNC = mlobs.loss_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.loss_combine,
  SERIALFUNC = mlobs.loss_serial, DESERIALFUNC = mlobs.loss_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.brier_agg(float8[], int8) IS 'Brier score (scikit-learn; multiclass sums over classes)';

-- mlobs.calibration ---------------------------------------------------------------------
CREATE TYPE mlobs.calibration;
CREATE FUNCTION mlobs.calibration_in(cstring) RETURNS mlobs.calibration
  AS 'MODULE_PATHNAME', 'mlobs_calibration_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.calibration_out(mlobs.calibration) RETURNS cstring
  AS 'MODULE_PATHNAME', 'mlobs_calibration_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.calibration_recv(internal) RETURNS mlobs.calibration
  AS 'MODULE_PATHNAME', 'mlobs_calibration_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.calibration_send(mlobs.calibration) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_calibration_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE mlobs.calibration (
  INPUT = mlobs.calibration_in, OUTPUT = mlobs.calibration_out,
  RECEIVE = mlobs.calibration_recv, SEND = mlobs.calibration_send,
  INTERNALLENGTH = VARIABLE, STORAGE = extended);
COMMENT ON TYPE mlobs.calibration IS
  'Isotonic calibration map fitted on a labelled reference window (scikit-learn IsotonicRegression, clip)';
CREATE FUNCTION mlobs.calibration_fit(internal) RETURNS mlobs.calibration
  AS 'MODULE_PATHNAME', 'mlobs_calibration_fit' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE mlobs.calibration_agg(float8, int8) (
  SFUNC = mlobs.ranking_trans_int, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.calibration_fit, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ranking_combine,
  SERIALFUNC = mlobs.ranking_serial, DESERIALFUNC = mlobs.ranking_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.calibration_agg(float8, int8) IS 'Fits an isotonic calibration map on (score, label) (see docs/metrics.md, CBPE)';
CREATE AGGREGATE mlobs.calibration_agg(float8, bool) (
  SFUNC = mlobs.ranking_trans_bool, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.calibration_fit, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.ranking_combine,
  SERIALFUNC = mlobs.ranking_serial, DESERIALFUNC = mlobs.ranking_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.calibration_agg(float8, bool) IS 'Fits an isotonic calibration map on (score, label) (see docs/metrics.md, CBPE)';
CREATE FUNCTION mlobs.cbpe_trans(internal, float8, mlobs.calibration) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_cbpe_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.cbpe_trans_threshold(internal, float8, mlobs.calibration, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_cbpe_trans_threshold' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE mlobs.cbpe_agg(float8, mlobs.calibration) (
  SFUNC = mlobs.cbpe_trans, STYPE = internal, SSPACE = 256,
  FINALFUNC = mlobs.confusion_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.confusion_combine,
  SERIALFUNC = mlobs.confusion_serial, DESERIALFUNC = mlobs.confusion_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.cbpe_agg(float8, mlobs.calibration) IS 'CBPE: expected confusion matrix of unlabelled scores, predicted label = score >= 0.5';
CREATE AGGREGATE mlobs.cbpe_agg(float8, mlobs.calibration, float8) (
  SFUNC = mlobs.cbpe_trans_threshold, STYPE = internal, SSPACE = 256,
  FINALFUNC = mlobs.confusion_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.confusion_combine,
  SERIALFUNC = mlobs.confusion_serial, DESERIALFUNC = mlobs.confusion_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.cbpe_agg(float8, mlobs.calibration, float8) IS 'CBPE: expected confusion matrix, predicted label = score >= threshold';
CREATE FUNCTION mlobs.cbpe_auc_trans(internal, float8, mlobs.calibration) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_cbpe_auc_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.probability_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_probability_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.probability_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_probability_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.probability_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_probability_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.cbpe_auc_final(internal) RETURNS float8
  AS 'MODULE_PATHNAME', 'mlobs_cbpe_auc_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE mlobs.cbpe_roc_auc_agg(float8, mlobs.calibration) (
  SFUNC = mlobs.cbpe_auc_trans, STYPE = internal, SSPACE = 65536,
  FINALFUNC = mlobs.cbpe_auc_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.probability_combine,
  SERIALFUNC = mlobs.probability_serial, DESERIALFUNC = mlobs.probability_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.cbpe_roc_auc_agg(float8, mlobs.calibration) IS 'CBPE: expected ROC AUC of unlabelled scores';

-- ==== data quality (docs/quality.md) ==========================================================
CREATE TYPE mlobs.fences AS (
  lower float8,   -- values below are outliers
  upper float8);  -- values above are outliers
COMMENT ON TYPE mlobs.fences IS 'Result of mlobs.outlier_fences (see docs/quality.md)';

CREATE FUNCTION mlobs.outlier_count_trans(int8, float8, float8, float8) RETURNS int8
  AS 'MODULE_PATHNAME', 'mlobs_outlier_count_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE mlobs.outlier_count_agg(float8, float8, float8) (
  SFUNC = mlobs.outlier_count_trans, STYPE = int8,
  COMBINEFUNC = pg_catalog.int8pl, PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.outlier_count_agg(float8, float8, float8) IS
  'Exact count of values below lower or above upper (NULLs skipped, NaN never an outlier)';

CREATE FUNCTION mlobs.violations_trans(internal, jsonb, jsonb) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_violations_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.violations_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_violations_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.violations_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_violations_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.violations_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_violations_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.violations_final(internal) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'mlobs_violations_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE mlobs.schema_violations_agg(jsonb, jsonb) (
  SFUNC = mlobs.violations_trans, STYPE = internal, SSPACE = 1024,
  FINALFUNC = mlobs.violations_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.violations_combine,
  SERIALFUNC = mlobs.violations_serial, DESERIALFUNC = mlobs.violations_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.schema_violations_agg(jsonb, jsonb) IS
  'Violation counts by kind and key of payloads against a schema (see docs/quality.md)';

-- ==== models (docs/models.md) =================================================================
CREATE TABLE mlobs.models (
  name text NOT NULL,
  version int NOT NULL,
  format text NOT NULL CHECK (format IN ('xgboost', 'lightgbm', 'sklearn', 'linear')),
  body jsonb NOT NULL,
  feature_names text[],
  n_features int NOT NULL,
  objective text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  metadata jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (name, version));
COMMENT ON TABLE mlobs.models IS 'Registered models; one row per version (mlobs.register_model)';
-- Registered models are user data: pg_dump keeps them.
SELECT pg_catalog.pg_extension_config_dump('mlobs.models', '');

-- shap_importance_agg: mean |SHAP| per feature. The transitions read mlobs.models (STABLE);
-- reading a table is allowed in parallel workers, so the aggregate is PARALLEL SAFE.
CREATE FUNCTION mlobs.shap_importance_trans(internal, text, float8[]) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_shap_importance_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.shap_importance_trans(internal, text, jsonb) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_shap_importance_json_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.shap_importance_trans(internal, text, float8[], int) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_shap_importance_class_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.shap_importance_trans(internal, text, jsonb, int) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_shap_importance_json_class_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.shap_importance_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_shap_importance_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs.shap_importance_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME', 'mlobs_shap_importance_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.shap_importance_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_shap_importance_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mlobs.shap_importance_final(internal) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'mlobs_shap_importance_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE mlobs.shap_importance_agg(text, float8[]) (
  SFUNC = mlobs.shap_importance_trans, STYPE = internal, SSPACE = 1024,
  FINALFUNC = mlobs.shap_importance_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.shap_importance_combine,
  SERIALFUNC = mlobs.shap_importance_serial, DESERIALFUNC = mlobs.shap_importance_deserial,
  PARALLEL = SAFE);
CREATE AGGREGATE mlobs.shap_importance_agg(text, jsonb) (
  SFUNC = mlobs.shap_importance_trans, STYPE = internal, SSPACE = 1024,
  FINALFUNC = mlobs.shap_importance_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.shap_importance_combine,
  SERIALFUNC = mlobs.shap_importance_serial, DESERIALFUNC = mlobs.shap_importance_deserial,
  PARALLEL = SAFE);
CREATE AGGREGATE mlobs.shap_importance_agg(text, float8[], int) (
  SFUNC = mlobs.shap_importance_trans, STYPE = internal, SSPACE = 1024,
  FINALFUNC = mlobs.shap_importance_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.shap_importance_combine,
  SERIALFUNC = mlobs.shap_importance_serial, DESERIALFUNC = mlobs.shap_importance_deserial,
  PARALLEL = SAFE);
CREATE AGGREGATE mlobs.shap_importance_agg(text, jsonb, int) (
  SFUNC = mlobs.shap_importance_trans, STYPE = internal, SSPACE = 1024,
  FINALFUNC = mlobs.shap_importance_final, FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = mlobs.shap_importance_combine,
  SERIALFUNC = mlobs.shap_importance_serial, DESERIALFUNC = mlobs.shap_importance_deserial,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE mlobs.shap_importance_agg(text, float8[]) IS
  'Mean |SHAP| per feature of a registered model over the rows, as jsonb (see docs/models.md)';
