-- ==== training: train, compare, stages, promote, the retraining loop (docs/training.md) ==========
-- Everything here is new in 0.3.0 and added as is by the update from 0.2.0.

-- Stages: the version predict, shap and the other readers serve by default is the one in
-- 'production' (else the latest); 'candidate' marks a version under evaluation.
CREATE TABLE mlobs.model_stages (
  name text NOT NULL,
  stage text NOT NULL CHECK (stage IN ('production', 'candidate')),
  version int NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  updated_by text NOT NULL DEFAULT CURRENT_USER,
  PRIMARY KEY (name, stage),
  FOREIGN KEY (name, version) REFERENCES mlobs.models (name, version) ON DELETE CASCADE);
COMMENT ON TABLE mlobs.model_stages IS 'The version of each model in stage production or candidate (mlobs.promote)';
CREATE TABLE mlobs.model_stage_history (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  stage text NOT NULL,
  version int NOT NULL,
  previous_version int,
  changed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  changed_by text NOT NULL DEFAULT CURRENT_USER,
  reason text);
COMMENT ON TABLE mlobs.model_stage_history IS 'Every stage change made by mlobs.promote';
SELECT pg_catalog.pg_extension_config_dump('mlobs.model_stages', '');
SELECT pg_catalog.pg_extension_config_dump('mlobs.model_stage_history', '');
SELECT pg_catalog.pg_extension_config_dump('mlobs.model_stage_history_id_seq', '');

-- How the loop retrains a model: what to read and fit, over which windows, when to promote.
CREATE TABLE mlobs.retraining_policies (
  model text PRIMARY KEY,
  source regclass NOT NULL,
  target text NOT NULL,
  features text[] NOT NULL,
  feature_names text[],
  algorithm text NOT NULL DEFAULT 'random_forest',
  params jsonb NOT NULL DEFAULT '{}',
  ts_column text NOT NULL DEFAULT 'ts',
  -- The model is trained on [end − holdout_window − train_window, end − holdout_window) and
  -- compared with production on [end − holdout_window, end], end being the last labelled row.
  train_window interval NOT NULL DEFAULT '14 days' CHECK (train_window > interval '0'),
  holdout_window interval NOT NULL DEFAULT '2 days' CHECK (holdout_window > interval '0'),
  metric text CHECK (metric IN ('accuracy', 'roc_auc', 'log_loss', 'f1', 'rmse', 'mae', 'r2')),
  min_improvement float8 NOT NULL DEFAULT 0 CHECK (min_improvement >= 0),
  -- A request raised by an alert waits until both windows lie after the alert's first breached
  -- window: a model retrained for a concept drift learns from rows of the new concept only.
  train_after_alert bool NOT NULL DEFAULT true,
  enabled bool NOT NULL DEFAULT true,
  -- The role the loop trains as (reads the source as): nobody trains on rows they cannot read.
  owner regrole NOT NULL DEFAULT pg_catalog.to_regrole(pg_catalog.quote_ident(CURRENT_USER)),
  created_at timestamptz NOT NULL DEFAULT pg_catalog.now());
COMMENT ON TABLE mlobs.retraining_policies IS 'How mlobs.process_retraining_requests retrains each model';
-- Only members of a policy's owner may create, change or delete it: the loop reads its source as that
-- role (src/sql/monitor_config.sql, _check_monitor_owner).
CREATE TRIGGER check_owner BEFORE INSERT OR UPDATE OR DELETE ON mlobs.retraining_policies
  FOR EACH ROW EXECUTE FUNCTION mlobs._check_monitor_owner();
SELECT pg_catalog.pg_extension_config_dump('mlobs.retraining_policies', '');

-- What the loop did with a request.
ALTER TABLE mlobs.retraining_requests DROP CONSTRAINT retraining_requests_status_check,
  ADD CONSTRAINT retraining_requests_status_check CHECK (status IN ('open', 'done', 'dismissed', 'failed')),
  ADD COLUMN processed_at timestamptz,
  ADD COLUMN trained_version int,
  ADD COLUMN decision text CHECK (decision IN ('promoted', 'kept', 'failed')),
  ADD COLUMN outcome jsonb,
  -- A failure's message: it can quote a value of the source (a failed cast names it), so readers
  -- get every column but this one (outcome has the SQLSTATE).
  ADD COLUMN error text;
