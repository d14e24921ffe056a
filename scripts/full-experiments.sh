#!/usr/bin/env bash
# The full experiments, run in the background across working sessions and machines.
#
#   scripts/full-experiments.sh start [ID] build tlab (release) into the state folder, install the data, import each
#                                        experiment's committed run archive (results/<id>.runs.jsonl), and start
#                                        the experiments' lanes (or the lane holding ID) in the background, each with
#                                        $TLAB_WORKERS workers (default: the cores shared evenly among the lanes); a lane
#                                        whose experiments have ended goes on with the other lanes' queued runs
#                                        (with no lane, as now that every experiment has ended, it only imports)
#                                        TLAB_FIRST="--only arm=siatl --only size=all --only dataset=tweets-sentiment --only seed=2"
#                                        … start ID: the lane first runs that selection with one worker and every core
#                                        as BLAS threads (a run too long for a session on one thread), then as usual;
#                                        TLAB_UNTIL does not hold it back (prices are one-thread durations, so a cell
#                                        that fits a session only on every core would never be admitted): choose one
#                                        that fits (SiATL on all tweets took 3.5 h on two threads, ≈5 h on one: longer
#                                        than a session either way, it resumes at the next `start`)
#                                        TLAB_BESIDE="--only arm=siatl --only size=all --only dataset=tweets-sentiment"
#                                        … start ID: beside the lane, a scheduler with one worker on one BLAS thread and no
#                                        deadline runs that selection (runs too long for a session, which resume at the next
#                                        `start`), while the lane fills the other cores (TLAB_WORKERS=1 on two) under TLAB_UNTIL:
#                                        two one-thread runs side by side do more than one run on two threads (1.7×)
#                                        TLAB_ARGS="--skip arm=siatl --skip size=all" … start ID: the lane's schedulers get
#                                        these arguments (e.g. leave out the runs a session cannot finish)
#                                        TLAB_UNTIL=08:05 … start ID (any time `date -d` reads, UTC; a bare clock time
#                                        already past is tomorrow's): the lane starts only runs expected to end by then
#                                        (`tlab run --until`), e.g. a working session's end
#   scripts/full-experiments.sh status   progress of each experiment
#   scripts/full-experiments.sh stop [ID] stop the experiments (or the lane holding ID, and its experiments in whichever
#                                        lane's shell runs them; the other lanes go on with theirs) cleanly: their runs go back
#                                        to the queue and resume from their last saved epoch at the next `start`, which is how
#                                        a lane moves to a new build of the repository
#   scripts/full-experiments.sh archive  write each running experiment's ended runs to results/<id>.runs.jsonl, its pretraining
#                                        stages' artifacts to results/artifact-bundles/<key>/ and the state of its runs stopped
#                                        mid-way to results/resume-bundles/<hash>/, up to 45 MB each (a fine-tuned encoder's,
#                                        ~345 MB, stays in the state folder and resumes only there) (`start` does it every
#                                        20 minutes while experiments run, so a session cut short keeps them)
#   scripts/full-experiments.sh save     write each running experiment's ended runs to results/<id>.runs.jsonl and re-render
#                                        its notebook; then commit results/ and notebooks-md/
#   scripts/full-experiments.sh size     how much this session submits so far, against the limits of what one session may
#                                        submit (256 MiB of diffs, binary files counted as `git diff --binary` writes them;
#                                        and 50 MB of binary files added): a resume bundle costs ≈38 MB to add and as much to
#                                        remove once its run ends; a language model's state mid-training (weights and Adam's
#                                        moments, 86 MB) cannot be carried at all
#
# The state folder ($TLAB_STATE, default /work/tlab-state; outside the repository, so tests never meet it)
# holds one database per experiment, the artifacts, the data, logs, and one tlab binary per revision
# (rebuilding the repository never swaps the binary under running workers). The databases are not
# committed; the archives are, and `start` on a fresh machine imports them, so no ended run is run again.
# Killed runs resume (`tlab run` is resumable); a stage whose artifact stayed on another machine is made
# again where a run still needs it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
state=${TLAB_STATE:-/work/tlab-state}
# Lanes run side by side, the experiments of a lane one after another, the cores shared among the lanes.
# siatl-vs-ulmfit and its tweet-LM variant each started with a pretraining stage that every one of their runs
# needs (even no-pretraining, for its vocabulary): in one lane the second core idled for that stage's hour.
# Two lanes: the encoder experiments (issue 40's NER, then issue 39's budget profile), and the LM-transfer redo (issue
# 37: its generic LM, a single stage of hours that every run needs, then both experiments' runs). NER, nearly done, is
# first in both, so that both cores finish it; an experiment in two lanes is stopped with either. To run an experiment
# here, name it in `lanes` and `active`.
lanes=("ner-class-weights bert-finetuning@budget" "ner-class-weights siatl-vs-ulmfit@redo siatl-vs-ulmfit-tweet-lm@redo")
# The experiments still running, whose archives and notebooks `archive` and `save` write; a finished one's are a record
# (glove-freeze, siatl-vs-ulmfit and its tweet-LM variant are imported for reports; doc2vec-regimes too has finished),
# written again only by hand.
active=(ner-class-weights bert-finetuning@budget siatl-vs-ulmfit@redo siatl-vs-ulmfit-tweet-lm@redo)
experiments=(glove-freeze siatl-vs-ulmfit siatl-vs-ulmfit-tweet-lm "${active[@]}")
# An experiment is named by its spec (`experiments/<spec>.yaml`), or `<spec>@<profile>` for one of its profiles, which
# keeps its own database, log and archive (`<spec>-<profile>`: `siatl-vs-ulmfit@redo` → results/siatl-vs-ulmfit-redo.runs.jsonl).
spec_of() { echo "${1%%@*}"; }
stem_of() { echo "${1/@/-}"; }
profile_args() { [[ $1 == *@* ]] && echo "--profile ${1#*@}" || true; }
lane_count=$(( ${#lanes[@]} > 0 ? ${#lanes[@]} : 1 ))
workers=${TLAB_WORKERS:-$(( $(nproc) / lane_count > 1 ? $(nproc) / lane_count : 1 ))}
mkdir -p "$state/bin"
cd "$state"

tlab() { "$state/bin/tlab-current" "$@"; }
# The command lines of a lane's schedulers (`tlab-<rev> run …/experiments/<id>.yaml` for each id of the lane).
lane_pattern() { local specs; specs=$(for id in $1; do spec_of "$id"; done | paste -sd'|'); echo "tlab-[0-9a-f]+ run .*/experiments/($specs)\.yaml"; }
# The command line of a scheduler (`start`) of experiment $1 at $revision with the arguments that follow, logging to
# <id>.log; skipped while `stop` has left a stopped-<id> mark (so no lane lends its cores to an experiment stopped).
# A user's OPENBLAS_CORETYPE would pin slower kernels (../shared/PERF.md); each run records the core it used.
scheduler() {
  local id=$1; shift
  echo "[ -e stopped-$(stem_of "$id") ] || env -u OPENBLAS_CORETYPE $state/bin/tlab-$revision run" \
    "$repo/experiments/$(spec_of "$id").yaml $(profile_args "$id")" \
    "--data-dir data --cache-dir cache --db $(stem_of "$id").sqlite --timeout 43200 $* >> $(stem_of "$id").log 2>&1; "
}
# A lane's shell is `bash -c ": lane N; …"`, N its index in `lanes`: what `stop` names it by (the other lanes' shells
# name its experiments too, to lend their cores to them).
lane_shell() { echo "^bash -c : lane $1;"; }
# Whether a lane is the one a command names by one of its experiments (every lane when none is named).
chosen() { [ -z "$1" ] || [[ " $2 " == *" $1 "* ]]; }

# The commit this working session started from (a session lasts at most 3 hours): what `size` measures against.
session_base() {
  if [ ! -f session-base ] || [ -n "$(find session-base -mmin +240)" ]; then (cd "$repo" && git rev-parse HEAD) > session-base; fi
  cat session-base
}

case "${1:-}" in
start)
  session_base >/dev/null
  (cd "$repo" && swift build -c release --product tlab >/dev/null)
  revision=$(cd "$repo" && git rev-parse --short HEAD)
  until_args=""
  if [ -n "${TLAB_UNTIL:-}" ]; then
    deadline=$(date -u -d "$TLAB_UNTIL" +%s) || { echo "TLAB_UNTIL=$TLAB_UNTIL: not a time \`date -d\` reads" >&2; exit 2; }
    # A bare clock time already past today is tomorrow's (a session that crosses midnight); a past date is an error.
    if [ "$deadline" -le "$(date -u +%s)" ]; then
      if [[ "$TLAB_UNTIL" =~ ^[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?$ ]]; then deadline=$((deadline + 86400))
      else echo "TLAB_UNTIL=$TLAB_UNTIL: $(date -u -d "@$deadline" +%FT%TZ) has passed" >&2; exit 2; fi
    fi
    until_args="--until $(date -u -d "@$deadline" +%FT%TZ)"
  fi
  # (copied then renamed: a lane already running this revision keeps its binary; `cp` onto it fails, "text file busy")
  cp "$repo/.build/release/tlab" "bin/.tlab-$revision.new" && mv -f "bin/.tlab-$revision.new" "bin/tlab-$revision"
  ln -sf "tlab-$revision" bin/tlab-current
  tlab data install --data-dir data --cache-dir cache >/dev/null
  for id in "${experiments[@]}"; do
    stem=$(stem_of "$id")
    [ -f "$repo/results/$stem.runs.jsonl" ] && tlab import "$repo/results/$stem.runs.jsonl" --db "$stem.sqlite"
  done
  for i in "${!lanes[@]}"; do
    lane=${lanes[$i]}
    chosen "${2:-}" "$lane" || continue
    if pgrep -f "$(lane_shell "$i")" >/dev/null; then
      echo "already running: $lane (left as it is)"; continue
    fi
    for id in $lane; do rm -f "stopped-$(stem_of "$id")"; done
    commands=": lane $i; "
    if [ -n "${TLAB_FIRST:-}" ]; then
      # One cell first with every core (e.g. a run longer than a session on one thread), then the lane as usual;
      # not under --until, whose prices are one-thread durations (the user chose the selection to fit).
      commands+=$(scheduler "${lane%% *}" --workers 1 --threads "$(nproc)" "$TLAB_FIRST")
    fi
    if [ -n "${TLAB_BESIDE:-}" ]; then
      setsid nohup bash -c "$(scheduler "${lane%% *}" --workers 1 --threads 1 "$TLAB_BESIDE")" >/dev/null 2>&1 &
    fi
    # The lane's experiments, then the other lanes' beside those lanes' own schedulers: a lane that has ended lends its
    # cores to the runs the others still have queued (schedulers share a database; each claims its runs, none another's).
    order=$lane
    for other in "${lanes[@]}"; do [ "$other" = "$lane" ] || order+=" $other"; done
    for id in $order; do
      commands+=$(scheduler "$id" --workers "$workers" $until_args "${TLAB_ARGS:-}")
    done
    setsid nohup bash -c "$commands" >/dev/null 2>&1 &
  done
  [ ${#lanes[@]} -gt 0 ] || { echo "every experiment has ended: no lane to start (their archives are imported into $state)"; exit 0; }
  if ! pgrep -f "full-experiments.sh autosave" >/dev/null; then
    setsid nohup bash "$repo/scripts/full-experiments.sh" autosave >> autosave.log 2>&1 &
  fi
  echo "tlab-$revision in $state; logs $state/<id>.log"
  ;;
archive)
  [ -x bin/tlab-current ] || { echo "nothing started in $state (scripts/full-experiments.sh start)"; exit 1; }
  for id in "${active[@]}"; do
    stem=$(stem_of "$id") spec=$(spec_of "$id")
    [ -f "$stem.sqlite" ] && tlab status --db "$stem.sqlite" | grep -q "^$spec:" || continue
    # With the pretraining stages' artifacts as checked bundles (results/artifact-bundles/<key>/): the next machine uses
    # these very language models instead of spending an hour a stage making other ones on its own kernels.
    # And the state of each run stopped mid-way after 20 minutes or more of training (`stop` first): the next machine's
    # `start` resumes it after its last saved epoch, so a run longer than a session finishes over several.
    tlab export "$spec" --db "$stem.sqlite" --format jsonl --output "$repo/results/$stem.runs.jsonl" --artifacts pretrain --resume 20
    # A header and no run (nothing of it has ended yet) is no archive.
    [ "$(wc -l < "$repo/results/$stem.runs.jsonl")" -gt 1 ] || rm "$repo/results/$stem.runs.jsonl"
  done
  ;;
autosave)
  while pgrep -f "tlab-[0-9a-f]+ run .*/experiments/" >/dev/null; do
    sleep 1200
    bash "$repo/scripts/full-experiments.sh" archive && echo "$(date -u +%FT%TZ) archives written"
  done
  ;;
stop)
  # Every shell of schedulers, when no experiment is named (lanes of an older script, `TLAB_BESIDE`'s, one by hand).
  [ -n "${2:-}" ] || pkill -f "^bash -c .*$state/bin/tlab-[0-9a-f]+ run " || true
  for i in "${!lanes[@]}"; do
    lane=${lanes[$i]}
    chosen "${2:-}" "$lane" || continue
    pattern=$(lane_pattern "$lane")
    # The lane's shell first, so it does not go on to its next experiment, and a mark on each of its experiments, so
    # that no other lane's shell starts them; then Ctrl-C to their schedulers, in whichever shell runs them, which stop
    # their workers and put their runs back in the queue.
    pkill -f "$(lane_shell "$i")" || true
    for id in $lane; do touch "stopped-$(stem_of "$id")"; done
    pkill -INT -f "^$state/bin/$pattern" || continue
    while pgrep -f "^$state/bin/$pattern" >/dev/null; do sleep 1; done
    echo "stopped: $lane"
  done
  bash "$repo/scripts/full-experiments.sh" archive
  ;;
status)
  [ -x bin/tlab-current ] || { echo "nothing started in $state (scripts/full-experiments.sh start)"; exit 1; }
  for id in "${experiments[@]}"; do
    stem=$(stem_of "$id")
    [ -f "$stem.sqlite" ] && tlab plan "$repo/experiments/$(spec_of "$id").yaml" $(profile_args "$id") --data-dir data --db "$stem.sqlite" |
      grep -E '^(in|measured) '
  done
  pgrep -af " run .*experiments/" | sed 's/^/running: /' || echo "no experiment running"
  ;;
save)
  [ -x bin/tlab-current ] || { echo "nothing started in $state (scripts/full-experiments.sh start)"; exit 1; }
  (cd "$repo" && swift build -c release --product tlab >/dev/null)  # notebooks name the revision that rendered them
  bash "$repo/scripts/full-experiments.sh" archive
  for id in "${active[@]}"; do
    stem=$(stem_of "$id") spec=$(spec_of "$id")
    [ -f "$stem.sqlite" ] && tlab status --db "$stem.sqlite" | grep -q "^$spec:" || continue
    (cd "$repo" && .build/release/tlab report "experiments/$spec.yaml" $(profile_args "$id") --db "$state/$stem.sqlite" --data-dir "$state/data")
  done
  bash "$repo/scripts/full-experiments.sh" size
  echo "now: git add results notebooks-md && git commit"
  ;;
