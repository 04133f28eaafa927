import Foundation

/// How the three planes' features are combined at a point before the decoder reads them.
public enum TriplaneAggregation: String, Codable, Sendable, CaseIterable {
    /// f = f_xy + f_yz + f_xz → C features (NFD's default).
    case sum
    /// f = [f_xy, f_yz, f_xz] → 3·C features (plane-major).
    case concat
    /// f = f_xy ⊙ f_yz ⊙ f_xz → C features (as K-Planes' Hadamard product).
    case product
}

/// What the decoder's single output means and how it is trained.
public enum TriplaneTarget: String, Codable, Sendable, CaseIterable {
    /// An occupancy logit: inside where > 0; trained with BCE on 0/1 labels.
    case occupancy
    /// An unsigned distance clamped at `udfClamp`; trained with L1 on min(udf, clamp). Meshes go
    /// through the dual UDF extractor (open surfaces survive).
    case udf
}

/// The shape of a triplane representation and of its shared decoder (Shue et al., "3D Neural Field
/// Generation using Triplane Diffusion" (NFD), CVPR 2023).
///
/// Planes are a float32 tensor [3, C, R, R] in NFD's order (x,y), (y,z), (x,z); plane p is read at
/// (u, v) = (point[axes[p].u], point[axes[p].v]) with `grid_sample(align_corners=True)` semantics
/// over [-1, 1] (zero outside). The decoder maps the aggregated feature through a fixed random
/// Fourier mapping (`fourierFeatures` columns of a Gaussian B with std `fourierScale`, sin and cos
/// of 2π·f·B; 0 columns = the raw feature) and an MLP with ReLU hidden layers to one output.
///
/// Defaults are chosen for a 2-core CPU and for the diffusion model that learns the planes
/// (README, "Triplanes": R = 32, C = 8 — 24,576 values per shape — fits at IoU ≥ 0.95 median in a
/// few seconds; NFD's 3×32×128² is 20× larger).
public struct TriplaneConfig: Codable, Sendable, Equatable {
    /// R: pixels per plane side.
    public var resolution: Int
    /// C: feature channels per plane.
    public var channels: Int
    public var aggregation: TriplaneAggregation
    /// Widths of the decoder's hidden layers (NFD: [128, 128]).
    public var hidden: [Int]
    /// Columns of the Fourier matrix B (the mapping outputs twice as many); 0 disables it.
    public var fourierFeatures: Int
    /// Standard deviation of B's entries (NFD: 1).
    public var fourierScale: Float
    public var target: TriplaneTarget
    /// Distance at which UDF targets are clamped (target `.udf` only), in the [-1, 1] frame.
    public var udfClamp: Float

    public init(resolution: Int = 32, channels: Int = 8, aggregation: TriplaneAggregation = .sum,
                hidden: [Int] = [64, 64], fourierFeatures: Int = 32, fourierScale: Float = 1,
                target: TriplaneTarget = .occupancy, udfClamp: Float = 0.1) {
        self.resolution = resolution; self.channels = channels; self.aggregation = aggregation
        self.hidden = hidden; self.fourierFeatures = fourierFeatures; self.fourierScale = fourierScale
        self.target = target; self.udfClamp = udfClamp
    }

    /// NFD's published configuration (3×32×128², B 32×64, hidden [128, 128]).
    public static let nfd = TriplaneConfig(resolution: 128, channels: 32, hidden: [128, 128], fourierFeatures: 64)

    /// The shape of one object's planes: [3, C, R, R].
    public var planeShape: [Int] { [3, channels, resolution, resolution] }

    /// Width of the aggregated feature the decoder reads.
    public var featureWidth: Int { aggregation == .concat ? 3 * channels : channels }

    /// Throws `TriplaneError.invalidConfig` for sizes that cannot make a decoder.
    public func validate() throws {
        guard resolution >= 2 else { throw TriplaneError.invalidConfig("resolution must be ≥ 2, got \(resolution)") }
        guard channels >= 1 else { throw TriplaneError.invalidConfig("channels must be ≥ 1, got \(channels)") }
        guard hidden.allSatisfy({ $0 >= 1 }) else { throw TriplaneError.invalidConfig("hidden widths must be ≥ 1, got \(hidden)") }
        guard fourierFeatures >= 0 else { throw TriplaneError.invalidConfig("fourierFeatures must be ≥ 0") }
        guard fourierScale.isFinite && fourierScale > 0 else { throw TriplaneError.invalidConfig("fourierScale must be finite and > 0") }
        guard udfClamp.isFinite && udfClamp > 0 else { throw TriplaneError.invalidConfig("udfClamp must be finite and > 0") }
    }
}
