#!/usr/bin/env bash
# Regenerates each committed notebook from its committed run archive, in a scratch folder, and compares it
# with the committed one: the markdown with its Provenance section aside (revision, database path, run
# revisions), and every plot. Exits non-zero on any difference and prints it.
#   bash scripts/check-notebooks.sh [ID…]     (default: every experiment with a committed archive and notebook)
# TLAB names the binary (default .build/release/tlab); installed datasets are needed (the notebook lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
tlab=${TLAB:-.build/release/tlab}
ids=("$@")
if [ ${#ids[@]} -eq 0 ]; then
  for archive in results/*.runs.jsonl; do
    id=$(basename "$archive" .runs.jsonl)
    [ -f "notebooks-md/$id.md" ] && [ -f "experiments/$id.yaml" ] && ids+=("$id")
  done
fi
# The notebook without its Provenance section (from its heading to the next one).
without_provenance() { awk '/^## /{skip = ($0 == "## Provenance")} !skip' "$1"; }
status=0
for id in "${ids[@]}"; do
  scratch=$(mktemp -d)
  "$tlab" import "results/$id.runs.jsonl" --db "$scratch/runs.sqlite" > "$scratch/import.log"
  "$tlab" report "experiments/$id.yaml" --db "$scratch/runs.sqlite" --out "$scratch/notebooks" > "$scratch/report.log"
  same=1
  diff <(without_provenance "notebooks-md/$id.md") <(without_provenance "$scratch/notebooks/$id.md") > "$scratch/notebook.diff" || same=0
  diff -r -x '*.csv' -x '*.json' "notebooks-md/$id" "$scratch/notebooks/$id" > "$scratch/plots.diff" || same=0
  if [ $same -eq 1 ]; then
    echo "$id: notebook and plots regenerate identically from results/$id.runs.jsonl"
    rm -rf "$scratch"
  else
    echo "$id: differs (kept in $scratch)"
    head -40 "$scratch/notebook.diff" "$scratch/plots.diff" 2>/dev/null || true
    status=1
  fi
done
exit $status
