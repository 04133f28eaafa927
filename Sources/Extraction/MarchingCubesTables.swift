/// Case tables for `MarchingCubes`, *generated* at first use from face rules instead of being
/// typed in (the classic 256-entry tables are a known source of copy errors).
///
/// Cube conventions (shared with `MarchingCubes`):
/// - corner `c` = cx | cy << 1 | cz << 2 sits at offset (cx, cy, cz) from the cell's min grid point;
///   bit `c` of a case index is 1 when corner `c` is inside (s ≥ 0, see `MarchingCubes`).
/// - edges 0‥3 run along x at (cy, cz) = (e & 1, e >> 1); edges 4‥7 along y at (cx, cz);
///   edges 8‥11 along z at (cx, cy). Each edge goes from its lower corner to its upper corner.
/// - faces 0‥5 = x = 0, x = 1, y = 0, y = 1, z = 0, z = 1.
///
/// A configuration is (case, face bits): bit f of the face bits says, for an *ambiguous* face f
/// (two diagonal corners inside, the other two outside), whether the bilinear interpolant on the
/// face joins the two inside corners (asymptotic decider, Nielson & Hamann, "The asymptotic
/// decider", IEEE Visualization 1991). Bits of unambiguous faces are ignored (0 in the index).
///
/// Generation: on each face the iso-curve of the bilinear interpolant is 0, 1 or 2 segments
/// between crossed edges, fixed by the corner signs and the face bit. Every crossed edge lies on
/// exactly two faces, so the segments chain into closed loops; each loop bounds one surface patch.
/// Segments are oriented so that the loop runs counter-clockwise seen from the outside region
/// (right-hand rule gives the outward normal). A loop of 3 is a triangle; a longer loop is fanned
/// from a loop vertex when none of the fan's diagonals joins two edges of a common cube face
/// (such a diagonal could be created again by the neighbour across that face → a non-manifold
/// edge); otherwise it is fanned from an added vertex at the loop's centroid. Every triangle edge
/// is then either a face segment (shared by exactly the two cells on that face) or an edge inside
/// this cell only: the mesh is crack-free and edge-manifold by construction.
struct MarchingCubesTables: Sendable {
    /// Corners of edge e (lower, upper).
    static let edgeCorners: [(Int, Int)] = (0..<12).map { e in
        if e < 4 { let c = (e & 1) << 1 | (e >> 1) << 2; return (c, c | 1) }
        if e < 8 { let i = e - 4; let c = (i & 1) | (i >> 1) << 2; return (c, c | 2) }
        let i = e - 8; let c = (i & 1) | (i >> 1) << 1; return (c, c | 4)
    }
    static func edge(_ a: Int, _ b: Int) -> Int {
        let (lo, hi) = (min(a, b), max(a, b))
        for e in 0..<12 where edgeCorners[e] == (lo, hi) { return e }
        preconditionFailure("corners \(a), \(b) are not joined by a cube edge")
    }
    static func cornerPosition(_ c: Int) -> SIMD3<Double> { SIMD3(Double(c & 1), Double((c >> 1) & 1), Double((c >> 2) & 1)) }
    /// Corners of face f in cyclic order.
    static let faceCorners: [[Int]] = (0..<6).map { f in
        let axis = f / 2, side = f % 2
        let u = (axis + 1) % 3, v = (axis + 2) % 3
        return [(0, 0), (1, 0), (1, 1), (0, 1)].map { (a, b) in side << axis | a << u | b << v }
    }
    static let faceNormal: [SIMD3<Double>] = (0..<6).map { f in
        var n = SIMD3<Double>(0, 0, 0); n[f / 2] = f % 2 == 0 ? -1 : 1; return n
    }
    /// Faces containing each edge (two per edge).
    static let edgeFaces: [[Int]] = (0..<12).map { e in
        let (a, b) = edgeCorners[e]
        return (0..<6).filter { f in faceCorners[f].contains(a) && faceCorners[f].contains(b) }
    }
    static func shareFace(_ e1: Int, _ e2: Int) -> Bool {
        edgeFaces[e1].contains { edgeFaces[e2].contains($0) }
    }

