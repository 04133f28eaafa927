import Geometry
import Spatial
import Support

/// A dense row-major matrix of pairwise distances between shapes.
public struct DistanceMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// rows × columns values, row-major: `values[i * columns + j]`.
    public var values: [Double]
    public init(rows: Int, columns: Int, values: [Double]) {
        precondition(values.count == rows * columns, "DistanceMatrix: \(values.count) values for \(rows)×\(columns)")
        self.rows = rows; self.columns = columns; self.values = values
    }
    /// From nested rows (all of one length), handy for hand-made examples.
    public init(_ nested: [[Double]]) {
        self.init(rows: nested.count, columns: nested.first?.count ?? 0, values: nested.flatMap { $0 })
    }
    public subscript(i: Int, j: Int) -> Double { values[i * columns + j] }
    /// The block of rows `r` and columns `c`.
    public func block(rows r: Range<Int>, columns c: Range<Int>) -> DistanceMatrix {
        var v: [Double] = []
        v.reserveCapacity(r.count * c.count)
        for i in r { for j in c { v.append(self[i, j]) } }
        return DistanceMatrix(rows: r.count, columns: c.count, values: v)
    }
    /// The square submatrix of rows and columns `indices` (in that order), e.g. two of three
    /// concatenated sets.
    public func principal(_ indices: [Int]) -> DistanceMatrix {
        DistanceMatrix(rows: indices.count, columns: indices.count, values: indices.flatMap { i in indices.map { self[i, $0] } })
    }
}

/// PointFlow's Chamfer distance between every pair of shapes of a set (Yang et al., "PointFlow",
/// ICCV 2019): CD(X, Y) = (1/|X|) Σ_x min_y |x − y|² + (1/|Y|) Σ_y min_x |x − y|² (squared,
/// summed both directions; the PointFlow / LION / PVD evaluation convention, 2048 points a shape).
///
/// One k-d tree per shape is built once; the K(K−1) directed passes run in parallel over pairs.
/// The result is symmetric with a zero diagonal and deterministic (sums in Double, fixed order,
/// independent of the thread count).
public enum PairwiseChamfer {
    /// The K × K symmetric matrix over `shapes`. Every shape must be non-empty and finite
    /// (typed errors, with `roles[i]` naming shape i). `progress` advances once per shape.
    public static func matrix(_ shapes: [[Vec3]], roles: [String]? = nil, progress: ProgressReporter? = nil) throws -> DistanceMatrix {
        let k = shapes.count
        for (i, s) in shapes.enumerated() {
            try OrientedPointCloud(points: s).validated(role: roles?[i] ?? "shape \(i)")
        }
        var trees = [KDTree?](repeating: nil, count: k)
        trees.withUnsafeMutableBufferPointer { t in
            let base = t.baseAddress
            parallelFor(k, minChunk: 1) { r in for i in r { base![i] = KDTree(points: shapes[i], leafSize: 8) } }
        }
        let built = trees.map { $0! }
        // directed[i][j] = mean over shape i's points of the squared distance to shape j.
        var directed = [Double](repeating: 0, count: k * k)
        directed.withUnsafeMutableBufferPointer { d in
            let base = d.baseAddress
            parallelFor(k, minChunk: 1) { r in
                for i in r {
                    for j in 0..<k where j != i { base![i * k + j] = built[j].meanSquaredDistance(from: built[i]) }
                    progress?.advance()
                }
            }
        }
        var cd = [Double](repeating: 0, count: k * k)
        for i in 0..<k { for j in 0..<k where j != i { cd[i * k + j] = directed[i * k + j] + directed[j * k + i] } }
        return DistanceMatrix(rows: k, columns: k, values: cd)
    }
}
