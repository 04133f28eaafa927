import Geometry

/// A token sequence for an autoregressive model, with the position of the node every token
/// describes (what a transformer needs for its positional encoding, and what Uni-3DAR's [MASK]
/// slots carry).
///
/// - `tokens[t]`: the t-th token (see `Scheme` for the vocabularies).
/// - `depths[t]`, `keys[t]`: depth and Morton key of the node token t describes; `xyz(t)` its
///   integer cell coordinates at that depth (each < 2^depth).
/// - `depth`, `fullDepth`: those of the tree; both serializations need them to decode.
public struct OctreeTokens: Sendable, Equatable {
    public enum Scheme: Int, Sendable, CaseIterable, CustomStringConvertible {
        /// OctGPT's split flags (Wei et al., "OctGPT: Octree-based Multiscale Autoregressive Models
        /// for 3D Shape Generation", SIGGRAPH 2025): for every node of depths max(fullDepth, 1)…depth
        /// in z-order, depths concatenated — every split parent contributing all 8 children, empty
        /// ones included. Values: 0 empty, 1 split (at the finest depth: occupied leaf), and, in
        /// adaptive trees only, 2 for a surface leaf above the finest depth (Adaptive O-CNN's third
        /// label). Levels above the full depth are complete and implied, as in OctGPT.
        case splitFlags = 0
        /// Uni-3DAR's child masks (Lu et al., "Uni-3DAR: Unified 3D Generation and Understanding via
        /// Autoregression on Compressed Spatial Tokens", 2025): one token per occupied node above the
        /// finest depth, in depth order then z-order: bit c (c = x<<2 | y<<1 | z) set iff child c is
        /// occupied. 256 types; 0 appears only in adaptive trees, for a surface leaf above the finest
        /// depth. About 8× fewer tokens than the split flags.
        case childMask = 1
        public var description: String { self == .splitFlags ? "split" : "childmask" }
    }

    public var scheme: Scheme
    public var depth: Int
    public var fullDepth: Int
    public var tokens: [UInt8]
    public var depths: [UInt8]
    public var keys: [UInt32]

    public init(scheme: Scheme, depth: Int, fullDepth: Int, tokens: [UInt8], depths: [UInt8], keys: [UInt32]) {
        precondition(tokens.count == depths.count && tokens.count == keys.count, "one position per token")
        self.scheme = scheme; self.depth = depth; self.fullDepth = fullDepth
        self.tokens = tokens; self.depths = depths; self.keys = keys
    }
    public var count: Int { tokens.count }
    /// Integer cell coordinates of the node token `t` describes.
    public func xyz(_ t: Int) -> SIMD3<UInt32> { Morton.decode(keys[t]) }
}

extension Octree {
    /// The first depth whose split flags are written (levels above are complete and implied).
    static func firstFlagDepth(fullDepth: Int) -> Int { max(fullDepth, 1) }

    /// OctGPT's split-flag sequence (see `OctreeTokens.Scheme.splitFlags`). Its length is
    /// Σ_{d ≥ max(fullDepth,1)} (nodes of depth d) = 8^s + 8·(splits at depths s…depth−1).
    /// The empty tree without full depth gives no tokens.
    public func splitFlagTokens() -> OctreeTokens {
        var t = [UInt8](), ds = [UInt8](), ks = [UInt32]()
        if levels[0].kinds[0] == .split {
            for d in Octree.firstFlagDepth(fullDepth: fullDepth)...depth {
                let lv = levels[d]
                for i in 0..<lv.count {
                    let v: UInt8
                    switch lv.kinds[i] {
                    case .empty: v = 0
                    case .split: v = 1
                    case .leaf: v = d == depth ? 1 : 2
                    }
                    t.append(v); ds.append(UInt8(d)); ks.append(lv.keys[i])
                }
            }
        }
        return OctreeTokens(scheme: .splitFlags, depth: depth, fullDepth: fullDepth, tokens: t, depths: ds, keys: ks)
    }

