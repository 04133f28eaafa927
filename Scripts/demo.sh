#!/usr/bin/env bash
# The README's main command: installs what is missing, builds the release binary for this CPU,
# and runs the end-to-end demo on the bundled data, writing meshes and PNGs under Renders/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/install-deps.sh
# shellcheck disable=SC2046
swift build -c release --scratch-path .build-native $(bash Scripts/cpu-flags.sh) --product octoplane
.build-native/release/octoplane demo --out Renders "$@"
