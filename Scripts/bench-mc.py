#!/usr/bin/env python3
"""Marching cubes: Octoplane next to VTK flying edges, scikit-image (Lewiner) and PyMCubes, on the
same grids in the same run.

1. `octoplane bench mc --save-grids DIR` writes the union-of-20-spheres SDF at 128³ and 256³ over
   [-1, 1]³ (float32 .npy) and prints Octoplane's own timings; 2. each peer extracts level 0 from the
   very same arrays (median of --runs, extraction only, the array already in memory); 3. one
   Markdown table with ratios (peer time / Octoplane time: > 1 means Octoplane is faster).

Usage: ~/.cache/octoplane/peers-venv/bin/python Scripts/bench-mc.py [--octoplane PATH] [--runs 5]
(build first: swift build -c release --scratch-path .build-native $(bash Scripts/cpu-flags.sh))
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def median_ms(fn, runs):
    times = []
    out = None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2], out


def peers(grid, runs):
    rows = {}
    n = grid.shape[0]
    spacing = 2.0 / (n - 1)
    try:
        import vtk
        from vtk.util import numpy_support

        img = vtk.vtkImageData()
        img.SetDimensions(*grid.shape[::-1])  # VTK is x fastest: our k (z) axis is its x
        img.SetSpacing(spacing, spacing, spacing)
        img.GetPointData().SetScalars(numpy_support.numpy_to_vtk(grid.ravel(), deep=True))

        def fe():
            f = vtk.vtkFlyingEdges3D()
            f.SetInputData(img)
            f.SetValue(0, 0.0)
            f.ComputeNormalsOn()
            f.Update()
            return f.GetOutput().GetNumberOfPolys()

        rows["VTK flying edges (%s)" % vtk.vtkVersion.GetVTKVersion()] = median_ms(fe, runs)
    except ImportError as e:
        print("skipping VTK:", e, file=sys.stderr)
    try:
        import skimage
        from skimage import measure

        def sk():
            v, f, nrm, _ = measure.marching_cubes(grid, 0.0, spacing=(spacing,) * 3, method="lewiner")
            return len(f)

        rows["scikit-image Lewiner (%s)" % skimage.__version__] = median_ms(sk, runs)
    except ImportError as e:
        print("skipping scikit-image:", e, file=sys.stderr)
    try:
        import mcubes

        def mc():
            v, f = mcubes.marching_cubes(grid, 0.0)
            return len(f)

        rows["PyMCubes"] = median_ms(mc, runs)
    except ImportError as e:
        print("skipping PyMCubes:", e, file=sys.stderr)
    return rows


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--octoplane", default=os.path.join(here, ".build-native", "release", "octoplane"))
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    threads = os.environ.get("OMP_NUM_THREADS", "default")
    with tempfile.TemporaryDirectory() as d:
        out = subprocess.run([args.octoplane, "bench", "mc", "--json", "--runs", str(args.runs), "--save-grids", d],
                             check=True, capture_output=True, text=True).stdout
        ours = json.loads(out)
        print("| grid | faces | Octoplane | peer | peer time | ratio (peer / Octoplane) |")
        print("|---|---|---|---|---|---|")
        for row in ours["marchingCubes"]:
            grid = np.load(os.path.join(d, row["grid"] + ".npy"))
            for name, (ms, faces) in peers(grid, args.runs).items():
                print("| %s %d³ | %d (peer %d) | %.1f ms | %s | %.1f ms | %.2f× |" % (
                    row["grid"], grid.shape[0], row["faces"], faces, row["medianMs"], name, ms, ms / row["medianMs"]))
        for s in ours.get("sparse", []):
            print("\nsparse %d³: %d field evaluations (%.2f%% of %d), %.0f ms, equals dense: %s" % (
                s["resolution"], s["evaluations"], 100 * s["fraction"], s["denseEvaluations"], s["ms"], s["equalsDense"]))
        for r in ours.get("dual", []):
            print("dual UDF sphere r=0.5 depth %d: %.0f ms, area %.4f vs %.4f (%+.3f%%), %d non-manifold edges, %d boundary edges" % (
                r["depth"], r["ms"], r["area"], r["trueArea"], r["areaErrorPercent"], r["nonManifoldEdges"], r["boundaryEdges"]))
        print("\n(Octoplane threads: %d; peers as installed, OMP_NUM_THREADS=%s)" % (ours["threads"], threads))


if __name__ == "__main__":
    main()
