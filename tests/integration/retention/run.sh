#!/usr/bin/env bash
# Retention (issue 21, item 3): monitors over a log partitioned by day read only the partitions of
# their windows (the runtime's own plans, captured with auto_explain); the log's old partitions
# are dropped by mlobs.drop_summarised_partitions only once every window touching them is
# summarised and past its monitor's horizons (never before: a missing reference, an unsummarised
# or disabled monitor, one through a view of a view, one through a view that does not pass the
# key through unchanged, a failed window, a label horizon, a non-owner, each keep them; a
# timestamp key is read in the monitors' zone, not the caller's), after
# which no backfill, revision or late row recomputes a window over the rows that are gone; and
# mlobs.prune_history ages out points, windows, alerts and runs without touching what a monitor
# may still revise or that failed. The log's owner is the non-superuser ops (mlobs_admin); dash is an
# mlobs_reader. Own cluster (.run/retention, port 28872). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../../.."
PORT=${MLOBS_RETENTION_PORT:-28872}
OUT=$PWD/.run/retention-out
bash scripts/pg_cluster.sh destroy retention
bash scripts/pg_cluster.sh start retention "$PORT" "timezone = 'UTC'"
trap 'bash scripts/pg_cluster.sh destroy retention' EXIT
rm -rf "$OUT" && mkdir -p "$OUT" && chmod 777 "$OUT"
P=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT")
q() { "${P[@]}" -U postgres -d ret -At -c "$*"; }
as() { local who=$1; shift; "${P[@]}" -U "$who" -d ret -At -c "$*"; }
fail=0
check() { if [ "$1" = ok ]; then echo "PASS: $2"; else echo "FAIL: $2"; fail=1; fi; }
expect() { if [ "$2" = "$3" ]; then check ok "$1"; else echo "  want: $2"; echo "  got:  $3"; check no "$1"; fi; }
# expect_error NAME SQLSTATE USER SQL
expect_error() {
  local got
  got=$("${P[@]}" -U "$3" -d ret -At -v VERBOSITY=verbose -c "$4" 2>&1 | grep -o 'ERROR:  [0-9A-Z]\{5\}' | head -1 || true)
  expect "$1" "ERROR:  $2" "$got"
}
D0="(SELECT d0 FROM app.anchor)"
# Every run after the first ones closes windows up to the same hour, so two runs in a row compute
# the same windows whenever the test runs.
NOW="'$("${P[@]}" -U postgres -d postgres -At -c "SELECT date_trunc('hour', now())")'"
windows_snapshot() { # every window and point that starts before $1 (the boundary), with computed_at
  q "SELECT count(*) || ' ' || md5(string_agg(format('%s %s %s %s %s', monitor_id, window_start, rows, md5(coalesce(summary, '')), computed_at), ','
                                              ORDER BY monitor_id, window_start, segment))
       FROM mlobs.monitor_windows WHERE window_start < $1"
  q "SELECT count(*) || ' ' || md5(string_agg(format('%s %s %s %s %s', monitor_id, window_start, feature, metric, value), ','
                                              ORDER BY monitor_id, window_start, segment, feature, metric))
       FROM mlobs.metric_points WHERE window_start < $1"
}

"${P[@]}" -U postgres -d postgres -c "CREATE DATABASE ret"
"${P[@]}" -U postgres -d ret -f tests/integration/retention/setup.sql > /dev/null
echo "log: $(q "SELECT count(*) FROM app.plog") rows in $(q "SELECT count(*) FROM pg_inherits WHERE inhparent = 'app.plog'::regclass") partitions"

echo "== nothing is dropped before it is summarised"
expect "before any run every partition is kept, the first because of the missing reference" \
  "0|monitor drift has not computed its reference yet" \
  "$(as ops "SELECT count(*) FILTER (WHERE action <> 'kept') || '|' || min(reason) FILTER (WHERE partition::text = 'app.plog_' || to_char($D0, 'YYYYMMDD'))
               FROM mlobs.drop_summarised_partitions('app.plog')")"
