/// F-score at a distance threshold τ (Tatarchenko et al., "What do single-view 3D reconstruction
/// networks learn?", CVPR 2019; the ConvONet evaluation):
///
/// - precision = fraction of predicted points whose nearest reference point is within τ
///   (distance ≤ τ, Euclidean),
/// - recall = fraction of reference points whose nearest predicted point is within τ,
/// - F = 2·P·R / (P + R), and 0 when P + R = 0.
///
/// τ is absolute, in world units. The field's convention is τ = 1% of the side of the unit cube
/// the data is normalized to (ONet: [-0.5, 0.5]³, side 1 → τ = 0.01), also reported at 0.5% and
/// 2% (`defaultThresholds`). Scale τ with your normalization if it differs.
public struct FScore: Sendable, Equatable, Codable {
    public var threshold: Float
    public var precision: Double
    public var recall: Double
    public var value: Double

    /// 0.5%, 1%, 2% of a unit cube side.
    public static let defaultThresholds: [Float] = [0.005, 0.01, 0.02]

    public init(threshold: Float, precision: Double, recall: Double) {
        self.threshold = threshold; self.precision = precision; self.recall = recall
        value = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
    }

    /// F-score from precomputed correspondences. `threshold` must be > 0 and finite (precondition;
    /// `SurfaceMetrics.evaluate` checks it with a typed error).
    public init(_ c: BidirectionalCorrespondence, threshold: Float) {
        precondition(threshold > 0 && threshold.isFinite, "FScore: threshold must be positive")
        self.init(threshold: threshold,
                  precision: c.predictedToReference.fractionWithin(threshold),
                  recall: c.referenceToPredicted.fractionWithin(threshold))
    }
}
