extension TriangleMesh {
    /// Flips faces so that every manifold edge is traversed in opposite directions by its two faces
    /// (breadth-first over each component from its first face); closed components are then turned
    /// to positive volume, open ones keep the orientation most of their faces had. Non-manifold
    /// edges (three or more faces) do not propagate. Positions, face order and normals are kept
    /// (recompute the normals after). Used by the extractors whose faces come out with local,
    /// possibly disagreeing orientations (DualMesh-UDF).
    public func orientedConsistently() -> TriangleMesh {
        let m = self
        let F = m.faceCount
        if F == 0 { return m }
        // Edge → the (up to two) faces using it; a third use marks the edge non-manifold.
        var edgeFaces: [UInt64: SIMD2<Int32>] = [:]
        var edgeUses: [UInt64: Int] = [:]
        edgeFaces.reserveCapacity(F * 3 / 2)
        for f in 0..<F {
            let t = m.triangles[f]
            for k in 0..<3 {
                let e = undirectedEdgeKey(t[k], t[(k + 1) % 3])
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
                    let e = undirectedEdgeKey(a, b)
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
        var out = m
        out.triangles = tris
        return out
    }
}
