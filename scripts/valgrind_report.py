#!/usr/bin/env python3
"""Summarises the per-process memcheck logs of scripts/valgrind.sh: how many processes ran, how
many errors valgrind reported (after scripts/valgrind.supp), and every error whose stack involves
mlobs (a frame in mlobs.so or a Rust mlobs symbol), printed in full. Exit status 1 if there is
any such error. Errors without an mlobs frame are counted and their first frames listed, so new
PostgreSQL noise can be told apart and added to the suppressions.

    python3 scripts/valgrind_report.py DIR_OF_vg.PID.log
"""
import collections
import glob
import re
import sys

HEADER = re.compile(r"^==\d+== (Invalid (read|write|free)|Conditional jump|Use of uninitialised|"
                    r"Syscall param|Mismatched free|Source and destination overlap|"
                    r"Argument '.*' of function|Invalid alignment|Process terminating)")


def errors_of(path):
    """Error blocks (lists of lines, without the ==pid== prefix) of one log."""
    blocks, cur = [], None
    for line in open(path, errors="replace"):
        if HEADER.match(line):
            cur = [line]
            blocks.append(cur)
        elif cur is not None:
            if re.match(r"^==\d+== *$", line) or line.startswith("{"):
                cur = None  # end of the stack (a blank ==pid== line or a generated suppression)
            else:
                cur.append(line)
    return [[re.sub(r"^==\d+== ?", "", l.rstrip()) for l in b] for b in blocks]


def main():
    logs = sorted(glob.glob(f"{sys.argv[1]}/vg.*.log"))
    total, mlobs, other = 0, [], collections.Counter()
    for path in logs:
        for block in errors_of(path):
            total += 1
            if any("mlobs" in l for l in block):
                mlobs.append((path, block))
            else:
                frames = [re.sub(r"^\s*(at|by) 0x[0-9A-F]+: ", "", l) for l in block[1:4]]
                other[block[0] + " | " + " < ".join(frames)] += 1
    print(f"valgrind: {len(logs)} process logs, {total} errors after suppressions, {len(mlobs)} involving mlobs")
    if other:
        print("errors without an mlobs frame (PostgreSQL/glibc noise to suppress, by first frames):")
        for key, n in other.most_common(20):
            print(f"  {n:5d}  {key[:300]}")
    for path, block in mlobs:
        print(f"\n---- {path}")
        print("\n".join(block))
    if not logs:
        print("FAIL: no valgrind logs (did the postmaster run under valgrind?)")
        sys.exit(1)
    if mlobs:
        print(f"\nFAIL: {len(mlobs)} valgrind errors involve mlobs")
        sys.exit(1)
    print("PASS: no valgrind error involves mlobs")


if __name__ == "__main__":
    main()
