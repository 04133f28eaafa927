#!/usr/bin/env bash
# One training step (U-Net forward + backward + grad clip + Adam + EMA) of the default triplane
# diffusion recipe, TrainDiffusionJob.defaultConfig(channels: 24, classes: 6) at batch 32 of
# 24×32×32: `octoplane bench diffusion` (release build for the host CPU) next to the same U-Net and
# step in PyTorch CPU (`Scripts/diffusion_torch.py bench-train`), at 1 and 2 threads, in one run.
# Medians of the timed steps; the ratio is PyTorch's time over Octoplane's (> 1: Octoplane faster).
# Usage: bash Scripts/bench-diffusion.sh [STEPS]       (default 5 timed steps after 1 warm-up)
#   OCTOPLANE_BIN: use an already built binary instead of building .build-native.
#   THREADS="1 2": the thread counts to compare.
#   CHANNELS=8 SIZE=16: the same recipe on other inputs — 8 × 16 × 16 is the shipped latent model's
#   (diffusion in the plane autoencoder's latent); default 24 × 32 × 32, the planes themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS="${1:-5}"; CHANNELS="${CHANNELS:-24}"; SIZE="${SIZE:-32}"
if [[ -n "${OCTOPLANE_BIN:-}" ]]; then BIN="$OCTOPLANE_BIN"; else
  swift build -c release --scratch-path .build-native $(bash Scripts/cpu-flags.sh) --product octoplane >&2
  BIN=.build-native/release/octoplane
fi
PY="$(bash Scripts/peers-venv.sh numpy "torch==2.13.0+cpu" safetensors | tail -1)"
CONFIG=$(mktemp --suffix .json); trap 'rm -f "$CONFIG"' EXIT
"$PY" - "$CHANNELS" "$CONFIG" <<'PYEOF'   # TrainDiffusionJob.defaultConfig(channels: CHANNELS, classes: 6)
import json, sys
model = {"inChannels": int(sys.argv[1]), "baseChannels": 64, "channelMultipliers": [1, 2, 2], "resBlocksPerLevel": 1,
         "attentionResolutions": [4], "attentionHeads": 4, "groups": 8, "classCount": 6}
json.dump({"model": model, "schedule": {"cosine": {"maxBeta": 0.999, "s": 0.008}}, "timesteps": 1000, "prediction": "v",
           "batchSize": 32, "learningRate": 5e-4, "warmupSteps": 200, "totalSteps": 6000, "labelDropout": 0.1}, open(sys.argv[2], "w"))
PYEOF
echo "inputs: batch 32 of ${CHANNELS}×${SIZE}×${SIZE}"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; $(date -u +%FT%TZ)"
printf '%-8s %14s %14s %8s\n' threads "octoplane ms" "torch ms" "ratio"
for t in ${THREADS:-1 2}; do
  o=$(OCTOPLANE_THREADS=$t "$BIN" bench diffusion --threads "$t" --steps "$STEPS" --warmup 1 --channels "$CHANNELS" --size "$SIZE" --json)
  p=$(OMP_NUM_THREADS=$t "$PY" Scripts/diffusion_torch.py bench-train --threads "$t" --steps "$STEPS" --warmup 1 --batch 32 --size "$SIZE" --config "$CONFIG")
  "$PY" - "$t" "$o" "$p" <<'PYEOF'
import json, sys
t, o, p = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
assert o["parameters"] == p["parameters"], f"parameter counts differ: {o['parameters']} vs {p['parameters']}"
print(f"{t:<8} {o['ms']:14.1f} {p['ms']:14.1f} {p['ms'] / o['ms']:8.2f}   ({o['parameters']} parameters, {p['peer']})")
PYEOF
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
