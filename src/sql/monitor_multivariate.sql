-- ==== multivariate drift monitors (docs/monitoring.md, kind multivariate_drift) ==================
-- A multivariate_drift monitor watches the joint distribution of `keys` of a jsonb feature column
-- with one of NannyML's two multivariate methods, from stored data only:
--   pca                the reconstruction model (mlobs.pca_fit) is fitted on the reference rows and
--                      kept in the reference summary with NannyML's learned band (mean ± 3σ of the
--                      reference windows' errors, lower end clipped at 0); a window's summary is the
--                      mean reconstruction error of its complete rows, computed in the window scan;
--   domain_classifier  the reference summary and each window's summary keep a bounded sample of
--                      complete rows (mlobs._row_sample_agg); the metric step trains the classifier
--                      on the two samples (mlobs.domain_classifier); drift when AUC >= 0.65, the
--                      upper end of NannyML's band (its lower end, 0.45, is not used: out-of-bag AUCs
--                      of identical windows fall well below 0.5 on windows of a few hundred rows).
-- A row is complete when every key holds a number within float8's range (mlobs.jsonb_floats);
-- other rows are left out, never an error.

-- The bounded sample of rows: the `sample` complete rows with the smallest hash of their values,
-- in hash order, as a float8[][] literal (text: exact whatever extra_float_digits is). Depends on
-- the window's rows only, not on their order or the plan.
CREATE FUNCTION mlobs._row_sample_trans(internal, float8[], int) RETURNS internal
  AS 'MODULE_PATHNAME', 'mlobs_row_sample_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mlobs._row_sample_final(internal) RETURNS text
  AS 'MODULE_PATHNAME', 'mlobs_row_sample_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE mlobs._row_sample_agg(float8[], int) (
  SFUNC = mlobs._row_sample_trans, STYPE = internal,
  FINALFUNC = mlobs._row_sample_final, FINALFUNC_MODIFY = READ_ONLY, PARALLEL = SAFE);

-- Checks a multivariate_drift monitor's config (create_monitor), with messages naming the key.
CREATE FUNCTION mlobs._mv_check_config(name text, config jsonb, reference_from timestamptz, reference_to timestamptz,
                                       window_size interval)
RETURNS void LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  method text;
BEGIN
  IF NOT config ? 'keys' THEN
    RAISE EXCEPTION 'monitor %: config.keys is required for a multivariate_drift monitor: an array of 2 to 500 keys of the features column',
      name USING ERRCODE = '22023';
  END IF;
  IF jsonb_typeof(config->'keys') <> 'array' OR jsonb_array_length(config->'keys') NOT BETWEEN 2 AND 500
     OR EXISTS (SELECT 1 FROM jsonb_array_elements(config->'keys') k WHERE jsonb_typeof(k) <> 'string')
     OR (SELECT count(DISTINCT k) FROM jsonb_array_elements_text(config->'keys') k) <> jsonb_array_length(config->'keys') THEN
    RAISE EXCEPTION 'monitor %: config.keys must be an array of 2 to 500 distinct keys (strings), got %', name, config->'keys'
      USING ERRCODE = '22023';
  END IF;
  IF config ? 'method' AND (jsonb_typeof(config->'method') <> 'string' OR config->>'method' NOT IN ('pca', 'domain_classifier')) THEN
    RAISE EXCEPTION 'monitor %: config.method must be pca or domain_classifier, got %', name, config->'method'
      USING ERRCODE = '22023';
  END IF;
  method := coalesce(config->>'method', 'pca');
  IF config ? 'variance' AND method <> 'pca' OR config ? 'sample' AND method <> 'domain_classifier' THEN
    RAISE EXCEPTION 'monitor %: config.% applies to method %, not %', name,
      CASE WHEN config ? 'variance' AND method <> 'pca' THEN 'variance' ELSE 'sample' END,
      CASE WHEN config ? 'variance' AND method <> 'pca' THEN 'pca' ELSE 'domain_classifier' END, method
      USING ERRCODE = '22023';
  END IF;
  IF config ? 'variance' AND (jsonb_typeof(config->'variance') <> 'number'
                              OR NOT ((config->>'variance')::numeric > 0 AND (config->>'variance')::numeric < 1)) THEN
    RAISE EXCEPTION 'monitor %: config.variance must be a number between 0 and 1 (exclusive), got %', name, config->'variance'
      USING ERRCODE = '22023';
  END IF;
  IF config ? 'sample' AND (jsonb_typeof(config->'sample') <> 'number'
                            OR (config->>'sample')::numeric NOT BETWEEN 10 AND 5000
                            OR (config->>'sample')::numeric % 1 <> 0) THEN
    RAISE EXCEPTION 'monitor %: config.sample must be a whole number of rows from 10 to 5000, got %', name, config->'sample'
      USING ERRCODE = '22023';
  END IF;
  -- The learned band needs the spread of at least two reference windows.
  IF method = 'pca' AND reference_to - reference_from < 2 * window_size THEN
    RAISE EXCEPTION 'monitor %: method pca learns its threshold from the reference windows: the reference [%, %) must span at least 2 windows of %',
      name, reference_from, reference_to, window_size USING ERRCODE = '22023';
  END IF;
