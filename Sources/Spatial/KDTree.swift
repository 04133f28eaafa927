import Geometry
import Support

/// A 3-D k-d tree over a point cloud, for exact nearest-neighbour queries (Chamfer, F-score,
/// normal consistency, Hausdorff, generation metrics).
///
/// Construction (Bentley, "Multidimensional binary search trees used for associative searching",
/// CACM 1975; Friedman, Bentley & Finkel, ACM TOMS 1977): each inner node splits its points at the
/// **count median** (left gets ⌊n/2⌋ points, right the rest) along the axis of the widest extent of
/// those points, found by quickselect. Leaves hold at most `leafSize` points. Because the split is
/// by count, the shape of the tree depends only on `n` and `leafSize`, so the node array is laid
/// out in advance and the two halves of the top levels are built on separate threads.
///
/// Layout:
/// - `points`: (n,) the input points **reordered** so that every leaf is a contiguous range; the
///   order is spatially coherent (consecutive points are close), which callers exploit.
/// - `order`: (n,) `order[i]` is the input index of `points[i]`.
/// - `nodes`: depth-first; node `k`'s left child is `k + 1`, its right child is stored.
///   Each inner node keeps `low` = the largest coordinate of its left points along the split axis
///   and `high` = the smallest coordinate of its right points (`low ≤ high`), as in nanoflann
///   (Blanco & Rai, 2014), which tightens the bound of the far child.
///
/// Queries (`KDTree+Query.swift`) use Arya & Mount's incremental distance to the cell ("Algorithms
/// for fast vector quantization", DCC 1993) and return the squared Euclidean distance.
///
/// Edge cases: an empty cloud gives an empty tree (`isEmpty`), whose queries return index −1 and
/// distance +∞. Duplicate points are allowed. Non-finite coordinates are a programmer error
/// (`precondition`); validate input at the boundary (the Metrics module throws typed errors).
public struct KDTree: Sendable {
    /// One node, 16 bytes. Inner: `low`, `high` as above, `a` = right child, `b` = axis (0, 1, 2).
    /// Leaf: `a` = first point, `b` = −(number of points) (always < 0).
    @usableFromInline struct Node: Sendable {
        @usableFromInline var low: Float
        @usableFromInline var high: Float
        @usableFromInline var a: Int32
        @usableFromInline var b: Int32
        @inlinable var isLeaf: Bool { b < 0 }
    }

    /// (n,) the points in tree order.
    public let points: [Vec3]
    /// (n,) input index of each point in `points`.
    public let order: [Int32]
    @usableFromInline let nodes: [Node]
    /// Bounding box of all points (`AABB.empty` for an empty tree).
    public let bounds: AABB
    /// Maximum number of points per leaf.
    public let leafSize: Int

    public var count: Int { points.count }
    public var isEmpty: Bool { points.isEmpty }
    public var nodeCount: Int { nodes.count }

