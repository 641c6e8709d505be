-- ==== reports (docs/reports.md) =================================================================
-- mlobs.report: one self-contained HTML document about a model (or a monitor's model) over a period, for a ticket or an
-- investigation: its alerts, drift per feature over time against the rule thresholds, data
-- quality, realised and estimated performance with label coverage, and, where the caller may
-- read the log itself, reference-against-current distributions of the drifted features, the
-- confusion matrix, the calibration curve and SHAP importance with its drift. It runs as the
-- caller: an mlobs_reader gets what the metric points and alerts show; reading the log needs
-- the log's own SELECT privilege, never mlobs'. The HTML is laid out by crates/mlobs-report.

-- The points of one series as [[epoch seconds, value], ...] (NaN and ±Infinity as gaps).
CREATE FUNCTION mlobs._report_points(monitor_id bigint, feature text, metric text, "from" timestamptz, "to" timestamptz)
RETURNS jsonb LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_array(extract(epoch FROM p.ts),
                                              CASE WHEN p.value IN ('NaN', 'Infinity', '-Infinity') THEN NULL ELSE p.value END)
                            ORDER BY p.ts), '[]')
    FROM mlobs.metric_points p
   WHERE p.monitor_id = _report_points.monitor_id AND p.feature = _report_points.feature AND p.metric = _report_points.metric
     AND p.segment = '' AND p.ts > "from" AND p.ts <= "to"
$$;

-- A bin edge for a chart label: three significant digits.
CREATE FUNCTION mlobs._report_num(x float8) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN x = 0 THEN '0' WHEN abs(x) >= 1e15 OR abs(x) < 1e-6 THEN to_char(x, '9.99EEEE')
              ELSE round(x::numeric, greatest(0, 2 - floor(log(abs(x)::numeric))::int))::text END
$$;

-- Reference-against-current shares of one feature of a jsonb features column: ten bins between
-- the reference deciles for numbers, the ten most frequent reference categories and (other)
-- for the rest. Runs as the caller, on the log.
CREATE FUNCTION mlobs._report_distribution(source regclass, features_column text, ts_column text, feature text,
                                          ref_from timestamptz, ref_to timestamptz, "from" timestamptz, "to" timestamptz)
RETURNS jsonb LANGUAGE plpgsql STABLE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  val text := format('(%I -> %L)', features_column, feature);
  in_ref text := format('%I >= %L AND %I < %L', ts_column, ref_from, ts_column, ref_to);
  in_cur text := format('%I >= %L AND %I < %L', ts_column, "from", ts_column, "to");
  numeric_feature bool;
  edges float8[];
  res jsonb;
