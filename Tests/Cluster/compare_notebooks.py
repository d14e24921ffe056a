#!/usr/bin/env python3
"""Compares two notebooks (tlab report) line by line, provenance aside: lines naming the databases or the commands,
and the tables and figures of what measures time (seconds, words per second), which no two executions share.
Exits non-zero on any other difference."""
import difflib
import re
import sys

TIMED = re.compile(r"seconds|per_second|per second", re.IGNORECASE)


def kept(path, ignore):
    out, skipping = [], False
    for line in open(path).read().splitlines():
        if any(word in line for word in ignore):
            continue
        if TIMED.search(line) and not line.startswith("|"):
            skipping = True  # a timing table's caption: leave out the table below it
            continue
        if skipping:
            if line.startswith("|") or not line.strip():
                continue
            skipping = False
        out.append(line)
    return out


def main(a, b, *ignore):
    left, right = kept(a, ignore), kept(b, ignore)
    diff = list(difflib.unified_diff(left, right, a, b, lineterm="", n=1))
    print("\n".join(diff) if diff else f"notebooks equal, provenance and timings aside ({len(left)} lines compared)")
    return 1 if diff or not left else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
