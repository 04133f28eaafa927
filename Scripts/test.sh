#!/usr/bin/env bash
# The README's test command: installs what is missing, then runs the whole suite (Swift Testing)
# in a release build (the numerical tests are 10–50× faster than in debug).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/install-deps.sh --test
# Package.swift must be the true module map (declared dependencies = imported modules).
python3 Scripts/check-imports.py
swift test -c release "$@"

# The project's own regression gate (README, *Regression tests*), on the full run only: the release
# binary `swift test -c release` just built reruns the CI suite (bundled + procedural shapes, ~15 s)
# and compares it with the committed baseline; a regression fails the test command with a Markdown
# report, JUnit XML and a sheet of what got worse in .build/regress/.
if [ $# -eq 0 ]; then
    mkdir -p .build/regress
    .build/release/octoplane regress run Tests/Regression/suite.json --out .build/regress/results.json --fresh --quiet
    .build/release/octoplane regress compare .build/regress/results.json --baseline Tests/Regression/baseline.json \
        --markdown .build/regress/report.md --junit .build/regress/junit.xml --sheet .build/regress/sheet.png
fi
