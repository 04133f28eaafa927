import Foundation
import Geometry

/// Per-triangle kernels shared by `TriangleBVH` and the brute-force oracles in the tests.
public enum TrianglePrimitives {
    /// Closest point to `p` on triangle (a, b, c) and its barycentrics (wa, wb, wc), summing to 1.
    ///
    /// Voronoi-region walk of Ericson, *Real-Time Collision Detection* (2005), §5.1.5. Degenerate
    /// triangles (repeated or collinear corners) are handled: an edge region with a zero-length
    /// edge is skipped, and a (near-)zero-area triangle falls back to the nearest point on its
    /// three edges (its convex hull is a segment or a point).
    @inlinable @inline(__always)
    public static func closestPoint(_ p: Vec3, _ a: Vec3, _ b: Vec3, _ c: Vec3) -> (point: Vec3, barycentric: Vec3) {
        let ab = b - a, ac = c - a, ap = p - a
        let d1 = dot(ab, ap), d2 = dot(ac, ap)
        if d1 <= 0 && d2 <= 0 { return (a, Vec3(1, 0, 0)) }
        let bp = p - b
        let d3 = dot(ab, bp), d4 = dot(ac, bp)
        if d3 >= 0 && d4 <= d3 { return (b, Vec3(0, 1, 0)) }
        let vc = d1 * d4 - d3 * d2
        if vc <= 0 && d1 >= 0 && d3 <= 0 {
            let den = d1 - d3
            if den > 0 { let v = d1 / den; return (a + v * ab, Vec3(1 - v, v, 0)) }
        }
        let cp = p - c
        let d5 = dot(ab, cp), d6 = dot(ac, cp)
        if d6 >= 0 && d5 <= d6 { return (c, Vec3(0, 0, 1)) }
        let vb = d5 * d2 - d1 * d6
        if vb <= 0 && d2 >= 0 && d6 <= 0 {
            let den = d2 - d6
            if den > 0 { let w = d2 / den; return (a + w * ac, Vec3(1 - w, 0, w)) }
        }
        let va = d3 * d6 - d5 * d4
        if va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0 {
            let den = (d4 - d3) + (d5 - d6)
            if den > 0 { let w = (d4 - d3) / den; return (b + w * (c - b), Vec3(0, 1 - w, w)) }
        }
        // va + vb + vc = |ab × ac|²: too small relative to the edges means a (near-)degenerate
        // triangle, whose closest point lies on one of its edges.
        let denom = va + vb + vc
        if denom > 1e-10 * dot(ab, ab) * dot(ac, ac) && denom.isFinite {
            let v = vb / denom, w = vc / denom
            return (a + ab * v + ac * w, Vec3(1 - v - w, v, w))
        }
        return closestOnEdges(p, a, b, c)
    }

    @usableFromInline static func closestOnEdges(_ p: Vec3, _ a: Vec3, _ b: Vec3, _ c: Vec3) -> (point: Vec3, barycentric: Vec3) {
        func seg(_ x: Vec3, _ y: Vec3) -> (Vec3, Float) {
            let e = y - x, l = dot(e, e)
            let t = l > 0 ? min(max(dot(p - x, e) / l, 0), 1) : 0
            return (x + t * e, t)
        }
        let (q0, t0) = seg(a, b), (q1, t1) = seg(b, c), (q2, t2) = seg(c, a)
        let d0 = lengthSquared(p - q0), d1 = lengthSquared(p - q1), d2 = lengthSquared(p - q2)
        if d0 <= d1 && d0 <= d2 { return (q0, Vec3(1 - t0, t0, 0)) }
        if d1 <= d2 { return (q1, Vec3(0, 1 - t1, t1)) }
        return (q2, Vec3(t2, 0, 1 - t2))
    }

    /// Möller–Trumbore ray–triangle intersection ("Fast, minimum storage ray-triangle
    /// intersection", JGT 1997). Returns t (hit = o + t·d) and barycentrics (u, v) of b and c,
    /// or nil when the ray misses, is parallel to the plane, or the triangle is degenerate.
    /// Both sides of the triangle are hit (no culling).
    @inlinable @inline(__always)
    public static func intersect(origin o: Vec3, direction d: Vec3, _ a: Vec3, _ b: Vec3, _ c: Vec3) -> (t: Float, u: Float, v: Float)? {
        let e1 = b - a, e2 = c - a
        let pv = cross(d, e2)
        let det = dot(e1, pv)
        if !(abs(det) > 1e-30) { return nil }
        let inv = 1 / det
        let tv = o - a
        let u = dot(tv, pv) * inv
        if u < 0 || u > 1 { return nil }
        let qv = cross(tv, e1)
        let v = dot(d, qv) * inv
        if v < 0 || u + v > 1 { return nil }
        let t = dot(e2, qv) * inv
        return (t, u, v)
    }

