#!/usr/bin/env bash
# The dbt package (examples/dbt/mlobs_dbt) and its example project (examples/dbt/example_project)
# against real dbt, on the oldest and the newest dbt the package claims (require-dbt-version
# >=1.8.0,<1.12.0): dbt-core 1.8 + dbt-postgres 1.8.2 (examples/dbt/requirements-1.8.txt, venv
# .run/dbt-venv-1.8) and dbt-core 1.11 + dbt-postgres 1.11.0 (examples/dbt/requirements.txt, venv
# .run/dbt-venv), each venv created when missing or when its requirements changed. One cluster
# (.run/dbt, port 28840) with the installed mlobs build, a fresh database per dbt version. The project
# is copied to .run/dbt-work so the working tree stays clean. Per dbt version:
#  1. `dbt build` on days 1-10 (no drift yet): every model built, every test passes;
#  2. `dbt build` on days 1-14 (drift from day 11): the incremental models append days 11-14 and
#     recompute day 10 only (rows of days 1-9 untouched); the warn-severity PSI and new-category tests
#     report exactly the 4 drifted days, the other tests pass, the build exits 0; the stored-profile
#     drift table flags amount and merchant on days 11-14 and nothing else; accuracy drops;
#  3. the PSI test's failing rows (--store-failures) are those 4 days and --warn-error makes it fail;
#  4. the package's psi_between macro (dbt show --inline, a raw-row pass) equals the PSI daily_drift
#     read from the rolled-up stored profiles;
#  5. a third `dbt build` on unchanged data changes no stored number (idempotent);
#  5b. late labels: daily_metrics built while the labels of days 12-14 were partly missing, then the
#     labels land by UPDATE: an incremental run recomputes label_horizon_days (3) days before the
#     last stored day, so every day's labelled rows and accuracy equal the log's again;
#  6. `config: where:` on a drift test without reference_relation: the package warns that the filter
#     also applies to the reference rows (here it empties the reference: the test fails);
#  7. `dbt source freshness`: the January log and its labels are stale (error, exit 1); after a fresh
#     prediction whose newest label is 36 hours old, the log passes and the labels warn (exit 0).
# MLOBS_DBT_VERSIONS="1.11" limits the run to some of the versions; MLOBS_DBT_CLUSTER names the
# cluster (default dbt; the work directory is .run/<cluster>-work). Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$PWD
START=$SECONDS
PORT=${MLOBS_DBT_PORT:-28840}
VERSIONS=${MLOBS_DBT_VERSIONS:-"1.8 1.11"}
NEWEST=1.11
CLUSTER=${MLOBS_DBT_CLUSTER:-dbt}
WORK=$ROOT/.run/$CLUSTER-work
fail() { echo "FAIL: $*" >&2; exit 1; }

