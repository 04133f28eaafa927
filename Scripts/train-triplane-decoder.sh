#!/usr/bin/env bash
# Reproduces the shipped shared triplane decoder (Assets/models/triplane-decoder.safetensors) from
# nothing: synthesize the procedural collection (all six categories, seed 1), draw NFD samples,
# train NFD phase 1, then score it on held-out shapes (seed 7, never seen in training).
#   bash Scripts/train-triplane-decoder.sh [WORK_DIR]      # default: .work/triplane-decoder
# Resumable: every stage skips finished work, and training continues from its last checkpoint.
# Environment: PER_CATEGORY (16), STEPS (3000), HELD_OUT (8 per category).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-.work/triplane-decoder}
per=${PER_CATEGORY:-16}; steps=${STEPS:-3000}; held=${HELD_OUT:-8}
bash Scripts/install-deps.sh
# shellcheck disable=SC2046
swift build -c release --scratch-path .build-native $(bash Scripts/cpu-flags.sh) --product octoplane
bin=.build-native/release/octoplane
mkdir -p "$work"
start=$(date +%s)
$bin synth --out "$work/train" --per-category "$per" --seed 1 >/dev/null
$bin convert "$work/train" --out "$work/train-nfd" --preset nfd --points 200000 --quiet
$bin triplane train-decoder "$work/train-nfd" --out "$work/triplane-decoder.safetensors" --steps "$steps" --resume
echo "training: $(( ($(date +%s) - start) / 60 )) min"
$bin synth --out "$work/held-out" --per-category "$held" --seed 7 >/dev/null
$bin triplane eval "$work/held-out" --decoder "$work/triplane-decoder.safetensors" --quiet | tee "$work/held-out-quality.txt"
echo "copy $work/triplane-decoder.safetensors to Assets/models/ to ship it"
