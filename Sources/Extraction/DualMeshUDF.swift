import Fields
import Geometry
import Support

/// Mesh extraction from an unsigned distance field (UDF), after DualMesh-UDF (Zhang, Yang, Wang &
/// Tong, "Surface Extraction from Neural Unsigned Distance Fields", ICCV 2023), rebuilt so that it
/// does not produce the original's doubled sheets.
///
/// **Pipeline.**
/// 1. *Pruned octree.* The cube of side `bounds.longestSide` at `bounds.min` is subdivided to
///    `depth`; a cell survives iff u(centre) < ½·diagonal + max(0.01·h, tolerance) (a 1-Lipschitz
///    distance cannot reach 0 in a cell otherwise; the tolerance admits fields with a floor). Survivors are refined; all leaves sit at `depth` (cell size h).
///    The lattice is shifted by a few hundredths of a cell (fixed, documented offsets below) so that
///    planes at round coordinates (z = 0) do not pass exactly through lattice points.
/// 2. *Samples.* Every kept cell has the 3×3×3 half-cell lattice of samples (shared between cells),
///    each with u and ∇u. A sample with u ≥ `minSampleDistance`·h projects to q = p − u·∇u; the
///    projection is *validated* when u(q) ≤ `surfaceTolerance`·h. A valid sample gives the tangent
///    plane through q with normal ∇u.
/// 3. *Crossed edges (the departure from the original).* A cell edge (a, b) is a candidate when its
///    corners look like opposite sides of the surface: opposite gradients (∇u(a)·∇u(b) < 0, each
///    gradient pointing away from the surface on its own side), or clearly different gradients
///    (∇u(a)·∇u(b) < 0.9) with one corner behind the other's tangent plane (sharp edges). Four bisection steps on the side test ∇u(p)·(∇u(a) − ∇u(b)) > 0
///    bracket the crossing to 1/16 of the edge; x is the zero of +u(lo) … −u(hi) in the bracket. It
///    is kept iff u(x) ≤ `surfaceTolerance`·h and, for candidates of the plane test, the gradients at
///    the bracket's ends are opposite (this rejects chords that dip through a smooth surface twice). The original instead emits a quad for every edge
///    whose four cells have a vertex, which doubles the sheet wherever the near-surface band is
///    more than one cell thick (+35% area on a sphere). Here exactly one quad is dual to each
///    crossed edge, as in dual contouring of signed data, and open surfaces end where crossings stop
///    validating (the rim).
/// 4. *Vertices.* A cell with at least one crossed edge gets one vertex: the least-squares point of
///    its Hermite planes (crossing x, normal ∇u(a) − ∇u(b)) and its validated sample planes whose
///    projection lies within half a cell of it (`PlaneLeastSquares`, singular values below
///    `singularValueThreshold` × the largest dropped; rank 3/2/1 = corner/edge/plane, counted in
///    `Stats`), solved around the mean crossing point; a solution more than ¼ cell outside the cell
///    falls back to that mean.
/// 5. *Faces.* One quad per crossed edge over the vertices of its four cells, split along the
///    diagonal whose two triangles best agree with the crossing normal (the face filter: a quad
///    whose crossing did not validate is never made). Orientation is then made consistent by
///    propagation across manifold edges; each closed component is turned outward (positive
///    volume); an open component keeps the majority of its quads' local orientation.
///
/// **Output.** Triangles over the cell vertices (unreferenced vertices removed), vertex normals
/// from the oriented faces. Closed smooth surfaces come out watertight; open ones have a boundary.
///
/// **Not distance-like fields.** Pruning assumes |∇u| ≤ 1: a field that overestimates distance near
/// the surface loses cells (holes); one that underestimates keeps more cells (slower, same mesh).
/// A learned UDF that never reaches 0 needs `surfaceTolerance` above its floor. Sign-flipped or
/// noisy gradients make crossings disagree around a face: the result then has boundary edges there,
/// never doubled sheets.
public enum DualMeshUDF {
    public struct Options: Sendable, Equatable {
        /// The region; the octree covers the cube of side `bounds.longestSide` from `bounds.min`.
        public var bounds: AABB
        /// Octree depth: 2^depth cells per side (7 → 128³, as DualMesh-UDF's default).
        public var depth: Int
        /// Validation tolerance for projections and crossings, in cells.
        public var surfaceTolerance: Float
        /// Samples closer than this (in cells) give no tangent plane (their gradient is unreliable).
        public var minSampleDistance: Float
        /// Relative singular-value cut-off of the per-cell least squares (0.08 as the original).
        public var singularValueThreshold: Double
        public init(bounds: AABB = .cube(halfSize: 1), depth: Int = 7, surfaceTolerance: Float = 0.1,
                    minSampleDistance: Float = 0.001, singularValueThreshold: Double = 0.08) {
            self.bounds = bounds; self.depth = depth; self.surfaceTolerance = surfaceTolerance
            self.minSampleDistance = minSampleDistance; self.singularValueThreshold = singularValueThreshold
        }
    }

