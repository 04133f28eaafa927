/// Structural invariants of `Octree`, checked by its initializer (so every value that exists,
/// including one read from a file or decoded from tokens, satisfies them).
extension Octree {
    /// Throws `invariantViolated` naming the first broken rule:
    /// 1. level 0 is the single root, key 0; the root is split, or the tree is an empty root;
    /// 2. keys strictly increase within a level;
    /// 3. level d + 1 is exactly the 8 children (`k << 3 | c`) of level d's split nodes, in order;
    /// 4. nothing is split at the finest depth; everything above `fullDepth` is split;
    /// 5. a split node at or below `fullDepth` has an occupied child (so it is distinguishable from
    ///    an empty node in both token serializations);
    /// 6. `planes` is empty or has one entry per node of every level.
    public func validate() throws {
        func fail(_ s: String) -> OctreeError { .invariantViolated(s) }
        guard levels[0].keys == [0] else { throw fail("level 0 must be the root with key 0") }
        if levels[0].kinds[0] != .split && !(levels[0].kinds[0] == .empty && fullDepth == 0) {
            throw fail("the root must be split (or an empty root)")
        }
        for d in 0...depth {
            let lv = levels[d]
            for i in 1..<max(lv.count, 1) where lv.keys[i - 1] >= lv.keys[i] {
                throw fail("keys of depth \(d) not strictly increasing at index \(i)")
            }
            if d == depth, lv.kinds.contains(.split) { throw fail("a node of the finest depth \(d) is split") }
            if d < fullDepth, let i = lv.kinds.firstIndex(where: { $0 != .split }) {
                throw fail("node \(i) of depth \(d) above the full depth \(fullDepth) is not split")
            }
            if d < depth {
                var expected = 0
                let next = levels[d + 1].keys
                for (i, k) in lv.kinds.enumerated() where k == .split {
                    guard expected + 8 <= next.count else { throw fail("depth \(d + 1) lacks the children of node \(i) of depth \(d)") }
                    for c in 0..<8 where next[expected + c] != lv.keys[i] << 3 | UInt32(c) {
                        throw fail("node \(expected + c) of depth \(d + 1) is not child \(c) of node \(i) of depth \(d)")
                    }
                    if d >= fullDepth && !occupied[d][i] { throw fail("split node \(i) of depth \(d) has only empty children") }
                    expected += 8
                }
                guard expected == next.count else { throw fail("depth \(d + 1) has \(next.count) nodes, its parents' splits make \(expected)") }
            }
            if !planes.isEmpty && (planes.count != depth + 1 || planes[d].count != lv.count) {
                throw fail("planes of depth \(d) do not match its \(lv.count) nodes")
            }
        }
    }
}
