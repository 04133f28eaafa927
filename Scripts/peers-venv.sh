#!/usr/bin/env bash
# Creates (or reuses) a virtualenv with the Python peers the comparison scripts
# time Octoplane against. Only what is missing is installed. The product never needs Python.
#   bash Scripts/peers-venv.sh [pkg …]   # default: the whole peer set
# Location: $OCTOPLANE_PEERS_VENV, default ~/.cache/octoplane/peers-venv (outside the repo, shared by checkouts).
# Prints the venv's python path on the last line.
set -euo pipefail
cd "$(dirname "$0")/.."
need_deb=()
for p in python3-venv libusb-1.0-0 libgomp1; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need_deb+=("$p")
done
if ((${#need_deb[@]})); then
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_deb[@]}" >&2 || true
fi
venv=${OCTOPLANE_PEERS_VENV:-$HOME/.cache/octoplane/peers-venv}
mkdir -p "$(dirname "$venv")"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv" >&2
py=$venv/bin/python
pkgs=("$@")
((${#pkgs[@]})) || pkgs=(numpy scipy trimesh open3d-cpu PyMCubes scikit-image vtk libigl==2.4.1 "torch==2.13.0+cpu" safetensors)
missing=()
for spec in "${pkgs[@]}"; do
  name=${spec%%==*}
  mod=$name
  case "$name" in
    open3d-cpu) mod=open3d ;; PyMCubes) mod=mcubes ;; scikit-image) mod=skimage ;; libigl) mod=igl ;;
  esac
  $py -c "import $mod" 2>/dev/null || missing+=("$spec")
done
if ((${#missing[@]})); then
  echo "peers-venv: installing ${missing[*]}" >&2
  $py -m pip install -q --upgrade pip >&2 || true
  $py -m pip install -q "${missing[@]}" >&2
fi
echo "$py"
