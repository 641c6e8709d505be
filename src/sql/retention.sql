-- ==== retention (docs/retention.md) =============================================================
-- Logs grow without bound while their summaries are small. A log partitioned by time (native
-- RANGE partitioning on the monitors' timestamp column) loses its old partitions with
-- mlobs.drop_summarised_partitions once every window touching them is summarised and can no
-- longer be revised; mlobs.prune_history ages out the runtime's own tables.

-- Where each log's raw rows begin after retention: no run recomputes a window that starts before
-- it (a backfill, a revision after a horizon was raised), which would otherwise store the
-- summary of the rows left, i.e. of none, over a window computed when they existed.
CREATE TABLE mlobs.log_retention (
  source regclass PRIMARY KEY,
  dropped_before timestamptz NOT NULL,      -- the rows before this were dropped
  updated_at timestamptz NOT NULL DEFAULT pg_catalog.now());
COMMENT ON TABLE mlobs.log_retention IS 'Per log table: its raw rows before dropped_before are gone (mlobs.drop_summarised_partitions)';
SELECT pg_catalog.pg_extension_config_dump('mlobs.log_retention', '');

-- The relations a view reads (none for a table), through views of views to the tables below,
-- UNION branches and subqueries included: a monitor of the view reads their rows (and, through a
-- partition, some rows of the tables above it: the callers match partition trees). UNION, not
-- UNION ALL: each relation is visited once, so even a cycle of views ends the walk.
CREATE FUNCTION mlobs._tables_of_view(src regclass) RETURNS regclass[]
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  WITH RECURSIVE reached(rel) AS (
    SELECT src::oid
    UNION
    SELECT d.refobjid
      FROM reached r JOIN pg_rewrite w ON w.ev_class = r.rel
      JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid AND d.refclassid = 'pg_class'::regclass)
  SELECT coalesce(array_agg(r.rel::regclass ORDER BY r.rel), '{}') FROM reached r WHERE r.rel <> src
$$;

-- The retention boundary of a monitor's source: that of any log whose partition tree holds the
-- source or a relation its views read (a partition of the log, the log, or a table above it).
CREATE FUNCTION mlobs._retained_before(src regclass) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT max(r.dropped_before) FROM mlobs.log_retention r
   WHERE r.source = src OR r.source = ANY (mlobs._tables_of_view(src))
      OR EXISTS (SELECT 1 FROM unnest(src::oid || mlobs._tables_of_view(src)::oid[]) x(rel)
                  WHERE x.rel IN (SELECT t.relid FROM pg_partition_tree(r.source) t
                                  UNION ALL SELECT a.relid FROM pg_partition_ancestors(r.source) a))
$$;

-- Why monitor m still needs the raw rows of [lo, hi) of its log, or NULL when it does not. A
-- window touching the range must be computed (the watermark past it, no failure to retry) and
-- out of the monitor's horizon (labels and late rows revise younger windows from raw rows); a
-- reference overlapping it must be computed and final (no more labels landing in it).
CREATE FUNCTION mlobs._monitor_needs_range(m mlobs.monitors, lo timestamptz, hi timestamptz, as_of timestamptz) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  labels bool;
  reference_labels bool;
  first_ws timestamptz;
  last_end timestamptz := date_bin(m.window_size, hi - interval '1 microsecond', timestamptz '2000-01-01 00:00:00+00') + m.window_size;
  horizon interval;
BEGIN
  SELECT d.labelled, d.reference_labelled INTO labels, reference_labels FROM mlobs._monitor_kinds() d WHERE d.kind = m.kind;
  IF m.reference_from IS NOT NULL AND m.reference_from < hi AND m.reference_to > lo THEN
    IF m.reference_summary IS NULL THEN
      RETURN format('monitor %s has not computed its reference yet', m.name);
    END IF;
    IF reference_labels AND m.reference_to > as_of - m.label_horizon THEN
      RETURN format('monitor %s: labels may still land in its reference until %s', m.name, m.reference_to + m.label_horizon);
    END IF;
  END IF;
  first_ws := date_bin(m.window_size, coalesce(m.start_at, m.reference_to), timestamptz '2000-01-01 00:00:00+00');
  IF first_ws >= hi THEN
    RETURN NULL;  -- its windows start after the range
  END IF;
  IF m.watermark IS NULL OR m.watermark < last_end THEN
    RETURN format('monitor %s has not summarised its windows up to %s (watermark %s)', m.name, last_end,
                  coalesce(m.watermark::text, 'none'));
  END IF;
  IF EXISTS (SELECT 1 FROM mlobs.window_failures f WHERE f.monitor_id = m.id AND f.window_start < hi) THEN
    RETURN format('monitor %s has a failed window before %s to retry (mlobs.window_failures)', m.name, hi);
  END IF;
  horizon := CASE WHEN labels THEN greatest(m.label_horizon, m.late_data_horizon) ELSE m.late_data_horizon END;
  -- A CBPE monitor revises its windows within label_horizon when labels landing in its
  -- reference change the calibration map (mlobs._monitor_plan).
  IF reference_labels AND NOT labels AND m.reference_to > as_of - m.label_horizon THEN
    horizon := greatest(horizon, m.label_horizon);
  END IF;
  IF last_end > as_of - horizon THEN
    RETURN format('monitor %s may still revise its window ending %s until %s (%s horizon)', m.name, last_end,
                  last_end + horizon, CASE WHEN horizon = m.label_horizon AND (labels OR reference_labels) THEN 'label' ELSE 'late data' END);
  END IF;
  -- A change recorded while its window was open is revised by the next run however late
  -- (mlobs._monitor_plan): the rows stay until it is. A day's margin for wall-clock minutes. Not
  -- for a disabled monitor, whose queue waits until it is enabled (its windows before the
  -- retention boundary are never revised then).
  IF m.enabled AND EXISTS (SELECT 1 FROM mlobs.monitor_changes mc WHERE mc.monitor_id = m.id
                              AND mc.minute >= lo - interval '1 day' AND mc.minute < hi + interval '1 day')
     OR EXISTS (SELECT 1 FROM mlobs.source_changes sc WHERE sc.source = m.source
                   AND sc.minute >= lo - interval '1 day' AND sc.minute < hi + interval '1 day') THEN
    RETURN format('monitor %s has recorded changes of rows before %s that its next run may apply (retry after it)', m.name, hi);
  END IF;
  RETURN NULL;
END $$;

-- Drops the partitions of a RANGE-partitioned log that monitors read, oldest first, whose upper
-- bound is at or before older_than, as long as no monitor of the log (directly or through a view over it; disabled
-- ones too) and no retraining policy still needs their rows; stops at the first one that is
-- needed, so the rows left always begin at one boundary (recorded in mlobs.log_retention). The
-- DEFAULT partition is never dropped. Runs as the caller, who must own the partitions; waits
-- for a running mlobs.run_monitors to finish and keeps others from starting meanwhile.
-- `partition` is the schema-qualified name (a dropped table has no regclass left).
CREATE FUNCTION mlobs.drop_summarised_partitions(source regclass, older_than timestamptz DEFAULT pg_catalog.now(),
                                                 dry_run bool DEFAULT false)
RETURNS TABLE (partition text, range_from timestamptz, range_to timestamptz, action text, reason text)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  key_column text;
  -- A timestamp or date key: its bounds are wall clocks, which each monitor reads in its run_zone.
  wall_clock bool;
  log_rels oid[];
  p record;
  reader record;
  m mlobs.monitors;
  readers mlobs.monitors[] := '{}';
  column_why text[] := '{}';
  rel oid;
  col int;
  q text;
  hit text[];
  lo timestamptz;
  hi timestamptz;
  pol record;
  why text;
  blocked text;
  boundary timestamptz;
  t_now timestamptz := pg_catalog.now();
BEGIN
  IF source IS NULL OR older_than IS NULL OR dry_run IS NULL THEN
    RAISE EXCEPTION 'source, older_than and dry_run must not be NULL' USING ERRCODE = '22004';
  END IF;
  PERFORM mlobs._require_primary('mlobs.drop_summarised_partitions');
  SELECT a.attname, a.atttypid IN ('pg_catalog.timestamp'::regtype, 'pg_catalog.date'::regtype) INTO key_column, wall_clock
    FROM pg_partitioned_table pt JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
   WHERE pt.partrelid = source AND pt.partstrat = 'r' AND pt.partnatts = 1;
  IF key_column IS NULL THEN
    RAISE EXCEPTION '% is not a table partitioned by RANGE on one column', source USING ERRCODE = '42809',
      HINT = 'Partition the log with PARTITION BY RANGE (ts) (docs/retention.md).';
  END IF;
  -- The log, its partitions and the tables above it: a monitor of any of them, or of a view that
  -- reads one, reads rows of the log. They all name the key column alike.
  log_rels := ARRAY(SELECT t.relid::oid FROM pg_partition_tree(source) t UNION SELECT a.relid::oid FROM pg_partition_ancestors(source) a);
  -- The monitors reading the log, directly or through a view, found once (not per partition)
  -- and locked against edits while they are judged. FOR SHARE also waits for the runs that hold
  -- them (run_monitors locks the rows of its monitors): a run reads the partitions and moves the
  -- watermarks this function judges by.
  -- A view calling a function of the user's (neither pg_catalog's nor mlobs', and not IMMUTABLE:
  -- an immutable function reads no table) may read the log in it, where no dependency shows:
  -- its monitors count as readers of every log, never proven.
  FOR reader IN SELECT mo AS m, fn.name AS fn
              FROM mlobs.monitors mo
             CROSS JOIN LATERAL (SELECT mlobs._tables_of_view(mo.source)::oid[] AS rels) v
              LEFT JOIN LATERAL (SELECT min(f.oid::regprocedure::text) AS name FROM pg_rewrite w
                                   JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid
                                                   AND d.refclassid = 'pg_proc'::regclass
                                   JOIN pg_proc f ON f.oid = d.refobjid
                                  WHERE w.ev_class = ANY (mo.source::oid || v.rels)
                                    AND f.pronamespace NOT IN ('pg_catalog'::regnamespace, 'mlobs'::regnamespace)
                                    AND f.provolatile <> 'i') fn ON true
             WHERE mo.source::oid = ANY (log_rels) OR v.rels && log_rels OR fn.name IS NOT NULL
             ORDER BY mo.id FOR SHARE OF mo LOOP
    m := reader.m;
    readers := readers || m;
    IF reader.fn IS NOT NULL THEN
      column_why := column_why || format('monitor %s reads %s through function %s, whose reads retention cannot see', m.name, m.source, reader.fn);
      CONTINUE;
    END IF;
    -- Its watermark says how far it summarised the column it windows by: that says nothing of
    -- the partitions unless the column is the key, passed unchanged through every view on the
    -- way. Each view's stored query tells: its output column is a plain column reference when
    -- the parser marked its origin (resorigtbl/resorigcol, what the wire protocol reports as a
    -- result column's table). Anything that makes a view's row depend on other rows (aggregates,
    -- window functions, DISTINCT, LIMIT, set operations, subqueries, CTEs) or reads the log twice
    -- (a self-join) is not followed: the partitions are kept.
    rel := m.source;
    SELECT a.attnum INTO col FROM pg_attribute a
     WHERE a.attrelid = m.source AND a.attname = m.ts_column AND a.attnum > 0 AND NOT a.attisdropped;
    FOR step IN 1 .. 100 LOOP
      EXIT WHEN col IS NULL OR rel = ANY (log_rels);
      q := (SELECT w.ev_action::text FROM pg_rewrite w WHERE w.ev_class = rel AND w.rulename = '_RETURN');
      IF q IS NULL
         -- A CTE's body is read as often as it is referenced: not followed either.
         OR q ~ ':(hasAggs|hasWindowFuncs|hasSubLinks|hasRecursive) true|:(groupClause|groupingSets|distinctClause|cteList) \(|:(limitOffset|limitCount|setOperations) \{'
         OR (SELECT count(*) FROM regexp_matches(q, ':rtekind 0 :relid (\d+) ', 'g') r(x)
              WHERE r.x[1]::oid <> rel
                AND (r.x[1]::oid = ANY (log_rels) OR mlobs._tables_of_view(r.x[1]::oid::regclass)::oid[] && log_rels)) <> 1 THEN
        col := NULL;
        EXIT;
      END IF;
      -- Without subqueries the last target list is the view's own (those of FROM subqueries come
      -- before it); its entry numbered as the view's column.
      hit := regexp_match(substring(q FROM '.*:targetList \((.*)$'),
                          ':resno ' || col || ' :resname (?:[^ \\]|\\.)+ :ressortgroupref \d+ :resorigtbl (\d+) :resorigcol (\d+) :resjunk false');
      rel := hit[1]::oid;
      col := nullif(hit[2]::int, 0);
    END LOOP;
    IF col IS NOT NULL AND rel = ANY (log_rels) THEN
      q := (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = rel AND a.attnum = col);
      column_why := column_why || CASE WHEN q <> key_column THEN
        format('monitor %s windows by column %s, not by the partition key %s', m.name,
               CASE WHEN q = m.ts_column THEN q ELSE format('%s of %s (%s of %s)', m.ts_column, m.source, q, rel::regclass) END, key_column) END;
    ELSE
      column_why := column_why || format('monitor %s windows by column %s of %s, which is not shown to be the partition key %s passed through unchanged',
                                         m.name, m.ts_column, m.source, key_column);
    END IF;
  END LOOP;
  -- Bounds as the session reads them (older_than, range_from, range_to), and for a timestamp or
  -- date key also as written (lo_wall, hi_wall).
  FOR p IN SELECT x.oid::regclass AS rel, x.lo, x.hi, x.lo_wall, x.hi_wall, x.is_default, x.relowner
             FROM (SELECT c.oid, c.relowner, b.bound = 'DEFAULT' AS is_default,
                          CASE WHEN r.m[1] = 'MINVALUE' THEN '-infinity'::timestamptz ELSE r.m[1]::timestamptz END AS lo,
                          CASE WHEN r.m[2] = 'MAXVALUE' THEN 'infinity'::timestamptz ELSE r.m[2]::timestamptz END AS hi,
                          CASE WHEN NOT wall_clock THEN NULL WHEN r.m[1] = 'MINVALUE' THEN '-infinity'::timestamp ELSE r.m[1]::timestamp END AS lo_wall,
                          CASE WHEN NOT wall_clock THEN NULL WHEN r.m[2] = 'MAXVALUE' THEN 'infinity'::timestamp ELSE r.m[2]::timestamp END AS hi_wall
                     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid,
                          LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS bound) b,
                          LATERAL (SELECT regexp_match(b.bound, '^FOR VALUES FROM \(''?(.*?)''?\) TO \(''?(.*?)''?\)$') AS m) r
                    WHERE i.inhparent = source) x
            WHERE x.is_default OR x.hi <= older_than
            ORDER BY x.is_default, x.lo LOOP
    partition := p.rel::text; range_from := p.lo; range_to := p.hi;
    IF p.is_default THEN
      action := 'kept'; reason := 'the DEFAULT partition holds rows of any time';
      RETURN NEXT; CONTINUE;
    END IF;
    why := blocked;
    IF why IS NULL AND NOT pg_has_role(p.relowner, 'MEMBER') THEN
      why := format('permission denied: only its owner %s may drop %s', p.relowner::regrole, p.rel);
    END IF;
    IF why IS NULL AND cardinality(readers) = 0 THEN
      -- Nothing summarises the table: its rows are not this function's to drop (a wrong name).
      why := format('no monitor reads %s', drop_summarised_partitions.source);
    END IF;
    IF why IS NULL THEN
      FOR i IN 1 .. cardinality(readers) LOOP
        m := readers[i];
        why := column_why[i];
        EXIT WHEN why IS NOT NULL;
        IF wall_clock THEN
          -- A monitor windows a wall clock in the zone its runs are pinned to (run_monitors), not
          -- in this session's (pg_cron's is the server's). Without one yet, the range is taken as
          -- wide as every zone could read it.
          IF m.run_zone IS NULL THEN
            lo := timezone('UTC', p.lo_wall) - interval '1 day'; hi := timezone('UTC', p.hi_wall) + interval '1 day';
          ELSE
            lo := timezone(m.run_zone, p.lo_wall); hi := timezone(m.run_zone, p.hi_wall);
          END IF;
        ELSE
          lo := p.lo; hi := p.hi;
        END IF;
        why := mlobs._monitor_needs_range(m, lo, hi, t_now);
        EXIT WHEN why IS NOT NULL;
      END LOOP;
    END IF;
    -- The latest instant the partition's rows may reach: for a wall clock, in any zone.
    hi := CASE WHEN wall_clock THEN timezone('UTC', p.hi_wall) + interval '1 day' ELSE p.hi END;
    IF why IS NULL THEN
      FOR pol IN SELECT rp.model, rp.train_window, rp.holdout_window FROM mlobs.retraining_policies rp
                  WHERE rp.source = drop_summarised_partitions.source AND rp.enabled LOOP
        IF hi > t_now - pol.train_window - pol.holdout_window THEN
          why := format('the retraining policy of model %s trains on the last %s', pol.model, pol.train_window + pol.holdout_window);
          EXIT;
        END IF;
      END LOOP;
    END IF;
    IF why IS NOT NULL THEN
      -- Older rows only go first: everything after a kept partition is kept too.
      blocked := coalesce(blocked, format('an older partition (%s) is kept', p.rel));
      action := 'kept'; reason := why;
    ELSIF dry_run THEN
      action := 'would drop'; reason := NULL;
    ELSE
      EXECUTE format('DROP TABLE %s', p.rel);
      -- No run recomputes a window before the boundary, whatever zone it reads a wall clock in.
      boundary := greatest(boundary, hi);
      action := 'dropped'; reason := NULL;
    END IF;
    RETURN NEXT;
  END LOOP;
  IF boundary IS NOT NULL THEN
    INSERT INTO mlobs.log_retention AS r (source, dropped_before) VALUES (drop_summarised_partitions.source, boundary)
    ON CONFLICT ON CONSTRAINT log_retention_pkey DO UPDATE SET dropped_before = greatest(r.dropped_before, excluded.dropped_before), updated_at = now();
  END IF;
