import Dispatch
import Fields
import Geometry
import Support

/// Marching cubes over a dense `ScalarGrid`, crack-free and edge-manifold on ambiguous cells.
///
/// Lorensen & Cline, "Marching cubes", SIGGRAPH 1987, with the face ambiguities resolved by the
/// asymptotic decider (Nielson & Hamann, IEEE Visualization 1991) for the trilinear interpolant.
///
/// **What was chosen and why.** Marching Cubes 33 (Chernyaev, "Marching cubes 33: construction of
/// topologically correct isosurfaces", CERN 1995; Lewiner, Lopes, Vieira & Tavares, JGT 2003) needs
/// ~700 hand-typed table rows. Here the tables are *generated* (`MarchingCubesTables`): on each cell
/// face the iso-curve of the bilinear interpolant is decided exactly (corner signs plus the
/// asymptotic decider on ambiguous faces, evaluated identically by both cells sharing the face), the
/// face segments chain into closed loops, and each loop is triangulated — from a loop vertex when
/// that cannot duplicate an edge of the neighbouring cell, else from an added centroid vertex.
/// MC33's *interior* ambiguity (cases 4.1.2, 6.1.2, 7.4.2, 10.1.2, 12.1.2, 13.5.2: the trilinear
/// interpolant joins two patches by a tunnel through the cell) is decided exactly by a z-sweep of
/// the interpolant's slices (`MarchingCubesTables.interiorConnected`); the two loops are then joined
/// by a tube through a ring of cell-private vertices. Consequences: (1) neighbouring cells agree on
/// every shared face → no cracks; (2) every triangle edge is a face segment (used by exactly the two
/// cells on its face) or private to one cell → every edge away from the grid border has exactly two
/// faces; (3) the surface has the trilinear interpolant's topology in each cell (faces and interior).
///
/// **Conventions.**
/// - Grid point (i, j, k) is `grid.position(i, j, k)` (see `ScalarGrid`: x-major, z fastest).
/// - `inside`: `.higher` → solid where value ≥ level (occupancy, logits); `.lower` → solid where
///   value ≤ level (SDF). A value exactly equal to the level is *inside* in both conventions, so a
///   vertex may sit exactly on a grid point (zero-length edges are possible, never cracks).
/// - Faces are counter-clockwise seen from outside the solid (outward normals, positive
///   `signedVolume` for a closed surface); vertex normals are the outward unit normals from the
///   grid's central-difference gradient (one-sided at the border), interpolated along the edge.
/// - Output: one vertex per crossed grid edge (shared by all cells around it) plus one centroid
///   vertex per loop that needs one (rare); triangles index into `positions`.
/// - A surface reaching the grid border is open there (boundary edges only on the border).
///
/// **Edge cases.** NaN anywhere → `ExtractionError.nanInGrid` (nothing is extracted); ±∞ are
/// allowed (a crossing next to an infinite value sits on the finite grid point). All inside or all
/// outside → the empty mesh. Fewer than 2 samples on an axis → `ExtractionError.gridTooSmall`.
///
/// **Parallelism.** The grid is cut into slabs of x-layers, one task per slab (a few per thread);
/// each slab computes the crossings of its own layers and, again, of its last layer, whose
/// vertices are then merged with the next slab's first layer (same order by construction).
public enum MarchingCubes {
    /// Extracts the `level` iso-surface of `grid`. See the type's documentation for conventions.
    public static func extract(_ grid: ScalarGrid, level: Float = 0, inside: InsideConvention = .lower,
                               normals: Bool = true) throws -> TriangleMesh {
        try extract(grid, level: level, inside: inside, normals: normals, slabCount: nil)
    }

    /// `slabCount` fixes the number of slabs (tests check that the stitching is invisible).
    static func extract(_ grid: ScalarGrid, level: Float, inside: InsideConvention, normals: Bool,
                        slabCount: Int?) throws -> TriangleMesh {
        let res = grid.resolution
        guard res.x >= 2, res.y >= 2, res.z >= 2 else { throw ExtractionError.gridTooSmall(res) }
        guard level.isFinite else { throw ExtractionError.nonFiniteLevel(level) }
        return try grid.values.withUnsafeBufferPointer { vb in
            try extract(values: vb.baseAddress!, resolution: res, origin: grid.bounds.min, spacing: grid.spacing,
                        level: level, inside: inside, normals: normals, slabCount: slabCount)
        }
    }

