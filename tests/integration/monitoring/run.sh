#!/usr/bin/env bash
# Monitoring against real sessions and a real pg_cron (what pg_regress cannot show):
#  1. every alert transition NOTIFYs mlobs_alerts with the alert id (a listening session gets them);
#  2. a run overlapping another (advisory lock held) returns 'skipped' instead of waiting or
#     duplicating work, but runs of different monitors at once both proceed; run_monitors_committed shows each group's windows to other sessions as
#     it goes (progress in pg_stat_activity) and a backend killed mid-run keeps them;
#  3. mlobs.schedule_monitors() under pg_cron 1.4 (shared_preload_libraries) makes mlobs.runs rows
#     appear without anyone calling run_monitors (minute granularity: waits up to ~2.5 minutes),
#     and so does schedule_monitors_command's statement for a second database without pg_cron.
# Uses its own cluster (.run/it, port 28819) with the installed mlobs build. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../../.."
PORT=${MLOBS_IT_PORT:-28819}
DB=mlobs_it
bash scripts/pg_cluster.sh destroy it
bash scripts/pg_cluster.sh start it "$PORT" "shared_preload_libraries = 'pg_cron'" \
  "cron.database_name = '$DB'" "cron.use_background_workers = on" "timezone = 'UTC'"
WORK_DIR=$(mktemp -d)
trap 'bash scripts/pg_cluster.sh destroy it; rm -rf "$WORK_DIR"' EXIT
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB"
fail() { echo "FAIL: $*" >&2; exit 1; }

# A log whose latency jumps 12 minutes ago: one 1-minute latency monitor over the last 40 minutes.
"${PSQL[@]}" -d "$DB" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION pg_cron;
CREATE EXTENSION mlobs;
CREATE TABLE log AS
SELECT ts, 20 + (extract(epoch FROM ts)::bigint % 50) + CASE WHEN ts >= date_trunc('minute', now()) - interval '12 minutes' THEN 400 ELSE 0 END AS latency_ms
FROM generate_series(date_trunc('minute', now()) - interval '40 minutes', now() + interval '10 minutes', interval '2 seconds') ts;
SELECT mlobs.create_monitor('api latency', 'fraud', 'log', 'latency', '{}', '1 minute',
                            start_at => date_trunc('minute', now()) - interval '40 minutes');
SQL

echo "== 1. NOTIFY mlobs_alerts on every transition"
out=$("${PSQL[@]}" -d "$DB" -At <<'SQL'
LISTEN mlobs_alerts;
SELECT 'transitions=' || alert_transitions FROM mlobs.run_monitors(date_trunc('minute', now()) - interval '2 minutes');
SQL
)
transitions=$(grep -o 'transitions=[0-9]*' <<<"$out" | cut -d= -f2)
mapfile -t payloads < <(grep -o 'Asynchronous notification "mlobs_alerts" with payload "[0-9]*"' <<<"$out" | grep -o '"[0-9]*"$' | tr -d '"')
ids=$("${PSQL[@]}" -d "$DB" -At -c "SELECT string_agg(id::text, ' ' ORDER BY id) FROM mlobs.alerts")
echo "transitions: $transitions; notified ids: ${payloads[*]:-none}; alert ids: $ids"
[ "${transitions:-0}" -ge 1 ] || fail "expected at least one alert transition"
[ "${#payloads[@]}" -eq "$transitions" ] || fail "one NOTIFY per transition expected"
for p in "${payloads[@]}"; do grep -qw "$p" <<<"$ids" || fail "notified id $p is not an alert"; done