    /// Uni-3DAR's child-mask sequence (see `OctreeTokens.Scheme.childMask`): one token per occupied
    /// node above the finest depth. The empty tree gives no tokens.
    public func childMaskTokens() -> OctreeTokens {
        var t = [UInt8](), ds = [UInt8](), ks = [UInt32]()
        for d in 0..<depth {
            let lv = levels[d]
            for i in 0..<lv.count where occupied[d][i] {
                var mask: UInt8 = 0
                if lv.kinds[i] == .split {
                    let s = Int(childStarts[d][i])
                    for c in 0..<8 where occupied[d + 1][s + c] { mask |= 1 << UInt8(c) }
                }
                t.append(mask); ds.append(UInt8(d)); ks.append(lv.keys[i])
            }
        }
        return OctreeTokens(scheme: .childMask, depth: depth, fullDepth: fullDepth, tokens: t, depths: ds, keys: ks)
    }

    /// Tokens of either scheme.
    public func tokens(_ scheme: OctreeTokens.Scheme) -> OctreeTokens {
        scheme == .splitFlags ? splitFlagTokens() : childMaskTokens()
    }

    /// Decodes a token sequence of either scheme and checks that its stored positions are the ones
    /// the tokens imply (`inconsistentPosition` naming the first that differs).
    public init(tokens: OctreeTokens) throws {
        let tree: Octree
        switch tokens.scheme {
        case .splitFlags: tree = try Octree(splitFlags: tokens.tokens, depth: tokens.depth, fullDepth: tokens.fullDepth)
        case .childMask: tree = try Octree(childMasks: tokens.tokens, depth: tokens.depth, fullDepth: tokens.fullDepth)
        }
        let implied = tree.tokens(tokens.scheme)
        for t in 0..<tokens.count where implied.depths[t] != tokens.depths[t] || implied.keys[t] != tokens.keys[t] {
            throw OctreeError.inconsistentPosition(position: t, reason: "stored at depth \(tokens.depths[t]) key \(tokens.keys[t]), but the tokens before it place it at depth \(implied.depths[t]) key \(implied.keys[t])")
        }
        self = tree
    }

    /// Decodes OctGPT split flags (the inverse of `splitFlagTokens()`).
    ///
    /// Throws, naming the token position: `truncatedTokens` when a depth needs more flags than
    /// remain (a split count that the next level does not match), `trailingTokens` when flags remain
    /// after the finest depth, `invalidToken` for a value outside {0, 1} (finest depth) or {0, 1, 2},
    /// `splitWithoutChildren` for a split flag whose 8 children are all empty.
    public init(splitFlags flags: [UInt8], depth: Int, fullDepth: Int) throws {
        guard Octree.depthRange.contains(depth) else { throw OctreeError.depthOutOfRange(depth: depth, allowed: Octree.depthRange) }
        guard (0...depth).contains(fullDepth) else { throw OctreeError.depthOutOfRange(depth: fullDepth, allowed: 0...depth) }
        if flags.isEmpty && fullDepth == 0 { self = try Octree.empty(depth: depth); return }
        let s = Octree.firstFlagDepth(fullDepth: fullDepth)
        var levels = [Level]()
        var positions = [Int]()   // first token position of every level (−1 above s)
        for d in 0..<s {
            let n = 1 << (3 * d)
            levels.append(Level(keys: (0..<UInt32(n)).map { $0 }, kinds: [NodeKind](repeating: .split, count: n)))
            positions.append(-1)
        }
        var keys = (0..<UInt32(1 << (3 * s))).map { $0 }
        var pos = 0
        for d in s...depth {
            let n = keys.count
            guard flags.count - pos >= n else {
                throw OctreeError.truncatedTokens(position: flags.count, depth: d, expected: n, available: flags.count - pos)
            }
            var kinds = [NodeKind](repeating: .empty, count: n)
            var next = [UInt32]()
            for i in 0..<n {
                switch (flags[pos + i], d == depth) {
                case (0, _): break
                case (1, true): kinds[i] = .leaf
                case (1, false):
                    kinds[i] = .split
                    for c in 0..<8 { next.append(keys[i] << 3 | UInt32(c)) }
                case (2, false): kinds[i] = .leaf
                case (let v, _): throw OctreeError.invalidToken(position: pos + i, depth: d, value: Int(v))
                }
            }
            levels.append(Level(keys: keys, kinds: kinds)); positions.append(pos)
            pos += n
            keys = next
        }
        guard pos == flags.count else { throw OctreeError.trailingTokens(position: pos, count: flags.count - pos) }
        // A split flag at or below the full depth must have an occupied child.
        var occ = levels[depth].kinds.map { $0 == .leaf }
        for d in stride(from: depth - 1, through: 0, by: -1) {
            var o = [Bool](repeating: false, count: levels[d].count)
            var next = 0
            for i in 0..<levels[d].count {
                switch levels[d].kinds[i] {
                case .empty: break
                case .leaf: o[i] = true
                case .split:
                    o[i] = occ[next..<next + 8].contains(true)
                    if !o[i] && d >= fullDepth { throw OctreeError.splitWithoutChildren(position: positions[d] + i, depth: d) }
                    next += 8
                }
            }
            occ = o
        }
        self = try Octree(depth: depth, fullDepth: fullDepth, levels: levels)
    }

