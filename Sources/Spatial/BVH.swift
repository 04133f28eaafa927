import Geometry
import Support

/// A bounding volume hierarchy over arbitrary primitives given by their boxes, built with the
/// binned surface-area heuristic of Wald, "On fast construction of SAH-based bounding volume
/// hierarchies" (IEEE Symposium on Interactive Ray Tracing, 2007): at every node the primitive
/// centroids are binned into `binCount` equal slabs along each axis, the SAH cost
/// `C_trav + (A_L·N_L + A_R·N_R) / A` is evaluated at every bin boundary, and the cheapest split is
/// taken unless a leaf is cheaper (leaves hold at most `maxLeafSize` primitives).
///
/// Layout: a flat node array, root at index 0. An interior node's children are `nodes[index]` and
/// `nodes[index + 1]` (always adjacent); a leaf covers `primitiveOrder[index ..< index + count]`.
/// Primitives with an empty or non-finite box are left out (`primitiveOrder` lists only the
/// kept ones, in leaf order). An empty input builds an empty tree (`nodes` empty).
///
/// The tree is primitive-agnostic: `TriangleBVH` adds the hot triangle queries, and the generic
/// `nearest` / `forEachLeaf` traversals serve any other primitive.
public struct BVH: Sendable {
    public struct Node: Sendable {
        public var lo: Vec3
        public var hi: Vec3
        /// Interior: index of the first child. Leaf: first position in `primitiveOrder`.
        public var index: Int32
        /// 0 for interior nodes, the number of primitives (≥ 1) for leaves.
        public var count: Int32
        @inlinable public var isLeaf: Bool { count > 0 }
    }

    public private(set) var nodes: [Node] = []
    /// (P_kept,) original primitive index of each leaf slot.
    public private(set) var primitiveOrder: [Int32] = []
    /// Longest root-to-leaf path (number of nodes), used to size traversal stacks.
    public private(set) var depth: Int = 0

    public var isEmpty: Bool { nodes.isEmpty }
    public var bounds: AABB { nodes.first.map { AABB(min: $0.lo, max: $0.hi) } ?? .empty }

    /// Builds the tree over `boxes` (one per primitive; centroids are the box centres).
    public init(boxes: [AABB], maxLeafSize: Int = 4, binCount: Int = 16) {
        precondition(maxLeafSize >= 1 && binCount >= 2)
        var order = [Int32]()
        order.reserveCapacity(boxes.count)
        for (i, b) in boxes.enumerated() where !b.isEmpty && b.min.isFinite && b.max.isFinite { order.append(Int32(i)) }
        guard !order.isEmpty else { return }
        let centroids = boxes.map { $0.center }
        var nodes = [Node]()
        nodes.reserveCapacity(2 * order.count / max(1, maxLeafSize - 1) + 2)
        nodes.append(Node(lo: .zero, hi: .zero, index: 0, count: 0))
        var stack: [(node: Int, start: Int, end: Int, depth: Int)] = [(0, 0, order.count, 1)]
        var maxDepth = 1
        let K = binCount
        var binCounts = [Int](repeating: 0, count: K)
        var binBoxes = [AABB](repeating: .empty, count: K)
        var rightArea = [Float](repeating: 0, count: K)
        var rightCount = [Int](repeating: 0, count: K)
        while let (ni, start, end, d) = stack.popLast() {
            maxDepth = max(maxDepth, d)
            var box = AABB.empty, cbox = AABB.empty
            for k in start..<end { let p = Int(order[k]); box.formUnion(boxes[p]); cbox.formUnion(centroids[p]) }
            nodes[ni].lo = box.min; nodes[ni].hi = box.max
            let n = end - start
            func makeLeaf() { nodes[ni].index = Int32(start); nodes[ni].count = Int32(n) }
            if n <= 1 { makeLeaf(); continue }
            // Binned SAH over the three axes.
            var bestCost = Float.infinity, bestAxis = -1, bestBin = 0
            let ext = cbox.max - cbox.min
            for axis in 0..<3 where ext[axis] > 0 {
                let scale = Float(K) / ext[axis]
                let base = cbox.min[axis]
                for b in 0..<K { binCounts[b] = 0; binBoxes[b] = .empty }
                for k in start..<end {
                    let p = Int(order[k])
                    let b = min(K - 1, Int((centroids[p][axis] - base) * scale))
                    binCounts[b] += 1; binBoxes[b].formUnion(boxes[p])
                }
                var acc = AABB.empty, cnt = 0
                for b in stride(from: K - 1, to: 0, by: -1) {
                    acc.formUnion(binBoxes[b]); cnt += binCounts[b]
                    rightArea[b] = acc.surfaceArea; rightCount[b] = cnt
                }
                acc = .empty; cnt = 0
                for b in 0..<(K - 1) { // split between bin b and b+1
                    acc.formUnion(binBoxes[b]); cnt += binCounts[b]
                    guard cnt > 0, rightCount[b + 1] > 0 else { continue }
                    let cost = acc.surfaceArea * Float(cnt) + rightArea[b + 1] * Float(rightCount[b + 1])
                    if cost < bestCost { bestCost = cost; bestAxis = axis; bestBin = b }
                }
            }
            let area = max(box.surfaceArea, .leastNormalMagnitude)
            let splitCost = 1 + bestCost / area       // C_trav = 1, C_isect = 1
            let leafCost = Float(n)
            var mid: Int
            if bestAxis >= 0 && (splitCost < leafCost || n > maxLeafSize) {
                let scale = Float(K) / ext[bestAxis], base = cbox.min[bestAxis]
                var i = start, j = end - 1
                while i <= j {
                    let p = Int(order[i])
                    if min(K - 1, Int((centroids[p][bestAxis] - base) * scale)) <= bestBin { i += 1 } else { order.swapAt(i, j); j -= 1 }
                }
                mid = i
            } else if n > maxLeafSize {
                mid = start + n / 2 // coincident centroids (duplicates): split by position in the list
            } else { makeLeaf(); continue }
            if mid == start || mid == end { mid = start + n / 2 }
            let c = nodes.count
            nodes.append(Node(lo: .zero, hi: .zero, index: 0, count: 0))
            nodes.append(Node(lo: .zero, hi: .zero, index: 0, count: 0))
            nodes[ni].index = Int32(c); nodes[ni].count = 0
            stack.append((c + 1, mid, end, d + 1))
            stack.append((c, start, mid, d + 1))
        }
        self.nodes = nodes
        self.primitiveOrder = order
        self.depth = maxDepth
    }

