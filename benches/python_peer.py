#!/usr/bin/env python3
"""End-to-end drift on N logged rows, the way teams do it today versus in SQL, one run.

Python peer: fetch the reference and current windows of a feature through psycopg, then
scipy.stats.ks_2samp + Evidently's wasserstein and PSI stat tests. mlobs: the same three results
from the exact array functions, and from stored profiles. Prints wall times and ratios.
Usage: python_peer.py --port P [--rows N]   (table bench_peer is created once per N)
"""
import argparse
import time

import numpy as np
import pandas as pd
import psycopg
import scipy.stats as st
from evidently.legacy.calculations.stattests import psi_stat_test, wasserstein_stat_test
from evidently.legacy.core import ColumnType


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    n = args.rows
    table = f"bench_peer_{n}"
    with psycopg.connect(f"host=127.0.0.1 port={args.port} user=postgres dbname=mlobs_bench", autocommit=True) as conn:
        cur = conn.cursor()
        cur.execute("SET max_parallel_workers_per_gather = 0")
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", (table,))
        if not cur.fetchone()[0]:
            cur.execute(f"""CREATE TABLE {table} AS
                SELECT i, (i > {n // 2}) AS is_current,
                       exp(3 + random() * 2 + CASE WHEN i > {n // 2} THEN 0.05 ELSE 0 END) AS amount
                FROM generate_series(1, {n}) i""")
            cur.execute(f"ANALYZE {table}")

        t0 = time.perf_counter()
        cur.execute(f"SELECT amount FROM {table} WHERE NOT is_current")
        ref = np.fromiter((r[0] for r in cur), dtype=float)
        cur.execute(f"SELECT amount FROM {table} WHERE is_current")
        cu = np.fromiter((r[0] for r in cur), dtype=float)
        t_fetch = time.perf_counter() - t0
        ks = st.ks_2samp(ref, cu)
        w = wasserstein_stat_test(pd.Series(ref), pd.Series(cu), ColumnType.Numerical, None)
        psi = psi_stat_test(pd.Series(ref), pd.Series(cu), ColumnType.Numerical, None)
        t_python = time.perf_counter() - t0

        t0 = time.perf_counter()
        cur.execute(f"""SELECT (mlobs.drift(r, c, 'ks')).p_value, (mlobs.drift(r, c, 'wasserstein')).statistic, mlobs.psi(r, c)
                        FROM (SELECT array_agg(amount) FILTER (WHERE NOT is_current) r,
                                     array_agg(amount) FILTER (WHERE is_current) c FROM {table}) s""")
        m_ks, m_w, m_psi = cur.fetchone()
        t_sql = time.perf_counter() - t0

        t0 = time.perf_counter()
        cur.execute(f"""SELECT (mlobs.drift(r, c, 'ks')).p_value, (mlobs.drift(r, c, 'wasserstein')).statistic, mlobs.psi(r, c)
                        FROM (SELECT mlobs.profile_agg(amount) FILTER (WHERE NOT is_current) r,
                                     mlobs.profile_agg(amount) FILTER (WHERE is_current) c FROM {table}) s""")
        p_ks, p_w, p_psi = cur.fetchone()
        t_profiles = time.perf_counter() - t0

    print(f"rows: {n}")
    print(f"python peer (fetch {t_fetch:.2f} s + scipy/evidently): {t_python:.2f} s  ks p={ks.pvalue:.6g} wasserstein={w.drift_score:.6g} psi={psi.drift_score:.6g}")
    print(f"mlobs exact arrays:    {t_sql:.2f} s  ks p={m_ks:.6g} wasserstein={m_w:.6g} psi={m_psi:.6g}  speed-up {t_python / t_sql:.1f}x")
    print(f"mlobs profiles (1 pass, sketch): {t_profiles:.2f} s  ks p={p_ks:.6g} wasserstein={p_w:.6g} psi(ref-quantile)={p_psi:.6g}  speed-up {t_python / t_profiles:.1f}x")


if __name__ == "__main__":
    main()
