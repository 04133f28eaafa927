import Foundation
import Support
import TensorCore

/// Per-channel normalization of triplanes for diffusion (NFD): over a set of planes stacked on
/// channels ([3·C, R, R] per object: plane-major, channel c of plane p is stacked channel p·C + c),
/// each stacked channel's mean μ and standard deviation σ are measured, and values are mapped
/// linearly from [μ − kσ, μ + kσ] to [-1, 1]:
///
///     normalized = (x − μ) / (k·σ),      x = μ + k·σ·normalized
///
/// exactly invertible (up to Float rounding). NFD uses k = 16; values beyond ±1 are kept (the
/// generator's sampler clips its x₀ to [-1, 1]). A channel with σ = 0 uses σ = 1e-8.
public struct PlaneNormalization: Codable, Sendable, Equatable {
    public static let formatVersion = 1
    public var version: Int
    /// Stacked channel count (3·C).
    public var channels: Int
    public var mean: [Float]
    public var std: [Float]
    public var k: Float
    /// Objects the statistics were measured on.
    public var objects: Int

    public init(mean: [Float], std: [Float], k: Float, objects: Int) {
        precondition(mean.count == std.count, "PlaneNormalization: \(mean.count) means, \(std.count) stds")
        version = Self.formatVersion; channels = mean.count; self.mean = mean; self.std = std; self.k = k; self.objects = objects
    }

    /// `TriplaneError.invalidConfig` unless k (of mean ± k·σ) is finite and > 0; callers that measure
    /// only after long work check it first.
    public static func validate(k: Float) throws {
        guard k.isFinite && k > 0 else { throw TriplaneError.invalidConfig("normalization k (mean ± k·σ) must be finite and > 0, got \(k)") }
    }

    /// Statistics over `planes` (each [3, C, R, R], all of one shape), accumulated in Double.
    public static func measure(_ planes: [Tensor], k: Float = 16) throws -> PlaneNormalization {
        guard let first = planes.first else { throw TriplaneError.invalidConfig("normalization needs at least one set of planes") }
        try validate(k: k)
        guard first.rank == 4, first.shape[0] == 3, planes.allSatisfy({ $0.shape == first.shape }) else {
            throw TriplaneError.planesMismatch(expected: first.shape, actual: planes.first { $0.shape != first.shape }?.shape ?? first.shape)
        }
        let (mean, std) = channelStatistics(planes, channels: first.shape[0] * first.shape[1], spatial: first.shape[2] * first.shape[3])
        return PlaneNormalization(mean: mean, std: std.map { max($0, 1e-8) }, k: k, objects: planes.count)
    }

    /// Applies `f(value, channel)` to a [..., 3, C, R, R] or [..., 3C, R, R] tensor.
    private func map(_ x: Tensor, _ f: (Float, Int) -> Float) -> Tensor {
        let hw = x.shape[x.rank - 1] * x.shape[x.rank - 2]
        precondition(x.count % (channels * hw) == 0, "PlaneNormalization: tensor \(x.shape) for \(channels) channels")
        let out = Tensor(uninitializedShape: x.shape)
        let src = x.data, dst = out.mutableData
        for i in 0..<x.count { dst[i] = f(src[i], (i / hw) % channels) }
        return out
    }

    /// Planes → diffusion space.
    public func normalize(_ planes: Tensor) -> Tensor {
        map(planes) { v, c in (v - mean[c]) / (k * std[c]) }
    }

    /// Diffusion space → planes.
    public func denormalize(_ x: Tensor) -> Tensor {
        map(x) { v, c in mean[c] + k * std[c] * v }
    }

    // MARK: File (JSON)

    public func write(to path: String) throws {
        let e = JSONEncoder(); e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try e.encode(self), to: path)
    }

    /// Reads statistics written by `write(to:)`; `expectedChannels` (3·C) is checked when given.
    public static func read(_ path: String, expectedChannels: Int? = nil) throws -> PlaneNormalization {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TriplaneError.badNormalization(path: path, reason: "file missing or unreadable")
        }
        let n: PlaneNormalization
        do { n = try JSONDecoder().decode(PlaneNormalization.self, from: data) } catch {
            throw TriplaneError.badNormalization(path: path, reason: "not normalization JSON (\(error))")
        }
        guard n.version == formatVersion else { throw TriplaneError.badNormalization(path: path, reason: "version \(n.version), expected \(formatVersion)") }
        guard n.mean.count == n.channels, n.std.count == n.channels, n.std.allSatisfy({ $0 > 0 && $0.isFinite }),
              n.mean.allSatisfy(\.isFinite), n.k > 0 && n.k.isFinite else {
            throw TriplaneError.badNormalization(path: path, reason: "inconsistent or non-finite statistics")
        }
        if let c = expectedChannels, c != n.channels {
            throw TriplaneError.badNormalization(path: path, reason: "statistics for \(n.channels) channels, planes have \(c)")
        }
        return n
    }
}
