import Geometry
import Support

/// Seeded point samplers: the same (inputs, seed) give the same points on every machine and for
/// every thread count. Arrays are (N,) `Vec3`; order is the draw order.
public enum PointSampler {
    /// N points uniform in `box` (per axis lo + (hi − lo)·u, u ∈ [0, 1)). An empty box → [].
    public static func uniform(in box: AABB, count: Int, seed: UInt64) -> [Vec3] {
        guard count > 0, !box.isEmpty else { return [] }
        var rng = SeededRandom(seed: seed)
        let lo = box.min, ext = box.max - box.min
        return (0..<count).map { _ in
            let u = Vec3(rng.nextFloat(), rng.nextFloat(), rng.nextFloat())
            return lo + u * ext
        }
    }

    /// Near-surface points: area-weighted surface points (`TriangleMesh.sampleSurface`) plus
    /// isotropic Gaussian noise N(0, σ²I). With several σs (a mixture), point i uses
    /// `sigmas[i % sigmas.count]`, so each σ gets an equal share in a fixed pattern.
    /// NFD uses σ = 0.01 in its [-1, 1] frame. A mesh with zero area → [].
    public static func nearSurface(_ mesh: TriangleMesh, count: Int, sigmas: [Float], seed: UInt64) -> [Vec3] {
        precondition(!sigmas.isEmpty && sigmas.allSatisfy { $0 >= 0 && $0.isFinite }, "σ must be finite and ≥ 0")
        var out = mesh.sampleSurface(count: count, seed: seed).points
        var rng = SeededRandom(seed: seed).split(1)
        for i in out.indices {
            let s = sigmas[i % sigmas.count]
            out[i] += s * Vec3(rng.normal(), rng.normal(), rng.normal())
        }
        return out
    }

    /// Points on the surface with the unit normals of their faces (area-weighted).
    public static func surface(_ mesh: TriangleMesh, count: Int, seed: UInt64) -> (points: [Vec3], normals: [Vec3]) {
        let s = mesh.sampleSurface(count: count, seed: seed)
        return (s.points, s.normals)
    }
}
