import Foundation
import Geometry
import Support

/// Crossing counts of many *parallel* rays p + t·d (t > 0) with a triangle set: the ray-parity
/// inside test of ONet (majority of a few fixed directions) without tracing rays.
///
/// All rays of one direction d are parallel, so a ray is a point in the plane orthogonal to d:
/// the triangles are projected once onto that plane (frame u, v, d) and binned in a uniform 2D
/// grid; a query looks up its cell and tests the few triangles stored there — 2D point-in-triangle
/// by edge functions plus a depth test, eight triangles per SIMD step. This is the classic
/// "projection" form of parity voxelization (e.g. Eisemann & Décoret, "Single-pass GPU solid
/// voxelization", GI 2008, and scanline polygon filling), here for arbitrary query points.
///
/// **Exactness on shared edges.** Edge functions are evaluated relative to the query point,
/// e = (Q − p) × (R − p), from the projected corners that both neighbours store bit-for-bit, so
/// the edge Q→R of one triangle and R→Q of its neighbour give exactly e and −e: a ray through a
/// shared edge is counted by exactly one of the two (ties e = 0 go to the "top-left" owner,
/// as in rasterizers). A ray within rounding of a projected *vertex* can still be counted 0 or 2
/// times; Möller–Trumbore in `TriangleBVH.crossingCount` has the same limitation on edges too.
///
/// Triangles are oriented counter-clockwise in the projection (flipping the corner order does
/// not change the crossing count). Triangles whose projection has zero area (parallel to d) and
/// triangles with a non-finite corner are left out: they are never crossed by a generic ray.
/// A query point that is NaN, or outside the projected bounds, has 0 crossings.
public struct ParallelRayGrid: Sendable {
    /// Unit ray direction d.
    public let direction: Vec3
    /// Projection frame: u, v, d orthonormal.
    let u: Vec3, v: Vec3
    /// Grid origin (x0, y0) in the (u, v) plane, cell size, cells per axis.
    let x0: Float, y0: Float, x1: Float, y1: Float, inverseCell: Float
    let nx: Int, ny: Int
    /// The cells' triangles (see `Storage`), immutable after the build.
    let storage: Storage
    /// Number of triangles binned (after leaving out the parallel and non-finite ones).
    public let triangleCount: Int

    /// (nx·ny + 1,) prefix sums `start`: the blocks of cell c are blocks[start[c] ..< start[c+1]];
    /// `blocks`: eight triangles per block, structure-of-arrays, unused lanes hold NaN corners
    /// (never hit). Raw memory, so the per-query kernel reads it without array bookkeeping.
    final class Storage: @unchecked Sendable {
        let start: UnsafeMutablePointer<Int32>
        let blocks: UnsafeMutablePointer<Block>
        let blockCount: Int
        init(start: [Int32], blocks: [Block]) {
            self.start = .allocate(capacity: start.count)
            self.start.initialize(from: start, count: start.count)
            blockCount = blocks.count
            self.blocks = .allocate(capacity: Swift.max(1, blocks.count))
            self.blocks.initialize(from: blocks, count: blocks.count)
        }
        deinit { start.deallocate(); blocks.deallocate() }
    }

    struct Block: Sendable {
        var ax: SIMD8<Float>, ay: SIMD8<Float>, az: SIMD8<Float>
        var bx: SIMD8<Float>, by: SIMD8<Float>, bz: SIMD8<Float>
        var cx: SIMD8<Float>, cy: SIMD8<Float>, cz: SIMD8<Float>
        static let empty = Block(ax: .init(repeating: .nan), ay: .init(repeating: .nan), az: .init(repeating: .nan),
                                 bx: .init(repeating: .nan), by: .init(repeating: .nan), bz: .init(repeating: .nan),
                                 cx: .init(repeating: .nan), cy: .init(repeating: .nan), cz: .init(repeating: .nan))
    }

    /// Coordinates (x, y, z) of `p` in the frame (u, v, d). Every corner (at the build) and every
    /// query goes through this one function, so equal points project to equal bits.
    @inline(__always) static func project(_ p: Vec3, _ u: Vec3, _ v: Vec3, _ d: Vec3) -> Vec3 {
        Vec3((p * u).sum(), (p * v).sum(), (p * d).sum())
    }

