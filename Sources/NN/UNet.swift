import Foundation
import Support
import TensorCore

/// Residual block with timestep conditioning by scale and shift (Dhariwal & Nichol, "Diffusion
/// Models Beat GANs on Image Synthesis", NeurIPS 2021 — ADM's `use_scale_shift_norm`):
///
///     h = conv1(SiLU(GN1(x)))
///     (scale, shift) = Linear(SiLU(emb)) split in two
///     h = conv2(SiLU(GN2(h)·(1 + scale) + shift))
///     out = skip(x) + h          (skip = 1×1 conv when channels change, identity otherwise)
///
/// x [N, Cin, H, W], emb [N, E] → [N, Cout, H, W]. 3×3 convs with padding 1; GroupNorm with
/// `groups` groups (32 in ADM, fewer for narrow layers). With `embDim` 0 the block is
/// unconditioned (no projection, no `emb.` parameters; scale = shift = 0): the autoencoder's block.
public final class ResBlock: Layer {
    public let norm1: GroupNorm, conv1: Conv2d
    /// nil when unconditioned (`embDim` 0).
    public let embProj: Linear?
    public let norm2: GroupNorm, conv2: Conv2d
    public let skip: Conv2d?
    public let outChannels: Int

    public init(_ inChannels: Int, _ outChannels: Int, embDim: Int, groups: Int = 32, rng: inout SeededRandom) {
        precondition(embDim >= 0, "ResBlock: embDim \(embDim)")
        self.outChannels = outChannels
        norm1 = GroupNorm(groups: min(groups, inChannels), channels: inChannels)
        conv1 = Conv2d(inChannels, outChannels, kernel: 3, padding: 1, rng: &rng)
        embProj = embDim > 0 ? Linear(embDim, 2 * outChannels, rng: &rng) : nil
        norm2 = GroupNorm(groups: min(groups, outChannels), channels: outChannels)
        conv2 = Conv2d(outChannels, outChannels, kernel: 3, padding: 1, rng: &rng)
        skip = inChannels == outChannels ? nil : Conv2d(inChannels, outChannels, kernel: 1, rng: &rng)
    }

    public var namedParameters: [(String, Tensor)] {
        prefixed("norm1", norm1) + prefixed("conv1", conv1) + (embProj.map { prefixed("emb", $0) } ?? [])
            + prefixed("norm2", norm2) + prefixed("conv2", conv2) + (skip.map { prefixed("skip", $0) } ?? [])
    }

    /// `emb` [N, E] for a conditioned block; nil (and only nil) for an unconditioned one.
    public func callAsFunction(_ x: Tensor, emb: Tensor?) -> Tensor {
        precondition((emb == nil) == (embProj == nil), "ResBlock: an embedding must be given exactly when the block has embDim > 0")
        var h = conv1(norm1.silu(x))                                  // fused GN + SiLU
        if let embProj, let emb {
            let c = outChannels
            let ss = embProj(emb.silu())                              // [N, 2C]
            let scale = ss.slice(axis: 1, 0..<c), shift = ss.slice(axis: 1, c..<(2 * c))
            h = conv2(norm2.silu(h, scale: scale, shift: shift))      // fused GN, scale/shift, SiLU
        } else {
            h = conv2(norm2.silu(h))
        }
        return (skip.map { $0(x) } ?? x) + h
    }
}

/// Self-attention over the pixels of a feature map: x [N, C, H, W] → x + MHA(GN(x)) (as ADM's
/// AttentionBlock).
public final class SpatialSelfAttention: Layer {
    public let norm: GroupNorm
    public let attention: MultiheadAttention

    public init(channels: Int, heads: Int, groups: Int = 32, rng: inout SeededRandom) {
        norm = GroupNorm(groups: min(groups, channels), channels: channels)
        attention = MultiheadAttention(embedDim: channels, heads: heads, rng: &rng)
    }
    public var namedParameters: [(String, Tensor)] { prefixed("norm", norm) + prefixed("attn", attention) }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3]
        let tokens = norm(x).reshaped([n, c, h * w]).transposed()       // [N, HW, C]
        let y = attention(tokens).transposed().reshaped([n, c, h, w])
        return x + y
    }
}

