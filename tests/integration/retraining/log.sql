-- The application side of tests/integration/retraining/run.sh: a prediction log whose labels
-- arrive later by UPDATE, the labels' own feed, and a generator of traffic before and after a
-- concept drift. Loaded into each database of the suite as a superuser.
SET client_min_messages = warning;
CREATE TABLE log (
  id bigserial PRIMARY KEY, ts timestamptz NOT NULL, x1 float8 NOT NULL, x2 float8 NOT NULL, x3 float8 NOT NULL,
  score float8, predicted int, label int);
CREATE INDEX ON log (ts);
-- What the label feed (chargebacks) will write into log.label, keyed by the prediction's time.
CREATE TABLE truth (ts timestamptz PRIMARY KEY, label int NOT NULL);

-- One row every 100 ms of [a, b) (600 a minute): three uniform features; the label is x1 > 0.5
-- before the drift and x2 > 0.5 after it (the concept changes, the features' distribution does
-- not), flipped for 5 % of rows. Deterministic for a seed.
CREATE FUNCTION traffic(a timestamptz, b timestamptz, drifted bool, seed float8)
RETURNS TABLE (ts timestamptz, x1 float8, x2 float8, x3 float8, y int) LANGUAGE sql VOLATILE AS $$
  SELECT t, u1, u2, u3, ((CASE WHEN drifted THEN u2 ELSE u1 END > 0.5) <> (noise < 0.05))::int
    FROM (SELECT t, random() AS u1, random() AS u2, random() AS u3, random() AS noise
            FROM (SELECT setseed(seed)) s, generate_series(a, b - interval '100 ms', interval '100 ms') t
           ORDER BY t) r
$$;

-- The application logs traffic: each row scored at insert by the model's production version
-- (mlobs.predict without a version), label NULL; the true labels go to the feed. `labelled`:
-- history whose labels are already known (inserted with them).
CREATE FUNCTION log_traffic(a timestamptz, b timestamptz, drifted bool, seed float8, labelled bool DEFAULT false)
RETURNS bigint LANGUAGE sql VOLATILE AS $$
  WITH g AS MATERIALIZED (SELECT * FROM traffic(a, b, drifted, seed)),
  feed AS (INSERT INTO truth SELECT g.ts, g.y FROM g),
  ins AS (
    INSERT INTO log (ts, x1, x2, x3, score, predicted, label)
    SELECT g.ts, g.x1, g.x2, g.x3, s.score, (s.score >= 0.5)::int, CASE WHEN labelled THEN g.y END
      FROM g CROSS JOIN LATERAL (SELECT mlobs.predict('m', ARRAY[g.x1, g.x2, g.x3]) AS score) s
    RETURNING 1)
  SELECT count(*) FROM ins
$$;

-- The label feed lands: every label known for predictions before `until`.
CREATE FUNCTION land_labels(until timestamptz) RETURNS bigint LANGUAGE sql VOLATILE AS $$
  WITH u AS (UPDATE log l SET label = t.label FROM truth t WHERE t.ts = l.ts AND l.label IS NULL AND l.ts < until RETURNING 1)
  SELECT count(*) FROM u
$$;
