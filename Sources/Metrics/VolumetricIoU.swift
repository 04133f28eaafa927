import Geometry
import Support

/// Volumetric intersection over union (Mescheder et al., "Occupancy Networks", CVPR 2019):
///
///     IoU = |{i : a_i ∧ b_i}| / |{i : a_i ∨ b_i}|
///
/// over boolean occupancies of the **same** query points, which are uniform in a box holding
/// both shapes (ONet's `points.npz`: 100k points uniform in the unit cube padded by 10%,
/// [-0.55, 0.55]³, with ground-truth occupancies; an occupancy probability counts as inside when
/// ≥ 0.5). Any box that holds both shapes gives an unbiased estimate of the same ratio, the box's
/// volume cancels; a tighter box only lowers the variance.
///
/// Edge case: when no point is inside either shape the union is empty; ONet's code returns NaN
/// there, Octoplane returns 1 (the occupancies agree everywhere) and says so here.
public enum VolumetricIoU {
    /// IoU of two (N,) occupancy arrays. Throws `countMismatch` if their lengths differ and
    /// `emptyPointCloud` for N = 0.
    public static func compute(_ a: [Bool], _ b: [Bool]) throws -> Double {
        guard !a.isEmpty else { throw MetricsError.emptyPointCloud(role: "occupancy points") }
        guard a.count == b.count else {
            throw MetricsError.countMismatch(role: "occupancy", what: "occupancies (one per query point)", expected: a.count, got: b.count)
        }
        var inter = 0, union = 0
        for i in 0..<a.count {
            if a[i] && b[i] { inter += 1 }
            if a[i] || b[i] { union += 1 }
        }
        return union == 0 ? 1 : Double(inter) / Double(union)
    }

    /// `count` points uniform in `box`, deterministic for a seed (SplitMix64 streams per block, so
    /// the points do not depend on the thread count).
    public static func uniformPoints(in box: AABB, count: Int, seed: UInt64) -> [Vec3] {
        precondition(!box.isEmpty && count >= 0)
        let base = SeededRandom(seed: seed)
        let block = 4096
        var out = [Vec3](repeating: .zero, count: count)
        out.withUnsafeMutableBufferPointer { buf in
            let p = buf.baseAddress
            let blocks = (count + block - 1) / block
            parallelFor(blocks, minChunk: 1) { r in
                for b in r {
                    var rng = base.split(UInt64(b))
                    for i in (b * block)..<min(count, (b + 1) * block) {
                        let u = Vec3(rng.nextFloat(), rng.nextFloat(), rng.nextFloat())
                        p![i] = box.min + u * box.extent
                    }
                }
            }
        }
        return out
    }

    /// IoU of two meshes on `count` uniform points in the union of their bounding boxes (padded
    /// by 5% of its longest side). `occupancy(mesh, points)` answers inside (true) / outside per
    /// point, e.g. the winding-number test of the Sampling module. Throws `emptyMesh` for a mesh
    /// without faces and `nonFinite` for NaN vertices.
    public static func compute(_ a: TriangleMesh, _ b: TriangleMesh, count: Int = 100_000, seed: UInt64 = 0,
                               occupancy: (TriangleMesh, [Vec3]) throws -> [Bool]) throws -> Double {
        for (m, role) in [(a, "prediction"), (b, "reference")] {
            guard !m.isEmpty else { throw MetricsError.emptyMesh(role: role) }
            for (v, p) in m.positions.enumerated() where !p.isFinite { throw MetricsError.nonFinite(role: role, what: "vertex", index: v) }
        }
        guard count >= 1 else { throw MetricsError.invalidParameter("IoU point count must be ≥ 1, got \(count)") }
        let box = a.bounds.union(b.bounds)
        let pts = uniformPoints(in: box.padded(by: 0.05 * max(box.longestSide, 1e-6)), count: count, seed: seed)
        return try compute(try occupancy(a, pts), try occupancy(b, pts))
    }
}