    /// For each case: bit f set when face f is ambiguous.
    let ambiguousFaces: [UInt8]
    /// Triangles of configuration `case | faceBits << 8`: `triangleRefs[triangleStart[c] ..< triangleStart[c+1]]`,
    /// three refs per triangle; ref < 12 is a cube edge, ref ≥ 12 is centroid vertex `ref − 12` of the configuration.
    let triangleStart: [Int32]
    let triangleRefs: [UInt8]
    /// Centroid vertices: configuration c has centroids `centerStart[c] ..< centerStart[c+1]`, centroid j averages the
    /// edges `centerEdges[centerEdgeStart[j] ..< centerEdgeStart[j+1]]`.
    let centerStart: [Int32]
    let centerEdgeStart: [Int32]
    let centerEdges: [UInt8]

    /// Interior (tunnel) variants of configuration c: `variantStart[c] ..< variantStart[c+1]`. Variant v
    /// applies when corners `variantCorners[v]` (two corners of the same sign, in different regions
    /// of the cube's surface) are joined *through the cell's interior* by the trilinear interpolant's
    /// set of that sign (`variantPositive[v]`: inside set, else outside set); its triangles are then
    /// entry `variantEntry[v]` (an index into `triangleStart`/`centerStart` ≥ 256·64) instead of c.
    let variantStart: [Int32]
    let variantCorners: [SIMD2<UInt8>]
    let variantPositive: [Bool]
    let variantEntry: [Int32]

    static let shared = MarchingCubesTables()

    /// The table entry of a cell in case `cs` (bit c = corner c inside) whose corner values are `s`
    /// (corner order as above, s ≥ 0 inside): the case with its ambiguous faces decided by the
    /// asymptotic decider (bit f when the face's bilinear interpolant joins its two inside corners,
    /// s_in·s_in' − s_out·s_out' ≥ 0: both cells sharing a face compute the same products, and the
    /// decision is the complement under s → −s, so cells that agree on a face up to a global sign
    /// agree on its segments), then MC33's interior test (`interiorConnected`) picking a tunnel
    /// variant where the trilinear interpolant joins two corners through the cell.
    /// `s` is read only for cases with an ambiguous face or an interior variant.
    @inline(__always) func configuration(case cs: Int, corners s: (Int) -> Float) -> Int {
        let a = ambiguousFaces[cs]
        if a == 0 && variantStart[cs + 1] == variantStart[cs] { return cs }
        return decide(case: cs, ambiguous: a, corners: (0..<8).map(s))
    }

    func decide(case cs: Int, ambiguous a: UInt8, corners sv: [Float]) -> Int {
        var config = cs
        var fb = 0
        for f in 0..<6 where (a >> f) & 1 == 1 {
            let q = Self.faceCorners[f]
            let p02 = sv[q[0]] * sv[q[2]], p13 = sv[q[1]] * sv[q[3]]
            let joined = sv[q[0]] >= 0 ? (p02 - p13 >= 0) : (p13 - p02 >= 0)
            if joined { fb |= 1 << f }
        }
        config |= fb << 8
        for v in Int(variantStart[config])..<Int(variantStart[config + 1]) {
            let c = variantCorners[v]
            if Self.interiorConnected(sv, Int(c.x), Int(c.y), positive: variantPositive[v]) { return Int(variantEntry[v]) }
        }
        return config
    }