    /// Generic nearest-primitive search: near-child-first traversal pruned by the squared box
    /// distance. `distanceSquared(primitive, bestSoFar)` returns the primitive's squared
    /// distance to the query (it may return anything ≥ `bestSoFar` to mean "not closer").
    /// Returns (original primitive index, squared distance), or (-1, +inf) for an empty tree
    /// or a non-finite query.
    public func nearest(to p: Vec3, distanceSquared: (Int, Float) -> Float) -> (primitive: Int, distanceSquared: Float) {
        guard !nodes.isEmpty, p.isFinite else { return (-1, .infinity) }
        var best = Float.infinity, bestPrim = -1
        var stack: [(Int32, Float)] = [(0, boxDistanceSquared(nodes[0], p))]
        stack.reserveCapacity(depth + 2)
        while let (ni, dist) = stack.popLast() {
            if dist >= best { continue }
            let node = nodes[Int(ni)]
            if node.isLeaf {
                for k in Int(node.index)..<Int(node.index + node.count) {
                    let prim = Int(primitiveOrder[k])
                    let d = distanceSquared(prim, best)
                    if d < best { best = d; bestPrim = prim }
                }
            } else {
                let l = node.index, r = node.index + 1
                let dl = boxDistanceSquared(nodes[Int(l)], p), dr = boxDistanceSquared(nodes[Int(r)], p)
                if dl <= dr { if dr < best { stack.append((r, dr)) }; if dl < best { stack.append((l, dl)) } }
                else { if dl < best { stack.append((l, dl)) }; if dr < best { stack.append((r, dr)) } }
            }
        }
        return (bestPrim, best)
    }

    /// Visits every leaf whose box passes `overlaps(lo, hi)`; `leaf(slots)` gets the range of
    /// `primitiveOrder` it covers. Depth-first, left child first.
    public func forEachLeaf(where overlaps: (Vec3, Vec3) -> Bool, _ leaf: (Range<Int>) -> Void) {
        guard !nodes.isEmpty else { return }
        var stack: [Int32] = [0]
        stack.reserveCapacity(depth + 2)
        while let ni = stack.popLast() {
            let node = nodes[Int(ni)]
            guard overlaps(node.lo, node.hi) else { continue }
            if node.isLeaf { leaf(Int(node.index)..<Int(node.index + node.count)) }
            else { stack.append(node.index + 1); stack.append(node.index) }
        }
    }

    @inline(__always) func boxDistanceSquared(_ n: Node, _ p: Vec3) -> Float {
        let d = vmax(vmax(n.lo - p, p - n.hi), .zero)
        return dot(d, d)
    }
}
