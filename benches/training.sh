#!/usr/bin/env bash
# mlobs.train against scikit-learn (issue 19, item 5). One command; writes
# benches/results/training.md and prints it. Never part of the test suite (run by hand).
#   1. accuracy: the demo models' data (fraud binary, risk 3 classes, price regression; the
#      generator of tests/fixtures/generate_models.py) at MLOBS_TRAIN_SIZES rows, every
#      algorithm trained by mlobs.train and by scikit-learn on the same time-ordered training
#      rows, scored on the same holdout rows (several seeds per side for the trees), same
#      max_depth; controls: scikit-learn at max_depth - 1, the 3-class forest with distinct-row
#      leaves, the classification trees on tie-broken data;
#   2. training time: MLOBS_TRAIN_ROWS rows x 10 features (the rows of
#      crates/mlobs-train/benches/train.rs; binary, 3-class and regression targets),
#      SELECT mlobs.train(...) against scikit-learn's fit + holdout predict, one thread,
#      interleaved, median of MLOBS_BENCH_REPS;
#   3. predict and SHAP per row: a trained random forest (and tree, logistic) against the
#      imported fixtures fraud_xgb.json and churn_rf.json, serial, interleaved.
# The Python side is benches/training_sklearn.py (its docstring has the details).
#
# Environment:
#   MLOBS_PG_BIN           PostgreSQL bin directory (a private copy, docs/performance.md);
#                          default /usr/lib/postgresql/15/bin
#   MLOBS_BENCH_NO_INSTALL set: use the installed mlobs as it is (no cargo build/install)
#   MLOBS_BENCH_PORT       port of the benchmark's own cluster "trainbench" (28840)
#   MLOBS_BENCH_REPS       repetitions of every timing (3)
#   MLOBS_TRAIN_VENV       the venv with benches/requirements-training.txt (.run/train-venv;
#                          created when missing)
#   MLOBS_TRAIN_PARTS      accuracy,timing,predict (all three)
#   MLOBS_TRAIN_SIZES      rows of the demo data sets (2000,20000; 2000 = the fixtures' rows)
#   MLOBS_TRAIN_SEEDS      seeds per side for the tree models in part 1 (5)
#   MLOBS_TRAIN_ROWS       rows of part 2 (100000)
#   MLOBS_PREDICT_ROWS     rows of part 3's predict (100000); MLOBS_SHAP_ROWS its SHAP rows (10000)
#   MLOBS_TRAIN_CRITERION  set: also run the core's criterion bench (cargo bench -p mlobs-train)
#                          and append its figures
#   MLOBS_TRAIN_OUT        the report (benches/results/training.md); MLOBS_TRAIN_JSON: also the
#                          raw results as JSON
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
PG_BIN=${MLOBS_PG_BIN:-/usr/lib/postgresql/15/bin}
PORT=${MLOBS_BENCH_PORT:-28840}
REPS=${MLOBS_BENCH_REPS:-3}
VENV=${MLOBS_TRAIN_VENV:-.run/train-venv}
OUT=${MLOBS_TRAIN_OUT:-benches/results/training.md}
if [ -z "${MLOBS_BENCH_NO_INSTALL:-}" ]; then
  bash scripts/install.sh
  bash scripts/install_extension.sh --release --pg-config "$PG_BIN/pg_config" >/dev/null
fi
if [ ! -x "$VENV/bin/python" ]; then
  echo "[training] creating $VENV from benches/requirements-training.txt" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r benches/requirements-training.txt
fi
# scikit-learn single-threaded: n_jobs=1 in the script, and no OpenMP/BLAS thread pools.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
bash scripts/pg_cluster.sh start trainbench "$PORT" "max_parallel_workers_per_gather = 0" "jit = off"
trap 'bash scripts/pg_cluster.sh stop trainbench' EXIT
"$VENV/bin/python" benches/training_sklearn.py --port "$PORT" --reps "$REPS" \
  --parts "${MLOBS_TRAIN_PARTS:-accuracy,timing,predict}" --sizes "${MLOBS_TRAIN_SIZES:-2000,20000}" \
  --seeds "${MLOBS_TRAIN_SEEDS:-5}" --timing-rows "${MLOBS_TRAIN_ROWS:-100000}" \
  --pred-rows "${MLOBS_PREDICT_ROWS:-100000}" --shap-rows "${MLOBS_SHAP_ROWS:-10000}" \
  --out "$OUT" --json "${MLOBS_TRAIN_JSON:-}" >/dev/null
if [ -n "${MLOBS_TRAIN_CRITERION:-}" ]; then
  bash scripts/pg_cluster.sh stop trainbench  # the bench runs alone
  log=$(mktemp)
  cargo bench -p mlobs-train --bench train 2>/dev/null | tee "$log" >&2
  {
    echo "## Core only: criterion (\`cargo bench -p mlobs-train --bench train\`, 100k x 10, no PostgreSQL)"
    echo
    echo "| benchmark | time (criterion's interval) |"
    echo "|---|---|"
    awk '/^train_100k_x10\// {name=$1} /time:/ && name {sub(/.*time: */, ""); print "| " name " | " $0 " |"; name=""}' "$log"
    echo
  } >> "$OUT"
  rm -f "$log"
fi
cat "$OUT"
