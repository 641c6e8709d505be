#!/usr/bin/env python3
"""Runs every panel query of the Grafana dashboards as Grafana would, without Grafana.

For each dashboard JSON (default: examples/grafana/dashboards/*.json):
  * template variables are resolved in order: a query variable's SQL is expanded (expand.py) and run as
    the datasource's login role; a multi-value / include-All variable takes every value (what "All"
    sends), a single-value one its saved current value if the query returns it, else the first row
    (column __value if present, else the first column);
  * the datasource variable (type datasource, query grafana-postgresql-datasource) stands for the
    database this harness connects to; every variable, annotation and panel target must reference it
    ({type: grafana-postgresql-datasource, uid: ${datasource}}) and use raw SQL; the rawSql is expanded
    with expand.py (template variables, sqleng globals, PostgreSQL macros) for a fixed time range and run
    through psql as the login role (default mlobs_grafana, a member of mlobs_reader) in a read-only
    transaction (default_transaction_read_only = on);
  * annotation queries (annotations.list, target.rawSql): a column named "time" (a time or epoch
    seconds), a text column "text", optional "timeend" and "tags"; they may return no rows (no alert
    in range), but together the annotation queries of the run must return some;
  * checks: no error and at least one row; format time_series: a column named exactly "time"
    (timestamptz / timestamp / date, or epoch seconds as a number), rows sorted ascending by time (Grafana's
    long-to-wide conversion needs it), every other column either numeric (int, float, numeric) or a text
    label, at least one numeric column; format table: at least the declared columns (the panel's organize
    transformation, indexByName), in any order. A target with refId RULES (the alert-rule threshold series,
    read from mlobs.alert_rules) may return no rows: a metric without a rule draws no line.
Segments: --var segment=web sets a variable (a dashboard without that variable, or whose query does not
offer the value, is skipped; at least one must run). With --isolate-user (a superuser) every query that reads
the segmented tables (mlobs.metric_points, mlobs.monitor_windows, and mlobs.alerts on a dashboard with a
`segment` variable) is also run by that user in a transaction that is rolled back: (a) after deleting every
row of the other segments ('' included: the whole window) the query must return exactly the same rows (the
panel shows the selected segment's series only; on a dashboard without a segment variable, the whole
window's), and (b) after deleting the selected segment's rows it must return something else (it does read
them), unless it returned no rows.
With --dump DIR every query's result (its SQL, column names and rows, sorted) is written to DIR/<dashboard>.txt, to
compare two servers (tests/integration/standby/run.sh: a primary and its hot standby).
With --explain every query also runs under EXPLAIN (ANALYZE, FORMAT JSON): its line gives the execution
time and any sequential scan of an mlobs table with the rows it read (benches/dashboard_plans.sh uses it
on a year of points).
Prints one line per panel and a summary; exits non-zero on any failure. Standard library only.
"""
import argparse
import csv
import datetime as dt
import io
import json
import os
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import expand  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[3]
DS_REF = {"type": "grafana-postgresql-datasource", "uid": "${datasource}"}
NUMERIC = {"smallint", "integer", "bigint", "real", "double precision", "numeric"}
TIME = {"timestamp with time zone", "timestamp without time zone", "date"}
LABEL = {"text", "character varying", "name", "character", "\"char\""}


SEGMENTED = ("metric_points", "monitor_windows", "alerts")  # the tables with a segment column


class PanelError(Exception):
    pass


class SkipDashboard(Exception):
    pass


def base_type(t):
    return t.split("(")[0].strip()


