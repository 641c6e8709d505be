#!/usr/bin/env python3
"""Peer timings for the model benchmarks: XGBoost's own C++ prediction and TreeSHAP
(`Booster.predict(..., pred_contribs=True)`) and shap's TreeExplainer (its C++ extension), one
thread, on the fixture fraud model and the same deterministic rows as
crates/mlobs-explain/benches/explain.rs. Prints rows/second.

Run with the pinned model venv: tests/fixtures/.venv-models/bin/python benches/python_shap_peer.py
(`--predict-only N`: only inplace_predict, the fastest of N runs, beside
crates/mlobs-explain/examples/predict_rate.rs).
"""
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one thread, before the libraries load

import numpy as np
import xgboost

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "tests", "fixtures", "models", "fraud_xgb.json")
ROWS = 10_000


def rows(n, offset=0):
    i = np.arange(offset, offset + n)
    return np.column_stack([i * 7 % 400 + 5, 18 + i % 60, i % 24, i * 3 % 120, i % 12, (i % 10) / 10.0]).astype(float)


def best_of(f, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def main():
    booster = xgboost.Booster(model_file=MODEL)
    booster.set_param({"nthread": 1})
    X = rows(ROWS)
    if len(sys.argv) == 3 and sys.argv[1] == "--predict-only":
        # Fastest of N, beside crates/mlobs-explain/examples/predict_rate.rs.
        n = int(sys.argv[2])
        print(f"xgboost inplace_predict: {ROWS / best_of(lambda: booster.inplace_predict(X), n):.0f} rows/s (fastest of {n})")
        return
    import shap  # not needed by --predict-only

    dm = xgboost.DMatrix(X, feature_names=booster.feature_names)
    res = {}
    # inplace_predict: Booster.predict on a DMatrix caches its result between calls.
    res["xgboost inplace_predict"] = ROWS / best_of(lambda: booster.inplace_predict(X))
    res["xgboost pred_contribs (C++ TreeSHAP)"] = ROWS / best_of(lambda: booster.predict(dm, pred_contribs=True))
    explainer = shap.TreeExplainer(booster)
    res["shap TreeExplainer (path-dependent)"] = ROWS / best_of(lambda: explainer.shap_values(X, check_additivity=False))
    bg = np.array([rows(1, i * 37 + 11)[0] for i in range(50)])
    inter = shap.TreeExplainer(booster, data=bg, feature_perturbation="interventional")
    res["shap TreeExplainer (interventional, 50 background)"] = 1000 / best_of(
        lambda: inter.shap_values(X[:1000], check_additivity=False), repeat=3)
    print(json.dumps({k: round(v) for k, v in res.items()}, indent=1))


if __name__ == "__main__":
    main()
