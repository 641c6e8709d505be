#!/usr/bin/env python3
"""Model metrics on N logged predictions the way teams do it today versus in SQL, one run.

Python peer: fetch (label, score, target, prediction) through psycopg into numpy, then
scikit-learn's roc_auc_score, average_precision_score, f1_score, log_loss and the regression
metrics. mlobs: the same numbers from one SQL statement (exact aggregates). Prints wall times,
the ratio, and the largest difference between the two sets of results.
Usage: python_metrics_peer.py --port P   (uses bench_preds from benches/metrics.sql)
"""
import argparse
import time

import numpy as np
import psycopg
from sklearn import metrics as m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    with psycopg.connect(f"host=127.0.0.1 port={args.port} user=postgres dbname=mlobs_bench", autocommit=True) as conn:
        cur = conn.cursor()
        cur.execute("SET max_parallel_workers_per_gather = 2")
        t0 = time.perf_counter()
        cur.execute("SELECT label, score, target, prediction FROM bench_preds")
        rows = np.array(cur.fetchall(), dtype=float)
        t_fetch = time.perf_counter() - t0
        y, s, target, pred = rows[:, 0].astype(int), rows[:, 1], rows[:, 2], rows[:, 3]
        py = [
            m.roc_auc_score(y, s),
            m.average_precision_score(y, s),
            m.f1_score(y, (s >= 0.5).astype(int)),
            m.log_loss(y, s),
            m.root_mean_squared_error(target, pred),
            m.mean_absolute_error(target, pred),
            m.r2_score(target, pred),
        ]
        t_py = time.perf_counter() - t0

        t0 = time.perf_counter()
        cur.execute("""WITH a AS (
                           SELECT mlobs.roc_auc_agg(score, label) auc, mlobs.pr_auc_agg(score, label) ap,
                                  mlobs.confusion_agg(label, (score >= 0.5)::int) c,
                                  mlobs.log_loss_agg(score, label) ll, mlobs.regression_agg(target, prediction) r
                             FROM bench_preds)
                       SELECT auc, ap, mlobs.f1(c), ll, mlobs.rmse(r), mlobs.mae(r), mlobs.r2(r) FROM a""")
        sql = cur.fetchone()
        t_sql = time.perf_counter() - t0
    n = len(y)
    diff = max(abs(a - b) for a, b in zip(py, sql))
    print(f"rows {n}: python peer {t_py:.2f} s (fetch {t_fetch:.2f} s), mlobs {t_sql:.2f} s, "
          f"ratio {t_py / t_sql:.1f}x, max |difference| {diff:.2e}")


if __name__ == "__main__":
    main()