    public struct Stats: Sendable, Equatable {
        /// Field queries: octree centres + samples (value and gradient) + projections + crossings.
        public var evaluations = 0
        public var keptCells = 0
        public var samples = 0
        public var validSamples = 0
        public var crossedEdges = 0
        /// Candidate crossings (opposite gradients) whose point failed the UDF check.
        public var rejectedCrossings = 0
        /// Cell vertices by rank of the least squares: 3 = corner, 2 = edge, 1 = plane.
        public var corners = 0, edges = 0, planes = 0
        /// Crossed edges with a pruned neighbour cell (no quad; 0 on distance fields).
        public var missingQuads = 0
    }

    /// Lattice shift in cells (see step 1).
    static let shift = Vec3(0.0131, 0.0173, 0.0219)
    /// Bisection steps bracketing each crossing (to 1/16 of a cell).
    static let bisectionSteps = 4

    /// Runs the five stages (see the type's documentation) and returns the mesh and its counts.
    /// Throws `ExtractionError.invalidOption` for a depth outside 1…16, empty bounds or a
    /// non-positive tolerance. A field that is nowhere near zero gives an empty mesh.
    public static func extract(_ udf: some GradientField, options: Options = Options()) throws -> (mesh: TriangleMesh, stats: Stats) {
        guard (1...16).contains(options.depth) else { throw ExtractionError.invalidOption("depth must be in 1…16, got \(options.depth)") }
        guard !options.bounds.isEmpty, options.bounds.longestSide > 0 else { throw ExtractionError.invalidOption("the bounds are empty") }
        guard options.surfaceTolerance > 0 else { throw ExtractionError.invalidOption("the surface tolerance must be positive") }
        var stats = Stats()
        let lattice = Lattice(options)
        let cells = prunedOctree(udf, lattice, stats: &stats)
        if cells.kept.isEmpty { return (TriangleMesh(), stats) }
        let samples = sampleLattice(udf, cells, lattice, minSampleDistance: options.minSampleDistance, stats: &stats)
        let edges = cellEdges(cells)
        let crossings = crossedEdges(udf, edges, samples, lattice, stats: &stats)
        let vertices = cellVertices(crossings, edges, cells, samples, lattice, threshold: options.singularValueThreshold, stats: &stats)
        let triangles = quads(crossings, edges, vertices, stats: &stats)
        var mesh = TriangleMesh(positions: vertices.positions, triangles: triangles).compacted().mesh.orientedConsistently()
        mesh.recomputeNormals()
        return (mesh, stats)
    }

    // MARK: - Stages

    /// The shifted cube of side `bounds.longestSide` (step 1), cut into 2^depth cells of side `h`;
    /// integer coordinates count cells (or half cells on the sample lattice) from `origin`.
    struct Lattice {
        var depth: Int
        var origin: Vec3
        /// Side of the whole cube and of one finest cell.
        var side: Float, h: Float
        /// Validation tolerance in world units (`surfaceTolerance`·h).
        var tolerance: Float

