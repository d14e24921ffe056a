#!/usr/bin/env python3
"""Turn a notebook's JSON export (notebooks-md/<id>/<id>-runs.json) into a run archive for `tlab import`.

For results recorded before run archives existed (`tlab export --format jsonl`): a notebook export
holds each run's resolved configuration, hash, status, result and build revision, but not its
per-epoch metrics, events, host or versions, so the archive says nothing of those (the runs' learning
curves are lost; their results are not). Every run's configuration is checked against its hash
(SHA-256 of the canonical JSON, as `tlab` computes it) and the script stops at the first mismatch,
so an imported run is exactly the configuration that ran. Ended runs only; stage runs are left out.

    python3 scripts/notebook_export_to_archive.py notebooks-md/glove-freeze/glove-freeze-runs.json \
        experiments/glove-freeze.yaml > glove-freeze.runs.jsonl
"""
import hashlib
import json
import sys


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def main(export_path, spec_path):
    runs = json.load(open(export_path, encoding="utf-8"))
    ended = [r for r in runs if r["status"] in ("finished", "diverged", "failed", "timeout")
             and not r["arm"].startswith("stage:")]
    if not ended:
        sys.exit(f"{export_path}: no ended runs")
    experiment = ended[0]["experiment"]
    description = ended[0]["config"].get("experiment", {}).get("description", "")
    first = min(r["started_at"] for r in ended)
    out = [canonical({"format": "transferlab-runs", "version": 1,
                      "experiment": {"id": experiment, "specFile": spec_path, "description": description,
                                     "createdAt": first.replace("Z", ".000Z")}})]
    for r in ended:
        config = canonical(r["config"])
        digest = hashlib.sha256(config.encode("utf-8")).hexdigest()
        if digest != r["hash"]:
            sys.exit(f"{export_path}: run {r['id']}: configuration hashes to {digest}, recorded {r['hash']}")
        def date(s):
            return s.replace("Z", ".000Z") if s else None
        run = {"id": r["id"], "experimentId": r["experiment"], "hash": r["hash"], "arm": r["arm"],
               "dataset": r["dataset"], "seed": r["seed"], "fold": r["fold"], "trainingSize": r["training_size"],
               "sweepJSON": canonical(r["sweep"]), "configJSON": config, "status": r["status"],
               "attempts": r["attempts"], "gitRevision": r["git_revision"], "threads": r["threads"],
               "blasCore": r["blas_core"], "queuedAt": date(r["started_at"]), "startedAt": date(r["started_at"]),
               "finishedAt": date(r["finished_at"]), "error": r["error"],
               "resultJSON": canonical(r["result"]) if r["result"] is not None else None, "kind": "run"}
        out.append(canonical({"run": {k: v for k, v in run.items() if v is not None},
                              "metrics": [], "events": []}))
    sys.stdout.write("\n".join(out) + "\n")
    print(f"{len(ended)} ended runs of {experiment}, every configuration matching its hash", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
