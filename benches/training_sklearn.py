#!/usr/bin/env python3
"""mlobs.train against scikit-learn (issue 19, item 5): the Python side of benches/training.sh.

Run it through benches/training.sh (which creates the venv, installs the release build, starts
the cluster and pins the BLAS/OpenMP threads). By hand:
    python3 -m venv .run/train-venv && .run/train-venv/bin/pip install -r benches/requirements-training.txt
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .run/train-venv/bin/python benches/training_sklearn.py --port 28840

Three parts, each written into one Markdown report (benches/results/training.md):
  accuracy  the three demo models' data (fraud: binary, risk: 3 classes, price: regression;
            tests/fixtures/generate_models.py's make_data / make_risk, reproduced below with numpy
            only) loaded into a table with a timestamp; every algorithm trained with mlobs.train
            and with scikit-learn on the same time-ordered training rows (the first 80 %, as
            mlobs's default holdout), both scored here, with the same code, on the same holdout
            rows. Trees: the missing values of both are imputed with the training median (mlobs's
            rule; scikit-learn gets an imputed copy), several seeds per side. Linear models: the
            complete rows only, on both sides (mlobs drops rows with a missing value).
            Controls: scikit-learn at max_depth - 1 (the depth mlobs's trees had before f343889:
            smartcore counts the root as level 1); the 3-class forest with scikit-learn's leaf
            fractions recomputed from the distinct bootstrap rows, as mlobs's export does for
            multiclass trees; the classification trees again on tie-broken data (smartcore's
            classifier, still used for multiclass trees, skips split points between tied runs).
  timing    100k rows x 10 features (the rows of crates/mlobs-train/benches/train.rs, same
            generator; the binary label, a 3-class label = tertiles of the same target, the
            value): SELECT mlobs.train(...) wall time (reads the table, fits, scores the
            holdout, stores the model) against scikit-learn's fit + holdout predict on the same
            rows in memory, one thread, interleaved, median of --reps.
  predict   mlobs.predict and mlobs.shap per row for a trained random forest against the
            imported fixture models (fraud_xgb.json, churn_rf.json), serial plans, interleaved,
            median of --reps.
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy
import sklearn
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import roc_auc_score
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FEATURES = ["amount", "age", "hour", "distance", "n_tx", "score_ext"]
LOAD = [0.0]  # the load average when the run started (the machine may be shared)
HOLDOUT = 0.2  # mlobs.train's default: the last 20 % of the rows in time order
# Every psql session: mlobs.train refuses a training whose estimated peak exceeds
# maintenance_work_mem (64 MB by default; 100k rows x 10 features of trees need about 148 MB).
SESSION = "SET client_min_messages = warning;\nSET maintenance_work_mem = '1GB';\n"


# ---------------------------------------------------------------- data
def make_data(n, seed=42):
    """tests/fixtures/generate_models.py make_data() with n rows instead of its fixed N = 2000,
    the same draws in the same order (numpy only; n = 2000 gives the fixtures' rows exactly).
    Returns X (n x 6, NaN = missing), fraud, price, churn."""
    rng = np.random.default_rng(seed)
    amount = np.round(rng.lognormal(3.5, 1.0, n), 2)
    age = rng.integers(18, 81, n).astype(float)
    hour = rng.integers(0, 24, n).astype(float)
    distance = np.round(rng.exponential(20.0, n), 1)
    n_tx = rng.poisson(5, n).astype(float)
    score_ext = np.round(rng.uniform(0, 1, n), 3)
    night = ((hour < 6) | (hour >= 22)).astype(float)
    fraud_logit = -4.0 + 0.6 * np.log(amount) + 1.2 * night + distance / 40 + 1.5 * (score_ext > 0.8) - 0.01 * age
    fraud = (rng.uniform(size=n) < 1 / (1 + np.exp(-fraud_logit))).astype(int)
    price = 50 + 0.5 * amount + 10 * np.log1p(distance) - 0.2 * age + 3 * n_tx + rng.normal(0, 5, n)
    churn_logit = 1.0 - 0.03 * (age - 40) - 0.3 * n_tx + 2.0 * (score_ext < 0.2) + 0.004 * amount
    churn = (rng.uniform(size=n) < 1 / (1 + np.exp(-churn_logit))).astype(int)
    X = np.column_stack([amount, age, hour, distance, n_tx, score_ext])
    X[rng.uniform(size=n) < 0.05, 3] = np.nan
    X[rng.uniform(size=n) < 0.08, 5] = np.nan
    return X, fraud, price, churn


def make_risk(X, seed=7):
    """tests/fixtures/generate_models.py make_risk(): tertiles of a synthetic risk score."""
    rng = np.random.default_rng(seed)
    distance = np.where(np.isnan(X[:, 3]), 20.0, X[:, 3])
    score_ext = np.where(np.isnan(X[:, 5]), 0.5, X[:, 5])
    score = (0.8 * np.log(X[:, 0]) - 0.03 * (X[:, 1] - 50) + 0.04 * distance + 2.0 * score_ext
             + 0.15 * X[:, 4] + rng.normal(0, 0.5, len(X)))
    return np.digitize(score, np.quantile(score, [1 / 3, 2 / 3])).astype(int)


def check_fixture_rows():
    """make_data(2000) must give the fixtures' rows (expected.json: the background is training
    rows 0..49, fraud_xgb's first 20 rows are rows 1500..1519)."""
    with open(os.path.join(ROOT, "tests", "fixtures", "models", "expected.json")) as fh:
        e = json.load(fh)["models"]["fraud_xgb"]
    X = make_data(2000)[0]
    nan = lambda v: np.nan if v is None else v  # noqa: E731
    bg = np.array([[nan(v) for v in r] for r in e["background"]], dtype=float)
    rows = np.array([[nan(v) for v in r["features"]] for r in e["rows"][:20]], dtype=float)
    ok = np.array_equal(bg, X[:50], equal_nan=True) and np.array_equal(rows, X[1500:1520], equal_nan=True)
    if not ok:
        sys.exit("make_data(2000) does not reproduce tests/fixtures/models/expected.json's rows")


def criterion_rows(n, p, seed=42):
    """crates/mlobs-train/benches/train.rs synthetic(): the same LCG, the same rows."""
    state, mask = seed, (1 << 64) - 1
    x = np.empty((n, p))
    s = np.empty(n)
    for i in range(n):
        row = []
        for _ in range(p + 1):
            state = (state * 6364136223846793005 + 1442695040888963407) & mask
            row.append((state >> 11) / float(1 << 53))
        f = [v * 2.0 - 1.0 for v in row[:p]]
        x[i] = f
        s[i] = f[0] * 2.0 - f[1] + f[2] * f[3] + 0.3 * (row[p] - 0.5)
    return x, (s > 0).astype(int), s


# ---------------------------------------------------------------- PostgreSQL through psql
class Pg:
    def __init__(self, port, db):
        self.port, self.db = str(port), db

    def run(self, sql, db=None):
        out = subprocess.run(
            ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", self.port,
             "-U", "postgres", "-d", db or self.db], input=SESSION + sql,
            text=True, capture_output=True)
        if out.returncode != 0:
            raise RuntimeError(f"psql failed: {out.stderr.strip()}\n--- SQL:\n{sql[:2000]}")
        return out.stdout

    def one(self, sql):
        return self.run(sql).strip()

    def timed(self, sql):
        t0 = time.perf_counter()
        out = self.run(sql)
        return (time.perf_counter() - t0) * 1000.0, out.strip()


