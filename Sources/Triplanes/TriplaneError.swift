import Foundation

/// Why a triplane operation refused its input. Each case names the file, tensor or option at fault.
public enum TriplaneError: Error, Equatable, CustomStringConvertible {
    /// A configuration that cannot make a decoder (sizes < 1, non-finite scales).
    case invalidConfig(String)
    /// A planes array of the wrong rank, shape or dtype.
    case badPlanes(path: String, reason: String)
    /// Planes whose channel count or resolution differ from the decoder's configuration.
    case planesMismatch(expected: [Int], actual: [Int])
    /// A decoder file that is not a triplane decoder, or one of another configuration; names the
    /// tensor or metadata field that differs.
    case badDecoder(path: String, reason: String)
    /// Training samples without the expected columns, with non-finite rows, or empty.
    case badSamples(path: String, reason: String)
    /// The loss became NaN or infinite at `step`; the last finite-loss state was kept.
    case nonFiniteLoss(step: Int)
    /// Normalization statistics that are missing, malformed or of another channel count.
    case badNormalization(path: String, reason: String)
    /// A checkpoint that does not belong to this run (another config or data set).
    case badCheckpoint(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidConfig(r): return "invalid triplane configuration: \(r)"
        case let .badPlanes(p, r): return "\(p): not usable triplanes: \(r)"
        case let .planesMismatch(e, a): return "planes of shape \(a) do not match the decoder's \(e)"
        case let .badDecoder(p, r): return "\(p): not a usable triplane decoder: \(r)"
        case let .badSamples(p, r): return "\(p): not usable training samples: \(r)"
        case let .nonFiniteLoss(s): return "the loss became NaN or infinite at step \(s); stopped and kept the last good state"
        case let .badNormalization(p, r): return "\(p): not usable normalization statistics: \(r)"
        case let .badCheckpoint(p, r): return "\(p): cannot resume from this checkpoint: \(r)"
        }
    }
}