        init(_ o: Options) {
            depth = o.depth
            let n = 1 << o.depth
            let hRaw = o.bounds.longestSide / Float(n)
            side = o.bounds.longestSide + 2 * DualMeshUDF.shift.max() * hRaw
            h = side / Float(n)
            origin = o.bounds.min - DualMeshUDF.shift * hRaw
            tolerance = o.surfaceTolerance * h
        }
        /// A point of the half-cell sample lattice.
        @inline(__always) func samplePoint(_ c: SIMD3<Int>) -> Vec3 { origin + Vec3(Float(c.x), Float(c.y), Float(c.z)) * (0.5 * h) }
        /// The minimum corner of a finest cell (also: a cell-lattice point).
        @inline(__always) func cellCorner(_ c: SIMD3<Int>) -> Vec3 { origin + Vec3(Float(c.x), Float(c.y), Float(c.z)) * h }
    }

    /// The finest cells that may hold surface, and their index by coordinates.
    struct Cells {
        var kept: [SIMD3<Int>]
        var index: KeyIndex
        /// The cell at `c`, or −1 when pruned or outside.
        func find(_ c: SIMD3<Int>) -> Int32 {
            guard c.x >= 0, c.y >= 0, c.z >= 0 else { return -1 }
            return index.find(KeyIndex.pack(c.x, c.y, c.z))
        }
    }

    /// Step 1: refines the root down to `depth`, keeping a cell iff u(centre) < ½·diagonal +
    /// max(0.01·h, tolerance).
    static func prunedOctree(_ udf: some GradientField, _ L: Lattice, stats: inout Stats) -> Cells {
        var level: [SIMD3<Int>] = [.zero]
        var kept: [SIMD3<Int>] = []
        for l in 0...L.depth {
            let size = L.side / Float(1 << l)
            let centers = level.map { L.origin + (Vec3(Float($0.x), Float($0.y), Float($0.z)) + 0.5) * size }
            let u = udf.values(at: centers)
            stats.evaluations += centers.count
            let bound = 0.5 * Float(3).squareRoot() * size + max(0.01 * L.h, L.tolerance)
            var next: [SIMD3<Int>] = []
            for (c, v) in zip(level, u) where v < bound {
                if l == L.depth { kept.append(c) } else {
                    for o in 0..<8 { next.append(c &* 2 &+ SIMD3(o & 1, o >> 1 & 1, o >> 2)) }
                }
            }
            level = next
        }
        stats.keptCells = kept.count
        var index = KeyIndex(expected: max(1, kept.count))
        for c in kept { index.insert(KeyIndex.pack(c.x, c.y, c.z)) }
        return Cells(kept: kept, index: index)
    }

    /// The shared half-cell lattice samples of the kept cells (step 2).
    struct Samples {
        /// Lattice coordinates → sample id.
        var index: KeyIndex
        /// (cells × 27) sample ids of each kept cell's 3×3×3 lattice, x fastest.
        var ofCell: [Int32]
        /// Per sample: u and ∇u.
        var u: [Float], gradient: [Vec3]
        /// Per sample: index into `projections`, or −1 (too close to the surface, bad gradient).
        var projectionOf: [Int32]
        /// q = p − u·∇u/|∇u| of the samples that project.
        var projections: [Vec3]
        /// Per sample: its projection lands on the surface (u(q) ≤ tolerance).
        var valid: [Bool]
        /// The sample id at sample-lattice coordinates `c` (which must exist).
        func id(_ c: SIMD3<Int>) -> Int { Int(index.find(KeyIndex.pack(c.x, c.y, c.z))) }
    }