def csv_value(v):
    return "" if isinstance(v, float) and math.isnan(v) else repr(float(v)) if isinstance(v, float) else str(v)


def load_table(pg, name, columns, types, data):
    """CREATE TABLE name (id, ts, columns...) and \\copy the rows (NaN -> NULL); one row a minute."""
    cols = ", ".join(f"{c} {t}" for c, t in zip(columns, types))
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as fh:
        w = csv.writer(fh)
        for i, row in enumerate(zip(*data)):
            w.writerow([i] + [csv_value(v) for v in row])
        path = fh.name
    try:
        pg.run(f"""DROP TABLE IF EXISTS {name};
CREATE TABLE {name} (id int PRIMARY KEY, {cols});
\\copy {name} (id, {", ".join(columns)}) FROM '{path}' WITH (FORMAT csv)
ALTER TABLE {name} ADD COLUMN ts timestamptz;
UPDATE {name} SET ts = timestamptz '2026-01-01 00:00+00' + id * interval '1 minute';
CREATE INDEX ON {name} (ts);
VACUUM ANALYZE {name};""")
    finally:
        os.unlink(path)


def pg_array(text):
    return [float(v) for v in text.strip("{}").split(",")]


# ---------------------------------------------------------------- metrics (one definition for both sides)
def class_metrics(y, proba):
    """accuracy, roc_auc (binary: class 1; multiclass: macro one-vs-rest), log_loss with mlobs's
    clip of [1e-15, 1 - 1e-15] (scikit-learn 1.7's log_loss clips at float64 eps instead)."""
    proba = np.asarray(proba, dtype=float)
    pred = proba.argmax(axis=1)
    k = proba.shape[1]
    auc = roc_auc_score(y, proba[:, 1]) if k == 2 else roc_auc_score(y, proba, multi_class="ovr", average="macro")
    p_true = np.clip(proba[np.arange(len(y)), y], 1e-15, 1 - 1e-15)
    return {"accuracy": float((pred == y).mean()), "roc_auc": float(auc), "log_loss": float(-np.log(p_true).mean())}


def reg_metrics(y, pred):
    pred = np.asarray(pred, dtype=float)
    err = y - pred
    return {"rmse": float(np.sqrt((err ** 2).mean())), "mae": float(np.abs(err).mean()),
            "r2": float(1 - (err ** 2).sum() / ((y - y.mean()) ** 2).sum())}


def tree_shape(trees):
    """(nodes, max depth, mean leaf depth, one-outcome splits) over trees given as
    (children_left, children_right[, value]) tuples. One-outcome splits (with the nodes' values):
    inner nodes whose whole subtree has a single leaf value, so the split changes no prediction
    (scikit-learn never splits a pure node; smartcore's regressor, which grows mlobs's binary
    trees on 0/1 labels, does). NaN without values."""
    nodes, depths, leaf_depths, redundant = 0, [], [], 0
    for tree in trees:
        left, right = tree[0], tree[1]
        nodes += len(left)
        stack, deepest = [(0, 0)], 0
        while stack:
            i, d = stack.pop()
            if left[i] == -1:
                deepest = max(deepest, d)
                leaf_depths.append(d)
            else:
                stack += [(left[i], d + 1), (right[i], d + 1)]
        depths.append(deepest)
        if len(tree) > 2 and redundant is not None:
            value = np.asarray(tree[2], dtype=float).reshape(len(left), -1)
            one = [None] * len(left)  # the subtree's single value, or False
            for i in sorted(range(len(left)), reverse=True):  # children come after their parent
                if left[i] == -1:
                    one[i] = value[i]
                else:
                    a, b = one[left[i]], one[right[i]]
                    same = a is not False and b is not False and np.allclose(a, b, rtol=0, atol=1e-12)
                    one[i] = a if same else False
                    redundant += bool(same)
        else:
            redundant = None
    return nodes, max(depths), float(np.mean(leaf_depths)), float("nan") if redundant is None else redundant


def sk_trees(ests):
    return [(e.tree_.children_left, e.tree_.children_right, e.tree_.value) for e in ests]


