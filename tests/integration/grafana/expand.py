#!/usr/bin/env python3
"""Expands a Grafana PostgreSQL panel query the way Grafana does, so the SQL can be run without Grafana.

Three stages, in Grafana's order:

1. Template variables (frontend, `templateSrv.replace` with the SQL datasource's `interpolateVariable`):
   `$var`, `${var}`, `${var:format}`, `[[var]]`, `[[var:format]]`. Without a format, a single-value
   variable's text is inserted with `'` doubled and *no* quotes (dashboards write `'$model'`); a multi-value
   or include-All variable becomes `'a','b'` (each quoted, `'` doubled). Formats: `raw`, `csv`,
   `singlequote` (Grafana escapes `'` as `\\'`, which is NOT valid in a standard PostgreSQL string: avoid it
   for values that may contain quotes), `doublequote`, `sqlstring` (`'` doubled, quoted). Built-ins
   `$__from` / `$__to` (epoch milliseconds), `$__interval`, `$__interval_ms`. Unknown names (including
   the `$__timeFilter`-style macros) are left untouched.
2. `sqleng.Interpolate` (backend): `$__interval_ms`, `$__interval` (gtime.FormatInterval), `$__unixEpochFrom()`,
   `$__unixEpochTo()` by plain string replacement.
3. The PostgreSQL macro engine (`pkg/tsdb/grafana-postgresql-datasource/macros.go`): every match of
   `\\$([_a-zA-Z0-9]+)\\(([^\\)]*)\\)`, arguments split on `,` and trimmed of spaces (so arguments cannot contain
   `(`, `)` or `,`), then `__time`, `__timeEpoch`, `__timeFilter`, `__timeFrom`, `__timeTo`, `__timeGroup`
   (+ optional fill argument; `, ` directly after `$__timeGroup(...)` turns it into `__timeGroupAlias`, the
   pre-5.3 compatibility rule), `__timeGroupAlias`, `__unixEpochFilter`, `__unixEpochNanoFilter`,
   `__unixEpochNanoFrom`, `__unixEpochNanoTo`, `__unixEpochGroup`, `__unixEpochGroupAlias`; any other
   `$name(...)` is an error ("unknown macro"). Times are RFC 3339 in UTC with Go's `RFC3339Nano` layout
   (fraction without trailing zeros); interval seconds are printed with Go's `%v` for float64 (shortest
   digits, exponent form from 1e+06 on: `floor(extract(epoch from ts)/1.2096e+06)*1.2096e+06`).

Usage: expand.py --self-test | expand.py --from ISO --to ISO [--var name=value ...] [--interval 1h] < query.sql
Standard library only.
"""
import argparse
import datetime as dt
import decimal
import re
import sys

# ---------------------------------------------------------------------------------------------- Go helpers


def go_float_v(x):
    """fmt.Sprintf("%v", float64(x)): strconv's 'g' with the shortest digits; for the shortest form Go sets
    eprec = 6, so the exponent form is used when the decimal exponent is < -4 or >= 6."""
    x = float(x)
    if x == 0:
        return "0" if str(x)[0] != "-" else "-0"
    sign = "-" if x < 0 else ""
    d = decimal.Decimal(repr(abs(x)))
    _, digits, exp = d.as_tuple()
    digits = list(digits)
    while len(digits) > 1 and digits[-1] == 0:
        digits.pop()
        exp += 1
    nd = len(digits)
    dp = nd + exp  # position of the decimal point relative to the digit string
    s = "".join(map(str, digits))
    e = dp - 1
    if e < -4 or e >= 6:  # %e with the shortest digits, exponent at least two digits
        mant = s[0] + ("." + s[1:] if nd > 1 else "")
        return f"{sign}{mant}e{'-' if e < 0 else '+'}{abs(e):02d}"
    if dp <= 0:
        return f"{sign}0.{'0' * -dp}{s}"
    if dp >= nd:
        return f"{sign}{s}{'0' * (dp - nd)}"
    return f"{sign}{s[:dp]}.{s[dp:]}"


def rfc3339nano(t):
    """time.Time.UTC().Format(time.RFC3339Nano): 2006-01-02T15:04:05.999999999Z07:00 (trailing zeros dropped)."""
    t = t.astimezone(dt.timezone.utc)
    s = t.strftime("%Y-%m-%dT%H:%M:%S")
    if t.microsecond:
        s += ("." + f"{t.microsecond:06d}").rstrip("0")
    return s + "Z"


