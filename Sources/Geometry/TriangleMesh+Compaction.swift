extension TriangleMesh {
    /// Removes vertices no face references, renumbering the rest in their original order.
    /// Returns the mesh and how many vertices were removed.
    public func compacted() -> (mesh: TriangleMesh, removed: Int) {
        var used = [Bool](repeating: false, count: vertexCount)
        for t in triangles { used[Int(t.x)] = true; used[Int(t.y)] = true; used[Int(t.z)] = true }
        let usedCount = used.reduce(0) { $0 + ($1 ? 1 : 0) }
        if usedCount == vertexCount { return (self, 0) }
        var remap = [UInt32](repeating: .max, count: vertexCount)
        var newPositions: [Vec3] = []
        newPositions.reserveCapacity(usedCount)
        var newNormals: [Vec3]? = normals == nil ? nil : []
        for v in 0..<vertexCount where used[v] {
            remap[v] = UInt32(newPositions.count)
            newPositions.append(positions[v])
            if let n = normals { newNormals!.append(n[v]) }
        }
        let newTriangles = triangles.map { SIMD3(remap[Int($0.x)], remap[Int($0.y)], remap[Int($0.z)]) }
        return (TriangleMesh(positions: newPositions, triangles: newTriangles, normals: newNormals), vertexCount - usedCount)
    }
}
