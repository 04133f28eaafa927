import Geometry
import Support

/// One screen-space triangle ready for rasterization (a mesh face, or a piece of one after
/// clipping), in the sample grid of the supersampled image.
///
/// - `x`, `y`: vertex positions in 24.8 fixed point (1/256 sample), y down, ordered so that
///   `area2 = (x1−x0)(y2−y0) − (y1−y0)(x2−x0) > 0` (|coordinates| < 2²⁶ by the guard band).
/// - `invZ`: 1/z of each vertex (z = view depth along the camera's forward axis, > 0).
/// - `edgeScale[i]`: 2·area / |edge opposite vertex i| in samples, so that λᵢ·edgeScale[i] is
///   the distance to that edge; +∞ for edges made by clipping (never drawn as wire).
/// - `face`: the mesh face; `front`: seen from its front side.
/// - vertex k's barycentrics in the face: for `clip < 0` the unit vector e_k, with vertices 1
///   and 2 exchanged when `swapped`; otherwise rows `3·clip + k` of the frame's clip table.
/// - `minX…maxY`: the inclusive range of samples whose centre can lie inside.
struct ScreenTriangle {
    var x: SIMD3<Int32>
    var y: SIMD3<Int32>
    var invZ: SIMD3<Float>
    var edgeScale: SIMD3<Float>
    var invArea2: Float
    var face: Int32
    var clip: Int32
    var minX: UInt16, maxX: UInt16, minY: UInt16, maxY: UInt16
    var front: Bool
    var swapped: Bool
}

/// Projection of view-space points to the sample grid, and the clip volume.
///
/// View space: x right, y up, z forward (depth), in world units. The clip volume is the view
/// frustum widened `guardBand` times sideways (a guard band: triangles poking out of the image
/// are rasterized and scissored by their bounding box instead of being cut), cut by the near
/// plane z = `near`. Only triangles that leave it are clipped (Sutherland & Hodgman, "Reentrant
/// polygon clipping", CACM 1974), which keeps fixed-point coordinates within ±2²⁷.
struct Projection {
    let width: Int, height: Int
    let focal: Float
    let near: Float
    /// Half the image extent at depth 1, times the guard band, along x and y.
    let gx: Float, gy: Float
    /// The same without the guard band: the true frustum (for culling).
    let fx: Float, fy: Float
    static let guardBand: Float = 4
    static let subpixel: Float = 256

    init(width: Int, height: Int, camera: Camera) {
        self.width = width; self.height = height
        focal = camera.focalLength(height: height)
        near = max(1e-6, 1e-3 * length(camera.target - camera.eye))
        fx = Float(width) / 2 / focal; fy = Float(height) / 2 / focal
        gx = fx * Projection.guardBand; gy = fy * Projection.guardBand
    }

    /// Sample-grid position in fixed point (y down).
    @inline(__always) func project(_ v: Vec3) -> (Int64, Int64) {
        let sx = Float(width) / 2 + focal * v.x / v.z
        let sy = Float(height) / 2 - focal * v.y / v.z
        return (Int64((sx * Projection.subpixel).rounded()), Int64((sy * Projection.subpixel).rounded()))
    }

    /// Signed distances to the five clip planes (≥ 0 inside): near, left, right, bottom, top.
    @inline(__always) func planes(_ v: Vec3) -> (Float, Float, Float, Float, Float) {
        (v.z - near, v.x + gx * v.z, gx * v.z - v.x, v.y + gy * v.z, gy * v.z - v.y)
    }

    /// Outcode bits of a view-space point: 1 behind the near plane, 2/4/8/16 outside the left,
    /// right, bottom, top plane of the true (unguarded) frustum, 32 outside the guard band or
    /// the near plane (the point must be clipped). Three corners with a common bit among 1…16
    /// cannot cover a sample.
    @inline(__always) func outcode(_ v: Vec3) -> UInt8 {
        var c: UInt8 = 0
        if v.z < near { c |= 1 }
        if v.x < -fx * v.z { c |= 2 }
        if v.x > fx * v.z { c |= 4 }
        if v.y < -fy * v.z { c |= 8 }
        if v.y > fy * v.z { c |= 16 }
        let p = planes(v)
        if !(p.0 >= 0 && p.1 >= 0 && p.2 >= 0 && p.3 >= 0 && p.4 >= 0) { c |= 32 }
        return c
    }

    /// A vertex projected once for all its faces.
    struct Vertex {
        var x: Int64, y: Int64
        var invZ: Float
        var outcode: UInt8
    }

    @inline(__always) func vertex(_ v: Vec3) -> Vertex {
        let c = outcode(v)
        guard c & 32 == 0 else { return Vertex(x: 0, y: 0, invZ: 0, outcode: c) }
        let (x, y) = project(v)
        return Vertex(x: x, y: y, invZ: 1 / v.z, outcode: c)
    }

    /// Builds the screen triangle of view-space corners `v` (inside the guard band).
    @inline(__always)
    func screenTriangle(_ v: (Vec3, Vec3, Vec3), face: Int32, clip: Int32, original: UInt8) -> ScreenTriangle? {
        let (x0, y0) = project(v.0), (x1, y1) = project(v.1), (x2, y2) = project(v.2)
        return screenTriangle(x: (x0, x1, x2), y: (y0, y1, y2), invZ: SIMD3(1 / v.0.z, 1 / v.1.z, 1 / v.2.z),
                              face: face, clip: clip, original: original)
    }

