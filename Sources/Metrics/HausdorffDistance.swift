/// Hausdorff distance between two point samples P and R (symmetric, Euclidean):
///
///     H(P, R) = max( max_p min_r |p − r|,  max_r min_p |r − p| )
///
/// On surface samples it estimates the surfaces' Hausdorff distance from below (it misses
/// what falls between samples); it is a worst-case figure and sensitive to outliers, hence
/// reported beside, not instead of, Chamfer.
public struct HausdorffDistance: Sendable, Equatable, Codable {
    /// max_p min_r |p − r| (prediction → reference).
    public var predictedToReference: Double
    /// max_r min_p |r − p| (reference → prediction).
    public var referenceToPredicted: Double
    public var value: Double { max(predictedToReference, referenceToPredicted) }

    public init(_ c: BidirectionalCorrespondence) {
        predictedToReference = Double(c.predictedToReference.maxDistance)
        referenceToPredicted = Double(c.referenceToPredicted.maxDistance)
    }
}
