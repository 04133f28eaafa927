import Geometry
import Support

// Analytic distance fields with exact gradients: the oracles for extraction tests and benchmarks.
// Signed fields are negative inside. Every gradient is the unit direction of steepest ascent
// (where it is undefined — a sphere's centre, a medial point — some unit or zero vector is returned).

/// Signed distance to a sphere: |p − c| − r.
public struct SphereSDF: GradientField {
    public var center: Vec3
    public var radius: Float
    public init(center: Vec3 = .zero, radius: Float) { self.center = center; self.radius = radius }
    public func value(at p: Vec3) -> Float { length(p - center) - radius }
    public func valueAndGradient(at p: Vec3) -> (Float, Vec3) {
        let d = p - center
        let l = length(d)
        return (l - radius, l > 0 ? d / l : Vec3(0, 0, 1))
    }
    public var area: Float { 4 * .pi * radius * radius }
}

/// Signed distance to a torus around the z axis through `center`: major radius R (centre of the
/// tube), minor radius r (tube). Closed surface of genus 1 when r < R.
public struct TorusSDF: GradientField {
    public var center: Vec3
    public var majorRadius: Float
    public var minorRadius: Float
    public init(center: Vec3 = .zero, majorRadius: Float, minorRadius: Float) {
        self.center = center; self.majorRadius = majorRadius; self.minorRadius = minorRadius
    }
    /// The closest point of the tube's centre circle, and the offset from it.
    @inline(__always) func spine(_ p: Vec3) -> Vec3 {
        let d = p - center
        let rho = (d.x * d.x + d.y * d.y).squareRoot()
        let dir = rho > 0 ? SIMD2(d.x, d.y) / rho : SIMD2<Float>(1, 0)
        return Vec3(d.x - dir.x * majorRadius, d.y - dir.y * majorRadius, d.z)
    }
    public func value(at p: Vec3) -> Float { length(spine(p)) - minorRadius }
    public func valueAndGradient(at p: Vec3) -> (Float, Vec3) {
        let q = spine(p)
        let l = length(q)
        return (l - minorRadius, l > 0 ? q / l : Vec3(0, 0, 1))
    }
    public var area: Float { 4 * .pi * .pi * majorRadius * minorRadius }
}

/// Signed distance to a box of half extents `halfExtent` whose edges and corners are rounded by
/// `radius` (the solid is the inner box [−b, b] dilated by r; the surface is C¹).
public struct RoundedBoxSDF: GradientField {
    public var center: Vec3
    public var halfExtent: Vec3
    public var radius: Float
    public init(center: Vec3 = .zero, halfExtent: Vec3, radius: Float) {
        self.center = center; self.halfExtent = halfExtent; self.radius = radius
    }
    public func value(at p: Vec3) -> Float { valueAndGradient(at: p).0 }
    public func valueAndGradient(at p: Vec3) -> (Float, Vec3) {
        let d = p - center
        let sgn = Vec3(d.x < 0 ? -1 : 1, d.y < 0 ? -1 : 1, d.z < 0 ? -1 : 1)
        let q = Vec3(abs(d.x), abs(d.y), abs(d.z)) - halfExtent
        let w = pointwiseMax(q, Vec3.zero)
        let lw = length(w)
        if lw > 0 { return (lw - radius, sgn * w / lw) }
        let m = q.max()
        var g = Vec3.zero
        let axis = q.x == m ? 0 : (q.y == m ? 1 : 2)
        g[axis] = sgn[axis]
        return (m - radius, g)
    }
    /// Surface area of the rounded box (faces + quarter cylinders + sphere).
    public var area: Float {
        let e = 2 * halfExtent
        let faces = 2 * (e.x * e.y + e.y * e.z + e.z * e.x)
        let cylinders = 2 * .pi * radius * (e.x + e.y + e.z)
        return faces + cylinders + 4 * .pi * radius * radius
    }
}

/// The unsigned distance |f| of a signed distance field, with gradient sign(f)·∇f.
public struct UnsignedDistance<Base: GradientField>: GradientField {
    public var base: Base
    public init(_ base: Base) { self.base = base }
    public func value(at p: Vec3) -> Float { abs(base.value(at: p)) }
    public func valueAndGradient(at p: Vec3) -> (Float, Vec3) {
        let (v, g) = base.valueAndGradient(at: p)
        return (abs(v), v < 0 ? -g : g)
    }
}

