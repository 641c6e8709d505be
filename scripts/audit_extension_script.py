#!/usr/bin/env python3
"""Static audit of PostgreSQL extension scripts (install `ext--V.sql` or update `ext--A--B.sql`)
against the rules of "Security Considerations for Extension Scripts" (PostgreSQL 15 docs,
extend-extensions.html#EXTEND-EXTENSIONS-SECURITY) and CREATE FUNCTION's "Writing SECURITY
DEFINER Functions Safely". Standard library only.

    python3 scripts/audit_extension_script.py [--schema mlobs] [--base OLD_INSTALL.sql] SCRIPT...
    python3 scripts/audit_extension_script.py --self-test

Rules (each finding has a line number; exit status 1 if any is not allowlisted):
  or-replace         CREATE OR REPLACE: may take over an object someone created beforehand. Only
                     for an update script replacing an object the previous version (--base) made.
  if-not-exists      CREATE ... IF NOT EXISTS / CREATE SCHEMA: an attacker's object of that name
                     would be kept and used as the extension's.
  secdef-no-path     SECURITY DEFINER without SET search_path.
  body-unpinned      SQL / PL function or procedure without SET search_path: its body resolves
                     names (functions, operators, tables) through the caller's search_path.
                     The unqualified calls found in the body are listed.
  path-unsafe        a pinned search_path naming anything but pg_catalog and the extension's
                     schema, not ending in pg_temp, or SET ... FROM CURRENT.
  script-search-path the script itself changes search_path (CREATE EXTENSION sets a safe one).
  schema-guard       install script: CREATE EXTENSION reuses an existing schema named in the
                     control file as it is, and the script's unqualified references resolve
                     through it. An install script must check, before anything else, that the
                     schema is owned by a superuser (a DO block reading pg_namespace.nspowner).
  unqualified-create a top-level CREATE with no schema: it lands in the first schema of the
                     install-time search_path (the control file's schema).
  top-level-call     an unqualified function call executed at install time (DEFAULT, CHECK, DO,
                     SELECT): safe only behind the schema guard (reported as info then).
  leakproof          LEAKPROOF (lets the planner push the function below security barriers).
  conditional-role   CREATE ROLE in a script: roles are cluster-wide, one created beforehand by
                     someone else receives whatever the script grants to that name.
  grant-public       write or CREATE privileges granted to PUBLIC.
Findings that are deliberate are listed in ALLOWLIST below with the reason.
"""
import argparse
import re
import sys

# (rule, regex searched in the statement's normalised text, reason). Keep reasons specific.
ALLOWLIST = [
    ("unqualified-create", r'^CREATE FUNCTION "[a-z_0-9]+"\(',
     "pgrx 0.18 emits `CREATE FUNCTION \"name\"(...)` without a schema for every #[pg_extern]; "
     "CREATE EXTENSION makes the control file's schema (mlobs) the first entry of search_path, so "
     "they are created in mlobs (tests/pg_regress 00_setup checks nothing lands elsewhere), and "
     "the schema guard that opens the script (src/sql/schema_guard.sql) makes sure mlobs is superuser-owned"),
    ("if-not-exists", r"^CREATE SCHEMA mlobs_internal;?$",
     "a plain CREATE SCHEMA (no IF NOT EXISTS) fails when the schema exists, so the script never "
     "adopts a schema someone created beforehand: mlobs_internal is always created by the script, "
     "owned by the installing superuser and a member of the extension (tests/pg_regress 00_setup "
     "checks owner, membership and that PUBLIC has no privilege on it)"),
    ("body-unpinned", r"^CREATE PROCEDURE mlobs\.run_monitors_committed\(",
     "a procedure that COMMITs cannot have a SET clause (PostgreSQL raises 'invalid transaction "
     "termination'); its body calls only schema-qualified mlobs.run_monitors, "
     "mlobs._require_primary and pg_catalog functions, reads mlobs.monitors, writes its one operator as OPERATOR(pg_catalog.@>) and declares its variables with pg_catalog and mlobs types, so the caller's search_path resolves "
     "nothing in it; it is not SECURITY DEFINER and only mlobs_admin may call it"),
    ("conditional-role", r"CREATE ROLE mlobs_(reader|admin) NOLOGIN",
     "the roles are cluster-wide and shared by every database that installs mlobs, so they are "
     "created only if missing; only a superuser or a CREATEROLE role can create a role of that "
     "name beforehand, and both can already grant themselves the same privileges"),
]

