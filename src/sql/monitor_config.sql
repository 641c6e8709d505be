-- ==== monitors: creation, validation, privileges, change tracking (docs/monitoring.md) ==========
-- create_monitor checks everything a run needs and installs the change triggers of the monitored
-- table; the summary SQL of each kind is built here too.

-- The source columns a monitor reads, by config key (default: the key itself): the required ones
-- of its kind, the optional ones its config names, and the timestamp column under key 'ts'.
CREATE FUNCTION mlobs._monitor_columns(kind text, config jsonb, ts_column text)
RETURNS TABLE (key text, column_name text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT k, CASE WHEN k = 'ts' THEN ts_column ELSE coalesce(config->>k, k) END
  FROM unnest((SELECT d.columns || ARRAY(SELECT o FROM unnest(d.optional_columns) o WHERE config ? o)
                 FROM mlobs._monitor_kinds() d WHERE d.kind = _monitor_columns.kind) || ARRAY['ts']) k
  UNION ALL
  -- segment_by entries: a column, or a jsonb column's key as 'column->key'.
  SELECT 'segment_by', split_part(e, '->', 1)
    FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(config->'segment_by') = 'array' THEN config->'segment_by' END) e
$$;

-- The text expression of a row's uncapped segment (NULL: the monitor has no segment_by): each
-- segment_by entry's value ('(null)' when NULL), joined with '|'.
CREATE FUNCTION mlobs._monitor_segment_raw_sql(config jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT '(' || string_agg(CASE WHEN strpos(e, '->') > 0
                                THEN format('coalesce(%I->>%L, ''(null)'')', split_part(e, '->', 1), substr(e, strpos(e, '->') + 2))
                                ELSE format('coalesce(%I::text, ''(null)'')', e) END, ' || ''|'' || ' ORDER BY o) || ')'
    FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(config->'segment_by') = 'array' THEN config->'segment_by' END)
         WITH ORDINALITY x(e, o)
$$;

-- A row's segment as the monitor keeps it: one of its learned segments (mlobs.monitor_segments),
-- else '(other)'. NULL while the monitor has no segments (no segment_by, or none learned yet).
CREATE FUNCTION mlobs._monitor_segment_sql(m mlobs.monitors) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format('CASE WHEN %1$s = ANY (%2$L::text[]) THEN %1$s ELSE ''(other)'' END', mlobs._monitor_segment_raw_sql(m.config),
                array_agg(s.segment ORDER BY s.rank))
    FROM mlobs.monitor_segments s WHERE s.monitor_id = m.id AND s.segment <> '(other)'
  HAVING count(*) > 0 AND mlobs._monitor_segment_raw_sql(m.config) IS NOT NULL
$$;

-- Raises, with its SQLSTATE, why the current role may not read what a monitor reads. Checked when
-- a monitor is created and, as its owner, before every run of it.
CREATE FUNCTION mlobs._monitor_check_access(name text, source regclass, kind text, config jsonb, ts_column text)
RETURNS void LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = source) THEN
    RAISE EXCEPTION 'monitor %: its source (relation oid %) no longer exists; drop the monitor (mlobs.drop_monitor) or disable it',
      name, source::oid USING ERRCODE = '42P01';
  END IF;
  FOR c IN SELECT * FROM mlobs._monitor_columns(kind, config, ts_column) LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = source AND a.attnum > 0 AND NOT a.attisdropped
                      AND a.attname = c.column_name) THEN
      RAISE EXCEPTION 'monitor %: column "%" (config.%) does not exist in %', name, c.column_name, c.key, source
        USING ERRCODE = '42703';
    END IF;
    IF NOT has_column_privilege(source, c.column_name, 'SELECT') THEN
      RAISE EXCEPTION 'monitor %: permission denied: role % may not SELECT column "%" of %', name, current_user,
        c.column_name, source USING ERRCODE = '42501';
    END IF;
  END LOOP;
END $$;

-- Whether a column of type `typ` can be the timestamp of tracked changes: the change triggers
-- read it as timestamptz with the built-in casts only (their function runs as the extension's
-- owner, so no cast or operator of a type someone else made may run in it).
CREATE FUNCTION mlobs._trackable_ts_type(typ oid) RETURNS bool
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT typ IN ('pg_catalog.timestamptz'::regtype, 'pg_catalog.timestamp'::regtype, 'pg_catalog.date'::regtype)
$$;

-- The type of a table's column (the log's timestamp, its label), NULL when it has none by that name.
CREATE FUNCTION mlobs._column_type(rel regclass, col text) RETURNS regtype
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT a.atttypid::regtype FROM pg_attribute a WHERE a.attrelid = rel AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped
$$;

-- The change triggers' function. SECURITY DEFINER is unavoidable here: it runs as whoever writes
-- the monitored table (the application, a labelling job), who has no privileges on mlobs'
-- tables, and it only appends the changed minutes of that table to mlobs.source_changes. Its
-- search_path is pinned, it runs only as a trigger, and only mlobs_admin may attach it (EXECUTE).
-- It runs as the extension's owner, so the column's type is checked before any expression reads
-- it: a cast or operator of a type the table's owner created would otherwise run with those
-- rights. The minutes are recorded for the table and for every partitioned table above it (a
-- write aimed at a partition fires only the partition's statement triggers).
-- Updated and deleted rows are always recorded: a label written while a run computes its window
-- (with a snapshot that cannot see it) must be revisited, and a run consumes only the changes it
-- can see, so a window is recomputed after every change committed to it. Inserted rows are
-- recorded when stamped before the table's most advanced watermark (their window was computed
-- already) or, once it has one, before the latest `now` a run started with (mlobs.run_horizon: a
-- run in progress may have scanned their window), so ordinary ingest writes nothing here,
-- whatever the clock of its timestamps as long as they are after the runs' `now`; a row inserted
-- by a transaction that was open when a run began computing its window is covered, as before, by
-- the scheduled run's one-minute lag (found by the load test's labelling client). Rows without a
-- finite timestamp belong to no window.
CREATE FUNCTION mlobs._record_source_changes() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  rows_sql text;
  typ oid;
  is_partition bool;
  is_partitioned bool;
  -- A timestamp or date column: its rows are recorded as their wall clock (below).
  wall bool;
  tz text;
  sources oid[];
  wm timestamptz;
  zoneless bool;
  first_late timestamptz;
  -- The latest `now` a run started with (mlobs.run_horizon), read once per insert statement.
  run_now timestamptz;
  row_t text;
