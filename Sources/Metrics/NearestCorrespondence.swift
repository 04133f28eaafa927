import Geometry
import Spatial

/// The one-directional nearest-neighbour correspondence every surface metric is built on.
///
/// For each point `x_i` of the source cloud X (N points) and the target cloud Y:
/// - `indices[i]` = argmin_j |x_i − y_j| (index into Y; ties to the smallest j),
/// - `distances[i]` = min_j |x_i − y_j|, the **Euclidean (not squared)** distance.
/// Both are (N,) in the source's input order. Exact (k-d tree, `Spatial.KDTree`).
public struct NearestCorrespondence: Sendable, Equatable {
    public var indices: [Int32]
    public var distances: [Float]

    /// Source `from` against a tree built over the target (reuse the tree across calls).
    public init(from source: [Vec3], to target: KDTree) {
        precondition(!target.isEmpty, "NearestCorrespondence: empty target")
        // Query in the source's spatially coherent order when the source is large.
        let nn = target.nearest(source)
        indices = nn.map(\.index)
        distances = nn.map { $0.distanceSquared.squareRoot() }
    }

    /// Source given as a k-d tree: queries run in the source tree's spatially coherent point
    /// order (no Morton sort), results land in the source's input order.
    public init(from source: KDTree, to target: KDTree) {
        precondition(!target.isEmpty, "NearestCorrespondence: empty target")
        let nn = target.nearest(source.points, coherent: true)
        var idx = [Int32](repeating: -1, count: source.count), dist = [Float](repeating: 0, count: source.count)
        for (k, r) in nn.enumerated() {
            let i = Int(source.order[k])
            idx[i] = r.index; dist[i] = r.distanceSquared.squareRoot()
        }
        indices = idx; distances = dist
    }

    /// Mean of `distances` (or of their squares), summed in Double in index order (deterministic).
    public func meanDistance(squared: Bool = false) -> Double {
        var s = 0.0
        if squared { for d in distances { s += Double(d) * Double(d) } } else { for d in distances { s += Double(d) } }
        return s / Double(max(1, distances.count))
    }
    /// Largest distance (0 for no points).
    public var maxDistance: Float { distances.max() ?? 0 }
    /// Fraction of points with distance ≤ τ.
    public func fractionWithin(_ tau: Float) -> Double {
        Double(distances.reduce(0) { $0 + ($1 <= tau ? 1 : 0) }) / Double(max(1, distances.count))
    }
}

/// Nearest correspondences in both directions between a prediction P and a reference R: the
/// shared input of Chamfer, F-score, normal consistency and Hausdorff. Two trees are built.
public struct BidirectionalCorrespondence: Sendable {
    /// P → R: accuracy side (each predicted point to its nearest reference point).
    public var predictedToReference: NearestCorrespondence
    /// R → P: completeness side.
    public var referenceToPredicted: NearestCorrespondence

    public init(predicted: [Vec3], reference: [Vec3]) {
        self.init(predicted: KDTree(points: predicted), reference: KDTree(points: reference))
    }
    /// From prebuilt trees (reuse a reference tree across many predictions).
    public init(predicted tp: KDTree, reference tr: KDTree) {
        predictedToReference = NearestCorrespondence(from: tp, to: tr)
        referenceToPredicted = NearestCorrespondence(from: tr, to: tp)
    }
}