echo "== 2. an overlapping run is skipped"
# Runs lock rows, not advisory keys anyone can take: a session holding the advisory key of
# 0.3.0's first draft stalls nothing.
"${PSQL[@]}" -d "$DB" -c "BEGIN; SELECT pg_advisory_xact_lock(hashtext('mlobs.run_monitors')); SELECT pg_sleep(4); COMMIT;" >/dev/null &
holder=$!
sleep 1
status=$("${PSQL[@]}" -d "$DB" -At -c "SELECT status FROM mlobs.run_monitors()")
wait "$holder"
echo "run while an advisory key is held: $status"
[ "$status" = ok ] || fail "an advisory lock anyone can take stalled the run: '$status'"
"${PSQL[@]}" -d "$DB" -c "BEGIN" -c "SELECT 1 FROM mlobs.run_lock FOR UPDATE" -c "SELECT pg_sleep(6)" -c "COMMIT" >/dev/null &
holder=$!
sleep 2
status=$("${PSQL[@]}" -d "$DB" -At -c "SELECT status FROM mlobs.run_monitors()")
wait "$holder"
echo "overlapping run: $status"
[ "$status" = skipped ] || fail "expected 'skipped', got '$status'"
status=$("${PSQL[@]}" -d "$DB" -At -c "SELECT status FROM mlobs.run_monitors()")
echo "next run: $status"
[ "$status" = ok ] || fail "expected 'ok' after the lock was released, got '$status'"

echo "== 2b. run_monitors_committed: each group commits; a killed backend keeps the finished ones"
# Two groups: 'fast' reads log, 'slow' a view that sleeps 5 ms per row (~6 s of windows).
"${PSQL[@]}" -d "$DB" <<'SQL'
SET client_min_messages = warning;
CREATE FUNCTION slowly(x float8) RETURNS float8 LANGUAGE plpgsql VOLATILE AS $$ BEGIN PERFORM pg_sleep(0.005); RETURN x; END $$;
CREATE VIEW slow_log AS SELECT ts, slowly(latency_ms) AS latency_ms FROM log;
SELECT mlobs.create_monitor('fast', 'commit', 'log', 'latency', '{}', '1 minute', start_at => date_trunc('minute', now()) - interval '40 minutes');
SELECT mlobs.create_monitor('slow', 'commit', 'slow_log', 'latency', '{}', '1 minute', start_at => date_trunc('minute', now()) - interval '40 minutes');
SQL
"${PSQL[@]}" -d "$DB" -c "SET application_name = 'committed_it'" -c "CALL mlobs.run_monitors_committed()" >/dev/null 2>&1 &
caller=$!
seen=""
for _ in $(seq 1 100); do
  sleep 0.1
  seen=$("${PSQL[@]}" -d "$DB" -At -c "SELECT (SELECT count(*) FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id WHERE m.name = 'fast')
                                                || ' ' || coalesce((SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'mlobs run_monitors: %slow_log%' LIMIT 1), '')")
  case "$seen" in 0*) ;; *slow_log*) break ;; esac
