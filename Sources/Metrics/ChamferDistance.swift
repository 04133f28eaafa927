import Geometry

/// Chamfer distances between two point clouds P (prediction, N points) and R (reference, M
/// points). Both definitions in use in the literature, with their exact conventions:
///
/// - **Chamfer-L1** (Mescheder et al., "Occupancy Networks", CVPR 2019; ConvONet, Peng et al.,
///   ECCV 2020, which prints it ×10): **½(accuracy + completeness)** with
///   accuracy = (1/N) Σ_p min_r |p − r| and completeness = (1/M) Σ_r min_p |r − p|:
///   mean **Euclidean** (unsquared) nearest-neighbour distances, halved sum of both directions.
///   ONet evaluates it on 100k points sampled on each surface.
/// - **Chamfer-L2** (Yang et al., "PointFlow", ICCV 2019; also LION, PVD):
///   (1/N) Σ_p min_r |p − r|² + (1/M) Σ_r min_p |r − p|²: mean **squared** distances, **summed**
///   (not halved). Note ONet's own "Chamfer-L2" is half of this; multiply by ½ to compare.
///
/// Both are symmetric, 0 for identical clouds, and scale by s (L1) or s² (L2) under x ↦ s·x.
/// Sums are accumulated in Double in point order, so the value is deterministic.
public enum ChamferDistance {
    /// ONet Chamfer-L1 from precomputed correspondences.
    public static func l1(_ c: BidirectionalCorrespondence) -> Double {
        0.5 * (c.predictedToReference.meanDistance() + c.referenceToPredicted.meanDistance())
    }
    /// PointFlow Chamfer-L2 from precomputed correspondences.
    public static func l2(_ c: BidirectionalCorrespondence) -> Double {
        c.predictedToReference.meanDistance(squared: true) + c.referenceToPredicted.meanDistance(squared: true)
    }
    /// ONet Chamfer-L1 between two clouds. Throws for empty or non-finite clouds.
    public static func l1(_ p: [Vec3], _ r: [Vec3]) throws -> Double {
        try l1(correspond(p, r))
    }
    /// PointFlow Chamfer-L2 between two clouds. Throws for empty or non-finite clouds.
    public static func l2(_ p: [Vec3], _ r: [Vec3]) throws -> Double {
        try l2(correspond(p, r))
    }

    static func correspond(_ p: [Vec3], _ r: [Vec3]) throws -> BidirectionalCorrespondence {
        try OrientedPointCloud(points: p).validated(role: "prediction")
        try OrientedPointCloud(points: r).validated(role: "reference")
        return BidirectionalCorrespondence(predicted: p, reference: r)
    }
}
