import Geometry

/// A linear octree over the cube [-1, 1]³ in O-CNN's layout: nodes stored level by level, each
/// level sorted by Morton key (see `Morton`), and every split node owning all 8 of its children,
/// empty ones included (Wang et al., "O-CNN", SIGGRAPH 2017; OctGPT, Wei et al., SIGGRAPH 2025).
///
/// - `levels[d]`, d = 0…`depth`: the nodes of depth d. `keys[i]` is the Morton key of node i
///   (strictly increasing), `kinds[i]` whether it is `.empty` (no surface), `.split` (its 8 children
///   are the next level's nodes `childStart(d, i) ..< childStart(d, i) + 8`), or a surface `.leaf`.
///   Level 0 is the root, key 0. The children of split nodes, in order, are exactly level d + 1.
/// - Cell geometry: a node of depth d with integer coordinates xyz (`Morton.decode(key)`) covers
///   `[-1 + xyz·h, -1 + (xyz + 1)·h]`, h = 2 / 2^d.
/// - `fullDepth`: every node above it is split whatever it holds (O-CNN's "full depth"), so levels
///   0…fullDepth are complete (8^d nodes); some of them may be empty.
/// - Leaves at the finest depth are the surface cells; leaves above it exist only in adaptive trees
///   (`isAdaptive`), where the surface is flat enough inside the cell.
/// - `planes` is empty, or holds one plane per node of every level (`planes[d][i]`), meaningful for
///   leaves only: (n, w) with unit normal n, the surface near the leaf approximated by n·p + w = 0
///   in the octree frame; zero for other nodes.
/// - `frame`: the similarity that maps the input's coordinates into the octree frame (identity for
///   input already in [-1, 1]³); its `inverse` maps decoded geometry back.
/// - The empty tree (a single empty root) is a valid value; a non-empty tree has a split root.
public struct Octree: Sendable, Equatable {
    /// What a node is. Raw values are those of the file format.
    public enum NodeKind: UInt8, Sendable {
        case empty = 0, split = 1, leaf = 2
    }
    /// The nodes of one depth, sorted by key.
    public struct Level: Sendable, Equatable {
        public var keys: [UInt32]
        public var kinds: [NodeKind]
        public init(keys: [UInt32], kinds: [NodeKind]) {
            precondition(keys.count == kinds.count, "one kind per key")
            self.keys = keys; self.kinds = kinds
        }
        public var count: Int { keys.count }
    }

    /// Finest depth (1…`Morton.maxDepth`).
    public let depth: Int
    /// Depths above this one are split everywhere (0…depth).
    public let fullDepth: Int
    public let levels: [Level]
    public let planes: [[SIMD4<Float>]]
    public var frame: SimilarityTransform
    /// `childStarts[d][i]`: index in level d + 1 of the first child of split node i, −1 otherwise.
    public let childStarts: [[Int32]]
    /// `occupied[d][i]`: the node holds surface (a leaf, or a split node with an occupied child).
    /// Nodes above `fullDepth` can be split yet unoccupied.
    public let occupied: [[Bool]]

    /// The allowed range of `depth`.
    public static let depthRange = 1...Morton.maxDepth

    /// Makes a tree from its levels, computing child offsets and occupancy. Throws
    /// `invariantViolated` (or `depthOutOfRange`) unless the levels form a valid tree
    /// (see `validate()`).
    public init(depth: Int, fullDepth: Int, levels: [Level], planes: [[SIMD4<Float>]] = [], frame: SimilarityTransform = .identity) throws {
        guard Octree.depthRange.contains(depth) else { throw OctreeError.depthOutOfRange(depth: depth, allowed: Octree.depthRange) }
        guard (0...depth).contains(fullDepth) else { throw OctreeError.depthOutOfRange(depth: fullDepth, allowed: 0...depth) }
        guard levels.count == depth + 1 else { throw OctreeError.invariantViolated("\(levels.count) levels for depth \(depth) (need \(depth + 1))") }
        self.depth = depth; self.fullDepth = fullDepth; self.levels = levels; self.planes = planes; self.frame = frame
        var starts = [[Int32]](); starts.reserveCapacity(depth + 1)
        for d in 0...depth {
            var s = [Int32](repeating: -1, count: levels[d].count)
            var next: Int32 = 0
            for (i, k) in levels[d].kinds.enumerated() where k == .split { s[i] = next; next += 8 }
            starts.append(s)
        }
        childStarts = starts
        var occ = [[Bool]](repeating: [], count: depth + 1)
        for d in stride(from: depth, through: 0, by: -1) {
            let lv = levels[d]
            var o = [Bool](repeating: false, count: lv.count)
            for i in 0..<lv.count {
                switch lv.kinds[i] {
                case .empty: o[i] = false
                case .leaf: o[i] = true
                case .split:
                    let s = Int(starts[d][i])
                    if d < depth, s + 8 <= occ[d + 1].count { o[i] = occ[d + 1][s..<s + 8].contains(true) }
                }
            }
            occ[d] = o
        }
        occupied = occ
        try validate()
    }