-- One open request per model (mlobs._evaluate_alert_steps): two runs at once raised two, and the
-- model was trained twice. An update from a version without the index dismisses the later
-- duplicates.
UPDATE mlobs.retraining_requests q SET status = 'dismissed', processed_at = pg_catalog.now(), decision = NULL,
       outcome = '{"reason": "a duplicate open request of the model"}'
 WHERE q.status = 'open' AND EXISTS (SELECT 1 FROM mlobs.retraining_requests o
                                      WHERE o.model = q.model AND o.status = 'open' AND o.id < q.id);
CREATE UNIQUE INDEX retraining_requests_one_open ON mlobs.retraining_requests (model) WHERE status = 'open';

CREATE FUNCTION mlobs.train(name text, source regclass, target text, features text[],
  algorithm text DEFAULT 'random_forest', params jsonb DEFAULT '{}', train_from timestamptz DEFAULT NULL,
  train_to timestamptz DEFAULT NULL, ts_column text DEFAULT 'ts', feature_names text[] DEFAULT NULL)
RETURNS int LANGUAGE sql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT mlobs._train(name, source::oid, target, features, algorithm, params, to_jsonb(train_from) #>> '{}',
                      to_jsonb(train_to) #>> '{}',
                      ts_column, feature_names)
$$;
COMMENT ON FUNCTION mlobs.train(text, regclass, text, text[], text, jsonb, timestamptz, timestamptz, text, text[]) IS
  'Trains a model on the labelled rows of a window with smartcore and registers it as the next version (docs/training.md)';

CREATE FUNCTION mlobs.compare_models(name text, version_a int, version_b int, source regclass, "from" timestamptz,
  "to" timestamptz, target text DEFAULT NULL, features text[] DEFAULT NULL, ts_column text DEFAULT NULL)
RETURNS TABLE (metric text, value_a float8, value_b float8, difference float8, test text, statistic float8,
               p_value float8, rows bigint)
LANGUAGE sql STABLE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT * FROM mlobs._compare_models(name, version_a, version_b, source::oid, to_jsonb("from") #>> '{}',
                                      to_jsonb("to") #>> '{}', target,
                                      features, ts_column)
$$;
COMMENT ON FUNCTION mlobs.compare_models(text, int, int, regclass, timestamptz, timestamptz, text, text[], text) IS
  'Scores two versions of a model on the same labelled rows: metrics, differences (b - a) and paired tests (docs/training.md)';

-- The version a stage holds; 'production' falls back to the latest version (what the readers
-- serve), 'latest' is the newest version whatever its stage.
CREATE FUNCTION mlobs.model_version(name text, stage text DEFAULT 'production')
RETURNS int LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v int;
BEGIN
  IF stage IS NULL OR stage NOT IN ('production', 'candidate', 'latest') THEN
    RAISE EXCEPTION 'stage must be production, candidate or latest, got %', coalesce(quote_literal(stage), 'NULL')
      USING ERRCODE = '22023';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM mlobs.models m WHERE m.name = model_version.name) THEN
    RAISE EXCEPTION 'model ''%'' is not registered', model_version.name USING ERRCODE = '42704';
  END IF;
  SELECT s.version INTO v FROM mlobs.model_stages s WHERE s.name = model_version.name AND s.stage = model_version.stage;
  IF v IS NULL AND stage IN ('production', 'latest') THEN
    SELECT max(m.version) INTO v FROM mlobs.models m WHERE m.name = model_version.name;
  END IF;
  IF v IS NULL THEN
    RAISE EXCEPTION 'model ''%'' has no version in stage %', model_version.name, stage USING ERRCODE = '42704';
  END IF;
  RETURN v;
END $$;
COMMENT ON FUNCTION mlobs.model_version(text, text) IS
  'The version of a model in a stage (production: else the latest; candidate; latest)';

