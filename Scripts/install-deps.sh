#!/usr/bin/env bash
# Installs the Debian packages Octoplane needs, only those missing. Usage:
#   Scripts/install-deps.sh          # build + run: libassimp-dev libopenblas-dev libpng-dev zlib1g-dev pkg-config
#   Scripts/install-deps.sh --test   # the above + assimp-testmodels (meshes the tests load), python3 if none is on PATH,
#                                    # and numpy + safetensors in the peers' virtualenv if no Python has them
set -euo pipefail
pkgs=(libassimp-dev libopenblas-dev libpng-dev zlib1g-dev pkg-config)
[[ "${1:-}" == "--test" ]] && pkgs+=(assimp-testmodels)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The test command runs two small Python checks (module map, JUnit XML); any python3 on PATH will do.
[[ "${1:-}" == "--test" ]] && ! command -v python3 >/dev/null && missing+=(python3)
if ((${#missing[@]})); then
  echo "octoplane: installing missing Debian packages: ${missing[*]}" >&2
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
# One test has Hugging Face's own reader load Octoplane's safetensors files: it needs a Python with
# numpy + safetensors — /usr/bin/python3's, or the peers' virtualenv, to which peers-venv.sh adds
# only what it lacks (creating it if needed).
if [[ "${1:-}" == "--test" ]] && ! /usr/bin/python3 -c "import safetensors.numpy" 2>/dev/null; then
  bash "$(dirname "$0")/peers-venv.sh" numpy safetensors >/dev/null \
    || echo "octoplane: could not install safetensors; its interop test will report the missing prerequisite" >&2
fi
command -v swift >/dev/null || { echo "octoplane: Swift 6.1+ is required (https://www.swift.org/install/linux/)" >&2; exit 1; }