    /// Decodes Uni-3DAR child masks (the inverse of `childMaskTokens()`), then restores the empty
    /// siblings and the complete levels above `fullDepth`.
    ///
    /// Throws, naming the token position: `truncatedTokens` when a depth has more occupied nodes
    /// than tokens remain (the masks of one level announce how many tokens the next must have),
    /// `trailingTokens`, and `invalidToken` for a 0 (leaf) mask where a leaf cannot be — the root,
    /// or a node above the full depth.
    public init(childMasks masks: [UInt8], depth: Int, fullDepth: Int) throws {
        guard Octree.depthRange.contains(depth) else { throw OctreeError.depthOutOfRange(depth: depth, allowed: Octree.depthRange) }
        guard (0...depth).contains(fullDepth) else { throw OctreeError.depthOutOfRange(depth: fullDepth, allowed: 0...depth) }
        if masks.isEmpty { self = try Octree.empty(depth: depth, fullDepth: fullDepth); return }
        var occupiedKeys: [[UInt32]] = [[0]]
        var leafKeys = [[UInt32]](repeating: [], count: depth + 1)
        var pos = 0
        for d in 0..<depth {
            let cur = occupiedKeys[d]
            guard masks.count - pos >= cur.count else {
                throw OctreeError.truncatedTokens(position: masks.count, depth: d, expected: cur.count, available: masks.count - pos)
            }
            var next = [UInt32]()
            for (i, k) in cur.enumerated() {
                let m = masks[pos + i]
                if m == 0 {
                    guard d >= Octree.firstFlagDepth(fullDepth: fullDepth) else {
                        throw OctreeError.invalidToken(position: pos + i, depth: d, value: 0)
                    }
                    leafKeys[d].append(k)
                } else {
                    for c in 0..<8 where m & (1 << UInt8(c)) != 0 { next.append(k << 3 | UInt32(c)) }
                }
            }
            pos += cur.count
            occupiedKeys.append(next)
        }
        guard pos == masks.count else { throw OctreeError.trailingTokens(position: pos, count: masks.count - pos) }
        leafKeys[depth] = occupiedKeys[depth]
        self = try OctreeBuilder.topDown(depth: depth, fullDepth: fullDepth) { d, keys in
            let occ = occupiedKeys[d], leaves = leafKeys[d]
            let kinds = keys.map { k -> NodeKind in
                let j = OctreeBuilder.lowerBound(occ, k)
                guard j < occ.count && occ[j] == k else { return .empty }
                let l = OctreeBuilder.lowerBound(leaves, k)
                return l < leaves.count && leaves[l] == k ? .leaf : .split
            }
            return (kinds, nil)
        }
    }
}
