/// Points to decode with a blended local decoder (Local Implicit Grids, Jiang et al., CVPR 2020):
/// each point is read by the `cornersPerPoint` cells whose centres surround it, each cell through
/// its own patch code, and the cells' logits are blended with trilinear weights — so the decoded
/// field is continuous across cell boundaries although every cell only sees its neighbourhood.
///
/// - `patches`: row-major [cellCount, patchWidth], one row per distinct cell (a cell shared by
///   several points is encoded once).
/// - Per point p and corner k, row r = p·cornersPerPoint + k: `cellOfRow[r]` (index into the
///   patch rows), `offsets[3r ..< 3r + 3]` (p minus the cell's centre, in cells, each in [−1, 1])
///   and `weights[r]` (the trilinear weight; a point's weights sum to 1).
/// - The empty query (no points) is representable: every array empty.
public struct PatchQuery: Sendable, Equatable {
    public static let cornersPerPoint = 8
    public var patchWidth: Int
    public var patches: [Float] = []
    public var cellOfRow: [Int] = []
    public var offsets: [Float] = []
    public var weights: [Float] = []

    public init(patchWidth: Int) { self.patchWidth = patchWidth }

    public var cellCount: Int { patchWidth == 0 ? 0 : patches.count / patchWidth }
    public var pointCount: Int { weights.count / Self.cornersPerPoint }
}