def ml_trees(body):
    return [(t["children_left"], t["children_right"], t["value"]) for t in body["trees"]]


# ---------------------------------------------------------------- sklearn side
def sk_model(algorithm, task, params, seed):
    if algorithm == "random_forest":
        kw = dict(n_estimators=params["n_trees"], max_depth=params["max_depth"], random_state=seed, n_jobs=1)
        if task == "classification":
            return RandomForestClassifier(max_features="sqrt", **kw)
        return RandomForestRegressor(max_features=1.0, **kw)
    if algorithm == "decision_tree":
        cls = DecisionTreeClassifier if task == "classification" else DecisionTreeRegressor
        return cls(max_depth=params["max_depth"], random_state=seed)
    if algorithm == "logistic_regression":
        # Default tolerance; max_iter raised so that lbfgs converges on the raw (unscaled) columns.
        return LogisticRegression(C=params["C"], max_iter=10000)
    if algorithm == "linear_regression":
        return LinearRegression()
    if algorithm == "ridge":
        return Ridge(alpha=params["alpha"])
    raise ValueError(algorithm)


def distinct_row_leaves(rf, X, y, k):
    """Class fractions of every leaf recomputed from the distinct rows of the tree's bootstrap
    sample (each row once), as mlobs's export does for multiclass trees (smartcore's classifier;
    crates/mlobs-train/src/forest.rs), in place of scikit-learn's bootstrap-weighted fractions.
    Binary trees are grown as 0/1 regression trees, whose leaves count the repeats as
    scikit-learn's do."""
    for est, rows in zip(rf.estimators_, rf.estimators_samples_):
        rows = np.unique(rows)
        leaves = est.apply(X[rows].astype(np.float32))
        value = est.tree_.value
        for leaf in np.unique(leaves):
            counts = np.bincount(y[rows][leaves == leaf], minlength=k).astype(float)
            value[leaf, 0, :] = counts / counts.sum()
    return rf


def is_tree(algorithm):
    return algorithm in ("random_forest", "decision_tree")


def train_median(X, ntrain):
    return np.nanmedian(X[:ntrain], axis=0)


# ---------------------------------------------------------------- part 1: accuracy
TARGETS = {"fraud": "classification", "risk": "classification", "price": "regression"}
ACCURACY_CASES = [
    ("fraud", "random_forest", {"n_trees": 100, "max_depth": 10}),
    ("fraud", "decision_tree", {"max_depth": 10}),
    ("fraud", "logistic_regression", {"C": 1.0}),
    ("risk", "random_forest", {"n_trees": 100, "max_depth": 10}),
    ("risk", "decision_tree", {"max_depth": 10}),
    ("risk", "logistic_regression", {"C": 1.0}),
    ("price", "random_forest", {"n_trees": 100, "max_depth": 10}),
    ("price", "decision_tree", {"max_depth": 10}),
    ("price", "linear_regression", {}),
    ("price", "ridge", {"alpha": 1.0}),
]


def jittered(X, seed=11):
    """Ties broken: every value moved by less than 1e-4 x max(|x|, 1) (enough to stay distinct
    in float32, where the trees compare), NaN kept."""
    rng = np.random.default_rng(seed)
    return X + 1e-4 * rng.uniform(0, 1, X.shape) * np.maximum(np.abs(X), 1.0)


