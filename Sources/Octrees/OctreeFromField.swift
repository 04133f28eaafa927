import Fields
import Geometry

extension Octree {
    /// The octree of the cells an iso-surface of a sampled grid passes through: a cell of the finest
    /// depth is a surface leaf iff the grid values at its 8 corners are not all on one side of
    /// `level` (some > level and some ≤ level); ancestors of surface cells split.
    ///
    /// - `grid`: values at the vertices of a (2^depth + 1)³ lattice spanning exactly [-1, 1]³
    ///   (`ScalarGrid` layout, x-major, z fastest) — occupancy (level 0.5) or SDF (level 0).
    ///   Any other resolution or bounds: `OctreeError.invariantViolated` naming the expected grid.
    /// - This is exact for the sampled values: a coarse cell contains a sign change among the lattice
    ///   points it covers iff one of its children does (neighbouring children share lattice points).
    public init(grid: ScalarGrid, level: Float, depth: Int, fullDepth: Int = 0, frame: SimilarityTransform = .identity) throws {
        guard Octree.depthRange.contains(depth) else { throw OctreeError.depthOutOfRange(depth: depth, allowed: Octree.depthRange) }
        let n = (1 << depth) + 1
        guard grid.resolution == SIMD3(n, n, n), grid.bounds == AABB.cube(halfSize: 1) else {
            throw OctreeError.invariantViolated("a depth-\(depth) octree needs a \(n)³ grid over [-1, 1]³, got \(grid.resolution) over \(grid.bounds)")
        }
        let m = n - 1
        let v = grid.values
        let cellKeys: [[UInt32]] = (0..<m).map { i in
            var out = [UInt32]()
            for j in 0..<m { for k in 0..<m {
                var above = 0
                for c in 0..<8 {
                    let idx = ((i + (c >> 2)) * n + j + ((c >> 1) & 1)) * n + k + (c & 1)
                    if v[idx] > level { above += 1 }
                }
                if above != 0 && above != 8 { out.append(Morton.encode(SIMD3(UInt32(i), UInt32(j), UInt32(k)))) }
            } }
            return out
        }
        var finest = cellKeys.flatMap { $0 }
        finest.sort()
        self = try OctreeBuilder.fromOccupiedCells(finest, depth: depth, fullDepth: fullDepth, frame: frame)
    }

    /// An occupancy (or any inside/outside) field sampled on the (2^depth + 1)³ lattice of [-1, 1]³,
    /// then `init(grid:level:depth:)`. `level` separates inside (> level) from outside.
    public init(occupancy field: some ScalarField, level: Float = 0.5, depth: Int, fullDepth: Int = 0, frame: SimilarityTransform = .identity) throws {
        guard Octree.depthRange.contains(depth) else { throw OctreeError.depthOutOfRange(depth: depth, allowed: Octree.depthRange) }
        let grid = ScalarGrid(sampling: field, resolution: (1 << depth) + 1, bounds: .cube(halfSize: 1))
        try self.init(grid: grid, level: level, depth: depth, fullDepth: fullDepth, frame: frame)
    }

    /// The octree of the cells a signed (or unsigned) distance field's zero set may pass through,
    /// top-down: a node splits (or, at `depth`, is a surface leaf) iff
    /// |f(centre)| ≤ `lipschitz` · (half the cell diagonal) — the surface can reach the cell only
    /// then, for a field whose gradient norm is at most `lipschitz` (1 for an exact distance).
    ///
    /// Conservative: every cell the surface crosses is kept, and a kept leaf lies within
    /// `lipschitz` · √3/2 · cell size of the surface (for an exact distance field). Splits that
    /// end with no surface child are removed. Values are requested one level at a time through
    /// `values(at:)`, so expensive fields are batched.
    public init(distance field: some ScalarField, lipschitz: Float = 1, depth: Int, fullDepth: Int = 0, frame: SimilarityTransform = .identity) throws {
        precondition(lipschitz > 0, "a Lipschitz bound is positive")
        self = try OctreeBuilder.topDown(depth: depth, fullDepth: fullDepth, frame: frame) { d, keys in
            let centres = keys.map { Octree.cellCenter(key: $0, depth: d) }
            let values = field.values(at: centres)
            let reach = lipschitz * Octree.cellSize(depth: d) * (3 as Float).squareRoot() / 2
            let kinds = values.map { v -> Octree.NodeKind in abs(v) <= reach ? (d == depth ? .leaf : .split) : .empty }
            return (kinds, nil)
        }
    }
}
