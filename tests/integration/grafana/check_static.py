#!/usr/bin/env python3
"""Static checks that the Grafana files of examples/grafana/ import into an empty Grafana 10.2.3+ without edits.

No Grafana and no database: the JSON and YAML are read as files. Checks:
  provisioning   the datasource file declares type grafana-postgresql-datasource, a uid, and isDefault false
                 (a second default datasource makes Grafana's provisioning fail and restart in a loop);
  requires       every dashboard's __requires names Grafana >= 10.2.3 (the first version whose PostgreSQL
                 datasource has the type id grafana-postgresql-datasource);
  time           the default time range is relative (now-...), never fixed dates;
  datasource     a datasource variable of type grafana-postgresql-datasource, and every datasource
                 reference (variables, panels, targets, annotations) is {type, uid: ${datasource}}:
                 no hard-coded uid;
  relations      every FROM / JOIN of every query reads an mlobs.* (or catalog) relation, a template
                 variable, a subquery or a set-returning function: no hard-coded user table;
  annotations    an enabled annotation query on mlobs.alerts through ${datasource}, not filtered away
                 from any time-series panel;
  units          every timeseries, stat and barchart panel sets a unit; a column named *_ms / *_seconds
                 of a table or stat panel has a unit override (ms / s);
  thresholds     a static threshold step at the value of a preinstalled alert rule (read from
                 src/sql/monitoring.sql) of a metric the panel queries has the rule's severity colour
                 (critical red, warning orange/yellow); a panel showing a metric that has a preinstalled
                 rule reads the thresholds from mlobs.alert_rules (a target on mlobs.alert_rules) and
                 colours the rule series by severity (byRegexp overrides ^critical / ^warning);
  links          the open-alerts table links to the model's dashboards (/d/<uid>?var-model=...);
  segments       a dashboard with a `model` variable whose queries read mlobs.metric_points has a single-value
                 `segment` query variable on the model's segments (mlobs.monitor_segments or metric_points,
                 using $model) that offers '' (the whole window) as __value with a __text, and defaults to it;
                 there, every query reading mlobs.metric_points, mlobs.monitor_windows or mlobs.alerts filters
                 on '$segment' and every rule target reads r.segment; on a dashboard without it, every query
                 reading metric_points or monitor_windows keeps to the whole window (segment = '').
Usage: check_static.py [--root DIR]  (DIR: a checkout; default this one). Exits non-zero on any failure.
Standard library only.
"""
import argparse
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
DS_TYPE = "grafana-postgresql-datasource"
DS_REF = {"type": DS_TYPE, "uid": "${datasource}"}
MIN_GRAFANA = (10, 2, 3)
RED = {"red", "dark-red", "semi-dark-red", "light-red", "#f2495c", "#e02f44", "#c4162a"}
WARN = {"orange", "dark-orange", "semi-dark-orange", "light-orange", "yellow", "dark-yellow", "semi-dark-yellow",
        "light-yellow", "#ff9830", "#fade2a", "#fa6400"}
COLOURS = {"critical": RED, "warning": WARN}


def default_rules(root):
    """(name, metric, threshold, mode, severity) of mlobs._default_alert_rules() in src/sql/monitoring.sql."""
    text = (root / "src/sql/monitoring.sql").read_text()
    body = text[text.index("FUNCTION mlobs._default_alert_rules()"):]
    body = body[:body.index("$$;")]
    rules = []
    for m in re.finditer(r"\((?:1::bigint|\d+),\s*'(\w+)'(?:::text)?,\s*'(\w+)'(?:::text)?,\s*'([<>=]+)'(?:::text)?,"
                         r"\s*([0-9.]+)(?:::float8)?,\s*'(\w+)'(?:::text)?,\s*'(\w+)'", body):
        rules.append({"name": m[1], "metric": m[2], "threshold": float(m[4]), "mode": m[5], "severity": m[6]})
    if len(rules) < 5:
        raise SystemExit(f"could not read the default alert rules from src/sql/monitoring.sql (got {rules})")
    return rules