size)
  base=$(session_base)
  cd "$repo"
  committed=$(git log -p --binary --format= "$base..HEAD" | wc -c)
  pending=$( (git diff --binary HEAD -- results notebooks-md; git ls-files -z --others --exclude-standard results notebooks-md | xargs -0 -r cat) | wc -c)
  limit=$((256 * 1024 * 1024))
  echo "since $(git rev-parse --short "$base"): committed $((committed / 1048576)) MiB of diffs, $((pending / 1048576)) MiB more in results/ and notebooks-md/ not committed; one session may submit $((limit / 1048576)) MiB"
  if [ $((committed + pending)) -gt $((limit * 8 / 10)) ]; then
    echo "too close to the limit: leave a resume bundle out (\`tlab export … --resume\` with more minutes), or carry it next session" >&2
    exit 1
  fi
  # Binary files added or changed (bundles' tensors): at most 50 MB in one submission. Committed ones as git counts them
  # binary; waiting ones as grep -I does.
  binary=0
  while IFS=$'\t' read -r added _ path; do
    [ "$added" = "-" ] && size=$(git cat-file -s "HEAD:$path" 2>/dev/null) && binary=$((binary + size))
  done < <(git diff --numstat "$base" HEAD)
  while IFS= read -r -d '' path; do
    grep -Iq . "$path" || binary=$((binary + $(stat -c %s "$path")))
  done < <(git diff -z --name-only HEAD -- results; git ls-files -z --others --exclude-standard results)
  echo "binary files added or changed: $((binary / 1000000)) MB of the 50 MB one submission may add"
  if [ "$binary" -gt 50000000 ]; then
    echo "over the limit: leave the bundles out of this submission (git restore/rm them from results/), or carry fewer" >&2
    exit 1
  fi
  ;;
*)
  awk 'NR > 3 && /^#$/ { exit } NR > 1' "$repo/scripts/full-experiments.sh"  # the usage above (to its empty comment line)
  exit 2
  ;;
esac; exit
# (`exit` on esac's line: bash reads a script as it runs it, so `autosave`, running for hours, would go on
# reading at its old offset in a script edited meanwhile — last session it ran half of `size` that way.)
