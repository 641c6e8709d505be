#!/usr/bin/env bash
# The test suite. With no argument it runs everything (the README's test command; .ci/run calls it)
# and exits non-zero on any failure. Stages can be picked for a faster loop:
#
#   scripts/test.sh [STAGE ...]
#     lint                 cargo fmt --check, cargo clippy -D warnings
#     core                 core crates: unit, property and reference-fixture tests (no PostgreSQL)
#     fuzz                 bounded libFuzzer runs of every decoder (MLOBS_FUZZ_SECONDS per target, 10)
#     pgtest               the #[pg_test] suite inside a pgrx-managed PostgreSQL
#     regress              install the debug build, extension-script audits, pg_regress golden files
#     docs                 install the debug build, run every docs example (docs/*.md, README.md)
#     integration[:A,B]    every suite in tests/integration/ (or the named ones) on its own cluster
#     check                = lint core
#     all                  = lint core fuzz pgtest regress docs integration (the default)
#     list                 print the stages and integration suites
#
# Each step prints its wall time; the summary lists them.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PG_BIN=/usr/lib/postgresql/15/bin
PORT=${MLOBS_TEST_PORT:-28816}

# Integration suites in the order `all` runs them: folder name | what it proves.
# Every folder of tests/integration/ must be listed (checked below), each with a run.sh.
# The suites of LANE_B run one after another in a second lane, beside the pg_regress, docs and
# other integration suites: monitoring and retraining mostly wait for pg_cron's minute, dbt for
# pip, and the rest use about one of the two cores. LAST runs after the lane has ended (load
# saturates both cores and counts the windows its runners close). MLOBS_TEST_LANES=1: one lane.
LANE_B=(monitoring retraining dbt grafana)
LAST=(load)
SUITES=(
  "monitoring|monitoring integration (NOTIFY, overlapping runs, pg_cron)"
  "retraining|retraining loop under pg_cron (alert -> request -> train -> promote -> resolved; 42501, SKIP LOCKED, kill, dump)"
  "upgrade|upgrade every release -> current (stored summaries, models, schema diff)"
  "dump_restore|pg_dump/pg_restore round trip (custom, plain, data-only; monitors run on from the watermarks)"
  "standby|hot standby (streaming replica: every read-only function and panel equal to the primary's, writers 25006, registry cache, promotion runs on from the watermarks)"
  "backtrace|no backtrace reaches a client (server started with RUST_BACKTRACE=1)"
  "hostile|hostile calls (every function, random NULL/NaN/Inf/empty/huge/forged arguments, no crash)"
  "sqlsmith|sqlsmith (random SQL as a non-superuser, judged on the server; ${MLOBS_SQLSMITH_SECONDS:-90} s)"
  "memory|memory: GROUP BY 100k groups over 1M rows under 64 MB per backend"
  "faults|faults (SIGKILL mid-scan, mid-insert, mid-alerts; immediate stops; full disk; equal to a control)"
  "retention|retention (partitioned log: pruning, partitions dropped only when summarised past the horizons; prune_history)"
  "logical|logical replication subscriber (replicated label updates are revised: a subscribed table counts as untracked)"
  "report|HTML reports in headless Chromium (demo as superuser and as mlobs_reader, hostile names; text checked against the metric points)"
  "shards|scale-out (postgres_fdw: 3 shards + coordinator, pushdown, text round trip, merged = single node)"
  "prometheus|prometheus/alertmanager integration (exporter queries, relay)"
  "grafana|grafana integration (every panel's SQL, macros expanded, as mlobs_reader)"
  "load|concurrency and load (4 ingest clients, 2 concurrent runners, dashboards as mlobs_reader; ${MLOBS_LOAD_SECONDS:-120} s)"
  "dbt|dbt integration (mlobs_dbt package, incremental example project, source freshness; dbt-core 1.8 and 1.11 venvs in .run/)"
)
suite_names() { local s; for s in "${SUITES[@]}"; do echo "${s%%|*}"; done; }

listed=$(suite_names | sort | tr '\n' ' ')
present=$(cd tests/integration && ls -d */ | tr -d / | sort | tr '\n' ' ')
if [ "$listed" != "$present" ]; then
  echo "scripts/test.sh: SUITES ($listed) and tests/integration/ folders ($present) differ" >&2
  exit 2
fi