def panels_of(dash):
    for p in dash.get("panels", []):
        yield p
        yield from p.get("panels", [])


def datasource_refs(obj, path="$"):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "datasource":
                yield path + "." + k, v
            else:
                yield from datasource_refs(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from datasource_refs(v, f"{path}[{i}]")


def queries(dash):
    """(where, sql) of every variable, annotation and panel target."""
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") == "query":
            q = v.get("query")
            yield f"variable {v['name']}", q.get("rawSql") if isinstance(q, dict) else q
    for a in dash.get("annotations", {}).get("list", []):
        if a.get("builtIn"):
            continue
        yield f"annotation {a.get('name')!r}", (a.get("target") or {}).get("rawSql") or a.get("rawQuery") or ""
    for p in panels_of(dash):
        for t in p.get("targets", []):
            yield f"panel #{p.get('id')} {p.get('title')!r} [{t.get('refId')}]", t.get("rawSql", "")


def strip_sql(sql):
    sql = re.sub(r"--[^\n]*", " ", sql)
    return re.sub(r"'(?:[^']|'')*'", "''", sql)


def relations(sql):
    """Names after FROM / JOIN that are neither subqueries, functions nor CTE names."""
    s = strip_sql(sql)
    ctes = set(re.findall(r"(?i)\b(\w+)\s+AS\s*\(", s))
    out = []
    for m in re.finditer(r"(?i)\b(?:FROM|JOIN)\s+(?:LATERAL\s+)?([\w.$\"{}]+)(\s*\()?", s):
        name, call = m[1], m[2]
        if call or name.startswith("$") or name.lower() in ctes:
            continue
        if re.match(r"(?i)^(extract|epoch)$", name):  # extract(epoch FROM ...)
            continue
        out.append(name)
    return out


def metrics_of(sql):
    s = re.sub(r"--[^\n]*", " ", sql)
    return set(re.findall(r"'([a-z_0-9]+)'", s))


def colour_ok(colour, severity):
    return (colour or "").lower() in COLOURS[severity]


def check_provisioning(root, fail):
    path = root / "examples/grafana/provisioning/datasources/mlobs.yaml"
    text = path.read_text()
    m = re.search(r"(?m)^\s*isDefault:\s*(\S+)", text)
    if not m or m[1].lower() != "false":
        fail("provisioning", f"{path.name}: isDefault must be false (a second default datasource crash-loops "
                             f"provisioning), got {m[1] if m else 'nothing'}")
    if not re.search(rf"(?m)^\s*type:\s*{DS_TYPE}\s*$", text):
        fail("provisioning", f"{path.name}: type must be {DS_TYPE}")
    if not re.search(r"(?m)^\s*uid:\s*\S+", text):
        fail("provisioning", f"{path.name}: no uid")


def check_dashboard(f, dash, rules, fail):
    name = f.name
    # requires
    req = [r for r in dash.get("__requires", []) if r.get("type") == "grafana"]
    if not req:
        fail("requires", f"{name}: no __requires entry for grafana")
    else:
        v = tuple(int(x) for x in re.findall(r"\d+", req[0].get("version", ""))[:3])
        if v < MIN_GRAFANA:
            fail("requires", f"{name}: __requires grafana {req[0].get('version')} < 10.2.3")
    # time
    t = dash.get("time", {})
    if not str(t.get("from", "")).startswith("now") or not str(t.get("to", "")).startswith("now"):
        fail("time", f"{name}: fixed default time range {t}; use a relative one (now-7d .. now)")
    # datasource
    dsvars = [v for v in dash.get("templating", {}).get("list", []) if v.get("type") == "datasource"]
    if not any(v.get("name") == "datasource" and v.get("query") == DS_TYPE for v in dsvars):
        fail("datasource", f"{name}: no datasource variable 'datasource' of type {DS_TYPE}")
    bad = [(path, ref) for path, ref in datasource_refs(dash)
           if ref != DS_REF and ref != {"type": "grafana", "uid": "-- Grafana --"}]
    if bad:
        fail("datasource", f"{name}: {len(bad)} datasource references are not {DS_REF} (a hard-coded uid), "
                           f"first {bad[0][0]} = {bad[0][1]}")
    # relations
    for where, sql in queries(dash):
        for rel in relations(sql or ""):
            if not rel.lower().startswith(("mlobs.", "information_schema.", "pg_catalog.")):
                fail("relations", f"{name} {where}: reads {rel}, not an mlobs or catalog relation or a variable")
    # annotations
    annos = [a for a in dash.get("annotations", {}).get("list", [])
             if not a.get("builtIn") and a.get("enable") and a.get("datasource") == DS_REF
             and "mlobs.alerts" in ((a.get("target") or {}).get("rawSql") or "")]
    ts_panels = [p for p in panels_of(dash) if p.get("type") == "timeseries"]
    if ts_panels and not annos:
        fail("annotations", f"{name}: time-series panels but no enabled annotation query on mlobs.alerts")
    for a in annos:
        flt = a.get("filter")
        if flt:
            ids = set(flt.get("ids", []))
            for p in ts_panels:
                if (p.get("id") in ids) == bool(flt.get("exclude")):
                    fail("annotations", f"{name}: annotation {a.get('name')!r} is filtered away from panel #{p['id']}")
    # units, thresholds
    for p in panels_of(dash):
        fc = p.get("fieldConfig", {})
        defaults, overrides = fc.get("defaults", {}), fc.get("overrides", [])
        label = f"{name} panel #{p.get('id')} {p.get('title')!r}"
        if p.get("type") in ("timeseries", "stat", "barchart") and not defaults.get("unit"):
            fail("units", f"{label}: no unit")
        declared = []
        for tr in p.get("transformations", []):
            if tr.get("id") == "organize":
                declared += list(tr.get("options", {}).get("indexByName", {}))
        unit_of = {o["matcher"].get("options"): pr.get("value") for o in overrides
                   if o.get("matcher", {}).get("id") == "byName" for pr in o.get("properties", []) if pr.get("id") == "unit"}
        for col in declared:
            want = "ms" if col.endswith("_ms") else "s" if col.endswith("_seconds") else None
            if want and unit_of.get(col, defaults.get("unit")) != want:
                fail("units", f"{label}: column {col} without unit {want}")
        sql = " ".join(t.get("rawSql", "") for t in p.get("targets", []))
        mentioned = metrics_of(sql)
        for step in (defaults.get("thresholds") or {}).get("steps", []):
            if step.get("value") is None:
                continue
            for r in rules:
                if r["metric"] in mentioned and abs(r["threshold"] - float(step["value"])) < 1e-12 \
                        and not colour_ok(step.get("color"), r["severity"]):
                    fail("thresholds", f"{label}: threshold {step['value']} (rule {r['name']}, {r['severity']}) "
                                       f"drawn {step.get('color')}")
        if p.get("type") == "timeseries" and "mlobs.metric_points" in sql:
            ruled = [r for r in rules if r["metric"] in mentioned]
            reads_rules = "mlobs.alert_rules" in sql
            if ruled and not reads_rules:
                fail("thresholds", f"{label}: shows {sorted({r['metric'] for r in ruled})} but does not read "
                                   f"their thresholds from mlobs.alert_rules")
            if reads_rules:
                for sev in ("critical", "warning"):
                    ok = any(o.get("matcher", {}).get("id") == "byRegexp" and o["matcher"].get("options", "").startswith(f"^{sev}")
                             and any(pr.get("id") == "color" and colour_ok((pr.get("value") or {}).get("fixedColor"), sev)
                                     for pr in o.get("properties", []))
                             for o in overrides)
                    if not ok:
                        fail("thresholds", f"{label}: rule series of severity {sev} not coloured "
                                           f"{'red' if sev == 'critical' else 'orange'}")
    # links
    for p in panels_of(dash):
        if p.get("type") == "table" and "mlobs.alerts" in " ".join(t.get("rawSql", "") for t in p.get("targets", [])):
            urls = [lk.get("url", "") for o in p.get("fieldConfig", {}).get("overrides", [])
                    for pr in o.get("properties", []) if pr.get("id") == "links" for lk in pr.get("value", [])]
            if not any(u.startswith("/d/") and "var-model=" in u for u in urls):
                fail("links", f"{name} panel #{p.get('id')} {p.get('title')!r}: no data link to the model's dashboards")


SEGMENTED = ("mlobs.metric_points", "mlobs.monitor_windows", "mlobs.alerts")


def check_segments(name, dash, fail):
    variables = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
    seg = variables.get("segment")
    all_sql = [(w, re.sub(r"--[^\n]*", " ", sql or "")) for w, sql in queries(dash)]
    if "model" in variables and any("mlobs.metric_points" in sql for _, sql in all_sql) and not seg:
        fail("segments", f"{name}: shows model metrics but has no `segment` variable")
    if seg:
        q = seg.get("query")
        q = (q.get("rawSql") if isinstance(q, dict) else q) or ""
        if seg.get("type") != "query" or "$model" not in q or not re.search(r"mlobs\.(monitor_segments|metric_points)", q):
            fail("segments", f"{name}: variable segment must be a query on the model's segments (using $model)")
        if seg.get("multi") or seg.get("includeAll"):
            fail("segments", f"{name}: variable segment must be single-value (a segment or the whole window, not a mix)")
        if not re.search(r"''\s+AS\s+__value", q) or "__text" not in q:
            fail("segments", f"{name}: variable segment must offer '' (the whole window) as __value, with a __text")
        if (seg.get("current") or {}).get("value") != "":
            fail("segments", f"{name}: variable segment must default to '' (the whole window), not {seg.get('current')}")
    for where, sql in all_sql:
        if where.startswith("variable"):
            continue
        for t in SEGMENTED:
            if t not in sql:
                continue
            if seg and "'$segment'" not in sql:
                fail("segments", f"{name} {where}: reads {t} without filtering on '$segment'")
            elif not seg and t != "mlobs.alerts" and not re.search(r"segment\s*=\s*''", sql):
                fail("segments", f"{name} {where}: reads {t} without keeping to the whole window (segment = '')")
        if seg and "mlobs.alert_rules" in sql and "mlobs.metric_points" not in sql and "mlobs.alerts" not in sql \
                and ("r.segment" not in sql or "'$segment'" not in sql):
            fail("segments", f"{name} {where}: rule thresholds without the rules of the selected segment (r.segment)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=str(ROOT), help="checkout whose examples/grafana is checked")
    ap.add_argument("--rules-root", default=str(ROOT), help="checkout whose src/sql/monitoring.sql holds the default rules")
    args = ap.parse_args()
    root = pathlib.Path(args.root)
    rules = default_rules(pathlib.Path(args.rules_root))
    failures = []

    def fail(check, msg):
        failures.append((check, msg))
        print(f"FAIL [{check}] {msg}")

    check_provisioning(root, fail)
    files = sorted((root / "examples/grafana/dashboards").glob("*.json"))
    for f in files:
        dash = json.loads(f.read_text())
        check_dashboard(f, dash, rules, fail)
        check_segments(f.name, dash, fail)
    kinds = sorted({c for c, _ in failures})
    print(f"grafana static checks: {len(files)} dashboards, {len(failures)} failures"
          + (f" ({', '.join(kinds)})" if kinds else ""))
    sys.exit(1 if failures or not files else 0)


if __name__ == "__main__":
    main()
