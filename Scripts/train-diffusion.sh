#!/usr/bin/env bash
# Reproduces the shipped triplane diffusion model (Assets/models/triplane-diffusion/) from nothing:
# synthesize the procedural collection (all six categories, seed 1), fit every shape's triplanes
# with the shipped decoder (`convert --to triplane`), train the plane autoencoder (the latent stage,
# `octoplane train autoencoder`), train the class-conditional U-Net in its latent (the default
# recipe of `octoplane train diffusion --autoencoder`), then score it per category against held-out
# shapes (seed 7, never seen in training) and the training set.
#   bash Scripts/train-diffusion.sh [WORK_DIR]      # default: .work/triplane-diffusion
# Resumable: every stage skips finished work; each training continues from its last checkpoint, so
# a killed run is restarted with the same command. Watch WORK_DIR/autoencoder/previews/,
# WORK_DIR/run/loss.png and WORK_DIR/run/previews/.
# Environment: PER_CATEGORY (96), AE_STEPS (3000), STEPS (default: `train diffusion`'s recipe, 4000
#   in the latent, 6000 on the planes), HELD_OUT (32 per category),
#   EVAL_N (32), FIT (extra `convert` options; default none: 600 annealed fit steps),
#   LATENT (1; 0 trains the U-Net on the planes themselves, the model shipped before 2026-12-05),
#   MIRROR (auto, `train diffusion`'s default: leaves out the categories whose mirror images are not
#   like their data — the mugs; all: every category also mirrored, as the plane model and the latent
#   model shipped before 2026-12-05 were trained; see the model card).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-.work/triplane-diffusion}
per=${PER_CATEGORY:-96}; held=${HELD_OUT:-32}; evaln=${EVAL_N:-32}; ae_steps=${AE_STEPS:-3000}
mirror=${MIRROR:-auto}
# shellcheck source=Scripts/train-common.sh
source Scripts/train-common.sh
synth_once "$work/train" 1 "$per"
# shellcheck disable=SC2086
$bin convert "$work/train" --to triplane --out "$work/train-planes" --jobs 2 ${FIT-}   # two fits at a time, one thread each
stage_done "synth + conversion"
latent=()
if [ "${LATENT:-1}" = 1 ]; then
    resume=(); [ -f "$work/autoencoder/state.safetensors" ] && resume=(--resume)
    $bin train autoencoder "$work/train-planes" --out "$work/autoencoder" --steps "$ae_steps" "${resume[@]}"
    stage_done autoencoder
    latent=(--autoencoder "$work/autoencoder")
fi
resume=(); [ -f "$work/run/state.safetensors" ] && resume=(--resume)
steps=(); [ -n "${STEPS-}" ] && steps=(--steps "$STEPS")
$bin train diffusion "$work/train-planes" --out "$work/run" "${steps[@]}" --mirror "$mirror" --float16 "${latent[@]}" "${resume[@]}"
stage_done "U-Net"
synth_once "$work/held-out" 7 "$held"
$bin eval-generator --model "$work/run" --reference "$work/held-out" --training "$work/train" -n "$evaln" \
    --out "$work/eval" --quiet | tee "$work/quality.txt"
echo "copy $work/run/{generator.json,model.safetensors,decoder.safetensors,autoencoder.safetensors} (the last for a latent model) to Assets/models/triplane-diffusion/ to ship it"
