import Geometry

extension Octree {
    /// O-CNN's point-cloud octree (Wang et al., "O-CNN", SIGGRAPH 2017, §3.1): a node splits iff one
    /// of `points` falls inside its cell, down to `depth`; every node above `fullDepth` splits
    /// regardless. The leaves at `depth` are the cells holding at least one point.
    ///
    /// - `points`: (N,) positions in the octree frame [-1, 1]³ (normalize first, e.g. with
    ///   `Octree.normalizingFrame(for:)`); points outside are clamped into the border cells.
    /// - `depth` must lie in 1…10 and `fullDepth` in 0…depth (`OctreeError.depthOutOfRange`).
    /// - No points gives the empty tree (with complete empty levels above `fullDepth`).
    /// - Cost: one sort of N keys plus one binary search per node.
    public init(points: [Vec3], depth: Int, fullDepth: Int = 0, frame: SimilarityTransform = .identity) throws {
        guard Octree.depthRange.contains(depth) else { throw OctreeError.depthOutOfRange(depth: depth, allowed: Octree.depthRange) }
        let finest = OctreeBuilder.cellKeys(of: points, depth: depth)
        self = try OctreeBuilder.fromOccupiedCells(finest, depth: depth, fullDepth: fullDepth, frame: frame)
    }

    /// The similarity that centres `bounds` at the origin and scales its longest side to span
    /// [-scale, scale] — OctGPT's normalization ([-1, 1], then × 0.8) with the default `scale`.
    /// A degenerate (single-point or empty) box maps with scale 1.
    public static func normalizingFrame(for bounds: AABB, scale: Float = 0.8) -> SimilarityTransform {
        guard !bounds.isEmpty, bounds.longestSide > 0 else {
            return SimilarityTransform(scale: 1, translation: bounds.isEmpty ? .zero : -bounds.center)
        }
        let s = 2 * scale / bounds.longestSide
        return SimilarityTransform(scale: s, translation: -bounds.center * s)
    }
}
