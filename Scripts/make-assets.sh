#!/usr/bin/env bash
# Regenerates Assets/meshes (Geometry primitives + two BSD-3 assimp test models) and Assets/hard
# (known-hard regression meshes) from the generator in Tests/MeshIOTests/AssetGenerator.swift.
# Needs assimp-testmodels for the two copied models. Prints the hard meshes' README lines.
set -euo pipefail
cd "$(dirname "$0")/.."
OCTOPLANE_REGENERATE_ASSETS=1 swift test --filter AssetsTests
du -ch Assets/meshes/* | tail -1