    /// Builds the tree. `leafSize` ≥ 1; 8–16 is a good range for 3-D Chamfer workloads.
    /// Cost O(n log n); the top levels run in parallel (`Parallelism.threadCount`).
    public init(points input: [Vec3], leafSize: Int = 10) {
        precondition(leafSize >= 1, "KDTree: leafSize must be ≥ 1")
        precondition(input.count < Int(Int32.max), "KDTree: too many points")
        self.leafSize = leafSize
        let n = input.count
        guard n > 0 else {
            points = []; order = []; nodes = []; bounds = .empty
            return
        }
        // Scratch: xyz + the input index in the w lane's bit pattern, so that quickselect moves
        // one 16-byte value per swap.
        var work = [SIMD4<Float>](repeating: .zero, count: n)
        var box = AABB.empty
        for (i, p) in input.enumerated() {
            precondition(p.isFinite, "KDTree: point \(i) is not finite")
            work[i] = SIMD4(p.x, p.y, p.z, Float(bitPattern: UInt32(i)))
            box.formUnion(p)
        }
        bounds = box
        let total = KDTree.nodeCount(n, leafSize)
        var nodes = [Node](repeating: Node(low: 0, high: 0, a: 0, b: 0), count: total)
        // Parallel depth: enough subtrees to keep every thread busy, small ones stay inline.
        let threads = Parallelism.threadCount
        var parallelDepth = 0
        while (1 << parallelDepth) < threads * 2 && parallelDepth < 8 { parallelDepth += 1 }
        if threads == 1 || n < 20_000 { parallelDepth = 0 }
        work.withUnsafeMutableBufferPointer { w in
            nodes.withUnsafeMutableBufferPointer { nd in
                KDTree.build(w.baseAddress!, nd.baseAddress!, node: 0, lo: 0, hi: n, leafSize: leafSize,
                             parallelDepth: parallelDepth)
            }
        }
        self.nodes = nodes
        var pts = [Vec3](repeating: .zero, count: n)
        var ord = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let v = work[i]
            pts[i] = Vec3(v.x, v.y, v.z)
            ord[i] = Int32(bitPattern: v.w.bitPattern)
        }
        points = pts
        order = ord
    }

    /// Number of nodes of a tree over `n` points (depends on `n` and `leafSize` only).
    @usableFromInline static func nodeCount(_ n: Int, _ leafSize: Int) -> Int {
        // Subtree sizes at one depth differ by at most one, so memoizing per size is cheap.
        var memo: [Int: Int] = [:]
        func count(_ m: Int) -> Int {
            if m <= leafSize { return 1 }
            if let c = memo[m] { return c }
            let c = 1 + count(m / 2) + count(m - m / 2)
            memo[m] = c
            return c
        }
        return count(n)
    }

    private static func build(_ w: UnsafeMutablePointer<SIMD4<Float>>, _ nodes: UnsafeMutablePointer<Node>,
                              node: Int, lo: Int, hi: Int, leafSize: Int, parallelDepth: Int) {
        let n = hi - lo
        if n <= leafSize {
            nodes[node] = Node(low: 0, high: 0, a: Int32(lo), b: Int32(-n))
            return
        }
        // Axis of widest extent.
        var mn = w[lo], mx = w[lo]
        for i in (lo + 1)..<hi { mn = pointwiseMin(mn, w[i]); mx = pointwiseMax(mx, w[i]) }
        let ext = mx - mn
        var axis = 0
        if ext.y > ext.x { axis = 1 }
        if ext.z > ext[axis] { axis = 2 }
        let mid = lo + n / 2
        select(w, lo: lo, hi: hi, k: mid, axis: axis)
        var low = -Float.infinity
        for i in lo..<mid { low = max(low, w[i][axis]) }
        let high = w[mid][axis]
        let right = node + 1 + nodeCount(n / 2, leafSize)
        nodes[node] = Node(low: low, high: high, a: Int32(right), b: Int32(axis))
        if parallelDepth > 0 {
            // Disjoint point ranges and node ranges: safe to build concurrently.
            let wAddr = UInt(bitPattern: w), nAddr = UInt(bitPattern: nodes)
            parallelFor(2, minChunk: 1) { r in
                for side in r {
                    let wp = UnsafeMutablePointer<SIMD4<Float>>(bitPattern: wAddr)!
                    let np = UnsafeMutablePointer<Node>(bitPattern: nAddr)!
                    if side == 0 {
                        build(wp, np, node: node + 1, lo: lo, hi: mid, leafSize: leafSize, parallelDepth: parallelDepth - 1)
                    } else {
                        build(wp, np, node: right, lo: mid, hi: hi, leafSize: leafSize, parallelDepth: parallelDepth - 1)
                    }
                }
            }
        } else {
            build(w, nodes, node: node + 1, lo: lo, hi: mid, leafSize: leafSize, parallelDepth: 0)
            build(w, nodes, node: right, lo: mid, hi: hi, leafSize: leafSize, parallelDepth: 0)
        }
    }

    /// Quickselect (Hoare partition, median-of-three pivot): afterwards `w[k]` holds the element
    /// that would be there if `w[lo..<hi]` were sorted along `axis`, everything before is ≤ it and
    /// everything after ≥ it.
    private static func select(_ w: UnsafeMutablePointer<SIMD4<Float>>, lo: Int, hi: Int, k: Int, axis: Int) {
        var l = lo, r = hi - 1
        while r > l {
            if r - l < 16 {
                // Insertion sort on small ranges.
                for i in (l + 1)...r {
                    let v = w[i]; var j = i - 1
                    while j >= l && w[j][axis] > v[axis] { w[j + 1] = w[j]; j -= 1 }
                    w[j + 1] = v
                }
                return
            }
            let m = l + (r - l) / 2
            if w[m][axis] < w[l][axis] { w.swapAt(l, m) }
            if w[r][axis] < w[l][axis] { w.swapAt(l, r) }
            if w[r][axis] < w[m][axis] { w.swapAt(m, r) }
            let pivot = w[m][axis]
            var i = l, j = r
            while i <= j {
                while w[i][axis] < pivot { i += 1 }
                while w[j][axis] > pivot { j -= 1 }
                if i <= j { w.swapAt(i, j); i += 1; j -= 1 }
            }
            // Now [l, j] ≤ pivot ≤ [i, r], and j < i.
            if k <= j { r = j } else if k >= i { l = i } else { return }
        }
    }
}

extension UnsafeMutablePointer where Pointee == SIMD4<Float> {
    @inline(__always) fileprivate func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]; self[i] = self[j]; self[j] = t
    }
}