def accuracy(pg, sizes, seeds, log, cases=None, jitter=False):
    results = []
    for n in sizes:
        X, fraud, price, _ = make_data(n)
        risk = make_risk(X)
        if jitter:
            X = jittered(X)
        table = f"demo_{n}" + ("_jitter" if jitter else "")
        load_table(pg, table, FEATURES + ["fraud", "risk", "price"],
                   ["float8"] * 6 + ["int", "int", "float8"],
                   [X[:, j] for j in range(6)] + [fraud, risk, price])
        y_of = {"fraud": fraud, "risk": risk, "price": price}
        ntrain = n - math.floor(n * HOLDOUT)
        complete = ~np.isnan(X).any(axis=1)
        med = train_median(X, ntrain)
        X_imp = np.where(np.isnan(X), med, X)
        feats = "ARRAY[" + ", ".join(FEATURES) + "]"
        for target, algorithm, params in cases or ACCURACY_CASES:
            task = TARGETS[target]
            y = y_of[target]
            tree = is_tree(algorithm)
            hold = np.arange(ntrain, n) if tree else np.arange(ntrain, n)[complete[ntrain:]]
            fit_rows = np.arange(ntrain) if tree else np.arange(ntrain)[complete[:ntrain]]
            Xf = X_imp if tree else X
            case_seeds = list(range(seeds)) if tree else [0]
            sk, ml, checks, shapes_sk, shapes_ml, coef_diff = [], [], [], [], [], None
            sk_shallow, sk_emul = [], []
            for seed in case_seeds:
                # scikit-learn
                m = sk_model(algorithm, task, params, seed).fit(Xf[fit_rows], y[fit_rows])
                sk.append(class_metrics(y[hold], m.predict_proba(Xf[hold])) if task == "classification"
                          else reg_metrics(y[hold], m.predict(Xf[hold])))
                if tree and not jitter:
                    ests = m.estimators_ if algorithm == "random_forest" else [m]
                    shapes_sk.append(tree_shape(sk_trees(ests)))
                    # Control: max_depth - 1, the depth mlobs's trees had before the depth fix
                    # (smartcore counts the root as level 1; f343889 passes max_depth + 1).
                    p2 = dict(params, max_depth=params["max_depth"] - 1)
                    m2 = sk_model(algorithm, task, p2, seed).fit(Xf[fit_rows], y[fit_rows])
                    sk_shallow.append(class_metrics(y[hold], m2.predict_proba(Xf[hold])) if task == "classification"
                                      else reg_metrics(y[hold], m2.predict(Xf[hold])))
                    k = int(y.max()) + 1
                    if algorithm == "random_forest" and task == "classification" and k > 2:
                        # Multiclass: mlobs's leaves count each bootstrap row once (after m's
                        # metrics and shapes are taken; m is modified in place).
                        distinct_row_leaves(m, Xf[fit_rows], y[fit_rows], k)
                        sk_emul.append(class_metrics(y[hold], m.predict_proba(Xf[hold])))
                # mlobs
                name = f"{'tie' if jitter else 'acc'}_{n}_{target}_{algorithm}_{seed}"
                mp = dict(params, seed=seed)
                pg.run(f"DELETE FROM mlobs.models WHERE name = '{name}';\n"
                       f"SELECT mlobs.train('{name}', '{table}', '{target}', ARRAY{FEATURES!r}, '{algorithm}', "
                       f"'{json.dumps(mp)}');")
                fn = "mlobs.predict_proba" if task == "classification" else "mlobs.predict"
                where = f"id >= {ntrain}" + ("" if tree else "".join(f" AND {c} IS NOT NULL" for c in FEATURES))
                out = pg.run(f"SELECT id, {fn}('{name}', {feats}) FROM {table} WHERE {where} ORDER BY id")
                got = [line.split("|", 1) for line in out.splitlines()]
                assert [int(i) for i, _ in got] == list(hold), "holdout rows differ"
                vals = [v for _, v in got]
                if task == "classification":
                    ml.append(class_metrics(y[hold], [pg_array(v) for v in vals]))
                else:
                    ml.append(reg_metrics(y[hold], [float(v) for v in vals]))
                meta = json.loads(pg.one(f"SELECT metadata->'training' FROM mlobs.models WHERE name = '{name}'"))
                hm = meta["holdout_metrics"]
                checks.append(max(abs(hm[k] - ml[-1][k]) for k in ml[-1]) if hm.get("rows") == len(hold)
                              else float("inf"))
                body = json.loads(pg.one(f"SELECT body FROM mlobs.models WHERE name = '{name}'"))
                if tree:
                    shapes_ml.append(tree_shape(ml_trees(body)))
                else:
                    w_ml = np.array(body["coefficients"], dtype=float)
                    w_sk = np.atleast_2d(m.coef_)
                    coef_diff = float(np.abs(w_ml - w_sk).max() / max(np.abs(w_sk).max(), 1e-12))
            row = {"rows": n, "jitter": jitter, "target": target, "task": task, "algorithm": algorithm, "params": params,
                   "seeds": len(case_seeds), "holdout_rows": int(len(hold)), "fit_rows": int(len(fit_rows)),
                   "sklearn": mean_dict(sk), "mlobs": mean_dict(ml), "sklearn_sd": sd_dict(sk),
                   "mlobs_sd": sd_dict(ml), "metadata_check": max(checks), "coef_rel_diff": coef_diff}
            if tree and not jitter:
                row["sklearn_shallow"] = mean_dict(sk_shallow)
                if sk_emul:
                    row["sklearn_emul"] = mean_dict(sk_emul)
                row["shape_sklearn"] = [float(np.mean([s[i] for s in shapes_sk])) for i in range(4)]
                row["shape_mlobs"] = [float(np.mean([s[i] for s in shapes_ml])) for i in range(4)]
            results.append(row)
            log(f"accuracy n={n}{' ties broken' if jitter else ''} {target} {algorithm}: sklearn {fmt_metrics(row['sklearn'])} | "
                f"mlobs {fmt_metrics(row['mlobs'])} | metadata check {row['metadata_check']:.2g}")
    return results


def mean_dict(ds):
    return {k: float(np.mean([d[k] for d in ds])) for k in ds[0]}


def sd_dict(ds):
    return {k: float(np.std([d[k] for d in ds], ddof=1)) if len(ds) > 1 else 0.0 for k in ds[0]}


def fmt_metrics(d):
    return ", ".join(f"{k} {v:.4f}" for k, v in d.items())


# ---------------------------------------------------------------- part 2: training time
TIMING_CASES = [
    ("random_forest", "label", {"n_trees": 100, "max_depth": 10}),
    ("decision_tree", "label", {"max_depth": 10}),
    ("logistic_regression", "label", {"C": 1.0}),
    ("ridge", "value", {"alpha": 1.0}),
    ("random_forest", "value", {"n_trees": 100, "max_depth": 10}),
    ("decision_tree", "value", {"max_depth": 10}),
    ("random_forest", "class3", {"n_trees": 100, "max_depth": 10}),
    ("decision_tree", "class3", {"max_depth": 10}),
]


