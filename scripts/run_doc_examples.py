#!/usr/bin/env python3
"""Executes every SQL example in docs/*.md and README.md against a running server with mlobs installed.

A ```sql block runs through psql (unaligned, tuples only, ON_ERROR_STOP) from the repository root.
When it is followed by an ```output block, the printed rows must equal that block. A ```sql-error
block must fail with an ERROR; it runs with VERBOSITY verbose, so psql prints `ERROR:  22023: ...`.
Its ```output block is either a message fragment the error output must contain, or
`SQLSTATE[ condition_name]: fragment` — then the error's SQLSTATE must be exactly that code (the
condition name, if given, is checked against the server's own table) and the fragment must be part
of the error message. Each docs page gets a fresh database with mlobs (a page that needs a companion
extension, mlobs_demo, creates it in its examples). Finally, every user-facing function in schema
mlobs and in the companion extensions' schemas (COMPANIONS) must appear in at least one executed
example.

docs/errors.md, the bad-input catalogue, is held to more: every sql-error block states its SQLSTATE,
none may expect XX000 (an internal error is a bug, never a documented behaviour), and every
user-facing function has a section (a heading naming `mlobs.<name>`, `mlobs_demo.<name>`) with an executed example
calling it, so the catalogue cannot silently fall behind the extension.

docs/drift.md's method tables are held to the drift-method registry: the table under the float8[]
form of mlobs.drift lists exactly the methods whose inputs (mlobs.drift_methods()) include
`numeric`, the one under the text[] form exactly those including `categories`.
Prints 'docs: N passed, N failed'. Standard library only.
"""
import argparse
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"```(sql|sql-error|output)\n(.*?)```", re.S)
HEADING = re.compile(r"^#{1,6} (.*)$", re.M)
CATALOGUE = "errors.md"
# `22023 invalid_parameter_value: fragment` (the condition name is optional).
EXPECTED_STATE = re.compile(r"([0-9A-Z]{5})(?: ([a-z_]+))?: (.*)", re.S)
ERROR_LINE = re.compile(r"^ERROR:  ([0-9A-Z]{5}): (.*)$", re.M)
# psql's verbose fields after the message; anything else on following lines continues the message.
FIELD = re.compile(r"^(DETAIL|HINT|CONTEXT|LOCATION|QUERY|LINE \d+|SCHEMA NAME|TABLE NAME|COLUMN NAME|"
                   r"DATATYPE NAME|CONSTRAINT NAME):")
# The runtime's internal steps (leading underscore), not called by users. The support functions of
# the types and aggregates live in schema mlobs_internal, outside the catalog query (which also
# skips anything taking or returning `internal` or `cstring`).
SUPPORT = re.compile(r"^_")
# The companion extensions (extensions/<name>/, schema <name>) whose functions the docs cover too.
COMPANIONS = ("mlobs_demo",)


def psql(args, sql, db):
    cmd = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
           "-h", "127.0.0.1", "-p", str(args.port), "-U", "postgres", "-d", db]
    return subprocess.run(cmd, input=sql, capture_output=True, text=True, cwd=ROOT)


def raised(stderr):
    """(SQLSTATE, message) of the first ERROR in verbose psql output, or None."""
    m = ERROR_LINE.search(stderr)
    if not m:
        return None
    lines = [m.group(2)]
    for line in stderr[m.end():].splitlines()[1:]:
        if FIELD.match(line) or line.startswith("ERROR:"):
            break
        lines.append(line)
    return m.group(1), "\n".join(lines)


def condition_code(args, name, cache):
    """The SQLSTATE PostgreSQL assigns to condition `name` (None if it has no such condition)."""
    if name not in cache:
        res = psql(args, f"\\set VERBOSITY verbose\nDO $$BEGIN RAISE EXCEPTION 'probe' USING ERRCODE = '{name}'; END$$;",
                   "postgres")
        got = raised(res.stderr)
        cache[name] = got[0] if got and got[1] == "probe" else None
    return cache[name]


def error_ok(args, expected, stderr, conditions):
    m = EXPECTED_STATE.fullmatch(expected)
    if not m:
        return expected in stderr
    code, name, fragment = m.groups()
    got = raised(stderr)
    if got is None or got[0] != code:
        return False
    if name and condition_code(args, name, conditions) != code:
        return False
    return fragment in got[1]


def user_functions(args):
    """Schema-qualified names (`mlobs.psi`, `mlobs_demo.simulate`) of the user-facing functions."""
    db = "mlobs_docs_catalog"
    schemas = ("mlobs",) + COMPANIONS
    psql(args, f"DROP DATABASE IF EXISTS {db};\nCREATE DATABASE {db};", "postgres")
    psql(args, "CREATE EXTENSION mlobs;\n" + "".join(f"CREATE EXTENSION {c};\n" for c in COMPANIONS), db)
    res = psql(args, "SELECT DISTINCT n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                     f"WHERE n.nspname IN ({', '.join(repr(s) for s in schemas)}) "
                     "AND p.prorettype NOT IN ('internal'::regtype, 'cstring'::regtype) "
                     "AND NOT (p.proargtypes::regtype[] && ARRAY['internal', 'cstring']::regtype[]) ORDER BY 1;", db)
    psql(args, f"DROP DATABASE IF EXISTS {db};", "postgres")
    if res.returncode != 0:
        sys.exit(f"docs: listing the user-facing functions failed:\n{res.stderr}")
    return [name for name in res.stdout.split() if not SUPPORT.search(name.split(".", 1)[1])]