    /// Builds the grid for the triangles (corners[3k], corners[3k+1], corners[3k+2]).
    /// - Parameters:
    ///   - corners: (3T,) triangle corners.
    ///   - direction: the ray direction (any non-zero finite vector; normalized here).
    ///   - cellsPerTriangle: grid cells per binned triangle (the cell size trades memory for the
    ///     number of triangles tested per query).
    public init(corners: [Vec3], direction: Vec3, cellsPerTriangle: Float = 0.5) {
        precondition(corners.count % 3 == 0, "corners must come in triples")
        precondition(direction.isFinite && direction != .zero, "direction must be finite and non-zero")
        let d = direction / (direction * direction).sum().squareRoot()
        // u: orthogonal to d, from the axis least aligned with d.
        let ad = Vec3(Swift.abs(d.x), Swift.abs(d.y), Swift.abs(d.z))
        let axis: Vec3 = ad.x <= ad.y && ad.x <= ad.z ? Vec3(1, 0, 0) : (ad.y <= ad.z ? Vec3(0, 1, 0) : Vec3(0, 0, 1))
        var uu = axis - (axis * d).sum() * d
        uu /= (uu * uu).sum().squareRoot()
        let vv = Vec3(d.y * uu.z - d.z * uu.y, d.z * uu.x - d.x * uu.z, d.x * uu.y - d.y * uu.x)
        self.direction = d; self.u = uu; self.v = vv

        // 1. Project, orient counter-clockwise, keep the ones with area.
        let t = corners.count / 3
        var tri = [Vec3]()
        tri.reserveCapacity(corners.count)
        var lo = SIMD2<Float>(repeating: .infinity), hi = SIMD2<Float>(repeating: -.infinity)
        for k in 0..<t {
            let a = corners[3 * k], b = corners[3 * k + 1], c = corners[3 * k + 2]
            guard a.isFinite, b.isFinite, c.isFinite else { continue }
            let pa = Self.project(a, uu, vv, d), pb = Self.project(b, uu, vv, d), pc = Self.project(c, uu, vv, d)
            let area2 = (pb.x - pa.x) * (pc.y - pa.y) - (pc.x - pa.x) * (pb.y - pa.y)
            guard area2 != 0, area2.isFinite else { continue }
            tri.append(pa)
            if area2 > 0 { tri.append(pb); tri.append(pc) } else { tri.append(pc); tri.append(pb) }
            lo = SIMD2(Swift.min(lo.x, pa.x, pb.x, pc.x), Swift.min(lo.y, pa.y, pb.y, pc.y))
            hi = SIMD2(Swift.max(hi.x, pa.x, pb.x, pc.x), Swift.max(hi.y, pa.y, pb.y, pc.y))
        }
        let kept = tri.count / 3
        triangleCount = kept
        guard kept > 0 else {
            x0 = 0; y0 = 0; x1 = -1; y1 = -1; inverseCell = 0; nx = 0; ny = 0
            storage = Storage(start: [0], blocks: [])
            return
        }
        // 2. Grid: about cellsPerTriangle · kept square cells, at most 2048 per axis; coarser when
        //    the references would pass 8 per triangle (meshes mixing huge and tiny faces), which
        //    bounds the memory to about 8 · 36 B per triangle plus the padding of the blocks.
        let w = Swift.max(hi.x - lo.x, Float.leastNormalMagnitude), h = Swift.max(hi.y - lo.y, Float.leastNormalMagnitude)
        var perTriangle = Swift.max(cellsPerTriangle, 1e-3)
        var bins: Binning
        repeat {
            bins = Binning(tri, lo: lo, w: w, h: h, cells: Swift.max(1, Float(kept) * perTriangle))
            perTriangle /= 2
        } while bins.pairs.count > 8 * kept && bins.nx * bins.ny > 64
        x0 = lo.x; y0 = lo.y; x1 = hi.x; y1 = hi.y
        inverseCell = bins.inverseCell
        nx = bins.nx; ny = bins.ny
        let cells = nx * ny

        // 3. Counting sort of the (cell, triangle) pairs into 8-wide blocks.
        var count = [Int32](repeating: 0, count: cells)
        for pair in bins.pairs { count[Int(pair.x)] += 1 }
        var start = [Int32](repeating: 0, count: cells + 1)
        for c in 0..<cells { start[c + 1] = start[c] + (count[c] + 7) / 8 }
        var blocks = [Block](repeating: .empty, count: Int(start[cells]))
        var fill = [Int32](repeating: 0, count: cells)
        for pair in bins.pairs {
            let cc = Int(pair.x), k = Int(pair.y)
            let a = tri[3 * k], b = tri[3 * k + 1], c = tri[3 * k + 2]
            let slot = Int(fill[cc]); fill[cc] += 1
            let bi = Int(start[cc]) + slot / 8, l = slot % 8
            blocks[bi].ax[l] = a.x; blocks[bi].ay[l] = a.y; blocks[bi].az[l] = a.z
            blocks[bi].bx[l] = b.x; blocks[bi].by[l] = b.y; blocks[bi].bz[l] = b.z
            blocks[bi].cx[l] = c.x; blocks[bi].cy[l] = c.y; blocks[bi].cz[l] = c.z
        }
        storage = Storage(start: start, blocks: blocks)
    }