done
echo "while 'slow' runs, another session sees: $seen"
case "$seen" in 0*|"") fail "fast's windows were not visible while the slow group ran" ;; esac
grep -q "slow_log window" <<<"$seen" || fail "pg_stat_activity did not show the slow group's progress"
"${PSQL[@]}" -d "$DB" -At -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'mlobs run_monitors: %slow_log%'" >/dev/null
wait "$caller" && fail "the killed CALL reported success"
kept=$("${PSQL[@]}" -d "$DB" -At -c "SELECT string_agg(m.name || '=' || (SELECT count(*) FROM mlobs.monitor_windows w WHERE w.monitor_id = m.id), ' ' ORDER BY m.name)
                                       FROM mlobs.monitors m WHERE m.model = 'commit'")
echo "after the kill: $kept"
grep -q "fast=4[01]" <<<"$kept" || fail "fast's committed windows were lost: $kept"
grep -q "slow=0" <<<"$kept" || fail "the killed group's windows must roll back: $kept"
"${PSQL[@]}" -d "$DB" -c "CALL mlobs.run_monitors_committed()" >/dev/null
kept=$("${PSQL[@]}" -d "$DB" -At -c "SELECT string_agg(m.name || '=' || (SELECT count(*) FROM mlobs.monitor_windows w WHERE w.monitor_id = m.id), ' ' ORDER BY m.name)
                                       FROM mlobs.monitors m WHERE m.model = 'commit'")
echo "after the next CALL: $kept"
grep -q "slow=4[01]" <<<"$kept" || fail "the next CALL did not complete the slow group: $kept"
"${PSQL[@]}" -d "$DB" -c "SELECT mlobs.drop_monitor('fast'), mlobs.drop_monitor('slow')" >/dev/null

echo "== 2c. runs of different monitors at once both make progress (one job per owner)"
# Two teams' jobs fire at the same minute: a run of 'slow' (~6 s) and a run of 'fast' overlap.
# Each monitor is held by one run at a time: the run of 'fast' is not skipped; a second run of
# 'slow' is; a full run takes every monitor but 'slow' and says so (busy_monitors).
"${PSQL[@]}" -d "$DB" <<'SQL' >/dev/null
SELECT mlobs.create_monitor('fast2', 'commit', 'log', 'latency', '{}', '1 minute', start_at => date_trunc('minute', now()) - interval '40 minutes');
SELECT mlobs.create_monitor('slow2', 'commit', 'slow_log', 'latency', '{}', '1 minute', start_at => date_trunc('minute', now()) - interval '40 minutes');
SQL
"${PSQL[@]}" -d "$DB" -At -c "SELECT status || ' ' || windows FROM mlobs.run_monitors(monitor => 'slow2')" > "$WORK_DIR/slow2.out" 2>&1 &
slow_run=$!
for _ in $(seq 1 100); do
  sleep 0.1
  "${PSQL[@]}" -d "$DB" -At -c "SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'mlobs run_monitors: %slow_log%'" | grep -q 1 && break
done
fast=$("${PSQL[@]}" -d "$DB" -At -c "SELECT status || ' ' || windows || ' busy=' || busy_monitors FROM mlobs.run_monitors(monitor => 'fast2')")
again=$("${PSQL[@]}" -d "$DB" -At -c "SELECT status || ' busy=' || busy_monitors FROM mlobs.run_monitors(monitor => 'slow2')")
full=$("${PSQL[@]}" -d "$DB" -At -c "SELECT status || ' busy=' || busy_monitors FROM mlobs.run_monitors()")
wait "$slow_run"
slow=$(cat "$WORK_DIR/slow2.out")
echo "while slow2 runs: fast2 run: $fast; second slow2 run: $again; full run: $full; slow2 run: $slow"
case "$fast" in "ok 4"[01]" busy=0") ;; *) fail "the run of fast2 must not wait for or be skipped by the run of slow2: $fast" ;; esac
[ "$again" = "skipped busy=1" ] || fail "a second run of slow2 must be skipped: $again"
[ "$full" = "ok busy=1" ] || fail "a full run must leave slow2 to its run and do the rest: $full"
case "$slow" in "ok 4"[01]) ;; *) fail "the run of slow2: $slow" ;; esac
"${PSQL[@]}" -d "$DB" -c "SELECT mlobs.drop_monitor('fast2'), mlobs.drop_monitor('slow2')" -c "DROP VIEW slow_log" -c "DROP FUNCTION slowly" >/dev/null
# Two groups of one table (1- and 2-minute windows) with a change queued for both: a run of one,
# its transaction still open, must not hold up a run of the other (the queue's foreign key locks
# monitor rows; a FOR UPDATE of them made the second wait for the first's commit).
"${PSQL[@]}" -d "$DB" <<'SQL' >/dev/null
SELECT mlobs.create_monitor('grp1', 'commit', 'log', 'latency', '{}', '1 minute', start_at => date_trunc('minute', now()) - interval '40 minutes');
SELECT mlobs.create_monitor('grp2', 'commit', 'log', 'latency', '{}', '2 minutes', start_at => date_trunc('minute', now()) - interval '40 minutes');
SELECT mlobs.run_monitors(monitor_ids => ARRAY(SELECT id FROM mlobs.monitors WHERE name IN ('grp1', 'grp2')));
UPDATE log SET latency_ms = latency_ms WHERE ts >= date_trunc('minute', now()) - interval '30 minutes'
                                         AND ts < date_trunc('minute', now()) - interval '29 minutes';
