#!/usr/bin/env bash
# One object's phase-2 triplane fit at the default recipe (600 steps × 8,192 points, EDR 0.6 on
# 2,048 points, Adam 4e-3 annealed to 0 by a cosine, the shipped decoder frozen) in Octoplane (`octoplane triplane fit`,
# release build for the host CPU) next to the same recipe in PyTorch CPU
# (`Scripts/triplane_torch.py bench-fit`), on the same NFD samples (200k rows), at 1 and 2 threads,
# in one run. Quality: IoU of each side's planes on the samples' uniform half (both scored by the
# PyTorch decoder, so the comparison is "at equal quality"). Ratio: PyTorch's seconds over
# Octoplane's (> 1: Octoplane faster).
# Usage: bash Scripts/bench-triplane-fit.sh [MESH ...]   (default: the bundled chair and goblet)
#   OCTOPLANE_BIN: use an already built binary instead of building .build-native.
#   THREADS="1 2": the thread counts to compare.
set -euo pipefail
cd "$(dirname "$0")/.."
meshes=("$@"); [[ ${#meshes[@]} -gt 0 ]] || meshes=(Assets/meshes/chair.ply Assets/meshes/goblet.ply)
if [[ -n "${OCTOPLANE_BIN:-}" ]]; then BIN="$OCTOPLANE_BIN"; else
  swift build -c release --scratch-path .build-native $(bash Scripts/cpu-flags.sh) --product octoplane >&2
  BIN=.build-native/release/octoplane
fi
PY="$(bash Scripts/peers-venv.sh numpy "torch==2.13.0+cpu" safetensors | tail -1)"
DECODER=Assets/models/triplane-decoder.safetensors
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; $(date -u +%FT%TZ)"
printf '%-22s %-8s %14s %10s %8s %12s %10s\n' mesh threads "octoplane s" "torch s" ratio "octoplane IoU" "torch IoU"
for mesh in "${meshes[@]}"; do
  "$BIN" sample "$mesh" --preset nfd --points 200000 -o "$tmp/samples.npy" > /dev/null
  for t in ${THREADS:-1 2}; do
    o=$(OCTOPLANE_THREADS=$t "$BIN" triplane fit "$tmp/samples.npy" --decoder "$DECODER" -o "$tmp/planes.npy" --json)
    p=$(OMP_NUM_THREADS=$t "$PY" Scripts/triplane_torch.py bench-fit "$DECODER" "$tmp/samples.npy" --threads "$t" --repeats 1)
    "$PY" - "$mesh" "$t" "$o" "$p" "$DECODER" "$tmp/planes.npy" "$tmp/samples.npy" <<'PYEOF'
import json, os, sys
import numpy as np, torch
sys.path.insert(0, "Scripts")
from triplane_torch import TriplaneDecoder
mesh, t, o, p = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
d = TriplaneDecoder.load(sys.argv[5])
planes = torch.from_numpy(np.load(sys.argv[6]).astype(np.float32))
s = np.load(sys.argv[7]).astype(np.float32); half = s.shape[0] // 2
with torch.no_grad():
    pred = d(planes, torch.from_numpy(s[half:, :3])).numpy() > 0
truth = s[half:, 3] > 0.5
iou = float((pred & truth).sum()) / max(1.0, float((pred | truth).sum()))
print(f"{os.path.basename(mesh):<22} {t:<8} {o['fitSeconds']:14.2f} {p['median_seconds']:10.2f} {p['median_seconds'] / o['fitSeconds']:8.2f} "
      f"{iou:12.4f} {p['iou_uniform_half'][0]:10.4f}   ({p['peer']})")
PYEOF
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