    /// Step 2: evaluates u and ∇u on the half-cell lattice, projects the samples and validates
    /// the projections.
    static func sampleLattice(_ udf: some GradientField, _ cells: Cells, _ L: Lattice, minSampleDistance: Float,
                              stats: inout Stats) -> Samples {
        var index = KeyIndex(expected: cells.kept.count * 8)
        var ofCell = [Int32](repeating: 0, count: cells.kept.count * 27)
        for (ci, c) in cells.kept.enumerated() {
            for s in 0..<27 {
                let p = c &* 2 &+ SIMD3(s % 3, s / 3 % 3, s / 9)
                ofCell[ci * 27 + s] = index.insert(KeyIndex.pack(p.x, p.y, p.z))
            }
        }
        let points = index.keys.map { L.samplePoint(KeyIndex.unpack($0)) }
        let (su, sg) = udf.valuesAndGradients(at: points)
        stats.samples = points.count
        stats.evaluations += points.count
        var projectionOf: [Int32] = [], projections: [Vec3] = []
        projectionOf.reserveCapacity(points.count)
        for i in 0..<points.count {
            if su[i] >= minSampleDistance * L.h && su[i].isFinite && sg[i].isFinite && lengthSquared(sg[i]) > 0.25 {
                projectionOf.append(Int32(projections.count))
                projections.append(points[i] - su[i] * normalize(sg[i]))
            } else { projectionOf.append(-1) }
        }
        let pu = udf.values(at: projections)
        stats.evaluations += projections.count
        let valid = (0..<points.count).map { i in projectionOf[i] >= 0 && pu[Int(projectionOf[i])] <= L.tolerance }
        stats.validSamples = valid.reduce(0) { $0 + ($1 ? 1 : 0) }
        return Samples(index: index, ofCell: ofCell, u: su, gradient: sg, projectionOf: projectionOf, projections: projections, valid: valid)
    }

    /// The unique edges of the kept cells: start corner on the cell lattice and axis (0, 1, 2).
    struct Edges {
        var start: [SIMD3<Int>] = []
        var axis: [Int] = []
        /// The sample-lattice coordinates of edge e's two ends.
        func ends(_ e: Int) -> (a: SIMD3<Int>, b: SIMD3<Int>) {
            let a = start[e] &* 2
            var b = a; b[axis[e]] += 2
            return (a, b)
        }
        /// The point at parameter t ∈ [0, 1] along edge e.
        func point(_ e: Int, _ t: Float, _ L: Lattice) -> Vec3 {
            let a = start[e]
            var p = Vec3(Float(a.x), Float(a.y), Float(a.z))
            p[axis[e]] += t
            return L.origin + p * L.h
        }
    }

    static func cellEdges(_ cells: Cells) -> Edges {
        var index = [KeyIndex](repeating: KeyIndex(expected: cells.kept.count * 3), count: 3)
        var edges = Edges()
        for c in cells.kept {
            for axis in 0..<3 {
                let u = (axis + 1) % 3, v = (axis + 2) % 3
                for o in 0..<4 {
                    var s = c
                    s[u] += o & 1; s[v] += o >> 1
                    let before = index[axis].count
                    index[axis].insert(KeyIndex.pack(s.x, s.y, s.z))
                    if index[axis].count > before { edges.start.append(s); edges.axis.append(axis) }
                }
            }
        }
        return edges
    }

    /// A crossed edge: the crossing point and the surface normal there (from a's side to b's).
    struct Crossing {
        var edge: Int
        var x: Vec3
        var n: Vec3
    }