expect "the partitions are all still there" 13 "$(q "SELECT count(*) FROM pg_inherits WHERE inhparent = 'app.plog'::regclass")"
expect_error "an mlobs_reader may not drop partitions" 42501 dash "SELECT * FROM mlobs.drop_summarised_partitions('app.plog')"
expect_error "a table not partitioned by range is refused" 42809 ops "SELECT * FROM mlobs.drop_summarised_partitions('app.anchor')"
expect_error "NULL older_than is refused" 22004 ops "SELECT * FROM mlobs.drop_summarised_partitions('app.plog', NULL)"

echo "== partition pruning: a run reads only its windows' partitions"
as ops "SELECT status FROM mlobs.run_monitors($D0 + interval '8 days')" > /dev/null
"${P[@]}" -U postgres -d ret -At -c "LOAD 'auto_explain'" -c "SET auto_explain.log_min_duration = 0" \
  -c "SET auto_explain.log_nested_statements = on" -c "SET client_min_messages = log" -c "SET ROLE ops" \
  -c "SELECT status FROM mlobs.run_monitors($D0 + interval '9 days')" > "$OUT/plans.txt" 2>&1
day8=$(q "SELECT 'plog_' || to_char($D0 + interval '8 days', 'YYYYMMDD')")
expect "the run's scans name only the partition of its windows ($day8)" "$day8" \
  "$(grep -o 'on plog_[0-9a-z]*' "$OUT/plans.txt" | sed 's/^on //' | sort -u | tr '\n' ' ' | sed 's/ $//')"
scans=$(grep -c "on $day8" "$OUT/plans.txt" || true)
[ "$scans" -ge 2 ] && check ok "plans captured ($scans scans of $day8)" || check no "no plan captured"
as ops "SELECT status FROM mlobs.run_monitors($NOW)" > /dev/null

echo "== what keeps partitions: failures, unsummarised monitors, horizons, ownership"
q "INSERT INTO mlobs.window_failures (monitor_id, window_start, window_end, sqlstate, error, find_rows)
   SELECT id, $D0 + interval '2 days 3 hours', $D0 + interval '2 days 4 hours', '22023', 'test', '' FROM mlobs.monitors WHERE name = 'drift'"
expect "a failed window keeps its partition and every later one" "would drop,would drop,kept:monitor drift has a failed window" \
  "$(as ops "SELECT string_agg(action || CASE WHEN action = 'kept' THEN ':' || split_part(reason, ' before', 1) ELSE '' END, ',' ORDER BY range_from)
               FROM mlobs.drop_summarised_partitions('app.plog', $D0 + interval '3 days', dry_run => true) WHERE range_from IS NOT NULL")"
q "DELETE FROM mlobs.window_failures"
# A change recorded in time is applied by the next run however late: its rows stay until then
# (a day's margin for wall-clock minutes), but not for a disabled monitor's queue.
q "INSERT INTO mlobs.monitor_changes (monitor_id, minute, recorded_at)
   SELECT id, $D0 + interval '2 days 3 hours', now() FROM mlobs.monitors WHERE name = 'drift'"
expect "a queued change keeps its partition (and, by the margin, the one before)" "would drop,kept:monitor drift has recorded changes of rows,kept:an older partition (app.plog_$(q "SELECT to_char($D0 + interval '1 day', 'YYYYMMDD')")) is kept" \
  "$(as ops "SELECT string_agg(action || CASE WHEN action = 'kept' THEN ':' || split_part(reason, ' before', 1) ELSE '' END, ',' ORDER BY range_from)
               FROM mlobs.drop_summarised_partitions('app.plog', $D0 + interval '3 days', dry_run => true) WHERE range_from IS NOT NULL")"