BEGIN
  -- This runs on every write statement of a monitored table, so it costs one catalog query, one
  -- query of the monitors and, for an INSERT, one read of the new rows' first timestamp; the
  -- recording query only when something is recorded (benches/trigger_overhead.sql).
  -- The rows must come from this statement's transition tables, which the firing trigger
  -- declares: a trigger attached without them would let an unqualified mlobs_new resolve to a
  -- temporary view of the writer's (pg_temp is on the path), run as the extension's owner.
  SELECT a.atttypid, c.relispartition, c.relkind = 'p' INTO typ, is_partition, is_partitioned
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    LEFT JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attname = TG_ARGV[0] AND a.attnum > 0 AND NOT a.attisdropped
   WHERE t.tgrelid = TG_RELID AND t.tgname = TG_NAME AND t.tgfoid = 'mlobs._record_source_changes()'::regprocedure
     AND TG_LEVEL = 'STATEMENT'
     AND (TG_OP IN ('DELETE', 'TRUNCATE') OR t.tgnewtable = 'mlobs_new')
     AND (TG_OP IN ('INSERT', 'TRUNCATE') OR t.tgoldtable = 'mlobs_old');
  IF NOT FOUND THEN
    RAISE EXCEPTION 'mlobs._record_source_changes must fire from a statement trigger that declares its transition tables (mlobs.track_changes installs them)'
      USING ERRCODE = '39P01';
  END IF;
  -- Never block the application's write: the monitors of this column fail with the reason.
  IF typ IS NULL THEN
    RAISE WARNING 'mlobs: changes of % are not recorded: it has no column "%"', TG_RELID::regclass, TG_ARGV[0]
      USING HINT = 'A renamed column: call mlobs.track_changes with its new name and drop the old mlobs_changes_* triggers.';
    RETURN NULL;
  -- mlobs._trackable_ts_type, inline: a SQL function with a SET clause is planned at every call.
  ELSIF typ NOT IN ('pg_catalog.timestamptz'::regtype, 'pg_catalog.timestamp'::regtype, 'pg_catalog.date'::regtype) THEN
    RAISE WARNING 'mlobs: changes of % are not recorded: column "%" is not timestamptz, timestamp or date',
      TG_RELID::regclass, TG_ARGV[0]
      USING HINT = 'Give the column one of those types, or drop the table''s mlobs_changes_* triggers.';
    RETURN NULL;
  END IF;
  sources := ARRAY[TG_RELID];
  IF is_partition THEN
    sources := sources || ARRAY(SELECT a::oid FROM pg_partition_ancestors(TG_RELID) a WHERE a::oid <> TG_RELID);
  END IF;
  -- A write aimed at a partitioned table fires only its own statement triggers, and which
  -- partition each row went to is not known here: the minutes are recorded for every monitored
  -- partition below it too (a monitor of a partition revises those windows; where none of its
  -- rows changed, the revision finds the same summary).
  -- Found from the monitors up (a partition's ancestors are a short walk), not from the table
  -- down: pg_partition_tree locks and lists every partition, milliseconds a statement at a
  -- thousand daily partitions.
  IF is_partitioned THEN
    sources := sources || ARRAY(SELECT DISTINCT m.source::oid FROM mlobs.monitors m JOIN pg_class c ON c.oid = m.source
                                 WHERE c.relispartition
                                   AND TG_RELID IN (SELECT a::oid FROM pg_partition_ancestors(m.source) a));
  END IF;
  -- A table whose last monitor was dropped keeps its triggers (dropping them needs its owner):
  -- nothing is recorded for it.
  IF NOT EXISTS (SELECT 1 FROM mlobs.monitors m WHERE m.source::oid = ANY (sources)) THEN
    RETURN NULL;
  END IF;
  -- TRUNCATE has no rows to read: every computed window a run may still revise changed.
  IF TG_OP = 'TRUNCATE' THEN
    INSERT INTO mlobs.source_changes (source, minute, zone)
    SELECT DISTINCT s, w.window_start, NULL::text
      FROM unnest(sources) s JOIN mlobs.monitors m ON m.source::oid = s
      JOIN mlobs.monitor_windows w ON w.monitor_id = m.id AND w.segment = ''
     WHERE w.window_end > m.watermark - greatest(m.label_horizon, m.late_data_horizon);
    RETURN NULL;
  END IF;
  -- r.t: what is recorded, the instant, or for a timestamp or date the wall-clock minute itself
  -- written as UTC (zone 'UTC': a run reads it back in its own zone, run_monitors; no DST gap to
  -- lose it in), so a labelling client in another zone marks the same windows.
  wall := typ <> 'pg_catalog.timestamptz'::regtype;
  -- A date past timestamp's range (year 294277 on) has no minute: it is skipped, not an error
  -- that would fail the application's write.
  row_t := CASE WHEN typ = 'pg_catalog.date'::regtype
                  THEN 'pg_catalog.timezone(''UTC'', CASE WHEN x < ''294277-01-01''::pg_catalog.date THEN x::pg_catalog.timestamp END)'
                WHEN wall THEN 'pg_catalog.timezone(''UTC'', x::pg_catalog.timestamp)' ELSE 'x' END;
  -- Updated and deleted rows are always recorded. An insert is recorded when stamped before the
  -- most advanced watermark: for a wall clock, the watermark's wall clock in the zone of the run
  -- that set it, else in the zone track_changes recorded (tz).
  -- The horizon of an insert is the watermark, or where that is later (once the table's monitors
  -- have run) the latest `now` a run started with (mlobs.run_horizon): a run that is computing
  -- windows has not committed its new watermark yet, and a row stamped in a window it has scanned
  -- and committed before the run does would be in no window for good.
  IF TG_OP = 'INSERT' THEN
    SELECT pg_catalog.to_timestamp(h.last_value::float8 / 1e6) INTO run_now FROM mlobs.run_horizon h;
    IF NOT wall THEN
      SELECT max(greatest(m.watermark, run_now)) FILTER (WHERE m.watermark IS NOT NULL)
        INTO wm FROM mlobs.monitors m WHERE m.source::oid = ANY (sources);
    ELSE
      SELECT max(pg_catalog.timezone('UTC', pg_catalog.timezone(m.run_zone, greatest(m.watermark, run_now))))
               FILTER (WHERE m.watermark IS NOT NULL),
             coalesce(bool_or(m.run_zone IS NULL AND m.watermark IS NOT NULL), false)
        INTO wm, zoneless
        FROM mlobs.monitors m WHERE m.source::oid = ANY (sources);
      IF zoneless THEN
        tz := CASE WHEN TG_NARGS > 1 THEN TG_ARGV[1] ELSE current_setting('TimeZone') END;
        BEGIN
          SELECT greatest(wm, max(pg_catalog.timezone('UTC', pg_catalog.timezone(tz, greatest(m.watermark, run_now))))) INTO wm
            FROM mlobs.monitors m WHERE m.source::oid = ANY (sources) AND m.run_zone IS NULL;
        EXCEPTION WHEN OTHERS THEN
          RAISE WARNING 'mlobs: changes of % are not recorded: its trigger names an unknown time zone "%"', TG_RELID::regclass, tz
            USING HINT = 'Drop the table''s mlobs_changes_* triggers and call mlobs.track_changes again.';
          RETURN NULL;
        END;
      END IF;
    END IF;
    -- Ordinary ingest stops here: no window of these rows was computed yet.
    IF wm IS NULL THEN
      RETURN NULL;
    END IF;
    EXECUTE format('SELECT min(r.t) FROM (SELECT %s FROM (SELECT %I FROM mlobs_new) y(x)) r(t) WHERE isfinite(r.t)',
                   row_t, TG_ARGV[0]) INTO first_late;
    IF first_late IS NULL OR first_late >= wm THEN
      RETURN NULL;
    END IF;
  END IF;
  rows_sql := CASE TG_OP WHEN 'INSERT' THEN format('SELECT %I FROM mlobs_new', TG_ARGV[0])
                         WHEN 'DELETE' THEN format('SELECT %I FROM mlobs_old', TG_ARGV[0])
                         ELSE format('SELECT %1$I FROM mlobs_new UNION ALL SELECT %1$I FROM mlobs_old', TG_ARGV[0]) END;
  -- A minute this transaction queued already is not queued again. Only this transaction's:
  -- a minute another transaction queued may be taken by a run that started before this one
  -- commits, and revised without this change (the review of the fixes, 2026-12-07).
  EXECUTE format('INSERT INTO mlobs.source_changes (source, minute, zone)
                  SELECT DISTINCT s, date_bin(''1 minute'', r.t, timestamptz ''2000-01-01 00:00:00+00''), $3
                    FROM (SELECT %s FROM (%s) y(x)) r(t), unnest($1) s
                   WHERE isfinite(r.t) AND ($2 IS NULL OR r.t < $2)
                     AND NOT EXISTS (SELECT 1 FROM mlobs.source_changes c
                                      WHERE c.source OPERATOR(pg_catalog.=) s::pg_catalog.regclass
                                        AND c.minute OPERATOR(pg_catalog.=) date_bin(''1 minute'', r.t, timestamptz ''2000-01-01 00:00:00+00'')
                                        AND c.zone IS NOT DISTINCT FROM $3
                                        AND c.xmin OPERATOR(pg_catalog.=) pg_catalog.pg_current_xact_id()::pg_catalog.xid)', row_t, rows_sql)
    USING sources, wm, CASE WHEN wall THEN 'UTC' END;
  RETURN NULL;
END $$;

-- mlobs.track_changes: installs the statement triggers that record which minutes of a table
-- changed after the fact (INSERT, UPDATE, DELETE, transition tables), so runs recompute only the
-- windows whose labels or rows changed. create_monitor calls it when its creator may (TRIGGER
-- privilege on a table); without it, label monitors recompute every open window on every run and
-- late rows are not noticed. A partitioned table's partitions get the triggers too (writes aimed
-- at a partition fire only its own statement triggers): call it again after adding partitions.
-- The triggers fire also in sessions with session_replication_role = replica (ENABLE ALWAYS)
-- when the caller owns the table; PostgreSQL's own subscription apply worker fires no statement
-- trigger, so a subscribed table counts as untracked (_changes_tracked). Returns whether the
-- table's triggers are (now) installed.
CREATE FUNCTION mlobs.track_changes(source regclass, ts_column text DEFAULT 'ts') RETURNS bool
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  op text;
  tname text;
  rel regclass;
  typ oid;
BEGIN
  IF source IS NULL OR ts_column IS NULL THEN
    RAISE EXCEPTION 'source and ts_column must not be NULL' USING ERRCODE = '22004';
  END IF;
  IF (SELECT relkind FROM pg_class WHERE oid = source) NOT IN ('r', 'p') THEN
    RAISE EXCEPTION '% is not a table: changes of views and foreign tables cannot be tracked', source
      USING ERRCODE = '42809';
  END IF;
  typ := mlobs._column_type(source, ts_column);
  IF typ IS NULL THEN
    RAISE EXCEPTION 'column "%" does not exist in %', ts_column, source USING ERRCODE = '42703';
  END IF;
  IF NOT mlobs._trackable_ts_type(typ) THEN
    RAISE EXCEPTION 'column "%" of % is %: changes are tracked for a timestamptz, timestamp or date column', ts_column, source,
      format_type(typ, NULL) USING ERRCODE = '42804';
  END IF;
  IF NOT has_table_privilege(source, 'TRIGGER') THEN
    RAISE EXCEPTION 'permission denied: role % may not create triggers on %', current_user, source
      USING ERRCODE = '42501', HINT = format('GRANT TRIGGER ON %s TO %I', source, current_user);
  END IF;
  FOR rel IN SELECT t.relid FROM pg_partition_tree(source) t JOIN pg_class c ON c.oid = t.relid WHERE c.relkind IN ('r', 'p')
             UNION SELECT source LOOP
    IF NOT has_table_privilege(rel, 'TRIGGER') THEN
      RAISE NOTICE 'changes written directly to partition % are not tracked: role % may not create triggers on it', rel, current_user
        USING HINT = format('GRANT TRIGGER ON %s TO %I, then call mlobs.track_changes again', rel, current_user);
      CONTINUE;
    END IF;
    FOREACH op IN ARRAY ARRAY['insert', 'update', 'delete', 'truncate'] LOOP
      tname := format('mlobs_changes_%s_%s', op, left(md5(ts_column), 8));
      IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = rel AND tgname = tname) THEN
        -- The second argument: this session's time zone, in which a timestamp or date column's
        -- watermark filter reads the watermark until a run has recorded its own (run_zone).
        EXECUTE format('CREATE TRIGGER %I AFTER %s ON %s %s FOR EACH STATEMENT EXECUTE FUNCTION mlobs._record_source_changes(%L, %L)',
                       tname, upper(op), rel,
                       CASE op WHEN 'insert' THEN 'REFERENCING NEW TABLE AS mlobs_new' WHEN 'delete' THEN 'REFERENCING OLD TABLE AS mlobs_old'
                               WHEN 'update' THEN 'REFERENCING OLD TABLE AS mlobs_old NEW TABLE AS mlobs_new' ELSE '' END,
                       ts_column, current_setting('TimeZone'));
      END IF;
      -- Writes applied by logical replication (session_replication_role = replica) fire only
      -- ALWAYS triggers; enabling one takes the table's owner.
      -- (A trigger its owner disabled, or set to fire on replicas only, is left as it is.)
      IF (SELECT tgenabled FROM pg_trigger WHERE tgrelid = rel AND tgname = tname) = 'O' THEN
        IF pg_has_role((SELECT relowner FROM pg_class WHERE oid = rel), 'USAGE') THEN
          EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', rel, tname);
        ELSIF op = 'insert' THEN
          RAISE NOTICE 'writes that logical replication applies to % are not tracked: only its owner can enable the triggers for them', rel
            USING HINT = format('As the owner: ALTER TABLE %s ENABLE ALWAYS TRIGGER ... for each of its mlobs_changes_* triggers', rel);
        END IF;
      END IF;
    END LOOP;
  END LOOP;
  RETURN true;