    /// Builds the screen triangle of projected corners (fixed point, inside the guard band);
    /// nil when it is degenerate on screen or covers no sample centre. Bit i of `original` tells
    /// whether the edge opposite vertex i lies on an edge of the mesh face (clear for edges made
    /// by clipping).
    @inline(__always)
    func screenTriangle(x: (Int64, Int64, Int64), y: (Int64, Int64, Int64), invZ: SIMD3<Float>, face: Int32,
                        clip: Int32 = -1, original: UInt8 = 0b111) -> ScreenTriangle? {
        var (x0, x1, x2) = x, (y0, y1, y2) = y
        var iz = invZ
        var area2 = (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0)
        if area2 == 0 { return nil }
        // With y down, a face wound counter-clockwise as the viewer sees it has area2 < 0.
        let front = area2 < 0
        var orig = original
        if front {
            swap(&x1, &x2); swap(&y1, &y2)
            iz = SIMD3(iz.x, iz.z, iz.y)
            orig = (orig & 1) | (orig & 2) << 1 | (orig & 4) >> 1
            area2 = -area2
        }
        let s = Int64(Projection.subpixel), half = s / 2
        // Sample (i, j) has its centre at (i·s + s/2, j·s + s/2) in fixed point.
        let minX = max(0, (min(x0, x1, x2) - half + s - 1).floorDiv(s)), maxX = min(Int64(width - 1), (max(x0, x1, x2) - half).floorDiv(s))
        if minX > maxX { return nil }
        let minY = max(0, (min(y0, y1, y2) - half + s - 1).floorDiv(s)), maxY = min(Int64(height - 1), (max(y0, y1, y2) - half).floorDiv(s))
        if minY > maxY { return nil }
        // Wire distances: λᵢ · 2A / |eᵢ| (in samples) is the distance to the edge opposite i.
        let area = Float(area2) * (1 / (Projection.subpixel * Projection.subpixel))
        let ex = SIMD3<Float>(Float(x2 - x1), Float(x0 - x2), Float(x1 - x0)) * (1 / Projection.subpixel)
        let ey = SIMD3<Float>(Float(y2 - y1), Float(y0 - y2), Float(y1 - y0)) * (1 / Projection.subpixel)
        var es = SIMD3<Float>(repeating: area) / (ex * ex + ey * ey).squareRoot()
        if orig != 0b111 {
            for i in 0..<3 where orig & (1 << i) == 0 { es[i] = .infinity }
        }
        return ScreenTriangle(x: SIMD3(Int32(x0), Int32(x1), Int32(x2)), y: SIMD3(Int32(y0), Int32(y1), Int32(y2)),
                              invZ: iz, edgeScale: es, invArea2: 1 / Float(area2), face: face, clip: clip,
                              minX: UInt16(minX), maxX: UInt16(maxX), minY: UInt16(minY), maxY: UInt16(maxY),
                              front: front, swapped: front && clip < 0)
    }

    /// Clips the view-space triangle against the guard-banded frustum and near plane, and
    /// appends the screen triangles of the fan over the clipped polygon to `out`, their vertices'
    /// barycentrics in the face (3 rows per piece, in the pieces' final vertex order) to `bary`.
    func clipped(_ v: (Vec3, Vec3, Vec3), face: Int32, into out: inout [ScreenTriangle], bary: inout [SIMD3<Float>]) {
        var poly: [(Vec3, SIMD3<Float>)] = [(v.0, [1, 0, 0]), (v.1, [0, 1, 0]), (v.2, [0, 0, 1])]
        for plane in 0..<5 {
            if poly.isEmpty { return }
            func d(_ p: Vec3) -> Float {
                let q = planes(p)
                switch plane { case 0: return q.0; case 1: return q.1; case 2: return q.2; case 3: return q.3; default: return q.4 }
            }
            var next: [(Vec3, SIMD3<Float>)] = []
            for i in 0..<poly.count {
                let a = poly[i], b = poly[(i + 1) % poly.count]
                let da = d(a.0), db = d(b.0)
                if da >= 0 { next.append(a) }
                if (da >= 0) != (db >= 0) {
                    let t = da / (da - db)
                    // Interpolating barycentrics keeps a component that is 0 at both ends 0.
                    next.append((a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t))
                }
            }
            poly = next
        }
        guard poly.count >= 3 else { return }
        // An edge lies on an edge of the face when its end points share a zero barycentric.
        func onFaceEdge(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Bool { any((a .== 0) .& (b .== 0)) }
        for i in 1..<(poly.count - 1) {
            let p = (poly[0], poly[i], poly[i + 1])
            let original = (onFaceEdge(p.1.1, p.2.1) ? 1 : 0) | (onFaceEdge(p.2.1, p.0.1) ? 2 : 0) | (onFaceEdge(p.0.1, p.1.1) ? 4 : 0) as UInt8
            let index = Int32(bary.count / 3)
            if let t = screenTriangle((p.0.0, p.1.0, p.2.0), face: face, clip: index, original: original) {
                out.append(t)
                bary += t.front ? [p.0.1, p.2.1, p.1.1] : [p.0.1, p.1.1, p.2.1]
            }
        }
    }
}

extension Int64 {
    /// ⌊self / d⌋ for d > 0 (Swift's `/` truncates towards zero).
    @inline(__always) func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && self < 0) ? q - 1 : q
    }
}