declare -A want=()
integration_pick=""
[ $# -eq 0 ] && set -- all
for arg in "$@"; do
  case "$arg" in
    all) for s in lint core fuzz pgtest regress docs integration; do want[$s]=1; done ;;
    check) want[lint]=1; want[core]=1 ;;
    lint | core | fuzz | pgtest | regress | docs | integration) want[$arg]=1 ;;
    integration:*)
      want[integration]=1
      picked=${arg#integration:}
      for name in ${picked//,/ }; do
        [ -f "tests/integration/$name/run.sh" ] || { echo "unknown integration suite: $name (see: scripts/test.sh list)" >&2; exit 2; }
        integration_pick+=" $name"
      done ;;
    list)
      sed -n '/^#   scripts/,/^#     list/p' "$0" | sed 's/^#//'
      echo; echo "integration suites (in the second lane: ${LANE_B[*]}; last, alone: ${LAST[*]}):"
      printf '  %s\n' "${SUITES[@]}" | sed 's/|/  /'
      exit 0 ;;
    *) echo "unknown stage: $arg (see: scripts/test.sh list)" >&2; exit 2 ;;
  esac
done
# integration:NAME alone narrows; a plain `integration` (or `all`) anywhere keeps every suite.
for arg in "$@"; do case "$arg" in integration | all) integration_pick="" ;; esac; done
on() { [ -n "${want[$1]:-}" ]; }

bash scripts/install.sh
export PATH="$HOME/.cargo/bin:$PATH"
# A CI checkout builds once from clean: incremental caches would only take disk (1.3 GB).
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}; fi

passed=0; failed=0; times=()
step() { printf '\n==== %s\n' "$*"; }
record() {  # name rc seconds
  times+=("$(printf '%5d s  %s %s' "$3" "$([ "$2" -eq 0 ] && echo ok || echo FAILED)" "$1")")
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1"; fi
}
run() {
  local name=$1; shift; step "$name"
  local t0=$SECONDS rc
  set +e; "$@"; rc=$?; set -e
  record "$name" $rc $((SECONDS - t0))
}

if on lint; then
  run "cargo fmt --check" cargo fmt --all -- --check
  run "cargo clippy -D warnings" cargo clippy --workspace --all-targets -- -D warnings
fi
on core && run "core tests (unit, property, reference fixtures)" cargo test -p mlobs-core -p mlobs-explain -p mlobs-train -p mlobs-report
# Every model decoder and summary deserializer (binary and text) under libFuzzer for a bounded
# time (longer runs: scripts/fuzz.sh 600).
on fuzz && run "fuzzing: model decoders, summary binary/text deserializers (${MLOBS_FUZZ_SECONDS:-10} s per target)" \
  bash scripts/fuzz.sh "${MLOBS_FUZZ_SECONDS:-10}"

if on pgtest; then
  # pgrx's test cluster must run as the postgres OS user (initdb refuses root).
  mkdir -p .run/pgrx-test && chmod o+x "$ROOT" .run && chown -R postgres: .run/pgrx-test
  run "#[pg_test] suite" env CARGO_PGRX_TEST_RUNAS=postgres CARGO_PGRX_TEST_PGDATA="$ROOT/.run/pgrx-test/data" \
    cargo pgrx test pg15
fi

if on regress || on docs || on integration; then
  # pg_regress, docs and the integration suites run against the debug build installed here (with
  # the companion extensions of extensions/, e.g. mlobs_demo).
  run "install (debug build)" bash scripts/install_extension.sh --pg-config "$PG_BIN/pg_config"
fi