q "DELETE FROM mlobs.monitor_changes"
as ops "SELECT mlobs.create_monitor('late', 'fraud', 'app.plog', 'latency', '{}', '1 hour', start_at => $D0 + interval '1 day')" > /dev/null
as ops "SELECT mlobs.set_monitor_enabled('late', false)" > /dev/null
expect "a disabled monitor that has not summarised its windows keeps them" \
  "would drop,kept:monitor late has not summarised its windows" \
  "$(as ops "SELECT string_agg(action || CASE WHEN action = 'kept' THEN ':' || split_part(reason, ' up to', 1) ELSE '' END, ',' ORDER BY range_from)
               FROM mlobs.drop_summarised_partitions('app.plog', $D0 + interval '2 days', dry_run => true) WHERE range_from IS NOT NULL")"
as ops "SELECT mlobs.drop_monitor('late')" > /dev/null
as ops "CREATE VIEW app.plog_recent AS SELECT * FROM app.plog WHERE score >= 0"
as ops "SELECT mlobs.create_monitor('through a view', 'fraud', 'app.plog_recent', 'latency', '{}', '1 hour', start_at => $D0 + interval '1 day')" > /dev/null
expect "a monitor reading the log through a view keeps what it has not summarised" \
  "would drop,kept:monitor through a view has not summarised its windows" \
  "$(as ops "SELECT string_agg(action || CASE WHEN action = 'kept' THEN ':' || split_part(reason, ' up to', 1) ELSE '' END, ',' ORDER BY range_from)
               FROM mlobs.drop_summarised_partitions('app.plog', $D0 + interval '2 days', dry_run => true) WHERE range_from IS NOT NULL")"
as ops "SELECT mlobs.drop_monitor('through a view')" > /dev/null
# A view's column is the partition key only when it passes the key through unchanged: a monitor
# of a view that shifts it has summarised nothing the watermark says of the partitions.
as ops "CREATE VIEW app.plog_shifted AS SELECT ts + interval '2 days' AS ts, latency_ms FROM app.plog"
as ops "SELECT mlobs.create_monitor('shifted', 'fraud', 'app.plog_shifted', 'latency', '{}', '6 hours', start_at => $D0 + interval '1 day')" > /dev/null
expect "a summarised monitor of a view that shifts the key is run" ok "$(as ops "SELECT status FROM mlobs.run_monitors($NOW, monitor => 'shifted')")"
expect "a monitor of a view whose column is not the key passed through keeps the partitions" \
  "kept:monitor shifted windows by column ts of app.plog_shifted, which is not shown to be the partition key ts passed through unchanged" \
  "$(as ops "SELECT action || ':' || coalesce(reason, '') FROM mlobs.drop_summarised_partitions('app.plog', $D0 + interval '2 days', dry_run => true)
               WHERE range_from IS NOT NULL ORDER BY range_from LIMIT 1")"
as ops "SELECT mlobs.drop_monitor('shifted')" > /dev/null
as ops "CREATE VIEW app.plog_renamed AS SELECT ts AS logged_at, latency_ms FROM app.plog WHERE score >= 0"
as ops "SELECT mlobs.create_monitor('renamed', 'fraud', 'app.plog_renamed', 'latency', '{}', '6 hours', start_at => $D0 + interval '1 day', ts_column => 'logged_at')" > /dev/null
as ops "SELECT status FROM mlobs.run_monitors($NOW, monitor => 'renamed')" > /dev/null
expect "a summarised monitor of a view that only renames the key does not keep them" "would drop,would drop" \
  "$(as ops "SELECT string_agg(action, ',' ORDER BY range_from)
               FROM mlobs.drop_summarised_partitions('app.plog', $D0 + interval '2 days', dry_run => true) WHERE range_from IS NOT NULL")"
