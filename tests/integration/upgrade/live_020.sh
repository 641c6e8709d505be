# Sourced by run.sh (P, check, OUT set): a LIVE 0.2.0 deployment updated to 0.3.0 (review of
# 2026-12-07). A non-superuser mlobs_admin member created its monitors and runs them with its own
# pg_cron job, one of its rules took id 8 (0.3.0's new default's), and a daily monitor ran across
# a DST change in the database's zone (0.2.0 stepped windows in the session's calendar). Then:
# its monitors are its own and its runs go on; the multivariate_drift rule is there; no window
# is off the grid and every day's rows are counted once, also after a backfill; and a 0.2.0 dump
# restored the documented way (docs/monitoring.md) keeps its rules, routes and alerts.
live=live_020
q() { local a=() s; for s in "$@"; do a+=(-c "$s"); done; "${P[@]}" -At -d $live "${a[@]}"; }
team() { local a=() s; for s in "$@"; do a+=(-c "$s"); done; "${P[@]}" -At -d $live -U upg_team "${a[@]}"; }
"${P[@]}" -d postgres -c "CREATE DATABASE $live"
q "CREATE EXTENSION mlobs VERSION '0.2.0'" "CREATE EXTENSION pg_cron"
"${P[@]}" -d postgres -c "CREATE ROLE upg_team LOGIN IN ROLE mlobs_admin"
q "GRANT USAGE ON SCHEMA cron TO upg_team" "GRANT CREATE ON SCHEMA public TO upg_team"
"${P[@]}" -d $live -U upg_team -c "SET timezone = 'Europe/Berlin'" \
  -c "CREATE TABLE team_log (ts timestamptz NOT NULL, latency_ms float8)" \
  -c "INSERT INTO team_log SELECT timestamptz '2026-03-20 00:00+00' + i * interval '10 minutes', 20 + i % 30 FROM generate_series(0, 20 * 144 - 1) i" \
  -c "SELECT mlobs.create_monitor('team daily', 'team', 'team_log', 'latency', '{}', '1 day', start_at => '2026-03-25 00:00+00')" \
  -c "INSERT INTO mlobs.alert_rules (name, metric, comparison, threshold, severity) VALUES ('team_p99', 'latency_p99_seconds', '>', 5, 'warning')" \
  -c "CREATE TABLE team_old (ts timestamptz NOT NULL, latency_ms float8)" \
  -c "INSERT INTO team_old SELECT * FROM team_log" \
  -c "SELECT mlobs.create_monitor('team old', 'team', 'team_old', 'latency', '{}', '1 day', start_at => '2026-03-25 00:00+00')" \
  -c "CREATE VIEW team_view AS SELECT ts, latency_ms FROM team_log" \
  -c "SELECT mlobs.create_monitor('team view', 'team', 'team_view', 'latency', '{}', '1 day', start_at => '2026-03-25 00:00+00')" \
  -c "SELECT status FROM mlobs.run_monitors('2026-04-02 00:00+00')" \
  -c "DELETE FROM team_old WHERE ts < '2026-04-01'" \
  -c "SELECT mlobs.schedule_monitors('0 0 1 1 *')" > /dev/null
