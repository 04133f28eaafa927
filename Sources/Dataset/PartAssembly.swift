import Foundation
import Geometry

/// One closed part of a synthesized shape (a leg, a slat, a wing).
public struct SynthPart: Sendable {
    public var name: String
    /// Closed, outward-oriented mesh of this part alone (parts overlap; they are never unioned).
    public var mesh: TriangleMesh
    /// The part's smallest dimension as built (box side, 2 × tube radius, wall thickness), in the
    /// shape's units.
    public var thickness: Float
}

/// Collects the parts of one shape and keeps thin parts printable: every thickness the generator
/// asks for is raised to at least `floor`, which the generator sets from the shape's expected size
/// (`thinPartFraction` × 1.5 × estimated bounding-box diagonal), so that after ShapeNet v2
/// normalization (diagonal 1) no part is thinner than 1/128: it survives 128³ extraction.
struct PartAssembly {
    /// The thinnest part allowed, relative to the normalized shape (bounding-box diagonal 1).
    static let thinPartFraction: Float = 1.0 / 128
    let floor: Float
    var parts: [SynthPart] = []

    init(estimatedDiagonal: Float) {
        floor = 1.5 * PartAssembly.thinPartFraction * estimatedDiagonal
    }

    /// A thickness raised to the floor.
    func t(_ x: Float) -> Float { max(x, floor) }
    /// A radius raised to half the floor.
    func r(_ x: Float) -> Float { max(x, floor / 2) }

    mutating func add(_ name: String, _ mesh: TriangleMesh, thickness: Float) {
        parts.append(SynthPart(name: name, mesh: mesh, thickness: thickness))
    }

    /// A (bevelled) box of `size` (each side raised to the floor), rotated about its centre.
    mutating func box(_ name: String, size: Vec3, center: Vec3, bevel: Float = 0, rotation: Rotation3 = .identity) {
        let s = Vec3(t(size.x), t(size.y), t(size.z))
        let b = min(max(bevel, 0), 0.45 * s.min())
        let m = TriangleMesh.box(size: s, bevel: b, bevelSegments: b > 0 ? 2 : 1).transformed(rotation: rotation, translation: center)
        add(name, m, thickness: s.min())
    }

    /// A box whose long axis runs from `a` to `b` with a `w` × `h` section (h along `up` projected).
    /// `endScale` tapers the section linearly towards `b` (the thin end is still ≥ the floor).
    mutating func beam(_ name: String, from a: Vec3, to b: Vec3, width w: Float, height h: Float, endScale: Float = 1) {
        let e = max(endScale, max(floor / w, floor / h))
        let tw = t(w) / 2, th = t(h) / 2
        let sec: [SIMD2<Float>] = [[tw, th], [-tw, th], [-tw, -th], [tw, -th]]
        add(name, .sweep(path: [a, b], section: sec, scales: [[1, 1], [e, e]]), thickness: 2 * min(tw, th) * min(1, e))
    }

    /// A cylinder or frustum from `a` to `b`.
    /// A segment shorter than the floor is lengthened about its midpoint.
    mutating func cylinder(_ name: String, from a: Vec3, to b: Vec3, radius: Float, topRadius: Float? = nil, segments: Int = 24) {
        let r0 = r(radius), r1 = r(topRadius ?? radius)
        var a = a, b = b
        let len = length(b - a)
        if len < floor { let m = (a + b) / 2, d = (b - a) / len * (floor / 2); a = m - d; b = m + d }
        add(name, .cylinder(from: a, to: b, radius: r0, topRadius: r1, segments: segments), thickness: min(2 * min(r0, r1), max(len, floor)))
    }

    /// A vertical elliptic cylinder (disc, oval table top) centred at `center`.
    mutating func ellipticCylinder(_ name: String, radii: SIMD2<Float>, height: Float, center: Vec3, segments: Int = 48) {
        let rx = r(radii.x), rz = r(radii.y), h = t(height)
        let m = TriangleMesh.cylinder(radius: 1, height: 1, segments: segments).scaled(by: Vec3(rx, h, rz)).transformed(translation: center)
        add(name, m, thickness: min(h, 2 * min(rx, rz)))
    }

    mutating func ellipsoid(_ name: String, radii: Vec3, center: Vec3, rotation: Rotation3 = .identity, subdivisions: Int = 2) {
        let rr = Vec3(r(radii.x), r(radii.y), r(radii.z))
        add(name, TriangleMesh.ellipsoid(radii: rr, subdivisions: subdivisions).transformed(rotation: rotation, translation: center), thickness: 2 * rr.min())
    }

    mutating func sphere(_ name: String, radius: Float, center: Vec3) {
        ellipsoid(name, radii: Vec3(repeating: radius), center: center)
    }

    /// A ring torus about the Y axis, then rotated and moved.
    mutating func torus(_ name: String, major: Float, minor: Float, center: Vec3, rotation: Rotation3 = .identity) {
        let mi = r(minor)
        add(name, TriangleMesh.torus(major: max(major, 1.5 * mi), minor: mi, majorSegments: 40, minorSegments: 12).transformed(rotation: rotation, translation: center), thickness: 2 * mi)
    }