if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  apt-get install -y -q python3-venv >/dev/null
fi
# venv VERSION: creates or reuses the venv of a dbt version; prints its path.
venv() {
  local v=$1 req venv stamp
  if [ "$v" = "$NEWEST" ]; then req=$ROOT/examples/dbt/requirements.txt; venv=$ROOT/.run/dbt-venv
  else req=$ROOT/examples/dbt/requirements-$v.txt; venv=$ROOT/.run/dbt-venv-$v; fi
  [ -f "$req" ] || fail "no requirements file for dbt $v ($req)"
  stamp=$(sha256sum "$req" | cut -d' ' -f1)
  if [ ! -x "$venv/bin/dbt" ] || [ "$(cat "$venv/.requirements.sha256" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$req" >&2
    echo "$stamp" > "$venv/.requirements.sha256"
  fi
  echo "$venv"
}

bash scripts/pg_cluster.sh destroy "$CLUSTER"
bash scripts/pg_cluster.sh start "$CLUSTER" "$PORT" "timezone = 'UTC'"
trap 'bash "$ROOT/scripts/pg_cluster.sh" destroy "$CLUSTER"' EXIT
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=mlobs_dbt DBT_SCHEMA=monitoring
export DBT_SEND_ANONYMOUS_USAGE_STATS=false DBT_VERSION_CHECK=false DBT_USE_COLORS=false
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
q() { "${PSQL[@]}" -At -c "$1"; }
dbt() { "$DBT" "$@" --profiles-dir .; }
# status and failures of one node of the last run: "<status> <failures>"
result() {
  python3 - "$1" <<'PY'
import json, sys
for r in json.load(open("target/run_results.json"))["results"]:
    if r["unique_id"].split(".")[2] == sys.argv[1]:
        print(r["status"], r.get("failures"))
        break
else:
    print("missing")
PY
}
statuses() {
  python3 - <<'PY'
import collections, json
c = collections.Counter(r["status"] for r in json.load(open("target/run_results.json"))["results"])
print(" ".join(f"{k}={v}" for k, v in sorted(c.items())))
PY
}
# freshness status per source table of the last `dbt source freshness`: "labels=error predictions=error"
freshness() {
  python3 - <<'PY'
import json
r = json.load(open("target/sources.json"))["results"]
print(" ".join(sorted(f"{x['unique_id'].split('.')[-1]}={x['status']}" for x in r)))
PY
}
counts() { q "SELECT (SELECT count(*) FROM monitoring.daily_feature_profiles) || ' ' || (SELECT count(*) FROM monitoring.daily_drift) || ' ' || (SELECT count(*) FROM monitoring.daily_metrics)"; }

scenario() {
local v=$1 VSTART=$SECONDS
echo
echo "######## dbt $v"
t0=$SECONDS
DBT=$(venv "$v")/bin/dbt
"$DBT" --version | grep -E 'installed|postgres:' | tr -s ' '
echo "venv ready in $((SECONDS - t0)) s"
"${PSQL[@]}" -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS mlobs_dbt" -c "CREATE DATABASE mlobs_dbt"
"${PSQL[@]}" -c "CREATE EXTENSION mlobs"
rm -rf "$WORK" && mkdir -p "$WORK"
cp -r "$ROOT/examples/dbt/mlobs_dbt" "$ROOT/examples/dbt/example_project" "$WORK/"
cd "$WORK/example_project"

t0=$SECONDS
dbt deps
echo "dbt deps: $((SECONDS - t0)) s"

echo "== 1. dbt build, days 1-10 (before the drift)"
t0=$SECONDS
dbt build --vars '{log_through: "2026-01-10"}' > "$WORK/build1.log"
tail -n 3 "$WORK/build1.log"
# The project and the package use no construct this dbt deprecates (the version banner of old dbts aside).
if grep -i 'deprecat' "$WORK/build1.log" | grep -v 'This version of dbt is deprecated'; then
  fail "dbt $v reports deprecations"
fi
echo "build 1: $((SECONDS - t0)) s; results: $(statuses)"
[ "$(statuses)" = "pass=17 success=4" ] || fail "run 1: expected 4 models built and 17 tests passing"
c=$(counts); echo "profiles/drift/metrics rows: $c"
[ "$c" = "30 9 10" ] || fail "run 1: expected 30 profile rows (10 days x 3 features), 9 drift rows, 10 metric days"
[ "$(q "SELECT count(*) FROM monitoring.daily_drift WHERE drifted")" = 0 ] || fail "run 1: drift before day 11"
q "CREATE TABLE public.after_run1 AS SELECT day, feature, computed_at FROM monitoring.daily_feature_profiles" >/dev/null

echo "== 2. dbt build, days 1-14 (drift from day 11): incremental append, warnings"
t0=$SECONDS
dbt build | grep -E 'incremental model|WARN|Done\.'
echo "build 2: $((SECONDS - t0)) s; results: $(statuses)"
[ "$(statuses)" = "pass=15 success=4 warn=2" ] || fail "run 2: expected 15 passing tests and 2 warnings"
for t in amount_psi_below_0_1_per_day merchant_no_new_categories_per_day; do
  [ "$(result "$t")" = "warn 4" ] || fail "run 2: $t: expected 'warn 4', got '$(result "$t")'"
done
for t in age_psi_below_0_1_per_day stored_age_profiles_psi_below_0_1_per_day amount_missing_share_below_5pct_per_day score_missing_share_below_1pct age_psi_below_0_1_since_day_5_where daily_drift_kind_is_known; do
  [ "$(result "$t")" = "pass 0" ] || fail "run 2: $t: expected 'pass 0', got '$(result "$t")'"
done
c=$(counts); echo "profiles/drift/metrics rows: $c"
[ "$c" = "42 21 14" ] || fail "run 2: expected 42 / 21 / 14 rows"
kept=$(q "SELECT count(*) FROM monitoring.daily_feature_profiles p JOIN public.after_run1 a USING (day, feature, computed_at)")
echo "profile rows untouched by run 2: $kept (days 1-9; day 10 recomputed)"
[ "$kept" = 27 ] || fail "run 2: expected the 27 rows of days 1-9 untouched"
[ "$(q "SELECT count(*) FROM monitoring.daily_feature_profiles p JOIN public.after_run1 a USING (day, feature) WHERE p.computed_at > a.computed_at AND p.day = '2026-01-10'")" = 3 ] \
  || fail "run 2: day 10 was not recomputed"
drifted=$(q "SELECT string_agg(feature || ':' || to_char(day, 'MM-DD'), ' ' ORDER BY feature, day) FROM monitoring.daily_drift WHERE drifted")
echo "drifted: $drifted"
[ "$drifted" = "amount:01-11 amount:01-12 amount:01-13 amount:01-14 merchant:01-11 merchant:01-12 merchant:01-13 merchant:01-14" ] \
  || fail "run 2: expected amount and merchant drifted on days 11-14 only"
q "SELECT 'accuracy reference ' || round(avg(accuracy) FILTER (WHERE day < '2026-01-11')::numeric, 3) || ', drifted days ' || round(avg(accuracy) FILTER (WHERE day >= '2026-01-11')::numeric, 3) FROM monitoring.daily_metrics"
[ "$(q "SELECT avg(accuracy) FILTER (WHERE day >= '2026-01-11') < avg(accuracy) FILTER (WHERE day < '2026-01-11') - 0.05 FROM monitoring.daily_metrics")" = t ] \
  || fail "run 2: accuracy did not drop on the drifted days"
[ "$(q "SELECT round(mlobs.accuracy(mlobs.rollup(confusion))::numeric, 6) = round((sum(accuracy * predictions) / sum(predictions))::numeric, 6) FROM monitoring.daily_metrics")" = t ] \
  || fail "rollup of the stored confusion summaries disagrees with the daily accuracies"

echo "== 3. the PSI test's failing rows"
set +e
dbt test --select amount_psi_below_0_1_per_day --store-failures --warn-error >/dev/null
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "--warn-error should turn the drift warning into a failure"
rows=$(q "SELECT string_agg(current_window || '=' || round(psi::numeric, 2), ' ' ORDER BY current_window) FROM monitoring_dbt_test__audit.amount_psi_below_0_1_per_day")
echo "failing rows (--warn-error exit $rc): $rows"
[ "$(q "SELECT string_agg(current_window, ' ' ORDER BY current_window) FROM monitoring_dbt_test__audit.amount_psi_below_0_1_per_day")" \
  = "2026-01-11 2026-01-12 2026-01-13 2026-01-14" ] || fail "failing rows should be days 11-14"

echo "== 4. psi_between (raw rows) = daily_drift (rolled-up stored profiles)"
raw=$(dbt show --quiet --output json --inline "select {{ mlobs_dbt.psi_between(ref('prediction_log'), ref('prediction_log'), 'features', key='amount', reference_filter=\"ts < '2026-01-08'\", current_filter=\"ts >= '2026-01-12' and ts < '2026-01-13'\") }} as psi" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["show"][0]["psi"])')
stored=$(q "SELECT psi FROM monitoring.daily_drift WHERE feature = 'amount' AND day = '2026-01-12'")
echo "raw: $raw, stored: $stored"
python3 -c "import sys; r, s = map(float, sys.argv[1:]); sys.exit(0 if abs(r - s) <= 1e-9 * abs(s) else 1)" "$raw" "$stored" \
  || fail "psi_between and daily_drift disagree"

echo "== 5. third dbt build on unchanged data: nothing changes"
snap="SELECT md5(string_agg(concat_ws('|', day, feature, psi, drifted, new_categories), ',' ORDER BY day, feature)) FROM monitoring.daily_drift"
snap_m="SELECT md5(string_agg(concat_ws('|', day, predictions, accuracy, roc_auc, confusion::text, scores::text), ',' ORDER BY day)) FROM monitoring.daily_metrics"
before="$(q "$snap") $(q "$snap_m")"
t0=$SECONDS
dbt build | grep -E 'Done\.'
echo "build 3: $((SECONDS - t0)) s; results: $(statuses)"
[ "$(statuses)" = "pass=15 success=4 warn=2" ] || fail "run 3: results changed"
[ "$(counts)" = "42 21 14" ] || fail "run 3: row counts changed: $(counts)"
[ "$(q "$snap") $(q "$snap_m")" = "$before" ] || fail "run 3: stored drift or metrics changed"

echo "== 5b. late labels (UPDATE) on days already built: daily_metrics recomputes label_horizon_days days"
q "CREATE TABLE public.true_labels AS SELECT id, label FROM monitoring.prediction_log" >/dev/null
# The log as of 2026-01-14 12:00: the labels landing later (label_at) are not there yet.
q "UPDATE monitoring.prediction_log SET label = NULL WHERE label_at > '2026-01-14 12:00+00'" >/dev/null
dbt run --select daily_metrics --full-refresh >/dev/null
partial=$(q "SELECT string_agg(to_char(day, 'MM-DD'), ' ' ORDER BY day) FROM monitoring.daily_metrics WHERE labelled < predictions")
echo "days built with partial labels: $partial"
[ "$partial" = "01-12 01-13 01-14" ] || fail "5b: expected days 12-14 with partial labels, got '$partial'"
# Two days later the labels have landed; the daily job runs again (incremental).
q "UPDATE monitoring.prediction_log p SET label = t.label FROM public.true_labels t WHERE t.id = p.id AND p.label IS NULL" >/dev/null
dbt run --select daily_metrics >/dev/null
stale=$(q "SELECT coalesce(string_agg(to_char(d.day, 'MM-DD') || ' stored ' || d.labelled || ' log ' || l.labelled, ', ' ORDER BY d.day), '')
             FROM monitoring.daily_metrics d
             JOIN (SELECT (ts AT TIME ZONE 'UTC')::date AS day, count(label) AS labelled,
                          mlobs.accuracy(mlobs.confusion_agg(label, predicted)) AS accuracy
                     FROM monitoring.prediction_log GROUP BY 1) l USING (day)
            WHERE d.labelled <> l.labelled OR d.accuracy IS DISTINCT FROM l.accuracy")
echo "days whose stored labels disagree with the log after the labels landed: ${stale:-none}"
[ -z "$stale" ] || fail "5b: daily_metrics kept the partial labels of $stale"
q "DROP TABLE public.true_labels" >/dev/null

echo "== 6. config where on a drift test also filters its reference rows: the package warns"
cat > models/where_pitfall.yml <<'YML'
version: 2
sources:
  - name: pitfall
    schema: "{{ target.schema }}"
    tables:
      - name: log
        identifier: prediction_log
        columns:
          - name: features
            data_tests:
              - mlobs_dbt.psi_below:
                  name: where_pitfall_psi
                  arguments:
                    key: age
                    reference_filter: "ts < '2026-01-08 00:00+00'"
                  config:
                    where: "ts >= '2026-01-11 00:00+00'"
YML
set +e
out=$(dbt test --select where_pitfall_psi 2>&1)
set -e
echo "$out" | grep -o "psi_below: config where .*reference rows as well as the current ones" | head -n 1 \
  || fail "no warning about config where filtering the reference rows"
[ "$(result where_pitfall_psi)" = "fail 1" ] || fail "where_pitfall_psi: expected 'fail 1' (empty reference), got '$(result where_pitfall_psi)'"
echo "where_pitfall_psi: $(result where_pitfall_psi) (the where left no reference row: PSI undefined)"
rm models/where_pitfall.yml

echo "== 6b. no_new_categories over an empty reference fails (a filter typo is not a pass)"
cat > models/empty_reference.yml <<'YML'
version: 2
sources:
  - name: empty_reference
    schema: "{{ target.schema }}"
    tables:
      - name: log
        identifier: prediction_log
        columns:
          - name: features
            data_tests:
              - mlobs_dbt.no_new_categories:
                  name: empty_reference_new_categories
                  arguments:
                    key: merchant
                    reference_filter: "ts < '2025-01-08 00:00+00'"
                    current_filter: "ts >= '2026-01-12 00:00+00'"
                    group_by: "{{ mlobs_dbt.day('ts') }}"
YML
set +e
dbt test --select empty_reference_new_categories >/dev/null 2>&1
set -e
echo "empty_reference_new_categories: $(result empty_reference_new_categories)"
[ "$(result empty_reference_new_categories)" = "fail 3" ] \
  || fail "empty_reference_new_categories: expected 'fail 3' (one row per current day), got '$(result empty_reference_new_categories)'"
rm models/empty_reference.yml

echo "== 7. dbt source freshness: the log (ts) and its late labels (label_at)"
set +e
dbt source freshness >/dev/null
rc=$?
set -e
echo "January data: $(freshness), exit $rc"
[ "$rc" -ne 0 ] && [ "$(freshness)" = "labels=error predictions=error" ] || fail "stale sources should be errors"
q "INSERT INTO monitoring.prediction_log (id, ts, features, score, predicted, label, label_at)
   SELECT max(id) + 1, now(), '{\"amount\": 50, \"age\": 40, \"merchant\": \"fuel\"}', 0.4, 0, 0, now() - interval '36 hours'
   FROM monitoring.prediction_log" >/dev/null
dbt source freshness >/dev/null || fail "source freshness with a fresh log should exit 0 (labels only warn)"
echo "a prediction now, newest label 36 h old: $(freshness)"
[ "$(freshness)" = "labels=warn predictions=pass" ] || fail "expected labels=warn predictions=pass"
echo "dbt $v: ok ($((SECONDS - VSTART)) s)"
cd "$ROOT"
}

for v in $VERSIONS; do scenario "$v"; done
echo "dbt integration: ok, dbt $VERSIONS ($((SECONDS - START)) s)"