END $$;

-- Whether a table's changes are tracked for a timestamp column (its three triggers exist).
-- A table a logical replication subscription writes (it, or a partitioned table above it) is
-- not tracked, whatever its triggers: the apply worker fires no statement trigger, so the
-- replicated label updates and late rows would never be recorded; its label monitors revise every
-- window within label_horizon on every run instead, as for a table without the triggers.
CREATE FUNCTION mlobs._changes_tracked(source regclass, ts_column text) RETURNS bool
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT count(*) = 3 FROM pg_trigger WHERE tgrelid = source AND tgname IN (
    'mlobs_changes_insert_' || left(md5(ts_column), 8), 'mlobs_changes_update_' || left(md5(ts_column), 8),
    'mlobs_changes_delete_' || left(md5(ts_column), 8))
  AND NOT EXISTS (SELECT 1 FROM pg_subscription_rel sr
                   WHERE sr.srrelid = source OR sr.srrelid IN (SELECT a::oid FROM pg_partition_ancestors(source) a))
$$;

-- mlobs.create_monitor: validates everything a run will need — the kind, config keys, column
-- names, types (by planning the monitor's query over no rows), drift methods and options (by
-- calling the functions themselves), the window, and that the creator may SELECT every column
-- it reads. The creator becomes the monitor's owner: runs read the source as that role.
CREATE FUNCTION mlobs.create_monitor(
  name text, model text, source regclass, kind text, config jsonb DEFAULT '{}',
  window_size interval DEFAULT '1 hour', reference_from timestamptz DEFAULT NULL,
  reference_to timestamptz DEFAULT NULL, ts_column text DEFAULT 'ts', start_at timestamptz DEFAULT NULL,
  label_horizon interval DEFAULT '7 days', late_data_horizon interval DEFAULT '1 day')