    /// A round tube along a polyline (capped).
    mutating func tube(_ name: String, path: [Vec3], radius: Float, sides: Int = 12) {
        let rr = r(radius)
        add(name, .sweep(path: path, radius: rr, sides: sides), thickness: 2 * rr)
    }

    /// A tube with an arbitrary (star-shaped) section, given at scale; `thickness` is the
    /// section's smallest width (the caller must have raised it to the floor).
    mutating func sweep(_ name: String, path: [Vec3], section: [SIMD2<Float>], thickness: Float, up: Vec3? = nil) {
        add(name, .sweep(path: path, section: section, up: up), thickness: thickness)
    }

    mutating func revolved(_ name: String, profile: [SIMD2<Float>], center: Vec3, thickness: Float, segments: Int = 48) {
        add(name, .revolved(profile: profile, segments: segments, center: center), thickness: thickness)
    }

    mutating func revolvedLoop(_ name: String, loop: [SIMD2<Float>], center: Vec3, thickness: Float, segments: Int = 48, rotation: Rotation3 = .identity) {
        add(name, TriangleMesh.revolved(loop: loop, segments: segments).transformed(rotation: rotation, translation: center), thickness: thickness)
    }

    mutating func loft(_ name: String, sections: [[Vec3]], thickness: Float) {
        add(name, .loft(sections: sections), thickness: thickness)
    }
}

/// Points of a closed polyline / section helpers shared by the category generators.
enum Shapes2D {
    /// A rounded rectangle of half-sizes (a, b) and corner radius c, counter-clockwise from +x,
    /// `perCorner` points per quarter circle (4·perCorner points).
    static func roundedRect(halfWidth a: Float, halfHeight b: Float, corner c: Float, perCorner: Int = 4) -> [SIMD2<Float>] {
        let c = min(c, 0.95 * min(a, b))
        let centers: [SIMD2<Float>] = [[a - c, b - c], [-(a - c), b - c], [-(a - c), -(b - c)], [a - c, -(b - c)]]
        var pts = [SIMD2<Float>]()
        for (q, ctr) in centers.enumerated() {
            for k in 0..<perCorner {
                let ang = Float.pi / 2 * (Float(q) + Float(k) / Float(perCorner - 1))
                pts.append(ctr + c * SIMD2(cosf(ang), sinf(ang)))
            }
        }
        return pts
    }

    /// An ellipse of half-axes (a, b), `n` points counter-clockwise from +x.
    static func ellipse(_ a: Float, _ b: Float, _ n: Int = 12) -> [SIMD2<Float>] {
        (0..<n).map { k in let ang = 2 * Float.pi * Float(k) / Float(n); return SIMD2(a * cosf(ang), b * sinf(ang)) }
    }

    /// A symmetric airfoil (NACA 00xx thickness law, Abbott & von Doenhoff, "Theory of Wing
    /// Sections", 1959) of unit chord from (0,0) to (1,0), thickness ratio `tc`; every half-thickness
    /// is raised to `minHalf` (a blunt trailing edge), `n` points per side. Returns (x, y) going
    /// over the top from the trailing edge to the leading edge and back along the bottom.
    static func airfoil(tc: Float, minHalf: Float, n: Int = 9) -> [SIMD2<Float>] {
        func half(_ x: Float) -> Float {
            let y = 5 * tc * (0.2969 * x.squareRoot() - 0.1260 * x - 0.3516 * x * x + 0.2843 * x * x * x - 0.1036 * x * x * x * x)
            return max(y, minHalf)
        }
        var top = [SIMD2<Float>]()
        for k in 0..<n {   // cosine spacing from TE (x=1) to LE (x=0)
            let x = 0.5 * (1 + cosf(Float.pi * Float(k) / Float(n - 1)))
            top.append(SIMD2(x, half(x)))
        }
        var pts = top
        pts[n - 1] = SIMD2(0, 0)   // leading edge point on the chord line
        for k in stride(from: n - 2, through: 0, by: -1) { pts.append(SIMD2(top[k].x, -top[k].y)) }
        return pts
    }

    /// A profile (r, y) listed bottom to top, moved by `d` along its normal towards the axis side
    /// (the inner wall of a shell whose outer wall is `profile`), so the wall is `d` thick measured
    /// perpendicular to it; radii stay ≥ d / 4.
    static func offsetTowardsAxis(_ profile: [SIMD2<Float>], by d: Float) -> [SIMD2<Float>] {
        (0..<profile.count).map { i in
            let tan = profile[min(i + 1, profile.count - 1)] - profile[max(i - 1, 0)]
            let n = SIMD2<Float>(-tan.y, tan.x) / (tan * tan).sum().squareRoot()
            let q = profile[i] + n * d
            return SIMD2(max(q.x, d / 4), q.y)
        }
    }
}
