#!/usr/bin/env bash
# Load + normalize + write a mesh: `octoplane normalize` (release build, wall time of the whole
# process, median of 5) against trimesh and Open3D doing load + write in-process (median of 5,
# interpreter start and imports excluded), in the same run.
# Usage: bash Scripts/bench-io.sh [MESH]   (default: assimp-testmodels' 2CylinderEngine.glb)
set -euo pipefail
cd "$(dirname "$0")/.."
MESH="${1:-/usr/share/assimp/models/glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb}"
# OCTOPLANE_BIN: use an already built binary instead of building .build-native.
if [[ -n "${OCTOPLANE_BIN:-}" ]]; then BIN="$OCTOPLANE_BIN"; else
  swift build -c release --scratch-path .build-native $(bash Scripts/cpu-flags.sh) --product octoplane >/dev/null
  BIN=.build-native/release/octoplane
fi
OUT="$(mktemp -d)"; trap 'rm -rf "$OUT"' EXIT
PY="$(bash Scripts/peers-venv.sh | tail -1)"
"$PY" - "$BIN" "$MESH" "$OUT" <<'PYEOF'
import statistics, subprocess, sys, time
bin_, mesh, out = sys.argv[1:4]
def median(f, n=5):
    ts = []
    for _ in range(n):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return statistics.median(ts) * 1000
rows = []
for ext in ("ply", "obj"):
    rows.append((f"octoplane normalize → .{ext} (process)", median(lambda: subprocess.run([bin_, "normalize", mesh, f"{out}/o.{ext}", "--convention", "nfd"], check=True, capture_output=True))))
try:
    import trimesh
    for ext in ("ply", "obj"):
        rows.append((f"trimesh load + export .{ext}", median(lambda: trimesh.load(mesh, force="mesh").export(f"{out}/t.{ext}"))))
except ImportError:
    print("trimesh missing: skipped")
try:
    import open3d as o3d
    for ext in ("ply", "obj"):
        rows.append((f"Open3D read + write .{ext}", median(lambda: o3d.io.write_triangle_mesh(f"{out}/o3d.{ext}", o3d.io.read_triangle_mesh(mesh)))))
except ImportError:
    print("open3d missing: skipped")
print(f"mesh: {mesh}")
for name, ms in rows:
    print(f"| {name} | {ms:.0f} ms |")
PYEOF
