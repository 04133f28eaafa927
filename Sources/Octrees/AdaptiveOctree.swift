import Geometry
import Support

extension Octree {
    /// An adaptive octree: coarse where the surface is flat, fine where it bends — the structure of
    /// Adaptive O-CNN (Wang, Sun, Liu & Tong, "Adaptive O-CNN: A Patch-based Deep Representation of
    /// 3D Shapes", SIGGRAPH Asia 2018), which O-CNN's PyTorch octree does not build (its issue #19).
    ///
    /// A node holding surface points splits iff it lies above the finest `depth` and either lies
    /// above `max(fullDepth, 1)`, or its points are not planar — the largest distance of the node's
    /// points to their least-squares plane exceeds `tolerance` × the cell's edge length — or they do
    /// not cover the plane: some finest-depth cell that the plane crosses inside the node
    /// (`planeCells`) has no point in it or in its 26 neighbours. Otherwise it is a surface leaf
    /// carrying that plane (`planes[d][i]`). Leaves of the finest depth carry their plane too.
    ///
    /// **Error bound, both ways.** Every input point lies within `tolerance` × (its leaf's edge) of
    /// its leaf's plane (at the finest depth: within its cell), and every finest cell the decoded
    /// surface passes through (`surfaceCells()`) lies within one finest cell (in every axis) of a
    /// cell holding input points — so the patches do not overhang the surface by more than that.
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
                            if d < depth && (fit.maxDistance > tolerance * h
                                             || !Octree.planeIsCovered(fit.plane, key: nodeKeys[i], depth: d, finest: depth, keys: keys)) {
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

    /// Deepest subdivision (finest depth − leaf depth) for which a leaf plane is rasterized; a
    /// node coarser than that relative to the finest depth always splits.
    static let maxPlaneSubdivision = 7

    /// Finest-depth cell coordinates that `plane` (n, w) crosses inside the cell `key` of depth `d`:
    /// the closed box test |n·c + w| ≤ ½h_f (|nₓ| + |n_y| + |n_z|) (h_f the finest cell size, c its
    /// centre), with a 1e-4 relative slack. Shared by the adaptive build and `surfaceCells()`.
    static func planeCells(_ plane: SIMD4<Float>, key: UInt32, depth d: Int, finest: Int) -> [SIMD3<UInt32>] {
        let sub = UInt32(1) << UInt32(finest - d)
        let o = Morton.decode(key) &* sub
        let n = Vec3(plane.x, plane.y, plane.z)
        let hf = Octree.cellSize(depth: finest)
        let reach = 0.5 * hf * (abs(n.x) + abs(n.y) + abs(n.z)) * 1.0001
        var out = [SIMD3<UInt32>]()
        for x in 0..<sub { for y in 0..<sub { for z in 0..<sub {
            let c = o &+ SIMD3(x, y, z)
            let centre = (Vec3(c) + 0.5) * hf - 1
            if abs(dot(n, centre) + plane.w) <= reach { out.append(c) }
        } } }
        return out
    }

    /// True when every finest cell `plane` crosses inside the node has an occupied finest cell
    /// (a key in sorted `keys`) within its 3×3×3 block.
    static func planeIsCovered(_ plane: SIMD4<Float>, key: UInt32, depth d: Int, finest: Int, keys: [UInt32]) -> Bool {
        guard finest - d <= maxPlaneSubdivision else { return false }
        let n = Int32(1) << Int32(finest)
        func occupied(_ c: SIMD3<Int32>) -> Bool {
            guard all(c .>= 0) && all(c .< n) else { return false }
            let k = Morton.encode(SIMD3<UInt32>(truncatingIfNeeded: c))
            let j = OctreeBuilder.lowerBound(keys, k)
            return j < keys.count && keys[j] == k
        }
        for c in planeCells(plane, key: key, depth: d, finest: finest) {
            let ci = SIMD3<Int32>(truncatingIfNeeded: c)
            if occupied(ci) { continue }
            var found = false
            search: for dx in Int32(-1)...1 { for dy in Int32(-1)...1 { for dz in Int32(-1)...1 where occupied(ci &+ SIMD3(dx, dy, dz)) {
                found = true; break search
            } } }
            if !found { return false }
        }
        return true
    }
}
