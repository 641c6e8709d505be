#!/usr/bin/env bash
# The runtime with a year of history (issue 21 item 3): two databases with the demo and the
# Grafana suite's monitors (tests/integration/grafana/setup.sql) run to 2026-01-15; `year` also
# gets every series extended back over a year of hourly windows (as benches/dashboard_plans.sh
# does). Timed in both, alternating between the databases (5 rounds, median of 3 per round):
# the next run (one more hourly window for every monitor, rolled back each time), latest_points(),
# the alert evaluation of every rule, and prune_history. Then the one-time cost of pruning the
# year to 13 months. Writes benches/results/history.md. Never part of the test suite.
# Cluster and install options: benches/demo_cluster.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/demo_cluster.sh
bench_cluster "jit = off" "timezone = 'UTC'"
for db in mlobs_hist_weeks mlobs_hist_year; do
  demo_db $db
done
"${P[@]}" -d mlobs_hist_year -f benches/year_of_history.sql > /dev/null
for db in mlobs_hist_weeks mlobs_hist_year; do
  "${P[@]}" -d $db -c "VACUUM ANALYZE mlobs.metric_points" -c "VACUUM ANALYZE mlobs.monitor_windows"
done
names=("next run (1 window × every monitor)" "latest_points('psi')" "evaluate_alerts()" "prune_history dry run")
queries=(
  "DO \$\$ BEGIN PERFORM mlobs.run_monitors('2026-01-15 01:00'); RAISE EXCEPTION USING ERRCODE = 'MLB00'; EXCEPTION WHEN SQLSTATE 'MLB00' THEN NULL; END \$\$"
  "SELECT count(*) FROM mlobs.latest_points('psi')"
  "DO \$\$ BEGIN PERFORM mlobs.evaluate_alerts(); RAISE EXCEPTION USING ERRCODE = 'MLB00'; EXCEPTION WHEN SQLSTATE 'MLB00' THEN NULL; END \$\$"
  "SELECT count(*) FROM mlobs.prune_history(dry_run => true)"
)
declare -A t
for round in 1 2 3 4 5; do
  for i in "${!queries[@]}"; do
    for db in mlobs_hist_weeks mlobs_hist_year; do
      ms=$("${P[@]}" -d $db -c "\\i benches/median_ms.sql" -c "SELECT round(pg_temp.median_ms(\$q\$${queries[$i]}\$q\$, 3, 0)::numeric, 2)" | tail -1)
      t[$i,$db]+="$ms "
    done
  done
done
med() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
counts() { "${P[@]}" -d "$1" -c "SELECT (SELECT count(*) FROM mlobs.monitor_windows) || ' windows, ' || (SELECT count(*) FROM mlobs.metric_points) || ' points, ' || (SELECT count(*) FROM mlobs.monitors) || ' monitors'"; }
weeks=$(counts mlobs_hist_weeks); year=$(counts mlobs_hist_year)
prune=$("${P[@]}" -d mlobs_hist_year -c "\\timing on" -c "SELECT string_agg(what || '=' || deleted, ' ') FROM mlobs.prune_history('13 months')" | tr '\n' ' ')
mkdir -p benches/results
{
  echo "# The runtime with a year of history ($(date -u +%Y-%m-%d))"
  echo
  echo "two weeks: $weeks; a year: $year. Medians of 5 alternating rounds (each a median of 3), ms."
  echo
  echo "| operation | two weeks | a year | ratio |"
  echo "|---|---|---|---|"
  for i in "${!queries[@]}"; do
    a=$(med "${t[$i,mlobs_hist_weeks]}"); b=$(med "${t[$i,mlobs_hist_year]}")
    echo "| ${names[$i]} | $a | $b | $(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", b / a}') |"
  done
  echo
  echo "Pruning the year to 13 months once: $prune"
} | tee benches/results/history.md
