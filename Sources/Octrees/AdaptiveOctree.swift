import Geometry

extension Octree {
    /// An adaptive octree: coarse where the surface is flat, fine where it bends — the structure of
    /// Adaptive O-CNN (Wang, Sun, Liu & Tong, "Adaptive O-CNN: A Patch-based Deep Representation of
    /// 3D Shapes", SIGGRAPH Asia 2018), which O-CNN's PyTorch octree does not build (its issue #19).
    ///
    /// A node holding surface points splits iff it lies above the finest `depth` and either lies
    /// above `max(fullDepth, 1)` or its points are not planar: the largest distance of the node's
    /// points to their least-squares plane exceeds `tolerance` × the cell's edge length. Otherwise
    /// it is a surface leaf carrying that plane (`planes[d][i]`), so the tree reproduces every
    /// input point within `tolerance` × (its leaf's edge) — and within one finest cell at `depth`.
    /// Leaves of the finest depth carry their plane too.
    ///
    /// - `points`: (N,) surface samples in the octree frame [-1, 1]³; `normals`: nil or (N,) unit
    ///   normals, used only when a cell's points do not determine a plane (fewer than 3, collinear).
    /// - Points are sorted once by finest-depth Morton key, so every node's points are one
    ///   contiguous range (found by binary search): O(N log N + N · depth) in all.
    public init(adaptivePoints points: [Vec3], normals: [Vec3]? = nil, depth: Int, fullDepth: Int = 0,
                tolerance: Float = 0.05, frame: SimilarityTransform = .identity) throws {
        guard Octree.depthRange.contains(depth) else { throw OctreeError.depthOutOfRange(depth: depth, allowed: Octree.depthRange) }
        precondition(tolerance >= 0, "tolerance is a non-negative fraction of the cell size")
        precondition(normals == nil || normals!.count == points.count, "one normal per point")
        let keyed = points.indices.map { (Morton.encode(Octree.cellCoordinates(of: points[$0], depth: depth)), $0) }
            .sorted { $0.0 < $1.0 }
        let keys = keyed.map(\.0)
        let sorted = keyed.map { points[$0.1] }
        let sortedNormals = normals.map { n in keyed.map { n[$0.1] } }
        let minSplitDepth = max(fullDepth, 1)
        self = try OctreeBuilder.topDown(depth: depth, fullDepth: fullDepth, frame: frame) { d, nodeKeys in
            let shift = UInt32(3 * (depth - d))
            var kinds = [Octree.NodeKind](repeating: .empty, count: nodeKeys.count)
            var planes = [SIMD4<Float>](repeating: .zero, count: nodeKeys.count)
            let h = Octree.cellSize(depth: d)
            kinds.withUnsafeMutableBufferPointer { kb in
                planes.withUnsafeMutableBufferPointer { pb in
                    let kp = kb.baseAddress!, pp = pb.baseAddress!
                    parallelFor(nodeKeys.count, minChunk: 64) { r in
                        for i in r {
                            let lo = OctreeBuilder.lowerBound(keys, nodeKeys[i] << shift)
                            let hi = OctreeBuilder.lowerBound(keys, (nodeKeys[i] + 1) << shift)
                            guard lo < hi else { continue }
                            if d < minSplitDepth { kp[i] = .split; continue }
                            var fallback = Vec3.zero
                            if let sn = sortedNormals { for j in lo..<hi { fallback += sn[j] } }
                            let fit = PlaneFit(sorted[lo..<hi], fallbackNormal: fallback)!
                            if d < depth && fit.maxDistance > tolerance * h {
                                kp[i] = .split
                            } else {
                                kp[i] = .leaf; pp[i] = fit.plane
                            }
                        }
                    }
                }
            }
            return (kinds, planes)
        }
    }
}

import Support