KEYWORDS = set("""
all and any array as asc between by case cast check coalesce collate constraint create cross
current_date current_time current_timestamp current_user default desc distinct do else end exists
extract filter for foreign from full greatest group having if ilike in inner into is join key
lateral least left like limit localtime localtimestamp natural not null nullif offset on or order
outer over overlay partition position primary references returning right row select session_user
similar some substring table then to treat trim union unique user using values when where window
with within xmlconcat xmlelement xmlexists xmlforest xmlparse xmlpi xmlroot xmlserialize
raise perform return loop foreach while exit continue elsif execute format_type
insert update delete values set
varchar char character numeric decimal float double precision timestamp time interval bit
varying int integer smallint bigint boolean text returns setof language immutable stable
volatile strict parallel safe unsafe restricted security definer invoker cost rows support
aggregate function procedure type operator index sequence view schema trigger
""".split())
KEYWORDS.discard("format_type")  # a real function


class Statement:
    def __init__(self, line):
        self.line = line       # first line of the statement
        self.text = []         # normalised text: comments dropped, whitespace collapsed
        self.strings = []      # (line, body) of every string literal (function bodies, DO blocks)
        self.tokens = []       # (line, token) outside string literals

    @property
    def norm(self):
        return re.sub(r"\s+", " ", "".join(self.text)).strip()


def split_statements(sql):
    """Statements of a script, with psql meta-commands (\\echo ...) as statements of their own."""
    stmts, cur, i, line, n = [], None, 0, 1, len(sql)

    def current():
        nonlocal cur
        if cur is None:
            cur = Statement(line)
        return cur

    while i < n:
        c = sql[i]
        if c == "\n":
            line += 1
            if cur is not None:
                cur.text.append(" ")
            i += 1
        elif c.isspace():
            if cur is not None:
                cur.text.append(" ")
            i += 1
        elif sql.startswith("--", i):
            i = sql.find("\n", i) if "\n" in sql[i:] else n
        elif sql.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if sql.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif sql.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            line += sql.count("\n", i, j)
            i = j
        elif c == "\\" and cur is None:  # psql meta-command: the rest of the line
            end = sql.find("\n", i) if "\n" in sql[i:] else n
            s = Statement(line)
            s.text.append(sql[i:end])
            stmts.append(s)
            i = end
        elif c == "$" and re.match(r"\$([A-Za-z_][A-Za-z_0-9]*)?\$", sql[i:]):
            tag = re.match(r"\$([A-Za-z_][A-Za-z_0-9]*)?\$", sql[i:]).group(0)
            end = sql.find(tag, i + len(tag))
            end = n if end < 0 else end
            body = sql[i + len(tag):end]
            st = current()
            st.strings.append((line, body))
            st.text.append("$$")
            line += body.count("\n")
            i = end + len(tag)
        elif c == "'" or (c in "eE" and sql.startswith("'", i + 1) and (i == 0 or not sql[i - 1].isalnum())):
            j = i + (2 if c != "'" else 1)
            escaped = c != "'"
            buf = []
            while j < n:
                if escaped and sql[j] == "\\":
                    buf.append(sql[j:j + 2])
                    j += 2
                    continue
                if sql[j] == "'":
                    if sql.startswith("''", j):
                        buf.append("'")
                        j += 2
                        continue
                    break
                buf.append(sql[j])
                j += 1
            body = "".join(buf)
            st = current()
            st.strings.append((line, body))
            st.text.append("'" + body.replace("\n", " ") + "'")
            line += sql.count("\n", i, j)
            i = j + 1
        elif c == '"':
            j = sql.find('"', i + 1)
            while j >= 0 and sql.startswith('""', j):
                j = sql.find('"', j + 2)
            j = n - 1 if j < 0 else j
            st = current()
            st.tokens.append((line, sql[i:j + 1]))
            st.text.append(sql[i:j + 1])
            i = j + 1
        elif c == ";":
            if cur is not None:
                stmts.append(cur)
                cur = None
            i += 1
        else:
            m = re.match(r"[A-Za-z_][A-Za-z_0-9$]*|\d+(\.\d+)?([eE][-+]?\d+)?|::|=>|[-+*/<>=~!@#%^&|`?]+|.", sql[i:])
            tok = m.group(0)
            st = current()
            st.tokens.append((line, tok))
            st.text.append(tok)
            i += len(tok)
    if cur is not None and cur.norm:
        stmts.append(cur)
    return stmts


