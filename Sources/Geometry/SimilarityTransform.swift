/// `x ↦ scale · x + translation`: the normalizations (ONet, NFD, unit sphere) are of this form.
/// `inverse` maps normalized results back to the original frame.
public struct SimilarityTransform: Sendable, Hashable, Codable {
    public var scale: Float
    public var translation: Vec3

    public init(scale: Float, translation: Vec3) {
        precondition(scale.isFinite && scale != 0, "similarity scale must be finite and non-zero")
        self.scale = scale; self.translation = translation
    }
    public static let identity = SimilarityTransform(scale: 1, translation: .zero)
    @inlinable public func apply(_ p: Vec3) -> Vec3 { p * scale + translation }
    public var inverse: SimilarityTransform { SimilarityTransform(scale: 1 / scale, translation: -translation / scale) }
    /// `self ∘ other`: apply `other` first.
    public func composed(after other: SimilarityTransform) -> SimilarityTransform {
        SimilarityTransform(scale: scale * other.scale, translation: other.translation * scale + translation)
    }

    enum CodingKeys: String, CodingKey { case scale, translation }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let t = try c.decode([Float].self, forKey: .translation)
        guard t.count == 3 else { throw DecodingError.dataCorruptedError(forKey: .translation, in: c, debugDescription: "translation needs 3 numbers") }
        self.init(scale: try c.decode(Float.self, forKey: .scale), translation: Vec3(t[0], t[1], t[2]))
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(scale, forKey: .scale)
        try c.encode([translation.x, translation.y, translation.z], forKey: .translation)
    }
}