    /// Raw entry point: `values` holds nx·ny·nz samples in `ScalarGrid` order.
    static func extract(values: UnsafePointer<Float>, resolution res: SIMD3<Int>, origin: Vec3, spacing: Vec3,
                        level: Float, inside: InsideConvention, normals: Bool, slabCount: Int? = nil) throws -> TriangleMesh {
        let nx = res.x, ny = res.y, nz = res.z
        let count = nx * ny * nz
        let sgn: Float = inside == .higher ? 1 : -1
        let threads = Parallelism.threadCount

        // 1. A NaN census. Inside bits (1 = s ≥ 0) are read from the values on the fly (`InsideBits`):
        // storing them costs more (a grid-sized allocation, its page faults) than recomputing.
        let bits = InsideBits(values: values, sgn: sgn, level: level)
        let bitChunks = max(1, min(threads * 4, count / 65536))
        var nanCount = [Int](repeating: 0, count: bitChunks)
        nanCount.withUnsafeMutableBufferPointer { nc in
            DispatchQueue.concurrentPerform(iterations: bitChunks) { c in
                let lo = count * c / bitChunks, hi = count * (c + 1) / bitChunks
                var nans = 0
                for i in lo..<hi { nans &+= values[i].isNaN ? 1 : 0 }   // branch-free: vectorizes
                nc[c] = nans
            }
        }
        let nans = nanCount.reduce(0, +)
        if nans > 0 {
            var f = 0
            while !values[f].isNaN { f += 1 }
            throw ExtractionError.nanInGrid(count: nans, at: SIMD3(f / (ny * nz), f / nz % ny, f % nz))
        }

        // 2. Row trims (as in flying edges, Schroeder, Maynard & Geveci, LDAV 2015): for each z-row
        // (i, j), the first and last crossed z-edge and the end bits. Outside its trim a row is
        // constant, so cells and edges outside the trims of the rows they touch need no look.
        let rows = nx * ny
        let trimLo = UnsafeMutablePointer<Int32>.allocate(capacity: rows), trimHi = UnsafeMutablePointer<Int32>.allocate(capacity: rows)
        let endL = UnsafeMutablePointer<UInt8>.allocate(capacity: rows), endR = UnsafeMutablePointer<UInt8>.allocate(capacity: rows)
        defer { trimLo.deallocate(); trimHi.deallocate(); endL.deallocate(); endR.deallocate() }
        parallelFor(rows, minChunk: 256) { range in
            for r in range {
                let b = bits + r * nz
                // From the left to the first crossing, from the right to the last: the middle is
                // read later by `layer` anyway.
                let first = b[0], lastBit = b[nz - 1]
                var lo = 0
                while lo < nz - 1 && b[lo + 1] == first { lo += 1 }
                if lo == nz - 1 {
                    trimLo[r] = Int32(nz); trimHi[r] = -1
                } else {
                    var hi = nz - 2
                    while b[hi] == lastBit { hi -= 1 }
                    trimLo[r] = Int32(lo); trimHi[r] = Int32(hi)
                }
                endL[r] = first; endR[r] = lastBit
            }
        }

        // 3. Slabs.
        let cellLayers = nx - 1
        let slabs = slabCount.map { max(1, min($0, cellLayers)) }
            ?? max(1, min(cellLayers, threads == 1 ? 1 : threads * 4, max(1, cellLayers / 4)))
        var results = [SlabResult?](repeating: nil, count: slabs)
        let ctx = Context(values: values, bits: bits, nx: nx, ny: ny, nz: nz, sgn: sgn, level: level,
                          origin: origin, spacing: spacing, normals: normals,
                          trimLo: UnsafePointer(trimLo), trimHi: UnsafePointer(trimHi), endL: UnsafePointer(endL), endR: UnsafePointer(endR))
        results.withUnsafeMutableBufferPointer { rb in
            let out = rb.baseAddress!
            DispatchQueue.concurrentPerform(iterations: slabs) { s in
                let c0 = cellLayers * s / slabs, c1 = cellLayers * (s + 1) / slabs
                (out + s).initialize(to: ctx.run(cells: c0..<c1, last: s == slabs - 1))
            }
        }
        return merge(results.map { $0! }, normals: normals)
    }