    /// The (cell, triangle) pairs of a grid with about `cells` square cells: every cell whose
    /// rectangle, grown by 1/1000 of a cell, meets the (counter-clockwise) triangle — its bounding
    /// box cells, less those wholly outside one of its edges. Growing the rectangles keeps the
    /// binning conservative under rounding, so a query is never looked up in a cell that misses
    /// a triangle it hits.
    struct Binning {
        let nx: Int, ny: Int, inverseCell: Float
        var pairs: [SIMD2<Int32>] = []

        init(_ tri: [Vec3], lo: SIMD2<Float>, w: Float, h: Float, cells: Float) {
            var cell = (w * h / cells).squareRoot()
            cell = Swift.max(cell, Swift.max(w, h) / 2048)
            let nx = Swift.min(2048, Swift.max(1, Int((w / cell).rounded(.up))))
            let ny = Swift.min(2048, Swift.max(1, Int((h / cell).rounded(.up))))
            let inv = 1 / cell
            self.nx = nx; self.ny = ny; inverseCell = inv
            @inline(__always) func cellX(_ x: Float) -> Int { Swift.min(nx - 1, Swift.max(0, Int((x - lo.x) * inv))) }
            @inline(__always) func cellY(_ y: Float) -> Int { Swift.min(ny - 1, Swift.max(0, Int((y - lo.y) * inv))) }
            let margin = cell * 1e-3
            pairs.reserveCapacity(tri.count)
            for k in 0..<(tri.count / 3) {
                let p = (tri[3 * k], tri[3 * k + 1], tri[3 * k + 2])
                let i0 = cellX(Swift.min(p.0.x, p.1.x, p.2.x)), i1 = cellX(Swift.max(p.0.x, p.1.x, p.2.x))
                let j0 = cellY(Swift.min(p.0.y, p.1.y, p.2.y)), j1 = cellY(Swift.max(p.0.y, p.1.y, p.2.y))
                if i0 == i1 || j0 == j1 { // a row or column of cells: the box test is exact enough
                    for j in j0...j1 { for i in i0...i1 { pairs.append(SIMD2(Int32(j * nx + i), Int32(k))) } }
                    continue
                }
                let edges = [(p.0, p.1), (p.1, p.2), (p.2, p.0)]
                for j in j0...j1 {
                    let ylo = lo.y + Float(j) * cell - margin, yhi = lo.y + Float(j + 1) * cell + margin
                    for i in i0...i1 {
                        let xlo = lo.x + Float(i) * cell - margin, xhi = lo.x + Float(i + 1) * cell + margin
                        var outside = false
                        for (P, Q) in edges {
                            // Interior: (Q − P) × (X − P) ≥ 0; its largest value over the rectangle.
                            let ex = Q.x - P.x, ey = Q.y - P.y
                            let best = ex * ((ex >= 0 ? yhi : ylo) - P.y) - ey * ((ey >= 0 ? xlo : xhi) - P.x)
                            if best < 0 { outside = true; break }
                        }
                        if !outside { pairs.append(SIMD2(Int32(j * nx + i), Int32(k))) }
                    }
                }
            }
        }
    }