def tokenize(text, first_line):
    """Tokens (line, token) of a function body or DO block, strings and comments skipped."""
    st = split_statements(text)
    out = []
    for s in st:
        out += [(first_line + ln - 1, t) for ln, t in s.tokens]
    return out


def unqualified_calls(tokens):
    """(line, name) of identifiers followed by '(' that are not schema-qualified or keywords."""
    calls = []
    for k, (ln, tok) in enumerate(tokens[:-1]):
        if tokens[k + 1][1] != "(" or not re.match(r'[A-Za-z_"]', tok):
            continue
        if k > 0 and tokens[k - 1][1] in (".", "::", "%"):
            continue
        # `AS x (a int, ...)`: a column definition list (or a type's typmod), not a call.
        if k > 0 and tokens[k - 1][1].upper() == "AS":
            continue
        if tok.lower() in KEYWORDS or tok.startswith('"') and tok.strip('"').lower() in KEYWORDS:
            continue
        calls.append((ln, tok))
    return calls


class Audit:
    def __init__(self, path, schema, base_names):
        self.path, self.schema, self.base = path, schema, base_names
        self.findings = []  # (line, rule, message, allowlist reason or None, is_info)

    def add(self, stmt, rule, message, line=None, info=False):
        text = " ".join([stmt.norm] + [re.sub(r"\s+", " ", b) for _, b in stmt.strings])
        reason = next((r for ru, pat, r in ALLOWLIST if ru == rule and re.search(pat, text)), None)
        self.findings.append((line or stmt.line, rule, message, reason, info))

    def run(self, sql):
        stmts = split_statements(sql)
        name = self.path.rsplit("/", 1)[-1]
        is_update = bool(re.match(r".+--.+--.+\.sql$", name))
        first_create = next((s for s in stmts if s.norm.upper().startswith("CREATE")), None)
        guard = None
        for s in stmts:
            if s.norm.upper().startswith("DO") and any("nspowner" in b for _, b in s.strings):
                guard = s
                break
        guarded = guard is not None and (first_create is None or guard.line < first_create.line)
        if not is_update and first_create is not None and not guarded:
            self.add(first_create, "schema-guard",
                     f"no check that schema {self.schema} is superuser-owned before the first CREATE "
                     "(CREATE EXTENSION reuses an existing schema of that name, owner and contents included)")
        for s in stmts:
            self.statement(s, guarded)
        return self.findings

    def statement(self, s, guarded):
        text = s.norm
        up = text.upper()
        if text.startswith("\\"):
            return
        if re.match(r"CREATE OR REPLACE ", up):
            m = re.match(r"CREATE OR REPLACE (?:TRUSTED )?(?:PROCEDURAL )?(\w+) ([\w.\"]+)", text, re.I)
            obj = m.group(2).split(".")[-1].strip('"').lower() if m else "?"
            if obj not in self.base:
                self.add(s, "or-replace", f"CREATE OR REPLACE {obj}: not an object the previous version created"
                         + ("" if self.base else " (no --base script given)"))
        if re.match(r"CREATE (\w+ )*IF NOT EXISTS", up) or re.match(r"CREATE SCHEMA", up):
            self.add(s, "if-not-exists", "CREATE ... IF NOT EXISTS / CREATE SCHEMA keeps a pre-existing object")
        if re.match(r"(SET|RESET) (LOCAL |SESSION )?SEARCH_PATH", up) or re.search(r"SET_CONFIG\s*\(\s*'SEARCH_PATH'", up):
            self.add(s, "script-search-path", "the script changes search_path")
        if re.search(r"\bLEAKPROOF\b", up) and not re.search(r"\bNOT LEAKPROOF\b", up):
            self.add(s, "leakproof", "LEAKPROOF function")
        if re.search(r"\bGRANT\b.*\b(INSERT|UPDATE|DELETE|TRUNCATE|ALL|CREATE|TRIGGER|REFERENCES)\b.*\bTO\b.*\bPUBLIC\b", up):
            self.add(s, "grant-public", "write/CREATE privileges granted to PUBLIC")
        for ln, body in s.strings:
            if re.search(r"\bCREATE\s+ROLE\b", body, re.I):
                self.add(s, "conditional-role", "CREATE ROLE in the script (roles are cluster-wide)", line=ln)
        routine = re.match(r"CREATE (OR REPLACE )?(FUNCTION|PROCEDURE) ", up)
        if routine:
            self.routine(s)
        elif re.match(r"CREATE (OR REPLACE )?(TEMP |TEMPORARY |UNLOGGED )?(TABLE|VIEW|MATERIALIZED VIEW|SEQUENCE|TYPE|AGGREGATE|OPERATOR|DOMAIN|INDEX)\b", up):
            self.created_name(s)
        # Code executed at install time: DO blocks, SELECT/INSERT, and expressions stored by DDL
        # (defaults, checks) resolve names through the install-time search_path.
        calls = []
        if up.startswith("DO"):
            for ln, body in s.strings:
                calls += unqualified_calls(tokenize(body, ln))
        elif not routine or " DEFAULT " in up:
            calls += unqualified_calls(s.tokens)
            calls = [(ln, c) for ln, c in calls if not self.is_created_name(s, c)]
        for ln, c in calls:
            self.add(s, "top-level-call",
                     f"unqualified call {c}() at install time" + (" (behind the schema guard)" if guarded else ""),
                     line=ln, info=guarded)

    def is_created_name(self, s, tok):
        m = re.match(r"(?:CREATE|COMMENT ON|GRANT \w+ ON|REVOKE \w+ ON|ALTER) (?:OR REPLACE )?(?:\w+ )*?([\w.\"]+) ?\(",
                     s.norm, re.I)
        return m is not None and m.group(1).split(".")[-1] == tok

    def created_name(self, s):
        m = re.match(r"CREATE (?:OR REPLACE )?(?:TEMP |TEMPORARY |UNLOGGED )?(?:MATERIALIZED )?(?:UNIQUE )?"
                     r"(\w+) (?:IF NOT EXISTS )?([\w.\"]+)", s.norm, re.I)
        if not m:
            return
        kind, name = m.group(1).upper(), m.group(2)
        if kind == "INDEX":  # an index lives in its table's schema
            return
        if "." not in name:
            self.add(s, "unqualified-create", f"CREATE {kind} {name} without a schema")

    def routine(self, s):
        text, up = s.norm, s.norm.upper()
        m = re.match(r"CREATE (?:OR REPLACE )?(?:FUNCTION|PROCEDURE) ([\w.\"]+)", text, re.I)
        name = m.group(1) if m else "?"
        if "." not in name:
            self.add(s, "unqualified-create", f"CREATE FUNCTION {name} without a schema")
        lang = re.search(r"\bLANGUAGE\s+'?(\w+)", text, re.I)
        lang = lang.group(1).lower() if lang else ("sql" if "BEGIN ATOMIC" in up else "?")
        setpath = re.search(r"\bSET\s+search_path\s*(=|TO|FROM\s+CURRENT)\s*(.*?)(?=\s+(AS|LANGUAGE|IMMUTABLE|STABLE|VOLATILE|"
                            r"STRICT|CALLED|RETURNS|PARALLEL|SECURITY|COST|ROWS|SUPPORT|SET|LEAKPROOF|NOT|WINDOW)\b|\s*\$\$|$)",
                            text, re.I)
        if re.search(r"\bSECURITY\s+DEFINER\b", up) and not setpath:
            self.add(s, "secdef-no-path", f"{name}: SECURITY DEFINER without SET search_path")
        if setpath:
            if setpath.group(1).upper().startswith("FROM"):
                self.add(s, "path-unsafe", f"{name}: SET search_path FROM CURRENT captures the install-time path")
            else:
                schemas = [x.strip().strip('"').lower() for x in setpath.group(2).replace("'", "").split(",")]
                trusted = {"pg_catalog", self.schema, "@extschema@", "pg_temp"}
                bad = [x for x in schemas if x not in trusted]
                if bad:
                    self.add(s, "path-unsafe", f"{name}: search_path names untrusted schema(s) {', '.join(bad)}")
                if not schemas or schemas[-1] != "pg_temp":
                    self.add(s, "path-unsafe", f"{name}: pg_temp is not last in the pinned search_path "
                             "(unlisted, it is searched first for tables)")
        elif lang in ("sql", "plpgsql") or lang not in ("c", "internal"):
            body = s.strings[-1] if s.strings else (s.line, "")
            calls = sorted({c for _, c in unqualified_calls(tokenize(body[1], body[0]))})
            self.add(s, "body-unpinned", f"{name} ({lang}): no SET search_path; unqualified calls in the body: "
                     + (", ".join(calls) if calls else "none found (operators and tables still resolve via the caller)"))