    /// The inside bit (1 when sgn·(value − level) ≥ 0) of each grid point, computed on read.
    struct InsideBits {
        let values: UnsafePointer<Float>
        let sgn: Float, level: Float
        @inline(__always) subscript(i: Int) -> UInt8 { sgn * (values[i] - level) >= 0 ? 1 : 0 }
        @inline(__always) static func + (b: InsideBits, o: Int) -> InsideBits {
            InsideBits(values: b.values + o, sgn: b.sgn, level: b.level)
        }
    }

    /// One slab's output, with vertex ids local to the slab.
    struct SlabResult {
        var positions: [Vec3] = []
        var normals: [Vec3] = []
        var triangles: [SIMD3<Int32>] = []
        /// Vertices of the slab's last point layer, duplicated as the next slab's first vertices.
        var duplicate: Range<Int32> = 0..<0
    }

    static func merge(_ slabs: [SlabResult], normals: Bool) -> TriangleMesh {
        var offsets = [Int32](repeating: 0, count: slabs.count + 1)
        for (s, r) in slabs.enumerated() { offsets[s + 1] = offsets[s] + Int32(r.positions.count) - Int32(r.duplicate.count) }
        let nv = Int(offsets[slabs.count])
        var triOffsets = [Int](repeating: 0, count: slabs.count + 1)
        for (s, r) in slabs.enumerated() { triOffsets[s + 1] = triOffsets[s] + r.triangles.count }
        if triOffsets[slabs.count] == 0 { return TriangleMesh() }
        var positions = [Vec3](repeating: .zero, count: nv)
        var norms = [Vec3](repeating: .zero, count: normals ? nv : 0)
        var tris = [SIMD3<UInt32>](repeating: .zero, count: triOffsets[slabs.count])
        positions.withUnsafeMutableBufferPointer { pb in
            norms.withUnsafeMutableBufferPointer { nb in
                tris.withUnsafeMutableBufferPointer { tb in
                    let pp = pb.baseAddress!, np = nb.baseAddress, tp = tb.baseAddress!
                    DispatchQueue.concurrentPerform(iterations: slabs.count) { s in
                        let r = slabs[s]
                        let d = r.duplicate, off = offsets[s], next = offsets[s + 1]
                        var w = Int(off)
                        for v in 0..<r.positions.count where !d.contains(Int32(v)) {
                            pp[w] = r.positions[v]
                            if normals { np![w] = r.normals[v] }
                            w += 1
                        }
                        let dn = Int32(d.count)
                        var t = triOffsets[s]
                        for tri in r.triangles {
                            var g = SIMD3<UInt32>.zero
                            for c in 0..<3 {
                                let v = tri[c]
                                let m: Int32 = v < d.lowerBound ? off + v : (v < d.upperBound ? next + (v - d.lowerBound) : off + v - dn)
                                g[c] = UInt32(m)
                            }
                            tp[t] = g; t += 1
                        }
                    }
                }
            }
        }
        return TriangleMesh(positions: positions, triangles: tris, normals: normals ? norms : nil)
    }

    /// Read-only state shared by the slabs.
    struct Context: @unchecked Sendable {
        let values: UnsafePointer<Float>
        let bits: InsideBits
        let nx: Int, ny: Int, nz: Int
        let sgn: Float, level: Float
        let origin: Vec3, spacing: Vec3
        let normals: Bool
        let trimLo: UnsafePointer<Int32>, trimHi: UnsafePointer<Int32>
        let endL: UnsafePointer<UInt8>, endR: UnsafePointer<UInt8>

