#!/usr/bin/env python3
"""Two builds of mlobs side by side, interleaved, in one run.

Ratios to avg(f2) taken from separate runs moved by up to 30 % between runs on the shared 2-core
VM (the machine, not the code): a before/after comparison needs both builds measured in the same
minutes. This script times each query on two clusters that hold the same table (benches/dataset.sql
is seeded), one running build A and one build B, alternating A B / B A per repetition, and reports
per query the median and minimum of each build and B/A. Set-up (two private installations, two
clusters): docs/performance.md, section "Builds side by side".

    python3 benches/ab_builds.py --port-a 28819 --port-b 28818 --reps 9 [--tbl T] [--only NAME ...]
"""
import argparse
import re
import statistics
import subprocess

QUERIES = [
    ("avg(f2)", "SELECT avg(f2) FROM {t}"),
    ("avg(score) FILTER (WHERE label)", "SELECT avg(score) FILTER (WHERE label) FROM {t}"),
    ("score_agg(score, label)", "SELECT mlobs.score_agg(score, label) IS NULL FROM {t}"),
    ("log_loss_agg(score, label)", "SELECT mlobs.log_loss_agg(score, label) FROM {t}"),
    ("cbpe_agg(score, calibration)",
     "SELECT mlobs.cbpe_agg(score, (SELECT cal FROM bench_inputs)) IS NULL FROM {t}"),
    ("category_agg(c3)", "SELECT mlobs.category_agg(c3) IS NULL FROM {t}"),
    ("category_agg(id % 100000)",
     "SELECT mlobs.category_agg((id % 100000)::text) IS NULL FROM {t}"),
    ("regression_agg(target, prediction)",
     "SELECT mlobs.regression_agg(target, prediction) IS NULL FROM {t}"),
    # The model functions' tables of benches/models.sql (run it on both clusters first).
    ("predict(model, float8[])", "SELECT sum(mlobs.predict('bench_fraud', f)) FROM bench_models"),
    ("predict(model, jsonb)", "SELECT sum(mlobs.predict('bench_fraud', j)) FROM bench_models_json"),
    ("read one jsonb key", "SELECT sum((j->>'amount')::float8) FROM bench_models_json"),
]
MODES = {
    "serial": "SET max_parallel_workers_per_gather = 0;",
    "2 workers": "SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; "
                 "SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;",
}


def timed(port, sql):
    """Server time of `sql` in ms (psql's \\timing of the last statement)."""
    out = subprocess.run(
        ["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
         "-d", "mlobs_bench", "-c", "SET jit = off", "-c", "\\timing on", "-c", sql],
        check=True, capture_output=True, text=True).stdout
    return float(re.findall(r"Time: ([0-9.]+) ms", out)[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-a", type=int, required=True)
    ap.add_argument("--port-b", type=int, required=True)
    ap.add_argument("--reps", type=int, default=9)
    ap.add_argument("--tbl", default="predictions_1m")
    ap.add_argument("--only", nargs="*", help="query names to time (default: all)")
    a = ap.parse_args()
    queries = [q for q in QUERIES if not a.only or q[0] in a.only]
    print(f"| mode | query | A median (min) ms | B median (min) ms | B/A median | B/A min |")
    print("|---|---|---|---|---|---|")
    for mode, setup in MODES.items():
        times = {(q, s): [] for q, _ in queries for s in "AB"}
        for r in range(a.reps):
            for name, sql in queries:
                sides = [("A", a.port_a), ("B", a.port_b)]
                for side, port in (sides if r % 2 == 0 else sides[::-1]):
                    times[(name, side)].append(timed(port, setup + sql.format(t=a.tbl)))
        for name, _ in queries:
            ta, tb = times[(name, "A")], times[(name, "B")]
            ma, mb = statistics.median(ta), statistics.median(tb)
            print(f"| {mode} | {name} | {ma:.1f} ({min(ta):.1f}) | {mb:.1f} ({min(tb):.1f}) "
                  f"| {mb / ma:.2f} | {min(tb) / min(ta):.2f} |")


if __name__ == "__main__":
    main()