END $$;

-- The row of numbers a multivariate_drift monitor reads from each source row.
CREATE FUNCTION mlobs._mv_row_sql(m mlobs.monitors) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format('mlobs.jsonb_floats(%s, %L::text[])', mlobs._monitor_column(m, 'features'),
                ARRAY(SELECT jsonb_array_elements_text(m.config->'keys')))
$$;

-- A multivariate_drift monitor's window summary expression (jsonb text): pca — the mean
-- reconstruction error of the complete rows under the stored model, and their count; domain
-- classifier — the bounded sample of complete rows.
CREATE FUNCTION mlobs._mv_summary_sql(m mlobs.monitors) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  e text;
BEGIN
  IF coalesce(m.config->>'method', 'pca') = 'pca' THEN
    e := format('mlobs.pca_error(%s::jsonb, ARRAY[%s])',
                coalesce(quote_literal(m.reference_summary::jsonb->'model'), 'NULL'), mlobs._mv_row_sql(m));
    -- Summed as numeric (each error to 15 digits, the sum exact): the same summary whatever order
    -- a scan meets the rows in (a shared GROUP BY scan sorts them), as every stored summary is.
    RETURN format('jsonb_build_object(''error'', avg((%1$s)::numeric), ''rows'', count(%1$s))::text', e);
  END IF;
  RETURN format('jsonb_build_object(''sample'', mlobs._row_sample_agg(%s, %s))::text', mlobs._mv_row_sql(m),
                coalesce((m.config->>'sample')::int, 2000));
END $$;

-- A multivariate_drift monitor's reference summary (jsonb text). pca: the model fitted on the
-- reference's complete rows, the mean error of each reference window (the reference period cut
-- into the monitor's windows, as NannyML's reference chunks) and the band learned from them
-- (mean ± 3σ, σ with divisor n, lower end clipped at 0: NannyML's StandardDeviationThreshold for
-- data reconstruction drift); fewer than two windows with complete rows leave the band NULL.
-- domain_classifier: the bounded sample of the reference's complete rows.
CREATE FUNCTION mlobs._mv_reference(m mlobs.monitors) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  model jsonb;
  sample text;
  errors float8[];
  counts bigint[];
  band mlobs.threshold_band;