def timing(pg, rows, reps, cases, log):
    p = 10
    x, label, value = criterion_rows(rows, p)
    # 3 classes (tertiles of the target): multiclass trees still use smartcore's classifier.
    class3 = np.digitize(value, np.quantile(value, [1 / 3, 2 / 3])).astype(int)
    names = [f"f{j}" for j in range(p)]
    load_table(pg, "synth", names + ["label", "class3", "value"], ["float8"] * p + ["int", "int", "float8"],
               [x[:, j] for j in range(p)] + [label, class3, value])
    ntrain = rows - math.floor(rows * HOLDOUT)
    ys = {"label": label, "class3": class3, "value": value}
    runs = {i: {"mlobs": [], "mlobs_internal": [], "sklearn": [], "sklearn_fit": []} for i in range(len(cases))}
    shapes = {}
    # What train's cursor reads (rows/training/rows.rs: every value as text, in time order), in SQL.
    read_sql = ("SELECT sum(length(concat_ws(',', " + ", ".join(["ts::text", "label::text"] + [f"{c}::text" for c in names])
                + "))) FROM (SELECT * FROM synth WHERE label IS NOT NULL AND ts IS NOT NULL ORDER BY ts) t")
    read_ms = []
    for rep in range(reps):
        read_ms.append(pg.timed(read_sql)[0])
        for i, (algorithm, target, params) in enumerate(cases):
            task = "regression" if target == "value" else "classification"
            name = f"time_{algorithm}_{target}"
            pg.run(f"DELETE FROM mlobs.models WHERE name = '{name}'; VACUUM mlobs.models; CHECKPOINT;")
            ms, _ = pg.timed(f"SELECT mlobs.train('{name}', 'synth', '{target}', ARRAY{names!r}, '{algorithm}', "
                             f"'{json.dumps(dict(params, seed=rep))}')")
            internal = float(pg.one(f"SELECT metadata->'training'->>'duration_ms' FROM mlobs.models "
                                    f"WHERE name = '{name}'"))
            if i not in shapes and is_tree(algorithm):
                body = json.loads(pg.one(f"SELECT body FROM mlobs.models WHERE name = '{name}'"))
                shapes[i] = {"mlobs": tree_shape(ml_trees(body))}
            y = ys[target]
            t0 = time.perf_counter()
            m = sk_model(algorithm, task, params, rep).fit(x[:ntrain], y[:ntrain])
            t1 = time.perf_counter()
            m.predict_proba(x[ntrain:]) if task == "classification" else m.predict(x[ntrain:])
            t2 = time.perf_counter()
            if i in shapes and "sklearn" not in shapes[i]:
                ests = m.estimators_ if algorithm == "random_forest" else [m]
                shapes[i]["sklearn"] = tree_shape(sk_trees(ests))
            r = runs[i]
            r["mlobs"].append(ms)
            r["mlobs_internal"].append(internal)
            r["sklearn"].append((t2 - t0) * 1000)
            r["sklearn_fit"].append((t1 - t0) * 1000)
            log(f"timing rep {rep + 1}/{reps} {algorithm} ({target}): mlobs {ms:.0f} ms "
                f"(inside {internal:.0f}), sklearn {(t2 - t0) * 1000:.0f} ms")
    out = []
    for i, (algorithm, target, params) in enumerate(cases):
        r = runs[i]
        out.append({"algorithm": algorithm, "target": target, "params": params, "runs": r,
                    "median": {k: float(np.median(v)) if v else None for k, v in r.items()}, "shape": shapes.get(i)})
    return {"cases": out, "read_ms": float(np.median(read_ms)), "read_runs": read_ms}


# ---------------------------------------------------------------- part 3: predict and SHAP
def predict_speed(pg, rows, shap_rows, reps, log):
    X = make_data(rows, seed=1)[0]
    # Complete rows (the linear model refuses missing values): NaN -> the column's median.
    X = np.where(np.isnan(X), np.nanmedian(X, axis=0), X)
    pg.run("DROP TABLE IF EXISTS pred_rows; CREATE TABLE pred_rows (id int PRIMARY KEY, f float8[]);")
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as fh:
        w = csv.writer(fh)
        for i, r in enumerate(X):
            w.writerow([i, "{" + ",".join("NULL" if math.isnan(v) else repr(float(v)) for v in r) + "}"])
        path = fh.name
    try:
        pg.run(f"\\copy pred_rows FROM '{path}' WITH (FORMAT csv)\nVACUUM ANALYZE pred_rows;")
    finally:
        os.unlink(path)
    models = [("fraud_xgb", "imported: fixture fraud_xgb.json (XGBoost)"),
              ("churn_rf", "imported: fixture churn_rf.json (scikit-learn forest)"),
              ("trained_rf_small", "trained: random_forest n_trees 10, max_depth 6"),
              ("trained_rf", "trained: random_forest n_trees 100, max_depth 10"),
              ("trained_tree", "trained: decision_tree max_depth 10"),
              ("trained_logreg", "trained: logistic_regression C 1")]
    fixtures = os.path.join(ROOT, "tests", "fixtures", "models")
    pg.run(f"""DELETE FROM mlobs.models WHERE name IN ('fraud_xgb', 'churn_rf', 'trained_rf_small', 'trained_rf',
  'trained_tree', 'trained_logreg');
\\set body `cat {fixtures}/fraud_xgb.json`
SELECT mlobs.register_model('fraud_xgb', 'xgboost', :'body');
\\set body `cat {fixtures}/churn_rf.json`
SELECT mlobs.register_model('churn_rf', 'sklearn', :'body');
SELECT mlobs.train('trained_rf_small', 'demo_2000', 'fraud', ARRAY{FEATURES!r}, 'random_forest',
                   '{{"n_trees": 10, "max_depth": 6}}');
SELECT mlobs.train('trained_rf', 'demo_2000', 'fraud', ARRAY{FEATURES!r}, 'random_forest',
                   '{{"n_trees": 100, "max_depth": 10}}');
SELECT mlobs.train('trained_tree', 'demo_2000', 'fraud', ARRAY{FEATURES!r}, 'decision_tree', '{{"max_depth": 10}}');
SELECT mlobs.train('trained_logreg', 'demo_2000', 'fraud', ARRAY{FEATURES!r}, 'logistic_regression',
                   '{{"C": 1}}');""")
    shapes = {}
    for name, _ in models:
        fmt, body = pg.one(f"SELECT format || '|' || body::text FROM mlobs.models WHERE name = '{name}'").split("|", 1)
        body = json.loads(body)
        if fmt == "sklearn":
            shapes[name] = (len(body["trees"]),) + tree_shape(ml_trees(body))
        elif fmt == "xgboost":
            trees = body["learner"]["gradient_booster"]["model"]["trees"]
            shapes[name] = (len(trees),) + tree_shape([(t["left_children"], t["right_children"]) for t in trees])
        else:
            shapes[name] = None
    times = {name: {"predict": [], "shap": []} for name, _ in models}
    for rep in range(reps):
        for name, _ in models:
            ms, _ = pg.timed(f"SELECT sum(mlobs.predict('{name}', f)) FROM pred_rows")
            times[name]["predict"].append(ms)
            ms2, _ = pg.timed(f"SELECT sum((mlobs.shap('{name}', f))[1]) FROM pred_rows WHERE id < {shap_rows}")
            times[name]["shap"].append(ms2)
            log(f"predict rep {rep + 1}/{reps} {name}: predict {ms:.0f} ms / {rows} rows, shap {ms2:.0f} ms / {shap_rows}")
    read_ms = float(np.median([pg.timed("SELECT sum(f[1]) FROM pred_rows")[0] for _ in range(reps)]))
    return {"rows": rows, "shap_rows": shap_rows, "read_ms": read_ms,
            "models": [{"name": n, "what": w, "shape": shapes[n], "runs": times[n],
                        "predict_ms": float(np.median(times[n]["predict"])),
                        "shap_ms": float(np.median(times[n]["shap"]))} for n, w in models]}


