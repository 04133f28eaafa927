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
