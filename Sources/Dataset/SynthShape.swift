import Foundation
import Geometry

/// One synthesized shape, normalized like ShapeNetCore v2: +Y up, −Z front, +X to the object's
/// left (right-handed), bounding box centred at the origin with diagonal 1.
public struct SynthShape: Sendable {
    public var category: SynthCategory
    public var modelId: String
    /// The discrete choices, in the order the generator made them.
    public var variants: [SynthVariant]
    /// The continuous parameters (shape units before normalization), in draw order.
    public var parameters: [SynthParameter]
    /// The parts, normalized (same transform as `mesh`).
    public var parts: [SynthPart]
    /// All parts concatenated (overlapping, not unioned), normalized.
    public var mesh: TriangleMesh

    /// The variants as a short label: `swivel·arms·slats·round`.
    public var variantLabel: String { variants.map(\.value).joined(separator: "·") }

    /// Value of a variant by name.
    public func variant(_ name: String) -> String? { variants.first { $0.name == name }?.value }
    /// Value of a parameter by name.
    public func parameter(_ name: String) -> Float? { parameters.first { $0.name == name }?.value }
}

/// Builds the shapes of the six categories. Each generator is a parametric model of parts (≥ 6
/// continuous parameters and several discrete variants per category; see the files in
/// `Categories/`), drawn from a stream seeded by (category, seed, index) only: the same
/// arguments give the same shape, bit for bit, on any thread count.
public enum ShapeSynthesizer {
    /// The shape number `index` of `category` for the collection seed `seed`.
    public static func make(_ category: SynthCategory, seed: UInt64, index: Int) -> SynthShape {
        precondition(index >= 0, "shape index must be ≥ 0")
        let offset = Int(ModelID.hash128("strata:\(category.rawValue)/\(seed)").0 % 997)
        var p = ParameterSampler(seed: ModelID.shapeSeed(category: category, seed: seed, index: index), index: index, stratumOffset: offset)
        let parts: [SynthPart]
        switch category {
        case .chair: parts = ChairModel.build(&p)
        case .table: parts = TableModel.build(&p)
        case .airplane: parts = AirplaneModel.build(&p)
        case .car: parts = CarModel.build(&p)
        case .lamp: parts = LampModel.build(&p)
        case .mug: parts = MugModel.build(&p)
        }
        let (normalized, merged) = normalize(parts)
        return SynthShape(category: category, modelId: ModelID.make(category: category, seed: seed, index: index),
                          variants: p.variants, parameters: p.parameters, parts: normalized, mesh: merged)
    }

    /// ShapeNet v2 normalization: translate the bounding-box centre to the origin and scale so
    /// the bounding-box diagonal is 1. Returns the transformed parts and their concatenation.
    static func normalize(_ parts: [SynthPart]) -> ([SynthPart], TriangleMesh) {
        var box = AABB.empty
        for p in parts { box.formUnion(p.mesh.bounds) }
        precondition(!box.isEmpty && box.diagonal > 0, "a shape needs at least one non-degenerate part")
        let s = 1 / box.diagonal
        let tr = SimilarityTransform(scale: s, translation: -box.center * s)
        let out = parts.map { SynthPart(name: $0.name, mesh: $0.mesh.transformed(by: tr), thickness: $0.thickness * s) }
        return (out, TriangleMesh.merged(out.map(\.mesh)))
    }
}