class Runner:
    def __init__(self, args):
        self.args = args
        self.frm = expand.parse_time(args.frm)
        self.to = expand.parse_time(args.to)
        self.overrides = dict(v.split("=", 1) for v in args.var)
        self.dumped = []  # --dump: this dashboard's queries and results

    def psql(self, sql, *extra, user=None):
        cmd = ["psql", "-X", "-q", "--csv", "-v", "ON_ERROR_STOP=1", "-h", self.args.host, "-p", str(self.args.port),
               "-U", user or self.args.user, "-d", self.args.db, *extra]
        options = "-c statement_timeout=60s" + ("" if user else " -c default_transaction_read_only=on")
        env = dict(os.environ, PGOPTIONS=options, PGTZ="UTC")
        res = subprocess.run(cmd, input=sql, capture_output=True, text=True, env=env)
        if res.returncode != 0:
            raise PanelError(res.stderr.strip().replace("\n", " | "))
        return list(csv.reader(io.StringIO(res.stdout)))

    def run(self, sql):
        """→ (columns [(name, type)], rows)."""
        body = sql.strip().rstrip(";").strip()
        desc = self.psql(body + "\n\\gdesc\n")
        columns = [(r[0], r[1]) for r in desc[1:]]
        out = self.psql(body + ";\n")
        if not out:
            raise PanelError("no result set")
        names = out[0]
        if names != [c[0] for c in columns]:
            raise PanelError(f"column mismatch between \\gdesc and the result: {names}")
        if self.args.dump:
            rows = sorted(json.dumps(r) for r in out[1:])
            self.dumped.append("\n".join([f"-- query {len(self.dumped) + 1}", body, json.dumps(names), *rows]))
        return columns, out[1:]

    def isolated(self, sql, segment, keep):
        """Rows of sql run by --isolate-user after deleting (rolled back) the rows of every segment but `segment`
        (keep=True) or of `segment` itself (keep=False) from the segmented tables."""
        op = "<>" if keep else "="
        lit = "'" + segment.replace("'", "''") + "'"
        deletes = "".join(f"DELETE FROM mlobs.{t} WHERE segment {op} {lit};\n" for t in SEGMENTED)
        body = sql.strip().rstrip(";").strip()
        out = self.psql(f"BEGIN;\n{deletes}{body};\nROLLBACK;\n", user=self.args.isolate_user)
        return out[1:] if out else []

    def check_segment(self, sql, rows, variables, dash):
        """--isolate-user: the query shows the selected segment's rows only, and does read them."""
        if not self.args.isolate_user:
            return ""
        has_var = "segment" in variables
        tables = [t for t in SEGMENTED if f"mlobs.{t}" in sql and (has_var or t != "alerts")]
        if not tables:
            return ""
        segment = variables["segment"]["value"] if has_var else ""
        if sorted(self.isolated(sql, segment, True)) != sorted(rows):
            raise PanelError(f"rows of other segments than {segment!r} change the result: the query does not "
                             f"filter on the segment ({', '.join(tables)})")
        if rows and sorted(self.isolated(sql, segment, False)) == sorted(rows):
            raise PanelError(f"the result does not depend on segment {segment!r}'s rows")
        return f"; segment {segment!r} only"

    def explain(self, sql):
        """→ ' (12.3 ms; seq scan: mlobs.metric_points 8760 rows)' from EXPLAIN ANALYZE, or '' without --explain."""
        if not self.args.explain:
            return ""
        body = sql.strip().rstrip(";").strip()
        out = self.psql("EXPLAIN (ANALYZE, FORMAT JSON) " + body + ";\n")
        plan = json.loads(out[1][0])[0]  # csv: a header row, then the plan as one value
        scans = []

        def walk(node):
            if node.get("Node Type") == "Seq Scan" and node.get("Schema") == "mlobs":
                read = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
                scans.append(f"mlobs.{node['Relation Name']} {read * node.get('Actual Loops', 1)} rows")
            for child in node.get("Plans", []):
                walk(child)
        walk(plan["Plan"])
        return f" ({plan['Execution Time']:.1f} ms{'; seq scan: ' + ', '.join(scans) if scans else ''})"

    def expand(self, sql, variables):
        return expand.expand(sql, self.frm, self.to, variables, interval=self.args.interval)

    def resolve_variables(self, dash):
        variables = {}
        for v in dash.get("templating", {}).get("list", []):
            name, kind = v["name"], v.get("type")
            if kind == "query":
                query = v.get("query")
                query = query.get("rawSql") if isinstance(query, dict) else query
                if v.get("datasource") != DS_REF:
                    raise PanelError(f"variable {name}: datasource {v.get('datasource')} is not {DS_REF}")
                columns, rows = self.run(self.expand(query, variables))
                names = [c[0] for c in columns]
                i = names.index("__value") if "__value" in names else 0
                values = [r[i] for r in rows]
                if not values:
                    raise PanelError(f"variable {name}: the query returned no values")
                if len(set(values)) != len(values):
                    raise PanelError(f"variable {name}: duplicate values {values}")
            elif kind == "datasource":
                if v.get("query") != DS_REF["type"]:
                    raise PanelError(f"variable {name}: datasource type {v.get('query')} is not {DS_REF['type']}")
                values = [self.args.datasource_uid]  # the database this harness runs against
            elif kind in ("custom", "constant", "textbox"):
                cur = v.get("current", {}).get("value") or v.get("query", "")
                values = cur if isinstance(cur, list) else [str(cur)]
            else:
                raise PanelError(f"variable {name}: type {kind} is not handled by this harness")
            multi, include_all = bool(v.get("multi")), bool(v.get("includeAll"))
            current = v.get("current", {}).get("value")
            if name in self.overrides:
                if self.overrides[name] not in values:
                    raise SkipDashboard(f"variable {name} does not offer {self.overrides[name]!r} (offers {values})")
                current, multi, include_all = self.overrides[name], False, False
            # Grafana keeps the saved selection when it is still an option, else takes the first one.
            value = values if (multi or include_all) else (current if current in values else values[0])
            variables[name] = {"value": value, "multi": multi, "includeAll": include_all}
        return variables

    def check_annotation(self, columns, rows):
        names = [c[0] for c in columns]
        types = dict(columns)
        for col in ("time", "text"):
            if names.count(col) != 1:
                raise PanelError(f'an annotation query needs one column "{col}", got {names}')
        for col in ("time", "timeend"):
            if col in types and base_type(types[col]) not in TIME | NUMERIC:
                raise PanelError(f'column "{col}" has type {types[col]}')
        if any(r[names.index("time")] == "" for r in rows):
            raise PanelError('NULL in column "time"')
        return f"annotations {len(rows)} rows, columns {', '.join(names)}"

    def check(self, target, panel, columns, rows):
        fmt = target.get("format", "time_series")
        if not rows and target.get("refId") == "RULES":
            return "no rule for these metrics (no threshold line)"
        if not rows:
            raise PanelError("no rows for the demo data")
        names = [c[0] for c in columns]
        if fmt == "table":
            declared = []
            for t in panel.get("transformations", []):
                if t.get("id") == "organize":
                    declared += list(t.get("options", {}).get("indexByName", {}))
            if not declared:
                raise PanelError("table format without declared columns (organize transformation, indexByName)")
            missing = [c for c in declared if c not in names]
            if missing:
                raise PanelError(f"declared columns missing: {missing} (got {names})")
            return f"table {len(rows)} rows, columns {', '.join(names)}"
        if fmt != "time_series":
            raise PanelError(f"unknown format {fmt}")
        if names.count("time") != 1:
            raise PanelError(f'time_series needs exactly one column named "time", got {names}')
        ti = names.index("time")
        ttype = base_type(columns[ti][1])
        if ttype in TIME:
            def key(s):
                s = s.replace(" ", "T")
                if len(s) >= 3 and s[-3] in "+-" and s[-3:].lstrip("+-").isdigit():
                    s += ":00"
                return dt.datetime.fromisoformat(s)
        elif ttype in NUMERIC:
            key = float
        else:
            raise PanelError(f'column "time" has type {columns[ti][1]}')
        if any(r[ti] == "" for r in rows):
            raise PanelError('NULL in column "time"')
        times = [key(r[ti]) for r in rows]
        if any(b < a for a, b in zip(times, times[1:])):
            raise PanelError("rows are not sorted by time (ORDER BY time)")
        values, labels = [], []
        for i, (name, typ) in enumerate(columns):
            if i == ti:
                continue
            b = base_type(typ)
            if b in NUMERIC:
                values.append(name)
                for r in rows:
                    if r[i] != "":
                        float(r[i])
            elif b in LABEL:
                labels.append(name)
            else:
                raise PanelError(f"column {name} of type {typ} is neither numeric nor a text label")
        if not values:
            raise PanelError("no numeric value column")
        # Grafana's long-to-wide conversion keeps one value per (time, label values): two rows of
        # one series at one time (two monitors of a model writing the same metric) would draw one
        # monitor's points into the other's line. The series identity must tell them apart.
        seen, dups = set(), []
        for r in rows:
            k = (r[ti],) + tuple(r[names.index(lab)] for lab in labels)
            if k in seen:
                dups.append(k)
            seen.add(k)
        if dups:
            raise PanelError(f"{len(dups)} rows repeat a (time, labels) pair, first {dups[0]}: two monitors merge into one series")
        series = len({tuple(r[names.index(lab)] for lab in labels) for r in rows}) * len(values)
        return (f"time_series {len(rows)} rows, {series} series, time {ttype}, values {', '.join(values)}"
                + (f", labels {', '.join(labels)}" if labels else ""))


