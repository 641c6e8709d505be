#!/usr/bin/env python3
"""Formats bench_results (both dataset sizes, one run) as the Markdown tables of
docs/performance.md. Standard library only.   report.py --port P
Growth = time at 10M / time at 1M: 10.0 is linear; n log n predicts 10 * log(1e7) / log(1e6) = 11.7.
"""
import argparse
import subprocess

SIZES = ["predictions_1m", "predictions_10m"]
TITLES = {
    "single-pass": "Single-pass aggregates vs built-in `avg(x)` (target ≤ 1.3×)",
    "exact": "Exact (sort-based) aggregates vs built-in `percentile_cont(0.5)` (target ≤ 1.0×)",
    "jsonb": "Aggregates over the jsonb payload (13 keys) vs reading it with built-ins",
    "drift-90d": "Drift over 90 days of stored hourly summaries (2160 rows; target < 50 ms)",
}


def rows(port):
    out = subprocess.run(["psql", "-X", "-At", "-F", "\t", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                          "-d", "mlobs_bench", "-c",
                          "SELECT tbl, grp, mode, ord, name, ms, coalesce(baseline_ms, 0) FROM bench_results"],
                         capture_output=True, text=True, check=True).stdout
    res = {}
    for line in out.splitlines():
        tbl, grp, mode, ord_, name, ms, base = line.split("\t")
        res[(tbl, grp, mode, int(ord_))] = (name, float(ms), float(base))
    return res


def timing_table(res, grp, ratio=True):
    """Rows keyed by name (a size may leave a query out), in first-seen order."""
    print(f"\n### {TITLES[grp]}\n")
    head = "| query | 1M serial | 1M 2 workers | 10M serial | 10M 2 workers | growth 10M/1M (serial) |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    by_name = {}
    for (tbl, g, mode, o), v in res.items():
        if g == grp:
            by_name.setdefault(v[0], {})[(tbl, mode)] = (o, v)
    names = sorted(by_name, key=lambda n: min(o for o, _ in by_name[n].values()))
    for name in names:
        cells = []
        for tbl in SIZES:
            for mode in ("serial", "2 workers"):
                entry = by_name[name].get((tbl, mode))
                if entry is None:
                    cells.append("–")
                    continue
                o, v = entry
                if ratio and o > 1:
                    cells.append(f"{v[1]:.0f} ms ({v[1] / v[2]:.2f}×)")
                else:
                    cells.append(f"{v[1]:.1f} ms" if v[1] < 100 else f"{v[1]:.0f} ms")
        a, b = by_name[name].get((SIZES[0], "serial")), by_name[name].get((SIZES[1], "serial"))
        growth = f"{b[1][1] / a[1][1]:.1f}" if a and b else "–"
        print(f"| {name} | " + " | ".join(cells) + f" | {growth} |")


def simple_table(res, grp, unit, title, baseline_ord=None):
    print(f"\n### {title}\n")
    print(f"| | 1M rows | 10M rows |\n|---|---|---|")
    ords = sorted({k[3] for k in res if k[1] == grp})
    for o in ords:
        name = next(v[0] for k, v in res.items() if k[1] == grp and k[3] == o)
        cells = []
        for tbl in SIZES:
            v = res.get((tbl, grp, "serial", o))
            if v is None:
                cells.append("–")
                continue
            val = v[1]
            if baseline_ord and o != baseline_ord:
                base = res[(tbl, grp, "serial", baseline_ord)][1]
                cells.append(f"{val - base:+,.0f} {unit}")
            else:
                cells.append(f"{val:,.0f} {unit}")
        print(f"| {name} | " + " | ".join(cells) + " |")


def e2e_table(res):
    print("\n### End to end: drift report for 13 features + AUC/log loss vs the Python peer (target ≥ 20×)\n")
    print("| | 1M rows | 10M rows |\n|---|---|---|")
    for o, mode in ((1, "serial"), (2, "serial"), (3, "serial"), (4, "2 workers")):
        name = next((v[0] for k, v in res.items() if k[1] == "e2e" and k[3] == o), None)
        if name is None:
            continue
        cells = []
        for tbl in SIZES:
            v = res.get((tbl, "e2e", mode, o))
            if v is None:
                cells.append("–")
            elif o >= 3:
                cells.append(f"{v[1] / 1000:.2f} s (**{v[2] / v[1]:.0f}× faster**)")
            else:
                cells.append(f"{v[1] / 1000:.2f} s")
        print(f"| {name}{' (' + mode + ')' if o >= 3 else ''} | " + " | ".join(cells) + " |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    res = rows(ap.parse_args().port)
    for grp in ("single-pass", "exact", "jsonb"):
        timing_table(res, grp)
    timing_table(res, "drift-90d", ratio=False)
    e2e_table(res)
    simple_table(res, "state-bytes", "B", "Serialized state size (what a stored summary costs on disk)")
    simple_table(res, "memory", "kB", "Peak backend memory, serial (VmHWM; first row absolute, others minus it)", baseline_ord=1)


if __name__ == "__main__":
    main()
