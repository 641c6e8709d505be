#!/usr/bin/env bash
# HTML reports (issue 22) in a real browser: the demo (examples/demo.sql) is loaded and
# mlobs.report renders the fraud model's simulated weeks as postgres and as `analyst`, an
# mlobs_reader member who may not read the log; a hostile log (names that try to become markup,
# 5 000 categories, a value beyond float8) gets its own report. Each document is checked as text
# (tests/integration/report/check.py: self-contained, no script, every chart drawn, every alert,
# drift series and quality value of the period present as the database holds them), then opened
# in headless Chromium (Debian's package), which must keep every chart and log no error; its
# screenshots are left in .run/report-out. Own cluster (.run/report, port 28874).
set -euo pipefail
cd "$(dirname "$0")/../../.."
PORT=${MLOBS_REPORT_PORT:-28874}
OUT=$PWD/.run/report-out
bash scripts/pg_cluster.sh destroy report
bash scripts/pg_cluster.sh start report "$PORT" "timezone = 'UTC'"
trap 'bash scripts/pg_cluster.sh destroy report' EXIT
rm -rf "$OUT" && mkdir -p "$OUT" && chmod 777 "$OUT"
P=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT")
fail=0
check() { if [ "$1" = ok ]; then echo "PASS: $2"; else echo "FAIL: $2"; fail=1; fi; }
CHROMIUM=$(command -v chromium || true)
[ -n "$CHROMIUM" ] || { echo "FAIL: chromium is not installed (scripts/install.sh installs it)"; exit 1; }

"${P[@]}" -U postgres -d postgres -c "CREATE DATABASE report"
echo "== the demo (examples/demo.sql)"
"${P[@]}" -U postgres -d report -f examples/demo.sql > /dev/null 2> "$OUT/demo.err" || { tail "$OUT/demo.err"; exit 1; }
"${P[@]}" -U postgres -d report -c "CREATE ROLE analyst LOGIN IN ROLE mlobs_reader"
"${P[@]}" -U postgres -d report -f tests/integration/report/hostile.sql > /dev/null

# The facts of a period as the database holds them (what check.py looks for in the report).
expected() { # MODEL FROM TO
  "${P[@]}" -U postgres -d report -At -v model="$1" -v from="$2" -v to="$3" <<'SQL'
SELECT jsonb_build_object(
  'alerts', (SELECT coalesce(jsonb_agg(jsonb_build_object('rule', r.name, 'feature', a.feature, 'state', a.state)), '[]')
               FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id
              WHERE a.model = :'model' AND a.started_at < :'to' AND (a.resolved_at IS NULL OR a.resolved_at >= :'from')),
  'drift_titles', (SELECT coalesce(jsonb_agg(t), '[]') FROM (
      SELECT DISTINCT CASE WHEN p.feature = '' THEN p.metric ELSE p.feature || ': ' || p.metric END || ' (monitor ' || mo.name || ')' AS t
        FROM mlobs.metric_points p JOIN mlobs.monitors mo ON mo.id = p.monitor_id
       WHERE p.model = :'model' AND mo.kind IN ('feature_drift', 'prediction_drift', 'multivariate_drift') AND p.segment = ''
         AND p.ts > :'from' AND p.ts <= :'to'
         AND p.metric NOT IN ('rows', 'drifted_features', 'mean', 'reconstruction_error_lower', 'reconstruction_error_upper')) x),
  'quality', (SELECT coalesce(jsonb_agg(jsonb_build_object('feature', feature, 'metric', metric, 'max', top)), '[]') FROM (
      SELECT p.feature, p.metric, max(p.value) AS top FROM mlobs.metric_points p JOIN mlobs.monitors mo ON mo.id = p.monitor_id
       WHERE p.model = :'model' AND mo.kind = 'quality' AND p.segment = '' AND p.ts > :'from' AND p.ts <= :'to'
         AND p.metric <> 'rows' AND p.value < 'Infinity' GROUP BY 1, 2 HAVING max(p.value) > 0) q))
SQL
}
# render NAME USER MODEL FROM TO [check.py options]: the report as USER, checked as text and in Chromium.
render() {
  local name=$1 user=$2 model=$3 from=$4 to=$5; shift 5
  echo "SELECT mlobs.report(:'model', :'from', :'to')" |
    "${P[@]}" -U "$user" -d report -At -v model="$model" -v from="$from" -v to="$to" -o "$OUT/$name.html"
  local extra=${EXTRA:-'{}'}
  expected "$model" "$from" "$to" | python3 -c "import json, sys; e = json.load(sys.stdin); e.update(json.loads(sys.argv[1])); print(json.dumps(e))" \
    "$extra" > "$OUT/$name.expected.json"
  local chrome=("$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --allow-file-access-from-files
                --user-data-dir="$OUT/chromium-profile" --enable-logging=stderr --v=0)
  "${chrome[@]}" --dump-dom "file://$OUT/$name.html" > "$OUT/$name.dom.html" 2> "$OUT/$name.chromium.log" || true
  "${chrome[@]}" --window-size=900,1500 --screenshot="$OUT/$name.png" "file://$OUT/$name.html" > /dev/null 2>> "$OUT/$name.chromium.log" || true
  echo "== $name: $(wc -c < "$OUT/$name.html") bytes, screenshot $OUT/$name.png"
  python3 tests/integration/report/check.py "$OUT/$name.html" "$OUT/$name.dom.html" "$OUT/$name.expected.json" "$@" || fail=1
  if grep -iE 'CONSOLE.*(error|uncaught)|Uncaught|Refused to' "$OUT/$name.chromium.log"; then
    check no "$name: the browser logged an error"
  else
    check ok "$name: the browser logged no error"
  fi
  [ -s "$OUT/$name.png" ] && check ok "$name: Chromium rendered a screenshot" || check no "$name: no screenshot"
}

EXTRA='{"text": ["Model monitoring report: fraud", "Reference against current distributions", "Confusion matrix", "Calibration", "Feature importance (mean |SHAP|)"]}' \
  render fraud postgres fraud 2026-02-01 2026-02-19
EXTRA='{"text": ["need the role of the monitor", "or SELECT on public.fraud_log as analyst on a table that analyst or a superuser owns"], "not_text": ["Reference against current distributions", "Confusion matrix"]}' \
  render reader analyst fraud 2026-02-01 2026-02-19
EXTRA='{"text": ["<script>alert(1)</script>", "The distribution of huge is not drawn"], "not_text": ["<script>alert", "<img src=x", "onload=\"x"]}' \
  render hostile postgres '"&<model>' 2026-03-01 2026-03-05

got=$("${P[@]}" -U analyst -d report -At -c "SELECT mlobs.report('fraud features', '2026-02-01', '2026-02-19') = mlobs.report('fraud', '2026-02-01', '2026-02-19')")
[ "$got" = t ] && check ok "a monitor's name gives its model's report" || check no "report by monitor name differs ($got)"
echo "== bad calls"
for call in "mlobs.report(NULL)|22004" "mlobs.report('fraud', '2026-02-02', '2026-02-01')|22023" "mlobs.report('nope')|42704"; do
  got=$("${P[@]}" -U analyst -d report -At -v VERBOSITY=verbose -c "SELECT length(${call%|*})" 2>&1 | grep -o 'ERROR:  [0-9A-Z]\{5\}' || true)
  [ "$got" = "ERROR:  ${call#*|}" ] && check ok "${call%|*}: ${call#*|}" || check no "${call%|*}: want ${call#*|}, got $got"
done
[ $fail -eq 0 ] && echo "report: all checks passed" || { echo "report: FAILED"; exit 1; }
