-- The second database of tests/integration/retraining/run.sh (no pg_cron): the loop's failure
-- paths, called by hand. Run as a superuser after log.sql; rt_runner (a mlobs_admin login) exists.
SET client_min_messages = warning;
-- An hour of labelled traffic, one row a second; the concept drifts halfway.
CREATE TABLE src_a AS SELECT ts, x1, x2, x3, y AS label FROM traffic(date_trunc('minute', now()) - interval '60 minutes',
                                                                 date_trunc('minute', now()), false, 0.5) WHERE extract(millisecond FROM ts)::int % 1000 = 0;
CREATE TABLE src_b AS
SELECT ts, x1, x2, x3, y AS label FROM traffic(date_trunc('minute', now()) - interval '60 minutes', date_trunc('minute', now()) - interval '30 minutes', false, 0.6)
 WHERE extract(millisecond FROM ts)::int % 1000 = 0
UNION ALL
SELECT ts, x1, x2, x3, y FROM traffic(date_trunc('minute', now()) - interval '30 minutes', date_trunc('minute', now()), true, 0.7)
 WHERE extract(millisecond FROM ts)::int % 1000 = 0;
-- src_b, 0.1 s slower per scan (two runs at once overlap), and src_b that sleeps a minute per
-- scan when the session sets rt.sleep = on (a run to kill mid-training).
CREATE VIEW slowish AS SELECT s.* FROM src_b s, (SELECT pg_sleep(0.1)) z;
CREATE VIEW sleepy AS
SELECT s.* FROM src_b s, (SELECT pg_sleep(CASE WHEN current_setting('rt.sleep', true) = 'on' THEN 60 ELSE 0 END)) z;
GRANT SELECT ON src_a, src_b, slowish, sleepy TO rt_runner;
