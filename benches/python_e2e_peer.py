#!/usr/bin/env python3
"""End to end, one run: a drift + performance report over the benchmark dataset the way teams
do it today (fetch the rows with psycopg, then scipy / Evidently / scikit-learn) versus one SQL
statement in the database, serial and with 2 parallel workers.

Report: reference = first 45 days, current = last 45 days. Every numeric feature (f1..f10):
KS (scipy ks_2samp), Wasserstein (Evidently's normed), PSI (Evidently); every categorical
(c1..c3): chi-square and PSI (Evidently); current window: ROC AUC and log loss (scikit-learn).
mlobs computes the same from one scan: profile_agg / category_agg / score_agg with FILTER.
Results go to bench_results (grp 'e2e'); prints the numbers side by side for one feature.
Usage: python_e2e_peer.py --port P --tbl T --rows N
"""
import argparse
import time

import numpy as np
import pandas as pd
import psycopg
import scipy.stats as st
from evidently.legacy.calculations.stattests import chi_stat_test, psi_stat_test, wasserstein_stat_test
from evidently.legacy.core import ColumnType
from sklearn.metrics import log_loss, roc_auc_score

NUM = [f"f{i}" for i in range(1, 11)]
CAT = ["c1", "c2", "c3"]
MID = "2026-02-15"


def python_peer(cur, tbl):
    t0 = time.perf_counter()
    frames = {}
    for name, cond in (("ref", f"ts < '{MID}'"), ("cur", f"ts >= '{MID}'")):
        cur.execute(f"SELECT {', '.join(NUM + CAT)}, score, label FROM {tbl} WHERE {cond}")
        frames[name] = pd.DataFrame(cur.fetchall(), columns=NUM + CAT + ["score", "label"])
    t_fetch = time.perf_counter() - t0
    ref, cu = frames["ref"], frames["cur"]
    out = {}
    for c in NUM:
        r = ref[c].astype(float).dropna()
        r = r[np.isfinite(r)]
        k = cu[c].astype(float).dropna()
        k = k[np.isfinite(k)]
        out[c] = (st.ks_2samp(r, k).pvalue,
                  wasserstein_stat_test(r, k, ColumnType.Numerical, None).drift_score,
                  psi_stat_test(r, k, ColumnType.Numerical, None).drift_score)
    for c in CAT:
        r, k = ref[c].dropna(), cu[c].dropna()
        out[c] = (chi_stat_test(r, k, ColumnType.Categorical, None).drift_score,
                  psi_stat_test(r, k, ColumnType.Categorical, None).drift_score)
    out["auc"] = roc_auc_score(cu["label"], cu["score"])
    out["log_loss"] = log_loss(cu["label"], cu["score"])
    return time.perf_counter() - t0, t_fetch, out


def mlobs_sql(tbl):
    aggs = []
    for c in NUM:
        aggs += [f"mlobs.profile_agg({c}) FILTER (WHERE ts < '{MID}') AS r_{c}",
                 f"mlobs.profile_agg({c}) FILTER (WHERE ts >= '{MID}') AS k_{c}"]
    for c in CAT:
        aggs += [f"mlobs.category_agg({c}) FILTER (WHERE ts < '{MID}') AS r_{c}",
                 f"mlobs.category_agg({c}) FILTER (WHERE ts >= '{MID}') AS k_{c}"]
    aggs.append(f"mlobs.score_agg(score, label) FILTER (WHERE ts >= '{MID}') AS perf")
    cols = []
    for c in NUM:
        cols += [f"(mlobs.drift(r_{c}, k_{c}, 'ks')).p_value", f"(mlobs.drift(r_{c}, k_{c}, 'wasserstein')).statistic",
                 f"mlobs.psi(r_{c}, k_{c})"]
    for c in CAT:
        cols += [f"(mlobs.drift(r_{c}, k_{c}, 'chisquare')).p_value", f"(mlobs.drift(r_{c}, k_{c}, 'psi')).statistic"]
    cols += ["mlobs.roc_auc(perf)", "mlobs.log_loss(perf)"]
    return f"SELECT {', '.join(cols)} FROM (SELECT {', '.join(aggs)} FROM {tbl}) s"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--tbl", required=True)
    ap.add_argument("--rows", type=int, required=True)
    a = ap.parse_args()
    with psycopg.connect(f"host=127.0.0.1 port={a.port} user=postgres dbname=mlobs_bench", autocommit=True) as conn:
        cur = conn.cursor()
        cur.execute("SET jit = off")
        t_py, t_fetch, py = python_peer(cur, a.tbl)
        sql = mlobs_sql(a.tbl)
        times = {}
        for workers in (0, 2):
            cur.execute(f"SET max_parallel_workers_per_gather = {workers}")
            cur.execute("SET parallel_setup_cost = 0")
            cur.execute("SET min_parallel_table_scan_size = 0")
            best = []
            for _ in range(3):
                t0 = time.perf_counter()
                cur.execute(sql)
                row = cur.fetchone()
                best.append(time.perf_counter() - t0)
            times[workers] = sorted(best)[1]
        cur.execute("DELETE FROM bench_results WHERE tbl = %s AND grp = 'e2e'", (a.tbl,))
        for ord_, name, mode, secs in ((1, "Python peer (psycopg fetch + scipy/Evidently/sklearn)", "serial", t_py),
                                       (2, f"  of which fetch", "serial", t_fetch),
                                       (3, "mlobs, one SQL statement", "serial", times[0]),
                                       (4, "mlobs, one SQL statement", "2 workers", times[2])):
            cur.execute("INSERT INTO bench_results (tbl, rows, grp, mode, ord, name, ms, baseline, baseline_ms) "
                        "VALUES (%s, %s, 'e2e', %s, %s, %s, %s, 'Python peer', %s)",
                        (a.tbl, a.rows, mode, ord_, name, secs * 1000, t_py * 1000))
    print(f"{a.tbl}: python {t_py:.2f} s (fetch {t_fetch:.2f} s); mlobs serial {times[0]:.3f} s "
          f"({t_py / times[0]:.1f}x), 2 workers {times[2]:.3f} s ({t_py / times[2]:.1f}x)")
    print(f"  f3: scipy/evidently ks p={py['f3'][0]:.6g} wasserstein={py['f3'][1]:.6g} psi={py['f3'][2]:.6g}; "
          f"mlobs ks p={row[6]:.6g} wasserstein={row[7]:.6g} psi={row[8]:.6g}")
    print(f"  c3: evidently chi2 p={py['c3'][0]:.6g} psi={py['c3'][1]:.6g}; mlobs chi2 p={row[34]:.6g} psi={row[35]:.6g}")
    print(f"  auc sklearn={py['auc']:.10f} mlobs={row[36]:.10f}; log loss sklearn={py['log_loss']:.10f} mlobs={row[37]:.10f}")


if __name__ == "__main__":
    main()
