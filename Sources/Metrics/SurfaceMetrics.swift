import Geometry

/// Every surface metric of the ONet/ConvONet reconstruction protocol, from one pair of
/// nearest-neighbour passes (prediction P → reference R and back). Definitions: see
/// `ChamferDistance`, `FScore`, `NormalConsistency`, `HausdorffDistance`. The protocol samples
/// 100k points on each surface (`OrientedPointCloud(sampling:count:seed:role:)`).
public struct SurfaceMetrics: Sendable, Equatable, Codable {
    /// (1/N) Σ_p min_r |p − r|.
    public var accuracy: Double
    /// (1/M) Σ_r min_p |r − p|.
    public var completeness: Double
    /// ONet Chamfer-L1 = ½(accuracy + completeness).
    public var chamferL1: Double
    /// PointFlow Chamfer-L2 = mean squared P→R + mean squared R→P.
    public var chamferL2: Double
    /// ONet normal consistency; nil when either side has no normals.
    public var normalConsistency: Double?
    /// One per threshold, in the order asked.
    public var fScores: [FScore]
    public var hausdorff: HausdorffDistance
    public var predictedPoints: Int
    public var referencePoints: Int

    /// Computes everything. Throws `MetricsError` for empty clouds, NaN/∞ points or normals,
    /// normal counts that do not match, and thresholds that are not positive and finite.
    public static func evaluate(predicted: OrientedPointCloud, reference: OrientedPointCloud,
                                thresholds: [Float] = FScore.defaultThresholds) throws -> SurfaceMetrics {
        try predicted.validated(role: "prediction")
        try reference.validated(role: "reference")
        for t in thresholds where !(t > 0 && t.isFinite) {
            throw MetricsError.invalidParameter("F-score threshold must be positive and finite, got \(t)")
        }
        let c = BidirectionalCorrespondence(predicted: predicted.points, reference: reference.points)
        var nc: Double? = nil
        if let np = predicted.normals, let nr = reference.normals {
            nc = NormalConsistency.compute(c, predictedNormals: np, referenceNormals: nr)
        }
        let acc = c.predictedToReference.meanDistance(), comp = c.referenceToPredicted.meanDistance()
        return SurfaceMetrics(accuracy: acc, completeness: comp, chamferL1: ChamferDistance.l1(c),
                              chamferL2: ChamferDistance.l2(c), normalConsistency: nc,
                              fScores: thresholds.map { FScore(c, threshold: $0) },
                              hausdorff: HausdorffDistance(c),
                              predictedPoints: predicted.count, referencePoints: reference.count)
    }
}
