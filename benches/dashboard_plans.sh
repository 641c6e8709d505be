#!/usr/bin/env bash
# The Grafana dashboards' queries on a year of metric points (issue 18 item 7): the demo and the
# Grafana suite's monitors (tests/integration/grafana/setup.sql) run once, then every series they
# wrote (every segment's too) is extended back over a year of hourly windows (monitor_windows and
# metric_points), ANALYZEd, and every dashboard variable, annotation and panel
# query runs as the Grafana login role under EXPLAIN ANALYZE for the default 7-day range and for the
# whole year. Each line gives the query's execution time and any sequential scan of an mlobs table.
# Writes benches/results/dashboard_plans.md. Never part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/demo_cluster.sh
bench_cluster "jit = off" "timezone = 'UTC'"
demo_db mlobs_dash
"${P[@]}" -d mlobs_dash -f benches/year_of_history.sql > /dev/null
windows=$("${P[@]}" -d mlobs_dash -c "SELECT count(*) FROM mlobs.monitor_windows")
points=$("${P[@]}" -d mlobs_dash -c "SELECT count(*) FROM mlobs.metric_points")
run() {
  python3 tests/integration/grafana/run_panels.py --port "$PORT" --db mlobs_dash --user mlobs_grafana --explain \
    --from "$1" --to 2026-01-15T00:00:00Z "${@:2}" | grep -v '^==' || true
}
week=$(run 2026-01-08T00:00:00Z)
year=$(run 2025-01-15T00:00:00Z)
# The dashboards that offer segment web (setup.sql's channel segments), with it selected.
segment=$(run 2025-01-15T00:00:00Z --var segment=web | grep -v '^skip')
summary() { awk -F'[(;]' '/ ms/ {split($NF, a, " ms"); } {print}' <<<"$1" | grep -o '([0-9.]* ms' | tr -d '(' |
  sort -n | awk '{v[NR]=$1} END {printf "%d queries, median %.1f ms, max %.1f ms", NR, v[int((NR+1)/2)], v[NR]}'; }
mkdir -p benches/results
{
  echo "# Dashboard queries on a year of points ($(date -u +%Y-%m-%d), $windows windows, $points metric points, release build)"
  echo
  echo "7-day range: $(summary "$week"); sequential scans of mlobs tables: $(grep -c 'seq scan' <<<"$week" || true)"
  echo
  echo "Whole year: $(summary "$year"); sequential scans of mlobs tables: $(grep -c 'seq scan' <<<"$year" || true)"
  echo
  echo "Whole year, segment web: $(summary "$segment"); sequential scans of mlobs tables: $(grep -c 'seq scan' <<<"$segment" || true)"
  echo
  echo '## 7-day range'
  echo '```'; echo "$week"; echo '```'
  echo '## Whole year'
  echo '```'; echo "$year"; echo '```'
  echo '## Whole year, segment web'
  echo '```'; echo "$segment"; echo '```'
} > benches/results/dashboard_plans.md
head -5 benches/results/dashboard_plans.md
