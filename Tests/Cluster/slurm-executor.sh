#!/usr/bin/env bash
# The Slurm executor's tests on a real one-node cluster (scripts/slurm-test-cluster.sh; needs root):
#  1. doc2vec-regimes' quick profile, its three sequential arms at five seeds (15 runs and 10 stage runs), runs with the
#     local executor, then with --executor slurm; while the Slurm one runs, a running array task is cancelled (scancel)
#     and the coordinator is killed with SIGKILL and started again.
#  2. Every run finished; the cancelled task's run was queued again and finished; each run's result was written by
#     exactly one task (the tasks' logs), so nothing finished was submitted again after the restart; no shard is left.
#  3. The results are bit-identical to the local executor's (Tests/Cluster/compare_archives.py), and the quick
#     profile's notebook from the Slurm runs equals the local one, provenance aside (Tests/Cluster/compare_notebooks.py).
#  4. Under selection.tune_seeds, a trivial spec's later seeds run at the value its tuning seeds chose, and no other.
# The arms that train Doc2Vec inside each run (combined, oversampled-*) and the baselines are left out for time; the
# whole quick profile at three seeds passes the same checks (docs/cluster.md).
# Usage: bash Tests/Cluster/slurm-executor.sh   (after the release build: bash setup.sh --no-run)
set -euo pipefail
cd "$(dirname "$0")/../.."
tlab=$PWD/.build/release/tlab
work=$(mktemp -d /tmp/tlab-slurm-test.XXXXXX)
mkdir -p "$work/local" "$work/slurm"   # each database with its own artifacts folder
spec=experiments/doc2vec-regimes.yaml
seeds='sweep.seed=[1,2,3,4,5]'
only=(--only arm=sequential,sequential-continue,sequential-both-vocab)
failures=0
check() {  # check DESCRIPTION COMMAND…: runs the command, reports PASS or FAIL
    local what=$1; shift
    if "$@"; then echo "PASS: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
sql() { python3 -c 'import sqlite3, sys; print("\n".join("|".join(map(str, r)) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' "$@"; }

bash scripts/slurm-test-cluster.sh start
# The cluster's own logs are kept beside the test's (stopping the cluster removes its state folder), and shown on failure.
keep_logs() {
    local status=$?
    cp -r "${TLAB_SLURM_STATE:-/tmp/tlab-slurm}/log" "$work/cluster-logs" 2>/dev/null || true
    [ "$status" = 0 ] || tail -n 20 "$work"/cluster-logs/*.log 2>/dev/null || true
    bash scripts/slurm-test-cluster.sh stop >/dev/null 2>&1 || true
}
trap keep_logs EXIT

echo "==> local executor: $spec --profile quick $seeds ${only[*]}"
"$tlab" run $spec --profile quick --db "$work/local/results.sqlite" --workers 2 "${only[@]}" "$seeds" | tail -n 1

echo "==> Slurm executor, the same runs"
slurm_run=("$tlab" run $spec --profile quick --db "$work/slurm/results.sqlite" --executor slurm --max-parallel 2 --poll 1 "${only[@]}" "$seeds")
"${slurm_run[@]}" > "$work/coordinator-1.log" 2>&1 &
coordinator=$!
finished() { sql "$work/slurm/results.sqlite" "SELECT COUNT(*) FROM runs WHERE status = 'finished'" 2>/dev/null || echo 0; }
# A running task as "JOB_INDEX MANIFEST_INDEX" (the Slurm task, and how its own log names it)
running_task() { squeue -h -t RUNNING -o '%A_%K %j %K' 2>/dev/null | awk '$2 ~ /^tlab-/ {print $1, substr($2, 6) "_" $3; exit}'; }
# A running task once a few runs have finished: cancel it. (Up to 20 minutes: on a machine busy with other work the
# first runs take a while.) A task can end between squeue listing it and scancel reaching it: then it wrote its shard
# ("task M_I: … shard written" in its log) and its run finished, so another running task is cancelled, up to 5 tries.
requeued=
for try in 1 2 3 4 5; do
    for _ in $(seq 1 2400); do [ "$(finished)" -ge 4 ] && [ -n "$(running_task)" ] && break; sleep 0.5; done
    read -r cancelled logged <<< "$(running_task)"
    [ -n "$cancelled" ] || { echo "FAIL: no Slurm task running once 4 runs had finished, within 20 minutes ($(finished) finished)"; exit 1; }
    echo "cancelling the running task $cancelled"
    scancel "$cancelled"
    # The coordinator sees the task end without a shard and says it queued its run again.
    for _ in $(seq 1 120); do
        requeued=$(grep -o "^run [0-9]* .* queued again: Slurm task ${cancelled} ended CANCELLED" "$work/coordinator-1.log" | awk '{print $2}' || true)
        [ -n "$requeued" ] && break
        grep -qs "^task ${logged}: .*shard written" "$work"/slurm/cluster/*/logs/*.out && break
        sleep 1
    done
    [ -n "$requeued" ] && break
    echo "task $cancelled wrote its shard before the cancellation reached it (try $try); cancelling another"
done
check "the run of the cancelled task $cancelled is queued again (run ${requeued:-none})" test -n "$requeued"
for _ in $(seq 1 600); do [ "$(finished)" -ge 12 ] && break; sleep 1; done
kill -9 $coordinator 2>/dev/null || true; wait $coordinator 2>/dev/null || true  # (it may have ended: every run done)
before=$(finished)
echo "coordinator killed with SIGKILL after $before finished runs; its Slurm tasks go on; starting it again"
"${slurm_run[@]}" > "$work/coordinator-2.log" 2>&1
tail -n 1 "$work/coordinator-2.log"

# (every planned run is registered; the runs --only selects are those the local executor finished)
total=$(sql "$work/local/results.sqlite" "SELECT COUNT(*) FROM runs WHERE status = 'finished'")
check "all $total selected runs finished, none running or failed" test "$(finished)" = "$total" -a \
    "$(sql "$work/slurm/results.sqlite" "SELECT COUNT(*) FROM runs WHERE status NOT IN ('finished', 'queued')")" = 0
check "at least 20 runs, stage runs among them" test "$total" -ge 20 -a "$(sql "$work/slurm/results.sqlite" "SELECT COUNT(*) FROM runs WHERE kind = 'stage' AND status = 'finished'")" -gt 0
check "the cancelled task's run finished on its second attempt" \
    test "$(sql "$work/slurm/results.sqlite" "SELECT status || ' ' || attempts FROM runs WHERE id = ${requeued:-0}")" = "finished 2"
# Each task prints "task M_I: run ID HASH finished …, shard written" once its shard is in place.
written=$(cat "$work"/slurm/cluster/*/logs/*.out | grep -c 'shard written' || true)
distinct=$(cat "$work"/slurm/cluster/*/logs/*.out | grep 'shard written' | awk '{print $5}' | sort -u | wc -l)
check "each run's result written by exactly one task ($written results, $distinct runs)" test "$written" = "$total" -a "$distinct" = "$total"
check "every run records its Slurm job and node" test "$(sql "$work/slurm/results.sqlite" "SELECT COUNT(*) FROM runs WHERE status = 'finished' AND (job IS NULL OR host IS NULL)")" = 0
check "no shard left unimported" test -z "$(ls "$work"/slurm/cluster/*/shards)"

"$tlab" export doc2vec-regimes --db "$work/local/results.sqlite" --format jsonl --output "$work/local.runs.jsonl" >/dev/null
"$tlab" export doc2vec-regimes --db "$work/slurm/results.sqlite" --format jsonl --output "$work/slurm.runs.jsonl" >/dev/null
check "results bit-identical to the local executor's" python3 Tests/Cluster/compare_archives.py "$work/local.runs.jsonl" "$work/slurm.runs.jsonl"

"$tlab" report $spec --profile quick --db "$work/local/results.sqlite" --out "$work/local-notebook" >/dev/null
"$tlab" report $spec --profile quick --db "$work/slurm/results.sqlite" --out "$work/slurm-notebook" >/dev/null
check "the quick profile's notebook equals the local one, provenance aside" \
    python3 Tests/Cluster/compare_notebooks.py "$work/local-notebook/doc2vec-regimes-quick.md" "$work/slurm-notebook/doc2vec-regimes-quick.md" "$work"

# 4. selection.tune_seeds through the coordinator: a cell's later seeds are submitted once its tuning runs have ended,
#    at the value those chose on validation, and no other.
mkdir -p "$work/tuned"
printf 'text,label\nfine,pos\n' > "$work/tuned/tiny.csv"
cat > "$work/tuned/tuned.yaml" <<'EOF'
experiment: {id: tuned}
data: {datasets: [{file: tiny.csv}]}
model: {kind: trivial}
sweep: {seed: [1, 2, 3, 4], model.score: [0.6, 0.8, 0.7]}
selection: {over: [model.score], tune_seeds: 2}
EOF
echo "==> Slurm executor, selection.tune_seeds"
"$tlab" run "$work/tuned/tuned.yaml" --db "$work/tuned/results.sqlite" --executor slurm --max-parallel 2 --poll 1 > "$work/tuned.log" 2>&1 || true
tail -n 1 "$work/tuned.log"
tuned_runs() {
    python3 -c 'import json, sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute("SELECT seed, sweepJSON FROM runs WHERE status = ?", ("finished",))
print(" ".join(sorted(str(s) + "@" + json.loads(j)["model.score"] for s, j in rows)))' "$work/tuned/results.sqlite"
}
check "the later seeds ran at the value seeds 1–2 chose, and no other ($(tuned_runs))" \
    test "$(tuned_runs)" = "1@0.6 1@0.7 1@0.8 2@0.6 2@0.7 2@0.8 3@0.8 4@0.8"

if [ $failures -gt 0 ]; then echo "slurm executor tests: $failures failed (work folder $work)"; exit 1; fi
rm -rf "$work"
echo "slurm executor tests: all passed"
