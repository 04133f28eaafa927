#!/usr/bin/env python3
"""Occupancy and UDF query throughput: Octoplane next to Open3D and libigl, in one run.

Runs `octoplane bench queries --json` (release build), then times the peers on the same mesh
files with the same number of uniform points in the same box (the mesh's bounding box padded by
5% of its longest side), and prints a Markdown table with ratios (Octoplane / peer; > 1 means
Octoplane is faster). Peers:
  - Open3D `RaycastingScene.compute_occupancy` (ray parity on Embree) and `compute_distance`;
  - libigl `fast_winding_number_for_meshes` (Barill et al. 2018, β = 2) and
    `point_mesh_squared_distance` (AABB tree).
Usage: Scripts/bench-queries.py [--points N] [--repeats R] [--octoplane PATH] [--json OUT]
Python: the peers virtualenv (Scripts/peers-venv.sh prints its python).
"""
import argparse, json, os, subprocess, sys, time
import numpy as np

def median_time(fn, repeats):
    ts = []
    for _ in range(repeats):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return sorted(ts)[len(ts) // 2]

def load(path):
    import open3d as o3d
    m = o3d.io.read_triangle_mesh(path)
    V = np.asarray(m.vertices, dtype=np.float64); F = np.asarray(m.triangles, dtype=np.int64)
    return m, V, F

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--octoplane", default=".build-native/release/octoplane")
    ap.add_argument("--json", help="also write all figures here")
    a = ap.parse_args()
    out = subprocess.run([a.octoplane, "bench", "queries", "--json", "--points", str(a.points), "--repeats", str(a.repeats)],
                         check=True, capture_output=True, text=True).stdout
    rows = json.loads(out)
    import open3d as o3d, igl
    threads = os.cpu_count()
    for r in rows:
        m, V, F = load(r["exported"])  # the very triangles Octoplane queried
        lo, hi = V.min(0), V.max(0)
        pad = 0.05 * (hi - lo).max()
        rng = np.random.default_rng(42)
        Q = (lo - pad) + rng.random((a.points, 3)) * ((hi - lo) + 2 * pad)
        Qf = o3d.core.Tensor(Q.astype(np.float32))
        scene = o3d.t.geometry.RaycastingScene()
        scene.add_triangles(o3d.t.geometry.TriangleMesh.from_legacy(m))
        r["peer_faces"] = int(len(F))
        r["open3d_occupancy"] = a.points / median_time(lambda: scene.compute_occupancy(Qf, nthreads=threads), a.repeats)
        r["open3d_distance"] = a.points / median_time(lambda: scene.compute_distance(Qf, nthreads=threads), a.repeats)
        Vd, Fi = np.ascontiguousarray(V), np.ascontiguousarray(F.astype(np.int32))
        r["libigl_fwn"] = a.points / median_time(lambda: igl.fast_winding_number_for_meshes(Vd, Fi, Q), a.repeats)
        r["libigl_distance"] = a.points / median_time(lambda: igl.point_mesh_squared_distance(Q, Vd, Fi), 1)
        w = igl.fast_winding_number_for_meshes(Vd, Fi, Q)
        r["libigl_inside_fraction"] = float((w > 0.5).mean())
        print(f"{r['mesh']}: done", file=sys.stderr)
    M = lambda x: f"{x / 1e6:.2f}"
    print(f"| mesh (faces), {a.points:,} pts | Octoplane FWN | libigl FWN | ratio | Octoplane parity×1 | Open3D parity (Embree) | ratio "
          f"| Octoplane UDF | Open3D UDF | ratio | libigl UDF | ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['mesh']} ({r['faces']:,}) | {M(r['windingPointsPerSecond'])} | {M(r['libigl_fwn'])} | {r['windingPointsPerSecond'] / r['libigl_fwn']:.2f}× "
              f"| {M(r['parity1PointsPerSecond'])} | {M(r['open3d_occupancy'])} | {r['parity1PointsPerSecond'] / r['open3d_occupancy']:.2f}× "
              f"| {M(r['udfPointsPerSecond'])} | {M(r['open3d_distance'])} | {r['udfPointsPerSecond'] / r['open3d_distance']:.2f}× "
              f"| {M(r['libigl_distance'])} | {r['udfPointsPerSecond'] / r['libigl_distance']:.2f}× |")
    print("\nfigures in M points/s (median of runs; libigl UDF: one run); inside share Octoplane FWN / libigl FWN: " +
          ", ".join(f"{r['mesh']} {100 * r['insideFraction']:.1f}% / {100 * r['libigl_inside_fraction']:.1f}%" for r in rows))
    if a.json:
        with open(a.json, "w") as f: json.dump(rows, f, indent=1)

if __name__ == "__main__":
    main()