BEGIN
  EXECUTE format('SELECT bool_and(jsonb_typeof(%s) = ''number'') FROM (SELECT %s FROM %s WHERE %s AND %s IS NOT NULL LIMIT 1000) x',
                 'x.v', val || ' AS v', source, in_ref, val) INTO numeric_feature;
  IF numeric_feature IS NULL THEN
    RETURN NULL;
  END IF;
  IF numeric_feature THEN
    EXECUTE format('SELECT array_agg(DISTINCT e ORDER BY e) FROM unnest((SELECT percentile_cont(ARRAY[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9])
                      WITHIN GROUP (ORDER BY (%s)::float8) FROM %s WHERE %s AND jsonb_typeof(%s) = ''number'')) e',
                   val, source, in_ref, val) INTO edges;
    IF edges IS NULL THEN
      RETURN NULL;
    END IF;
    EXECUTE format(
      'WITH v AS (SELECT %s AS ref, width_bucket((%s)::float8, $1) AS b FROM %s
                   WHERE (%s OR %s) AND jsonb_typeof(%s) = ''number''),
            s AS (SELECT b, count(*) FILTER (WHERE ref)::float8 / nullif(sum(count(*) FILTER (WHERE ref)) OVER (), 0) AS r,
                         count(*) FILTER (WHERE NOT ref)::float8 / nullif(sum(count(*) FILTER (WHERE NOT ref)) OVER (), 0) AS c
                    FROM v GROUP BY b)
       SELECT jsonb_build_object(''labels'', jsonb_agg(CASE WHEN g = 0 THEN ''<'' || mlobs._report_num($1[1])
                                                           WHEN g = cardinality($1) THEN ''≥'' || mlobs._report_num($1[g])
                                                           ELSE mlobs._report_num($1[g]) || ''–'' || mlobs._report_num($1[g + 1]) END ORDER BY g),
                                 ''reference'', jsonb_agg(coalesce(s.r, 0) ORDER BY g), ''current'', jsonb_agg(coalesce(s.c, 0) ORDER BY g))
         FROM generate_series(0, cardinality($1)) g LEFT JOIN s ON s.b = g',
      in_ref, val, source, in_ref, in_cur, val) INTO res USING edges;
  ELSE
    EXECUTE format(
      'WITH v AS (SELECT %s AS ref, %s #>> ''{}'' AS k FROM %s WHERE (%s OR %s) AND %s IS NOT NULL),
            top AS (SELECT k FROM v WHERE ref GROUP BY k ORDER BY count(*) DESC, k LIMIT 10),
            s AS (SELECT CASE WHEN k IN (SELECT k FROM top) THEN k ELSE ''(other)'' END AS g,
                         count(*) FILTER (WHERE ref)::float8 AS r, count(*) FILTER (WHERE NOT ref)::float8 AS c FROM v GROUP BY 1)
       SELECT jsonb_build_object(''labels'', jsonb_agg(g ORDER BY g = ''(other)'', r DESC, g),
                                 ''reference'', jsonb_agg(rs ORDER BY g = ''(other)'', r DESC, g),
                                 ''current'', jsonb_agg(cs ORDER BY g = ''(other)'', r DESC, g))
         FROM (SELECT g, r, coalesce(r / nullif(sum(r) OVER (), 0), 0) AS rs, coalesce(c / nullif(sum(c) OVER (), 0), 0) AS cs
                 FROM (SELECT g, sum(r) AS r, sum(c) AS c FROM s GROUP BY g) s2) s3',
      in_ref, val, source, in_ref, in_cur, val) INTO res;
  END IF;
  RETURN res || jsonb_build_object('feature', feature);
END $$;

-- For mlobs.report: an instant as a timestamptz literal of a query's text (ISO 8601 with its
-- offset: read back the same whatever the DateStyle and TimeZone).
CREATE FUNCTION mlobs._report_instant(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT pg_catalog.quote_literal(pg_catalog.to_jsonb(t) #>> '{}') || '::timestamptz'
$$;

-- For mlobs.report: the role to read a monitor's log as, NULL when none may. The monitor's owner
-- when the caller may act as it (is it or a member of it; superusers are): mlobs._report_read
-- then runs the owner's code (a view's functions, a type's cast, an index expression) as the
-- owner in a security-restricted operation, which cannot take back the caller's rights (and when
-- the owner may not read the log, the section says so: the owner can revoke its own SELECT, or
-- hold column privileges only, to send a superuser down the next path). Else the caller, when it
-- may read the source, the source (a table, plain or partitioned, with every partition and child
-- a table) and everything below it is owned by the caller or by a superuser, and every column
-- read has a built-in type: reading a table runs its owner's code as the reader (an index
-- expression the planner folds), and a column's type its owner's cast (label::text).
CREATE FUNCTION mlobs._report_read_role(owner regrole, source regclass, columns text[]) RETURNS oid
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  WITH RECURSIVE tree(rel) AS (SELECT source::oid UNION SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.rel)
  SELECT CASE WHEN pg_has_role(current_user, owner, 'MEMBER') THEN owner::oid
              WHEN has_table_privilege(source, 'SELECT')
                   AND NOT EXISTS (SELECT FROM tree t JOIN pg_class c ON c.oid = t.rel LEFT JOIN pg_roles r ON r.oid = c.relowner
                                    WHERE c.relkind NOT IN ('r', 'p')
                                       OR NOT (c.relowner = to_regrole(quote_ident(current_user))::oid
                                               OR coalesce(r.rolsuper, false)))
                   AND (SELECT count(*) FROM pg_attribute a
                         WHERE a.attrelid = source AND a.attname = ANY (columns) AND a.attnum > 0 AND NOT a.attisdropped
                           AND a.atttypid < 16384)  -- FirstNormalObjectId: made by initdb, owned by the bootstrap superuser
                       = (SELECT count(DISTINCT c) FROM unnest(columns) c WHERE c IS NOT NULL)
              THEN to_regrole(quote_ident(current_user))::oid END