    init() {
        var amb = [UInt8](repeating: 0, count: 256)
        for c in 0..<256 {
            for f in 0..<6 {
                let q = Self.faceCorners[f].map { (c >> $0) & 1 }
                if q[0] == q[2] && q[1] == q[3] && q[0] != q[1] { amb[c] |= UInt8(1 << f) }
            }
        }
        ambiguousFaces = amb
        var tStart: [Int32] = [0], tRefs: [UInt8] = []
        var cStart: [Int32] = [0], ceStart: [Int32] = [0], cEdges: [UInt8] = []
        var vStart: [Int32] = [0], vCorners: [SIMD2<UInt8>] = [], vPositive: [Bool] = [], vEntry: [Int32] = []
        var pending: [(loops: [[Int]], tube: (Int, Int))] = []

        /// Appends one entry: every loop a disk, except the pair `tube` joined by a tube.
        func emit(_ loops: [[Int]], tube: (Int, Int)?) {
            var centers = 0
            func center(_ edges: [Int]) -> UInt8 {
                cEdges += edges.map(UInt8.init); ceStart.append(Int32(cEdges.count))
                centers += 1
                return UInt8(12 + centers - 1)
            }
            for (li, loop) in loops.enumerated() {
                if let t = tube, li == t.0 || li == t.1 { continue }
                let n = loop.count
                if n == 3 { tRefs += loop.map(UInt8.init); continue }
                var apex: Int? = nil
                for a in 0..<n {
                    var ok = true
                    for j in 2...(n - 2) where Self.shareFace(loop[a], loop[(a + j) % n]) { ok = false; break }
                    if ok { apex = a; break }
                }
                if let a = apex {
                    for j in 1..<(n - 1) {
                        tRefs += [UInt8(loop[a]), UInt8(loop[(a + j) % n]), UInt8(loop[(a + j + 1) % n])]
                    }
                } else {
                    let ref = center(loop)
                    for j in 0..<n { tRefs += [ref, UInt8(loop[j]), UInt8(loop[(j + 1) % n])] }
                }
            }
            if let t = tube {
                // A tube between loops A and B (both keep their orientation: ∂tube = A + B), through a
                // ring of private vertices r_i = mean(a_i, b_π(i)), π decreasing (see `tubeMatching`).
                let A = loops[t.0], B = loops[t.1]
                let n = A.count, m = B.count
                let pi = Self.tubeMatching(A, B)
                let r = (0..<n).map { center([A[$0], B[pi[$0]]]) }
                for i in 0..<n {
                    let i1 = (i + 1) % n
                    tRefs += [UInt8(A[i]), UInt8(A[i1]), r[i1]]
                    tRefs += [UInt8(A[i]), r[i1], r[i]]
                    let j0 = pi[i], j1 = pi[i1]
                    tRefs += [r[i], r[i1], UInt8(B[j1])]
                    var j = j1
                    while j != j0 {
                        tRefs += [UInt8(B[j]), UInt8(B[(j + 1) % m]), r[i]]
                        j = (j + 1) % m
                    }
                }
            }
            tStart.append(Int32(tRefs.count))
            cStart.append(cStart.last! + Int32(centers))
        }

        for config in 0..<(256 * 64) {
            let cs = config & 255, fb = config >> 8
            // Only face bits of ambiguous faces are meaningful; other indices copy the canonical entry.
            let valid = (fb & ~Int(amb[cs])) == 0
            let loops = valid ? Self.loops(case: cs, faceBits: fb) : []
            emit(loops, tube: nil)
            if valid && loops.count >= 2 {
                for v in Self.tunnelCandidates(case: cs, faceBits: fb, loops: loops) {
                    vCorners.append(SIMD2(UInt8(v.corners.0), UInt8(v.corners.1)))
                    vPositive.append(v.positive)
                    vEntry.append(Int32(256 * 64 + pending.count))
                    pending.append((loops, v.loops))
                }
            }
            vStart.append(Int32(vCorners.count))
        }
        for p in pending { emit(p.loops, tube: p.tube) }
        triangleStart = tStart; triangleRefs = tRefs
        centerStart = cStart; centerEdgeStart = ceStart; centerEdges = cEdges
        variantStart = vStart; variantCorners = vCorners; variantPositive = vPositive; variantEntry = vEntry
    }

    /// Regions of the cube's surface (corners joined along uncrossed cube edges, and across
    /// ambiguous faces as the face bits say): a region id per corner.
    static func surfaceRegions(case cs: Int, faceBits fb: Int) -> [Int] {
        var parent = Array(0..<8)
        func find(_ x: Int) -> Int { var x = x; while parent[x] != x { x = parent[x] }; return x }
        func union(_ a: Int, _ b: Int) { let ra = find(a), rb = find(b); if ra != rb { parent[ra] = rb } }
        func inside(_ c: Int) -> Bool { (cs >> c) & 1 == 1 }
        for e in 0..<12 { let (a, b) = edgeCorners[e]; if inside(a) == inside(b) { union(a, b) } }
        for f in 0..<6 {
            let q = faceCorners[f].map(inside)
            guard q[0] == q[2], q[1] == q[3], q[0] != q[1] else { continue }
            let joined = (fb >> f) & 1 == 1   // inside corners joined across the face
            let c = faceCorners[f]
            if q[0] == joined { union(c[0], c[2]) } else { union(c[1], c[3]) }
        }
        return (0..<8).map(find)
    }