SQL
"${PSQL[@]}" -d "$DB" -At -c "BEGIN" -c "SELECT 'grp1 ' || status || ' revised=' || revised FROM mlobs.run_monitors(monitor => 'grp1')" \
  -c "SELECT pg_sleep(6)" -c "COMMIT" > "$WORK_DIR/grp1.out" 2>&1 &
holder=$!
sleep 2
grp2=$("${PSQL[@]}" -d "$DB" -At -c "SET statement_timeout = '3s'" \
        -c "SELECT 'grp2 ' || status || ' revised=' || revised FROM mlobs.run_monitors(monitor => 'grp2')" 2>&1 || true)
wait "$holder"
# grp1's run moved the change to both queues; grp2's share is visible once that run commits.
after=$("${PSQL[@]}" -d "$DB" -At -c "SELECT 'grp2 ' || status || ' revised=' || revised FROM mlobs.run_monitors(monitor => 'grp2')")
echo "while grp1's run is open: $grp2; $(grep grp1 "$WORK_DIR/grp1.out"); after its commit: $after"
[ "$grp2" = "grp2 ok revised=0" ] || fail "a run of another group of the same table waited for the open run: $grp2"
grep -q "grp1 ok revised=1" "$WORK_DIR/grp1.out" || fail "grp1: $(cat "$WORK_DIR/grp1.out")"
[ "$after" = "grp2 ok revised=1" ] || fail "grp2 did not revise the change queued for it: $after"
# A lock on the source held elsewhere (LOCK TABLE by a labelling job): the run gives up after
# 10 s (55P03; the chunk's windows fail at once and are retried next run) instead of waiting as
# long as the lock is held, or 10 s more for each window.
"${PSQL[@]}" -d "$DB" -c "UPDATE log SET latency_ms = latency_ms WHERE ts >= date_trunc('minute', now()) - interval '24 minutes'
                                                               AND ts < date_trunc('minute', now()) - interval '23 minutes'" >/dev/null
"${PSQL[@]}" -d "$DB" -c "SET application_name = 'lock_holder'" -c "BEGIN" -c "LOCK TABLE log IN ACCESS EXCLUSIVE MODE" \
  -c "SELECT pg_sleep(60)" -c "COMMIT" >/dev/null 2>&1 &
