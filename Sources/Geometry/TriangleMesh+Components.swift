extension TriangleMesh {
    /// Connected components of the faces, through shared vertices (union–find over vertex
    /// indices; vertices at equal positions but different indices are not joined — weld first).
    ///
    /// - Returns: `labels[f]` in `0..<count` for every face f, numbered in order of each
    ///   component's first face; the empty mesh has `count` 0.
    public func faceComponents() -> (labels: [Int], count: Int) {
        var parent = Array(0..<vertexCount)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        for t in triangles {
            for (a, b) in [(t.x, t.y), (t.y, t.z)] {
                let ra = find(Int(a)), rb = find(Int(b))
                if ra != rb { parent[ra] = rb }
            }
        }
        var id: [Int: Int] = [:]
        let labels = triangles.map { t -> Int in
            let r = find(Int(t.x))
            if let k = id[r] { return k }
            id[r] = id.count
            return id.count - 1
        }
        return (labels, id.count)
    }

    /// The mesh without its small closed pieces: every face component whose enclosed volume
    /// (|signed volume|, see `signedVolume`) is below `fraction` × the largest component's is
    /// dropped, with the vertices only it used. Meant for closed meshes from marching cubes
    /// (floaters of a generated field); an open component's "volume" depends on the origin, so
    /// keep `fraction` 0 for open meshes. `fraction` 0 returns the mesh unchanged.
    ///
    /// - Returns: the kept mesh and the number of components removed.
    public func removingSmallComponents(fraction: Double) -> (mesh: TriangleMesh, removed: Int) {
        precondition(fraction >= 0 && fraction <= 1, "removingSmallComponents: fraction must be in [0, 1]")
        let (labels, count) = faceComponents()
        guard fraction > 0, count > 1 else { return (self, 0) }
        var volume = [Double](repeating: 0, count: count)
        for f in 0..<faceCount {
            let (a, b, c) = corners(f)
            volume[labels[f]] += dot(a.double, cross(b.double, c.double)) / 6
        }
        let size = volume.map { Swift.abs($0) }, largest = size.max()!
        let keep = size.map { $0 >= fraction * largest }
        var out = self
        out.triangles = zip(triangles, labels).filter { keep[$0.1] }.map(\.0)
        return (out.compacted().mesh, keep.filter { !$0 }.count)
    }
}