RETURNS bigint LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  m mlobs.monitors;
  d record;
  kinds text[] := ARRAY(SELECT x.kind FROM mlobs._monitor_kinds() x);
  allowed text[];
  k text;
  msg text;
  id bigint;
  label_type oid;
BEGIN
  IF source IS NULL THEN
    RAISE EXCEPTION 'source must not be NULL' USING ERRCODE = '22004';
  END IF;
  IF name IS NULL OR model IS NULL OR kind IS NULL OR config IS NULL OR window_size IS NULL OR ts_column IS NULL THEN
    RAISE EXCEPTION 'name, model, kind, config, window_size and ts_column must not be NULL' USING ERRCODE = '22004';
  END IF;
  SELECT * INTO d FROM mlobs._monitor_kinds() x WHERE x.kind = create_monitor.kind;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'kind must be % or %, got %', array_to_string(kinds[:cardinality(kinds) - 1], ', '),
      kinds[cardinality(kinds)], kind USING ERRCODE = '22023';
  END IF;
  IF jsonb_typeof(config) <> 'object' THEN
    RAISE EXCEPTION 'monitor %: config must be a JSON object, got %', name, config USING ERRCODE = '22023';
  END IF;
  allowed := d.columns || d.optional_columns || d.options || '{segment_by,max_segments,segments}'::text[];
  -- Segments (every kind): segment_by = 1 to 3 columns or 'column->key' entries.
  IF config ? 'segment_by' AND (jsonb_typeof(config->'segment_by') <> 'array' OR jsonb_array_length(config->'segment_by') NOT BETWEEN 1 AND 3
     OR EXISTS (SELECT 1 FROM jsonb_array_elements(config->'segment_by') e
                 WHERE jsonb_typeof(e) <> 'string' OR e #>> '{}' IN ('', '->') OR (e #>> '{}') LIKE '%->' OR (e #>> '{}') LIKE '->%')) THEN
    RAISE EXCEPTION 'monitor %: config.segment_by must be an array of 1 to 3 column names or ''column->key'' entries, got %', name,
      config->'segment_by' USING ERRCODE = '22023';
  END IF;
  IF config ? 'max_segments' AND (jsonb_typeof(config->'max_segments') <> 'number'
     OR (config->>'max_segments')::numeric NOT BETWEEN 1 AND 1000 OR (config->>'max_segments')::numeric % 1 <> 0) THEN
    RAISE EXCEPTION 'monitor %: config.max_segments must be a whole number from 1 to 1000, got %', name, config->'max_segments'
      USING ERRCODE = '22023';
  END IF;
  IF config ? 'segments' AND (jsonb_typeof(config->'segments') <> 'array' OR jsonb_array_length(config->'segments') NOT BETWEEN 1 AND 1000
     OR EXISTS (SELECT 1 FROM jsonb_array_elements(config->'segments') e WHERE jsonb_typeof(e) <> 'string' OR e #>> '{}' IN ('', '(other)'))) THEN
    RAISE EXCEPTION 'monitor %: config.segments must be an array of 1 to 1000 segment values (not '''' or ''(other)''), got %', name,
      config->'segments' USING ERRCODE = '22023';
  END IF;
  -- A multivariate model is fitted on the whole reference; per-segment models are not built.
  IF config ? 'segment_by' AND kind = 'multivariate_drift' THEN
    RAISE EXCEPTION 'monitor %: config.segment_by is not supported for multivariate_drift monitors', name
      USING ERRCODE = '22023', HINT = 'Create one multivariate_drift monitor per segment over a view of its rows.';
  END IF;
  IF (config ? 'max_segments' OR config ? 'segments') AND NOT config ? 'segment_by' THEN
    RAISE EXCEPTION 'monitor %: config.max_segments and config.segments need config.segment_by', name USING ERRCODE = '22023';
  END IF;
  FOR k IN SELECT jsonb_object_keys(config) LOOP
    IF NOT k = ANY (allowed) THEN
      RAISE EXCEPTION 'monitor %: unknown config key "%" for kind %; known keys: %', name, k, kind, array_to_string(allowed, ', ')
        USING ERRCODE = '22023';
    END IF;
    IF k NOT IN ('options', 'segment_by', 'max_segments', 'segments') AND jsonb_typeof(config->k) <> 'string'
       AND NOT (k = 'threshold' AND jsonb_typeof(config->k) = 'number')
       AND NOT (kind = 'multivariate_drift' AND k IN ('keys', 'variance', 'sample')) THEN
      RAISE EXCEPTION 'monitor %: config.% must be a string, got %', name, k, config->k USING ERRCODE = '22023';
    END IF;
  END LOOP;
  IF extract(month FROM window_size) <> 0 OR extract(year FROM window_size) <> 0 OR window_size < interval '1 minute' THEN
    RAISE EXCEPTION 'monitor %: window_size must be at least 1 minute and use days, hours or minutes (months and years vary in length), got %',
      name, window_size USING ERRCODE = '22023';
  END IF;
  -- Whole minutes: changes are tracked per minute (mlobs.source_changes).
  IF extract(epoch FROM window_size)::numeric % 60 <> 0 THEN
    RAISE EXCEPTION 'monitor %: window_size must be a whole number of minutes, got %', name, window_size USING ERRCODE = '22023';
  END IF;
  IF label_horizon IS NULL OR late_data_horizon IS NULL OR label_horizon < interval '0' OR late_data_horizon < interval '0'
     OR NOT isfinite(label_horizon) OR NOT isfinite(late_data_horizon) THEN
    RAISE EXCEPTION 'monitor %: label_horizon and late_data_horizon must be finite and not negative, got % and %', name,
      label_horizon, late_data_horizon USING ERRCODE = '22023';
  END IF;
  IF NOT isfinite(reference_from) OR NOT isfinite(reference_to) OR NOT isfinite(start_at) THEN
    RAISE EXCEPTION 'monitor %: reference_from, reference_to and start_at must be finite', name USING ERRCODE = '22023';
  END IF;
  IF d.needs_reference AND (reference_from IS NULL OR reference_to IS NULL OR reference_to <= reference_from) THEN
    RAISE EXCEPTION 'monitor % (%): reference_from < reference_to is required', name, kind USING ERRCODE = '22023';
  END IF;
  IF kind = 'multivariate_drift' THEN
    PERFORM mlobs._mv_check_config(name, config, reference_from, reference_to, window_size);
  END IF;
  PERFORM mlobs._monitor_check_access(name, source, kind, config, ts_column);
  m.name := name; m.kind := kind; m.config := config; m.source := source; m.ts_column := ts_column;
  -- Types: plan the window query over no rows (a float8 column as features, a text ts, ...).
  BEGIN
    EXECUTE format('SELECT count(*), %s FROM %s WHERE %I >= $1 AND %I < $2 AND false GROUP BY %s',
                   mlobs._monitor_summary_sql(m), source, ts_column, ts_column,
                   coalesce(mlobs._monitor_segment_raw_sql(config), '()'))
      USING now(), now();
  EXCEPTION WHEN undefined_function OR datatype_mismatch OR invalid_text_representation OR cannot_coerce THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
    RAISE EXCEPTION 'monitor %: the % columns of % have the wrong type for a % monitor (%)', name,
      (SELECT string_agg(format('%s %s', c.column_name, format_type(a.atttypid, a.atttypmod)), ', ')
         FROM mlobs._monitor_columns(kind, config, ts_column) c
         JOIN pg_attribute a ON a.attrelid = source AND a.attname = c.column_name),
      source, kind, msg USING ERRCODE = '42804';
  END;
  -- Methods and options, with the functions' own messages.
  IF kind = 'feature_drift' THEN
    PERFORM mlobs.drift_report(f, f, coalesce(config->>'method', 'psi'), coalesce(config->>'categorical_method', 'psi'))
      FROM (SELECT mlobs.features_agg(x) f FROM (VALUES ('{"a": 1, "b": "x"}'::jsonb), ('{"a": 2, "b": "y"}')) v(x)) s;
  ELSIF kind = 'quality' THEN
    PERFORM mlobs.quality_report(f, f, coalesce(config->'options', '{}'))
      FROM (SELECT mlobs.features_agg(x) f FROM (VALUES ('{"a": 1, "b": "x"}'::jsonb), ('{"a": 2, "b": "y"}')) v(x)) s;
  ELSIF kind = 'classification' THEN
    PERFORM mlobs.f1(mlobs.confusion_agg(x, x), coalesce(config->>'average', 'binary')) FROM (VALUES (0), (1)) v(x);
    -- The binary F1 needs 0/1 or bool labels (its positive class is 1 or true): text labels would
    -- pass this check and fail every run ("pos_label is required for text labels").
    label_type := mlobs._column_type(source, coalesce(config->>'label', 'label'));
    IF coalesce(config->>'average', 'binary') = 'binary'
       AND label_type NOT IN ('pg_catalog.bool'::regtype, 'pg_catalog.int2'::regtype, 'pg_catalog.int4'::regtype, 'pg_catalog.int8'::regtype) THEN
      RAISE EXCEPTION 'monitor %: the binary F1 (config.average, default binary) needs bool or 0/1 integer labels; % labels need "average": "macro", "micro" or "weighted"',
        name, format_type(label_type, NULL) USING ERRCODE = '22023';
    END IF;
  ELSIF kind = 'cbpe' THEN
    IF config ? 'threshold' AND NOT ((config->>'threshold')::float8 BETWEEN 0 AND 1) THEN
      RAISE EXCEPTION 'monitor %: config.threshold must be in [0, 1], got %', name, config->>'threshold' USING ERRCODE = '22023';
    END IF;
    -- The windows read only the score: the label is read by the reference's calibration map,
    -- planned here so that a text label is refused now, not by every run (review of 2026-12-07).
    BEGIN
      EXECUTE format('SELECT mlobs.calibration_agg(%s, %s) FROM %s WHERE false', mlobs._monitor_probability(m),
                     mlobs._monitor_column(m, 'label'), source);
    EXCEPTION WHEN undefined_function OR datatype_mismatch OR invalid_text_representation OR cannot_coerce THEN
      RAISE EXCEPTION 'monitor %: CBPE calibrates its reference on bool or 0/1 integer labels; column % of % is %', name,
        coalesce(config->>'label', 'label'), source,
        (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
          WHERE a.attrelid = source AND a.attname = coalesce(config->>'label', 'label') AND a.attnum > 0 AND NOT a.attisdropped)
        USING ERRCODE = '42804';
    END;
  END IF;
  INSERT INTO mlobs.monitors (name, model, source, ts_column, kind, config, window_size,
                              reference_from, reference_to, start_at, owner, label_horizon, late_data_horizon)
  VALUES (create_monitor.name, create_monitor.model, source, ts_column, kind, config, window_size,
          reference_from, reference_to, start_at, (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user)::regrole,
          label_horizon, late_data_horizon)
  RETURNING monitors.id INTO id;
  -- Late labels and late rows: track the table's changes when the creator may add triggers.
  IF NOT mlobs._changes_tracked(source, ts_column) THEN
    IF (SELECT relkind FROM pg_class WHERE oid = source) IN ('r', 'p') AND has_table_privilege(source, 'TRIGGER') THEN
      PERFORM mlobs.track_changes(source, ts_column);
    ELSE
      RAISE NOTICE 'monitor %: changes of % are not tracked (a view, or no TRIGGER privilege): label monitors recompute every window within label_horizon on every run, and rows committed after their window was computed are not counted', name, source
        USING HINT = 'Run mlobs.track_changes on the underlying table as a role with the TRIGGER privilege.';
    END IF;
  END IF;
  RETURN id;
END $$;

-- A monitor reads its source as its owner, so who may name an owner is a privilege question: a
-- role may create, edit, hand over or delete a monitor only as a role it is a member of (else an
-- admin could point a monitor owned by a superuser at any table and read its summaries, or drop
-- another team's monitors with their windows and alerts). The runtime's own updates run as the
-- owner (or a superuser) and pass. The retraining loop trains as a policy's owner:
-- mlobs.retraining_policies has the same trigger (src/sql/training.sql).
-- A monitor's row also steers the change triggers of its source, which run as the extension's
-- owner on the application's writes: a run_zone no zone database knows, or a watermark or
-- horizon no timestamp arithmetic takes, would fail (or, an infinite watermark, record) every
-- write to that table, whoever owns the monitor. Those are refused here, as create_monitor
-- would never write them.
CREATE FUNCTION mlobs._check_monitor_owner() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r record := CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
  what text := CASE TG_TABLE_NAME WHEN 'monitors' THEN 'monitor ' || (to_jsonb(r)->>'name')
                                  ELSE 'retraining policy ' || (to_jsonb(r)->>'model') END;
BEGIN
  IF (TG_OP <> 'DELETE' AND (NOT EXISTS (SELECT 1 FROM pg_roles WHERE oid = NEW.owner)
                             OR NOT pg_has_role(current_user, NEW.owner, 'MEMBER')))
     OR (TG_OP <> 'INSERT' AND EXISTS (SELECT 1 FROM pg_roles WHERE oid = OLD.owner)
         AND NOT pg_has_role(current_user, OLD.owner, 'MEMBER')) THEN
    RAISE EXCEPTION 'permission denied: role % may not % % owned by %', current_user,
      CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'DELETE' THEN 'delete' ELSE 'change' END, what,
      CASE WHEN TG_OP = 'UPDATE' AND NEW.owner <> OLD.owner THEN format('%s (to %s)', OLD.owner, NEW.owner) ELSE r.owner::text END
      USING ERRCODE = '42501', HINT = CASE TG_TABLE_NAME WHEN 'monitors' THEN 'A monitor reads its source as its owner'
                                           ELSE 'The retraining loop reads a policy''s source as its owner' END
                                      || ': only members of that role may create, change or delete it.';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  IF TG_TABLE_NAME = 'monitors' THEN
    IF NEW.run_zone IS NOT NULL THEN
      PERFORM pg_catalog.timezone(NEW.run_zone, pg_catalog.now());
    END IF;
    IF NEW.watermark IS NOT NULL THEN
      IF NOT isfinite(NEW.watermark) THEN
        RAISE EXCEPTION 'a watermark must be finite, got %', NEW.watermark USING ERRCODE = '22008';
      END IF;
      PERFORM NEW.watermark - greatest(NEW.label_horizon, NEW.late_data_horizon);
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER check_owner BEFORE INSERT OR UPDATE OR DELETE ON mlobs.monitors
  FOR EACH ROW EXECUTE FUNCTION mlobs._check_monitor_owner();

-- A disabled monitor misses the changes recorded while it is off (runs move them to the queues
-- of the enabled monitors of its table), so enabling it again queues each of its computed
-- windows as changed: its next run revises those within its horizons. Only where the table's
-- changes are tracked (otherwise label monitors revise every window within label_horizon anyway).
CREATE FUNCTION mlobs._monitor_enabled_again() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF mlobs._changes_tracked(NEW.source, NEW.ts_column) THEN
    -- Only windows a run may still revise (within the horizons of the watermark).
    INSERT INTO mlobs.monitor_changes (monitor_id, minute)
    SELECT NEW.id, w.window_start FROM mlobs.monitor_windows w
     WHERE w.monitor_id = NEW.id AND w.segment = ''
       AND w.window_end > NEW.watermark - greatest(NEW.label_horizon, NEW.late_data_horizon);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER enabled_again AFTER UPDATE OF enabled ON mlobs.monitors
  FOR EACH ROW WHEN (NEW.enabled AND NOT OLD.enabled) EXECUTE FUNCTION mlobs._monitor_enabled_again();
-- A disabled monitor is judged by no run: its open alerts resolve now (monitor_disabled, at its
-- watermark), whichever run or job comes next (a per-owner job never evaluates it; its alerts
-- stayed firing and paged for good, reviews of 2026-12-08). Evaluation sweeps them too.
CREATE FUNCTION mlobs._monitor_disabled() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  a bigint;
BEGIN
  FOR a IN
    UPDATE mlobs.alerts al SET state = 'resolved', resolved_at = greatest(al.started_at, coalesce(NEW.watermark, al.started_at)),
           resolved_reason = 'monitor_disabled', updated_at = now()
     WHERE al.monitor_id = NEW.id AND al.state <> 'resolved'
    RETURNING al.id
  LOOP
    PERFORM pg_notify('mlobs_alerts', a::text);
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER disabled AFTER UPDATE OF enabled ON mlobs.monitors
  FOR EACH ROW WHEN (OLD.enabled AND NOT NEW.enabled) EXECUTE FUNCTION mlobs._monitor_disabled();
-- A monitor whose segment_by, segments or max_segments changed learns its segments again at its
-- next run (it kept those of the old segment_by, and every row went to '(other)'). The windows
-- computed before keep theirs.
CREATE FUNCTION mlobs._monitor_segments_changed() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DELETE FROM mlobs.monitor_segments s WHERE s.monitor_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER segments_changed AFTER UPDATE OF config ON mlobs.monitors
  FOR EACH ROW WHEN (OLD.config->'segment_by' IS DISTINCT FROM NEW.config->'segment_by'
                     OR OLD.config->'segments' IS DISTINCT FROM NEW.config->'segments'
                     OR OLD.config->'max_segments' IS DISTINCT FROM NEW.config->'max_segments')
  EXECUTE FUNCTION mlobs._monitor_segments_changed();

-- Monitor management for mlobs_admin: remove a monitor with its windows, points and alerts, or
-- pause / resume it (a disabled monitor is skipped by runs; its watermark waits).
CREATE FUNCTION mlobs.drop_monitor(name text) RETURNS bool
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF name IS NULL THEN RAISE EXCEPTION 'name must not be NULL' USING ERRCODE = '22004'; END IF;
  DELETE FROM mlobs.monitors m WHERE m.name = drop_monitor.name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'monitor "%" does not exist', name USING ERRCODE = '42704';
  END IF;
  RETURN true;
END $$;
CREATE FUNCTION mlobs.set_monitor_enabled(name text, enabled bool) RETURNS bool
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF name IS NULL OR enabled IS NULL THEN
    RAISE EXCEPTION 'name and enabled must not be NULL' USING ERRCODE = '22004';
  END IF;
  UPDATE mlobs.monitors m SET enabled = set_monitor_enabled.enabled WHERE m.name = set_monitor_enabled.name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'monitor "%" does not exist', name USING ERRCODE = '42704';
  END IF;
  RETURN enabled;
END $$;

-- A monitor's score as a probability, NULL where it is not one (NaN, ±Infinity, outside [0, 1]),
-- and a target or prediction as a finite float8, NULL where it is not finite. One such row is a
-- broken model or pipeline, not an outage: it is left out like a NULL (a classification window
-- counts it as an invalid score) instead of failing the other rows' window. (NaN sorts above
-- every number in PostgreSQL: `<= 1` and `< 'Infinity'` exclude it.)
CREATE FUNCTION mlobs._monitor_probability(m mlobs.monitors, key text DEFAULT 'score') RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format('(CASE WHEN (%1$s)::float8 >= 0 AND (%1$s)::float8 <= 1 THEN (%1$s)::float8 END)', mlobs._monitor_column(m, key))
$$;
CREATE FUNCTION mlobs._monitor_finite(m mlobs.monitors, key text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT format('(CASE WHEN (%1$s)::float8 > ''-Infinity''::float8 AND (%1$s)::float8 < ''Infinity''::float8 THEN (%1$s)::float8 END)',
                mlobs._monitor_column(m, key))
$$;

-- The column a monitor's config names for `key` (default: the key itself), quoted.
CREATE FUNCTION mlobs._monitor_column(m mlobs.monitors, key text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$ SELECT quote_ident(coalesce(m.config->>key, key)) $$;

-- The aggregate expression summarising rows of a monitor's source, and its summary type.
CREATE FUNCTION mlobs._monitor_summary_sql(m mlobs.monitors) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RETURN CASE m.kind
    WHEN 'feature_drift' THEN format('mlobs.features_agg(%s)::text', mlobs._monitor_column(m, 'features'))
    WHEN 'quality' THEN format('mlobs.features_agg(%s)::text', mlobs._monitor_column(m, 'features'))
    WHEN 'prediction_drift' THEN format('mlobs.profile_agg(%s)::text', mlobs._monitor_column(m, 'score'))
    -- With scores and a concept reference, the window's concept drift is computed in the same
    -- scan (its label rates per reference score bin need the window's pairs, not a summary): an
    -- aggregate that bins each pair as it arrives (two array_aggs cost 0.14 s per 1M rows).
    WHEN 'classification' THEN format(
      'jsonb_build_object(''confusion'', mlobs.confusion_agg(%1$s, %2$s)::text, ''score'', %3$s%4$s)::text',
      mlobs._monitor_column(m, 'label'), mlobs._monitor_column(m, 'predicted'),
      CASE WHEN m.config ? 'score'
           THEN format('(mlobs.score_agg(%1$s, %2$s) FILTER (WHERE %2$s IS NOT NULL))::text, ''invalid_scores'', count(*) FILTER (WHERE %3$s IS NOT NULL AND %1$s IS NULL)',
                       mlobs._monitor_probability(m), mlobs._monitor_column(m, 'label'), mlobs._monitor_column(m, 'score'))
           ELSE 'NULL' END,
      CASE WHEN m.config ? 'score' AND jsonb_typeof(m.reference_summary::jsonb->'concept') = 'object'
           THEN format(', ''concept_drift_score'', (mlobs.concept_drift_agg(%1$L::jsonb, %2$s, %3$s::float8) FILTER (WHERE %2$s IS NOT NULL)).score',
                       m.reference_summary::jsonb->'concept', mlobs._monitor_probability(m), mlobs._monitor_column(m, 'label'))
           ELSE '' END)
    WHEN 'regression' THEN format('mlobs.regression_agg(%s, %s)::text',
      mlobs._monitor_finite(m, 'target'), mlobs._monitor_finite(m, 'prediction'))
    WHEN 'cbpe' THEN format('mlobs.profile_agg(%s)::text', mlobs._monitor_column(m, 'score'))
    WHEN 'latency' THEN format('jsonb_build_object(''latency'', mlobs.profile_agg(%s)::text, ''errors'', %s)::text',
      mlobs._monitor_column(m, 'latency_ms'),
      CASE WHEN m.config ? 'error' THEN format('count(*) FILTER (WHERE %s)', mlobs._monitor_column(m, 'error'))
           ELSE '0' END)
    WHEN 'multivariate_drift' THEN mlobs._mv_summary_sql(m)
  END;
END $$;