old_rows=$(q "SELECT sum(w.rows) FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id WHERE m.name = 'team old'")
off_before=$(q "SELECT count(*) FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id
                 WHERE w.window_start <> date_bin(m.window_size, w.window_start, '2000-01-01 00:00+00')")
[ "$off_before" -gt 0 ] && check ok "live 0.2.0: its daily windows went off the grid at the DST change ($off_before)" || check no "live 0.2.0: no off-grid window to update"
# As docs/reliability.md says: the job paused around the update (it chose the updating role).
q "SELECT cron.alter_job(jobid, active => false) FROM cron.job WHERE command ~ 'mlobs\.run_monitors'" > /dev/null
q "ALTER EXTENSION mlobs UPDATE" 2> "$OUT/live-update.log"
q "SELECT cron.alter_job(jobid, active => true) FROM cron.job WHERE command ~ 'mlobs\.run_monitors'" > /dev/null
owners=$(q "SELECT string_agg(DISTINCT owner::text, ',') FROM mlobs.monitors")
[ "$owners" = upg_team ] && check ok "live 0.2.0 -> $CURRENT: the monitors are owned by the role of the pg_cron job that ran them (paused)" || check no "live: monitors owned by $owners"
status=$(team "SET timezone = 'Europe/Berlin'" "SELECT status FROM mlobs.run_monitors('2026-04-06 00:00+00')")
[ "$status" = ok ] && check ok "live 0.2.0 -> $CURRENT: the team's run goes on (ok)" || check no "live: the team's run after the update: $status"
rules=$(q "SELECT string_agg(id || '=' || name, ',' ORDER BY id) FROM mlobs.alert_rules WHERE name IN ('team_p99', 'multivariate_drift')")
[[ "$rules" == "8=team_p99,"*"=multivariate_drift" ]] && check ok "live 0.2.0 -> $CURRENT: multivariate_drift is installed beside the team's rule 8 ($rules)" || check no "live: rules $rules"
grid() { # off-grid windows, windows whose rows differ from the log's, rows_total - Σ rows
  q "SELECT (SELECT count(*) FROM mlobs.monitor_windows w WHERE w.monitor_id = m.id
               AND w.window_start <> date_bin(m.window_size, w.window_start, '2000-01-01 00:00+00'))
            || ' ' || (SELECT count(*) FROM mlobs.monitor_windows w WHERE w.monitor_id = m.id
               AND w.rows <> (SELECT count(*) FROM team_log t WHERE t.ts >= w.window_start AND t.ts < w.window_end))
            || ' ' || m.rows_total - (SELECT sum(w.rows) FROM mlobs.monitor_windows w WHERE w.monitor_id = m.id)
       FROM mlobs.monitors m WHERE m.name = 'team daily'"
}
g=$(grid)
[ "$g" = "0 0 0" ] && check ok "live 0.2.0 -> $CURRENT: the daily windows are on the grid, each counting the log's rows once" || check no "live: off-grid/miscounted windows, rows_total gap: $g"
kept=$(q "SELECT sum(w.rows) FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id WHERE m.name = 'team old' AND w.window_start < '2026-04-01'")
[ "$kept" -ge "$((old_rows - 144))" ] && grep -q "monitor team old: .* kept" "$OUT/live-update.log" \
  && check ok "live 0.2.0 -> $CURRENT: off-grid windows whose rows left the log are kept, with a WARNING ($kept of $old_rows rows)" \
  || { cat "$OUT/live-update.log"; check no "live: windows of deleted rows: $kept rows left of $old_rows"; }
