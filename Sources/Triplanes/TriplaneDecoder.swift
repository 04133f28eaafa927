import Foundation
import NN
import Support
import TensorCore

/// The shared decoder of a triplane representation (NFD's `TriplaneAutoDecoder` head): aggregated
/// plane features → fixed random Fourier mapping → MLP with ReLU hidden layers → one output
/// (occupancy logit or clamped UDF, by `config.target`).
///
/// Parameter names (the safetensors keys, read by `Scripts/triplane_torch.py`): `fourier.B`
/// [F, 2·F'] as NN's `FourierFeatures` (absent when `fourierFeatures` is 0), then
/// `mlp.layers.<i>.weight` [out, in] / `.bias` [out]. The configuration travels in the file's
/// metadata (`octoplane.config`, JSON), so a decoder file is self-describing.
public final class TriplaneDecoder: Layer {
    public let config: TriplaneConfig
    public let fourier: FourierFeatures?
    public let mlp: MLP

    /// A freshly initialised decoder (PyTorch's default initialisation, B ~ N(0, scale²)).
    public init(config: TriplaneConfig, seed: UInt64) {
        self.config = config
        var rng = SeededRandom(seed: seed)
        let f = config.featureWidth
        fourier = config.fourierFeatures > 0 ? FourierFeatures(inDim: f, count: config.fourierFeatures, scale: config.fourierScale, rng: &rng) : nil
        let inWidth = config.fourierFeatures > 0 ? 2 * config.fourierFeatures : f
        mlp = MLP([inWidth] + config.hidden + [1], activation: .relu, rng: &rng)
    }

    public var namedParameters: [(String, Tensor)] {
        (fourier.map { prefixed("fourier", $0) } ?? []) + prefixed("mlp", mlp)
    }

    /// The trainable parameters (B is a fixed buffer, never updated).
    public var trainableParameters: [Tensor] { mlp.parameters }

    // MARK: Forward

    /// Aggregated features of `planes` [3, C, R, R] at `points` [N, 3] → [N, featureWidth].
    public func features(_ planes: Tensor, at points: Tensor) -> Tensor {
        precondition(planes.shape == config.planeShape, "TriplaneDecoder: planes \(planes.shape), config \(config.planeShape)")
        switch config.aggregation {
        case .sum: return samplePlanes(planes, at: points, alignCorners: true, combine: .sum)
        case .concat: return samplePlanes(planes, at: points, alignCorners: true, combine: .concat)
        case .product:
            var out: Tensor?
            for (p, axes) in PlaneAxes.triplane.enumerated() {
                let f = samplePlanes(planes.slice(axis: 0, p..<(p + 1)), at: points, axes: [axes], alignCorners: true, combine: .sum)
                out = out.map { $0 * f } ?? f
            }
            return out!
        }
    }

    /// The decoder head on aggregated features [N, featureWidth] → outputs [N].
    public func head(_ features: Tensor) -> Tensor {
        let h = fourier.map { $0(features) } ?? features
        return mlp(h).reshaped([features.shape[0]])
    }

    /// Outputs [N] of one object's planes at points [N, 3] (with gradients where recorded).
    public func callAsFunction(_ planes: Tensor, at points: Tensor) -> Tensor {
        head(features(planes, at: points))
    }

    /// Outputs of several objects in one MLP call: object k's planes at its own points
    /// `points[k]` [N_k, 3] → [Σ N_k] (object-major).
    public func callAsFunction(_ planes: [Tensor], at points: [Tensor]) -> Tensor {
        precondition(planes.count == points.count && !planes.isEmpty, "TriplaneDecoder: \(planes.count) planes for \(points.count) point sets")
        let feats = zip(planes, points).map { features($0, at: $1) }
        return head(feats.count == 1 ? feats[0] : Tensor.concat(feats, axis: 0))
    }

    /// Outputs at many points without recording, in chunks of `chunk` points (inference,
    /// extraction). `points` holds x, y, z interleaved; the result has one value per point.
    public func evaluate(_ planes: Tensor, points: [Float], chunk: Int = 65_536) -> [Float] {
        precondition(points.count % 3 == 0, "evaluate: points must be xyz triples")
        let n = points.count / 3
        var out = [Float](repeating: 0, count: n)
        withNoGrad {
            var start = 0
            while start < n {
                let m = min(chunk, n - start)
                let p = Tensor(Array(points[(3 * start)..<(3 * (start + m))]), shape: [m, 3])
                let y = self(planes, at: p)
                out.withUnsafeMutableBufferPointer { b in b.baseAddress!.advanced(by: start).update(from: y.data, count: m) }
                start += m
            }
        }
        return out
    }

    // MARK: Files

    static let kind = "octoplane-triplane-decoder"
    static let formatVersion = "1"

    /// Writes the decoder (F32) with its configuration in the metadata, atomically.
    public func save(to path: String, extraMetadata: [String: String] = [:]) throws {
        let cfg = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        var meta = extraMetadata
        meta["octoplane.kind"] = Self.kind
        meta["octoplane.version"] = Self.formatVersion
        meta["octoplane.config"] = cfg
        try saveCheckpoint(to: path, metadata: meta)
    }

    /// Reads a decoder written by `save(to:)`. Throws `TriplaneError.badDecoder` naming what is
    /// wrong: not a safetensors file, not a triplane decoder, an unreadable configuration, or a
    /// tensor missing / of another shape than the configuration implies.
    public static func load(from path: String) throws -> (decoder: TriplaneDecoder, metadata: [String: String]) {
        let file: SafetensorsFile
        do { file = try Safetensors.read(path) } catch { throw TriplaneError.badDecoder(path: path, reason: "\(error)") }
        guard file.metadata["octoplane.kind"] == kind else {
            throw TriplaneError.badDecoder(path: path, reason: "metadata 'octoplane.kind' is \(file.metadata["octoplane.kind"].map { "'\($0)'" } ?? "missing"), expected '\(kind)'")
        }
        guard let text = file.metadata["octoplane.config"], let cfg = try? JSONDecoder().decode(TriplaneConfig.self, from: Data(text.utf8)) else {
            throw TriplaneError.badDecoder(path: path, reason: "metadata 'octoplane.config' is missing or not a triplane configuration")
        }
        do { try cfg.validate() } catch { throw TriplaneError.badDecoder(path: path, reason: "\(error)") }
        let d = TriplaneDecoder(config: cfg, seed: 0)
        do {
            let loaded = try d.namedParameters.map { name, p in (p, try file.tensor(name, shape: p.shape)) }
            let expected = Set(d.namedParameters.map(\.0))
            if let extra = file.names.first(where: { !expected.contains($0) }) {
                throw TriplaneError.badDecoder(path: path, reason: "unexpected tensor '\(extra)' for configuration \(cfg.planeShape)")
            }
            for (p, v) in loaded { p.assign(v) }
        } catch let e as SafetensorsError {
            throw TriplaneError.badDecoder(path: path, reason: e.description)
        }
        return (d, file.metadata)
    }

    /// Checks that `planes` has the shape this decoder reads.
    public func check(planes: Tensor) throws {
        guard planes.shape == config.planeShape else { throw TriplaneError.planesMismatch(expected: config.planeShape, actual: planes.shape) }
    }
}
