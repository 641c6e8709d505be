#!/usr/bin/env python3
"""Checks one rendered report against what the database holds (tests/integration/report/run.sh).

Usage: check.py REPORT.html DOM.html EXPECTED.json [--reader]
REPORT.html is mlobs.report's output, DOM.html what headless Chromium made of it (--dump-dom),
EXPECTED.json the facts run.sh read with SQL: the period's alerts (rule, feature, state), the
drift charts' titles, the data-quality rows (feature, metric, max). Checks: the document is
self-contained (no script, no external reference), every chart has drawn data, the text shows
every alert, every drift series and every quality value the database holds, and the browser's
DOM keeps every chart. Standard library only. Prints PASS/FAIL lines; exits 1 on a failure.
"""
import html.parser
import json
import math
import re
import sys

report_path, dom_path, expected_path = sys.argv[1:4]
reader = "--reader" in sys.argv
raw = open(report_path, encoding="utf-8").read()
dom = open(dom_path, encoding="utf-8").read()
want = json.load(open(expected_path))
failed = False


def check(ok, what):
    global failed
    print(("PASS: " if ok else "FAIL: ") + what)
    failed |= not ok


def number(v):
    """The renderer's number format (crates/mlobs-report/src/html.rs, number)."""
    if v is None:
        return "–"
    a = abs(v)
    if a != 0 and not (1e-4 <= a < 1e9):
        m, e = f"{v:.3e}".split("e")
        return f"{m}e{int(e)}"
    decimals = 0 if a >= 1000 else 1 if a >= 100 else 2 if a >= 10 else 4
    s = f"{v:.{decimals}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text, self.svgs, self.cells, self.headings = [], [], [], [], []
        self.cur_svg = None
        self.in_cell = None
        self.in_h3 = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "svg":
            self.cur_svg = {"marks": 0}
        elif self.cur_svg is not None and tag in ("polyline", "path", "rect", "circle", "line"):
            self.cur_svg["marks"] += 1
        if tag in ("td", "th"):
            self.in_cell = ""
        if tag == "h3":
            self.in_h3 = ""

    def handle_endtag(self, tag):
        if tag == "svg" and self.cur_svg is not None:
            self.svgs.append(self.cur_svg)
            self.cur_svg = None
        if tag in ("td", "th") and self.in_cell is not None:
            self.cells.append(self.in_cell.strip())
            self.in_cell = None
        if tag == "h3" and self.in_h3 is not None:
            self.headings.append(self.in_h3.strip())
            self.in_h3 = None

    def handle_data(self, data):
        self.text.append(data)
        if self.in_cell is not None:
            self.in_cell += data
        if self.in_h3 is not None:
            self.in_h3 += data


page = Page()
page.feed(raw)
browser = Page()
browser.feed(dom)
text = " ".join(page.text)

check(raw.startswith("<!DOCTYPE html>") and raw.rstrip().endswith("</html>"), "one complete HTML document")
check(not any(t == "script" for t, _ in page.tags), "no <script> element")
external = [a for t, attrs in page.tags for k, a in attrs.items()
            if k in ("src", "href", "xlink:href") and a and not a.startswith("#")]
check(not external, f"nothing fetched from elsewhere ({len(external)} external references)")
check(not any(k.startswith("on") for _, attrs in page.tags for k in attrs), "no event-handler attribute")
check(len(raw) < 2_000_000, f"size {len(raw)} bytes < 2 MB")
empty = [i for i, s in enumerate(page.svgs) if s["marks"] < 4]
check(page.svgs and not empty, f"{len(page.svgs)} charts, each with drawn data (empty: {empty})")
check(len(browser.svgs) == len(page.svgs), f"the browser's DOM keeps all {len(page.svgs)} charts")
for a in want["alerts"]:
    row = " ".join(page.cells)
    check(a["rule"] in row and a["state"] in row and (a["feature"] or "") in row,
          f"alert {a['rule']} {a['feature']} {a['state']} is listed")
alert_rows = sum(1 for c in page.cells if c in ("critical", "warning", "info"))
check(alert_rows == len(want["alerts"]), f"{alert_rows} alert rows = {len(want['alerts'])} alerts of the period")
missing = [t for t in want["drift_titles"] if t not in page.headings]
check(not missing, f"every drift series of the period has its chart ({len(want['drift_titles'])}; missing {missing[:3]})")
for q in want["quality"]:
    cells = page.cells
    ok = any(cells[i] == q["feature"] and cells[i + 1] == q["metric"] and cells[i + 3] == number(q["max"])
             for i in range(len(cells) - 3))
    check(ok, f"quality {q['feature']} {q['metric']} max {number(q['max'])}")
for fragment in want.get("text", []):
    check(fragment in text, f"the text says: {fragment}")
for fragment in want.get("not_text", []):
    check(fragment not in raw, f"the document does not contain: {fragment}")
sys.exit(1 if failed else 0)
