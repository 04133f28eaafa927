import Foundation

/// The octree node a token describes: its depth and integer cell coordinates at that depth
/// (each in 0..<2^depth).
public struct OctreeNodePosition: Sendable, Hashable {
    public var depth: Int
    public var x: Int, y: Int, z: Int
    public init(depth: Int, x: Int, y: Int, z: Int) { self.depth = depth; self.x = x; self.y = y; self.z = z }
    /// The root (depth 0, cell 0).
    public static let root = OctreeNodePosition(depth: 0, x: 0, y: 0, z: 0)

    /// The occupied children of this node for child mask `mask`, in child order c = x<<2 | y<<1 | z
    /// (Morton order, so the children of nodes taken in z-order are again in z-order).
    public func children(_ mask: UInt8) -> [OctreeNodePosition] {
        (0..<8).compactMap { c in
            mask & (1 << UInt8(c)) == 0 ? nil
                : OctreeNodePosition(depth: depth + 1, x: 2 * x + (c >> 2), y: 2 * y + ((c >> 1) & 1), z: 2 * z + (c & 1))
        }
    }
}

/// Uni-3DAR's child-mask serialization of a non-adaptive octree whose surface leaves are all at
/// `depth` (Lu et al., "Uni-3DAR", 2025; the `OctreeTokens.Scheme.childMask` of the Octrees module):
/// one token per occupied node of depths 0..<depth, in depth order then z-order, token = the node's
/// 8-bit child mask (bit c set iff child c = x<<2 | y<<1 | z is occupied). In such a tree every
/// token is non-zero: an occupied node above the finest depth has an occupied child.
///
/// - `tokens[t]` describes `positions[t]`; the positions follow from the tokens alone (a
///   breadth-first queue: the root, then each token's children appended in order), which is what
///   lets a model know where the next token sits before it is generated.
/// - The empty sequence (no surface) is representable; the generator never samples it.
public struct ChildMaskSequence: Sendable, Equatable {
    /// The structure depth D: leaves at D, tokens at depths 0..<D.
    public let depth: Int
    public let tokens: [UInt8]
    public let positions: [OctreeNodePosition]

    /// Derives the positions of `tokens`. Throws `GeneratorError.invalidSequence` naming the first
    /// bad position: a 0 token (a leaf above the finest depth, which this serialization excludes),
    /// more tokens than the masks announce (trailing), or fewer (truncated).
    public init(tokens: [UInt8], depth: Int) throws {
        guard (1...10).contains(depth) else { throw GeneratorError.invalidSequence(position: 0, reason: "structure depth \(depth) outside 1…10") }
        var queue: [OctreeNodePosition] = tokens.isEmpty ? [] : [.root]
        for (t, m) in tokens.enumerated() {
            guard t < queue.count else {
                throw GeneratorError.invalidSequence(position: t, reason: "\(tokens.count - t) trailing tokens after the finest depth")
            }
            guard m != 0 else { throw GeneratorError.invalidSequence(position: t, reason: "child mask 0 (a leaf above depth \(depth))") }
            if queue[t].depth + 1 < depth { queue += queue[t].children(m) }
        }
        guard queue.count == tokens.count else {
            throw GeneratorError.invalidSequence(position: tokens.count, reason: "truncated: the masks announce \(queue.count) tokens, \(tokens.count) are there")
        }
        self.depth = depth; self.tokens = tokens; positions = queue
    }

    public var count: Int { tokens.count }

    /// The sequence of the tree whose surface cells at `depth` are `leaves` (any order, duplicates
    /// ignored; each must lie at `depth`): a node is occupied iff a leaf lies below it. No leaves
    /// give the empty sequence.
    public init(leaves: [OctreeNodePosition], depth: Int) {
        precondition((1...10).contains(depth) && leaves.allSatisfy { $0.depth == depth }, "leaves must lie at the structure depth")
        var occupied = [Set<OctreeNodePosition>](repeating: [], count: depth + 1)
        occupied[depth] = Set(leaves)
        for d in stride(from: depth - 1, through: 0, by: -1) {
            occupied[d] = Set(occupied[d + 1].map { OctreeNodePosition(depth: d, x: $0.x / 2, y: $0.y / 2, z: $0.z / 2) })
        }
        var tokens: [UInt8] = [], positions: [OctreeNodePosition] = []
        var level: [OctreeNodePosition] = leaves.isEmpty ? [] : [.root]
        for d in 0..<depth {
            var next: [OctreeNodePosition] = []
            for p in level {
                var m: UInt8 = 0
                for c in 0..<8 where occupied[d + 1].contains(p.children(1 << UInt8(c))[0]) { m |= 1 << UInt8(c) }
                tokens.append(m); positions.append(p)
                if d + 1 < depth { next += p.children(m) }
            }
            level = next
        }
        self.init(validTokens: tokens, positions: positions, depth: depth)
    }

    /// The mirror image across the plane x = 0 (x → 2^d − 1 − x at every depth).
    public func mirroredX() -> ChildMaskSequence {
        let n = 1 << depth
        return ChildMaskSequence(leaves: leaves.map { OctreeNodePosition(depth: depth, x: n - 1 - $0.x, y: $0.y, z: $0.z) }, depth: depth)
    }

    /// The surface cells at `depth` (the children of the depth D − 1 tokens), in z-order.
    public var leaves: [OctreeNodePosition] {
        zip(tokens, positions).flatMap { m, p in p.depth == depth - 1 ? p.children(m) : [] }
    }

    /// The largest child count a mask may have at a node of depth `d` so that a sequence of
    /// structure depth `depth` can still end within `maxTokens` tokens, given `nodesThroughDepth`
    /// tokens at depths ≤ d in all, `fixedChildren` children already announced at depth d + 1 by
    /// other nodes of depth d, and `undecided` other nodes of depth d still without a token.
    ///
    /// Every node above the finest depth has at least one child, so after this choice of p
    /// children the sequence has at least nodesThroughDepth + (fixedChildren + p + undecided)·(D − d − 1)
    /// tokens; the bound keeps that ≤ maxTokens. 8 when d + 1 = D (the children are leaves, which
    /// have no tokens). A result below 1 means no mask fits (never when every earlier choice obeyed
    /// the bound and maxTokens ≥ D).
    public static func maxChildren(depth d: Int, structureDepth: Int, maxTokens: Int, nodesThroughDepth: Int,
                                   fixedChildren: Int, undecided: Int) -> Int {
        let levelsBelow = structureDepth - d - 1
        if levelsBelow <= 0 { return 8 }
        let room = (maxTokens - nodesThroughDepth) / levelsBelow - fixedChildren - undecided
        return min(8, room)
    }
}
