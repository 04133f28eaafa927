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

    public static func extract(_ udf: some GradientField, options: Options = Options()) throws -> (mesh: TriangleMesh, stats: Stats) {
        guard (1...16).contains(options.depth) else { throw ExtractionError.invalidOption("depth must be in 1…16, got \(options.depth)") }
        guard !options.bounds.isEmpty, options.bounds.longestSide > 0 else { throw ExtractionError.invalidOption("the bounds are empty") }
        guard options.surfaceTolerance > 0 else { throw ExtractionError.invalidOption("the surface tolerance must be positive") }
        var stats = Stats()
        let D = options.depth
        let n = 1 << D
        let hRaw = options.bounds.longestSide / Float(n)
        let side = options.bounds.longestSide + 2 * shift.max() * hRaw
        let h = side / Float(n)
        let origin = options.bounds.min - shift * hRaw
        let tol = options.surfaceTolerance * h
        @inline(__always) func latticePoint(_ c: SIMD3<Int>) -> Vec3 {  // half-cell lattice
            origin + Vec3(Float(c.x), Float(c.y), Float(c.z)) * (0.5 * h)
        }

        // 1. Pruned octree.
        var level: [SIMD3<Int>] = [.zero]
        var kept: [SIMD3<Int>] = []
        for l in 0...D {
            let size = side / Float(1 << l)
            let centers = level.map { origin + (Vec3(Float($0.x), Float($0.y), Float($0.z)) + 0.5) * size }
            let u = udf.values(at: centers)
            stats.evaluations += centers.count
            let bound = 0.5 * Float(3).squareRoot() * size + max(0.01 * h, tol)
            var next: [SIMD3<Int>] = []
            for (c, v) in zip(level, u) where v < bound {
                if l == D { kept.append(c) } else {
                    for o in 0..<8 { next.append(c &* 2 &+ SIMD3(o & 1, o >> 1 & 1, o >> 2)) }
                }
            }
            level = next
        }
        stats.keptCells = kept.count
        if kept.isEmpty { return (TriangleMesh(), stats) }
        var cellIndex = KeyIndex(expected: kept.count)
        for c in kept { cellIndex.insert(KeyIndex.pack(c.x, c.y, c.z)) }

        // 2. Samples on the shared half-cell lattice.
        var lattice = KeyIndex(expected: kept.count * 8)
        var cellSamples = [Int32](repeating: 0, count: kept.count * 27)
        for (ci, c) in kept.enumerated() {
            for s in 0..<27 {
                let p = c &* 2 &+ SIMD3(s % 3, s / 3 % 3, s / 9)
                cellSamples[ci * 27 + s] = lattice.insert(KeyIndex.pack(p.x, p.y, p.z))
            }
        }
        let samplePoints = lattice.keys.map { latticePoint(KeyIndex.unpack($0)) }
        let (su, sg) = udf.valuesAndGradients(at: samplePoints)
        stats.samples = samplePoints.count
        stats.evaluations += samplePoints.count
        var projectionOf: [Int32] = [], projections: [Vec3] = []
        projectionOf.reserveCapacity(samplePoints.count)
        for i in 0..<samplePoints.count {
            if su[i] >= options.minSampleDistance * h && su[i].isFinite && sg[i].isFinite && lengthSquared(sg[i]) > 0.25 {
                projectionOf.append(Int32(projections.count))
                projections.append(samplePoints[i] - su[i] * normalize(sg[i]))
            } else { projectionOf.append(-1) }
        }
        let pu = udf.values(at: projections)
        stats.evaluations += projections.count
        let validSample = (0..<samplePoints.count).map { i in projectionOf[i] >= 0 && pu[Int(projectionOf[i])] <= tol }
        stats.validSamples = validSample.reduce(0) { $0 + ($1 ? 1 : 0) }

        // 3. Crossed edges: unique cell edges (corner on the cell lattice, axis), tested by gradients.
        var edgeIndex = [KeyIndex](repeating: KeyIndex(expected: kept.count * 3), count: 3)
        var edgeStart: [SIMD3<Int>] = [], edgeAxis: [Int] = []
        for c in kept {
            for axis in 0..<3 {
                let u = (axis + 1) % 3, v = (axis + 2) % 3
                for o in 0..<4 {
                    var s = c
                    s[u] += o & 1; s[v] += o >> 1
                    let before = edgeIndex[axis].count
                    edgeIndex[axis].insert(KeyIndex.pack(s.x, s.y, s.z))
                    if edgeIndex[axis].count > before { edgeStart.append(s); edgeAxis.append(axis) }
                }
            }
        }
        var candidates: [(edge: Int, t: Float)] = []
        for e in 0..<edgeStart.count {
            let a = edgeStart[e] &* 2
            var b = a; b[edgeAxis[e]] += 2
            let ia = Int(lattice.find(KeyIndex.pack(a.x, a.y, a.z))), ib = Int(lattice.find(KeyIndex.pack(b.x, b.y, b.z)))
            let ua = su[ia], ub = su[ib]
            guard ua.isFinite, ub.isFinite, ua + ub > 0 else { continue }
            // Opposite gradients, or one corner behind the other's tangent plane (at a sharp edge
            // the inside corner's gradient can be perpendicular to the outside one's).
            let d = Vec3(Float(b.x - a.x), Float(b.y - a.y), Float(b.z - a.z)) * (0.5 * h)
            let ga = normalize(sg[ia]), gb = normalize(sg[ib])
            // The plane test alone needs clearly different gradients: two corners on the same side
            // of a smooth surface (a chord dipping through it twice) have nearly equal ones.
            let gg = dot(ga, gb)
            guard gg < 0 || (gg < 0.9 && (ua + dot(d, ga) < 0 || ub - dot(d, gb) < 0)) else { continue }
            // t < 0 marks candidates found by the gradient test (opposite corner gradients); the
            // plane-test ones must also show opposite gradients across the final bracket.
            candidates.append((e, gg < 0 ? -1 : 0))
        }
        // Bracket each crossing by bisection on the side test ∇u(p)·(∇u(a) − ∇u(b)) > 0 (a's side),
        // which stays right at sharp edges where u is far from linear along the edge; then place
        // it by the zero of +u(lo) … −u(hi) inside the final bracket and validate it.
        let m = candidates.count
        var lo = [Float](repeating: 0, count: m), hi = [Float](repeating: 1, count: m)
        var ulo = [Float](repeating: 0, count: m), uhi = [Float](repeating: 0, count: m)
        var glo = [Vec3](repeating: .zero, count: m), ghi = [Vec3](repeating: .zero, count: m)
        var ref = [Vec3](repeating: .zero, count: m)
        func edgePoint(_ c: Int, _ t: Float) -> Vec3 {
            let a = edgeStart[candidates[c].edge]
            var p = Vec3(Float(a.x), Float(a.y), Float(a.z))
            p[edgeAxis[candidates[c].edge]] += t
            return origin + p * h
        }
        for (c, cand) in candidates.enumerated() {
            let a = edgeStart[cand.edge] &* 2
            var b = a; b[edgeAxis[cand.edge]] += 2
            let ia = Int(lattice.find(KeyIndex.pack(a.x, a.y, a.z))), ib = Int(lattice.find(KeyIndex.pack(b.x, b.y, b.z)))
            ulo[c] = su[ia]; uhi[c] = su[ib]; glo[c] = normalize(sg[ia]); ghi[c] = normalize(sg[ib])
            ref[c] = glo[c] - ghi[c]
        }
        for _ in 0..<Self.bisectionSteps where m > 0 {
            let mids = (0..<m).map { edgePoint($0, 0.5 * (lo[$0] + hi[$0])) }
            let (mu, mg) = udf.valuesAndGradients(at: mids)
            stats.evaluations += m
            for c in 0..<m {
                let t = 0.5 * (lo[c] + hi[c])
                if dot(mg[c], ref[c]) > 0 { lo[c] = t; ulo[c] = mu[c]; glo[c] = normalize(mg[c]) }
                else { hi[c] = t; uhi[c] = mu[c]; if lengthSquared(mg[c]) > 0 { ghi[c] = normalize(mg[c]) } }
            }
        }
        let crossingPoints = (0..<m).map { c -> Vec3 in
            let s = ulo[c] + uhi[c]
            return edgePoint(c, s > 0 ? lo[c] + (hi[c] - lo[c]) * ulo[c] / s : 0.5 * (lo[c] + hi[c]))
        }
        let cu = udf.values(at: crossingPoints)
        stats.evaluations += crossingPoints.count
        var crossings: [(edge: Int, x: Vec3, n: Vec3)] = []
        for (i, c) in candidates.enumerated() {
            // A true crossing has the surface inside the final bracket: small u, and gradients that
            // point away from each other at its two ends (a grazing edge has neither).
            guard cu[i] <= tol, c.t < 0 || dot(glo[i], ghi[i]) < 0 else { stats.rejectedCrossings += 1; continue }
            let nrm = normalize(glo[i] - ghi[i])
            crossings.append((c.edge, crossingPoints[i], lengthSquared(nrm) > 0 ? nrm : normalize(ref[i])))
        }
        stats.crossedEdges = crossings.count

        // The four cells around a crossed edge, counter-clockwise seen from +axis (−1 if pruned).
        func ring(_ e: Int) -> [Int32] {
            let s = edgeStart[e], axis = edgeAxis[e]
            let u = (axis + 1) % 3, v = (axis + 2) % 3
            return [(-1, -1), (0, -1), (0, 0), (-1, 0)].map { (du, dv) in
                var c = s; c[u] += du; c[v] += dv
                guard c.x >= 0, c.y >= 0, c.z >= 0 else { return -1 }
                return cellIndex.find(KeyIndex.pack(c.x, c.y, c.z))
            }
        }

        // 4. One vertex per cell with a crossed edge.
        var cellCrossings = [[Int32]](repeating: [], count: kept.count)
        var rings: [[Int32]] = []
        rings.reserveCapacity(crossings.count)
        for (i, c) in crossings.enumerated() {
            let r = ring(c.edge)
            rings.append(r)
            for cell in r where cell >= 0 { cellCrossings[Int(cell)].append(Int32(i)) }
        }
        var vertexOf = [Int32](repeating: -1, count: kept.count)
        var vcells: [Int] = []
        for ci in 0..<kept.count where !cellCrossings[ci].isEmpty { vertexOf[ci] = Int32(vcells.count); vcells.append(ci) }
        let threshold = options.singularValueThreshold
        let solved: [(Vec3, Int)] = parallelMap(vcells.count, minChunk: 64, repeating: (Vec3.zero, 0)) { vi in
            let ci = vcells[vi]
            let list = cellCrossings[ci]
            var mass = Vec3.zero
            for x in list { mass += crossings[Int(x)].x }
            mass /= Float(list.count)
            var qef = PlaneLeastSquares(center: mass)
            for x in list { qef.add(point: crossings[Int(x)].x, normal: crossings[Int(x)].n) }
            let lo = origin + Vec3(Float(kept[ci].x), Float(kept[ci].y), Float(kept[ci].z)) * h
            let box = AABB(min: lo, max: lo + h)
            let near = box.padded(by: 0.5 * h)
            for s in 0..<27 {
                let si = Int(cellSamples[ci * 27 + s])
                guard validSample[si] else { continue }
                let q = projections[Int(projectionOf[si])]
                if near.contains(q) { qef.add(point: q, normal: normalize(sg[si])) }
            }
            let (p, rank) = qef.solve(threshold: threshold)
            return (box.padded(by: 0.25 * h).contains(p) && p.isFinite ? p : mass, rank)
        }
        var positions = solved.map { $0.0 }
        for (_, r) in solved {
            if r >= 3 { stats.corners += 1 } else if r == 2 { stats.edges += 1 } else { stats.planes += 1 }
        }

        // 5. Quads, split along the better diagonal, oriented along the crossing normal.
        var tris: [SIMD3<UInt32>] = []
        tris.reserveCapacity(2 * crossings.count)
        for (i, c) in crossings.enumerated() {
            let r = rings[i]
            guard r.allSatisfy({ $0 >= 0 }) else { stats.missingQuads += 1; continue }
            var q = r.map { UInt32(vertexOf[Int($0)]) }
            if c.n[edgeAxis[c.edge]] < 0 { q.reverse() }
            func score(_ t0: SIMD3<UInt32>, _ t1: SIMD3<UInt32>) -> Float {
                func cosine(_ t: SIMD3<UInt32>) -> Float {
                    let a = positions[Int(t.x)], b = positions[Int(t.y)], d = positions[Int(t.z)]
                    return dot(normalize(cross(b - a, d - a)), c.n)
                }
                return min(cosine(t0), cosine(t1))
            }
            let a0 = SIMD3(q[0], q[1], q[2]), a1 = SIMD3(q[0], q[2], q[3])
            let b0 = SIMD3(q[1], q[2], q[3]), b1 = SIMD3(q[1], q[3], q[0])
            if score(a0, a1) >= score(b0, b1) { tris.append(a0); tris.append(a1) } else { tris.append(b0); tris.append(b1) }
        }
        var mesh = compacted(TriangleMesh(positions: positions, triangles: tris))
        positions = []
        mesh = orientConsistently(mesh)
        mesh.recomputeNormals()
        return (mesh, stats)
    }

    /// Drops unreferenced vertices (order kept).
    static func compacted(_ m: TriangleMesh) -> TriangleMesh {
        var remap = [Int32](repeating: -1, count: m.vertexCount)
        var pos: [Vec3] = []
        var tris = m.triangles
        for f in 0..<tris.count {
            for c in 0..<3 {
                let v = Int(tris[f][c])
                if remap[v] < 0 { remap[v] = Int32(pos.count); pos.append(m.positions[v]) }
                tris[f][c] = UInt32(remap[v])
            }
        }
        return TriangleMesh(positions: pos, triangles: tris)
    }

    /// Flips faces so that every manifold edge is traversed in opposite directions by its two faces
    /// (breadth-first over each component from its first face); closed components are then turned
    /// to positive volume, open ones keep the orientation most of their faces had.
    static func orientConsistently(_ m: TriangleMesh) -> TriangleMesh {
        let F = m.faceCount
        if F == 0 { return m }
        // Edge → the (up to two) faces using it; a third use marks the edge non-manifold.
        var edgeFaces: [UInt64: SIMD2<Int32>] = [:]
        var edgeUses: [UInt64: Int] = [:]
        edgeFaces.reserveCapacity(F * 3 / 2)
        @inline(__always) func key(_ a: UInt32, _ b: UInt32) -> UInt64 { a < b ? UInt64(a) << 32 | UInt64(b) : UInt64(b) << 32 | UInt64(a) }
        for f in 0..<F {
            let t = m.triangles[f]
            for k in 0..<3 {
                let e = key(t[k], t[(k + 1) % 3])
                edgeUses[e, default: 0] += 1
                if var p = edgeFaces[e] { p.y = Int32(f); edgeFaces[e] = p } else { edgeFaces[e] = SIMD2(Int32(f), -1) }
            }
        }
        var flip = [Int8](repeating: -1, count: F)   // −1 unvisited, 0 keep, 1 flip
        var tris = m.triangles
        @inline(__always) func directed(_ f: Int, _ a: UInt32, _ b: UInt32) -> Bool {
            // does face f (with its flip applied) traverse a → b?
            let t = m.triangles[f]
            var forward = false
            for k in 0..<3 where t[k] == a && t[(k + 1) % 3] == b { forward = true }
            return flip[f] == 1 ? !forward : forward
        }
        for seed in 0..<F where flip[seed] < 0 {
            flip[seed] = 0
            var queue = [seed], head = 0
            var component: [Int] = []
            var closed = true
            while head < queue.count {
                let f = queue[head]; head += 1
                component.append(f)
                let t = m.triangles[f]
                for k in 0..<3 {
                    let a = t[k], b = t[(k + 1) % 3]
                    let e = key(a, b)
                    if edgeUses[e]! == 1 { closed = false; continue }
                    guard edgeUses[e]! == 2, let p = edgeFaces[e] else { closed = false; continue }
                    let g = Int(p.x) == f ? Int(p.y) : Int(p.x)
                    if flip[g] >= 0 { continue }
                    // g must traverse the edge opposite to f.
                    let fForward = directed(f, a, b)
                    flip[g] = 0
                    if directed(g, a, b) == fForward { flip[g] = 1 }
                    queue.append(g)
                }
            }
            var flipAll = false
            if closed {
                var vol = 0.0
                for f in component {
                    var t = m.triangles[f]
                    if flip[f] == 1 { t = SIMD3(t.x, t.z, t.y) }
                    vol += dot(m.positions[Int(t.x)].double, cross(m.positions[Int(t.y)].double, m.positions[Int(t.z)].double))
                }
                flipAll = vol < 0
            } else {
                let flipped = component.reduce(0) { $0 + Int(flip[$1]) }
                flipAll = 2 * flipped > component.count
            }
            for f in component where (flip[f] == 1) != flipAll {
                let t = tris[f]; tris[f] = SIMD3(t.x, t.z, t.y)
            }
        }
        return TriangleMesh(positions: m.positions, triangles: tris)
    }
}
