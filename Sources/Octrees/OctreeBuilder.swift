/// The level-by-level construction shared by every way of building an `Octree`.
///
/// `classify(d, keys)` decides, for the nodes of depth d (sorted keys), which are empty, split or
/// surface leaves, optionally with a plane per node (for leaves). Nodes above `fullDepth` are split
/// without asking. Children of split nodes form the next level. A conservative classifier (one that
/// may split a node none of whose children turns out to hold surface, as the Lipschitz test of an
/// SDF does) is fine: a bottom-up pass turns such childless splits into empty nodes.
enum OctreeBuilder {
    typealias Classifier = (_ depth: Int, _ keys: [UInt32]) -> (kinds: [Octree.NodeKind], planes: [SIMD4<Float>]?)

    static func topDown(depth: Int, fullDepth: Int, frame: SimilarityTransform = .identity, classify: Classifier) throws -> Octree {
        guard Octree.depthRange.contains(depth) else { throw OctreeError.depthOutOfRange(depth: depth, allowed: Octree.depthRange) }
        guard (0...depth).contains(fullDepth) else { throw OctreeError.depthOutOfRange(depth: fullDepth, allowed: 0...depth) }
        var keys: [[UInt32]] = [[0]]
        var kinds: [[Octree.NodeKind]] = []
        var planes: [[SIMD4<Float>]] = []
        var anyPlanes = false
        for d in 0...depth {
            let k = keys[d]
            var kd: [Octree.NodeKind]
            var pd = [SIMD4<Float>](repeating: .zero, count: k.count)
            if d < fullDepth {
                kd = [Octree.NodeKind](repeating: .split, count: k.count)
            } else {
                let r = classify(d, k)
                precondition(r.kinds.count == k.count, "classifier must return one kind per node")
                kd = r.kinds
                if let p = r.planes { precondition(p.count == k.count); pd = p; anyPlanes = true }
                if d == depth { precondition(!kd.contains(.split), "nothing splits at the finest depth") }
            }
            kinds.append(kd); planes.append(pd)
            if d < depth {
                var next = [UInt32]()
                next.reserveCapacity(8 * kd.lazy.filter { $0 == .split }.count)
                for (i, kind) in kd.enumerated() where kind == .split {
                    for c in 0..<8 { next.append(k[i] << 3 | UInt32(c)) }
                }
                keys.append(next)
            }
        }
        prune(keys: &keys, kinds: &kinds, planes: &planes, fullDepth: fullDepth)
        let levels = (0...depth).map { Octree.Level(keys: keys[$0], kinds: kinds[$0]) }
        return try Octree(depth: depth, fullDepth: fullDepth, levels: levels, planes: anyPlanes ? planes : [], frame: frame)
    }

    /// Bottom-up: a split node (at or below `fullDepth`) whose 8 children are all unoccupied becomes
    /// empty and its children are dropped. An empty root stays (the empty tree).
    static func prune(keys: inout [[UInt32]], kinds: inout [[Octree.NodeKind]], planes: inout [[SIMD4<Float>]], fullDepth: Int) {
        let depth = keys.count - 1
        var occ = kinds[depth].map { $0 == .leaf }
        for d in stride(from: depth - 1, through: 0, by: -1) {
            var o = [Bool](repeating: false, count: keys[d].count)
            var keep = [Bool](repeating: true, count: keys[d + 1].count)
            var next = 0
            var dropped = false
            for i in 0..<keys[d].count {
                switch kinds[d][i] {
                case .empty: break
                case .leaf: o[i] = true
                case .split:
                    let any = occ[next..<next + 8].contains(true)
                    o[i] = any
                    if !any && d >= fullDepth {
                        kinds[d][i] = .empty
                        for c in 0..<8 { keep[next + c] = false }
                        dropped = true
                    }
                    next += 8
                }
            }
            if dropped {
                keys[d + 1] = zip(keys[d + 1], keep).compactMap { $1 ? $0 : nil }
                kinds[d + 1] = zip(kinds[d + 1], keep).compactMap { $1 ? $0 : nil }
                planes[d + 1] = zip(planes[d + 1], keep).compactMap { $1 ? $0 : nil }
            }
            occ = o
        }
    }

    /// Sorted unique keys of the cells of depth `depth` holding `points` (octree frame; points
    /// outside [-1, 1]³ are clamped into the border cells).
    static func cellKeys(of points: [Vec3], depth: Int) -> [UInt32] {
        var k = points.map { Morton.encode(Octree.cellCoordinates(of: $0, depth: depth)) }
        k.sort()
        return uniqueSorted(k)
    }
    static func uniqueSorted(_ k: [UInt32]) -> [UInt32] {
        var out = [UInt32](); out.reserveCapacity(k.count)
        for x in k where out.last != x { out.append(x) }
        return out
    }
    /// First index in sorted `a` with a[i] ≥ x.
    @inline(__always) static func lowerBound(_ a: [UInt32], _ x: UInt32) -> Int {
        var lo = 0, hi = a.count
        while lo < hi { let m = (lo + hi) >> 1; if a[m] < x { lo = m + 1 } else { hi = m } }
        return lo
    }
    /// `[S_0, …, S_depth]`: the occupied keys of every depth, from those of the finest depth.
    static func ancestorSets(finest: [UInt32], depth: Int) -> [[UInt32]] {
        var sets = [[UInt32]](repeating: [], count: depth + 1)
        sets[depth] = finest
        for d in stride(from: depth - 1, through: 0, by: -1) { sets[d] = uniqueSorted(sets[d + 1].map { $0 >> 3 }) }
        return sets
    }
    /// Builds a non-adaptive tree whose occupied cells of the finest depth are `finest` (sorted, unique).
    static func fromOccupiedCells(_ finest: [UInt32], depth: Int, fullDepth: Int, frame: SimilarityTransform) throws -> Octree {
        let sets = ancestorSets(finest: finest, depth: depth)
        return try topDown(depth: depth, fullDepth: fullDepth, frame: frame) { d, keys in
            let s = sets[d]
            let kinds = keys.map { k -> Octree.NodeKind in
                let j = lowerBound(s, k)
                guard j < s.count && s[j] == k else { return .empty }
                return d == depth ? .leaf : .split
            }
            return (kinds, nil)
        }
    }
}

import Geometry