$$;

-- For mlobs.report: the jsonb value (column v) of one query over a monitor's log, read as
-- read_as (mlobs._report_read_role): directly when that is the caller, else as the owner in a
-- security-restricted operation (mlobs._report_query_as).
CREATE FUNCTION mlobs._report_read(read_as oid, query text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  res jsonb;
BEGIN
  IF read_as = to_regrole(quote_ident(current_user))::oid THEN
    EXECUTE format('SELECT q.v FROM (%s) q', query) INTO res;
  ELSE
    res := convert_from(mlobs._report_query_as(read_as, convert_to(format('SELECT convert_to(q.v::text, ''UTF8'') FROM (%s) q', query),
                                                                   current_setting('server_encoding'))),
                        'UTF8')::jsonb;
  END IF;
  RETURN res;
END $$;

-- For mlobs.report: why a monitor's log is not read, when _report_read_role gave no role.
CREATE FUNCTION mlobs._report_unread_note(what text, source regclass, owner regrole) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = source)
              THEN format('%s are not drawn: the monitor''s source (OID %s) no longer exists.', what, source::oid)
              ELSE format('%s need the role of the monitor''s owner %s, or SELECT on %s as %s on a table that %s or a superuser '
                          'owns, whose columns read have built-in types.', what, owner, source, current_user, current_user) END
$$;

CREATE FUNCTION mlobs.report(model text, "from" timestamptz DEFAULT pg_catalog.now() - interval '7 days',
                             "to" timestamptz DEFAULT pg_catalog.now())
RETURNS text LANGUAGE plpgsql STABLE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  d jsonb;
  drift jsonb := '[]';
  perf jsonb := '[]';
  notes text[] := '{}';
  dists jsonb := '[]';
  dist jsonb;
  r record;
  mon record;
  cls record;
  omitted bigint;
  conf jsonb;
  cal jsonb;
  shap_cur jsonb;
  shap_ref jsonb;
  max_charts CONSTANT int := 40;
  lbl text := model;
  saved_zone text := current_setting('TimeZone');
  read_as oid;
  shap jsonb;
  -- The period as literals of the queries that read the log (mlobs._report_read).
  from_at text := mlobs._report_instant("from");
  to_at text := mlobs._report_instant("to");
