#!/usr/bin/env python3
"""Compares two run archives (tlab export --format jsonl) run by run: the same configurations, statuses, results
(a stage's artifact digest among them) and per-epoch metrics, bit for bit, leaving out what measures time (seconds,
words per second). Exits non-zero on any difference."""
import json
import sys


def runs(path):
    with open(path) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    return {entry["run"]["hash"]: entry for entry in lines[1:]}


def timeless(result):
    if result is None:
        return None
    return {k: (timeless(json.dumps(v)) if isinstance(v, dict) else v) for k, v in json.loads(result).items() if "second" not in k.lower()}


def main(a_path, b_path):
    a, b = runs(a_path), runs(b_path)
    problems = []
    if set(a) != set(b):
        problems.append(f"configurations differ: {len(set(a) - set(b))} only in {a_path}, {len(set(b) - set(a))} only in {b_path}")
    compared = 0
    for key in sorted(set(a) & set(b)):
        ra, rb = a[key], b[key]
        name = f"{ra['run']['arm']} {ra['run']['dataset']} seed {ra['run']['seed']} ({key[:12]})"
        for field in ("status", "configJSON", "threads"):
            if ra["run"].get(field) != rb["run"].get(field):
                problems.append(f"{name}: {field} {ra['run'].get(field)!r} != {rb['run'].get(field)!r}")
        if timeless(ra["run"].get("resultJSON")) != timeless(rb["run"].get("resultJSON")):
            problems.append(f"{name}: results differ")
        ma = [m for m in ra["metrics"] if "second" not in m[2]]
        mb = [m for m in rb["metrics"] if "second" not in m[2]]
        if ma != mb:
            problems.append(f"{name}: per-epoch metrics differ")
        compared += 1
    for p in problems:
        print("DIFFERENT: " + p)
    print(f"compared {compared} runs: {'identical' if not problems else f'{len(problems)} differences'}")
    return 1 if problems or compared == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