/// The shape of a `UNet`, as a Codable value (a JSON config file): everything that determines
/// its parameter names and shapes.
///
/// Level l works at 1/(patchSize·2^l) of the input resolution with `baseChannels · channelMultipliers[l]`
/// channels and `resBlocksPerLevel` residual blocks. `attentionResolutions` lists downsampling
/// rates (ADM's `attention_resolutions` as its `UNetModel` takes them: 1 = level 0's
/// resolution, 2 = half of it, 4 = a quarter…) at which every residual block is followed by self-attention; the
/// middle block always has attention. `classCount` > 0 adds a learned class embedding with one
/// extra row, index `classCount`, the "null" class of classifier-free guidance (Ho & Salimans
/// 2022); 0 makes the model unconditional. `patchSize` p > 1 folds every p×p block of input pixels
/// into channels before the first convolution (`pixelUnshuffled`, and `pixelShuffled` after the
/// last): the network works at 1/p of the input's resolution on p²·inChannels channels, as
/// "simple diffusion" (Hoogeboom, Heek & Salimans, ICML 2023) does to move a U-Net's compute from
/// its costliest full-resolution level to wider lower ones. 1 (the default) leaves the input as is.
public struct UNetConfig: Codable, Sendable, Equatable {
    public var inChannels: Int
    public var baseChannels: Int
    public var channelMultipliers: [Int]
    public var resBlocksPerLevel: Int
    public var attentionResolutions: [Int]
    public var attentionHeads: Int
    /// GroupNorm groups (32 in ADM); narrower layers use min(groups, channels).
    public var groups: Int
    public var classCount: Int
    /// Input pixels folded into channels per side (1: none).
    public var patchSize: Int

    public init(inChannels: Int, baseChannels: Int, channelMultipliers: [Int], resBlocksPerLevel: Int = 1,
                attentionResolutions: [Int] = [], attentionHeads: Int = 4, groups: Int = 32, classCount: Int = 0, patchSize: Int = 1) {
        self.inChannels = inChannels; self.baseChannels = baseChannels; self.channelMultipliers = channelMultipliers
        self.resBlocksPerLevel = resBlocksPerLevel; self.attentionResolutions = attentionResolutions
        self.attentionHeads = attentionHeads; self.groups = groups; self.classCount = classCount; self.patchSize = patchSize
    }

    private enum CodingKeys: String, CodingKey {
        case inChannels, baseChannels, channelMultipliers, resBlocksPerLevel, attentionResolutions, attentionHeads, groups, classCount, patchSize
    }

    /// Decodes a JSON config; keys other than inChannels, baseChannels and channelMultipliers may
    /// be left out and take `init`'s defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(inChannels: try c.decode(Int.self, forKey: .inChannels), baseChannels: try c.decode(Int.self, forKey: .baseChannels),
                  channelMultipliers: try c.decode([Int].self, forKey: .channelMultipliers),
                  resBlocksPerLevel: try c.decodeIfPresent(Int.self, forKey: .resBlocksPerLevel) ?? 1,
                  attentionResolutions: try c.decodeIfPresent([Int].self, forKey: .attentionResolutions) ?? [],
                  attentionHeads: try c.decodeIfPresent(Int.self, forKey: .attentionHeads) ?? 4,
                  groups: try c.decodeIfPresent(Int.self, forKey: .groups) ?? 32,
                  classCount: try c.decodeIfPresent(Int.self, forKey: .classCount) ?? 0,
                  patchSize: try c.decodeIfPresent(Int.self, forKey: .patchSize) ?? 1)
    }

    /// Channels per level: baseChannels · channelMultipliers.
    public var channels: [Int] { channelMultipliers.map { $0 * baseChannels } }
    /// Timestep (and class) embedding width: 4 · baseChannels, as ADM.
    public var embeddingDim: Int { 4 * baseChannels }
    /// How much the lowest level is downsampled from level 0: 2^(levels − 1).
    public var levelFactor: Int { 1 << max(0, channelMultipliers.count - 1) }
    /// The factor the input's H and W must be divisible by: patchSize · 2^(levels − 1).
    public var sizeDivisor: Int { patchSize * levelFactor }
    /// Channels the first convolution reads (and the last writes): inChannels · patchSize².
    public var foldedChannels: Int { inChannels * patchSize * patchSize }

    /// Why this config cannot build a U-Net, or nil when it can.
    public var problem: String? {
        if inChannels < 1 { return "inChannels must be ≥ 1, got \(inChannels)" }
        if baseChannels < 1 { return "baseChannels must be ≥ 1, got \(baseChannels)" }
        if channelMultipliers.isEmpty || channelMultipliers.contains(where: { $0 < 1 }) { return "channelMultipliers must be a non-empty list of positive integers, got \(channelMultipliers)" }
        if resBlocksPerLevel < 1 { return "resBlocksPerLevel must be ≥ 1, got \(resBlocksPerLevel)" }
        if attentionHeads < 1 { return "attentionHeads must be ≥ 1, got \(attentionHeads)" }
        if groups < 1 { return "groups must be ≥ 1, got \(groups)" }
        if classCount < 0 { return "classCount must be ≥ 0, got \(classCount)" }
        if patchSize < 1 { return "patchSize must be ≥ 1, got \(patchSize)" }
        for r in attentionResolutions where r < 1 || r > levelFactor || r & (r - 1) != 0 {
            return "attention resolution \(r) is not a downsampling rate of this U-Net (powers of 2 up to \(levelFactor))"
        }
        for c in Set(channels) {
            if c % min(groups, c) != 0 { return "\(min(groups, c)) groups do not divide \(c) channels" }
        }
        for (l, c) in channels.enumerated() where attentionResolutions.contains(1 << l) || l == channels.count - 1 {
            if c % attentionHeads != 0 { return "\(attentionHeads) attention heads do not divide \(c) channels" }
        }
        return nil
    }
}