as ops "SELECT mlobs.drop_monitor('renamed')" > /dev/null
# A CTE is read as often as it is referenced: a self-join through one CTE reads the log twice
# (review of the fixes, 2026-12-07: the count of the log's scans saw one and dropped them).
as ops "CREATE VIEW app.plog_cte AS WITH x AS (SELECT * FROM app.plog) SELECT a.ts, a.latency_ms FROM x a JOIN x b ON b.ts = a.ts - interval '2 days'"
as ops "SELECT mlobs.create_monitor('cte', 'fraud', 'app.plog_cte', 'latency', '{}', '6 hours', start_at => $D0 + interval '1 day')" > /dev/null
as ops "SELECT status FROM mlobs.run_monitors($NOW, monitor => 'cte')" > /dev/null
expect "a monitor of a view joining the log with itself through a CTE keeps the partitions" \
  "kept:monitor cte windows by column ts of app.plog_cte, which is not shown to be the partition key ts passed through unchanged" \
  "$(as ops "SELECT action || ':' || coalesce(reason, '') FROM mlobs.drop_summarised_partitions('app.plog', $D0 + interval '2 days', dry_run => true)
               WHERE range_from IS NOT NULL ORDER BY range_from LIMIT 1")"
as ops "SELECT mlobs.drop_monitor('cte')" > /dev/null
# A view over a function of the user's: what the function reads shows in no dependency.
as ops "CREATE FUNCTION app.plog_rows() RETURNS TABLE (ts timestamptz, latency_ms float8) LANGUAGE sql STABLE AS 'SELECT ts, latency_ms FROM app.plog'"
as ops "CREATE VIEW app.plog_fn AS SELECT * FROM app.plog_rows()"
as ops "SELECT mlobs.create_monitor('through a function', 'fraud', 'app.plog_fn', 'latency', '{}', '6 hours', start_at => $D0 + interval '1 day')" > /dev/null
expect "a monitor of a view over a function of the user's keeps the partitions" \
  "kept:monitor through a function reads app.plog_fn through function app.plog_rows(), whose reads retention cannot see" \
  "$(as ops "SELECT action || ':' || coalesce(reason, '') FROM mlobs.drop_summarised_partitions('app.plog', $D0 + interval '2 days', dry_run => true)
               WHERE range_from IS NOT NULL ORDER BY range_from LIMIT 1")"
as ops "SELECT mlobs.drop_monitor('through a function')" > /dev/null
# ... but an IMMUTABLE function reads no table: a monitor of a view calling one does not keep them.
as ops "CREATE FUNCTION app.ms(x float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS 'SELECT x / 1000'"
as ops "CREATE VIEW app.plog_ms AS SELECT ts, app.ms(latency_ms) AS latency_ms FROM app.plog"
as ops "SELECT mlobs.create_monitor('immutable', 'fraud', 'app.plog_ms', 'latency', '{}', '6 hours', start_at => $D0 + interval '1 day')" > /dev/null
as ops "SELECT status FROM mlobs.run_monitors($NOW, monitor => 'immutable')" > /dev/null
expect "a summarised monitor of a view calling an IMMUTABLE function does not keep them" "would drop,would drop" \
  "$(as ops "SELECT string_agg(action, ',' ORDER BY range_from)
               FROM mlobs.drop_summarised_partitions('app.plog', $D0 + interval '2 days', dry_run => true) WHERE range_from IS NOT NULL")"
as ops "SELECT mlobs.drop_monitor('immutable')" > /dev/null
# Views of views: a monitor two views away from the log reads it as much as one over it.
as ops "CREATE VIEW app.plog_v1 AS SELECT * FROM app.plog; CREATE VIEW app.plog_v2 AS SELECT * FROM app.plog_v1 WHERE score >= 0"
as ops "SELECT mlobs.create_monitor('nested', 'fraud', 'app.plog_v2', 'latency', '{}', '1 hour', start_at => $D0 + interval '1 day')" > /dev/null
expect "a monitor reading the log through a view of a view keeps what it has not summarised" \
  "would drop,kept:monitor nested has not summarised its windows" \
  "$(as ops "SELECT string_agg(action || CASE WHEN action = 'kept' THEN ':' || split_part(reason, ' up to', 1) ELSE '' END, ',' ORDER BY range_from)
               FROM mlobs.drop_summarised_partitions('app.plog', $D0 + interval '2 days', dry_run => true) WHERE range_from IS NOT NULL")"
