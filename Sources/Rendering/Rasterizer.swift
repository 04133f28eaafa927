import Geometry
import Support

/// The visibility buffer of one frame: for every sample of the (supersampled) grid, the nearest
/// screen triangle and where in it the sample lies.
///
/// - `triangle[i]`: index into the frame's screen triangles, −1 for background.
/// - `lambda1[i]`, `lambda2[i]`: the sample's screen-space (affine) barycentrics for vertices 1
///   and 2 of that triangle (λ0 = 1 − λ1 − λ2).
/// - `invDepth[i]`: 1/z of the nearest surface (0 for background); larger is nearer.
/// Sample (x, y) is at index `y·width + x`.
struct VisibilityBuffer {
    let width: Int, height: Int
    var triangle: [Int32]
    var lambda1: [Float]
    var lambda2: [Float]
    var invDepth: [Float]

    init(width: Int, height: Int) {
        self.width = width; self.height = height
        let n = width * height
        triangle = [Int32](repeating: -1, count: n)
        lambda1 = [Float](repeating: 0, count: n)
        lambda2 = [Float](repeating: 0, count: n)
        invDepth = [Float](repeating: 0, count: n)
    }
}

/// Z-buffered rasterization with edge functions (Pineda, "A parallel algorithm for polygon
/// rasterization", SIGGRAPH 1988) in exact 64-bit integer arithmetic on 24.8 fixed-point
/// vertices, with the top-left fill rule (as Direct3D and OpenGL): a sample on an edge shared by
/// two triangles belongs to exactly one of them, so closed meshes have no cracks and no
/// double-covered samples.
///
/// Work split: the image is cut into horizontal bands of `bandHeight` sample rows; triangles are
/// binned to the bands their bounding box touches, and bands are rasterized in parallel
/// (`parallelFor`), each band's triangles in face order. Each band is owned by one thread, so
/// the result is bitwise the same for any thread count. Depth test: nearer wins (larger 1/z,
/// which is affine in screen space); on exact ties the earlier triangle stays.
enum Rasterizer {
    static let bandHeight = 16

    static func rasterize(_ tris: [ScreenTriangle], into buf: inout VisibilityBuffer) {
        let bands = (buf.height + bandHeight - 1) / bandHeight
        // Binning: counting sort of (band, triangle) pairs, triangles in index order per band.
        var start = [Int](repeating: 0, count: bands + 1)
        for t in tris {
            for b in Int(t.minY) / bandHeight...Int(t.maxY) / bandHeight { start[b + 1] += 1 }
        }
        for b in 0..<bands { start[b + 1] += start[b] }
        var fill = start
        var binned = [Int32](repeating: 0, count: start[bands])
        for (i, t) in tris.enumerated() {
            for b in Int(t.minY) / bandHeight...Int(t.maxY) / bandHeight { binned[fill[b]] = Int32(i); fill[b] += 1 }
        }
        let w = buf.width
        tris.withUnsafeBufferPointer { tp in
        binned.withUnsafeBufferPointer { bp in
        buf.triangle.withUnsafeMutableBufferPointer { triP in
        buf.lambda1.withUnsafeMutableBufferPointer { l1P in
        buf.lambda2.withUnsafeMutableBufferPointer { l2P in
        buf.invDepth.withUnsafeMutableBufferPointer { zP in
            let height = buf.height
            parallelFor(bands, minChunk: 1) { range in
                for band in range {
                    let y0 = band * bandHeight, y1 = min(height, y0 + bandHeight) - 1
                    for k in start[band]..<start[band + 1] {
                        let ti = Int(bp[k])
                        rasterize(tp[ti], index: Int32(ti), rows: y0...y1, width: w,
                                  tri: triP.baseAddress!, l1: l1P.baseAddress!, l2: l2P.baseAddress!, z: zP.baseAddress!)
                    }
                }
            }
        }}}}}}
    }

    /// Rasterizes one triangle into the rows `rows` (intersected with its bounding box).
    @inline(__always)
    static func rasterize(_ t: ScreenTriangle, index: Int32, rows: ClosedRange<Int>, width: Int,
                          tri: UnsafeMutablePointer<Int32>, l1: UnsafeMutablePointer<Float>,
                          l2: UnsafeMutablePointer<Float>, z: UnsafeMutablePointer<Float>) {
        let ya = max(rows.lowerBound, Int(t.minY)), yb = min(rows.upperBound, Int(t.maxY))
        if ya > yb { return }
        let s = Int64(Projection.subpixel), half = s / 2
        // Edge i runs from vertex i+1 to vertex i+2 (opposite vertex i):
        // E_i(p) = (bx − ax)(py − ay) − (by − ay)(px − ax), ≥ 0 inside (area2 > 0 orientation).
        let tx = SIMD3<Int64>(truncatingIfNeeded: t.x), ty = SIMD3<Int64>(truncatingIfNeeded: t.y)
        let ax = SIMD3<Int64>(tx.y, tx.z, tx.x), ay = SIMD3<Int64>(ty.y, ty.z, ty.x)
        let bx = SIMD3<Int64>(tx.z, tx.x, tx.y), by = SIMD3<Int64>(ty.z, ty.x, ty.y)
        let dx = bx &- ax, dy = by &- ay
        // Top-left rule: with y down and the interior on the left of a→b… on the side where
        // E > 0, an edge is "left" when dy < 0 and "top" when dy == 0 && dx > 0. Other edges
        // exclude samples exactly on them (bias −1 on the integer edge function).
        var bias = SIMD3<Int64>(repeating: -1)
        for i in 0..<3 where dy[i] < 0 || (dy[i] == 0 && dx[i] > 0) { bias[i] = 0 }
        let stepX = (SIMD3<Int64>.zero &- dy) &* s                      // E change per sample to the right
        let px0 = Int64(t.minX) * s + half
        let xa = Int(t.minX), xb = Int(t.maxX)
        let inv = t.invArea2
        let iz0 = t.invZ.x, iz1 = t.invZ.y, iz2 = t.invZ.z
        for y in ya...yb {
            let py = Int64(y) * s + half
            var e = dx &* (SIMD3(repeating: py) &- ay) &- dy &* (SIMD3(repeating: px0) &- ax) &+ bias
            let row = y * width
            var x = xa
            while x <= xb {
                if (e.x | e.y | e.z) >= 0 {
                    let w1 = Float(e.y) * inv, w2 = Float(e.z) * inv
                    let w0 = 1 - w1 - w2
                    let iz = w0 * iz0 + w1 * iz1 + w2 * iz2
                    let i = row + x
                    if iz > z[i] { z[i] = iz; tri[i] = index; l1[i] = w1; l2[i] = w2 }
                }
                e &+= stepX
                x += 1
            }
        }
    }
}