/// An ADM-style U-Net (Dhariwal & Nichol 2021) for denoising feature maps: the benchmark workload
/// and the denoiser of the diffusion generators. Shape from a `UNetConfig`:
///
///     emb = Linear(SiLU(Linear(sinusoidal(t, base)))) [+ label_emb[y]]      [N, 4·base]
///     h = in_conv(pixel_unshuffle(x, patchSize))                              (no unshuffle at patchSize 1)
///     down, level l = 0…L−1: resBlocksPerLevel × (ResBlock [+ attention]), each output kept as a
///                            skip; then average-pool by 2 (not after the last level)
///     middle: ResBlock + self-attention + ResBlock
///     up, level l = L−1…0:   resBlocksPerLevel × (concat(h, last skip) → ResBlock [+ attention]);
///                            then nearest upsampling by 2 (not after level 0)
///     out = pixel_shuffle(out_conv(SiLU(GN(h))), patchSize)
///
/// Parameter names (the safetensors keys a PyTorch mirror reads): `time_embed.0`, `time_embed.2`,
/// `label_emb.weight` [classCount + 1, 4·base] (conditional models only), `in_conv`, `down.<i>`
/// and `up.<i>` numbering the residual blocks in execution order, `down_attn.<i>` / `up_attn.<i>`
/// for the attention after block i, `mid.0`, `mid.1` (attention), `mid.2`, `out_norm`, `out_conv`.
/// With one block per level and no attention resolutions these are exactly the names of the
/// original benchmark U-Net.
///
/// x [N, inChannels, H, W] (H, W divisible by `config.sizeDivisor`), timesteps [N] → same shape.
public final class UNet: Layer {
    public let config: UNetConfig
    public var channels: [Int] { config.channels }
    public var embDim: Int { config.embeddingDim }
    public let timeEmbed1: Linear, timeEmbed2: Linear
    /// [classCount + 1, embDim]; row classCount is the null class. Nil for unconditional models.
    public let labelEmbedding: Tensor?
    public let inConv: Conv2d
    public let down: [ResBlock]
    public let downAttention: [Int: SpatialSelfAttention]
    public let mid1: ResBlock, midAttention: SpatialSelfAttention, mid2: ResBlock
    public let up: [ResBlock]
    public let upAttention: [Int: SpatialSelfAttention]
    public let outNorm: GroupNorm
    public let outConv: Conv2d

    /// The U-Net of `config` (which must have no `problem`), initialised from `rng` as PyTorch
    /// would (the label embedding N(0, 1), as `nn.Embedding`).
    public init(_ config: UNetConfig, rng: inout SeededRandom) {
        if let p = config.problem { preconditionFailure("UNet: \(p)") }
        self.config = config
        let chans = config.channels, c0 = config.baseChannels, e = config.embeddingDim, g = config.groups
        let k = config.resBlocksPerLevel
        timeEmbed1 = Linear(c0, e, rng: &rng)
        timeEmbed2 = Linear(e, e, rng: &rng)
        labelEmbedding = config.classCount > 0 ? Tensor.randn([config.classCount + 1, e], rng: &rng, requiresGrad: true) : nil
        inConv = Conv2d(config.foldedChannels, c0, kernel: 3, padding: 1, rng: &rng)
        func attention(_ c: Int, _ rng: inout SeededRandom) -> SpatialSelfAttention {
            SpatialSelfAttention(channels: c, heads: config.attentionHeads, groups: g, rng: &rng)
        }
        var d: [ResBlock] = [], da: [Int: SpatialSelfAttention] = [:]
        var skipChannels: [Int] = []
        var prev = c0
        for (l, c) in chans.enumerated() {
            for _ in 0..<k {
                d.append(ResBlock(prev, c, embDim: e, groups: g, rng: &rng)); prev = c
                if config.attentionResolutions.contains(1 << l) { da[d.count - 1] = attention(c, &rng) }
                skipChannels.append(c)
            }
        }
        down = d; downAttention = da
        let cl = chans.last!
        mid1 = ResBlock(cl, cl, embDim: e, groups: g, rng: &rng)
        midAttention = attention(cl, &rng)
        mid2 = ResBlock(cl, cl, embDim: e, groups: g, rng: &rng)
        var u: [ResBlock] = [], ua: [Int: SpatialSelfAttention] = [:]
        prev = cl
        for (l, c) in chans.enumerated().reversed() {
            for _ in 0..<k {
                u.append(ResBlock(prev + skipChannels.removeLast(), c, embDim: e, groups: g, rng: &rng)); prev = c
                if config.attentionResolutions.contains(1 << l) { ua[u.count - 1] = attention(c, &rng) }
            }
        }
        up = u; upAttention = ua
        outNorm = GroupNorm(groups: min(g, c0), channels: c0)
        outConv = Conv2d(c0, config.foldedChannels, kernel: 3, padding: 1, rng: &rng)
    }