# ---------------------------------------------------------------- report
MARGIN = {"accuracy": ("abs", 0.01), "roc_auc": ("abs", 0.01), "rmse": ("rel", 0.02)}
SHOWN = {"classification": ["accuracy", "roc_auc", "log_loss"], "regression": ["rmse", "mae", "r2"]}


def verdict(metric, sk, ml):
    kind, bound = MARGIN.get(metric, (None, None))
    if kind is None:
        return ""
    d = ml - sk if kind == "abs" else (ml - sk) / sk
    return "met" if abs(d) <= bound else "**not met**"


def accuracy_line(r, k):
    sk, ml = r["sklearn"][k], r["mlobs"][k]
    sd = lambda s: f" ± {s:.4f}" if r["seeds"] > 1 else ""  # noqa: E731
    rel = lambda d, base: f" ({100 * d / base:+.1f} %)" if k in ("rmse", "mae", "log_loss") else ""  # noqa: E731
    return (f"| {r['rows']} | {r['target']} | {r['algorithm']} | {k} | {sk:.4f}{sd(r['sklearn_sd'][k])} | "
            f"{ml:.4f}{sd(r['mlobs_sd'][k])} | {ml - sk:+.4f}{rel(ml - sk, sk)} | {verdict(k, sk, ml)} |")