as ops "SELECT mlobs.drop_monitor('nested')" > /dev/null
as ops "CREATE TABLE app.unmonitored (ts timestamptz) PARTITION BY RANGE (ts)"
as ops "CREATE TABLE app.unmonitored_1 PARTITION OF app.unmonitored FOR VALUES FROM ('2026-01-01') TO ('2026-01-02')"
expect "a log no monitor reads is not dropped" "kept no monitor reads app.unmonitored" \
  "$(as ops "SELECT action || ' ' || reason FROM mlobs.drop_summarised_partitions('app.unmonitored')")"
q "CREATE ROLE ops2 LOGIN IN ROLE mlobs_admin; GRANT USAGE ON SCHEMA app TO ops2"
expect "an mlobs_admin who does not own the partitions drops nothing" "0|permission denied: only its owner ops may drop" \
  "$(as ops2 "SELECT count(*) FILTER (WHERE action = 'dropped') || '|' || split_part((array_agg(reason ORDER BY range_from))[1], ' app.', 1)
                FROM mlobs.drop_summarised_partitions('app.plog')")"
expect "each partition is droppable exactly when its last window is past the 3-day label horizon" 0 \
  "$(as ops "SELECT count(*) FROM mlobs.drop_summarised_partitions('app.plog', dry_run => true) d
               WHERE d.range_to IS NOT NULL AND (d.action = 'would drop') <> (d.range_to <= now() - interval '3 days')")"
expect "the first partition kept is kept for the label horizon" "monitor performance may still revise" \
  "$(as ops "SELECT substr(reason, 1, 36) FROM mlobs.drop_summarised_partitions('app.plog', dry_run => true) WHERE action = 'kept' ORDER BY range_from LIMIT 1")"

echo "== dropping, then nothing recomputes a window over the rows that are gone"
expected=$(q "SELECT count(*) FROM generate_series(0, 9) k WHERE $D0 + (k + 1) * interval '1 day' <= now() - interval '3 days'")
B="($D0 + $expected * interval '1 day')"
windows_snapshot "$B" > "$OUT/before.txt"
dropped=$(as ops "SELECT count(*) FROM mlobs.drop_summarised_partitions('app.plog') WHERE action = 'dropped'")
expect "ops dropped the partitions past every horizon ($expected)" "$expected" "$dropped"
expect "the boundary is recorded" t \
  "$(q "SELECT dropped_before = $D0 + $expected * interval '1 day' FROM mlobs.log_retention WHERE source = 'app.plog'::regclass")"
windows_snapshot "$B" > "$OUT/after-drop.txt"
# A late row stamped in the dropped range lands in the DEFAULT partition (and is recorded as a
# change); labels arrive for the last days; a monitor's label horizon is raised; a backfill
# from the first day: none may touch a window before the boundary.
as ops "INSERT INTO app.plog (ts, features, score, predicted, label, latency_ms)
        VALUES ($D0 + interval '1 day 2 hours', '{\"amount\": 10, \"age\": 30}', 0.9, 1, 1, 20)"