    /// The empty tree of `depth`: one empty root (or, with `fullDepth` > 0, complete empty levels).
    public static func empty(depth: Int, fullDepth: Int = 0) throws -> Octree {
        try OctreeBuilder.topDown(depth: depth, fullDepth: fullDepth) { d, keys in
            (kinds: [NodeKind](repeating: .empty, count: keys.count), planes: nil)
        }
    }

    // MARK: Counts

    /// Nodes over all levels.
    public var nodeCount: Int { levels.reduce(0) { $0 + $1.count } }
    /// Surface leaves (any depth).
    public var leafCount: Int { levels.reduce(0) { $0 + $1.kinds.lazy.filter { $0 == .leaf }.count } }
    /// Split nodes over all levels.
    public var splitCount: Int { levels.reduce(0) { $0 + $1.kinds.lazy.filter { $0 == .split }.count } }
    /// Occupied nodes over all levels.
    public var occupiedCount: Int { occupied.reduce(0) { $0 + $1.lazy.filter { $0 }.count } }
    /// True when some surface leaf lies above the finest depth.
    public var isAdaptive: Bool { levels.dropLast().contains { $0.kinds.contains(.leaf) } }
    /// True when the tree holds no surface.
    public var isEmpty: Bool { !occupied[0][0] }

    // MARK: Geometry

    /// Edge length of a cell of depth `d` in the octree frame.
    @inlinable public static func cellSize(depth d: Int) -> Float { 2 / Float(1 << d) }
    /// The box of the cell with `key` at depth `d`.
    public static func cellBounds(key: UInt32, depth d: Int) -> AABB {
        let h = cellSize(depth: d)
        let lo = Vec3(Morton.decode(key)) * h - 1
        return AABB(min: lo, max: lo + h)
    }
    /// The centre of the cell with `key` at depth `d`.
    @inlinable public static func cellCenter(key: UInt32, depth d: Int) -> Vec3 {
        let h = cellSize(depth: d)
        return (Vec3(Morton.decode(key)) + 0.5) * h - 1
    }
    /// Integer coordinates at depth `d` of the cell holding `p` (clamped into the cube, so points on
    /// the +1 faces belong to the last cell).
    @inlinable public static func cellCoordinates(of p: Vec3, depth d: Int) -> SIMD3<UInt32> {
        let n = Float(1 << d)
        let q = ((p + 1) * (0.5 * n)).rounded(.down)
        let c = q.clamped(lowerBound: Vec3(repeating: 0), upperBound: Vec3(repeating: n - 1))
        return SIMD3<UInt32>(UInt32(c.x), UInt32(c.y), UInt32(c.z))
    }

    // MARK: Lookup

    /// Index at depth `d` of the node with `key`, by binary search (nil when no such node).
    public func index(ofKey key: UInt32, depth d: Int) -> Int? {
        let keys = levels[d].keys
        var lo = 0, hi = keys.count
        while lo < hi { let m = (lo + hi) >> 1; if keys[m] < key { lo = m + 1 } else { hi = m } }
        return lo < keys.count && keys[lo] == key ? lo : nil
    }
    /// Index at depth d − 1 of the parent of node `i` of depth `d` (d ≥ 1).
    public func parent(depth d: Int, index i: Int) -> Int {
        precondition(d >= 1, "the root has no parent")
        return index(ofKey: levels[d].keys[i] >> 3, depth: d - 1)!
    }
    /// Index at depth d + 1 of child `c` (0…7, bits x y z) of node `i`, nil unless the node is split.
    public func child(depth d: Int, index i: Int, _ c: Int) -> Int? {
        precondition((0..<8).contains(c), "child index 0…7")
        let s = childStarts[d][i]
        return s < 0 ? nil : Int(s) + c
    }
    /// Index of the node of the same depth displaced by `offset` cells (e.g. (1, 0, 0) is the +x face
    /// neighbour); nil outside the cube or when no node of that depth exists there.
    public func neighbor(depth d: Int, index i: Int, offset: SIMD3<Int32>) -> Int? {
        let xyz = SIMD3<Int32>(truncatingIfNeeded: Morton.decode(levels[d].keys[i])) &+ offset
        let n = Int32(1 << d)
        guard all(xyz .>= 0) && all(xyz .< n) else { return nil }
        return index(ofKey: Morton.encode(SIMD3<UInt32>(truncatingIfNeeded: xyz)), depth: d)
    }
    /// The deepest node whose cell holds `p` (a leaf or an empty node), as (depth, index); nil
    /// outside the cube.
    public func locate(_ p: Vec3) -> (depth: Int, index: Int)? {
        guard all(p .>= -1) && all(p .<= 1) else { return nil }
        let c = Octree.cellCoordinates(of: p, depth: depth)
        var i = 0
        for d in 0...depth {
            guard levels[d].kinds[i] == .split, d < depth else { return (d, i) }
            let shift = SIMD3<UInt32>(repeating: UInt32(depth - d - 1))
            let bits = (c &>> shift) & 1
            i = Int(childStarts[d][i]) + Int(bits.x << 2 | bits.y << 1 | bits.z)
        }
        return (depth, i)
    }
}
