import Foundation
import NN
import Support
import TensorCore

/// The shape of a `PlaneAutoencoder` (a JSON object; keys left out take the defaults below).
public struct PlaneAutoencoderConfig: Codable, Sendable, Equatable {
    /// Channels of the images it encodes (the stacked planes: 3·C, 24 for 3 × 8 × 32²).
    public var inChannels: Int = 24
    /// Channels per level, finest first; the image is halved between levels, so the latent is
    /// (H, W) / 2^(levels − 1).
    public var channels: [Int] = [64, 128]
    /// Residual blocks per level (encoder and decoder each).
    public var blocksPerLevel: Int = 1
    /// Channels of the latent image.
    public var latentChannels: Int = 8
    /// GroupNorm groups (at most the channel count of each layer).
    public var groups: Int = 8

    public init() {}
    public init(inChannels: Int, channels: [Int], blocksPerLevel: Int = 1, latentChannels: Int, groups: Int = 8) {
        self.inChannels = inChannels; self.channels = channels; self.blocksPerLevel = blocksPerLevel
        self.latentChannels = latentChannels; self.groups = groups
    }

    private enum CodingKeys: String, CodingKey { case inChannels, channels, blocksPerLevel, latentChannels, groups }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func take<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try take(.inChannels, &inChannels); try take(.channels, &channels); try take(.blocksPerLevel, &blocksPerLevel)
        try take(.latentChannels, &latentChannels); try take(.groups, &groups)
    }

    /// What the image's height and width must be divisible by.
    public var sizeDivisor: Int { 1 << max(0, channels.count - 1) }

    /// The latent's shape [latentChannels, H / d, W / d] for images [inChannels, H, W].
    public func latentShape(imageHeight h: Int, width w: Int) -> [Int] { [latentChannels, h / sizeDivisor, w / sizeDivisor] }

    /// Why this config cannot build a network, or nil.
    public var problem: String? {
        if inChannels < 1 || latentChannels < 1 { return "inChannels and latentChannels must be ≥ 1" }
        if channels.isEmpty || channels.contains(where: { $0 < 1 }) { return "channels must be a non-empty list of positive widths, got \(channels)" }
        if blocksPerLevel < 1 { return "blocksPerLevel must be ≥ 1" }
        if groups < 1 { return "groups must be ≥ 1" }
        // Only the levels' widths meet a GroupNorm; the latent's channels never do.
        for c in channels where c % min(groups, c) != 0 { return "\(c) channels are not divisible into \(min(groups, c)) groups" }
        return nil
    }
}

/// A convolutional variational autoencoder of triplane images — the latent stage of BlockFusion
/// (Wu et al., "BlockFusion: Expandable 3D Scene Generation using Latent Tri-plane
/// Extrapolation", SIGGRAPH 2024) and of latent diffusion (Rombach et al., CVPR 2022, the KL-
/// regularized autoencoder): diffusion then runs on the small latent, and the decoder maps every
/// latent it draws back onto planes like the training planes.
///
///     encoder: conv3×3(inChannels → c₀) · per level l: blocksPerLevel ResBlocks (→ c_l), then
///              avgPool 2 (not after the last) · ResBlock · GN + SiLU · conv3×3(→ 2·latentChannels)
///              = (μ, log σ²), log σ² clamped to [−30, 20]
///     decoder: conv3×3(latentChannels → c_last) · ResBlock · per level from the last: ResBlocks
///              (→ c_l), then nearest ×2 (not after level 0) · GN + SiLU · conv3×3(c₀ → inChannels)
///
/// Images [N, inChannels, H, W] (H, W divisible by `config.sizeDivisor`) ↔ latents
/// [N, latentChannels, H/d, W/d]. ResBlocks are the U-Net's, unconditioned (`embDim` 0).
/// Parameter names: `enc.in`, `enc.blocks.<i>`, `enc.mid`, `enc.norm`, `enc.out`, `dec.in`,
/// `dec.mid`, `dec.blocks.<i>`, `dec.norm`, `dec.out` (+ the layers' own).
public final class PlaneAutoencoder: Layer {
    public let config: PlaneAutoencoderConfig
    let encIn: Conv2d, encBlocks: [ResBlock], encMid: ResBlock, encNorm: GroupNorm, encOut: Conv2d
    let decIn: Conv2d, decMid: ResBlock, decBlocks: [ResBlock], decNorm: GroupNorm, decOut: Conv2d