perf_recent() {
  q "SELECT md5(string_agg(w.summary, ',' ORDER BY w.window_start)) FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id
      WHERE m.name = 'performance' AND w.window_start >= $D0 + interval '7 days'"
}
perf_before=$(perf_recent)
as ops "UPDATE app.plog SET label = (score > 0.4)::int WHERE label IS NULL"
as ops "UPDATE mlobs.monitors SET label_horizon = '30 days' WHERE name = 'performance'"
expect "a run after the drop, with late rows and labels, completes" ok "$(as ops "SELECT status FROM mlobs.run_monitors($NOW)")"
expect "a backfill from the first day completes" ok "$(as ops "SELECT status FROM mlobs.run_monitors($NOW, backfill_from => $D0)")"
windows_snapshot "$B" > "$OUT/after-runs.txt"
if diff -q "$OUT/before.txt" "$OUT/after-drop.txt" > /dev/null && diff -q "$OUT/before.txt" "$OUT/after-runs.txt" > /dev/null; then
  check ok "every window and point before the boundary is unchanged, computed_at included ($(head -1 "$OUT/before.txt" | cut -d' ' -f1) windows)"
else
  check no "windows before the boundary changed"
fi
[ "$(perf_recent)" != "$perf_before" ] && check ok "windows after the boundary were revised with the late labels" \
  || check no "the late labels did not reach the windows after the boundary"
expect "the boundary applies to a monitor of a view of a view of the log" t \
  "$(q "SELECT mlobs._retained_before('app.plog_v2') = dropped_before FROM mlobs.log_retention WHERE source = 'app.plog'::regclass")"
expect "an mlobs_reader sees the boundary" 1 "$(as dash "SELECT count(*) FROM mlobs.log_retention")"

echo "== a log partitioned by a timestamp (without time zone): bounds read in the monitors' zone"
# The monitor windows the wall clock in New York (its pinned run_zone) up to 20:00 on the 2nd;
# the retention job runs from a UTC session (this cluster's, as pg_cron's): the partition of the
# 2nd ends at 05:00Z there, after the watermark (01:00Z), so it must be kept. Own database: the
# checks above count this one's runs and boundaries.
W=("${P[@]}" -U postgres -d retwall -At)
"${P[@]}" -U postgres -d postgres -c "CREATE DATABASE retwall"
"${W[@]}" -c "SET client_min_messages = warning" -c "CREATE EXTENSION mlobs" -c "SET TimeZone = 'America/New_York'" \
  -c "CREATE TABLE wlog (ts timestamp NOT NULL, features jsonb) PARTITION BY RANGE (ts)" \
  -c "CREATE TABLE wlog_1 PARTITION OF wlog FOR VALUES FROM ('2026-01-01') TO ('2026-01-02')" \
  -c "CREATE TABLE wlog_2 PARTITION OF wlog FOR VALUES FROM ('2026-01-02') TO ('2026-01-03')" \
  -c "CREATE TABLE wlog_3 PARTITION OF wlog FOR VALUES FROM ('2026-01-03') TO ('2026-01-04')" \
  -c "INSERT INTO wlog SELECT timestamp '2026-01-01' + i * interval '1 minute', jsonb_build_object('amount', i % 100) FROM generate_series(0, 3 * 1440 - 1) i" \
  -c "SELECT mlobs.create_monitor('wall', 'fraud', 'wlog', 'feature_drift', '{}', '1 hour', '2026-01-01 00:00-05', '2026-01-01 12:00-05')" \
  -c "SELECT status FROM mlobs.run_monitors('2026-01-02 20:00-05')" > /dev/null
expect "the monitor's zone is pinned" "America/New_York" "$("${W[@]}" -c "SELECT run_zone FROM mlobs.monitors")"
expect "from a UTC session, the partition whose last wall-clock hours are unsummarised is kept" \
  "would drop,kept:monitor wall has not summarised its windows up to 2026-01-03 05:00:00+00" \
  "$("${W[@]}" -c "SET TimeZone = 'UTC'" -c "SELECT string_agg(action || CASE WHEN action = 'kept' THEN ':' || split_part(reason, ' (', 1) ELSE '' END, ',' ORDER BY range_from)
                   FROM mlobs.drop_summarised_partitions('wlog', '2026-01-03 00:00+00', dry_run => true) WHERE range_from IS NOT NULL")"