BEGIN
  IF model IS NULL OR "from" IS NULL OR "to" IS NULL THEN
    RAISE EXCEPTION 'model, from and to must not be NULL' USING ERRCODE = '22004';
  END IF;
  IF NOT isfinite("from") OR NOT isfinite("to") OR "from" >= "to" THEN
    RAISE EXCEPTION 'from must be before to, both finite, got % and %', "from", "to" USING ERRCODE = '22023';
  END IF;
  -- A model label, or a monitor's name (then the report is on that monitor's model).
  IF NOT EXISTS (SELECT 1 FROM mlobs.monitors mo WHERE mo.model = lbl) THEN
    SELECT mo.model INTO lbl FROM mlobs.monitors mo WHERE mo.name = report.model;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'no monitor reports on model "%", and no monitor has that name', model USING ERRCODE = '42704',
        HINT = 'Give the label monitors were created with (mlobs.monitors.model) or a monitor''s name.';
    END IF;
  END IF;
  -- Drift: the share of drifted features, then each feature's drift metric, most drifted first.
  FOR r IN SELECT mo.id, mo.name, p.feature, p.metric, max(p.value) FILTER (WHERE p.value < 'Infinity') AS top
             FROM mlobs.metric_points p JOIN mlobs.monitors mo ON mo.id = p.monitor_id
            WHERE p.model = lbl AND mo.kind IN ('feature_drift', 'prediction_drift', 'multivariate_drift')
              AND p.segment = '' AND p.ts > "from" AND p.ts <= "to"
              AND p.metric NOT IN ('rows', 'drifted_features', 'mean', 'reconstruction_error_lower', 'reconstruction_error_upper')
            GROUP BY mo.id, mo.name, p.feature, p.metric
            ORDER BY p.metric <> 'drift_share', p.metric <> 'multivariate_drift', top DESC NULLS LAST, p.feature, mo.id LOOP
    IF jsonb_array_length(drift) >= max_charts THEN
      omitted := coalesce(omitted, 0) + 1;
      CONTINUE;
    END IF;
    drift := drift || jsonb_build_object(
      'title', CASE WHEN r.feature = '' THEN r.metric ELSE r.feature || ': ' || r.metric END || ' (monitor ' || r.name || ')',
      'unit', r.metric,
      'threshold', (SELECT min(ru.threshold) FROM mlobs.alert_rules ru
                     WHERE ru.enabled AND ru.metric = r.metric AND ru.mode = 'value' AND ru.comparison IN ('>', '>=')
                       AND (ru.feature IS NULL OR ru.feature = r.feature) AND (ru.model IS NULL OR ru.model = lbl)),
      'lines', jsonb_build_array(jsonb_build_object('name', coalesce(nullif(r.feature, ''), r.metric),
                                                    'points', mlobs._report_points(r.id, r.feature, r.metric, "from", "to"))));
  END LOOP;
  -- Performance: realised against estimated (CBPE), then the other metrics and label coverage.
  FOR r IN SELECT x.title, x.metrics FROM (VALUES (1, 'accuracy', ARRAY['accuracy', 'cbpe_accuracy']), (2, 'F1', ARRAY['f1', 'cbpe_f1']),
                                                  (3, 'ROC AUC', ARRAY['roc_auc']), (4, 'RMSE', ARRAY['rmse']), (5, 'MAE', ARRAY['mae']),
                                                  (6, 'label coverage (share of rows with a label)', ARRAY['labelled_share']),
                                                  (7, 'concept drift score', ARRAY['concept_drift_score'])) x(k, title, metrics)
            ORDER BY x.k LOOP
    SELECT jsonb_agg(jsonb_build_object('name', CASE WHEN s.metric LIKE 'cbpe_%' THEN 'estimated (CBPE, ' || s.name || ')'
                                                     ELSE 'realised (' || s.name || ')' END,
                                        'dashed', s.metric LIKE 'cbpe_%',
                                        'points', mlobs._report_points(s.id, s.feature, s.metric, "from", "to"))
                     ORDER BY s.metric LIKE 'cbpe_%', s.id)
      INTO dist
      FROM (SELECT DISTINCT mo.id, mo.name, p.feature, p.metric FROM mlobs.metric_points p JOIN mlobs.monitors mo ON mo.id = p.monitor_id
             WHERE p.model = lbl AND p.metric = ANY (r.metrics) AND p.segment = '' AND p.ts > "from" AND p.ts <= "to") s;
    IF dist IS NOT NULL THEN
      perf := perf || jsonb_build_object('title', r.title, 'unit', r.metrics[1], 'lines', dist);
    END IF;
  END LOOP;
  -- Distributions, confusion, calibration and SHAP read the log: only where the caller may, and
  -- never running another role's code with the caller's rights. Any admin may label a monitor
  -- with any model, and a view's functions, a row security policy, a type's cast or an index
  -- expression run as the role that reads the log: a caller who may act as the owner reads as the
  -- owner in a security-restricted operation, else only a table of its own or a superuser's is
  -- read, as the caller (mlobs._report_read_role, mlobs._report_read). The log's timestamp
  -- column is read in the monitor's run_zone, as its runs read it.
  -- (Named columns: a reader may not read the stored summaries.)
  FOR mon IN SELECT mo.id, mo.source, mo.config, mo.ts_column, mo.reference_from, mo.reference_to, mo.owner, mo.run_zone
               FROM mlobs.monitors mo WHERE mo.model = lbl AND mo.kind = 'feature_drift'
                AND mo.reference_from IS NOT NULL ORDER BY mo.id LIMIT 1 LOOP
    read_as := mlobs._report_read_role(mon.owner, mon.source, ARRAY[coalesce(mon.config->>'features', 'features'), mon.ts_column]);
    IF read_as IS NULL THEN
      notes := notes || mlobs._report_unread_note('Distributions and SHAP importance', mon.source, mon.owner);
      CONTINUE;
    END IF;
    PERFORM set_config('TimeZone', coalesce(mon.run_zone, saved_zone), true);
    FOR r IN SELECT f.feature FROM (SELECT p.feature, max(p.value) AS top FROM mlobs.metric_points p
                                     WHERE p.monitor_id = mon.id AND p.feature <> '' AND p.segment = '' AND p.ts > "from" AND p.ts <= "to"
                                       AND p.metric NOT IN ('rows', 'mean') GROUP BY p.feature) f
              ORDER BY f.top DESC NULLS LAST, f.feature LIMIT 6 LOOP
      BEGIN
        dist := mlobs._report_read(read_as, format('SELECT mlobs._report_distribution(%s::oid::regclass, %L, %L, %L, %s, %s, %s, %s) AS v',
                                     mon.source::oid, coalesce(mon.config->>'features', 'features'), mon.ts_column, r.feature,
                                     mlobs._report_instant(mon.reference_from), mlobs._report_instant(mon.reference_to),
                                     from_at, to_at));
        IF dist IS NOT NULL THEN dists := dists || dist; END IF;
      EXCEPTION WHEN OTHERS THEN
        notes := notes || format('The distribution of %s is not drawn: %s (%s).', r.feature, SQLERRM, SQLSTATE);
      END;
    END LOOP;
    IF EXISTS (SELECT 1 FROM mlobs.models mm WHERE mm.name = lbl) THEN
      BEGIN
        -- One statement, two periods: the last 500 rows of the reported one and of the reference.
        shap := mlobs._report_read(read_as, format(
          'SELECT jsonb_build_array(mlobs.shap_importance_agg(%1$L, f) FILTER (WHERE cur), mlobs.shap_importance_agg(%1$L, f) FILTER (WHERE NOT cur)) AS v
             FROM (SELECT * FROM (SELECT true AS cur, %2$I AS f FROM %3$s WHERE %4$I >= %5$s AND %4$I < %6$s ORDER BY %4$I DESC LIMIT 500) c
                   UNION ALL
                   SELECT * FROM (SELECT false, %2$I FROM %3$s WHERE %4$I >= %7$s AND %4$I < %8$s ORDER BY %4$I DESC LIMIT 500) r) x',
          lbl, coalesce(mon.config->>'features', 'features'), mon.source, mon.ts_column, from_at,
          to_at, mlobs._report_instant(mon.reference_from), mlobs._report_instant(mon.reference_to)));
        shap_cur := nullif(shap->0, 'null');
        shap_ref := nullif(shap->1, 'null');
      EXCEPTION WHEN OTHERS THEN
        notes := notes || format('SHAP importance is not computed: %s (%s).', SQLERRM, SQLSTATE);
      END;
    END IF;
    PERFORM set_config('TimeZone', saved_zone, true);
  END LOOP;
  FOR cls IN SELECT mo.id, mo.source, mo.config, mo.ts_column, mo.owner, mo.run_zone FROM mlobs.monitors mo
              WHERE mo.model = lbl AND mo.kind = 'classification' ORDER BY mo.id LIMIT 1 LOOP
    read_as := mlobs._report_read_role(cls.owner, cls.source,
                                       ARRAY[coalesce(cls.config->>'label', 'label'), coalesce(cls.config->>'predicted', 'predicted'),
                                             cls.config->>'score', cls.ts_column]);
    IF read_as IS NULL THEN
      notes := notes || mlobs._report_unread_note('The confusion matrix and calibration', cls.source, cls.owner);
      CONTINUE;
    END IF;
    PERFORM set_config('TimeZone', coalesce(cls.run_zone, saved_zone), true);
    BEGIN
      conf := mlobs._report_read(read_as, format(
        -- At most 40 classes: beyond that the 39 most frequent (as actual or predicted) and
        -- the rest counted together last (x NULL), so every labelled row is in the matrix.
        'WITH c AS (SELECT %1$I::text AS a, %2$I::text AS p, count(*) AS n FROM %3$s WHERE %4$I >= %5$s AND %4$I < %6$s AND %1$I IS NOT NULL
                     AND %2$I IS NOT NULL GROUP BY 1, 2),
              f AS (SELECT x, sum(n) AS n FROM (SELECT a AS x, n FROM c UNION ALL SELECT p, n FROM c) u GROUP BY x),
              k AS (SELECT x FROM f ORDER BY n DESC, x LIMIT CASE WHEN (SELECT count(*) FROM f) > 40 THEN 39 ELSE 40 END),
              m AS (SELECT CASE WHEN a IN (SELECT x FROM k) THEN a END AS a, CASE WHEN p IN (SELECT x FROM k) THEN p END AS p,
                           sum(n) AS n FROM c GROUP BY 1, 2),
              l AS (SELECT x FROM k UNION ALL SELECT NULL WHERE (SELECT count(*) FROM f) > 40)
         SELECT jsonb_build_object(''labels'', (SELECT jsonb_agg(coalesce(x, ''(other)'') ORDER BY x NULLS LAST) FROM l),
                                   ''counts'', (SELECT jsonb_agg((SELECT jsonb_agg(coalesce((SELECT n FROM m WHERE m.a IS NOT DISTINCT FROM la.x
                                                                                                          AND m.p IS NOT DISTINCT FROM lp.x), 0)
                                                                                   ORDER BY lp.x NULLS LAST) FROM l lp) ORDER BY la.x NULLS LAST) FROM l la),
                                   ''other_classes'', (SELECT count(*) FROM f) - (SELECT count(*) FROM k)) AS v',
        coalesce(cls.config->>'label', 'label'), coalesce(cls.config->>'predicted', 'predicted'), cls.source, cls.ts_column,
        from_at, to_at));
      IF cls.config ? 'score' THEN
        cal := mlobs._report_read(read_as, format(
          'SELECT jsonb_agg(jsonb_build_object(''mean_score'', s, ''positive_share'', y, ''rows'', n) ORDER BY s) AS v
             FROM (SELECT avg(%1$I::float8) AS s, avg(CASE WHEN %2$I::text IN (''1'', ''true'') THEN 1.0 ELSE 0.0 END) AS y, count(*) AS n
                     FROM %3$s WHERE %4$I >= %5$s AND %4$I < %6$s AND %2$I IS NOT NULL AND %1$I::float8 BETWEEN 0 AND 1
                    GROUP BY width_bucket(%1$I::float8, 0, 1.0000001, 10)) b',
          cls.config->>'score', coalesce(cls.config->>'label', 'label'), cls.source, cls.ts_column,
          from_at, to_at));
      END IF;
    EXCEPTION WHEN OTHERS THEN
      notes := notes || format('The confusion matrix and calibration are not computed: %s (%s).', SQLERRM, SQLSTATE);
    END;
    PERFORM set_config('TimeZone', saved_zone, true);
  END LOOP;
  d := jsonb_build_object(
    'model', lbl,
    'from', to_char("from" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), 'to', to_char("to" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
    'from_epoch', extract(epoch FROM "from"), 'to_epoch', extract(epoch FROM "to"),
    'generated_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
    'monitors', (SELECT coalesce(jsonb_agg(jsonb_build_object('name', mo.name, 'kind', mo.kind, 'window_size', mo.window_size::text,
                                                              'watermark', to_char(mo.watermark AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'))
                                           ORDER BY mo.id), '[]')
                   FROM mlobs.monitors mo WHERE mo.model = lbl),
    'alerts', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                 'rule', ru.name, 'monitor', mo.name, 'feature', a.feature, 'segment', a.segment, 'severity', a.severity,
                 'state', a.state, 'started_at', to_char(a.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
                 'resolved_at', to_char(a.resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
                 'worst_value', CASE WHEN a.worst_value IN ('NaN', 'Infinity', '-Infinity') THEN NULL ELSE a.worst_value END,
                 'threshold', a.threshold)
                 ORDER BY array_position(ARRAY['critical', 'warning', 'info'], a.severity), a.started_at, a.id), '[]')
                 FROM mlobs.alerts a JOIN mlobs.alert_rules ru ON ru.id = a.rule_id JOIN mlobs.monitors mo ON mo.id = a.monitor_id
                WHERE a.model = lbl AND a.started_at < "to" AND (a.resolved_at IS NULL OR a.resolved_at >= "from")),
    'drift', drift, 'drift_omitted', coalesce(omitted, 0), 'distributions', dists,
    'quality', (SELECT coalesce(jsonb_agg(jsonb_build_object('feature', q.feature, 'metric', q.metric, 'last', q.last, 'max', q.top)
                                          ORDER BY q.top DESC, q.feature, q.metric), '[]')
                  FROM (SELECT p.feature, p.metric, max(p.value) AS top, (array_agg(p.value ORDER BY p.ts DESC))[1] AS last
                          FROM mlobs.metric_points p JOIN mlobs.monitors mo ON mo.id = p.monitor_id
                         WHERE p.model = lbl AND mo.kind = 'quality' AND p.segment = '' AND p.ts > "from" AND p.ts <= "to"
                           AND p.metric <> 'rows' AND p.value < 'Infinity'
                         GROUP BY p.feature, p.metric HAVING max(p.value) > 0 LIMIT 500) q),
    'performance', perf,
    'confusion', conf,
    'calibration', coalesce(cal, '[]'),
    'shap', (SELECT coalesce(jsonb_agg(jsonb_build_object('feature', k, 'reference', (shap_ref->>k)::float8, 'current', (shap_cur->>k)::float8)
                                       ORDER BY (shap_cur->>k)::float8 DESC NULLS LAST, k), '[]')
               FROM (SELECT jsonb_object_keys(coalesce(shap_cur, '{}') || coalesce(shap_ref, '{}')) AS k) x),
    'notes', to_jsonb(notes || CASE WHEN EXISTS (SELECT 1 FROM mlobs.metric_points p WHERE p.model = lbl AND p.segment = ''
                                                   AND p.ts > "from" AND p.ts <= "to" AND p.metric IN ('missing_share', 'outlier_share'))
                                    THEN ARRAY['Data-quality metrics that stayed 0 over the period are not listed.'] ELSE '{}' END));
  RETURN mlobs._render_report(convert_to(d::text, 'UTF8'));
END $$;

-- Reference-against-current shares of two profiles over the reference's deciles, from their
-- sketches (approximate, like mlobs.outside_share): the share below each edge, differenced.
CREATE FUNCTION mlobs._report_profile_shares(reference mlobs.profile, current mlobs.profile) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  edges float8[];
  labels text[] := '{}';
  r float8[] := '{}';
  c float8[] := '{}';
  below_r float8 := 0;
  below_c float8 := 0;
  next_r float8;
  next_c float8;
  e float8;
BEGIN
  IF coalesce(mlobs.row_count(reference), 0) = 0 OR coalesce(mlobs.row_count(current), 0) = 0 THEN
    RETURN NULL;
  END IF;
  edges := ARRAY(SELECT DISTINCT q FROM unnest(mlobs.quantile(reference, ARRAY[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])) q
                  WHERE q > mlobs.min(reference) ORDER BY q);
  FOREACH e IN ARRAY edges LOOP
    next_r := greatest(below_r, coalesce(mlobs.outside_share(reference, e, greatest(mlobs.max(reference), e)), below_r));
    next_c := greatest(below_c, coalesce(mlobs.outside_share(current, e, greatest(mlobs.max(current), e)), below_c));
    labels := labels || CASE WHEN cardinality(r) = 0 THEN '<' || mlobs._report_num(e)
                             ELSE mlobs._report_num(edges[cardinality(r)]) || '–' || mlobs._report_num(e) END;
    r := r || (next_r - below_r);
    c := c || (next_c - below_c);
    below_r := next_r;
    below_c := next_c;
  END LOOP;
  labels := labels || CASE WHEN cardinality(edges) = 0 THEN 'all' ELSE '≥' || mlobs._report_num(edges[cardinality(edges)]) END;
  r := r || greatest(1 - below_r, 0);
  c := c || greatest(1 - below_c, 0);
  RETURN jsonb_build_object('labels', to_jsonb(labels), 'reference', to_jsonb(r), 'current', to_jsonb(c));
END $$;

-- The report of two summaries: a data-drift report of two feature-profile summaries (say,
-- features_agg over two periods, or two stored summaries): every feature's drift verdict
-- (mlobs.drift_report), then the reference-against-current distributions of up to 20 features,
-- drifted ones first. Not an overload of mlobs.report: mlobs.report('fraud', '2026-01-01',
-- '2026-01-08') with string literals would then be ambiguous.
CREATE FUNCTION mlobs.summary_report(reference mlobs.feature_profiles, current mlobs.feature_profiles,
                             title text DEFAULT 'current data against the reference')
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  rows_table jsonb;
  dists jsonb := '[]';
  dist jsonb;
  r record;
BEGIN
  IF reference IS NULL OR current IS NULL OR title IS NULL THEN
    RAISE EXCEPTION 'reference, current and title must not be NULL' USING ERRCODE = '22004';
  END IF;
  SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.drifted IS NOT TRUE, x.statistic DESC NULLS LAST, x.feature), '[]')
    INTO rows_table FROM mlobs.drift_report(reference, current) x;
  FOR r IN SELECT x.feature, x.kind FROM jsonb_to_recordset(rows_table) x(feature text, kind text) LIMIT 20 LOOP
    IF r.kind = 'numeric' THEN
      dist := mlobs._report_profile_shares(mlobs.feature_profile(reference, r.feature), mlobs.feature_profile(current, r.feature));
    ELSE
      SELECT jsonb_build_object('labels', jsonb_agg(k ORDER BY o, rc DESC, k), 'reference', jsonb_agg(rs ORDER BY o, rc DESC, k),
                                'current', jsonb_agg(cs ORDER BY o, rc DESC, k))
        INTO dist
        FROM (SELECT k, o, rc, coalesce(rc / nullif(sum(rc) OVER (), 0), 0) AS rs, coalesce(cc / nullif(sum(cc) OVER (), 0), 0) AS cs
                FROM (SELECT CASE WHEN t.rank <= 10 THEN t.k ELSE '(other)' END AS k, bool_or(t.rank > 10) AS o,
                             sum(t.rc) AS rc, sum(t.cc) AS cc
                        FROM (SELECT coalesce(a.key, b.key) AS k, coalesce(a.value::float8, 0) AS rc, coalesce(b.value::float8, 0) AS cc,
                                     rank() OVER (ORDER BY coalesce(a.value::float8, 0) DESC, coalesce(a.key, b.key)) AS rank
                                FROM jsonb_each_text(mlobs.category_counts(mlobs.feature_categories(reference, r.feature))) a
                                FULL JOIN jsonb_each_text(mlobs.category_counts(mlobs.feature_categories(current, r.feature))) b
                                  ON a.key = b.key) t
                       GROUP BY 1) g) s;
    END IF;
    IF dist IS NOT NULL AND dist->'labels' <> 'null' THEN
      dists := dists || (dist || jsonb_build_object('feature', r.feature));
    END IF;
  END LOOP;
  RETURN mlobs._render_report(convert_to(jsonb_build_object(
    'model', title, 'summaries_only', true,
    'subtitle', format('reference: %s rows · current: %s rows', mlobs.row_count(reference), mlobs.row_count(current)),
    'drift_table', rows_table, 'distributions', dists)::text, 'UTF8'));
END $$;