    /// A freshly initialised autoencoder (PyTorch's default initialisation). `config` must have no `problem`.
    public init(_ config: PlaneAutoencoderConfig, rng: inout SeededRandom) {
        if let p = config.problem { preconditionFailure("PlaneAutoencoder: \(p)") }
        self.config = config
        let ch = config.channels, g = config.groups, k = config.blocksPerLevel, z = config.latentChannels
        encIn = Conv2d(config.inChannels, ch[0], kernel: 3, padding: 1, rng: &rng)
        var blocks: [ResBlock] = [], prev = ch[0]
        for c in ch { for _ in 0..<k { blocks.append(ResBlock(prev, c, embDim: 0, groups: g, rng: &rng)); prev = c } }
        encBlocks = blocks
        encMid = ResBlock(prev, prev, embDim: 0, groups: g, rng: &rng)
        encNorm = GroupNorm(groups: min(g, prev), channels: prev)
        encOut = Conv2d(prev, 2 * z, kernel: 3, padding: 1, rng: &rng)
        decIn = Conv2d(z, prev, kernel: 3, padding: 1, rng: &rng)
        decMid = ResBlock(prev, prev, embDim: 0, groups: g, rng: &rng)
        blocks = []
        for c in ch.reversed() { for _ in 0..<k { blocks.append(ResBlock(prev, c, embDim: 0, groups: g, rng: &rng)); prev = c } }
        decBlocks = blocks
        decNorm = GroupNorm(groups: min(g, prev), channels: prev)
        decOut = Conv2d(prev, config.inChannels, kernel: 3, padding: 1, rng: &rng)
    }

    public var namedParameters: [(String, Tensor)] {
        var p = prefixed("enc.in", encIn)
        for (i, b) in encBlocks.enumerated() { p += prefixed("enc.blocks.\(i)", b) }
        p += prefixed("enc.mid", encMid) + prefixed("enc.norm", encNorm) + prefixed("enc.out", encOut)
        p += prefixed("dec.in", decIn) + prefixed("dec.mid", decMid)
        for (i, b) in decBlocks.enumerated() { p += prefixed("dec.blocks.\(i)", b) }
        return p + prefixed("dec.norm", decNorm) + prefixed("dec.out", decOut)
    }

    /// The posterior of images x [N, inChannels, H, W]: mean and log-variance, each
    /// [N, latentChannels, H/d, W/d].
    public func encode(_ x: Tensor) -> (mean: Tensor, logVariance: Tensor) {
        let c = config
        precondition(x.rank == 4 && x.shape[1] == c.inChannels, "PlaneAutoencoder: input \(x.shape) for \(c.inChannels) channels")
        precondition(x.shape[2] % c.sizeDivisor == 0 && x.shape[3] % c.sizeDivisor == 0,
                     "PlaneAutoencoder: \(x.shape[2])×\(x.shape[3]) not divisible by \(c.sizeDivisor)")
        var h = encIn(x)
        for (i, b) in encBlocks.enumerated() {
            h = b(h, emb: nil)
            if (i + 1) % c.blocksPerLevel == 0 && i + 1 < encBlocks.count { h = h.avgPool2d(2) }
        }
        let out = encOut(encNorm.silu(encMid(h, emb: nil)))
        let z = c.latentChannels
        return (out.slice(axis: 1, 0..<z), out.slice(axis: 1, z..<(2 * z)).clamped(-30, 20))
    }

    /// The posterior means of many images [N, inChannels, H, W], encoded `batch` at a time without
    /// recording: the deterministic latents [N, latentChannels, H/d, W/d] a latent model trains on.
    public func posteriorMeans(_ images: Tensor, batch: Int = 64) -> Tensor {
        precondition(batch >= 1 && images.shape[0] >= 1, "PlaneAutoencoder: posteriorMeans of \(images.shape) in batches of \(batch)")
        let n = images.shape[0]
        let parts = stride(from: 0, to: n, by: batch).map { lo in
            withNoGrad { encode(images.slice(axis: 0, lo..<min(n, lo + batch)).copy()).mean }
        }
        return parts.count == 1 ? parts[0] : Tensor.concat(parts, axis: 0)
    }

    /// Images [N, inChannels, H, W] from latents [N, latentChannels, h, w] (H = h·d).
    public func decode(_ z: Tensor) -> Tensor {
        let c = config
        precondition(z.rank == 4 && z.shape[1] == c.latentChannels, "PlaneAutoencoder: latent \(z.shape) for \(c.latentChannels) channels")
        var h = decMid(decIn(z), emb: nil)
        for (i, b) in decBlocks.enumerated() {
            h = b(h, emb: nil)
            if (i + 1) % c.blocksPerLevel == 0 && i + 1 < decBlocks.count { h = h.upsampleNearest(2) }
        }
        return decOut(decNorm.silu(h))
    }

    /// Per-sample KL divergence of N(μ, σ²) from N(0, I), averaged over all latent elements:
    /// ½·mean(μ² + σ² − 1 − log σ²). Zero exactly when μ = 0 and σ = 1.
    public static func klDivergence(mean: Tensor, logVariance: Tensor) -> Tensor {
        ((mean.squared() + logVariance.exp() - logVariance - 1) * 0.5).mean()
    }
}