    /// Step 3: the edges whose ends lie on opposite sides of the surface, each with its validated
    /// crossing (see the type's documentation).
    static func crossedEdges(_ udf: some GradientField, _ edges: Edges, _ S: Samples, _ L: Lattice,
                             stats: inout Stats) -> [Crossing] {
        // Candidates: opposite gradients (`byGradient`), or one corner behind the other's tangent
        // plane (at a sharp edge the inside corner's gradient can be perpendicular to the outside
        // one's); the plane test alone needs clearly different gradients, since two corners on the
        // same side of a smooth surface (a chord dipping through it twice) have nearly equal ones.
        var candidates: [(edge: Int, byGradient: Bool)] = []
        for e in 0..<edges.start.count {
            let (a, b) = edges.ends(e)
            let ia = S.id(a), ib = S.id(b)
            let ua = S.u[ia], ub = S.u[ib]
            guard ua.isFinite, ub.isFinite, ua + ub > 0 else { continue }
            let d = Vec3(Float(b.x - a.x), Float(b.y - a.y), Float(b.z - a.z)) * (0.5 * L.h)
            let ga = normalize(S.gradient[ia]), gb = normalize(S.gradient[ib])
            let gg = dot(ga, gb)
            guard gg < 0 || (gg < 0.9 && (ua + dot(d, ga) < 0 || ub - dot(d, gb) < 0)) else { continue }
            candidates.append((e, gg < 0))
        }
        // Bracket each crossing by bisection on the side test ∇u(p)·(∇u(a) − ∇u(b)) > 0 (a's side),
        // which stays right at sharp edges where u is far from linear along the edge; then place
        // it by the zero of +u(lo) … −u(hi) inside the final bracket and validate it.
        let m = candidates.count
        var lo = [Float](repeating: 0, count: m), hi = [Float](repeating: 1, count: m)
        var ulo = [Float](repeating: 0, count: m), uhi = [Float](repeating: 0, count: m)
        var glo = [Vec3](repeating: .zero, count: m), ghi = [Vec3](repeating: .zero, count: m)
        var ref = [Vec3](repeating: .zero, count: m)
        for (c, cand) in candidates.enumerated() {
            let (a, b) = edges.ends(cand.edge)
            let ia = S.id(a), ib = S.id(b)
            ulo[c] = S.u[ia]; uhi[c] = S.u[ib]; glo[c] = normalize(S.gradient[ia]); ghi[c] = normalize(S.gradient[ib])
            ref[c] = glo[c] - ghi[c]
        }
        for _ in 0..<Self.bisectionSteps where m > 0 {
            let mids = (0..<m).map { edges.point(candidates[$0].edge, 0.5 * (lo[$0] + hi[$0]), L) }
            let (mu, mg) = udf.valuesAndGradients(at: mids)
            stats.evaluations += m
            for c in 0..<m {
                let t = 0.5 * (lo[c] + hi[c])
                if dot(mg[c], ref[c]) > 0 { lo[c] = t; ulo[c] = mu[c]; glo[c] = normalize(mg[c]) }
                else { hi[c] = t; uhi[c] = mu[c]; if lengthSquared(mg[c]) > 0 { ghi[c] = normalize(mg[c]) } }
            }
        }
        let points = (0..<m).map { c -> Vec3 in
            let s = ulo[c] + uhi[c]
            return edges.point(candidates[c].edge, s > 0 ? lo[c] + (hi[c] - lo[c]) * ulo[c] / s : 0.5 * (lo[c] + hi[c]), L)
        }
        let cu = udf.values(at: points)
        stats.evaluations += points.count
        var crossings: [Crossing] = []
        for (i, c) in candidates.enumerated() {
            // A true crossing has the surface inside the final bracket: small u, and gradients that
            // point away from each other at its two ends (a grazing edge has neither); candidates
            // of the plane test must show the opposite gradients here.
            guard cu[i] <= L.tolerance, c.byGradient || dot(glo[i], ghi[i]) < 0 else { stats.rejectedCrossings += 1; continue }
            let nrm = normalize(glo[i] - ghi[i])
            crossings.append(Crossing(edge: c.edge, x: points[i], n: lengthSquared(nrm) > 0 ? nrm : normalize(ref[i])))
        }
        stats.crossedEdges = crossings.count
        return crossings
    }

    /// The cell vertices (step 4).
    struct Vertices {
        /// (crossings) the four cells around each crossed edge, counter-clockwise seen from +axis
        /// (−1 where pruned).
        var rings: [[Int32]]
        /// (cells) the vertex of each kept cell, or −1 (no crossed edge).
        var ofCell: [Int32]
        var positions: [Vec3]
    }

    /// The four cells around edge e, counter-clockwise seen from +axis (−1 if pruned).
    static func ring(_ e: Int, _ edges: Edges, _ cells: Cells) -> [Int32] {
        let s = edges.start[e], axis = edges.axis[e]
        let u = (axis + 1) % 3, v = (axis + 2) % 3
        return [(-1, -1), (0, -1), (0, 0), (-1, 0)].map { (du, dv) in
            var c = s; c[u] += du; c[v] += dv
            return cells.find(c)
        }
    }