END $$;

-- Ages out the runtime's own history: metric points and window summaries older than `keep`
-- (never those a monitor may still revise or an alert rule's for_duration still looks back on),
-- resolved alerts resolved before it, and mlobs.runs rows older than keep_runs. Failed windows
-- (their failure, summary and points) and open alerts are never deleted. Returns the rows
-- deleted (or that would be) per table.
CREATE FUNCTION mlobs.prune_history(keep interval DEFAULT '13 months', keep_runs interval DEFAULT '90 days',
                                    dry_run bool DEFAULT false)
RETURNS TABLE (what text, deleted bigint)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  m record;
  cutoff timestamptz;
  look_back interval := coalesce((SELECT max(r.for_duration) FROM mlobs.alert_rules r), interval '0');
  n_points bigint := 0;
  n_windows bigint := 0;
  n bigint;
  t_now timestamptz := pg_catalog.now();
BEGIN
  IF keep IS NULL OR keep_runs IS NULL OR dry_run IS NULL THEN
    RAISE EXCEPTION 'keep, keep_runs and dry_run must not be NULL' USING ERRCODE = '22004';
  END IF;
  IF keep < interval '0' OR keep_runs < interval '0' OR NOT isfinite(t_now - keep) OR NOT isfinite(t_now - keep_runs) THEN
    RAISE EXCEPTION 'keep and keep_runs must be finite and not negative, got % and %', keep, keep_runs USING ERRCODE = '22023';
  END IF;
  PERFORM mlobs._require_primary('mlobs.prune_history');
  FOR m IN SELECT mo.id, mo.window_size,
                  CASE WHEN d.labelled THEN greatest(mo.label_horizon, mo.late_data_horizon) ELSE mo.late_data_horizon END AS horizon
             FROM mlobs.monitors mo JOIN mlobs._monitor_kinds() d ON d.kind = mo.kind ORDER BY mo.id LOOP
    -- Window starts before cutoff go: their windows ended keep ago, out of every look-back.
    cutoff := least(t_now - keep, t_now - m.horizon, t_now - look_back - m.window_size) - m.window_size;
    -- A failed window keeps its last good summary and points: the run that retries it revises
    -- them, and until then they are all there is of it (a point's ts is its window's end).
    IF dry_run THEN
      SELECT count(*) INTO n FROM mlobs.metric_points p WHERE p.monitor_id = m.id AND p.window_start < cutoff
         AND NOT EXISTS (SELECT 1 FROM mlobs.window_failures f
                          WHERE f.monitor_id = m.id AND f.window_start < p.ts AND f.window_end > p.window_start);
      n_points := n_points + n;
      SELECT count(*) INTO n FROM mlobs.monitor_windows w WHERE w.monitor_id = m.id AND w.window_start < cutoff
         AND NOT EXISTS (SELECT 1 FROM mlobs.window_failures f
                          WHERE f.monitor_id = m.id AND f.window_start < w.window_end AND f.window_end > w.window_start);
      n_windows := n_windows + n;
    ELSE
      DELETE FROM mlobs.metric_points p WHERE p.monitor_id = m.id AND p.window_start < cutoff
         AND NOT EXISTS (SELECT 1 FROM mlobs.window_failures f
                          WHERE f.monitor_id = m.id AND f.window_start < p.ts AND f.window_end > p.window_start);
      GET DIAGNOSTICS n = ROW_COUNT;
      n_points := n_points + n;
      DELETE FROM mlobs.monitor_windows w WHERE w.monitor_id = m.id AND w.window_start < cutoff
         AND NOT EXISTS (SELECT 1 FROM mlobs.window_failures f
                          WHERE f.monitor_id = m.id AND f.window_start < w.window_end AND f.window_end > w.window_start);
      GET DIAGNOSTICS n = ROW_COUNT;
      n_windows := n_windows + n;
    END IF;
  END LOOP;
  what := 'metric_points'; deleted := n_points; RETURN NEXT;
  what := 'monitor_windows'; deleted := n_windows; RETURN NEXT;
  what := 'alerts';
  IF dry_run THEN
    SELECT count(*) INTO deleted FROM mlobs.alerts a WHERE a.state = 'resolved' AND a.resolved_at < t_now - keep;
  ELSE
    DELETE FROM mlobs.alerts a WHERE a.state = 'resolved' AND a.resolved_at < t_now - keep;
    GET DIAGNOSTICS deleted = ROW_COUNT;
  END IF;
  RETURN NEXT;
  what := 'runs';
  IF dry_run THEN
    SELECT count(*) INTO deleted FROM mlobs.runs r WHERE r.started_at < t_now - keep_runs AND r.status <> 'running';
  ELSE
    DELETE FROM mlobs.runs r WHERE r.started_at < t_now - keep_runs AND r.status <> 'running';
    GET DIAGNOSTICS deleted = ROW_COUNT;
  END IF;
  RETURN NEXT;
END $$;
