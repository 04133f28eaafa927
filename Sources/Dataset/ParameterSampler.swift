import Foundation
import Support

/// A named continuous parameter of a synthesized shape.
public struct SynthParameter: Sendable, Hashable, Codable {
    public var name: String
    public var value: Float
}

/// A named discrete choice of a synthesized shape (e.g. `base = swivel`).
public struct SynthVariant: Sendable, Hashable, Codable {
    public var name: String
    public var value: String
}

/// Draws a shape's parameters from its seeded stream and records every draw by name, so that a
/// shape carries the exact parameter set that built it (written to `model_normalized.json`).
///
/// The first discrete choice marked `stratified` cycles through its options with the shape index
/// (offset by the seed), so even a handful of shapes per category shows every main variant; all
/// other draws are independent uniform draws from the stream.
public struct ParameterSampler {
    public private(set) var parameters: [SynthParameter] = []
    public private(set) var variants: [SynthVariant] = []
    var rng: SeededRandom
    let index: Int
    let stratumOffset: Int

    /// - Parameters:
    ///   - seed: the shape's own stream.
    ///   - index: the shape's position in its category.
    ///   - stratumOffset: where the stratified cycle starts (the same for every shape of a
    ///     category and collection seed).
    public init(seed: UInt64, index: Int, stratumOffset: Int) {
        rng = SeededRandom(seed: seed)
        self.index = index
        self.stratumOffset = stratumOffset
    }

    /// Uniform in [lo, hi], recorded as `name`.
    public mutating func uniform(_ name: String, _ lo: Float, _ hi: Float) -> Float {
        let v = rng.uniform(lo, hi)
        parameters.append(SynthParameter(name: name, value: v))
        return v
    }

    /// An integer uniform in lo...hi, recorded (as a float) under `name`.
    public mutating func integer(_ name: String, _ lo: Int, _ hi: Int) -> Int {
        let v = lo + Int(rng.next() % UInt64(hi - lo + 1))
        parameters.append(SynthParameter(name: name, value: Float(v)))
        return v
    }

    /// One case of `V` (its cases, in declaration order, are the options), recorded as a variant
    /// `name = rawValue`. Variants are enums, so every `switch` over them is exhaustive and a
    /// misspelt option does not compile.
    public mutating func choice<V: CaseIterable & RawRepresentable>(_ name: String, _: V.Type, stratified: Bool = false) -> V
    where V.RawValue == String {
        let options = Array(V.allCases)
        precondition(!options.isEmpty)
        let k = stratified ? (index &+ stratumOffset) % options.count : Int(rng.next() % UInt64(options.count))
        let v = options[k]
        variants.append(SynthVariant(name: name, value: v.rawValue))
        return v
    }

    /// A fair coin, not recorded (for small decorations that are not variants).
    public mutating func coin(_ p: Float = 0.5) -> Bool { rng.nextFloat() < p }
}