in_list() { local x=$1; shift; local y; for y in "$@"; do [ "$x" = "$y" ] && return 0; done; return 1; }
picked() { [ -z "$integration_pick" ] || [[ " $integration_pick " == *" $1 "* ]]; }
# The second lane: its suites' output goes to .run/lane-b/NAME.log and is printed, with each
# suite's time and result, when the lane is joined.
lane_b_pid=""; lane_b_t0=0
start_lane_b() {
  local s name lane=()
  for s in "${SUITES[@]}"; do
    name=${s%%|*}
    if picked "$name" && in_list "$name" "${LANE_B[@]}"; then lane+=("$name"); fi
  done
  [ ${#lane[@]} -ge 1 ] || return 0
  rm -rf .run/lane-b && mkdir -p .run/lane-b
  echo "second lane started: ${lane[*]} (output printed when it ends)"
  lane_b_t0=$SECONDS
  (
    set +e
    for name in "${lane[@]}"; do
      t0=$SECONDS
      bash "tests/integration/$name/run.sh" > ".run/lane-b/$name.log" 2>&1 < /dev/null
      echo "$? $((SECONDS - t0))" > ".run/lane-b/$name.rc"
    done
  ) &
  lane_b_pid=$!
}
join_lane_b() {
  [ -n "$lane_b_pid" ] || return 0
  wait "$lane_b_pid" || true
  lane_b_pid=""
  local s name rc secs
  for s in "${SUITES[@]}"; do
    name=${s%%|*}
    [ -f ".run/lane-b/$name.log" ] || continue
    step "${s#*|} [second lane]"
    cat ".run/lane-b/$name.log"
    read -r rc secs < ".run/lane-b/$name.rc" 2>/dev/null || { rc=1; secs=0; }
    record "${s#*|} [second lane]" "$rc" "$secs"
  done
  echo "second lane: $((SECONDS - lane_b_t0)) s"
}
# An interrupted run stops the lane's suite too (its clusters stay, as a failed suite's do).
stop_lane_b() { [ -z "$lane_b_pid" ] || { pkill -TERM -P "$lane_b_pid" 2>/dev/null; kill "$lane_b_pid" 2>/dev/null; } || true; }
trap stop_lane_b EXIT
if on integration && [ "${MLOBS_TEST_LANES:-2}" != 1 ]; then start_lane_b; fi

if on regress; then
  # The installed extension script and the upgrade script against PostgreSQL's extension-script rules.
  CURRENT=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
  run "src/sql: per-type blocks generated from their declarations" python3 scripts/sql_families.py --check
  run "upgrade script: runtime and surface sections generated from the sources" python3 scripts/upgrade_sections.py --check
  run "extension script audit: self-test" python3 scripts/audit_extension_script.py --self-test
  run "extension script audit: install script" python3 scripts/audit_extension_script.py --quiet "$($PG_BIN/pg_config --sharedir)/extension/mlobs--$CURRENT.sql"
  for companion in extensions/*/*--*.sql; do
    ext=$(basename "$(dirname "$companion")")
    run "extension script audit: $(basename "$companion")" python3 scripts/audit_extension_script.py --quiet --schema "$ext" "$companion"
  done
  for up in sql/mlobs--*--*.sql; do
    from=$(basename "$up" | sed 's/^mlobs--\(.*\)--.*\.sql$/\1/')
    run "extension script audit: $(basename "$up")" python3 scripts/audit_extension_script.py --quiet --base "sql/releases/mlobs--$from.sql" "$up"
  done
fi

if on regress || on docs; then
  bash scripts/pg_cluster.sh stop test
  bash scripts/pg_cluster.sh start test "$PORT"
  trap 'bash scripts/pg_cluster.sh stop test; stop_lane_b' EXIT
fi

regress() {
  local tests
  tests=$(cd tests/pg_regress/sql && ls *.sql | sed 's/\.sql$//' | sort)
  rm -rf .run/regress && mkdir -p .run/regress
  # pg_regress --use-existing does not create its database.
  psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres \
    -c "DROP DATABASE IF EXISTS mlobs_regress" -c "CREATE DATABASE mlobs_regress"
  "$(dirname "$($PG_BIN/pg_config --pgxs)")/../test/regress/pg_regress" \
    --use-existing --host=127.0.0.1 --port="$PORT" --user=postgres \
    --inputdir=tests/pg_regress --outputdir=.run/regress --dbname=mlobs_regress $tests
  local rc=$?
  if [ -f .run/regress/regression.diffs ]; then head -200 .run/regress/regression.diffs; fi
  return $rc
}
on regress && run "pg_regress suites" regress
on docs && run "docs examples" python3 scripts/run_doc_examples.py --port "$PORT"

if on integration; then
  # Against real sessions and services (pg_cron, Prometheus, dbt...), each on its own cluster.
  for s in "${SUITES[@]}"; do
    name=${s%%|*}
    picked "$name" || continue
    if in_list "$name" "${LANE_B[@]}" && [ -n "$lane_b_pid" ]; then continue; fi
    in_list "$name" "${LAST[@]}" && continue
    run "${s#*|}" bash "tests/integration/$name/run.sh"
  done
  join_lane_b
  for s in "${SUITES[@]}"; do
    name=${s%%|*}
    if picked "$name" && in_list "$name" "${LAST[@]}"; then run "${s#*|}" bash "tests/integration/$name/run.sh"; fi
  done
fi

echo
printf '%s\n' "${times[@]}"
echo "suites: $passed passed, $failed failed; wall time $((SECONDS / 60)) min $((SECONDS % 60)) s"
[ "$failed" -eq 0 ]