        /// Point indices k where rows a and b (row = i·ny + j) can differ or be crossed: the union of
        /// their trims, widened to an end where their constant end bits differ.
        @inline(__always) func pointSpan(_ a: Int, _ b: Int) -> Range<Int> {
            var lo = Int(min(trimLo[a], trimLo[b])), hi = Int(max(trimHi[a], trimHi[b])) + 1
            if endL[a] != endL[b] { lo = 0 }
            if endR[a] != endR[b] { hi = nz - 1 }
            return lo <= hi ? lo..<(hi + 1) : 0..<0
        }
        /// Cells k of the cell row between point rows a, b, c, d that can be crossed.
        @inline(__always) func cellSpan(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Range<Int> {
            var lo = Int(min(min(trimLo[a], trimLo[b]), min(trimLo[c], trimLo[d])))
            var hi = Int(max(max(trimHi[a], trimHi[b]), max(trimHi[c], trimHi[d])))
            let l = endL[a]
            if endL[b] != l || endL[c] != l || endL[d] != l { lo = 0 }
            let r = endR[a]
            if endR[b] != r || endR[c] != r || endR[d] != r { hi = nz - 2 }
            return lo <= hi ? lo..<(hi + 1) : 0..<0
        }

        @inline(__always) func s(_ idx: Int) -> Float { sgn * (values[idx] - level) }

        /// Central-difference gradient of the raw values at grid point (i, j, k), world units.
        @inline(__always) func gradient(_ i: Int, _ j: Int, _ k: Int) -> Vec3 {
            let idx = (i * ny + j) * nz + k
            let sx = ny * nz
            @inline(__always) func d(_ lo: Int, _ hi: Int, _ stride: Int, _ n: Int, _ c: Int) -> Float {
                if c == 0 { return values[idx + stride] - values[idx] }
                if c == n - 1 { return values[idx] - values[idx - stride] }
                return 0.5 * (values[idx + stride] - values[idx - stride])
            }
            return Vec3(d(0, 0, sx, nx, i), d(0, 0, nz, ny, j), d(0, 0, 1, nz, k)) / spacing
        }

        /// The vertex on the edge from (i, j, k) along `axis`.
        @inline(__always) func vertex(_ i: Int, _ j: Int, _ k: Int, axis: Int, into r: inout SlabResult) -> Int32 {
            let a = (i * ny + j) * nz + k
            let stride = axis == 0 ? ny * nz : (axis == 1 ? nz : 1)
            let s0 = s(a), s1 = s(a + stride)
            var t = s0 / (s0 - s1)
            if !(t >= 0 && t <= 1) { t = s0.isInfinite ? (s1.isInfinite ? 0.5 : 1) : 0 }
            var g = Vec3(Float(i), Float(j), Float(k))
            g[axis] += t
            r.positions.append(origin + g * spacing)
            if normals {
                let g0 = gradient(i, j, k)
                let g1 = axis == 0 ? gradient(i + 1, j, k) : (axis == 1 ? gradient(i, j + 1, k) : gradient(i, j, k + 1))
                r.normals.append(normalize((g0 + (g1 - g0) * t) * (-sgn)))
            }
            return Int32(r.positions.count - 1)
        }

        /// y- and z-edge vertices of point layer i → ye, ze (indexed j·nz + k).
        func layer(_ i: Int, ye: UnsafeMutablePointer<Int32>, ze: UnsafeMutablePointer<Int32>, into r: inout SlabResult) {
            for j in 0..<ny {
                let rw = i * ny + j
                let row = rw * nz
                if trimHi[rw] >= 0 {
                    for k in Int(trimLo[rw])...Int(trimHi[rw]) where bits[row + k] != bits[row + k + 1] {
                        ze[j * nz + k] = vertex(i, j, k, axis: 2, into: &r)
                    }
                }
                if j + 1 < ny {
                    for k in pointSpan(rw, rw + 1) where bits[row + k] != bits[row + nz + k] {
                        ye[j * nz + k] = vertex(i, j, k, axis: 1, into: &r)
                    }
                }
            }
        }

        /// x-edge vertices between point layers i and i+1 → xe.
        func gap(_ i: Int, xe: UnsafeMutablePointer<Int32>, into r: inout SlabResult) {
            let sx = ny * nz
            for j in 0..<ny {
                let row = (i * ny + j) * nz
                for k in pointSpan(i * ny + j, (i + 1) * ny + j) where bits[row + k] != bits[row + sx + k] {
                    xe[j * nz + k] = vertex(i, j, k, axis: 0, into: &r)
                }
            }
        }

        func run(cells: Range<Int>, last: Bool) -> SlabResult {
            var r = SlabResult()
            let plane = ny * nz
            let buf = UnsafeMutablePointer<Int32>.allocate(capacity: 5 * plane)
            defer { buf.deallocate() }
            var yA = buf, zA = buf + plane, yB = buf + 2 * plane, zB = buf + 3 * plane
            let xe = buf + 4 * plane
            let T = MarchingCubesTables.shared
            let sx = ny * nz
            layer(cells.lowerBound, ye: yA, ze: zA, into: &r)
            T.triangleStart.withUnsafeBufferPointer { tStart in
            T.triangleRefs.withUnsafeBufferPointer { tRefs in
            T.ambiguousFaces.withUnsafeBufferPointer { amb in
                for i in cells {
                    let before = Int32(r.positions.count)
                    layer(i + 1, ye: yB, ze: zB, into: &r)
                    // Immutable copies for the nested edge look-up (captured vars would be boxed and
                    // checked for exclusive access on every read).
                    let y0 = yA, y1 = yB, z0 = zA, z1 = zB
                    if i + 1 == cells.upperBound && !last { r.duplicate = before..<Int32(r.positions.count) }
                    gap(i, xe: xe, into: &r)
                    for j in 0..<(ny - 1) {
                        let rw = i * ny + j
                        let span = cellSpan(rw, rw + ny, rw + 1, rw + ny + 1)
                        if span.isEmpty { continue }
                        let r00 = bits + (i * ny + j) * nz, r10 = r00 + sx, r01 = r00 + nz, r11 = r10 + nz
                        let k0 = span.lowerBound
                        var lo = Int(r00[k0] | r10[k0] << 1 | r01[k0] << 2 | r11[k0] << 3)
                        for k in span {
                            let hi = Int(r00[k + 1] | r10[k + 1] << 1 | r01[k + 1] << 2 | r11[k + 1] << 3)
                            let cs = lo | hi << 4
                            lo = hi
                            if cs == 0 || cs == 255 { continue }
                            let base = (i * ny + j) * nz + k
                            let config = amb[cs] == 0 && T.variantStart[cs + 1] == T.variantStart[cs] ? cs
                                : T.configuration(case: cs) { c in s(base + (c & 1) * sx + ((c >> 1) & 1) * nz + (c >> 2)) }
                            let t0 = Int(tStart[config]), t1 = Int(tStart[config + 1])
                            if t1 == t0 { continue }
                            @inline(__always) func edgeVertex(_ e: Int) -> Int32 {
                                switch e {
                                case 0..<4: return xe[(j + (e & 1)) * nz + k + (e >> 1)]
                                case 4..<8: let q = e - 4; return ((q & 1) == 0 ? y0 : y1)[j * nz + k + (q >> 1)]
                                default: let q = e - 8; return ((q & 1) == 0 ? z0 : z1)[(j + (q >> 1)) * nz + k]
                                }
                            }
                            var centerBase: Int32 = 0
                            if T.centerStart[config + 1] > T.centerStart[config] {
                                centerBase = Int32(r.positions.count)
                                for cidx in Int(T.centerStart[config])..<Int(T.centerStart[config + 1]) {
                                    var p = Vec3.zero, nrm = Vec3.zero
                                    let e0 = Int(T.centerEdgeStart[cidx]), e1 = Int(T.centerEdgeStart[cidx + 1])
                                    for q in e0..<e1 {
                                        let v = Int(edgeVertex(Int(T.centerEdges[q])))
                                        p += r.positions[v]
                                        if normals { nrm += r.normals[v] }
                                    }
                                    r.positions.append(p / Float(e1 - e0))
                                    if normals { r.normals.append(normalize(nrm)) }
                                }
                            }
                            var t = t0
                            while t < t1 {
                                var tri = SIMD3<Int32>.zero
                                for c in 0..<3 {
                                    let ref = Int(tRefs[t + c])
                                    tri[c] = ref < 12 ? edgeVertex(ref) : centerBase + Int32(ref - 12)
                                }
                                r.triangles.append(tri)
                                t += 3
                            }
                        }
                    }
                    swap(&yA, &yB); swap(&zA, &zB)
                }
            }
            }
            }
            return r
        }
    }
}
