#!/usr/bin/env bash
# Renderer benchmark: `octoplane bench render --json` (release, this CPU) and, in the same run,
# Open3D's OffscreenRenderer (Filament) on Mesa's lavapipe CPU Vulkan driver as the peer.
#   bash Scripts/bench-render.sh [FRAMES]
# The peer needs Debian libvulkan1 + mesa-vulkan-drivers (installed when missing) and open3d in
# the peers virtualenv (Scripts/peers-venv.sh). Without them only Octoplane's rows are printed.
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-5}
# shellcheck disable=SC2046
swift build -c release --scratch-path .build-native $(bash Scripts/cpu-flags.sh) --product octoplane >&2
echo "## Octoplane (2 threads, then 1)"
.build-native/release/octoplane bench render --frames "$frames"
.build-native/release/octoplane bench render --frames "$frames" --threads 1
need=()
for p in libvulkan1 mesa-vulkan-drivers; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >&2 || true
fi
py=$(bash Scripts/peers-venv.sh numpy open3d-cpu | tail -1)
echo "## Open3D OffscreenRenderer on lavapipe (JSON)"
"$py" Scripts/peers/bench_render_open3d.py "$frames" 2>/dev/null | sed -n '/^OCTOPLANE-JSON/,$p' | tail -n +2
