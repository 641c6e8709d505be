-- A database whose encoding is not UTF-8 (LATIN1): text arguments are checked, not trusted.
-- pgrx's own conversion panicked (XX000) on any non-ASCII byte of a text argument there, and
-- read text[] elements unchecked. Valid UTF-8 is accepted (the bytes of every jsonb key the
-- aggregates read are held to it), anything else is 22023 naming the argument.
DROP DATABASE IF EXISTS mlobs_regress_latin1;
CREATE DATABASE mlobs_regress_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
\c mlobs_regress_latin1
SET client_encoding = 'UTF8';
CREATE EXTENSION mlobs;
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- 'é' is the byte E9 here (not UTF-8); 'Ã©' the bytes C3 A9 (UTF-8 for é).
CREATE TABLE enc_log (j jsonb, c text);
INSERT INTO enc_log VALUES ('{"prix": 1, "Ã©": 5}', 'é'), ('{"prix": 2, "Ã©": 6}', 'Ã©');
SELECT mlobs.features(mlobs.features_agg(j)) AS keys FROM enc_log;
-- The key is found by the text that names it.
SELECT mlobs.mean(mlobs.feature_profile(mlobs.features_agg(j), 'Ã©')) AS mean_of_key FROM enc_log;
SELECT mlobs.jsonb_floats(j, '{prix,Ã©}') AS floats FROM enc_log ORDER BY 1;
SELECT mlobs.register_model('modÃ¨le', 'linear', '{"coefficients": [[1]], "intercept": [0], "link": "identity"}', ARRAY['Ã©']) AS v;
SELECT mlobs.predict('modÃ¨le', '{"Ã©": 2}'::jsonb) AS prediction;
-- Text that is not UTF-8: 22023 for every kind of text argument (each was XX000 or unchecked).
SELECT q, pg_temp.err(q) AS outcome FROM (VALUES
  ($$SELECT mlobs.feature_profile(mlobs.features_agg(j), 'é') FROM enc_log$$),
  ($$SELECT mlobs.feature_categories(mlobs.features_agg(j), 'é') FROM enc_log$$),
  ($$SELECT mlobs.jsonb_floats(j, '{prix,é}') FROM enc_log$$),
  ($$SELECT mlobs.predict('modèle', '{"a": 1}'::jsonb)$$),
  ($$SELECT mlobs.register_model('m', 'linear', '{"coefficients": [[1]], "intercept": [0], "link": "identity"}', ARRAY['é'])$$),
  ($$SELECT (mlobs.drift(ARRAY['é', 'a'], ARRAY['a', 'a'])).statistic$$),
  ($$SELECT mlobs.f1(mlobs.confusion_agg(true, true), average => 'é') FROM enc_log$$),
  ($$SELECT mlobs.tpr(mlobs.confusion_agg(true, true), 'é') FROM enc_log$$),
  ($$SELECT r.* FROM (SELECT mlobs.confusion_agg(true, true) AS c FROM enc_log) x, mlobs.performance_report(x.c, x.c, 0.1, 'é') r$$),
  ($$SELECT r.* FROM (SELECT mlobs.features_agg(j) AS f FROM enc_log) x, mlobs.drift_report(x.f, x.f, 'é') r$$),
  ($$SELECT mlobs.shap_importance_agg('modèle', j) FROM enc_log$$),
  ($$SELECT mlobs.category_agg(c) FROM enc_log$$)
) t(q);
-- Values read from a source by mlobs.train (keys, strings, a text target): checked the same way
-- (pgrx's String conversion of a query result was XX000 on them).
CREATE TABLE enc_train AS
SELECT i, timestamptz '2026-01-01 00:00+00' + i * interval '1 minute' AS ts,
       jsonb_build_object('Ã©', i % 7, 'b', i % 3) AS f, (i % 7 > 3)::int AS y, CASE WHEN i % 2 = 0 THEN 'oui' ELSE 'non' END AS t
FROM generate_series(1, 200) i;
SELECT mlobs.train('enc_ok', 'enc_train', 'y', ARRAY['f'], 'decision_tree') AS v;
SELECT feature_names FROM mlobs.models WHERE name = 'enc_ok';
UPDATE enc_train SET f = f || '{"é": 1}' WHERE i = 10;
SELECT pg_temp.err($$SELECT mlobs.train('enc_bad', 'enc_train', 'y', ARRAY['f'], 'decision_tree')$$) AS non_utf8_key;
UPDATE enc_train SET f = f - 'é', t = 'été' WHERE i = 10;
SELECT pg_temp.err($$SELECT mlobs.train('enc_bad', 'enc_train', 't', ARRAY['f'], 'decision_tree')$$) AS non_utf8_target;
-- A text ts_column with a value that is not UTF-8 (was XX000 too).
CREATE TABLE enc_ts AS SELECT 'é' || i AS ts, jsonb_build_object('b', i % 3) AS f, i % 2 AS y FROM generate_series(1, 50) i;
SELECT pg_temp.err($$SELECT mlobs.train('enc_ts', 'enc_ts', 'y', ARRAY['f'], 'decision_tree', ts_column => 'ts')$$) AS non_utf8_ts;
-- mlobs.report here, of a table, monitors and a model named with é: the whole report was
-- 22023 (its data passed as text), and reading the log as the monitors' owner refused the
-- table's name. The document is ASCII in this encoding, é written as &#xE9;. (A jsonb string
-- that is not UTF-8 is refused by the aggregates here, docs/errors.md: the categories are ASCII.)
CREATE TABLE "journal_é" (ts timestamptz, features jsonb, label int, predicted int);
INSERT INTO "journal_é" SELECT timestamptz '2026-01-01 00:00+00' + i * interval '10 minutes',
       jsonb_build_object('prix', (i % 50) * CASE WHEN i >= 432 THEN 3 ELSE 1 END, 'ville', CASE WHEN i % 2 = 0 THEN 'Orleans' ELSE 'Nimes' END),
       i % 2, (i / 3) % 2
  FROM generate_series(0, 575) i;
DROP ROLE IF EXISTS regress_enc_admin;
CREATE ROLE regress_enc_admin IN ROLE mlobs_admin;
GRANT SELECT ON "journal_é" TO regress_enc_admin;
SET ROLE regress_enc_admin;
SET client_min_messages = warning;
SELECT mlobs.create_monitor('dérive', 'modèle_é', '"journal_é"', 'feature_drift', '{}', '6 hours',
                            '2026-01-01 00:00+00', '2026-01-02 00:00+00') > 0 AS created,
       mlobs.create_monitor('classes é', 'modèle_é', '"journal_é"', 'classification', '{}', '6 hours',
                            '2026-01-01 00:00+00', '2026-01-02 00:00+00') > 0 AS created;
SELECT status FROM mlobs.run_monitors('2026-01-05 00:00+00', monitor_ids => ARRAY(SELECT id FROM mlobs.monitors WHERE model = 'modèle_é'));
RESET ROLE;
SELECT r !~ '[\u0080-\u00FF]' AS ascii, r LIKE '%mod&#xE8;le_&#xE9;%' AS model_named, r LIKE '%Confusion matrix%' AS confusion,
       r LIKE '%id="distributions"%' AS distributions, r LIKE '%Orleans%' AS category_named
  FROM mlobs.report('modèle_é', '2026-01-02 00:00+00', '2026-01-05 00:00+00') r;
DELETE FROM mlobs.monitors WHERE model = 'modèle_é';
\c mlobs_regress
DROP DATABASE mlobs_regress_latin1;
DROP ROLE regress_enc_admin;
