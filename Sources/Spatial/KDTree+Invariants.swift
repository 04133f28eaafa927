import Geometry

/// Invariant checks for `KDTree`, for tests and debugging (O(n log n)).
extension KDTree {
    public enum InvariantViolation: Error, Equatable, CustomStringConvertible {
        case notAPermutation
        case leafTooLarge(node: Int, count: Int)
        case splitOrder(node: Int)
        case pointOnWrongSide(node: Int, point: Int)
        case pointsNotCovered(covered: Int, total: Int)
        public var description: String {
            switch self {
            case .notAPermutation: return "order is not a permutation of the input indices"
            case let .leafTooLarge(n, c): return "leaf \(n) holds \(c) points, more than leafSize"
            case let .splitOrder(n): return "node \(n) has low > high"
            case let .pointOnWrongSide(n, p): return "point \(p) lies on the wrong side of node \(n)'s split"
            case let .pointsNotCovered(c, t): return "leaves cover \(c) of \(t) points"
            }
        }
    }

    /// Throws the first violated invariant: `order` is a permutation; leaves hold 1…leafSize points
    /// and tile `points` exactly; every left point is ≤ `low` ≤ `high` ≤ every right point on the
    /// node's axis.
    public func validate() throws {
        var seen = [Bool](repeating: false, count: count)
        for o in order {
            guard o >= 0, Int(o) < count, !seen[Int(o)] else { throw InvariantViolation.notAPermutation }
            seen[Int(o)] = true
        }
        guard !nodes.isEmpty else { return }
        var covered = 0
        // Returns the point range of subtree `n`.
        func walk(_ n: Int) throws -> Range<Int> {
            let node = nodes[n]
            if node.isLeaf {
                let c = -Int(node.b)
                guard c >= 1, c <= leafSize else { throw InvariantViolation.leafTooLarge(node: n, count: c) }
                covered += c
                return Int(node.a)..<(Int(node.a) + c)
            }
            guard node.low <= node.high else { throw InvariantViolation.splitOrder(node: n) }
            let l = try walk(n + 1), r = try walk(Int(node.a))
            guard l.upperBound == r.lowerBound else { throw InvariantViolation.pointsNotCovered(covered: covered, total: count) }
            let axis = Int(node.b)
            for i in l where points[i][axis] > node.low { throw InvariantViolation.pointOnWrongSide(node: n, point: i) }
            for i in r where points[i][axis] < node.high { throw InvariantViolation.pointOnWrongSide(node: n, point: i) }
            return l.lowerBound..<r.upperBound
        }
        let all = try walk(0)
        guard all == 0..<count, covered == count else { throw InvariantViolation.pointsNotCovered(covered: covered, total: count) }
    }
}
