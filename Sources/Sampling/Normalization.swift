import Geometry

/// The normalizations of the sample-file conventions, as `SimilarityTransform`s (x ↦ s·x + t).
///
/// Both centre the mesh on its bounding-box centre and scale by the longest box side L:
/// - ONet (Mescheder et al., CVPR 2019, `sample_mesh.py`): x ↦ (x − loc)/scale with
///   loc = box centre, scale = L, so the mesh spans [-0.5, 0.5] along its longest side.
/// - NFD (Shue et al., CVPR 2023): x ↦ 2(x − centre)/L, the longest side spans [-1, 1].
///
/// Edge cases: an empty mesh or a zero-size box (a single point) maps with scale 1 (translation
/// only), so nothing divides by zero; callers report such meshes as degenerate.
public enum Normalization: String, Sendable, CaseIterable {
    case onet
    case nfd

    /// Half the side of the cube the longest box side is mapped onto.
    public var halfExtent: Float { self == .onet ? 0.5 : 1 }

    /// The transform that normalizes `bounds` (see the type's doc comment).
    public func transform(for bounds: AABB) -> SimilarityTransform {
        guard !bounds.isEmpty, bounds.min.isFinite, bounds.max.isFinite else { return .identity }
        let L = bounds.longestSide
        let s: Float = L > 0 ? 2 * halfExtent / L : 1
        return SimilarityTransform(scale: s, translation: -bounds.center * s)
    }

    /// ONet's stored (`loc`, `scale`): x_normalized = (x − loc)/scale.
    public static func onetLocScale(for bounds: AABB) -> (loc: Vec3, scale: Float) {
        guard !bounds.isEmpty, bounds.min.isFinite, bounds.max.isFinite else { return (.zero, 1) }
        let L = bounds.longestSide
        return (bounds.center, L > 0 ? L : 1)
    }
}
