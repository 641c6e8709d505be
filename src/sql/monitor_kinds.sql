-- ==== monitor kinds (docs/monitoring.md) =========================================================
-- One row per monitor kind: what a monitor of that kind reads and when it needs a reference or
-- labels. create_monitor, the column checks and the run read these rows instead of listing kinds;
-- a new kind is a row here, its name in the kind CHECK of mlobs.monitors (pg_regress monitoring
-- checks that the two agree), its summary SQL (_monitor_summary_sql) and its metrics
-- (_monitor_metrics), which are code, not data.
--   columns            source columns it always reads, by config key (default: the key itself)
--   optional_columns   source columns it reads when its config names them
--   options            its other config keys
--   needs_reference    create_monitor requires reference_from < reference_to
--   labelled           its window metrics need labels, which land late (windows within
--                      label_horizon are recomputed when they change)
--   reference_labelled its reference summary needs labels too (recomputed while they land)
--   reference_metrics  its reference summary yields reference metrics (drop_vs_reference rules)
CREATE FUNCTION mlobs._monitor_kinds()
RETURNS TABLE (kind text, columns text[], optional_columns text[], options text[], needs_reference bool,
               labelled bool, reference_labelled bool, reference_metrics bool)
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  -- In the order error messages list them.
  VALUES
    ('feature_drift',    '{features}'::text[],    '{}'::text[],   '{method,categorical_method}'::text[], true, false, false, false),
    ('prediction_drift', '{score}',               '{}',           '{}',                                  true, false, false, false),
    ('quality',          '{features}',            '{}',           '{options}',                           true, false, false, false),
    ('classification',   '{label,predicted}',     '{score}',      '{average}',                           true, true,  true,  true),
    ('regression',       '{target,prediction}',   '{}',           '{}',                                  true, true,  true,  true),
    ('cbpe',             '{score,label}',         '{}',           '{threshold}',                         true, false, true,  false),
    ('latency',          '{latency_ms}',          '{error}',      '{}',                                  false, false, false, true),
    ('multivariate_drift', '{features}',          '{}',           '{keys,method,variance,sample}',       true, false, false, false)
$$;
