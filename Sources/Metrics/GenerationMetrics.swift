import Geometry
import Support

/// Generation metrics over a set of generated shapes G (n) and reference shapes R (m), with the
/// Chamfer distance of `PairwiseChamfer` (squared, summed both ways), following PointFlow
/// (Yang et al., "PointFlow: 3D point cloud generation with continuous normalizing flows",
/// ICCV 2019) and its code (`compute_all_metrics`), with 2048 points per shape:
///
/// - **MMD-CD** = (1/m) Σ_{r∈R} min_{g∈G} CD(g, r): how close every reference is to some sample.
/// - **COV-CD** = |{argmin_{r∈R} CD(g, r) : g ∈ G}| / m: the fraction of references that are the
///   nearest reference of at least one sample. Ties go to the smallest reference index.
/// - **1-NNA-CD**: leave-one-out 1-nearest-neighbour classification accuracy on G ∪ R, each
///   shape labelled by its set; 50% is ideal (indistinguishable), 100% means the sets are
///   trivially separable. Ties go to the smallest index in the order [R, G] (PointFlow's
///   concatenation order).
///
/// Point clouds are used as given: normalize them (PointFlow: per-dataset statistics; LION:
/// per-shape bounding box) before calling, the same way for both sets.
public struct GenerationMetrics: Sendable, Equatable, Codable {
    public var mmdCD: Double
    /// Fraction in [0, 1].
    public var covCD: Double
    /// Fraction in [0, 1].
    public var nnaCD: Double
    public var generatedCount: Int
    public var referenceCount: Int

    /// All three metrics from the point clouds. Throws `emptySet` for an empty set, and the
    /// point-cloud errors (empty / non-finite shape) naming the shape.
    public static func evaluate(generated: [[Vec3]], reference: [[Vec3]],
                                generatedNames: [String]? = nil, referenceNames: [String]? = nil,
                                progress: ProgressReporter? = nil) throws -> GenerationMetrics {
        guard !generated.isEmpty else { throw MetricsError.emptySet(role: "generated set") }
        guard !reference.isEmpty else { throw MetricsError.emptySet(role: "reference set") }
        let roles = (referenceNames ?? reference.indices.map { "reference[\($0)]" })
            + (generatedNames ?? generated.indices.map { "generated[\($0)]" })
        let all = try PairwiseChamfer.matrix(reference + generated, roles: roles, progress: progress)
        return fromUnionMatrix(all, referenceCount: reference.count)
    }

    /// From the CD matrix over [R, G] (reference shapes first).
    public static func fromUnionMatrix(_ all: DistanceMatrix, referenceCount m: Int) -> GenerationMetrics {
        let k = all.rows, n = k - m
        precondition(all.columns == k && m >= 1 && n >= 1)
        let gr = all.block(rows: m..<k, columns: 0..<m)
        return GenerationMetrics(mmdCD: mmd(gr), covCD: coverage(gr), nnaCD: oneNNA(all, referenceCount: m),
                                 generatedCount: n, referenceCount: m)
    }

    /// MMD from the n × m matrix `gr[g, r]` = CD(generated g, reference r).
    public static func mmd(_ gr: DistanceMatrix) -> Double {
        precondition(gr.rows >= 1 && gr.columns >= 1)
        var s = 0.0
        for r in 0..<gr.columns {
            var best = Double.infinity
            for g in 0..<gr.rows { best = min(best, gr[g, r]) }
            s += best
        }
        return s / Double(gr.columns)
    }

    /// COV from the n × m matrix `gr[g, r]`.
    public static func coverage(_ gr: DistanceMatrix) -> Double {
        precondition(gr.rows >= 1 && gr.columns >= 1)
        var covered = Set<Int>()
        for g in 0..<gr.rows {
            var best = 0
            for r in 1..<gr.columns where gr[g, r] < gr[g, best] { best = r }
            covered.insert(best)
        }
        return Double(covered.count) / Double(gr.columns)
    }

    /// 1-NNA from the (m + n) × (m + n) matrix over [R, G] (reference shapes first): each shape's
    /// nearest other shape (the diagonal excluded) predicts its label; the accuracy is returned.
    public static func oneNNA(_ all: DistanceMatrix, referenceCount m: Int) -> Double {
        let k = all.rows
        precondition(all.columns == k && k >= 2 && m >= 0 && m <= k)
        var correct = 0
        for i in 0..<k {
            var best = -1, bestD = Double.infinity
            for j in 0..<k where j != i && (best < 0 || all[i, j] < bestD) { best = j; bestD = all[i, j] }
            if (i < m) == (best < m) { correct += 1 }
        }
        return Double(correct) / Double(k)
    }
}