def panels_of(dash):
    for p in dash.get("panels", []):
        yield p
        yield from p.get("panels", [])  # collapsed rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--user", default="mlobs_grafana")
    ap.add_argument("--from", dest="frm", default="2026-01-01T00:00:00Z")
    ap.add_argument("--to", default="2026-01-15T00:00:00Z")
    ap.add_argument("--interval", default="1h", help="$__interval of every panel")
    ap.add_argument("--datasource-uid", default="mlobs", help="value of the datasource variable")
    ap.add_argument("--show-sql", action="store_true", help="print every expanded query")
    ap.add_argument("--explain", action="store_true", help="time every query with EXPLAIN ANALYZE, name seq scans")
    ap.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                    help="select VALUE in variable NAME; dashboards without it, or not offering it, are skipped")
    ap.add_argument("--dump", metavar="DIR", help="write every query's SQL and sorted result rows to DIR/<dashboard>.txt")
    ap.add_argument("--isolate-user", help="a superuser: check that segmented queries read the selected segment only")
    ap.add_argument("dashboards", nargs="*")
    args = ap.parse_args()
    files = [pathlib.Path(f) for f in args.dashboards] or sorted((ROOT / "examples/grafana/dashboards").glob("*.json"))
    runner = Runner(args)
    passed = failed = annotation_rows = skipped = 0
    for f in files:
        dash = json.loads(f.read_text())
        runner.dumped = []
        try:
            variables = runner.resolve_variables(dash)
            missing = [k for k in runner.overrides if k not in variables]
            if missing:
                raise SkipDashboard(f"no variable {', '.join(missing)}")
        except SkipDashboard as e:
            skipped += 1
            print(f"skip {f.name}: {e}")
            continue
        except (PanelError, expand.MacroError, ValueError) as e:
            failed += 1
            print(f"FAIL {f.name}: variables: {e}")
            continue
        shown = ", ".join(f"{k}={v['value'] if isinstance(v['value'], str) else '{' + ','.join(v['value']) + '}'}"
                          for k, v in variables.items())
        print(f"== {f.name} ({dash.get('title')}){': ' + shown if shown else ''}")
        for anno in dash.get("annotations", {}).get("list", []):
            if anno.get("builtIn"):
                continue
            label = f"{f.stem} annotation {anno.get('name')!r}"
            try:
                target = anno.get("target") or {}
                if anno.get("datasource") != DS_REF or target.get("datasource", DS_REF) != DS_REF:
                    raise PanelError(f"datasource {anno.get('datasource')} is not {DS_REF}")
                if not target.get("rawQuery") or not target.get("rawSql"):
                    raise PanelError("not a raw SQL annotation target")
                sql = runner.expand(target["rawSql"], variables)
                if args.show_sql:
                    print(sql)
                columns, rows = runner.run(sql)
                info = (runner.check_annotation(columns, rows) + runner.check_segment(sql, rows, variables, dash)
                        + runner.explain(sql))
                annotation_rows += len(rows)
                passed += 1
                print(f"ok   {label}: {info}")
            except (PanelError, expand.MacroError, ValueError) as e:
                failed += 1
                print(f"FAIL {label}: {e}")
        for panel in panels_of(dash):
            if panel.get("type") == "row":
                continue
            for target in panel.get("targets", []):
                label = f"{f.stem} #{panel.get('id')} {panel.get('title')!r} [{target.get('refId')}]"
                try:
                    ds = target.get("datasource") or panel.get("datasource") or {}
                    if ds != DS_REF or (panel.get("datasource") or DS_REF) != DS_REF:
                        raise PanelError(f"datasource {ds} is not the datasource variable {DS_REF}")
                    if not target.get("rawQuery") or not target.get("rawSql"):
                        raise PanelError("not a raw SQL target")
                    sql = runner.expand(target["rawSql"], variables)
                    if args.show_sql:
                        print(sql)
                    columns, rows = runner.run(sql)
                    segment = variables.get("segment", {}).get("value", "")
                    if not rows and segment not in ("", None) and target.get("refId") != "RULES":
                        # A panel of a kind that is never segmented (multivariate_drift) has no
                        # rows for a segment; it must have them for the whole window.
                        whole = {**variables, "segment": {**variables["segment"], "value": ""}}
                        if not runner.run(runner.expand(target["rawSql"], whole))[1]:
                            raise PanelError("no rows for the demo data, for the segment or the whole window")
                        passed += 1
                        print(f"ok   {label}: no rows for segment {segment!r}, rows for the whole window "
                              f"(its monitors are not segmented)")
                        continue
                    info = (runner.check(target, panel, columns, rows) + runner.check_segment(sql, rows, variables, dash)
                            + runner.explain(sql))
                    passed += 1
                    print(f"ok   {label}: {info}")
                except (PanelError, expand.MacroError, ValueError) as e:
                    failed += 1
                    print(f"FAIL {label}: {e}")
        if args.dump:
            pathlib.Path(args.dump).mkdir(parents=True, exist_ok=True)
            (pathlib.Path(args.dump) / f"{f.stem}.txt").write_text("\n\n".join(runner.dumped) + "\n")
    if not annotation_rows:
        failed += 1
        print("FAIL no annotation query returned a row (the demo has alerts)")
    print(f"grafana panels: {passed} passed, {failed} failed" + (f", {skipped} dashboards skipped" if skipped else ""))
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
