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

    static let shared = MarchingCubesTables()

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
        for config in 0..<(256 * 64) {
            let cs = config & 255, fb = config >> 8
            // Only face bits of ambiguous faces are meaningful; other indices copy the canonical entry.
            let loops = (fb & ~Int(amb[cs])) == 0 ? Self.loops(case: cs, faceBits: fb) : []
            var centers = 0
            for loop in loops {
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
                    let ref = UInt8(12 + centers); centers += 1
                    for j in 0..<n { tRefs += [ref, UInt8(loop[j]), UInt8(loop[(j + 1) % n])] }
                    cEdges += loop.map(UInt8.init); ceStart.append(Int32(cEdges.count))
                }
            }
            tStart.append(Int32(tRefs.count))
            cStart.append(cStart.last! + Int32(centers))
        }
        triangleStart = tStart; triangleRefs = tRefs
        centerStart = cStart; centerEdgeStart = ceStart; centerEdges = cEdges
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
