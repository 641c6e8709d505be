#!/usr/bin/env bash
# The Grafana dashboards (examples/grafana/) against real data, without a Grafana server:
#  0. tests/integration/grafana/check_static.py: the files import into an empty Grafana 10.2.3+ without edits
#     (isDefault false, relative time range, the datasource variable instead of a uid, no hard-coded table,
#     alert annotations, units, severity-coloured thresholds read from mlobs.alert_rules, data links);
#  1. tests/integration/grafana/expand.py --self-test: Grafana's template-variable, sqleng and PostgreSQL macro
#     expansion (pkg/tsdb/grafana-postgresql-datasource/macros.go) against hand-computed expansions;
#  2. the demo (examples/demo.sql: fraud_predictions, transactions, the registered models), the monitors of
#     tests/integration/grafana/setup.sql run once at 2026-01-15 00:00 so metric points and alerts exist, and the
#     login role mlobs_grafana (IN ROLE mlobs_reader) the provisioned datasource connects as;
#  3. tests/integration/grafana/run_panels.py: every dashboard's variables, annotation queries and panel queries
#     expanded for the demo's time range (the dashboards default to now-7d; the test pins 2026-01-01..15), run as
#     mlobs_grafana in read-only transactions, frame shape checked; every query of the segmented tables also
#     as postgres with the other segments' rows deleted (rolled back): same rows, so a panel shows the selected
#     segment only (the whole window by default);
#  4. the segment variable's options, and the dashboards that offer segment web (then '(other)') with it
#     selected, checked the same way.
# Uses its own cluster (.run/grafana, port 28830) with the installed mlobs build. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../../.."
PORT=${MLOBS_GRAFANA_PORT:-28830}
CLUSTER=${MLOBS_GRAFANA_CLUSTER:-grafana}  # the cluster's name under .run
DB=mlobs_grafana_it
start=$(date +%s)

echo "== 0. static checks (import into an empty Grafana 10.2.3+)"
python3 tests/integration/grafana/check_static.py

echo "== 1. macro expansion self-test"
python3 tests/integration/grafana/expand.py --self-test

bash scripts/pg_cluster.sh destroy "$CLUSTER"
bash scripts/pg_cluster.sh start "$CLUSTER" "$PORT" "timezone = 'UTC'"
TMPDIR_IT=$(mktemp -d)
trap 'bash scripts/pg_cluster.sh destroy "$CLUSTER"; rm -rf "$TMPDIR_IT"' EXIT
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB"

echo "== 2. demo data, monitors, one run"
if ! "${PSQL[@]}" -d "$DB" -f examples/demo.sql >/dev/null 2>"$TMPDIR_IT/demo.err"; then
  cat "$TMPDIR_IT/demo.err" >&2; echo "FAIL: examples/demo.sql" >&2; exit 1
fi
"${PSQL[@]}" -d "$DB" -f tests/integration/grafana/setup.sql
"${PSQL[@]}" -d "$DB" -At -c "SELECT 'metric points: ' || count(*) FROM mlobs.metric_points" \
  -c "SELECT 'alerts: ' || string_agg(state || ' ' || n, ', ' ORDER BY state) FROM (SELECT state, count(*) n FROM mlobs.alerts GROUP BY 1) s"

echo "== 3. every panel as mlobs_grafana (segment: the default, the whole window)"
python3 tests/integration/grafana/run_panels.py --port "$PORT" --db "$DB" --user mlobs_grafana \
  --from 2026-01-01T00:00:00Z --to 2026-01-15T00:00:00Z --isolate-user postgres

echo "== 4. the segment variable: its options, then every panel of a dashboard offering a segment, per segment"
# The drift dashboard's segment variable offers the whole window first, then the drift monitor's segments
# by rank (setup.sql: web and app, the rest in '(other)').
want=$(printf '%s\n' '|all rows' 'web|web' 'app|app' '(other)|(other)')
got=$(python3 - "$PORT" "$DB" <<'PY'
import json, subprocess, sys
sys.path.insert(0, "tests/integration/grafana")
import expand
v = [v for v in json.load(open("examples/grafana/dashboards/drift.json"))["templating"]["list"] if v["name"] == "segment"][0]
sql = expand.expand(v["query"], expand.parse_time("2026-01-01T00:00:00Z"), expand.parse_time("2026-01-15T00:00:00Z"),
                    {"model": {"value": "fraud"}})
print(subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", sys.argv[1], "-U", "mlobs_grafana",
                      "-d", sys.argv[2], "-c", sql], capture_output=True, text=True, check=True).stdout.strip())
PY
)
[ "$got" = "$want" ] || { echo "FAIL: drift segment variable offers:"; echo "$got"; echo "expected:"; echo "$want"; exit 1; } >&2
echo "  ok   drift segment variable: $(tr '\n' ' ' <<<"$got")"
for segment in web '(other)'; do
  python3 tests/integration/grafana/run_panels.py --port "$PORT" --db "$DB" --user mlobs_grafana \
    --from 2026-01-01T00:00:00Z --to 2026-01-15T00:00:00Z --isolate-user postgres --var "segment=$segment"
done
echo "== 5. the explainability dashboard over a log whose id is a uuid (it compared id = \$prediction unquoted: 42601)"
"${PSQL[@]}" -d "$DB" -c "CREATE TABLE tx_uuid AS SELECT md5(id::text)::uuid AS id, ts, features FROM transactions" \
  -c "GRANT SELECT ON tx_uuid TO mlobs_reader"
python3 tests/integration/grafana/run_panels.py --port "$PORT" --db "$DB" --user mlobs_grafana \
  --from 2026-01-01T00:00:00Z --to 2026-01-15T00:00:00Z --var "log=public.tx_uuid" examples/grafana/dashboards/explainability.json
echo "grafana integration: ok ($(( $(date +%s) - start )) s)"
