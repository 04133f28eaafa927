#!/usr/bin/env bash
# Reproduces the shipped octree transformer (Assets/models/octree-transformer/) from nothing:
# synthesize the procedural collection (all six categories, seed 1, 192 shapes each — the triplane
# diffusion model trains on 96 of each), build each mesh's depth-5 surface octree and
# train the class-conditional transformer on their child-mask sequences (the default recipe of
# `octoplane train octree`, 10,000 steps) and then its learned surface stage (RUN/surface/), then score it per
# category against held-out shapes (seed 7, never seen in training) and the training set, in both
# decodings (eval-generator samples every shape on the boundary of its solid).
#   bash Scripts/train-octree.sh [WORK_DIR]      # default: .work/octree-transformer
# Resumable: every stage skips finished work; training continues from its last checkpoint, so a
# killed run is restarted with the same command. Watch WORK_DIR/run/loss.png and run/previews/.
# Environment: PER_CATEGORY (192), STEPS (10000), HELD_OUT (32 per category), EVAL_N (32),
#   MIRROR (auto, `train octree`'s default and how the shipped transformer was trained since
#   2026-12-05: the categories whose mirror images are not like their data — the mugs — are not
#   mirrored; all: every category, the transformer shipped before; see the model card).
# The shipped surface stage is this script's second stage (today's defaults: radius 3, the same
# 1,152 shapes), trained onto a copy of the shipped folder with `train octree … --surface-only`.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-.work/octree-transformer}
per=${PER_CATEGORY:-192}; steps=${STEPS:-10000}; held=${HELD_OUT:-32}; evaln=${EVAL_N:-32}; mirror=${MIRROR:-auto}
# shellcheck source=Scripts/train-common.sh
source Scripts/train-common.sh
synth_once "$work/train" 1 "$per"
resume=(); [ -f "$work/run/state.safetensors" ] && resume=(--resume)
$bin train octree "$work/train" --out "$work/run" --depth 5 --steps "$steps" --mirror "$mirror" --float16 "${resume[@]}"
stage_done "synth + train"
synth_once "$work/held-out" 7 "$held"
for decoding in next-token parallel; do
  $bin eval-generator --model "$work/run" --reference "$work/held-out" --training "$work/train" -n "$evaln" \
      --decoding "$decoding" --out "$work/eval-$decoding" --quiet | tee "$work/quality-$decoding.txt"
done
echo "copy $work/run/{generator.json,model.safetensors} and $work/run/surface/model.safetensors to Assets/models/octree-transformer/ (the latter under surface/) to ship it"
