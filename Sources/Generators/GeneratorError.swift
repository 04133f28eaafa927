import Foundation

/// Why a generator refused its input (configs, checkpoints, datasets).
public enum GeneratorError: Error, Equatable, CustomStringConvertible {
    /// A configuration value is out of range; `reason` says which and why.
    case invalidConfig(String)
    /// A checkpoint's tensor does not match this model: absent from one side, or another shape.
    /// `expected`/`found` are nil where the tensor is missing on that side.
    case checkpointMismatch(tensor: String, expected: [Int]?, found: [Int]?)
    /// The checkpoint was written under another training config (the JSON key that differs).
    case configMismatch(key: String)
    /// The checkpoint was trained on other data (fingerprints differ).
    case dataMismatch(expected: String, found: String)
    /// The file is not a diffusion checkpoint of this format, or a metadata field is unreadable.
    case invalidCheckpoint(path: String, reason: String)
    /// The training data are unusable (empty, mixed shapes, labels out of range…).
    case invalidData(String)
    /// A token sequence that is not a valid child-mask serialization (the token position at fault).
    case invalidSequence(position: Int, reason: String)
    /// A sequence longer than the octree transformer's context (`index` in the data, its length).
    case sequenceTooLong(index: Int, length: Int, context: Int)

    public var description: String {
        func shape(_ s: [Int]?) -> String { s.map { "\($0)" } ?? "absent" }
        switch self {
        case let .invalidConfig(r): return "invalid generator config: \(r)"
        case let .checkpointMismatch(t, e, f):
            return "checkpoint does not match this model: tensor '\(t)' is \(shape(f)) in the checkpoint, \(shape(e)) in the model"
        case let .configMismatch(k): return "checkpoint was trained with another config: '\(k)' differs"
        case let .dataMismatch(e, f): return "checkpoint was trained on other data (fingerprint \(f), this data \(e))"
        case let .invalidCheckpoint(p, r): return "'\(p)' is not a checkpoint of this kind: \(r)"
        case let .invalidData(r): return "invalid training data: \(r)"
        case let .invalidSequence(p, r): return "invalid child-mask sequence at token \(p): \(r)"
        case let .sequenceTooLong(i, l, c):
            return "sequence \(i) has \(l) tokens, more than the model's context of \(c): raise contextLength in the config or use a smaller structure depth"
        }
    }
}