def report(args, acc, tim, pred, started):
    lines = []
    a = lines.append
    a(f"# mlobs.train against scikit-learn ({time.strftime('%Y-%m-%d', time.gmtime())})")
    a("")
    a(f"`bash benches/training.sh`: release build, PostgreSQL 15 (`jit = off`, serial plans, `maintenance_work_mem` 1GB: "
      f"train's memory bound), scikit-learn "
      f"{sklearn.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, Python "
      f"{sys.version.split()[0]}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, "
      f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, n_jobs=1; 2-core machine. "
      f"Total {(time.time() - started) / 60:.1f} min; load average (1 min) {LOAD[0]:.2f} at the start, "
      f"{os.getloadavg()[0]:.2f} at the end.")
    a("")
    if acc:
        main_rows = [r for r in acc if not r["jitter"]]
        a("## Accuracy on the demo models' data (holdout = last 20 % of the rows in time order)")
        a("")
        a("Same rows, same hyperparameters, both scored here with one metric code (log loss clipped at "
          "1e-15 as mlobs does). Trees: mean over "
          f"{args.seeds} seeds per side (scikit-learn `random_state` 0..{args.seeds - 1}, mlobs `seed` "
          f"0..{args.seeds - 1}), missing values imputed with the training median on both sides; ± is "
          "the standard deviation over seeds. Linear models: complete rows only (mlobs drops rows with a "
          "missing value), deterministic. Margins: |Δ accuracy| ≤ 0.01, |Δ AUC| ≤ 0.01, |Δ RMSE| ≤ 2 % "
          "of scikit-learn's; log loss, MAE and R² are shown without a margin. Same `max_depth` on both "
          "sides (mlobs passes max_depth + 1 to smartcore, which counts the root as level 1; the shapes "
          "table checks it).")
        a("")
        a("| rows | model | algorithm | metric | sklearn | mlobs | Δ | margin |")
        a("|---|---|---|---|---|---|---|---|")
        for r in main_rows:
            for k in SHOWN[r["task"]]:
                a(accuracy_line(r, k))
        a("")
        a("Tree shapes (mean over seeds): nodes per model / deepest leaf / mean leaf depth / one-outcome "
          "splits (inner nodes whose whole subtree has one leaf value, so that the split changes no "
          "prediction: scikit-learn never splits a pure node, smartcore's regressor — which grows mlobs's "
          "binary trees on 0/1 labels — splits any node it may).")
        a("")
        a("| rows | model | algorithm | sklearn nodes / max depth / mean leaf depth / one-outcome splits | mlobs |")
        a("|---|---|---|---|---|")
        for r in main_rows:
            if "shape_mlobs" in r:
                s, m = r["shape_sklearn"], r["shape_mlobs"]
                a(f"| {r['rows']} | {r['target']} | {r['algorithm']} | {s[0]:.0f} / {s[1]:.1f} / {s[2]:.2f} / {s[3]:.0f} | "
                  f"{m[0]:.0f} / {m[1]:.1f} / {m[2]:.2f} / {m[3]:.0f} |")
        a("")
        a("Control, depth: scikit-learn with `max_depth` one lower (d−1), the depth mlobs's trees had "
          "before the depth fix (f343889); margin metrics only, |Δ| against each. With the fix mlobs "
          "grows scikit-learn's depth d; where d and d−1 differ by more than the seed spread, mlobs "
          "should sit nearer d.")
        a("")
        a("| rows | model | algorithm | metric | sklearn d | sklearn d−1 | mlobs | \\|Δ\\| vs d | \\|Δ\\| vs d−1 |")
        a("|---|---|---|---|---|---|---|---|---|")
        for r in main_rows:
            if "sklearn_shallow" in r:
                for k in SHOWN[r["task"]]:
                    if k not in MARGIN:
                        continue
                    sk, sh, ml = r["sklearn"][k], r["sklearn_shallow"][k], r["mlobs"][k]
                    f = (lambda d, base: f"{100 * abs(d) / base:.1f} %") if k == "rmse" else (lambda d, base: f"{abs(d):.4f}")
                    a(f"| {r['rows']} | {r['target']} | {r['algorithm']} | {k} | {sk:.4f} | {sh:.4f} | {ml:.4f} | "
                      f"{f(ml - sk, sk)} | {f(ml - sh, sh)} |")
        a("")
        emul = [r for r in main_rows if "sklearn_emul" in r]
        if emul:
            a("Multiclass random forest, probabilities: for multiclass (and entropy) trees, grown by smartcore's "
              "classifier, mlobs's export computes each leaf's class fractions from the distinct rows of the "
              "tree's bootstrap sample (each once); scikit-learn weights them by the bootstrap counts. "
              "\"sklearn, distinct\" is scikit-learn (same depth) with its leaf fractions recomputed that way. "
              "Binary forests are grown as 0/1 regression trees whose leaves count the repeats, as "
              "scikit-learn's do, and are not shown.")
            a("")
            a("| rows | model | metric | sklearn | sklearn, distinct | mlobs |")
            a("|---|---|---|---|---|---|")
            for r in emul:
                for k in ("accuracy", "roc_auc", "log_loss"):
                    a(f"| {r['rows']} | {r['target']} | {k} | {r['sklearn'][k]:.4f} | "
                      f"{r['sklearn_emul'][k]:.4f} | {r['mlobs'][k]:.4f} |")
            a("")
        ties = [r for r in acc if r["jitter"]]
        if ties:
            a("Classification trees with the ties broken: smartcore's classifier (unlike its regressor) only "
              "evaluates a split point where the label changes between consecutive rows in sorted order, and "
              "after a run of tied values it compares with the last row of the run, so a threshold between "
              "two runs of tied values is skipped when those two rows share a label — on integer or rounded "
              "features (age, hour, n_tx; amount, distance, score_ext are rounded) many good splits are never "
              "tried. Binary Gini trees (fraud) are now grown by smartcore's regressor on 0/1 labels and "
              "should not be affected (a control); multiclass trees (risk) still use the classifier. Here "
              "every value is moved by less than 1e-4 × max(|x|, 1) (distinct in float32) and both sides "
              "trained again on the same rows.")
            a("")
            a("| rows | model | algorithm | metric | data | sklearn | mlobs | Δ | margin |")
            a("|---|---|---|---|---|---|---|---|---|")
            for r in ties:
                orig = next(o for o in main_rows if (o["rows"], o["target"], o["algorithm"]) ==
                            (r["rows"], r["target"], r["algorithm"]))
                for k in ("accuracy", "roc_auc", "log_loss"):
                    for label, x in (("as generated", orig), ("ties broken", r)):
                        sk, ml = x["sklearn"][k], x["mlobs"][k]
                        a(f"| {r['rows']} | {r['target']} | {r['algorithm']} | {k} | {label} | {sk:.4f} | {ml:.4f} | "
                          f"{ml - sk:+.4f} | {verdict(k, sk, ml)} |")
            a("")
        lin = [r for r in main_rows if r["coef_rel_diff"] is not None]
        a("Linear models, coefficients: max |w_mlobs − w_sklearn| / max |w_sklearn|: " + "; ".join(
            f"{r['rows']} rows {r['target']} {r['algorithm']} {r['coef_rel_diff']:.2e}" for r in lin) + ".")
        a("")
        a("Check of mlobs's own holdout metrics (`metadata->'training'->'holdout_metrics'`) against the "
          "metrics computed here from `mlobs.predict_proba`/`predict` on the same rows: max |difference| "
          f"{max(r['metadata_check'] for r in acc):.2e}.")
        a("")
    if tim:
        a(f"## Training time, {args.timing_rows} rows × 10 features (median of {args.reps}, interleaved)")
        a("")
        a("mlobs: wall time of `SELECT mlobs.train(...)` from psql (reads the table through a cursor, "
          "fits on the first 80 %, scores the holdout, stores the model); \"inside\" is the version's "
          "`duration_ms`. scikit-learn: `fit` on the same 80 % of the rows (numpy arrays already in "
          "memory) + `predict`/`predict_proba` on the holdout, one thread; same `max_depth` on both sides. "
          "Rows: the generator of crates/mlobs-train/benches/train.rs (uniform features, target "
          "2·f0 − f1 + f2·f3 + noise; label = target > 0, binary: grown by smartcore's regressor on 0/1; "
          "class3 = tertiles of the target, 3 classes: smartcore's classifier; value: regression).")
        a("")
        a("| algorithm | target | mlobs ms | inside ms | sklearn ms (fit only) | ratio mlobs / sklearn | runs mlobs | runs sklearn |")
        a("|---|---|---|---|---|---|---|---|")
        for t in tim["cases"]:
            m = t["median"]
            p = ", ".join(f"{k} {v}" for k, v in t["params"].items())
            a(f"| {t['algorithm']} ({p}) | {t['target']} | {m['mlobs']:.0f} | {m['mlobs_internal']:.0f} | "
              f"{m['sklearn']:.0f} ({m['sklearn_fit']:.0f}) | **{m['mlobs'] / m['sklearn']:.2f}×** | "
              f"{' / '.join(f'{v:.0f}' for v in t['runs']['mlobs'])} | "
              f"{' / '.join(f'{v:.0f}' for v in t['runs']['sklearn'])} |")
        a("")
        a(f"Reading the rows as train's cursor does (the same SELECT, every value formatted as text, in time "
          f"order), evaluated in SQL: {tim['read_ms']:.0f} ms (runs {' / '.join(f'{v:.0f}' for v in tim['read_runs'])}); "
          f"train also parses the text into float8 and keeps the rows, then fits.")
        a("")
        shaped = [t for t in tim["cases"] if t["shape"]]
        if shaped:
            a("Tree shapes of the timed models (first repetition): nodes / max depth / mean leaf depth / "
              "one-outcome splits: " + "; ".join(
                f"{t['algorithm']} ({t['target']}) sklearn {t['shape']['sklearn'][0]} / {t['shape']['sklearn'][1]} / "
                f"{t['shape']['sklearn'][2]:.2f} / {t['shape']['sklearn'][3]}, mlobs {t['shape']['mlobs'][0]} / "
                f"{t['shape']['mlobs'][1]} / {t['shape']['mlobs'][2]:.2f} / {t['shape']['mlobs'][3]}"
                for t in shaped) + ".")
            a("")
    if pred:
        a(f"## Predict and SHAP: trained vs imported models (serial, median of {args.reps}, interleaved)")
        a("")
        a(f"`SELECT sum(mlobs.predict(m, f)) FROM pred_rows` over {pred['rows']} rows and "
          f"`SELECT sum((mlobs.shap(m, f))[1]) ...` (path-dependent TreeSHAP, linear SHAP for the linear "
          f"model) over the first {pred['shap_rows']}; rows of the demo features (make_data, seed 1, "
          f"missing values filled with the column median so that the linear model takes every row); the trained models are fitted on the 2000-row fraud data. Reading the rows "
          f"alone (`sum(f[1])`): {pred['read_ms']:.0f} ms.")
        a("")
        a("| model | trees | nodes | max depth | mean leaf depth | one-outcome splits | predict µs/row | SHAP µs/row | predict ms | SHAP ms |")
        a("|---|---|---|---|---|---|---|---|---|---|")
        for m in pred["models"]:
            s = m["shape"]
            one = "—" if not s or math.isnan(s[4]) else f"{s[4]:.0f}"
            shape = f"{s[0]} | {s[1]} | {s[2]} | {s[3]:.2f} | {one}" if s else "linear | — | — | — | —"
            a(f"| {m['what']} | {shape} | {1000 * m['predict_ms'] / pred['rows']:.2f} | "
              f"{1000 * m['shap_ms'] / pred['shap_rows']:.1f} | {m['predict_ms']:.0f} | {m['shap_ms']:.0f} |")
        a("")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--db", default="mlobs_train_bench")
    ap.add_argument("--parts", default="accuracy,timing,predict")
    ap.add_argument("--sizes", default="2000,20000", help="rows of the demo data sets (accuracy)")
    ap.add_argument("--seeds", type=int, default=5, help="seeds per side for the tree models (accuracy)")
    ap.add_argument("--no-ties", dest="ties", action="store_false",
                    help="skip the classification trees on tie-broken data (accuracy)")
    ap.add_argument("--timing-rows", type=int, default=100_000)
    ap.add_argument("--timing-cases", default="", help="comma-separated indexes into TIMING_CASES (all)")
    ap.add_argument("--pred-rows", type=int, default=100_000)
    ap.add_argument("--shap-rows", type=int, default=10_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(HERE, "results", "training.md"))
    ap.add_argument("--json", default="", help="also write the raw results here")
    args = ap.parse_args()
    started = time.time()
    LOAD[0] = os.getloadavg()[0]
    parts = set(args.parts.split(","))

    def log(msg):
        print(f"[training {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    check_fixture_rows()
    pg = Pg(args.port, args.db)
    pg.run(f"DROP DATABASE IF EXISTS {args.db}", db="postgres")
    pg.run(f"CREATE DATABASE {args.db}", db="postgres")
    pg.run("CREATE EXTENSION mlobs;")
    log(f"mlobs {pg.one('SELECT extversion FROM pg_extension WHERE extname = $$mlobs$$')}, sklearn {sklearn.__version__}")
    sizes = [int(s) for s in args.sizes.split(",")]
    acc = accuracy(pg, sizes, args.seeds, log) if "accuracy" in parts else None
    if acc is not None and args.ties:
        # The classification trees again with the ties broken (smartcore's
        # classifier skips split points after a run of tied values, see the report).
        acc += accuracy(pg, sizes, args.seeds, log, jitter=True,
                        cases=[c for c in ACCURACY_CASES if TARGETS[c[0]] == "classification" and is_tree(c[1])])
    cases = TIMING_CASES if not args.timing_cases else [TIMING_CASES[int(i)] for i in args.timing_cases.split(",")]
    tim = timing(pg, args.timing_rows, args.reps, cases, log) if "timing" in parts else None
    if "predict" in parts and "accuracy" not in parts:
        X, fraud, price, _ = make_data(2000)
        load_table(pg, "demo_2000", FEATURES + ["fraud", "risk", "price"], ["float8"] * 6 + ["int", "int", "float8"],
                   [X[:, j] for j in range(6)] + [fraud, make_risk(X), price])
    pred = predict_speed(pg, args.pred_rows, args.shap_rows, args.reps, log) if "predict" in parts else None
    text = report(args, acc, tim, pred, started)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as fh:
        fh.write(text)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"accuracy": acc, "timing": tim, "predict": pred}, fh, indent=1)
    print(text)


if __name__ == "__main__":
    main()
