import Geometry
import Support

/// Result of one nearest-neighbour query: the **input index** of the nearest tree point (−1 for
/// an empty tree) and the **squared** Euclidean distance to it (+∞ for an empty tree).
public struct NearestNeighbor: Sendable, Equatable {
    public var index: Int32
    public var distanceSquared: Float
    public init(index: Int32, distanceSquared: Float) { self.index = index; self.distanceSquared = distanceSquared }
    public var distance: Float { distanceSquared.squareRoot() }
}

extension KDTree {
    /// The nearest tree point to `q` (exact). Ties in distance go to the smallest input index.
    public func nearest(to q: Vec3) -> NearestNeighbor {
        guard !isEmpty else { return NearestNeighbor(index: -1, distanceSquared: .infinity) }
        precondition(q.isFinite, "KDTree.nearest: query is not finite")
        return points.withUnsafeBufferPointer { p in
            order.withUnsafeBufferPointer { o in
                nodes.withUnsafeBufferPointer { nd in
                    var s = SearchState()
                    KDTree.search(q, p.baseAddress!, o.baseAddress!, nd.baseAddress!, bounds, &s)
                    return NearestNeighbor(index: s.index, distanceSquared: s.distanceSquared)
                }
            }
        }
    }

    /// Nearest tree point for every query, in parallel over `Parallelism.threadCount` threads.
    ///
    /// - `queries`: (m,) points; results are (m,), in the same order.
    /// - `coherent`: pass `true` when consecutive queries are already close to each other (for
    ///   example another `KDTree`'s `points`); otherwise queries are visited along a Morton
    ///   (Z-order) curve. In both cases each query starts with the previous query's neighbour as
    ///   its initial bound, which prunes most of the tree at once. The answer does not depend on
    ///   the visiting order or the thread count (exact search, ties to the smallest index).
    /// - Non-finite queries are a programmer error (`precondition`).
    /// - `parallel`: `false` runs on the caller's thread (for callers that are already parallel
    ///   over many small queries, such as the pairwise Chamfer matrix).
    public func nearest(_ queries: [Vec3], coherent: Bool = false, parallel: Bool = true) -> [NearestNeighbor] {
        let m = queries.count
        var out = [NearestNeighbor](repeating: NearestNeighbor(index: -1, distanceSquared: .infinity), count: m)
        guard m > 0, !isEmpty else { return out }
        for (i, q) in queries.enumerated() { precondition(q.isFinite, "KDTree.nearest: query \(i) is not finite") }
        let visit: [Int32] = coherent ? [] : KDTree.mortonOrder(queries)
        let box = bounds
        points.withUnsafeBufferPointer { p in
            order.withUnsafeBufferPointer { o in
                nodes.withUnsafeBufferPointer { nd in
                    queries.withUnsafeBufferPointer { qs in
                        visit.withUnsafeBufferPointer { vb in
                            out.withUnsafeMutableBufferPointer { res in
                                let pp = p.baseAddress!, op = o.baseAddress!, np = nd.baseAddress!
                                let qp = qs.baseAddress!, rp = res.baseAddress!
                                let vp = vb.baseAddress, useVisit = !coherent
                                parallelFor(m, minChunk: parallel ? 512 : Int.max) { r in
                                    var prevPos = -1
                                    for t in r {
                                        let i = useVisit ? Int(vp![t]) : t
                                        let q = qp[i]
                                        var s = SearchState()
                                        if prevPos >= 0 {
                                            // Warm start: the previous neighbour bounds this one.
                                            s = SearchState(distanceSquared: lengthSquared(pp[prevPos] - q), index: op[prevPos], position: prevPos)
                                        }
                                        KDTree.search(q, pp, op, np, box, &s)
                                        rp[i] = NearestNeighbor(index: s.index, distanceSquared: s.distanceSquared)
                                        prevPos = s.position
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Mean squared nearest distance from the points of `source` to this tree's points,
    /// (1/|S|) Σ_s min_p |s − p|², summed in Double in `source`'s tree order (deterministic), on
    /// the caller's thread. The directed half of PointFlow's Chamfer distance. +∞ if this tree is
    /// empty, 0 if `source` is.
    public func meanSquaredDistance(from source: KDTree) -> Double {
        if source.isEmpty { return 0 }
        if isEmpty { return .infinity }
        var s = 0.0
        for r in nearest(source.points, coherent: true, parallel: false) { s += Double(r.distanceSquared) }
        return s / Double(source.count)
    }

    /// Best candidate so far: squared distance, input index, and position in tree order.
    @usableFromInline struct SearchState {
        @usableFromInline var distanceSquared: Float = .infinity
        @usableFromInline var index: Int32 = -1
        @usableFromInline var position: Int = -1
        @inlinable init() {}
        @inlinable init(distanceSquared: Float, index: Int32, position: Int) {
            self.distanceSquared = distanceSquared; self.index = index; self.position = position
        }
    }

    /// The exact search: descends near-child first with Arya–Mount incremental cell distances,
    /// pruning every subtree whose lower bound exceeds the current best. `best` may come in
    /// pre-loaded (warm start); it is only replaced by strictly closer points, or equally close
    /// points with a smaller input index.
    @inlinable
    static func search(_ q: Vec3, _ pts: UnsafePointer<Vec3>, _ order: UnsafePointer<Int32>, _ nodes: UnsafePointer<Node>,
                       _ box: AABB, _ best: inout SearchState) {
        // Per-axis squared offsets from q to the root box.
        let d0 = pointwiseMax(pointwiseMax(box.min - q, q - box.max), .zero)
        let off0 = d0 * d0
        let rd0 = off0.sum()
        if rd0 > best.distanceSquared { return }
        var bestD = best.distanceSquared, bestI = best.index, bestP = best.position
        // Explicit stack: the tree depth is ≤ 32 for any Int32-sized cloud; one entry per level.
        withUnsafeTemporaryAllocation(of: (Int32, Float, Vec3).self, capacity: 64) { stack in
            stack[0] = (0, rd0, off0)
            var sp = 1
            while sp > 0 {
                sp -= 1
                var (n, rd, off) = stack[sp]
                if rd > bestD { continue }
                while true {
                    let node = nodes[Int(n)]
                    if node.isLeaf {
                        let s = Int(node.a), e = s - Int(node.b)
                        for k in s..<e {
                            let d = lengthSquared(pts[k] - q)
                            if d <= bestD {
                                let oi = order[k]
                                if d < bestD || oi < bestI { bestD = d; bestI = oi; bestP = k }
                            }
                        }
                        break
                    }
                    let axis = Int(node.b)
                    let qa = q[axis]
                    let d1 = qa - node.low, d2 = qa - node.high
                    let near: Int32, far: Int32, cut: Float
                    if d1 + d2 < 0 { near = n + 1; far = node.a; cut = d2 * d2 } else { near = node.a; far = n + 1; cut = d1 * d1 }
                    let farRd = rd - off[axis] + cut
                    if farRd <= bestD {
                        var fo = off; fo[axis] = cut
                        stack[sp] = (far, farRd, fo); sp += 1
                    }
                    n = near
                }
            }
        }
        best = SearchState(distanceSquared: bestD, index: bestI, position: bestP)
    }

    /// A permutation of `0..<points.count` along a 30-bit Morton (Z-order) curve over the points'
    /// bounding box (LSD radix sort, 3 passes of 10 bits): a cache- and bound-friendly visit order.
    public static func mortonOrder(_ pts: [Vec3]) -> [Int32] {
        pts.isEmpty ? [] : MortonOrder.permutation(pts, in: AABB(points: pts))
    }
}