CREATE FUNCTION mlobs.promote(name text, version int, stage text DEFAULT 'production', reason text DEFAULT NULL)
RETURNS int LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  previous int;
BEGIN
  -- A hot standby: a clear error before any work (not "cannot execute INSERT in a read-only transaction").
  PERFORM mlobs._require_primary('mlobs.promote');
  IF stage IS NULL OR stage NOT IN ('production', 'candidate') THEN
    RAISE EXCEPTION 'stage must be production or candidate, got %', coalesce(quote_literal(stage), 'NULL')
      USING ERRCODE = '22023';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM mlobs.models m WHERE m.name = promote.name AND m.version = promote.version) THEN
    RAISE EXCEPTION 'model ''%'' version % is not registered', promote.name, coalesce(promote.version::text, 'NULL')
      USING ERRCODE = '42704';
  END IF;
  -- One stage change of a model at a time: the history's previous_version stays exact. Row locks
  -- on its versions (registered, checked above), which need a privilege only mlobs_admin has: an
  -- advisory lock's key could be taken by any role to stall promotions.
  PERFORM FROM mlobs.models m WHERE m.name = promote.name FOR NO KEY UPDATE;
  SELECT s.version INTO previous FROM mlobs.model_stages s WHERE s.name = promote.name AND s.stage = promote.stage;
  INSERT INTO mlobs.model_stages AS s (name, stage, version) VALUES (promote.name, promote.stage, promote.version)
  ON CONFLICT ON CONSTRAINT model_stages_pkey DO UPDATE
    SET version = EXCLUDED.version, updated_at = now(), updated_by = CURRENT_USER;
  -- A candidate that becomes production is no longer a candidate.
  IF stage = 'production' THEN
    DELETE FROM mlobs.model_stages s WHERE s.name = promote.name AND s.stage = 'candidate' AND s.version = promote.version;
  END IF;
  INSERT INTO mlobs.model_stage_history (name, stage, version, previous_version, reason)
  VALUES (promote.name, promote.stage, promote.version, previous, promote.reason);
  PERFORM pg_notify('mlobs_models', json_build_object('model', promote.name, 'stage', promote.stage,
                                                      'version', promote.version, 'previous', previous)::text);
  RETURN previous;
END $$;
COMMENT ON FUNCTION mlobs.promote(text, int, text, text) IS
  'Puts a model version in a stage (production by default) and records the change; returns the previous version';

-- Sets how a model is retrained; anything not given is taken from its latest version trained
-- by mlobs.train (source, target, features, algorithm, params, timestamp column).
CREATE FUNCTION mlobs.set_retraining_policy(model text, source regclass DEFAULT NULL, target text DEFAULT NULL,
  features text[] DEFAULT NULL, algorithm text DEFAULT NULL, params jsonb DEFAULT NULL,
  train_window interval DEFAULT '14 days', holdout_window interval DEFAULT '2 days', metric text DEFAULT NULL,
  min_improvement float8 DEFAULT 0, ts_column text DEFAULT NULL, feature_names text[] DEFAULT NULL,
  train_after_alert bool DEFAULT true)
RETURNS mlobs.retraining_policies LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  t jsonb;
  p mlobs.retraining_policies;
BEGIN
  IF model IS NULL THEN
    RAISE EXCEPTION 'model must not be NULL' USING ERRCODE = '22004';
  END IF;
  SELECT m.metadata->'training' INTO t FROM mlobs.models m
   WHERE m.name = set_retraining_policy.model AND m.metadata ? 'training' ORDER BY m.version DESC LIMIT 1;
  t := coalesce(t, '{}');
  p.model := model;
  p.source := coalesce(source, to_regclass(t->>'source'));
  p.target := coalesce(target, t->>'target');
  p.features := coalesce(features, CASE
    WHEN t->'features' ? 'columns' THEN ARRAY(SELECT jsonb_array_elements_text(t->'features'->'columns'))
    WHEN t->'features' ? 'jsonb' THEN ARRAY[t->'features'->>'jsonb'] END);
  -- Names belong to the jsonb column they were found in: inherited only with that column (a
  -- policy moved to columns or to another jsonb column finds its own); '{}' clears them.
  p.feature_names := CASE WHEN feature_names IS NOT NULL THEN nullif(feature_names, '{}')
    WHEN t->'features' ? 'jsonb' AND p.features = ARRAY[t->'features'->>'jsonb']
    THEN ARRAY(SELECT jsonb_array_elements_text(t->'features'->'names')) END;
  p.algorithm := coalesce(algorithm, t->>'algorithm', 'random_forest');
  -- The training's task and max_rows are recorded beside its params: without them an integer
  -- target fitted as a regression would be retrained as a classifier. The task goes with its target.
  p.params := coalesce(params, ((t->'params') - 'holdout') || jsonb_strip_nulls(jsonb_build_object(
    'max_rows', t->'max_rows', 'task', CASE WHEN p.target = t->>'target' THEN t->'task' END)), '{}');
  p.ts_column := coalesce(ts_column, t->>'ts_column', 'ts');
  IF p.source IS NULL OR p.target IS NULL OR p.features IS NULL THEN
    RAISE EXCEPTION 'model ''%'': give source, target and features (no version trained by mlobs.train to take them from)', model
      USING ERRCODE = '22023';
  END IF;
  p.train_window := train_window;
  p.holdout_window := holdout_window;
  p.metric := metric;
  p.min_improvement := min_improvement;
  p.train_after_alert := coalesce(train_after_alert, true);
  p.enabled := true;
  p.owner := to_regrole(quote_ident(CURRENT_USER));
  p.created_at := now();
  INSERT INTO mlobs.retraining_policies VALUES (p.*)
  ON CONFLICT ON CONSTRAINT retraining_policies_pkey DO UPDATE SET source = EXCLUDED.source, target = EXCLUDED.target,
    features = EXCLUDED.features, feature_names = EXCLUDED.feature_names, algorithm = EXCLUDED.algorithm,
    params = EXCLUDED.params, ts_column = EXCLUDED.ts_column, train_window = EXCLUDED.train_window,
    holdout_window = EXCLUDED.holdout_window, metric = EXCLUDED.metric, min_improvement = EXCLUDED.min_improvement,
    train_after_alert = EXCLUDED.train_after_alert, enabled = true, owner = EXCLUDED.owner
  RETURNING * INTO p;
  RETURN p;
