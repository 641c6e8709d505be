#!/usr/bin/env bash
# The whole test suite (README's test command; .ci/run calls it). Exits non-zero on any failure.
# Layers: format/lint, core unit+property+fixture tests, bounded decoder fuzzing, #[pg_test]s inside Postgres, pg_regress
# golden files (SQL surface, errors, parallel plans), and the executed docs examples.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
bash scripts/install.sh
export PATH="$HOME/.cargo/bin:$PATH"
PG_BIN=/usr/lib/postgresql/15/bin
PORT=${MLOBS_TEST_PORT:-28816}
passed=0; failed=0
step() { printf '\n==== %s\n' "$*"; }
record() { if [ "$1" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $2"; fi; }
run() { local name=$1; shift; step "$name"; set +e; "$@"; local rc=$?; set -e; record $rc "$name"; }

run "cargo fmt --check" cargo fmt --all -- --check
run "cargo clippy -D warnings" cargo clippy --workspace --all-targets -- -D warnings
run "core tests (unit, property, reference fixtures)" cargo test -p mlobs-core -p mlobs-explain
# Every model decoder and summary deserializer (binary and text) under libFuzzer for a bounded
# time (longer runs: scripts/fuzz.sh 600).
run "fuzzing: model decoders, summary binary/text deserializers (${MLOBS_FUZZ_SECONDS:-20} s per target)" bash scripts/fuzz.sh "${MLOBS_FUZZ_SECONDS:-20}"

# pgrx's test cluster must run as the postgres OS user (initdb refuses root).
mkdir -p .run/pgrx-test && chmod o+x "$ROOT" .run && chown -R postgres: .run/pgrx-test
run "#[pg_test] suite" env CARGO_PGRX_TEST_RUNAS=postgres CARGO_PGRX_TEST_PGDATA="$ROOT/.run/pgrx-test/data" \
  cargo pgrx test pg15

# pg_regress and docs run against the debug build `cargo pgrx test` installed, on our own cluster.
step "install (debug) and start test cluster"
cargo pgrx install --pg-config "$PG_BIN/pg_config" >/dev/null
# The installed extension script and the upgrade script against PostgreSQL's extension-script rules.
CURRENT=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
run "src/sql: per-type blocks generated from their declarations" python3 scripts/sql_families.py --check
run "upgrade script: runtime and surface sections generated from the sources" python3 scripts/upgrade_sections.py --check
run "extension script audit: self-test" python3 scripts/audit_extension_script.py --self-test
run "extension script audit: install script" python3 scripts/audit_extension_script.py --quiet "$($PG_BIN/pg_config --sharedir)/extension/mlobs--$CURRENT.sql"
for up in sql/mlobs--*--*.sql; do
  from=$(basename "$up" | sed 's/^mlobs--\(.*\)--.*\.sql$/\1/')
  run "extension script audit: $(basename "$up")" python3 scripts/audit_extension_script.py --quiet --base "sql/releases/mlobs--$from.sql" "$up"
done
bash scripts/pg_cluster.sh stop test
bash scripts/pg_cluster.sh start test "$PORT"
trap 'bash scripts/pg_cluster.sh stop test' EXIT

tests=$(cd tests/pg_regress/sql && ls *.sql | sed 's/\.sql$//' | sort)
rm -rf .run/regress && mkdir -p .run/regress
# pg_regress --use-existing does not create its database.
psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "DROP DATABASE IF EXISTS mlobs_regress" -c "CREATE DATABASE mlobs_regress"
run "pg_regress suites" "$(dirname "$($PG_BIN/pg_config --pgxs)")/../test/regress/pg_regress" \
  --use-existing --host=127.0.0.1 --port="$PORT" --user=postgres \
  --inputdir=tests/pg_regress --outputdir=.run/regress --dbname=mlobs_regress $tests
if [ -f .run/regress/regression.diffs ]; then head -200 .run/regress/regression.diffs; fi

run "docs examples" python3 scripts/run_doc_examples.py --port "$PORT"
# Against real sessions and a real pg_cron, on their own cluster.
run "monitoring integration (NOTIFY, overlapping runs, pg_cron)" bash tests/integration/monitoring.sh
run "upgrade every release -> current (stored summaries, models, schema diff)" bash tests/integration/upgrade.sh
run "pg_dump/pg_restore round trip (custom, plain, data-only; monitors run on from the watermarks)" bash tests/integration/dump_restore.sh
run "no backtrace reaches a client (server started with RUST_BACKTRACE=1)" bash tests/integration/backtrace.sh
run "hostile calls (every function, random NULL/NaN/Inf/empty/huge/forged arguments, no crash)" bash tests/integration/hostile.sh
run "sqlsmith (random SQL as a non-superuser, judged on the server; ${MLOBS_SQLSMITH_SECONDS:-90} s)" bash tests/integration/sqlsmith.sh
run "memory: GROUP BY 100k groups over 1M rows under 64 MB per backend" bash tests/integration/memory.sh
run "concurrency and load (4 ingest clients, 2 concurrent runners, dashboards as mlobs_reader; ${MLOBS_LOAD_SECONDS:-120} s)" bash tests/integration/load.sh
run "scale-out (postgres_fdw: 3 shards + coordinator, pushdown, text round trip, merged = single node)" bash tests/integration/shards.sh
run "prometheus/alertmanager integration (exporter queries, relay)" bash tests/integration/prometheus.sh
run "grafana integration (every panel's SQL, macros expanded, as mlobs_reader)" bash tests/integration/grafana.sh
# The dbt package and example project under dbt-core 1.11 / dbt-postgres 1.11.0 (venv in .run/dbt-venv).
run "dbt integration (mlobs_dbt package, incremental example project)" bash tests/integration/dbt.sh

echo
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