def names_created(sql):
    return {m.group(1).split(".")[-1].strip('"').lower() for m in re.finditer(
        r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE|AGGREGATE|VIEW|TYPE|OPERATOR|TABLE)\s+([\w.\"]+)", sql, re.I)}


# --self-test: every rule must fire on its bad example and stay quiet on the good one, so a
# clean audit means the rules looked, not that they cannot match.
SELF_TEST = [
    ("or-replace", "CREATE OR REPLACE FUNCTION mlobs.f() RETURNS int LANGUAGE c AS 'x', 'f';"),
    ("if-not-exists", "CREATE TABLE IF NOT EXISTS mlobs.t (a int);"),
    ("if-not-exists", "CREATE SCHEMA mlobs;"),
    ("secdef-no-path", "CREATE FUNCTION mlobs.f() RETURNS int LANGUAGE c SECURITY DEFINER AS 'x', 'f';"),
    ("body-unpinned", "CREATE FUNCTION mlobs.f(a text) RETURNS text LANGUAGE sql AS $$ SELECT lower(a) $$;"),
    ("body-unpinned", "CREATE FUNCTION mlobs.f() RETURNS int LANGUAGE plpgsql AS 'BEGIN RETURN length(''x''); END';"),
    ("path-unsafe", "CREATE FUNCTION mlobs.f() RETURNS int LANGUAGE sql SET search_path = public, pg_temp AS $$ SELECT 1 $$;"),
    ("path-unsafe", "CREATE FUNCTION mlobs.f() RETURNS int LANGUAGE sql SET search_path = pg_catalog AS $$ SELECT 1 $$;"),
    ("path-unsafe", "CREATE FUNCTION mlobs.f() RETURNS int LANGUAGE sql SET search_path FROM CURRENT AS $$ SELECT 1 $$;"),
    ("script-search-path", "SET search_path = public;"),
    ("schema-guard", "CREATE TABLE mlobs.t (a int);"),
    ("unqualified-create", "CREATE TABLE t (a int);"),
    ("top-level-call", "CREATE TABLE mlobs.t (a timestamptz DEFAULT now());"),
    ("top-level-call", "DO $$ BEGIN PERFORM lower('x'); END $$;"),
    ("leakproof", "CREATE FUNCTION mlobs.f(int) RETURNS int LANGUAGE c LEAKPROOF AS 'x', 'f';"),
    ("conditional-role", "DO $$ BEGIN CREATE ROLE someone; END $$;"),
    ("grant-public", "GRANT INSERT ON mlobs.t TO PUBLIC;"),
]
SELF_TEST_GUARD = """
DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_namespace n WHERE n.nspowner OPERATOR(pg_catalog.=) 10) THEN
  RAISE EXCEPTION 'x'; END IF; END $$;
"""
SELF_TEST_CLEAN = SELF_TEST_GUARD + """
CREATE TABLE mlobs.t (a timestamptz DEFAULT pg_catalog.now(), b text CHECK (b IN ('x', 'y')));
CREATE FUNCTION mlobs.f(a text) RETURNS text LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
  AS $$ SELECT lower(a) || mlobs.g(a) $$;
CREATE FUNCTION mlobs.h(a text) RETURNS text LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'h';
GRANT USAGE ON SCHEMA mlobs TO PUBLIC;
"""


def self_test():
    bad = 0
    for rule, sql in SELF_TEST:
        # top-level calls are violations only without the guard (info behind it)
        guard = "" if rule in ("schema-guard", "top-level-call") else SELF_TEST_GUARD
        rules = {f[1] for f in Audit("x--1.0.sql", "mlobs", set()).run(guard + sql) if not f[3] and not f[4]}
        if rule not in rules:
            print(f"self-test FAIL: [{rule}] did not fire on: {sql}")
            bad += 1
    clean = [f for f in Audit("x--1.0.sql", "mlobs", set()).run(SELF_TEST_CLEAN) if not f[3] and not f[4]]
    for f in clean:
        print(f"self-test FAIL: false positive on the clean script: {f}")
    print(f"self-test: {len(SELF_TEST)} bad examples, {bad} missed; clean script: {len(clean)} findings")
    return bad + len(clean)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scripts", nargs="*")
    ap.add_argument("--self-test", action="store_true", help="check that every rule fires on a bad example")
    ap.add_argument("--schema", default="mlobs", help="the control file's schema")
    ap.add_argument("--base", help="install script of the version an update script starts from")
    ap.add_argument("--quiet", action="store_true", help="only violations and the summary")
    a = ap.parse_args()
    if a.self_test:
        sys.exit(1 if self_test() else 0)
    if not a.scripts:
        ap.error("no script given")
    base = names_created(open(a.base).read()) if a.base else set()
    failed = 0
    for path in a.scripts:
        findings = Audit(path, a.schema, base).run(open(path).read())
        violations = [f for f in findings if not f[3] and not f[4]]
        allowed = [f for f in findings if f[3]]
        info = [f for f in findings if f[4] and not f[3]]
        for ln, rule, msg, reason, is_info in sorted(findings):
            if reason or is_info:
                if not a.quiet:
                    print(f"{path}:{ln}: [{rule}] {'allowed' if reason else 'info'}: {msg}")
            else:
                print(f"{path}:{ln}: [{rule}] VIOLATION: {msg}")
        reasons = {}
        for f in allowed:
            reasons.setdefault((f[1], f[3]), 0)
            reasons[(f[1], f[3])] += 1
        for (rule, reason), n in reasons.items():
            print(f"{path}: allowlisted {n} x [{rule}]: {reason}")
        print(f"{path}: {len(violations)} violations, {len(allowed)} allowlisted, {len(info)} info")
        failed += len(violations)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
