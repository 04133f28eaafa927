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
/// `groups` groups (32 in ADM, fewer for narrow layers).
public final class ResBlock: Layer {
    public let norm1: GroupNorm, conv1: Conv2d
    public let embProj: Linear
    public let norm2: GroupNorm, conv2: Conv2d
    public let skip: Conv2d?
    public let outChannels: Int

    public init(_ inChannels: Int, _ outChannels: Int, embDim: Int, groups: Int = 32, rng: inout SeededRandom) {
        self.outChannels = outChannels
        norm1 = GroupNorm(groups: min(groups, inChannels), channels: inChannels)
        conv1 = Conv2d(inChannels, outChannels, kernel: 3, padding: 1, rng: &rng)
        embProj = Linear(embDim, 2 * outChannels, rng: &rng)
        norm2 = GroupNorm(groups: min(groups, outChannels), channels: outChannels)
        conv2 = Conv2d(outChannels, outChannels, kernel: 3, padding: 1, rng: &rng)
        skip = inChannels == outChannels ? nil : Conv2d(inChannels, outChannels, kernel: 1, rng: &rng)
    }

    public var namedParameters: [(String, Tensor)] {
        prefixed("norm1", norm1) + prefixed("conv1", conv1) + prefixed("emb", embProj)
            + prefixed("norm2", norm2) + prefixed("conv2", conv2) + (skip.map { prefixed("skip", $0) } ?? [])
    }

    public func callAsFunction(_ x: Tensor, emb: Tensor) -> Tensor {
        let c = outChannels
        var h = conv1(norm1.silu(x))                                  // fused GN + SiLU
        let ss = embProj(emb.silu())                                  // [N, 2C]
        let scale = ss.slice(axis: 1, 0..<c), shift = ss.slice(axis: 1, c..<(2 * c))
        h = conv2(norm2.silu(h, scale: scale, shift: shift))          // fused GN, scale/shift, SiLU
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

/// A small ADM-style U-Net for denoising feature maps (the benchmark workload and the base of the
/// triplane diffusion model). Channels per level `channels` (e.g. (64, 128, 128)), one residual
/// block per level on the way down, one per level (after concatenating the skip) on the way up,
/// average-pool downsampling and nearest upsampling by 2, a middle of ResBlock + self-attention +
/// ResBlock at the lowest resolution. Timestep embedding: sinusoidal(channels[0]) → Linear →
/// SiLU → Linear to 4·channels[0].
///
/// x [N, inChannels, H, W] (H, W divisible by 2^(levels−1)), timesteps [N] → [N, inChannels, H, W].
public final class UNet: Layer {
    public let channels: [Int]
    public let embDim: Int
    public let timeEmbed1: Linear, timeEmbed2: Linear
    public let inConv: Conv2d
    public let down: [ResBlock]
    public let mid1: ResBlock, midAttention: SpatialSelfAttention, mid2: ResBlock
    public let up: [ResBlock]
    public let outNorm: GroupNorm
    public let outConv: Conv2d

    public init(inChannels: Int, channels: [Int], attentionHeads: Int = 4, groups: Int = 32, rng: inout SeededRandom) {
        precondition(!channels.isEmpty, "UNet: no levels")
        self.channels = channels
        let c0 = channels[0]
        embDim = 4 * c0
        timeEmbed1 = Linear(c0, embDim, rng: &rng)
        timeEmbed2 = Linear(embDim, embDim, rng: &rng)
        inConv = Conv2d(inChannels, c0, kernel: 3, padding: 1, rng: &rng)
        var d: [ResBlock] = []
        var prev = c0
        for c in channels { d.append(ResBlock(prev, c, embDim: embDim, groups: groups, rng: &rng)); prev = c }
        down = d
        let cl = channels.last!
        mid1 = ResBlock(cl, cl, embDim: embDim, groups: groups, rng: &rng)
        midAttention = SpatialSelfAttention(channels: cl, heads: attentionHeads, groups: groups, rng: &rng)
        mid2 = ResBlock(cl, cl, embDim: embDim, groups: groups, rng: &rng)
        var u: [ResBlock] = []
        prev = cl
        for c in channels.reversed() { u.append(ResBlock(prev + c, c, embDim: embDim, groups: groups, rng: &rng)); prev = c }
        up = u
        outNorm = GroupNorm(groups: min(groups, c0), channels: c0)
        outConv = Conv2d(c0, inChannels, kernel: 3, padding: 1, rng: &rng)
    }

    public var namedParameters: [(String, Tensor)] {
        var p = prefixed("time_embed.0", timeEmbed1) + prefixed("time_embed.2", timeEmbed2) + prefixed("in_conv", inConv)
        for (i, b) in down.enumerated() { p += prefixed("down.\(i)", b) }
        p += prefixed("mid.0", mid1) + prefixed("mid.1", midAttention) + prefixed("mid.2", mid2)
        for (i, b) in up.enumerated() { p += prefixed("up.\(i)", b) }
        return p + prefixed("out_norm", outNorm) + prefixed("out_conv", outConv)
    }

    public func callAsFunction(_ x: Tensor, timesteps: [Float]) -> Tensor {
        precondition(timesteps.count == x.shape[0], "UNet: \(timesteps.count) timesteps for batch \(x.shape[0])")
        let emb = timeEmbed2(timeEmbed1(sinusoidalEmbedding(timesteps, dim: channels[0])).silu())
        var h = inConv(x)
        var skips: [Tensor] = []
        for (i, b) in down.enumerated() {
            h = b(h, emb: emb)
            skips.append(h)
            if i + 1 < down.count { h = h.avgPool2d(2) }
        }
        h = mid2(midAttention(mid1(h, emb: emb)), emb: emb)
        for (i, b) in up.enumerated() {
            h = b(Tensor.concat([h, skips.removeLast()], axis: 1), emb: emb)
            if i + 1 < up.count { h = h.upsampleNearest(2) }
        }
        return outConv(outNorm.silu(h))
    }
}
