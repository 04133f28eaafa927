import Geometry
import Support

/// One screen-space triangle ready for rasterization (a mesh face, or a piece of one after
/// clipping), in the sample grid of the supersampled image.
///
/// - `x`, `y`: vertex positions in 24.8 fixed point (1/256 sample), y down, ordered so that
///   `area2 = (x1−x0)(y2−y0) − (y1−y0)(x2−x0) > 0`.
/// - `invZ`: 1/z of each vertex (z = view depth along the camera's forward axis, > 0).
/// - `bary`: each vertex's barycentric coordinates in the original face (identity rows, maybe
///   permuted, for an unclipped face).
/// - `edgeScale[i]`: 2·area / |edge opposite vertex i| in samples, so that λᵢ·edgeScale[i] is
///   the distance to that edge; +∞ for edges made by clipping (never drawn as wire).
/// - `minX…maxY`: the inclusive range of samples whose centre can lie inside.
struct ScreenTriangle {
    var x: SIMD3<Int64>
    var y: SIMD3<Int64>
    var invZ: SIMD3<Float>
    var area2: Int64
    var invArea2: Float
    var edgeScale: SIMD3<Float>
    var b0: SIMD3<Float>, b1: SIMD3<Float>, b2: SIMD3<Float>
    var face: Int32
    var front: Bool
    var minX: Int32, maxX: Int32, minY: Int32, maxY: Int32
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

    /// True when the three points lie outside one plane of the (unguarded) frustum or behind the
    /// near plane: the triangle cannot cover a sample.
    @inline(__always) func trivallyOutside(_ a: Vec3, _ b: Vec3, _ c: Vec3) -> Bool {
        if a.z < near && b.z < near && c.z < near { return true }
        if a.x < -fx * a.z && b.x < -fx * b.z && c.x < -fx * c.z { return true }
        if a.x > fx * a.z && b.x > fx * b.z && c.x > fx * c.z { return true }
        if a.y < -fy * a.z && b.y < -fy * b.z && c.y < -fy * c.z { return true }
        if a.y > fy * a.z && b.y > fy * b.z && c.y > fy * c.z { return true }
        return false
    }

    @inline(__always) func insideGuard(_ v: Vec3) -> Bool {
        let p = planes(v)
        return p.0 >= 0 && p.1 >= 0 && p.2 >= 0 && p.3 >= 0 && p.4 >= 0
    }

    /// Builds the screen triangle of view-space corners `v` whose original-face barycentrics are
    /// `b`; nil when it is degenerate on screen or covers no sample centre.
    func screenTriangle(_ v: (Vec3, Vec3, Vec3), bary b: (SIMD3<Float>, SIMD3<Float>, SIMD3<Float>),
                        face: Int32) -> ScreenTriangle? {
        var (x0, y0) = project(v.0), (x1, y1) = project(v.1), (x2, y2) = project(v.2)
        var iz = SIMD3<Float>(1 / v.0.z, 1 / v.1.z, 1 / v.2.z)
        var b1 = b.1, b2 = b.2
        var area2 = (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0)
        if area2 == 0 { return nil }
        // With y down, a face wound counter-clockwise as the viewer sees it has area2 < 0.
        let front = area2 < 0
        if area2 < 0 {
            swap(&x1, &x2); swap(&y1, &y2); swap(&b1, &b2)
            iz = SIMD3(iz.x, iz.z, iz.y)
            area2 = -area2
        }
        let s = Int64(Projection.subpixel), half = s / 2
        // Sample (i, j) has its centre at (i·s + s/2, j·s + s/2) in fixed point.
        func lo(_ m: Int64) -> Int64 { (m - half + s - 1).floorDiv(s) }
        func hi(_ m: Int64) -> Int64 { (m - half).floorDiv(s) }
        let minX = max(0, lo(min(x0, x1, x2))), maxX = min(Int64(width - 1), hi(max(x0, x1, x2)))
        let minY = max(0, lo(min(y0, y1, y2))), maxY = min(Int64(height - 1), hi(max(y0, y1, y2)))
        if minX > maxX || minY > maxY { return nil }
        // Wire distances: edge i is opposite vertex i; only edges lying on an original edge
        // (both end points share a zero barycentric) are drawn.
        let area = Float(area2) / (Projection.subpixel * Projection.subpixel)
        func edgeScale(_ ax: Int64, _ ay: Int64, _ bx: Int64, _ by: Int64, _ ba: SIMD3<Float>, _ bb: SIMD3<Float>) -> Float {
            let original = (ba.x == 0 && bb.x == 0) || (ba.y == 0 && bb.y == 0) || (ba.z == 0 && bb.z == 0)
            guard original else { return .infinity }
            let dx = Float(bx - ax) / Projection.subpixel, dy = Float(by - ay) / Projection.subpixel
            return area / max((dx * dx + dy * dy).squareRoot(), 1e-12)
        }
        let es = SIMD3<Float>(edgeScale(x1, y1, x2, y2, b1, b2), edgeScale(x2, y2, x0, y0, b2, b.0),
                              edgeScale(x0, y0, x1, y1, b.0, b1))
        return ScreenTriangle(x: SIMD3(x0, x1, x2), y: SIMD3(y0, y1, y2), invZ: iz, area2: area2,
                              invArea2: 1 / Float(area2), edgeScale: es, b0: b.0, b1: b1, b2: b2,
                              face: face, front: front,
                              minX: Int32(minX), maxX: Int32(maxX), minY: Int32(minY), maxY: Int32(maxY))
    }

    /// Clips the view-space triangle against the guard-banded frustum and near plane, and
    /// appends the screen triangles of the fan over the clipped polygon.
    func clipped(_ v: (Vec3, Vec3, Vec3), face: Int32, into out: inout [ScreenTriangle]) {
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
                    // Interpolating barycentrics keeps the component that is 0 on both ends 0.
                    next.append((a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t))
                }
            }
            poly = next
        }
        guard poly.count >= 3 else { return }
        for i in 1..<(poly.count - 1) {
            if let t = screenTriangle((poly[0].0, poly[i].0, poly[i + 1].0), bary: (poly[0].1, poly[i].1, poly[i + 1].1), face: face) {
                out.append(t)
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
