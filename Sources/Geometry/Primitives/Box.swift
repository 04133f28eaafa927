import Foundation

extension TriangleMesh {
    /// An axis-aligned box, optionally with rounded (filleted) edges and corners.
    ///
    /// The surface is built on a grid over the cube's six faces whose coordinates along each axis
    /// are `[-h, -h+b (in `bevelSegments` steps, cosine spaced), h-b, h]`; every grid vertex p is
    /// then moved to q + b·(p − q)/|p − q| where q is p clamped to the inner box [−(h−b), h−b].
    /// Flat parts stay put; edge bands become quarter cylinders and corners sphere octants of
    /// radius b, so the result is the Minkowski sum of the inner box and a ball of radius b
    /// (vertices lie on it exactly). Shared grid vertices make it watertight.
    ///
    /// - Parameters:
    ///   - size: full edge lengths along x, y, z, all > 0.
    ///   - center: the box centre.
    ///   - bevel: fillet radius b, 0 ≤ b ≤ half the smallest side (0: a plain 12-triangle box; at
    ///     the maximum the box becomes a capsule/sphere-like shape).
    ///   - bevelSegments: segments across each rounded band (≥ 1; ignored when `bevel` is 0).
    /// - Returns: closed, outward-oriented, χ = 2. Volume of the rounded box with inner sides
    ///   a = size − 2b: aₓa_ya_z + 2b(aₓa_y + a_ya_z + a_zaₓ) + πb²(aₓ + a_y + a_z) + 4/3·πb³.
    public static func box(size: Vec3, center: Vec3 = .zero, bevel: Float = 0, bevelSegments: Int = 3) -> TriangleMesh {
        precondition(size.x > 0 && size.y > 0 && size.z > 0 && size.isFinite, "box sides must be positive")
        precondition(bevel >= 0 && bevel <= size.min() / 2 + 1e-6, "bevel must be in 0...min(size)/2")
        precondition(bevelSegments >= 1, "bevelSegments must be ≥ 1")
        let h = size / 2
        let b = Swift.min(bevel, size.min() / 2)
        // Grid coordinates per axis.
        func axis(_ h: Float) -> [Float] {
            if b == 0 { return [-h, h] }
            var c = [Float]()
            let n = bevelSegments
            for i in 0...n { c.append(-h + b * (1 - cosf(Float.pi / 2 * Float(i) / Float(n)))) }
            var upper = c.reversed().map { -$0 }
            // Drop duplicates when the inner box is flat along this axis (b == h).
            if abs(c.last! - upper.first!) < 1e-7 * Swift.max(1, h) { upper.removeFirst() }
            return c + upper
        }
        let cx = axis(h.x), cy = axis(h.y), cz = axis(h.z)
        let n = SIMD3<Int>(cx.count - 1, cy.count - 1, cz.count - 1)
        let inner = h - b
        var index: [SIMD3<Int32>: UInt32] = [:]
        var pos = [Vec3]()
        func vertex(_ g: SIMD3<Int>) -> UInt32 {
            let key = SIMD3<Int32>(Int32(g.x), Int32(g.y), Int32(g.z))
            if let v = index[key] { return v }
            var p = Vec3(cx[g.x], cy[g.y], cz[g.z])
            if b > 0 {
                let q = pointwiseMin(pointwiseMax(p, -inner), inner)
                let d = p - q
                let l = length(d)
                if l > 0 { p = q + d * (b / l) }
            }
            let v = UInt32(pos.count)
            pos.append(p + center)
            index[key] = v
            return v
        }
        var tri = [SIMD3<UInt32>]()
        // For each axis a and side s, the face grid spans the other two axes (u, v) with u × v = ±a.
        for a in 0..<3 {
            let u = (a + 1) % 3, v = (a + 2) % 3   // e_u × e_v = e_a (cyclic)
            for side in [0, 1] {
                for i in 0..<n[u] {
                    for j in 0..<n[v] {
                        func g(_ di: Int, _ dj: Int) -> UInt32 {
                            var c = SIMD3<Int>(repeating: 0)
                            c[a] = side == 0 ? 0 : n[a]
                            c[u] = i + di; c[v] = j + dj
                            return vertex(c)
                        }
                        let p00 = g(0, 0), p10 = g(1, 0), p11 = g(1, 1), p01 = g(0, 1)
                        // CCW around +e_a on the +side, reversed on the −side.
                        if side == 1 { tri += [SIMD3(p00, p10, p11), SIMD3(p00, p11, p01)] }
                        else { tri += [SIMD3(p00, p11, p10), SIMD3(p00, p01, p11)] }
                    }
                }
            }
        }
        return TriangleMesh(positions: pos, triangles: tri)
    }
}