def unix(t):
    return int(t.timestamp() // 1)


def unix_nano(t):
    delta = t.astimezone(dt.timezone.utc) - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 10**9 + delta.microseconds * 1000


_GO_UNITS = {"ns": 1, "us": 10**3, "µs": 10**3, "μs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}
_GO_DURATION = re.compile(r"(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)")


def go_parse_duration(s):
    """time.ParseDuration → nanoseconds (int)."""
    orig, neg = s, False
    if s and s[0] in "+-":
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return 0
    if not s:
        raise ValueError(f'time: invalid duration "{orig}"')
    total, pos = 0, 0
    while pos < len(s):
        m = _GO_DURATION.match(s, pos)
        if not m or (m.group(1) == "" and not m.group(2)):
            raise ValueError(f'time: invalid duration "{orig}"')
        unit = _GO_UNITS[m.group(3)]
        whole = int(m.group(1) or 0) * unit
        frac = m.group(2) or ""
        if frac:
            whole += int(decimal.Decimal("0." + frac) * unit)  # Go truncates the fraction the same way
        total += whole
        pos = m.end()
    return -total if neg else total


def gtime_parse_interval(s):
    """gtime.ParseInterval → nanoseconds. d and w are exact in UTC (now.AddDate in UTC); M and y depend on the
    wall clock in Grafana, so they are refused here (a test must be deterministic)."""
    m = re.fullmatch(r"(\d+)([dwMy])", s)
    if not m:
        return go_parse_duration(s)
    num, period = int(m.group(1)), m.group(2)
    if period == "d":
        return num * 86400 * 10**9
    if period == "w":
        return num * 7 * 86400 * 10**9
    raise ValueError(f"interval {s!r}: months and years depend on the current date in Grafana; use d or w")


def gtime_format_interval(ns):
    """gtime.FormatInterval."""
    ms, sec, minute, hour, day, year = 10**6, 10**9, 60 * 10**9, 3600 * 10**9, 86400 * 10**9, 365 * 86400 * 10**9
    for unit, suffix in ((year, "y"), (day, "d"), (hour, "h"), (minute, "m"), (sec, "s"), (ms, "ms")):
        if ns >= unit:
            return f"{ns // unit}{suffix}"
    return "1ms"


# ------------------------------------------------------------------------------------ stage 1: template vars

VARIABLE_RE = re.compile(r"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}", re.ASCII)


def _quote_literal(v):
    return "'" + str(v).replace("'", "''") + "'"


def _sql_interpolate_variable(value, var):
    """SqlDatasource.interpolateVariable (public/app/features/plugins/sql/datasource/SqlDatasource.ts)."""
    if isinstance(value, str):
        if var.get("multi") or var.get("includeAll"):
            return _quote_literal(value)
        return value.replace("'", "''")
    if isinstance(value, (int, float)):
        return str(value)
    return ",".join(_quote_literal(v) for v in value)


def _format(value, fmt):
    if fmt == "raw":
        return value if isinstance(value, str) else ",".join(map(str, value))
    if fmt == "csv":
        return ",".join(map(str, value)) if isinstance(value, list) else str(value)
    if fmt == "singlequote":
        q = lambda v: "'" + str(v).replace("'", "\\'") + "'"  # noqa: E731 (Grafana's backslash escape)
        return ",".join(map(q, value)) if isinstance(value, list) else q(value)
    if fmt == "doublequote":
        q = lambda v: '"' + str(v).replace('"', '\\"') + '"'  # noqa: E731
        return ",".join(map(q, value)) if isinstance(value, list) else q(value)
    if fmt == "sqlstring":
        return ",".join(map(_quote_literal, value)) if isinstance(value, list) else _quote_literal(value)
    raise ValueError(f"variable format {fmt!r} is not implemented by this harness")


def replace_variables(sql, variables, frm, to, interval_ns):
    """variables: {name: {"value": str | [str], "multi": bool, "includeAll": bool}}."""
    builtins = {
        "__from": {"value": str(unix_nano(frm) // 10**6)},
        "__to": {"value": str(unix_nano(to) // 10**6)},
        "__interval": {"value": gtime_format_interval(interval_ns)},
        "__interval_ms": {"value": str(interval_ns // 10**6)},
    }

    def repl(m):
        name = m.group(1) or m.group(2) or m.group(4)
        fmt = m.group(3) or m.group(6)
        var = variables.get(name) or builtins.get(name)
        if var is None:
            return m.group(0)
        if fmt:
            return _format(var["value"], fmt)
        return _sql_interpolate_variable(var["value"], var)

    return VARIABLE_RE.sub(repl, sql)


# ---------------------------------------------------------------------------------- stage 2: sqleng globals


def sqleng_interpolate(sql, frm, to, interval_ns):
    sql = sql.replace("$__interval_ms", str(interval_ns // 10**6))
    sql = sql.replace("$__interval", gtime_format_interval(interval_ns))
    sql = sql.replace("$__unixEpochFrom()", str(unix(frm)))
    sql = sql.replace("$__unixEpochTo()", str(unix(to)))
    return sql


# ------------------------------------------------------------------------------------ stage 3: PG macros

MACRO_RE = re.compile(r"\$([_a-zA-Z0-9]+)\(([^\)]*)\)")


class MacroError(Exception):
    pass


def _setup_fill(arg):
    """sqleng.SetupFillmode: NULL, previous, or a float."""
    if arg == "NULL":
        return ("null", None)
    if arg == "previous":
        return ("previous", None)
    try:
        return ("value", float(arg))
    except ValueError:
        raise MacroError(f"error parsing fill value {arg}") from None


def _evaluate(name, args, frm, to, timescaledb, fill):
    def need_col():
        if len(args) == 0:  # never true: strings.Split always gives at least one element (as in Go)
            raise MacroError(f"missing time column argument for macro {name}")

    def group_interval():
        if len(args) < 2:
            raise MacroError(f"macro {name} needs time column and interval and optional fill value")
        try:
            ns = gtime_parse_interval(args[1].strip("'"))
        except ValueError:
            raise MacroError(f"error parsing interval {args[1]}") from None
        if len(args) == 3:
            fill.append(_setup_fill(args[2]))
        return ns / 1e9

    if name == "__time":
        need_col()
        return f'{args[0]} AS "time"'
    if name == "__timeEpoch":
        need_col()
        return f'extract(epoch from {args[0]}) as "time"'
    if name == "__timeFilter":
        need_col()
        return f"{args[0]} BETWEEN '{rfc3339nano(frm)}' AND '{rfc3339nano(to)}'"
    if name == "__timeFrom":
        return f"'{rfc3339nano(frm)}'"
    if name == "__timeTo":
        return f"'{rfc3339nano(to)}'"
    if name == "__timeGroup":
        secs = group_interval()
        if timescaledb:
            return f"time_bucket('{secs:.3f}s',{args[0]})"
        return f"floor(extract(epoch from {args[0]})/{go_float_v(secs)})*{go_float_v(secs)}"
    if name == "__timeGroupAlias":
        return _evaluate("__timeGroup", args, frm, to, timescaledb, fill) + ' AS "time"'
    if name == "__unixEpochFilter":
        need_col()
        return f"{args[0]} >= {unix(frm)} AND {args[0]} <= {unix(to)}"
    if name == "__unixEpochNanoFilter":
        need_col()
        return f"{args[0]} >= {unix_nano(frm)} AND {args[0]} <= {unix_nano(to)}"
    if name == "__unixEpochNanoFrom":
        return str(unix_nano(frm))
    if name == "__unixEpochNanoTo":
        return str(unix_nano(to))
    if name == "__unixEpochGroup":
        secs = group_interval()
        return f"floor(({args[0]})/{go_float_v(secs)})*{go_float_v(secs)}"
    if name == "__unixEpochGroupAlias":
        return _evaluate("__unixEpochGroup", args, frm, to, timescaledb, fill) + ' AS "time"'
    raise MacroError(f'unknown macro "{name}"')


def expand_macros(sql, frm, to, timescaledb=False, fill=None):
    """postgresMacroEngine.Interpolate. `fill` (a list) receives the fill modes of $__timeGroup(…, fill)."""
    fill = [] if fill is None else fill
    errors = []

    def repl(m):
        name = m.group(1)
        if name == "__timeGroup":
            i = sql.find(m.group(0))  # Go: strings.Index on the query being expanded (first occurrence)
            if i >= 0 and len(sql) > i + len(m.group(0)) and sql[i + len(m.group(0))] == ",":
                name = "__timeGroupAlias"
        args = [a.strip(" ") for a in m.group(2).split(",")]
        try:
            return _evaluate(name, args, frm, to, timescaledb, fill)
        except MacroError as e:
            if not errors:
                errors.append(e)
            return "macro_error()"

    out = MACRO_RE.sub(repl, sql)
    if errors:
        raise errors[0]
    return out


def expand(sql, frm, to, variables=None, interval="1m", timescaledb=False):
    """The whole pipeline: what the PostgreSQL server receives for a panel's rawSql."""
    interval_ns = gtime_parse_interval(interval)
    sql = replace_variables(sql, variables or {}, frm, to, interval_ns)
    sql = sqleng_interpolate(sql, frm, to, interval_ns)
    return expand_macros(sql, frm, to, timescaledb)


def parse_time(s):
    t = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


# ------------------------------------------------------------------------------------------------ self-test


def self_test():
    frm = parse_time("2026-01-01T00:00:00Z")
    to = parse_time("2026-01-15T00:00:00Z")
    frac = parse_time("2026-01-02T03:04:05.120000+01:00")
    v = {"model": {"value": "fraud"}, "q": {"value": "o'brien"},
         "features": {"value": ["amount", "age"], "multi": True}, "one": {"value": "amount", "includeAll": True}}
    cases = [
        # stage 3: macros.go, hand-computed (1767225600 = 2026-01-01T00:00:00Z, 1768435200 = 2026-01-15)
        (expand_macros("WHERE $__timeFilter(ts)", frm, to), "WHERE ts BETWEEN '2026-01-01T00:00:00Z' AND '2026-01-15T00:00:00Z'"),
        (expand_macros("$__timeFilter(ts)", frac, frac), "ts BETWEEN '2026-01-02T02:04:05.12Z' AND '2026-01-02T02:04:05.12Z'"),
        (expand_macros("$__timeFrom() < $__timeTo()", frm, to), "'2026-01-01T00:00:00Z' < '2026-01-15T00:00:00Z'"),
        (expand_macros("SELECT $__time(ts)", frm, to), 'SELECT ts AS "time"'),
        (expand_macros("SELECT $__timeEpoch(ts)", frm, to), 'SELECT extract(epoch from ts) as "time"'),
        (expand_macros("SELECT $__timeGroup(ts,'5m') AS time", frm, to), "SELECT floor(extract(epoch from ts)/300)*300 AS time"),
        (expand_macros("SELECT $__timeGroup(ts, '1h'), x", frm, to), 'SELECT floor(extract(epoch from ts)/3600)*3600 AS "time", x'),
        (expand_macros("SELECT $__timeGroupAlias(ts,'1d')", frm, to), 'SELECT floor(extract(epoch from ts)/86400)*86400 AS "time"'),
        (expand_macros("$__timeGroup(ts,2w)", frm, to), "floor(extract(epoch from ts)/1.2096e+06)*1.2096e+06"),
        (expand_macros("$__timeGroup(ts,'90s')", frm, to), "floor(extract(epoch from ts)/90)*90"),
        (expand_macros("$__timeGroup(ts,'1.5s')", frm, to), "floor(extract(epoch from ts)/1.5)*1.5"),
        (expand_macros("$__timeGroup(ts,'100ms')", frm, to), "floor(extract(epoch from ts)/0.1)*0.1"),
        (expand_macros("$__timeGroup(ts,'1h30m')", frm, to), "floor(extract(epoch from ts)/5400)*5400"),
        (expand_macros("$__timeGroup(ts,'6h', 0)", frm, to), "floor(extract(epoch from ts)/21600)*21600"),
        (expand_macros("$__timeGroup(ts,'5m')", frm, to, timescaledb=True), "time_bucket('300.000s',ts)"),
        (expand_macros("$__unixEpochFilter(t)", frm, to), "t >= 1767225600 AND t <= 1768435200"),
        (expand_macros("$__unixEpochNanoFilter(t)", frm, to), "t >= 1767225600000000000 AND t <= 1768435200000000000"),
        (expand_macros("$__unixEpochNanoFrom() $__unixEpochNanoTo()", frm, to), "1767225600000000000 1768435200000000000"),
        (expand_macros("$__unixEpochGroup(t,'1m')", frm, to), "floor((t)/60)*60"),
        (expand_macros("$__unixEpochGroupAlias(t,'1m')", frm, to), 'floor((t)/60)*60 AS "time"'),
        # arguments end at the first ')' and split on ',': an expression argument is silently mangled
        (expand_macros("$__timeFilter(date_trunc('day', ts))", frm, to),
         "date_trunc('day' BETWEEN '2026-01-01T00:00:00Z' AND '2026-01-15T00:00:00Z')"),
        # stage 2: sqleng.Interpolate
        (sqleng_interpolate("$__interval $__interval_ms $__unixEpochFrom() $__unixEpochTo()", frm, to, 3600 * 10**9),
         "1h 3600000 1767225600 1768435200"),
        (sqleng_interpolate("$__interval", frm, to, 90 * 10**9), "1m"),
        # stage 1: template variables with the SQL datasource's formatting
        (replace_variables("model = '$model' AND q = '${q}'", v, frm, to, 60 * 10**9), "model = 'fraud' AND q = 'o''brien'"),
        (replace_variables("feature IN ($features)", v, frm, to, 60 * 10**9), "feature IN ('amount','age')"),
        (replace_variables("feature = $one", v, frm, to, 60 * 10**9), "feature = 'amount'"),
        (replace_variables("${q:singlequote} ${features:singlequote}", v, frm, to, 60 * 10**9), "'o\\'brien' 'amount','age'"),
        (replace_variables("${q:sqlstring} ${features:csv} ${model:raw} [[model]]", v, frm, to, 60 * 10**9),
         "'o''brien' amount,age fraud fraud"),
        (replace_variables("$__from $__to ${__interval} $__interval_ms $undefined $__timeFilter(ts)", v, frm, to, 60 * 10**9),
         "1767225600000 1768435200000 1m 60000 $undefined $__timeFilter(ts)"),
        # the whole pipeline
        (expand("SELECT $__timeGroupAlias(ts,$__interval), avg(x) FROM t WHERE $__timeFilter(ts) AND m = '$model'",
                frm, to, v, interval="1h"),
         'SELECT floor(extract(epoch from ts)/3600)*3600 AS "time", avg(x) FROM t '
         "WHERE ts BETWEEN '2026-01-01T00:00:00Z' AND '2026-01-15T00:00:00Z' AND m = 'fraud'"),
        # Go number formatting
        (" ".join(go_float_v(x) for x in (300, 86400, 604800, 1e6, 0.5, 1e-5, 123456.5, 0.0001)),
         "300 86400 604800 1e+06 0.5 1e-05 123456.5 0.0001"),
    ]
    errors = [
        ("$__timeGroup(ts)", "macro __timeGroup needs time column and interval and optional fill value"),
        ("$__timeGroup(ts,'5x')", "error parsing interval '5x'"),
        ("$__timeGroup(ts,'5m',nope)", "error parsing fill value nope"),
        ("$__bogus(ts)", 'unknown macro "__bogus"'),
    ]
    failed = 0
    for i, (got, want) in enumerate(cases, 1):
        if got != want:
            failed += 1
            print(f"FAIL case {i}\n  got:  {got}\n  want: {want}")
    for sql, want in errors:
        try:
            got = expand_macros(sql, frm, to)
            failed += 1
            print(f"FAIL {sql}: expected error {want!r}, got {got!r}")
        except MacroError as e:
            if str(e) != want:
                failed += 1
                print(f"FAIL {sql}: error {str(e)!r}, want {want!r}")
    total = len(cases) + len(errors)
    print(f"expand.py self-test: {total - failed}/{total} passed")
    return failed == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("--from", dest="frm")
    ap.add_argument("--to")
    ap.add_argument("--interval", default="1m")
    ap.add_argument("--var", action="append", default=[], help="name=value (name=a,b for a multi-value variable)")
    args = ap.parse_args()
    if args.self_test:
        sys.exit(0 if self_test() else 1)
    if not (args.frm and args.to):
        ap.error("--from and --to are required")
    variables = {}
    for item in args.var:
        name, _, value = item.partition("=")
        variables[name] = {"value": value.split(","), "multi": True} if "," in value else {"value": value}
    print(expand(sys.stdin.read(), parse_time(args.frm), parse_time(args.to), variables, args.interval))


if __name__ == "__main__":
    main()