END $$;
COMMENT ON FUNCTION mlobs.set_retraining_policy(text, regclass, text, text[], text, jsonb, interval, interval, text, float8, text, text[], bool) IS
  'Sets how mlobs.process_retraining_requests retrains a model (defaults from its latest trained version)';

-- The loop: each open request of a model with an enabled policy is trained on the policy's
-- recent labelled window (after the alert's breach, see train_after_alert; until then it
-- waits), compared with the production version on the rows after it (on the policy's features:
-- the production version may need no others), and promoted when better by more than min_improvement (else kept
-- as the candidate). Each request
-- is one subtransaction: a failure is recorded on it (status failed) and the others go on.
-- Requests are locked (SKIP LOCKED): two runs at once never process one twice; a run killed
-- midway commits nothing, and its requests stay open for the next run; a run cancelled
-- (statement_timeout) keeps the requests it finished. A run leaves the requests of policies whose
-- owner its session user may not act as open, for that owner's run.
CREATE FUNCTION mlobs.process_retraining_requests(model text DEFAULT NULL)
RETURNS TABLE (request_id bigint, model_name text, decision text, trained_version int, production_version int,
               metric text, production_value float8, trained_value float8, p_value float8, error text)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  req mlobs.retraining_requests;
  pol mlobs.retraining_policies;
  owner_name text;
  saved_role text := current_setting('role');
  last_ts timestamptz;
  alert_start timestamptz;
  holdout_from timestamptz;
  v int;
  prod int;
  m text;
  lower_better bool;
  c record;
  improvement float8;
  result jsonb;
  params jsonb;
  outside text[];
  reraise bigint[];
  later timestamptz;
  objective text;
  bad record;
  canceled bool := false;