    /// Step 4: one vertex per cell with a crossed edge, the least-squares point of its Hermite
    /// planes and nearby validated sample planes.
    static func cellVertices(_ crossings: [Crossing], _ edges: Edges, _ cells: Cells, _ S: Samples, _ L: Lattice,
                             threshold: Double, stats: inout Stats) -> Vertices {
        var cellCrossings = [[Int32]](repeating: [], count: cells.kept.count)
        var rings: [[Int32]] = []
        rings.reserveCapacity(crossings.count)
        for (i, c) in crossings.enumerated() {
            let r = ring(c.edge, edges, cells)
            rings.append(r)
            for cell in r where cell >= 0 { cellCrossings[Int(cell)].append(Int32(i)) }
        }
        var ofCell = [Int32](repeating: -1, count: cells.kept.count)
        var vcells: [Int] = []
        for ci in 0..<cells.kept.count where !cellCrossings[ci].isEmpty { ofCell[ci] = Int32(vcells.count); vcells.append(ci) }
        let h = L.h
        let solved: [(Vec3, Int)] = parallelMap(vcells.count, minChunk: 64, repeating: (Vec3.zero, 0)) { vi in
            let ci = vcells[vi]
            let list = cellCrossings[ci]
            var mass = Vec3.zero
            for x in list { mass += crossings[Int(x)].x }
            mass /= Float(list.count)
            var qef = PlaneLeastSquares(center: mass)
            for x in list { qef.add(point: crossings[Int(x)].x, normal: crossings[Int(x)].n) }
            let lo = L.cellCorner(cells.kept[ci])
            let box = AABB(min: lo, max: lo + h)
            let near = box.padded(by: 0.5 * h)
            for s in 0..<27 {
                let si = Int(S.ofCell[ci * 27 + s])
                guard S.valid[si] else { continue }
                let q = S.projections[Int(S.projectionOf[si])]
                if near.contains(q) { qef.add(point: q, normal: normalize(S.gradient[si])) }
            }
            let (p, rank) = qef.solve(threshold: threshold)
            return (box.padded(by: 0.25 * h).contains(p) && p.isFinite ? p : mass, rank)
        }
        for (_, r) in solved {
            if r >= 3 { stats.corners += 1 } else if r == 2 { stats.edges += 1 } else { stats.planes += 1 }
        }
        return Vertices(rings: rings, ofCell: ofCell, positions: solved.map { $0.0 })
    }

    /// Step 5: one quad per crossed edge whose four cells all have a vertex, split along the
    /// diagonal whose two triangles best agree with the crossing normal, wound along it.
    static func quads(_ crossings: [Crossing], _ edges: Edges, _ V: Vertices, stats: inout Stats) -> [SIMD3<UInt32>] {
        var tris: [SIMD3<UInt32>] = []
        tris.reserveCapacity(2 * crossings.count)
        for (i, c) in crossings.enumerated() {
            let r = V.rings[i]
            guard r.allSatisfy({ $0 >= 0 }) else { stats.missingQuads += 1; continue }
            var q = r.map { UInt32(V.ofCell[Int($0)]) }
            if c.n[edges.axis[c.edge]] < 0 { q.reverse() }
            func score(_ t0: SIMD3<UInt32>, _ t1: SIMD3<UInt32>) -> Float {
                func cosine(_ t: SIMD3<UInt32>) -> Float {
                    let a = V.positions[Int(t.x)], b = V.positions[Int(t.y)], d = V.positions[Int(t.z)]
                    return dot(normalize(cross(b - a, d - a)), c.n)
                }
                return min(cosine(t0), cosine(t1))
            }
            let a0 = SIMD3(q[0], q[1], q[2]), a1 = SIMD3(q[0], q[2], q[3])
            let b0 = SIMD3(q[1], q[2], q[3]), b1 = SIMD3(q[1], q[3], q[0])
            if score(a0, a1) >= score(b0, b1) { tris.append(a0); tris.append(a1) } else { tris.append(b0); tris.append(b1) }
        }
        return tris
    }
}
