/// Internal builder shared by the revolved, swept, cylinder and torus primitives: a stack of
/// rings with the same number of points, stitched ring to ring by quads (two triangles each).
///
/// - `rings`: M ≥ 1 rings of S ≥ 3 points each; point k of ring i is joined to point k of ring i+1.
/// - `start` / `end`: optional apex points fanned to the first / last ring (a pole on the axis or
///   the centre of a flat cap). Both given (or `loop`) make the surface closed.
/// - `loop`: the last ring is joined back to the first (a torus-like closed tube); then `start`
///   and `end` must be nil.
/// - Orientation: whatever the order of the rings, the result is made outward by the sign of the
///   enclosed volume (a closed surface with negative signed volume is flipped).
enum RingMesh {
    static func build(rings: [[Vec3]], start: Vec3?, end: Vec3?, loop: Bool = false) -> TriangleMesh {
        precondition(!rings.isEmpty, "at least one ring")
        let s = rings[0].count
        precondition(s >= 3 && rings.allSatisfy { $0.count == s }, "rings need the same number (≥ 3) of points")
        precondition(!loop || (start == nil && end == nil), "a looped tube has no apex points")
        var pos = [Vec3]()
        pos.reserveCapacity(rings.count * s + 2)
        for r in rings { pos += r }
        var tri = [SIMD3<UInt32>]()
        tri.reserveCapacity(rings.count * s * 2 + 2 * s)
        func idx(_ i: Int, _ k: Int) -> UInt32 { UInt32(i * s + (k % s)) }
        let m = rings.count
        let spans = loop ? m : m - 1
        for i in 0..<spans {
            let j = (i + 1) % m
            for k in 0..<s {
                let a = idx(i, k), b = idx(i, k + 1), c = idx(j, k + 1), d = idx(j, k)
                tri.append(SIMD3(a, b, c)); tri.append(SIMD3(a, c, d))
            }
        }
        if let st = start {
            let p = UInt32(pos.count); pos.append(st)
            for k in 0..<s { tri.append(SIMD3(p, idx(0, k + 1), idx(0, k))) }
        }
        if let en = end {
            let p = UInt32(pos.count); pos.append(en)
            for k in 0..<s { tri.append(SIMD3(p, idx(m - 1, k), idx(m - 1, k + 1))) }
        }
        let mesh = TriangleMesh(positions: pos, triangles: tri)
        return mesh.signedVolume < 0 ? mesh.flipped() : mesh
    }

    /// S points of the unit circle in the plane spanned by `u`, `v` (angle 2πk/S from `u`).
    static func circle(_ segments: Int) -> [(Float, Float)] {
        (0..<segments).map { k in
            let a = 2 * Float.pi * Float(k) / Float(segments)
            return (cosf(a), sinf(a))
        }
    }
}

import Foundation