    /// Pairs of loops that the trilinear interpolant may join by a tube: loops A and B bounding two
    /// same-sign surface regions RA, RB on one side and one common region Q on the other. The
    /// tube applies when a corner of RA and one of RB are connected through the interior.
    static func tunnelCandidates(case cs: Int, faceBits fb: Int, loops: [[Int]]) -> [(corners: (Int, Int), positive: Bool, loops: (Int, Int))] {
        let region = surfaceRegions(case: cs, faceBits: fb)
        func inside(_ c: Int) -> Bool { (cs >> c) & 1 == 1 }
        // Each loop separates an inside region from an outside region (read from its first edge).
        let sides: [(inR: Int, outR: Int)] = loops.map { loop in
            let (a, b) = edgeCorners[loop[0]]
            return inside(a) ? (region[a], region[b]) : (region[b], region[a])
        }
        var out: [(corners: (Int, Int), positive: Bool, loops: (Int, Int))] = []
        for i in 0..<loops.count { for j in (i + 1)..<loops.count {
            for positive in [true, false] {
                let (ri, rj, qi, qj) = positive ? (sides[i].inR, sides[j].inR, sides[i].outR, sides[j].outR)
                                                : (sides[i].outR, sides[j].outR, sides[i].inR, sides[j].inR)
                guard ri != rj, qi == qj else { continue }
                let ca = (0..<8).first { region[$0] == ri }!, cb = (0..<8).first { region[$0] == rj }!
                out.append(((ca, cb), positive, (i, j)))
            }
        } }
        return out
    }

    /// π: loop A's vertex i ↦ loop B's vertex, decreasing (B runs the other way round the tube),
    /// with the rotation that minimizes the summed distance between the edges' midpoints.
    static func tubeMatching(_ A: [Int], _ B: [Int]) -> [Int] {
        let n = A.count, m = B.count
        func mid(_ e: Int) -> SIMD3<Double> { let (a, b) = edgeCorners[e]; return (cornerPosition(a) + cornerPosition(b)) / 2 }
        var best: [Int] = [], bestCost = Double.infinity
        for off in 0..<m {
            let pi = (0..<n).map { i in ((off - i * m / n) % m + m) % m }
            var cost = 0.0
            for i in 0..<n { let d = mid(A[i]) - mid(B[pi[i]]); cost += (d * d).sum().squareRoot() }
            if cost < bestCost { bestCost = cost; best = pi }
        }
        return best
    }