holder=$!
sleep 1
t0=$SECONDS
locked=$("${PSQL[@]}" -d "$DB" -At -c "SELECT status || ' ' || coalesce(errors->0->>'sqlstate', '-')
                                          FROM mlobs.run_monitors((SELECT watermark FROM mlobs.monitors WHERE name = 'grp2'), monitor => 'grp2')" 2>&1 || true)
took=$((SECONDS - t0))
"${PSQL[@]}" -d "$DB" -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lock_holder'" >/dev/null
wait "$holder" || true
echo "while another session holds an ACCESS EXCLUSIVE lock on the source: $locked after $took s"
[ "$locked" = "partial 55P03" ] && [ "$took" -lt 16 ] || fail "the run should give up with 55P03 after 10 s: '$locked' after $took s"
# A drop_monitor in another session, its transaction open, while a run queues changes for that
# monitor: the run neither waits for it nor fails (the queue has no foreign key to check).
ids=$("${PSQL[@]}" -d "$DB" -At -c "SELECT array_agg(id)::text FROM mlobs.monitors WHERE name IN ('grp1', 'grp2')")
"${PSQL[@]}" -d "$DB" -c "UPDATE log SET latency_ms = latency_ms WHERE ts >= date_trunc('minute', now()) - interval '20 minutes'
                                                               AND ts < date_trunc('minute', now()) - interval '19 minutes'" >/dev/null
"${PSQL[@]}" -d "$DB" -c "BEGIN" -c "SELECT mlobs.drop_monitor('grp1')" -c "SELECT pg_sleep(5)" -c "COMMIT" >/dev/null &
holder=$!
sleep 1
dropping=$("${PSQL[@]}" -d "$DB" -At -c "SET statement_timeout = '3s'" \
            -c "SELECT status || ' busy=' || busy_monitors || ' revised=' || revised FROM mlobs.run_monitors(monitor_ids => '$ids')" 2>&1 || true)
wait "$holder"
echo "while grp1 is being dropped in another session: $dropping"
[ "$dropping" = "ok busy=1 revised=1" ] || fail "a run beside an open drop_monitor: $dropping"
# evaluate_alerts in another session opens the alert this run's evaluation also opens: the run
# records the conflict (23505) and keeps its windows; it is not rolled back whole.
"${PSQL[@]}" -d "$DB" -c "DELETE FROM mlobs.alerts" >/dev/null
"${PSQL[@]}" -d "$DB" -c "BEGIN" -c "SELECT mlobs.evaluate_alerts()" -c "SELECT pg_sleep(4)" -c "COMMIT" >/dev/null &
holder=$!
sleep 1
racing=$("${PSQL[@]}" -d "$DB" -At -c "SELECT status || ' ' || coalesce((SELECT string_agg(coalesce(e->>'stage', e->>'monitor') || ':' || (e->>'sqlstate'), ',') FROM jsonb_array_elements(errors) e), '') FROM mlobs.run_monitors()" 2>&1 || true)
wait "$holder"
echo "beside an evaluate_alerts opening the same alerts: $racing"
# (The conflict lands in the run's final evaluation, or in a new window's, which is then retried.)
case "$racing" in "partial evaluate_alerts:23505"|"partial api latency:23505"|"ok ") ;; *) fail "a run beside evaluate_alerts: $racing" ;; esac
"${PSQL[@]}" -d "$DB" -c "SELECT mlobs.drop_monitor('grp2')" >/dev/null
# Rows stamped hours earlier, inserted and committed while a run is computing other windows after
# having scanned theirs: the run commits a watermark past their window, and the trigger compared
# them with the watermark still committed (review of 2026-12-07: the window kept 60 of 160 rows).
# Each run publishes its `now` before scanning (mlobs.run_horizon, not transactional) and the
# trigger records an insert stamped before it, so the next run revises the window.
"${PSQL[@]}" -d "$DB" <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE TABLE late_fast (ts timestamptz, latency_ms float8);
INSERT INTO late_fast SELECT timestamptz '2026-01-01' + i * interval '1 minute', 50 FROM generate_series(0, 6 * 60 - 1) i;
CREATE TABLE late_slow (ts timestamptz, latency_ms float8);
INSERT INTO late_slow SELECT timestamptz '2026-01-01' + (i % 360) * interval '1 minute', 50 FROM generate_series(1, 600000) i;
SELECT mlobs.create_monitor('late fast', 'late', 'late_fast', 'latency', '{}', '1 hour', start_at => '2026-01-01');
SELECT mlobs.create_monitor('late slow', 'late', 'late_slow', 'latency', '{}', '1 hour', start_at => '2026-01-01');
SELECT mlobs.run_monitors('2026-01-01 01:00', monitor_ids => ARRAY(SELECT id FROM mlobs.monitors WHERE model = 'late'));
SQL
"${PSQL[@]}" -d "$DB" -At -c "SELECT status FROM mlobs.run_monitors('2026-01-01 06:00', monitor_ids => ARRAY(SELECT id FROM mlobs.monitors WHERE model = 'late'))" \
  > "$WORK_DIR/late_run.out" 2>&1 &
runner=$!
"${PSQL[@]}" -d "$DB" -At <<'SQL' >/dev/null
DO $$ BEGIN
  FOR i IN 1..6000 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'mlobs run_monitors: public.late_slow%');
    PERFORM pg_sleep(0.01); PERFORM pg_stat_clear_snapshot();
  END LOOP;