def catalog_rows(args, sql):
    """Rows (|-separated) of a query on a fresh database with mlobs installed."""
    db = "mlobs_docs_catalog"
    psql(args, f"DROP DATABASE IF EXISTS {db};\nCREATE DATABASE {db};", "postgres")
    psql(args, "CREATE EXTENSION mlobs;", db)
    res = psql(args, sql, db)
    psql(args, f"DROP DATABASE IF EXISTS {db};", "postgres")
    return [line.split("|") for line in res.stdout.splitlines() if line]


# Heading of a drift.md section with a method table -> the input kind its table lists.
METHOD_TABLES = {"reference float8[]": "numeric", "reference text[]": "categories"}


def method_table_problems(args):
    """How docs/drift.md's method tables differ from mlobs.drift_methods() (empty when they agree)."""
    page = ROOT / "docs" / "drift.md"
    if not page.exists():
        return []
    registry = catalog_rows(args, "SELECT name, array_to_string(inputs, ',') FROM mlobs.drift_methods();")
    text = page.read_text()
    headings = [(h.start(), h.group(1)) for h in HEADING.finditer(text)]
    listed = {kind: set() for kind in METHOD_TABLES.values()}
    # A method table: a `| method |` header line, its separator, then rows up to the first non-row.
    for table in re.finditer(r"^\| method \|.*\n\|[-|]+\|\n((?:\|.*\n)*)", text, re.M):
        heading = next((h for pos, h in reversed(headings) if pos < table.start()), "")
        kind = next((k for key, k in METHOD_TABLES.items()
                     if heading.startswith("`mlobs.drift(") and key in heading), None)
        if kind:
            for row in table.group(1).splitlines():
                listed[kind] |= set(re.findall(r"`([^`]+)`", row.split("|")[1]))
    problems = []
    for kind, names in listed.items():
        want = {name for name, inputs in registry if kind in inputs.split(",")}
        if not names or names != want:
            problems.append(f"docs/drift.md's {kind} method table lists {sorted(names)}; "
                            f"mlobs.drift_methods() has {sorted(want)}")
    return problems


def calls(name, text):
    """Whether text calls the schema-qualified function name (`mlobs.psi`)."""
    return re.search(rf"(?<![\w.]){re.escape(name)}\s*\(", text) is not None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    passed = failed = 0
    executed = []
    sections = {}        # heading of docs/errors.md -> its executed SQL
    conditions = {}
    # README.md too: its quick start must run as written in a fresh database.
    for page in sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]:
        # Lower case: CREATE DATABASE folds the unquoted name, psql -d does not (README.md).
        db = "mlobs_docs_" + re.sub(r"\W", "_", page.stem).lower()
        psql(args, f"DROP DATABASE IF EXISTS {db};\nCREATE DATABASE {db};", "postgres")
        psql(args, "CREATE EXTENSION mlobs;", db)
        text = page.read_text()
        catalogue = page.name == CATALOGUE
        headings = [(h.start(), h.group(1)) for h in HEADING.finditer(text)]
        blocks = [(b.start(), b.group(1), b.group(2)) for b in BLOCK.finditer(text)]
        for i, (at, kind, body) in enumerate(blocks):
            if kind == "output":
                continue
            expected = blocks[i + 1][2] if i + 1 < len(blocks) and blocks[i + 1][1] == "output" else None
            sql = "\\set VERBOSITY verbose\n" + body if kind == "sql-error" else body
            res = psql(args, sql, db)
            executed.append(body)
            if catalogue:
                heading = next((h for pos, h in reversed(headings) if pos < at), "")
                sections[heading] = sections.get(heading, "") + body
            where = f"{page.name} example {i + 1}"
            why = ""
            if kind == "sql":
                ok = res.returncode == 0 and (expected is None or res.stdout.strip() == expected.strip())
            else:
                ok = res.returncode != 0 and expected is not None and error_ok(args, expected.strip(), res.stderr,
                                                                               conditions)
                if catalogue and expected is not None and not EXPECTED_STATE.fullmatch(expected.strip()):
                    ok, why = False, "catalogue entries state the SQLSTATE: `22023 condition_name: fragment`\n"
                if catalogue and expected is not None and expected.strip().startswith("XX000"):
                    ok, why = False, "XX000 is an internal error, a bug to fix rather than a behaviour to document\n"
            if ok:
                passed += 1
            else:
                failed += 1
                print(f"FAIL {where}\n{why}--- sql\n{body}--- expected\n{expected}--- got stdout\n{res.stdout}"
                      f"--- stderr\n{res.stderr}")
        psql(args, f"DROP DATABASE IF EXISTS {db};", "postgres")

    # Coverage: every user-facing function of the extension has an executed example, and (when the
    # catalogue exists) a section of docs/errors.md whose examples call it.
    text = "\n".join(executed)
    has_catalogue = (ROOT / "docs" / CATALOGUE).exists()
    for name in user_functions(args):
        if calls(name, text):
            passed += 1
        else:
            failed += 1
            print(f"FAIL no executed docs example calls {name}")
        if not has_catalogue:
            continue
        named = [h for h in sections if re.search(rf"(?<![\w.]){re.escape(name)}\b", h)]
        if any(calls(name, sections[h]) for h in named):
            passed += 1
        else:
            failed += 1
            print(f"FAIL docs/{CATALOGUE} has no section on {name} with an executed example calling it")
    for problem in method_table_problems(args):
        failed += 1
        print(f"FAIL {problem}")
    print(f"docs: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
