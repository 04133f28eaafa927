/// The normalization conventions of the occupancy / neural-field literature. Each one is a
/// similarity `x ↦ s·x + t` (`SimilarityTransform`), returned so that results computed in the
/// normalized frame map back with `transform.inverse`.
///
/// - `onet(padding:)` — Occupancy Networks (Mescheder et al., CVPR 2019), as its
///   `scripts/sample_mesh.py` does it: centre of the bounding box to the origin, longest bbox edge
///   scaled to `1 − padding` (padding 0: the mesh spans exactly [-0.5, 0.5] along its longest axis;
///   ONet's `points.npz` then samples the unit cube padded by 0.1).
/// - `nfd` — Neural Field Diffusion (Shue et al., CVPR 2023): bbox centre to the origin, longest side
///   spanning [-1, 1] (scale 2 / longest edge).
/// - `unitSphere`: bbox centre to the origin, farthest vertex at distance 1.
///
/// Degenerate input: an empty mesh, a single point or non-finite bounds have no normalization
/// (`transform(for:)` returns nil). All arithmetic is in Double, rounded once to Float.
public enum NormalizationConvention: Sendable, Hashable, CustomStringConvertible {
    case onet(padding: Float)
    case nfd
    case unitSphere

    /// ONet without padding.
    public static let onet = NormalizationConvention.onet(padding: 0)

    public var description: String {
        switch self {
        case let .onet(p): return p == 0 ? "onet" : "onet(padding: \(p))"
        case .nfd: return "nfd"
        case .unitSphere: return "sphere"
        }
    }

    /// The bounding box every normalized mesh fits in: [-h, h]³ with h = (1 − padding)/2 (ONet),
    /// 1 (NFD, unit sphere).
    public var targetHalfExtent: Float {
        switch self {
        case let .onet(p): return (1 - p) / 2
        case .nfd, .unitSphere: return 1
        }
    }

    /// The transform taking `positions` into this convention's frame, or nil when the points span
    /// no length (empty, a single point) or are not finite.
    public func transform(for positions: [Vec3]) -> SimilarityTransform? {
        frame(for: positions).map { SimilarityTransform(scale: Float($0.scale), translation: (-$0.centre * $0.scale).float) }
    }

    /// Centre and scale in Double: normalized p = (p − centre) · scale.
    func frame(for positions: [Vec3]) -> (centre: Vec3d, scale: Double)? {
        guard positions.allSatisfy(\.isFinite) else { return nil }
        let box = AABB(points: positions)
        guard !box.isEmpty else { return nil }
        let centre = (box.min.double + box.max.double) * 0.5
        let longest = Double((box.max - box.min).max())
        let scale: Double
        switch self {
        case let .onet(padding):
            precondition(padding >= 0 && padding < 1, "ONet padding must lie in [0, 1)")
            guard longest > 0 else { return nil }
            scale = (1 - Double(padding)) / longest
        case .nfd:
            guard longest > 0 else { return nil }
            scale = 2 / longest
        case .unitSphere:
            var r2 = 0.0
            for p in positions { let d = p.double - centre; r2 = Swift.max(r2, dot(d, d)) }
            guard r2 > 0 else { return nil }
            scale = 1 / r2.squareRoot()
        }
        let s = Float(scale)
        guard s.isFinite, s > 0, s.isNormal else { return nil }
        return (centre, scale)
    }
}

extension TriangleMesh {
    /// This mesh in `convention`'s frame and the transform that took it there (its `inverse`
    /// maps results back). Precondition: the mesh has finite vertices spanning a non-zero length
    /// (check with `convention.transform(for:)` first when that is not known).
    ///
    /// Positions are computed as (p − centre) · scale in Double and rounded once, so a mesh far
    /// from the origin lands exactly where the convention says (the bbox hits ±(1 − padding)/2
    /// or ±1 to the last bit or two); `transform.apply(p)`, evaluated in Float, agrees with them
    /// within a few ulps of |translation|. Faces, their order and normals are unchanged.
    public func normalized(_ convention: NormalizationConvention) -> (mesh: TriangleMesh, transform: SimilarityTransform) {
        guard let f = convention.frame(for: positions), let t = convention.transform(for: positions) else {
            preconditionFailure("cannot normalize a mesh whose vertices span no length (empty, a point, or non-finite)")
        }
        var m = self
        m.positions = positions.map { (($0.double - f.centre) * f.scale).float }
        return (m, t)
    }
}