BEGIN
  IF coalesce(m.config->>'method', 'pca') = 'domain_classifier' THEN
    EXECUTE format('SELECT mlobs._row_sample_agg(%s, %s) FROM %s WHERE %I >= $1 AND %I < $2', mlobs._mv_row_sql(m),
                   coalesce((m.config->>'sample')::int, 2000), m.source, m.ts_column, m.ts_column)
      INTO sample USING m.reference_from, m.reference_to;
    -- Fewer than 10 would fail every window after it (review of 2026-12-07): not stored, so the
    -- next run tries the reference again.
    IF sample IS NULL OR array_length(sample::float8[], 1) < 10 THEN
      RAISE EXCEPTION 'monitor %: the reference window [%, %) has % complete rows (every key a number); the domain classifier needs at least 10',
        m.name, m.reference_from, m.reference_to, coalesce(array_length(sample::float8[], 1), 0) USING ERRCODE = '22023';
    END IF;
    RETURN jsonb_build_object('method', 'domain_classifier', 'sample', sample)::text;
  END IF;
  BEGIN
    EXECUTE format('SELECT mlobs.pca_fit(array_agg(r), $3) FROM (SELECT %s AS r FROM %s WHERE %I >= $1 AND %I < $2) s',
                   mlobs._mv_row_sql(m), m.source, m.ts_column, m.ts_column)
      INTO model USING m.reference_from, m.reference_to, coalesce((m.config->>'variance')::float8, 0.65);
  EXCEPTION WHEN invalid_parameter_value OR numeric_value_out_of_range THEN
    -- pca_fit's message names neither the monitor nor its keys.
    RAISE EXCEPTION 'monitor %: the reference window [%, %) of keys % cannot be fitted: %', m.name, m.reference_from,
      m.reference_to, m.config->'keys', SQLERRM USING ERRCODE = SQLSTATE;
  END;
  IF model IS NULL THEN
    RETURN NULL;  -- no reference rows: _monitor_reference says so
  END IF;
  EXECUTE format('SELECT array_agg(e ORDER BY b), array_agg(n ORDER BY b) FROM (
                    SELECT date_bin($3, %1$I, timestamptz ''2000-01-01 00:00:00+00'') AS b, avg(x) AS e, count(x) AS n
                      FROM (SELECT %1$I, mlobs.pca_error($4, ARRAY[%2$s]) AS x FROM %3$s WHERE %1$I >= $1 AND %1$I < $2) r
                     GROUP BY 1) c WHERE n > 0',
                 m.ts_column, mlobs._mv_row_sql(m), m.source)
    INTO errors, counts USING m.reference_from, m.reference_to, m.window_size, model;
  IF cardinality(errors) >= 2 THEN
    band := mlobs.learned_threshold(errors, 3, lower_limit => 0);
  END IF;
  RETURN jsonb_build_object('method', 'pca', 'model', model, 'reference_errors', errors, 'reference_rows', counts,
                            'lower', band.lower, 'upper', band.upper)::text;
END $$;

-- Metric points of a multivariate_drift window (feature ''). pca: reconstruction_error and the
-- band (reconstruction_error_lower, _upper); multivariate_drift 1 outside the band (NannyML: not
-- lower < value < upper), else 0. domain_classifier: domain_classifier_auc (NULL with fewer than
-- 10 complete rows in the window); multivariate_drift 1 when AUC >= 0.65, else 0. NULL without a
-- value.
CREATE FUNCTION mlobs._mv_metrics(m mlobs.monitors, summary text)
RETURNS TABLE (feature text, metric text, value float8)
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  s jsonb := summary::jsonb;
  r jsonb := m.reference_summary::jsonb;
  v float8;
  lo float8;
  hi float8;
  cur float8[];
BEGIN
  feature := '';
  IF r->>'method' = 'domain_classifier' THEN
    cur := (s->>'sample')::float8[];
    IF array_length(cur, 1) >= 10 THEN
      v := (mlobs.domain_classifier((r->>'sample')::float8[], cur)).auc;
    END IF;
    -- No lower end: an AUC below 0.5 is the out-of-bag estimate's pessimism, not drift.
    lo := '-Infinity'; hi := 0.65;
    metric := 'domain_classifier_auc'; value := v; RETURN NEXT;
  ELSE
    v := (s->>'error')::float8;
    lo := (r->>'lower')::float8; hi := (r->>'upper')::float8;
    metric := 'reconstruction_error'; value := v; RETURN NEXT;
    metric := 'reconstruction_error_lower'; value := lo; RETURN NEXT;
    metric := 'reconstruction_error_upper'; value := hi; RETURN NEXT;
  END IF;
  metric := 'multivariate_drift';
  value := CASE WHEN v IS NULL OR lo IS NULL OR hi IS NULL THEN NULL WHEN lo < v AND v < hi THEN 0 ELSE 1 END;
  RETURN NEXT;
END $$;