END $$;
INSERT INTO late_fast SELECT '2026-01-01 02:30', 5000 FROM generate_series(1, 100);
SQL
wait "$runner"
next=$("${PSQL[@]}" -d "$DB" -At -c "SELECT status || ' revised=' || revised FROM mlobs.run_monitors('2026-01-01 06:10', monitor_ids => ARRAY(SELECT id FROM mlobs.monitors WHERE model = 'late'))")
stored=$("${PSQL[@]}" -d "$DB" -At -c "SELECT w.rows FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id
                                         WHERE m.name = 'late fast' AND w.window_start = '2026-01-01 02:00+00'")
echo "rows inserted late during a run: the run $(cat "$WORK_DIR/late_run.out"), the next $next; window 02:00 holds $stored rows (160 in the table)"
[ "$stored" = 160 ] || fail "late rows inserted during a run were lost: the window holds $stored of 160 rows"
"${PSQL[@]}" -d "$DB" -c "DELETE FROM mlobs.monitors WHERE model = 'late'" -c "DROP TABLE late_fast, late_slow" >/dev/null

echo "== 3. pg_cron runs the monitors as a dedicated non-superuser role"
# A superuser scheduling the job is warned (rolled back here).
warn=$("${PSQL[@]}" -d "$DB" -c "BEGIN" -c "SELECT mlobs.schedule_monitors('* * * * *')" -c "ROLLBACK" 2>&1 >/dev/null || true)
grep -q "WARNING:  the mlobs_run_monitors job will run as superuser postgres" <<<"$warn" || fail "no WARNING for a superuser job: $warn"
# The monitor belongs to a team role; the job runs as mlobs_it_runner, a member of mlobs_admin and
# of the team, without superuser (docs/monitoring.md, "Privileges").
"${PSQL[@]}" -d "$DB" <<'SQL'
SET client_min_messages = warning;
DROP ROLE IF EXISTS mlobs_it_runner; DROP ROLE IF EXISTS mlobs_it_team;
CREATE ROLE mlobs_it_team IN ROLE mlobs_admin;
GRANT SELECT ON log TO mlobs_it_team;
UPDATE mlobs.monitors SET owner = 'mlobs_it_team';
CREATE ROLE mlobs_it_runner LOGIN IN ROLE mlobs_admin, mlobs_it_team;
GRANT USAGE ON SCHEMA cron TO mlobs_it_runner;
SQL
# A second database without pg_cron (pg_cron lives in one database per cluster): its
# schedule_monitors fails with the statement to run in pg_cron's database as HINT, and that
# statement (schedule_monitors_command, cron.schedule_in_database) runs its monitors from there.
OTHER=mlobs_it_other
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $OTHER"
"${PSQL[@]}" -d "$OTHER" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION mlobs;
CREATE TABLE log AS
SELECT ts, 30::float8 AS latency_ms
FROM generate_series(date_trunc('minute', now()) - interval '10 minutes', now() + interval '10 minutes', interval '5 seconds') ts;
GRANT SELECT ON log TO mlobs_it_team;
SET ROLE mlobs_it_team;
SELECT mlobs.create_monitor('other latency', 'fraud', 'log', 'latency', '{}', '1 minute',
                            start_at => date_trunc('minute', now()) - interval '10 minutes');
SQL
hint=$("${PSQL[@]}" -U mlobs_it_runner -d "$OTHER" -c "SELECT mlobs.schedule_monitors('* * * * *')" 2>&1 || true)
grep -q "HINT:.*SELECT cron.schedule_in_database('mlobs_run_monitors_$OTHER', .*, username => 'mlobs_it_runner');" <<<"$hint" || fail "no schedule_in_database HINT: $hint"
# pg_cron grants schedule_in_database to superusers only: the superuser runs the statement, and
# the job runs as the runner (job_role).
cmd=$("${PSQL[@]}" -U mlobs_it_runner -d "$OTHER" -At -c "SELECT mlobs.schedule_monitors_command('* * * * *', 'mlobs_it_runner')")
"${PSQL[@]}" -d "$DB" -At -c "$cmd" >/dev/null
runs_as=$("${PSQL[@]}" -d "$DB" -At -c "SELECT username FROM cron.job WHERE database = '$OTHER'")
[ "$runs_as" = mlobs_it_runner ] || fail "the $OTHER job runs as '$runs_as', not mlobs_it_runner"
before_other=$("${PSQL[@]}" -d "$OTHER" -At -c "SELECT count(*) FROM mlobs.runs WHERE status = 'ok'")
before=$("${PSQL[@]}" -d "$DB" -At -c "SELECT count(*) FROM mlobs.runs WHERE status = 'ok'")
sched=$("${PSQL[@]}" -U mlobs_it_runner -d "$DB" -At -c "SELECT 'job ' || mlobs.schedule_monitors('* * * * *')" 2>&1)
echo "$sched"
grep -q WARNING <<<"$sched" && fail "a non-superuser job must not be warned about"
"${PSQL[@]}" -d "$DB" -At -c "SELECT 'job runs as ' || username FROM cron.job WHERE jobname = 'mlobs_run_monitors'"
for _ in $(seq 1 30); do
  sleep 5
  after=$("${PSQL[@]}" -d "$DB" -At -c "SELECT count(*) FROM mlobs.runs WHERE status = 'ok'")
  after_other=$("${PSQL[@]}" -d "$OTHER" -At -c "SELECT count(*) FROM mlobs.runs WHERE status = 'ok'")
  if [ "$after" -gt "$before" ] && [ "$after_other" -gt "$before_other" ]; then break; fi
done
[ "$after_other" -gt "$before_other" ] || fail "no mlobs.runs row appeared in $OTHER (scheduled from pg_cron's database) within 150 s"
"${PSQL[@]}" -d "$OTHER" -At -c "SELECT 'runs by cron in $OTHER: ' || count(*) || ', windows: ' || (SELECT count(*) FROM mlobs.monitor_windows) FROM mlobs.runs WHERE status = 'ok'"
"${PSQL[@]}" -d "$DB" -At -c "SELECT 'cron: ' || status || ' ' || coalesce(return_message, '') FROM cron.job_run_details ORDER BY runid DESC LIMIT 1"
[ "$after" -gt "$before" ] || fail "no mlobs.runs row appeared under pg_cron within 150 s"
"${PSQL[@]}" -d "$DB" -At -c "SELECT 'runs by cron: ' || count(*) FROM mlobs.runs WHERE status = 'ok' AND id > $before"
"${PSQL[@]}" -d "$DB" -At -c "SELECT 'unscheduled: ' || mlobs.unschedule_monitors()"
left=$("${PSQL[@]}" -d "$DB" -At -c "SELECT count(*) FROM cron.job WHERE jobname = 'mlobs_run_monitors'")
[ "$left" = 0 ] || fail "unschedule_monitors left the job"
# The other database: unschedule_monitors cannot reach pg_cron (false, NOTICE with the statement);
# the statement, run in pg_cron's database, removes its job; then DROP EXTENSION leaves nothing.
un=$("${PSQL[@]}" -U mlobs_it_runner -d "$OTHER" -At -c "SELECT mlobs.unschedule_monitors()" 2>&1)
grep -q "NOTICE:.*SELECT cron.unschedule(jobid)" <<<"$un" && grep -qx f <<<"$un" || fail "unschedule_monitors in $OTHER: $un"
cmd=$("${PSQL[@]}" -U mlobs_it_runner -d "$OTHER" -At -c "SELECT mlobs.unschedule_monitors_command()")
"${PSQL[@]}" -U mlobs_it_runner -d "$DB" -At -c "$cmd" >/dev/null
"${PSQL[@]}" -d "$OTHER" -c "SET client_min_messages = warning" -c "DROP EXTENSION mlobs CASCADE"
left=$("${PSQL[@]}" -d "$DB" -At -c "SELECT count(*) FROM cron.job WHERE database = '$OTHER'")
[ "$left" = 0 ] || fail "a job for $OTHER survived unschedule_monitors_command"
echo "pg_cron in another database: scheduled, ran, unscheduled, extension dropped"
echo "monitoring integration: ok"
