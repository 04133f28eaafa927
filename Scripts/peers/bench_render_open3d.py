"""Peer timing for `octoplane bench render`: Open3D's OffscreenRenderer (Filament) on Mesa's
lavapipe, a CPU (llvmpipe) Vulkan driver - no GPU, no display.

Same scenes as Octoplane's bench: icosphere subdivision 6 and 7 (81,920 / 327,680 faces, built
by the same midpoint subdivision) and a 1024 x 512 torus (1,048,576 faces), 512 x 512, camera at
azimuth 30, elevation 20, fov 35, framed with Octoplane's tight-fit rule. Times render_to_image()
(render + read-back), median of N frames after one warm-up; CPU time is the whole process's
(llvmpipe renders on its own threads). Prints JSON rows.
"""
import json, math, sys, time
import numpy as np

def icosphere(n):
    t = (1 + 5 ** 0.5) / 2
    v = [[-1, t, 0], [1, t, 0], [-1, -t, 0], [1, -t, 0], [0, -1, t], [0, 1, t], [0, -1, -t], [0, 1, -t],
         [t, 0, -1], [t, 0, 1], [-t, 0, -1], [-t, 0, 1]]
    v = [list(np.array(p) / np.linalg.norm(p)) for p in v]
    f = [[0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11], [1, 5, 9], [5, 11, 4], [11, 10, 2], [10, 7, 6],
         [7, 1, 8], [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8], [3, 8, 9], [4, 9, 5], [2, 4, 11], [6, 2, 10],
         [8, 6, 7], [9, 8, 1]]
    for _ in range(n):
        mid = {}
        def m(a, b):
            k = (min(a, b), max(a, b))
            if k not in mid:
                p = np.array(v[a]) + np.array(v[b]); v.append(list(p / np.linalg.norm(p))); mid[k] = len(v) - 1
            return mid[k]
        nf = []
        for a, b, c in f:
            ab, bc, ca = m(a, b), m(b, c), m(c, a)
            nf += [[a, ab, ca], [b, bc, ab], [c, ca, bc], [ab, bc, ca]]
        f = nf
    return np.array(v, np.float64), np.array(f, np.int32)

def torus(R, r, nu, nv):
    u = np.arange(nu) * 2 * np.pi / nu; w = np.arange(nv) * 2 * np.pi / nv
    U, W = np.meshgrid(u, w, indexing="ij")
    p = np.stack([(R + r * np.cos(W)) * np.cos(U), r * np.sin(W), (R + r * np.cos(W)) * np.sin(U)], -1).reshape(-1, 3)
    i, j = np.meshgrid(np.arange(nu), np.arange(nv), indexing="ij")
    a = i * nv + j; b = ((i + 1) % nu) * nv + j; c = ((i + 1) % nu) * nv + (j + 1) % nv; d = i * nv + (j + 1) % nv
    f = np.concatenate([np.stack([a, c, b], -1).reshape(-1, 3), np.stack([a, d, c], -1).reshape(-1, 3)])
    return p, f.astype(np.int32)

def tight_eye(p, az, el, fov=35.0, margin=1.05):
    c = (p.min(0) + p.max(0)) / 2
    az, el = math.radians(az), math.radians(el)
    up, front = np.array([0, 1, 0.0]), np.array([0, 0, -1.0])
    right = np.cross(front, up)
    d = (front * math.cos(az) + right * math.sin(az)) * math.cos(el) + up * math.sin(el)
    fwd = -d; r = np.cross(fwd, up); r /= np.linalg.norm(r); u = np.cross(r, fwd)
    q = p - c; z0 = q @ fwd; t = math.tan(math.radians(fov) / 2)
    dist = max((np.abs(q @ r) * margin / t - z0).max(), (np.abs(q @ u) * margin / t - z0).max())
    return c, c + d * dist

def main():
    import open3d as o3d
    frames = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    size = 512
    r = o3d.visualization.rendering.OffscreenRenderer(size, size)
    rows = []
    scenes = [("icosphere-6",) + icosphere(6), ("icosphere-7",) + icosphere(7), ("torus-1M",) + torus(1, 0.35, 1024, 512)]
    for name, p, f in scenes:
        for post in (True, False):
            m = o3d.geometry.TriangleMesh(o3d.utility.Vector3dVector(p), o3d.utility.Vector3iVector(f))
            m.compute_vertex_normals()
            mat = o3d.visualization.rendering.MaterialRecord(); mat.shader = "defaultLit"
            r.scene.clear_geometry(); r.scene.add_geometry("m", m, mat)
            r.scene.view.set_post_processing(post)
            c, eye = tight_eye(p, 30, 20)
            r.setup_camera(35.0, c.tolist(), eye.tolist(), [0, 1, 0])
            r.render_to_image()
            wall, cpu = [], []
            for _ in range(frames):
                t0, c0 = time.perf_counter(), time.process_time()
                img = r.render_to_image()
                wall.append((time.perf_counter() - t0) * 1e3); cpu.append((time.process_time() - c0) * 1e3)
            wall.sort(); cpu.sort()
            rows.append(dict(peer="open3d-offscreen-lavapipe", scene=name, faces=int(len(f)), width=size, height=size,
                             postProcessing=post, msPerFrame=wall[len(wall) // 2], msBest=wall[0], cpuMsPerFrame=cpu[len(cpu) // 2],
                             frames=frames, open3d=o3d.__version__))
            if len(sys.argv) > 2: o3d.io.write_image(sys.argv[2] + f"/{name}-{'post' if post else 'raw'}.png", img)
    sys.stdout.flush()
    print("OCTOPLANE-JSON")  # Filament logs on stdout before this line
    print(json.dumps(rows, indent=1))

if __name__ == "__main__":
    main()
