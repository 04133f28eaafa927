#!/usr/bin/env python3
"""Chamfer-L1 between two 100k-point clouds: Octoplane vs scipy cKDTree and Open3D, same run.

    PY=$(bash Scripts/peers-venv.sh numpy scipy open3d-cpu | tail -1)
    swift build -c release --scratch-path .build-native $(bash Scripts/cpu-flags.sh)
    $PY Scripts/bench-chamfer.py [--points 100000] [--repeats 5] [--octoplane PATH] [--json]

Two cases (seeded, area-uniform surface samples):
- near: spheres of radius 0.4 and 0.41 (a reconstruction 1% of the unit cube off its target:
  the workload of ONet-style evaluation);
- far: a sphere of radius 0.4 against a torus R=0.3, r=0.12 (surfaces ~0.1 apart, 25× the point
  spacing: every query's search ball is wide, the hard case for k-d trees).
The clouds are written as float32 .npy files and given to `octoplane bench chamfer A.npy B.npy --json`, which
times itself inside the process. Every figure covers both tree builds and both query directions:
- scipy: cKDTree(a), cKDTree(b), query(..., workers=2) both ways, ½(mean + mean);
- Open3D: compute_point_cloud_distance both ways (builds its KDTreeFlann inside; the PointCloud
  objects are made outside the timing).
Medians over --repeats runs after one warm-up; the Chamfer values are checked to agree.
"""
import argparse, json, os, subprocess, sys, tempfile, time

import numpy as np


def sphere(n, rng, r=0.4):
    v = rng.normal(size=(n, 3))
    return (r * v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def torus(n, rng, R=0.3, r=0.12):
    # Area-uniform by rejection on the tube angle (area element ∝ R + r cos v).
    out = []
    while sum(len(o) for o in out) < n:
        u = rng.uniform(0, 2 * np.pi, n); v = rng.uniform(0, 2 * np.pi, n)
        keep = rng.uniform(0, R + r, n) < R + r * np.cos(v)
        u, v = u[keep], v[keep]
        out.append(np.stack([(R + r * np.cos(v)) * np.cos(u), (R + r * np.cos(v)) * np.sin(u), r * np.sin(v)], 1))
    return np.concatenate(out)[:n].astype(np.float32)


def median_ms(fn, repeats):
    if repeats > 1:
        fn()  # warm-up
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); val = fn(); ts.append(1e3 * (time.perf_counter() - t0))
    return float(np.median(ts)), val


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--octoplane", default=os.path.join(os.path.dirname(__file__), "..", ".build-native", "release", "octoplane"))
    ap.add_argument("--case", choices=["near", "far", "both"], default="both")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    results = []
    for case in (["near", "far"] if args.case == "both" else [args.case]):
        rng = np.random.default_rng(0)
        a = sphere(args.points, rng)
        b = sphere(args.points, rng, r=0.41) if case == "near" else torus(args.points, rng)
        # The far case is ~20× slower for every implementation: fewer repeats.
        results.append(run_case(case, a, b, args, args.repeats if case == "near" else max(1, args.repeats // 3)))
    if args.json:
        print(json.dumps({"points": args.points, "cases": results}, indent=2))


def run_case(case, a, b, args, repeats):
    rows = []
    with tempfile.TemporaryDirectory() as d:
        pa, pb = os.path.join(d, "a.npy"), os.path.join(d, "b.npy")
        np.save(pa, a); np.save(pb, b)
        out = subprocess.run([args.octoplane, "bench", "chamfer", pa, pb, "--json", "--repeats", str(repeats)],
                             check=True, capture_output=True, text=True).stdout
        o = json.loads(out)
        rows.append(("Octoplane k-d tree", o["totalMs"], o["chamferL1"]))

    from scipy.spatial import cKDTree

    def scipy_cd():
        ta, tb = cKDTree(a), cKDTree(b)
        da, _ = tb.query(a, workers=2); db, _ = ta.query(b, workers=2)
        return 0.5 * (da.mean() + db.mean())
    rows.append(("scipy cKDTree (workers=2)",) + median_ms(scipy_cd, repeats))

    try:
        import open3d as o3d
        ca = o3d.geometry.PointCloud(o3d.utility.Vector3dVector(a.astype(np.float64)))
        cb = o3d.geometry.PointCloud(o3d.utility.Vector3dVector(b.astype(np.float64)))

        def o3d_cd():
            da = np.asarray(ca.compute_point_cloud_distance(cb)); db = np.asarray(cb.compute_point_cloud_distance(ca))
            return 0.5 * (da.mean() + db.mean())
        rows.append(("Open3D compute_point_cloud_distance",) + median_ms(o3d_cd, repeats))
    except ImportError:
        print("open3d missing: skipped", file=sys.stderr)

    ref = rows[0][2]
    for name, _, v in rows[1:]:
        if abs(v - ref) > 1e-5 * max(1.0, abs(ref)):
            sys.exit(f"Chamfer values disagree: {name} {v} vs Octoplane {ref}")
    oct_ms = rows[0][1]
    result = {"case": case, "repeats": repeats, "octoplane": o,
              "rows": [{"name": n, "ms": t, "chamferL1": v, "ratio": t / oct_ms} for n, t, v in rows]}
    if not args.json:
        print(f"Chamfer-L1, {case} case, two {args.points} point clouds (2 builds + 2 query passes), median of {repeats}")
        print("| implementation | ms | × Octoplane's time |")
        print("|---|---|---|")
        for n, t, _ in rows:
            print(f"| {n} | {t:.1f} | {t / oct_ms:.2f} |")
        print(f"Chamfer-L1 = {ref:.6f} (all agree)\n")
    return result


if __name__ == "__main__":
    main()
