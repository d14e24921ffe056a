#!/usr/bin/env bash
# TransferLab set-up on a fresh Debian 12 machine, then the main job.
#   bash setup.sh            install system packages, build (release), run the main job
#   bash setup.sh --no-run   install and build only
# Needs root (or sudo) for apt-get. Idempotent: a second run installs nothing new.
set -euo pipefail
cd "$(dirname "$0")"

run_main_job=1
[ "${1:-}" = "--no-run" ] && run_main_job=0

apt_packages=(libopenblas-dev pkg-config)
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

echo "==> building (release)"
swift build -c release --product tlab

if [ $run_main_job -eq 1 ]; then
  echo "==> main job: tlab demo"
  .build/release/tlab info
  .build/release/tlab demo
fi