    /// The benchmark U-Net: channels per level `channels` (each a multiple of channels[0]), one
    /// block per level, attention only in the middle, unconditional.
    public convenience init(inChannels: Int, channels: [Int], attentionHeads: Int = 4, groups: Int = 32, rng: inout SeededRandom) {
        precondition(!channels.isEmpty, "UNet: no levels")
        precondition(channels.allSatisfy { $0 % channels[0] == 0 }, "UNet: channels \(channels) are not multiples of \(channels[0])")
        self.init(UNetConfig(inChannels: inChannels, baseChannels: channels[0], channelMultipliers: channels.map { $0 / channels[0] },
                             attentionHeads: attentionHeads, groups: groups), rng: &rng)
    }

    public var namedParameters: [(String, Tensor)] {
        var p = prefixed("time_embed.0", timeEmbed1) + prefixed("time_embed.2", timeEmbed2)
        if let l = labelEmbedding { p.append(("label_emb.weight", l)) }
        p += prefixed("in_conv", inConv)
        for (i, b) in down.enumerated() {
            p += prefixed("down.\(i)", b)
            if let a = downAttention[i] { p += prefixed("down_attn.\(i)", a) }
        }
        p += prefixed("mid.0", mid1) + prefixed("mid.1", midAttention) + prefixed("mid.2", mid2)
        for (i, b) in up.enumerated() {
            p += prefixed("up.\(i)", b)
            if let a = upAttention[i] { p += prefixed("up_attn.\(i)", a) }
        }
        return p + prefixed("out_norm", outNorm) + prefixed("out_conv", outConv)
    }

    /// The noise (or v) prediction for `x` at `timesteps` [N]. `labels` [N] (each in
    /// 0…classCount, classCount being the null class) for conditional models; nil means the null
    /// class for all (the unconditional pass of classifier-free guidance). Unconditional models
    /// take no labels.
    public func callAsFunction(_ x: Tensor, timesteps: [Float], labels: [Int]? = nil) -> Tensor {
        let n = x.shape[0], k = config.resBlocksPerLevel
        precondition(x.rank == 4 && x.shape[1] == config.inChannels, "UNet: input \(x.shape) for \(config.inChannels) channels")
        precondition(x.shape[2] % config.sizeDivisor == 0 && x.shape[3] % config.sizeDivisor == 0,
                     "UNet: input \(x.shape[2])×\(x.shape[3]) not divisible by \(config.sizeDivisor)")
        precondition(timesteps.count == n, "UNet: \(timesteps.count) timesteps for batch \(n)")
        var emb = timeEmbed2(timeEmbed1(sinusoidalEmbedding(timesteps, dim: config.baseChannels)).silu())
        if let table = labelEmbedding {
            let y = labels ?? [Int](repeating: config.classCount, count: n)
            precondition(y.count == n, "UNet: \(y.count) labels for batch \(n)")
            emb = emb + embedding(table, y)
        } else {
            precondition(labels == nil, "UNet: labels given to an unconditional model")
        }
        var h = inConv(x.pixelUnshuffled(config.patchSize))
        var skips: [Tensor] = []
        for (i, b) in down.enumerated() {
            h = b(h, emb: emb)
            if let a = downAttention[i] { h = a(h) }
            skips.append(h)
            if (i + 1) % k == 0 && i + 1 < down.count { h = h.avgPool2d(2) }
        }
        h = mid2(midAttention(mid1(h, emb: emb)), emb: emb)
        for (i, b) in up.enumerated() {
            h = b(Tensor.concat([h, skips.removeLast()], axis: 1), emb: emb)
            if let a = upAttention[i] { h = a(h) }
            if (i + 1) % k == 0 && i + 1 < up.count { h = h.upsampleNearest(2) }
        }
        return outConv(outNorm.silu(h)).pixelShuffled(config.patchSize)
    }
}
