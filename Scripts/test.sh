#!/usr/bin/env bash
# The README's test command: installs what is missing, then runs the whole suite (Swift Testing)
# in a release build (the numerical tests are 10–50× faster than in debug).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/install-deps.sh --test
swift test -c release "$@"
