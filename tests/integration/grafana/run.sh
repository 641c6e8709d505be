#!/usr/bin/env bash
# The Grafana dashboards (examples/grafana/) against real data, without a Grafana server:
#  1. tests/integration/grafana/expand.py --self-test: Grafana's template-variable, sqleng and PostgreSQL macro
#     expansion (pkg/tsdb/grafana-postgresql-datasource/macros.go) against hand-computed expansions;
#  2. the demo (examples/demo.sql: fraud_predictions, transactions, the registered models), the monitors of
#     tests/integration/grafana/setup.sql run once at 2026-01-15 00:00 so metric points and alerts exist, and the
#     login role mlobs_grafana (IN ROLE mlobs_reader) the provisioned datasource connects as;
#  3. tests/integration/grafana/run_panels.py: every dashboard's variables and panel queries expanded for the demo's
#     time range, run as mlobs_grafana in read-only transactions, frame shape checked.
# Uses its own cluster (.run/grafana, port 28830) with the installed mlobs build. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../../.."
PORT=${MLOBS_GRAFANA_PORT:-28830}
DB=mlobs_grafana_it
start=$(date +%s)

echo "== 1. macro expansion self-test"
python3 tests/integration/grafana/expand.py --self-test

bash scripts/pg_cluster.sh destroy grafana
bash scripts/pg_cluster.sh start grafana "$PORT" "timezone = 'UTC'"
TMPDIR_IT=$(mktemp -d)
trap 'bash scripts/pg_cluster.sh destroy grafana; rm -rf "$TMPDIR_IT"' EXIT
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB"

echo "== 2. demo data, monitors, one run"
if ! "${PSQL[@]}" -d "$DB" -f examples/demo.sql >/dev/null 2>"$TMPDIR_IT/demo.err"; then
  cat "$TMPDIR_IT/demo.err" >&2; echo "FAIL: examples/demo.sql" >&2; exit 1
fi
"${PSQL[@]}" -d "$DB" -f tests/integration/grafana/setup.sql
"${PSQL[@]}" -d "$DB" -At -c "SELECT 'metric points: ' || count(*) FROM mlobs.metric_points" \
  -c "SELECT 'alerts: ' || string_agg(state || ' ' || n, ', ' ORDER BY state) FROM (SELECT state, count(*) n FROM mlobs.alerts GROUP BY 1) s"

echo "== 3. every panel as mlobs_grafana"
python3 tests/integration/grafana/run_panels.py --port "$PORT" --db "$DB" --user mlobs_grafana \
  --from 2026-01-01T00:00:00Z --to 2026-01-15T00:00:00Z
echo "grafana integration: ok ($(( $(date +%s) - start )) s)"