    /// Grid cells per axis (nx, ny) and the number of 8-triangle blocks, for diagnostics.
    public var layout: (nx: Int, ny: Int, blocks: Int) { (nx, ny, storage.blockCount) }

    /// Number of binned triangles the ray p + t·d, t > 0, crosses (0 for a NaN point).
    public func crossingCount(_ p: Vec3) -> Int { crossings(p) }

    /// Crossing counts for every point, over all cores.
    public func crossingCounts(_ points: [Vec3]) -> [Int32] {
        var out = [Int32](repeating: 0, count: points.count)
        out.withUnsafeMutableBufferPointer { ob in
            points.withUnsafeBufferPointer { pb in
                let o = ob.baseAddress!
                parallelFor(points.count, minChunk: 4096) { r in
                    for i in r { o[i] = Int32(crossings(pb[i])) }
                }
            }
        }
        return out
    }

    /// The kernel: edge functions relative to the query (see the type's doc for why that form),
    /// top-left ownership of zero edge functions, depth of the hit against the query's depth.
    @inline(__always) func crossings(_ p: Vec3) -> Int {
        let q = Self.project(p, u, v, direction)
        // Also rejects NaN (every comparison is false).
        guard q.x >= x0, q.x <= x1, q.y >= y0, q.y <= y1 else { return 0 }
        let start = storage.start, blocks = storage.blocks
        let i = Swift.min(nx - 1, Swift.max(0, Int((q.x - x0) * inverseCell)))
        let j = Swift.min(ny - 1, Swift.max(0, Int((q.y - y0) * inverseCell)))
        let c = j * nx + i
        let b0 = Int(start[c]), b1 = Int(start[c + 1])
        if b0 == b1 { return 0 }
        let px = SIMD8<Float>(repeating: q.x), py = SIMD8<Float>(repeating: q.y), pz = SIMD8<Float>(repeating: q.z)
        let zero = SIMD8<Float>(repeating: 0)
        var hits = SIMD8<Int32>(repeating: 0)
        for k in b0..<b1 {
            let t = blocks[k]
            let ax = t.ax - px, ay = t.ay - py, bx = t.bx - px, by = t.by - py, cx = t.cx - px, cy = t.cy - py
            // e_a: edge b→c (weight of a), e_b: edge c→a, e_c: edge a→b. Same operand order for
            // every edge, so a reversed edge gives the exact negation.
            let ea = bx * cy - cx * by
            let eb = cx * ay - ax * cy
            let ec = ax * by - bx * ay
            // Top-left owner of an edge Q→R: Qy − Ry > 0, or Qy == Ry and Rx − Qx > 0.
            let dyA = t.by - t.cy, dyB = t.cy - t.ay, dyC = t.ay - t.by
            let ownA = (dyA .> zero) .| ((dyA .== zero) .& (t.cx - t.bx .> zero))
            let ownB = (dyB .> zero) .| ((dyB .== zero) .& (t.ax - t.cx .> zero))
            let ownC = (dyC .> zero) .| ((dyC .== zero) .& (t.bx - t.ax .> zero))
            let inA = (ea .> zero) .| ((ea .== zero) .& ownA)
            let inB = (eb .> zero) .| ((eb .== zero) .& ownB)
            let inC = (ec .> zero) .| ((ec .== zero) .& ownC)
            // Hit depth ahead of the query: Σ e_i (z_i − z_p) > 0 (the weights sum to 2·area > 0).
            let depth = ea * (t.az - pz) + eb * (t.bz - pz) + ec * (t.cz - pz)
            let hit = inA .& inB .& inC .& (depth .> zero)
            hits &+= SIMD8<Int32>(repeating: 0).replacing(with: 1, where: hit)
        }
        return Int(hits.wrappedSum())
    }
}
