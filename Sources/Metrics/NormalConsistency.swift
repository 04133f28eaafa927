import Geometry

/// Normal consistency (Mescheder et al., "Occupancy Networks", CVPR 2019):
///
///     NC = ½ · ( (1/N) Σ_p |n̂_p · n̂_{R(p)}|  +  (1/M) Σ_r |n̂_r · n̂_{P(r)}| )
///
/// where R(p) is the nearest reference point of predicted point p (and P(r) the other way), and
/// n̂ = n/|n|. The **absolute** value of the cosine is taken, as in ONet's code: a prediction
/// with inconsistently oriented faces is not penalized for orientation. A zero normal counts as
/// cosine 0. Range [0, 1]; 1 for a surface against itself.
public enum NormalConsistency {
    /// - `predictedNormals`: (N,) normals of the predicted points; `referenceNormals`: (M,).
    public static func compute(_ c: BidirectionalCorrespondence, predictedNormals: [Vec3], referenceNormals: [Vec3]) -> Double {
        precondition(predictedNormals.count == c.predictedToReference.indices.count
                     && referenceNormals.count == c.referenceToPredicted.indices.count,
                     "NormalConsistency: one normal per point")
        let np = predictedNormals.map(normalize), nr = referenceNormals.map(normalize)
        func side(_ own: [Vec3], _ other: [Vec3], _ idx: [Int32]) -> Double {
            var s = 0.0
            for i in 0..<own.count { s += Double(abs(dot(own[i], other[Int(idx[i])]))) }
            return s / Double(max(1, own.count))
        }
        return 0.5 * (side(np, nr, c.predictedToReference.indices) + side(nr, np, c.referenceToPredicted.indices))
    }
}