# Their watermark moved on to the grid: the windows computed since start on it.
off_after=$(q "SELECT count(*) FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id
                WHERE m.name = 'team old' AND w.window_start >= '2026-04-02'
                  AND (w.window_start <> date_bin(m.window_size, w.window_start, '2000-01-01 00:00+00') OR w.window_end - w.window_start <> m.window_size)")
new_windows=$(q "SELECT count(*) FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id WHERE m.name = 'team old' AND w.window_start >= '2026-04-02'")
[ "$off_after" = 0 ] && [ "$new_windows" -gt 0 ] && check ok "live 0.2.0 -> $CURRENT: the kept monitor's new windows are on the grid ($new_windows)" \
  || check no "live: the kept monitor's new windows: $off_after of $new_windows off the grid"
team "SET timezone = 'Europe/Berlin'" "SELECT status FROM mlobs.run_monitors('2026-04-06 00:00+00', backfill_from => '2026-03-28 00:00+00')" > /dev/null
g=$(grid)
[ "$g" = "0 0 0" ] && check ok "live 0.2.0 -> $CURRENT: a backfill over the DST change recomputes in place" || check no "live: after a backfill: $g"
grep -q "owned by upg_team" "$OUT/live-update.log" && check ok "live 0.2.0 -> $CURRENT: the update says who owns the monitors" || { cat "$OUT/live-update.log"; check no "live: no NOTICE naming the owner"; }
# A view's changes cannot be tracked: no hint to call track_changes on it (it fails, 42809).
grep -q "team_view" "$OUT/live-update.log" && { cat "$OUT/live-update.log"; check no "live: the update's WARNING names the view"; } \
  || check ok "live 0.2.0 -> $CURRENT: no track_changes hint for a monitored view"
q "SELECT cron.unschedule(jobid) FROM cron.job" > /dev/null

# A 0.2.0 dump (alert rules and routes dumped whole by 0.2.0) restored as docs/monitoring.md says.
src=dump_020
"${P[@]}" -d postgres -c "CREATE DATABASE $src"
"${P[@]}" -d $src -c "CREATE EXTENSION mlobs VERSION '0.2.0'" \
  -c "CREATE TABLE lat_log AS SELECT timestamptz '2026-01-01' + i * interval '1 minute' AS ts, 20 + (i % 50) * CASE WHEN i > 1440 THEN 40 ELSE 1 END AS latency_ms FROM generate_series(0, 2879) i" \
  -c "SELECT mlobs.create_monitor('lat', 'm', 'lat_log', 'latency', '{}', '1 hour', start_at => '2026-01-01')" \
  -c "DELETE FROM mlobs.alert_rules WHERE name = 'missing_share'" -c "UPDATE mlobs.alert_rules SET threshold = 0.5 WHERE name = 'latency_p99'" \
  -c "INSERT INTO mlobs.alert_rules (name, metric, comparison, threshold, severity) VALUES ('p50_slow', 'latency_p50_seconds', '>', 0.2, 'info')" \
  -c "UPDATE mlobs.alert_routes SET receiver = 'pagerduty' WHERE severity = 'critical'" \
  -c "SELECT status FROM mlobs.run_monitors('2026-01-03')" > /dev/null
state="SELECT (SELECT string_agg(name || '=' || threshold, ',' ORDER BY id) FROM mlobs.alert_rules WHERE id < 9) || ' | '
       || (SELECT string_agg(severity || '=' || receiver, ',' ORDER BY severity) FROM mlobs.alert_routes) || ' | '
       || (SELECT count(*) FROM mlobs.alerts) || ' alerts, ' || (SELECT count(*) FROM mlobs.monitor_windows) || ' windows'"
want=$("${P[@]}" -At -d $src -c "$state")
PGBIN=$(dirname "$(command -v psql)")
[ -n "${MLOBS_PG_BIN:-}" ] && PGBIN=$MLOBS_PG_BIN
"$PGBIN/pg_dump" -h 127.0.0.1 -p "$PORT" -U postgres -Fc -f "$OUT/dump_020.dump" $src
"${P[@]}" -d postgres -c "CREATE DATABASE restored_020"
"${P[@]}" -d restored_020 -c "CREATE EXTENSION mlobs VERSION '0.2.0'" -c "DELETE FROM mlobs.alert_rules" -c "DELETE FROM mlobs.alert_routes"
# The one error is the dump's CREATE SCHEMA mlobs, made already by CREATE EXTENSION.
"$PGBIN/pg_restore" -h 127.0.0.1 -p "$PORT" -U postgres -d restored_020 "$OUT/dump_020.dump" 2> "$OUT/restore_020.err" || true
errors=$(grep 'ERROR' "$OUT/restore_020.err" | grep -vc 'schema "mlobs" already exists' || true)
[ "$errors" = 0 ] && check ok "a 0.2.0 dump restores into 0.2.0 (defaults deleted first) with no error but the schema's" || { cat "$OUT/restore_020.err"; check no "0.2.0 dump restore errors"; }
got=$("${P[@]}" -At -d restored_020 -c "$state")
[ -n "$want" ] && [ "$got" = "$want" ] && check ok "a 0.2.0 dump restored into 0.2.0 as documented keeps its rules, routes, alerts and windows" \
  || { echo "  want: $want"; echo "  got:  $got"; check no "0.2.0 dump restore"; }
"${P[@]}" -d restored_020 -c "ALTER EXTENSION mlobs UPDATE" 2> /dev/null
got=$("${P[@]}" -At -d restored_020 -c "$state")
[ "$got" = "$want" ] && check ok "... and keeps them through the update to $CURRENT" || { echo "  want: $want"; echo "  got:  $got"; check no "0.2.0 dump restore + update"; }