echo "== pg_dump / pg_restore keeps the boundary"
/usr/lib/postgresql/15/bin/pg_dump -h 127.0.0.1 -p "$PORT" -U postgres -Fc -f "$OUT/ret.dump" ret
"${P[@]}" -U postgres -d postgres -c "CREATE DATABASE ret2"
/usr/lib/postgresql/15/bin/pg_restore -h 127.0.0.1 -p "$PORT" -U postgres --exit-on-error -d ret2 "$OUT/ret.dump"
expect "the restored boundary equals the source's" \
  "$(q "SELECT source || ' ' || dropped_before FROM mlobs.log_retention")" \
  "$("${P[@]}" -U postgres -d ret2 -At -c "SELECT source || ' ' || dropped_before FROM mlobs.log_retention")"

echo "== prune_history"
# performance's label horizon is 30 days by now: pruning may take none of its windows.
perf_windows() { q "SELECT count(*) FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id WHERE m.name = 'performance'"; }
before_recent=$(perf_windows)
# A failed window (here latency's first, long past keep) keeps its last summary and points.
q "INSERT INTO mlobs.window_failures (monitor_id, window_start, window_end, sqlstate, error, find_rows)
   SELECT w.monitor_id, w.window_start, w.window_end, '22023', 'test', '' FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id
    WHERE m.name = 'latency' ORDER BY w.window_start LIMIT 1"
failed_window() {
  q "SELECT (SELECT count(*) FROM mlobs.monitor_windows w JOIN mlobs.window_failures f USING (monitor_id, window_start)) || ' '
         || (SELECT count(*) FROM mlobs.metric_points p JOIN mlobs.window_failures f USING (monitor_id, window_start))"
}
failed_before=$(failed_window)
would=$(as ops "SELECT string_agg(what || '=' || deleted, ' ' ORDER BY what) FROM mlobs.prune_history('5 days', '0', dry_run => true)")
did=$(as ops "SELECT string_agg(what || '=' || deleted, ' ' ORDER BY what) FROM mlobs.prune_history('5 days', '0')")
echo "prune_history('5 days'): $did"
expect "a dry run counts what the run deletes" "$would" "$did"
expect "the summary and points of a failed window are kept ($failed_before)" "$failed_before" "$(failed_window)"
[ "${failed_before%% *}" = 1 ] && check ok "the failed window had a summary to keep" || check no "the failed window had no summary"
q "DELETE FROM mlobs.window_failures"
expect "windows and points older than keep are gone" 0 \
  "$(q "SELECT count(*) FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id
        WHERE m.name = 'drift' AND w.window_start < now() - interval '5 days' - 2 * m.window_size")"
as ops "SELECT * FROM mlobs.prune_history('0', '0')" > /dev/null
expect "keep 0 keeps every window of the 30-day label horizon ($before_recent of performance)" "$before_recent" "$(perf_windows)"
expect "keep 0 keeps drift's windows of its 1-day late-data horizon, and only those" "true true" \
  "$(q "SELECT (min(w.window_start) >= now() - interval '1 day 2 hours') || ' ' || (count(*) >= 24)
          FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id WHERE m.name = 'drift'")"
expect "no point is left without its window" 0 \
  "$(q "SELECT count(*) FROM mlobs.metric_points p WHERE NOT EXISTS (SELECT 1 FROM mlobs.monitor_windows w
         WHERE w.monitor_id = p.monitor_id AND w.window_start = p.window_start AND w.segment = p.segment)")"
expect "a run after pruning recomputes nothing" "ok 0 0" "$(as ops "SELECT status || ' ' || windows || ' ' || revised FROM mlobs.run_monitors($NOW)")"
expect_error "prune_history refuses a negative keep" 22023 ops "SELECT * FROM mlobs.prune_history('-1 day')"
expect_error "an mlobs_reader may not prune" 42501 dash "SELECT * FROM mlobs.prune_history()"

[ $fail -eq 0 ] && echo "retention: all checks passed" || { echo "retention: FAILED"; exit 1; }