/// Unsigned distance to the upper half (z ≥ center.z) of a sphere: an open surface whose boundary
/// is the equator circle.
public struct HemisphereUDF: GradientField {
    public var center: Vec3
    public var radius: Float
    public init(center: Vec3 = .zero, radius: Float) { self.center = center; self.radius = radius }
    func closest(_ p: Vec3) -> Vec3 {
        let d = p - center
        let l = length(d)
        if d.z >= 0 { return center + (l > 0 ? d / l : Vec3(0, 0, 1)) * radius }
        let rho = (d.x * d.x + d.y * d.y).squareRoot()
        let dir = rho > 0 ? SIMD2(d.x, d.y) / rho : SIMD2<Float>(1, 0)
        return center + Vec3(dir.x * radius, dir.y * radius, 0)
    }
    public func value(at p: Vec3) -> Float { length(p - closest(p)) }
    public func valueAndGradient(at p: Vec3) -> (Float, Vec3) {
        let c = closest(p)
        let u = length(p - c)
        let d = p - center
        let fallback = normalize(d.z >= 0 ? d : Vec3(0, 0, 1))
        return (u, u > 0 ? (p - c) / u : fallback)
    }
    public var area: Float { 2 * .pi * radius * radius }
}

/// Unsigned distance to the planar disc {z = center.z, (x−cx)² + (y−cy)² ≤ R²}: an open surface.
public struct DiscUDF: GradientField {
    public var center: Vec3
    public var radius: Float
    public init(center: Vec3 = .zero, radius: Float) { self.center = center; self.radius = radius }
    func closest(_ p: Vec3) -> Vec3 {
        let d = p - center
        let rho = (d.x * d.x + d.y * d.y).squareRoot()
        let s: Float = rho > radius ? radius / rho : 1
        return center + Vec3(d.x * s, d.y * s, 0)
    }
    public func value(at p: Vec3) -> Float { length(p - closest(p)) }
    public func valueAndGradient(at p: Vec3) -> (Float, Vec3) {
        let c = closest(p)
        let u = length(p - c)
        return (u, u > 0 ? (p - c) / u : Vec3(0, 0, p.z >= center.z ? 1 : -1))
    }
    public var area: Float { .pi * radius * radius }
}

/// Signed distance to a union of spheres (min of the spheres' SDFs; exact outside, a lower bound
/// on |d| inside overlaps). `UnionOfSpheresSDF.random(count:seed:)` is the marching-cubes benchmark
/// field: centres uniform in [−0.6, 0.6]³, radii uniform in [0.1, 0.3] (SplitMix64 stream `seed`).
public struct UnionOfSpheresSDF: GradientField {
    public var centers: [Vec3]
    public var radii: [Float]
    public init(centers: [Vec3], radii: [Float]) {
        precondition(centers.count == radii.count && !centers.isEmpty, "one radius per centre, at least one sphere")
        self.centers = centers; self.radii = radii
    }
    public static func random(count: Int = 20, seed: UInt64 = 0) -> UnionOfSpheresSDF {
        var g = SeededRandom(seed: seed)
        var c: [Vec3] = [], r: [Float] = []
        for _ in 0..<count {
            c.append(Vec3(g.uniform(-0.6, 0.6), g.uniform(-0.6, 0.6), g.uniform(-0.6, 0.6)))
            r.append(g.uniform(0.1, 0.3))
        }
        return UnionOfSpheresSDF(centers: c, radii: r)
    }
    public func value(at p: Vec3) -> Float {
        var m = Float.infinity
        for s in 0..<centers.count { m = min(m, length(p - centers[s]) - radii[s]) }
        return m
    }
    public func valueAndGradient(at p: Vec3) -> (Float, Vec3) {
        var m = Float.infinity, best = 0
        for s in 0..<centers.count {
            let v = length(p - centers[s]) - radii[s]
            if v < m { m = v; best = s }
        }
        return (m, normalize(p - centers[best]))
    }
}