BEGIN
  -- A hot standby: a clear error before any work (not "cannot execute INSERT in a read-only transaction").
  PERFORM mlobs._require_primary('mlobs.process_retraining_requests');
  -- Alerts raise a request when they start firing. One still firing after its model's last
  -- request ended without a promotion (kept or failed) asks again once a holdout window has
  -- passed since: the drift is not left unretrained for as long as the alert lasts.
  -- Two runs at once: each locks the last request it would raise after (SKIP LOCKED: the other
  -- run leaves that model), and the INSERT, a later statement, sees a request another run
  -- committed meanwhile: one request (and one candidate) per holdout window, not one per run.
  reraise := ARRAY(
    SELECT x.id FROM mlobs.retraining_requests x
     WHERE x.id IN (SELECT q.id FROM mlobs.retraining_policies p
                      JOIN LATERAL (SELECT y.* FROM mlobs.retraining_requests y WHERE y.model = p.model ORDER BY y.id DESC LIMIT 1) q ON true
                     WHERE p.enabled AND (process_retraining_requests.model IS NULL OR p.model = process_retraining_requests.model)
                       AND q.status IN ('done', 'failed') AND q.decision IS DISTINCT FROM 'promoted'
                       AND q.processed_at < now() - p.holdout_window
                       AND EXISTS (SELECT 1 FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id AND r.request_retraining
                                    WHERE a.model = p.model AND a.state = 'firing'))
     FOR UPDATE OF x SKIP LOCKED);
  -- An older request set back to open by hand holds the model's one open request: no second one
  -- (the unique index failed the whole call, every model's requests with it). Dynamic SQL: the
  -- conflict target's column would read as this function's parameter `model`.
  EXECUTE $ins$
  INSERT INTO mlobs.retraining_requests (model, alert_id, reason)
  SELECT DISTINCT ON (p.model) p.model, a.id,
         format('alert %s still firing after request %s ended %s', a.id, q.id, coalesce(q.decision, q.status))
    FROM mlobs.retraining_policies p
    JOIN LATERAL (SELECT * FROM mlobs.retraining_requests x WHERE x.model = p.model ORDER BY x.id DESC LIMIT 1) q ON true
    JOIN mlobs.alerts a ON a.model = p.model AND a.state = 'firing'
    JOIN mlobs.alert_rules r ON r.id = a.rule_id AND r.request_retraining
   -- q is still the model's last request, one reraise chose (ended, not promoted, a holdout
   -- window ago): not one another run raised meanwhile.
   WHERE p.enabled AND ($1 IS NULL OR p.model = $1) AND q.id = ANY ($2)
   ORDER BY p.model, a.id
  ON CONFLICT (model) WHERE status = 'open' DO NOTHING$ins$ USING process_retraining_requests.model, reraise;
  FOR req IN SELECT q.* FROM mlobs.retraining_requests q
              WHERE q.status = 'open' AND (process_retraining_requests.model IS NULL OR q.model = process_retraining_requests.model)
                -- Another team's requests are its own run's: left open, like those of a model
                -- without a policy (a policy whose owner was dropped fails its requests, 42704).
                AND EXISTS (SELECT 1 FROM mlobs.retraining_policies p WHERE p.model = q.model AND p.enabled
                              AND (p.owner = to_regrole(quote_ident(current_user)) OR pg_has_role(session_user, p.owner, 'MEMBER')
                                   OR NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.oid = p.owner)))
              -- A request cancelled by a run's statement_timeout goes after the others: one that
              -- never fits the timeout does not hold the rest back.
              ORDER BY coalesce((q.outcome->>'canceled')::int, 0), q.id FOR UPDATE OF q SKIP LOCKED LOOP
    request_id := req.id; model_name := req.model; decision := NULL; trained_version := NULL;
    production_version := NULL; metric := NULL; production_value := NULL; trained_value := NULL;
    p_value := NULL; error := NULL;
    BEGIN
      SELECT * INTO pol FROM mlobs.retraining_policies p WHERE p.model = req.model;
      SELECT rolname INTO owner_name FROM pg_roles WHERE oid = pol.owner;
      IF owner_name IS NULL THEN
        RAISE EXCEPTION 'the retraining policy''s owner (role oid %) no longer exists', pol.owner::oid USING ERRCODE = '42704';
      END IF;
      IF owner_name <> current_user AND NOT pg_has_role(session_user, pol.owner, 'MEMBER') THEN
        CONTINUE;  -- the policy changed owner since the request was taken: that owner's run's (open)
      END IF;
      IF owner_name <> current_user THEN
        PERFORM set_config('role', owner_name, true);
      END IF;
      -- A regclass of a dropped table prints as its OID (a syntax error in the queries below).
      IF NOT EXISTS (SELECT 1 FROM pg_class cl WHERE cl.oid = pol.source) THEN
        RAISE EXCEPTION '%', format('model %L: the retraining policy''s source (relation oid %s%s) no longer exists; '
            'set the policy again with its source (mlobs.set_retraining_policy)', req.model, pol.source::oid,
          coalesce((SELECT format(', %s when version %s was trained', x.metadata->'training'->>'source', x.version)
                      FROM mlobs.models x WHERE x.name = req.model AND x.metadata ? 'training' ORDER BY x.version DESC LIMIT 1), ''))
          USING ERRCODE = '42P01';
      END IF;
      -- Rows stamped after this run's now (a client's wrong clock) are not read: one of them would
      -- put every window in the future.
      EXECUTE format('SELECT max(%I) FROM %s WHERE %I IS NOT NULL AND %I <= $1', pol.ts_column, pol.source, pol.target,
                     pol.ts_column) INTO last_ts USING now();
      IF last_ts IS NULL THEN
        EXECUTE format('SELECT min(%I) FROM %s WHERE %I IS NOT NULL', pol.ts_column, pol.source, pol.target) INTO later;
        RAISE EXCEPTION '%', format('no labelled rows in %s%s', pol.source, CASE WHEN later IS NOT NULL
          THEN format(' stamped up to now; the first is stamped %s', to_jsonb(later) #>> '{}') ELSE '' END) USING ERRCODE = '22023';
      END IF;
      SELECT a.window_start INTO alert_start FROM mlobs.alerts a WHERE a.id = req.alert_id;
      IF pol.train_after_alert AND alert_start IS NOT NULL
         AND last_ts < alert_start + pol.train_window + pol.holdout_window THEN
        -- Not enough labelled rows after the breach yet: the request stays open.
        PERFORM set_config('role', saved_role, true);
        UPDATE mlobs.retraining_requests q SET outcome = jsonb_build_object('waiting_for_labels_until',
               alert_start + pol.train_window + pol.holdout_window, 'last_labelled', last_ts)
         WHERE q.id = req.id;
        decision := 'waiting';
        RETURN NEXT;
        CONTINUE;
      END IF;
      holdout_from := last_ts - pol.holdout_window;
      -- The policy's holdout window is the evaluation; inside the training window every row is fitted.
      params := jsonb_build_object('holdout', 0) || pol.params;
      v := mlobs.train(req.model, pol.source, pol.target, pol.features, pol.algorithm, params,
                       holdout_from - pol.train_window, holdout_from, pol.ts_column, pol.feature_names);
      trained_version := v;
      SELECT s.version INTO prod FROM mlobs.model_stages s WHERE s.name = req.model AND s.stage = 'production';
      IF prod IS NULL THEN
        SELECT max(x.version) INTO prod FROM mlobs.models x WHERE x.name = req.model AND x.version < v;
      END IF;
      production_version := prod;
      IF prod IS NULL THEN
        decision := 'promoted';
        result := jsonb_build_object('reason', 'no production version');
      ELSE
        -- Rows are read with the owner's rights, so only what the policy trains on: any mlobs_admin
        -- can register and promote a version whose feature names are other columns (or keys) of
        -- the source, and would read them through the comparison's results and errors.
        SELECT array_agg(f ORDER BY f) INTO outside
          FROM unnest((SELECT x.feature_names FROM mlobs.models x WHERE x.name = req.model AND x.version = prod)) f
         WHERE f <> ALL (coalesce((SELECT x.feature_names FROM mlobs.models x WHERE x.name = req.model AND x.version = v), '{}'));
        IF outside IS NOT NULL THEN
          RAISE EXCEPTION 'production version % needs features the policy does not train on: %', prod, array_to_string(outside, ', ')
            USING ERRCODE = '22023',
                  HINT = 'Compare the versions with mlobs.compare_models and promote by hand, or add the features to the policy.';
        END IF;
        SELECT x.objective INTO objective FROM mlobs.models x WHERE x.name = req.model AND x.version = v;
        m := coalesce(pol.metric, CASE WHEN objective IN ('regression', 'regressor') THEN 'rmse' ELSE 'roc_auc' END);
        BEGIN
          SELECT * INTO c FROM mlobs.compare_models(req.model, prod, v, pol.source, holdout_from, last_ts + interval '1 microsecond',
                                                    pol.target, pol.features, pol.ts_column) x WHERE x.metric = m;
          IF m = 'roc_auc' AND c.value_a IS NULL THEN
            m := 'accuracy';
            SELECT * INTO c FROM mlobs.compare_models(req.model, prod, v, pol.source, holdout_from, last_ts + interval '1 microsecond',
                                                      pol.target, pol.features, pol.ts_column) x WHERE x.metric = m;
          END IF;
        EXCEPTION WHEN invalid_parameter_value THEN
          -- A regression label that is not finite (or whose error overflows) fails the comparison's
          -- paired test with "loss_a must be finite", naming nothing: name the model, the window
          -- and the row, as train does for its own rows (the target is not finite).
          IF SQLERRM NOT LIKE 'loss\_% must be finite%' OR objective NOT IN ('regression', 'regressor') THEN
            RAISE;
          END IF;
          EXECUTE format('SELECT %1$I AS ts, %2$I::float8 AS y FROM %3$s WHERE %1$I >= $1 AND %1$I <= $2 AND %2$I IS NOT NULL '
                         'ORDER BY %2$I::float8 IN (''NaN'', ''Infinity'', ''-Infinity'') DESC, abs(%2$I::float8) DESC NULLS FIRST, %1$I LIMIT 1',
                         pol.ts_column, pol.target, pol.source) INTO bad USING holdout_from, last_ts;
          RAISE EXCEPTION '%', format('model %L: cannot compare the trained version with version %s on the holdout [%s, %s]: %s',
                                      req.model, prod, to_jsonb(holdout_from) #>> '{}', to_jsonb(last_ts) #>> '{}',
                                      CASE WHEN bad.y IN ('NaN', 'Infinity', '-Infinity')
                                           THEN format('the target is not finite (%s) in the row at %s', bad.y, to_jsonb(bad.ts) #>> '{}')
                                           ELSE format('a row''s error is not finite; the largest target is %s, in the row at %s', bad.y,
                                                       to_jsonb(bad.ts) #>> '{}') END)
            USING ERRCODE = '22023';
        END;
        IF c.value_a IS NULL OR c.value_b IS NULL THEN
          RAISE EXCEPTION 'no labelled rows to compare on in [%, %]', holdout_from, last_ts USING ERRCODE = '22023';
        END IF;
        lower_better := m IN ('rmse', 'mae', 'log_loss');
        improvement := CASE WHEN lower_better THEN c.value_a - c.value_b ELSE c.value_b - c.value_a END;
        metric := m; production_value := c.value_a; trained_value := c.value_b; p_value := c.p_value;
        decision := CASE WHEN improvement > pol.min_improvement THEN 'promoted' ELSE 'kept' END;
        result := jsonb_build_object('metric', m, 'production_value', c.value_a, 'trained_value', c.value_b,
                                     'improvement', improvement, 'min_improvement', pol.min_improvement,
                                     'test', c.test, 'p_value', c.p_value, 'rows', c.rows);
      END IF;
      PERFORM set_config('role', saved_role, true);
      PERFORM mlobs.promote(req.model, v, CASE decision WHEN 'promoted' THEN 'production' ELSE 'candidate' END,
                            format('retraining request %s', req.id));
      result := result || jsonb_build_object('production_version', prod, 'trained_version', v,
        'train_window', jsonb_build_array(holdout_from - pol.train_window, holdout_from),
        'holdout_window', jsonb_build_array(holdout_from, last_ts));
      UPDATE mlobs.models x SET metadata = x.metadata || jsonb_build_object('retraining', result)
       WHERE x.name = req.model AND x.version = v;
      UPDATE mlobs.retraining_requests q SET status = 'done', processed_at = now(), trained_version = v,
             decision = process_retraining_requests.decision, outcome = result
       WHERE q.id = req.id;
    EXCEPTION WHEN query_canceled THEN
      -- statement_timeout (a common guard on a job's role) or a cancel request: this request is
      -- rolled back and left open, the requests before it are kept and returned (the statement
      -- ends, its transaction commits them), the rest are left to the next run. Otherwise a run
      -- longer than the timeout lost every request it finished, and each run redid the same ones.
      decision := 'canceled'; trained_version := NULL; error := SQLERRM;
      canceled := true;
      UPDATE mlobs.retraining_requests q
         SET outcome = jsonb_build_object('canceled', coalesce((q.outcome->>'canceled')::int, 0) + 1, 'sqlstate', SQLSTATE)
       WHERE q.id = req.id;
    WHEN OTHERS THEN
      -- The subtransaction's rollback undid the version and restored the role.
      decision := 'failed'; trained_version := NULL; error := SQLERRM;
      UPDATE mlobs.retraining_requests q SET status = 'failed', processed_at = now(), decision = 'failed',
             outcome = jsonb_build_object('sqlstate', SQLSTATE), error = SQLERRM
       WHERE q.id = req.id;
    END;
    IF canceled THEN
      RETURN NEXT;
      EXIT;
    END IF;
    PERFORM pg_notify('mlobs_retraining_done', json_build_object('request', req.id, 'model', req.model,
                      'decision', decision, 'version', trained_version)::text);
    RETURN NEXT;
  END LOOP;
END $$;
COMMENT ON FUNCTION mlobs.process_retraining_requests(text) IS
  'Retrains, compares and (when better) promotes the models of open retraining requests (schedule with pg_cron)';