    /// Signed solid angle Ω of triangle (a, b, c) seen from `q`, in steradians, by Van Oosterom &
    /// Strackee, "The solid angle of a plane triangle" (IEEE Trans. Biomed. Eng., 1983):
    /// tan(Ω/2) = a·(b×c) / (|a||b||c| + (a·b)|c| + (b·c)|a| + (c·a)|b|) with corners relative to q.
    /// Positive when q is on the side the normal (b−a)×(c−a) points away from (inside a closed,
    /// outward-oriented mesh). Ω/(4π) summed over a closed mesh is its winding number.
    @inlinable @inline(__always)
    public static func solidAngle(_ q: Vec3, _ a: Vec3, _ b: Vec3, _ c: Vec3) -> Float {
        let x = a - q, y = b - q, z = c - q
        let lx = length(x), ly = length(y), lz = length(z)
        let num = dot(x, cross(y, z))
        let den = lx * ly * lz + dot(x, y) * lz + dot(y, z) * lx + dot(z, x) * ly
        return 2 * atan2f(num, den)
    }
}

// MARK: SIMD kernels of the fast winding number's near field

extension TrianglePrimitives {
    /// atan2(y, x) on four lanes at once, max abs error ≈ 2e-7 rad (minimax polynomial for atan on
    /// [0, 1] by N. Juffa, with the usual octant reduction). atan2(0, 0) = 0; NaN in → NaN out.
    @inlinable @inline(__always)
    public static func atan2(_ y: SIMD4<Float>, _ x: SIMD4<Float>) -> SIMD4<Float> {
        let ax = vmax(x, -x), ay = vmax(y, -y)
        let hi = vmax(ax, ay), lo = vmin(ax, ay)
        let a = (lo / hi).replacing(with: 0, where: hi .== 0)
        let s = a * a
        var r = SIMD4<Float>(repeating: 0.002_823_638_962_581_753_730_773_93)
        r = r * s - 0.015_956_902_876_496_315_002_441_4
        r = r * s + 0.042_504_988_610_744_476_318_359_4
        r = r * s - 0.074_890_092_015_266_418_457_031_2
        r = r * s + 0.106_347_933_411_598_205_566_406
        r = r * s - 0.142_027_363_181_114_196_777_344
        r = r * s + 0.199_926_957_488_059_997_558_594
        r = r * s - 0.333_331_018_686_294_555_664_062
        r = (r * s) * a + a
        r = r.replacing(with: Float.pi / 2 - r, where: ay .> ax)
        r = r.replacing(with: Float.pi - r, where: x .< 0)
        return r.replacing(with: -r, where: y .< 0)
    }

    /// Σ signed solid angles of the `count` triangles in leaf slots s0 ..< s0 + count (corners
    /// `tri[3s], tri[3s+1], tri[3s+2]`) seen from q, four triangles per SIMD step. Same formula as
    /// `solidAngle` (Van Oosterom & Strackee 1983); unused lanes hold a zero-volume triangle.
    @inlinable @inline(__always)
    public static func solidAngleSum(_ q: Vec3, _ tri: UnsafePointer<Vec3>, _ s0: Int, _ count: Int) -> Float {
        var total: Float = 0
        var s = s0
        let end = s0 + count
        while s < end {
            let n = min(4, end - s)
            // Padding lanes: a = b = c = (1, 0, 0) relative to q → numerator 0, denominator 4.
            var ax = SIMD4<Float>(repeating: 1), ay = SIMD4<Float>.zero, az = SIMD4<Float>.zero
            var bx = ax, by = ay, bz = az, cx = ax, cy = ay, cz = az
            for k in 0..<n {
                let a = tri[3 * (s + k)] - q, b = tri[3 * (s + k) + 1] - q, c = tri[3 * (s + k) + 2] - q
                ax[k] = a.x; ay[k] = a.y; az[k] = a.z
                bx[k] = b.x; by[k] = b.y; bz[k] = b.z
                cx[k] = c.x; cy[k] = c.y; cz[k] = c.z
            }
            let la = (ax * ax + ay * ay + az * az).squareRoot()
            let lb = (bx * bx + by * by + bz * bz).squareRoot()
            let lc = (cx * cx + cy * cy + cz * cz).squareRoot()
            // b × c
            let kx = by * cz - bz * cy, ky = bz * cx - bx * cz, kz = bx * cy - by * cx
            let num = ax * kx + ay * ky + az * kz
            let ab = ax * bx + ay * by + az * bz
            let bc = bx * cx + by * cy + bz * cz
            let ca = cx * ax + cy * ay + cz * az
            let den = la * lb * lc + ab * lc + bc * la + ca * lb
            total += (2 * atan2(num, den)).sum()
            s += n
        }
        return total
    }
}
