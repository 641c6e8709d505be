#!/usr/bin/env python3
"""Executes every SQL example in docs/*.md against a running server with mlobs installed.

A ```sql block runs through psql (unaligned, tuples only, ON_ERROR_STOP). When it is followed by an
```output block, the printed rows must equal that block; a ```sql-error block must fail with an
ERROR containing the text of its ```output block. Each docs page gets a fresh database. Finally,
every user-facing function in schema mlobs must appear in at least one executed example.
Prints 'docs: N passed, N failed'. Standard library only.
"""
import argparse
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"```(sql|sql-error|output)\n(.*?)```", re.S)
# Support functions of types and aggregates, and internal helpers (leading underscore), not called by users.
# (Everything taking or returning `internal` or `cstring` is excluded in the catalog query.)
SUPPORT = re.compile(r"(^_|_send$|_trans$)")


def psql(args, sql, db):
    cmd = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
           "-h", "127.0.0.1", "-p", str(args.port), "-U", "postgres", "-d", db]
    return subprocess.run(cmd, input=sql, capture_output=True, text=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    passed = failed = 0
    executed = []
    for page in sorted((ROOT / "docs").glob("*.md")):
        db = "mlobs_docs_" + re.sub(r"\W", "_", page.stem)
        psql(args, f"DROP DATABASE IF EXISTS {db};\nCREATE DATABASE {db};", "postgres")
        psql(args, "CREATE EXTENSION mlobs;", db)
        blocks = BLOCK.findall(page.read_text())
        for i, (kind, body) in enumerate(blocks):
            if kind == "output":
                continue
            expected = blocks[i + 1][1] if i + 1 < len(blocks) and blocks[i + 1][0] == "output" else None
            res = psql(args, body, db)
            executed.append(body)
            where = f"{page.name} example {i + 1}"
            if kind == "sql":
                ok = res.returncode == 0 and (expected is None or res.stdout.strip() == expected.strip())
            else:
                ok = res.returncode != 0 and expected is not None and expected.strip() in res.stderr
            if ok:
                passed += 1
            else:
                failed += 1
                print(f"FAIL {where}\n--- sql\n{body}--- expected\n{expected}--- got stdout\n{res.stdout}--- stderr\n{res.stderr}")
        psql(args, f"DROP DATABASE IF EXISTS {db};", "postgres")

    # Coverage: every user-facing function of the extension has an executed example.
    db = "mlobs_docs_catalog"
    psql(args, f"DROP DATABASE IF EXISTS {db};\nCREATE DATABASE {db};", "postgres")
    psql(args, "CREATE EXTENSION mlobs;", db)
    res = psql(args, "SELECT DISTINCT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                     "WHERE n.nspname = 'mlobs' AND p.prorettype NOT IN ('internal'::regtype, 'cstring'::regtype) "
                     "AND NOT (p.proargtypes::regtype[] && ARRAY['internal', 'cstring']::regtype[]) ORDER BY 1;", db)
    psql(args, f"DROP DATABASE IF EXISTS {db};", "postgres")
    text = "\n".join(executed)
    for name in res.stdout.split():
        if SUPPORT.search(name):
            continue
        if re.search(rf"mlobs\.{re.escape(name)}\s*\(", text):
            passed += 1
        else:
            failed += 1
            print(f"FAIL no executed docs example calls mlobs.{name}")
    print(f"docs: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