    /// Whether corners `a` and `b` of a cell with corner values `s` (s ≥ 0 inside) are joined inside
    /// the cell by the trilinear interpolant's inside set (`positive`) or outside set (s < 0).
    ///
    /// Sweep along z: each slice is a bilinear function of (x, y) whose sign set on the square has
    /// one or two components (asymptotic decider on the slice), constant between the critical
    /// heights — the zeros of the four z-edges and of the slice's saddle numerator ac − bd (a
    /// quadratic). Components of consecutive intervals that share a vertical edge are the same
    /// piece of the 3-D set (Chernyaev 1995; Lewiner et al. 2003 decide the same question with
    /// case-specific tests).
    static func interiorConnected(_ s: [Float], _ a: Int, _ b: Int, positive: Bool) -> Bool {
        // Vertical edge e (corner e at z = 0, e | 4 at z = 1), e = x | y << 1.
        var ts: [Double] = [0, 1]
        for e in 0..<4 {
            let s0 = Double(s[e]), s1 = Double(s[e | 4])
            if (s0 >= 0) != (s1 >= 0) { ts.append(s0 / (s0 - s1)) }
        }
        // Slice corners in cyclic order: 0 (0,0), 1 (1,0), 3 (1,1), 2 (0,1): N(t) = v0·v3 − v1·v2.
        func lin(_ e: Int) -> (Double, Double) { (Double(s[e]), Double(s[e | 4]) - Double(s[e])) }
        let (p0, d0) = lin(0), (p1, d1) = lin(1), (p2, d2) = lin(2), (p3, d3) = lin(3)
        let qa = d0 * d3 - d1 * d2, qb = p0 * d3 + d0 * p3 - p1 * d2 - d1 * p2, qc = p0 * p3 - p1 * p2
        if abs(qa) > 1e-300 {
            let disc = qb * qb - 4 * qa * qc
            if disc >= 0 { let r = disc.squareRoot(); ts += [(-qb - r) / (2 * qa), (-qb + r) / (2 * qa)] }
        } else if abs(qb) > 1e-300 { ts.append(-qc / qb) }
        ts = ts.filter { $0 >= 0 && $0 <= 1 }.sorted()
        var mids: [Double] = []
        for i in 0..<(ts.count - 1) where ts[i + 1] > ts[i] { mids.append(0.5 * (ts[i] + ts[i + 1])) }
        if mids.isEmpty { mids = [0.5] }
        // Union–find over (interval, vertical edge).
        var parent = Array(0..<(4 * mids.count))
        func find(_ x: Int) -> Int { var x = x; while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }; return x }
        func union(_ x: Int, _ y: Int) { let rx = find(x), ry = find(y); if rx != ry { parent[rx] = ry } }
        var member = [[Bool]]()
        for (k, t) in mids.enumerated() {
            let v = (0..<4).map { Double(s[$0]) + t * (Double(s[$0 | 4]) - Double(s[$0])) }
            let inSet = v.map { positive ? $0 >= 0 : $0 < 0 }
            member.append(inSet)
            // square sides: 0–1, 1–3, 3–2, 2–0
            for (x, y) in [(0, 1), (1, 3), (3, 2), (2, 0)] where inSet[x] && inSet[y] { union(4 * k + x, 4 * k + y) }
            // diagonals when the slice is ambiguous: joined for the inside set iff the decider says so
            if inSet[0] == inSet[3] && inSet[1] == inSet[2] && inSet[0] != inSet[1] {
                let insideJoinedPair03 = v[0] >= 0 ? (v[0] * v[3] - v[1] * v[2] >= 0) : !(v[1] * v[2] - v[0] * v[3] >= 0)
                // insideJoinedPair03: the pair (0, 3) is connected in the slice's sign set it belongs to
                if inSet[0] { if insideJoinedPair03 { union(4 * k, 4 * k + 3) } } else if !insideJoinedPair03 { union(4 * k + 1, 4 * k + 2) }
            }
            if k > 0 { for e in 0..<4 where inSet[e] && member[k - 1][e] { union(4 * (k - 1) + e, 4 * k + e) } }
        }
        let ka = a < 4 ? 0 : mids.count - 1, kb = b < 4 ? 0 : mids.count - 1
        let ea = a & 3, eb = b & 3
        guard member[ka][ea], member[kb][eb] else { return false }
        return find(4 * ka + ea) == find(4 * kb + eb)
    }

    /// The oriented boundary loops (lists of cube edges) of the surface patches in one configuration.
    static func loops(case cs: Int, faceBits fb: Int) -> [[Int]] {
        func inside(_ c: Int) -> Bool { (cs >> c) & 1 == 1 }
        var next = [Int](repeating: -1, count: 12)
        for f in 0..<6 {
            let q = faceCorners[f]
            let crossed = (0..<4).filter { inside(q[$0]) != inside(q[($0 + 1) % 4]) }
            var segments: [(Int, Int)] = []  // pairs of cyclic edge slots (slot i = edge q[i]–q[i+1])
            if crossed.count == 2 {
                segments = [(crossed[0], crossed[1])]
            } else if crossed.count == 4 {
                let joined = (fb >> f) & 1 == 1
                // Isolate the corners of the type that is *not* joined across the face.
                for i in 0..<4 where inside(q[i]) != joined {
                    segments.append(((i + 3) % 4, i))
                }
            }
            for (sa, sb) in segments {
                let ea = edge(q[sa], q[(sa + 1) % 4]), eb = edge(q[sb], q[(sb + 1) % 4])
                // N: from the inside region towards the outside region, summed over both edges.
                func inToOut(_ e: Int) -> SIMD3<Double> {
                    let (a, b) = edgeCorners[e]
                    return inside(a) ? cornerPosition(b) - cornerPosition(a) : cornerPosition(a) - cornerPosition(b)
                }
                let n = inToOut(ea) + inToOut(eb)
                let nf = faceNormal[f]
                let t = SIMD3(n.y * nf.z - n.z * nf.y, n.z * nf.x - n.x * nf.z, n.x * nf.y - n.y * nf.x)
                func mid(_ e: Int) -> SIMD3<Double> { let (a, b) = edgeCorners[e]; return (cornerPosition(a) + cornerPosition(b)) / 2 }
                let d = mid(eb) - mid(ea)
                let (from, to) = (d * t).sum() > 0 ? (ea, eb) : (eb, ea)
                precondition(next[from] == -1, "marching cubes table generation: edge \(from) has two successors (case \(cs))")
                next[from] = to
            }
        }
        var seen = [Bool](repeating: false, count: 12)
        var loops: [[Int]] = []
        for e in 0..<12 where next[e] != -1 && !seen[e] {
            var loop: [Int] = []
            var x = e
            while !seen[x] { seen[x] = true; loop.append(x); x = next[x]; precondition(x != -1, "open loop in case \(cs)") }
            precondition(x == e, "loops must close (case \(cs))")
            loops.append(loop)
        }
        return loops
    }
}
