#!/usr/bin/env python3
"""Package.swift is the module map: every target declares exactly the package modules it imports.

For each target of `swift package dump-package`, compares
  - the modules its Swift files import (top-level `import X`, `@testable import X`,
    `import struct X.Y`, …; modules outside this package and its declared products —
    Foundation, Dispatch, Testing, Glibc, … — are ignored), with
  - the dependencies it declares (targets by name, products by product name).
Fails (exit 1) listing every target that imports a module it does not declare (it builds only
through some other target's dependency) or declares one it never imports (a dead edge that links
libraries for nothing). C system-library targets have no Swift files and are skipped.

Usage: python3 Scripts/check-imports.py [--manifest dump.json]   (run from the package root;
without --manifest it runs `swift package dump-package`). Scripts/test.sh runs it first.
"""
import json
import os
import re
import subprocess
import sys

IMPORT = re.compile(
    r"^(?:@[A-Za-z_]+(?:\([^)]*\))?\s+)*import\s+"
    r"(?:(?:typealias|struct|class|enum|protocol|let|var|func)\s+)?([A-Za-z_][A-Za-z0-9_]*)",
    re.MULTILINE)


def imports_of(folder):
    """Modules imported at top level (column 0) by the .swift files under `folder`."""
    found = {}
    for dirpath, _, files in os.walk(folder):
        for name in sorted(files):
            if not name.endswith(".swift"):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as f:
                for m in IMPORT.finditer(f.read()):
                    found.setdefault(m.group(1), path)
    return found


def declared(target):
    names = set()
    for dep in target.get("dependencies", []):
        if "byName" in dep:
            names.add(dep["byName"][0])
        elif "target" in dep:
            names.add(dep["target"][0])
        elif "product" in dep:
            names.add(dep["product"][0])
    return names


def main(argv):
    if "--manifest" in argv:
        with open(argv[argv.index("--manifest") + 1], encoding="utf-8") as f:
            manifest = json.load(f)
    else:
        out = subprocess.run(["swift", "package", "dump-package"], check=True, capture_output=True, text=True).stdout
        manifest = json.loads(out)
    targets = manifest["targets"]
    products = {dep["product"][0] for t in targets for dep in t.get("dependencies", []) if "product" in dep}
    known = {t["name"] for t in targets} | products
    problems = []
    for t in targets:
        if t["type"] in ("system", "binary", "plugin", "macro"):
            continue
        folder = t.get("path") or os.path.join("Tests" if t["type"] == "test" else "Sources", t["name"])
        if not os.path.isdir(folder):
            problems.append(f"{t['name']}: source folder {folder} not found")
            continue
        used = {m: p for m, p in imports_of(folder).items() if m in known and m != t["name"]}
        decl = declared(t)
        for m in sorted(set(used) - decl):
            problems.append(f"{t['name']}: imports {m} ({used[m]}) but does not declare it in Package.swift")
        for m in sorted(decl - set(used)):
            problems.append(f"{t['name']}: declares {m} in Package.swift but never imports it")
    if problems:
        print("Package.swift does not match the imports:", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print(f"check-imports: {sum(t['type'] not in ('system',) for t in targets)} targets declare exactly what they import")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
