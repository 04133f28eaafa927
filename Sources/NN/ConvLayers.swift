import Foundation
import Support
import TensorCore

/// 2-D convolution layer: `weight` [Cout, Cin, k, k], `bias` [Cout]; NCHW in and out.
public final class Conv2d: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int
    public let padding: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true, rng: inout SeededRandom) {
        let fanIn = inChannels * kernel * kernel
        weight = Init.torchDefault([outChannels, inChannels, kernel, kernel], fanIn: fanIn, rng: &rng)
        self.bias = bias ? Init.torchDefault([outChannels], fanIn: fanIn, rng: &rng) : nil
        self.stride = stride; self.padding = padding
    }

    public var namedParameters: [(String, Tensor)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }
    public func callAsFunction(_ x: Tensor) -> Tensor { conv2d(x, weight, bias, stride: stride, padding: padding) }
}

/// Transposed 2-D convolution layer (learned upsampling): `weight` [Cin, Cout, k, k], `bias` [Cout].
public final class ConvTranspose2d: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int
    public let padding: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true, rng: inout SeededRandom) {
        // PyTorch computes fan-in from weight.shape[1]·k·k for transposed convolutions.
        let fanIn = outChannels * kernel * kernel
        weight = Init.torchDefault([inChannels, outChannels, kernel, kernel], fanIn: fanIn, rng: &rng)
        self.bias = bias ? Init.torchDefault([outChannels], fanIn: fanIn, rng: &rng) : nil
        self.stride = stride; self.padding = padding
    }

    public var namedParameters: [(String, Tensor)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }
    public func callAsFunction(_ x: Tensor) -> Tensor { convTranspose2d(x, weight, bias, stride: stride, padding: padding) }
}

/// GroupNorm layer with affine γ (ones) and β (zeros) per channel.
public final class GroupNorm: Layer {
    public let groups: Int
    public let eps: Float
    public let gamma: Tensor
    public let beta: Tensor

    public init(groups: Int, channels: Int, eps: Float = 1e-5) {
        precondition(channels % groups == 0, "GroupNorm: \(groups) groups do not divide \(channels) channels")
        self.groups = groups; self.eps = eps
        gamma = Tensor(repeating: 1, shape: [channels], requiresGrad: true)
        beta = Tensor(zeros: [channels], requiresGrad: true)
    }
    /// PyTorch's parameter names (`weight`, `bias`), so checkpoints map one to one.
    public var namedParameters: [(String, Tensor)] { [("weight", gamma), ("bias", beta)] }
    public func callAsFunction(_ x: Tensor) -> Tensor { groupNorm(x, groups: groups, gamma: gamma, beta: beta, eps: eps) }
    /// SiLU(GN(x)·(1 + scale) + shift) in one fused kernel; `scale`, `shift` [N, C] (nil: 0).
    public func silu(_ x: Tensor, scale: Tensor? = nil, shift: Tensor? = nil) -> Tensor {
        groupNormSiLU(x, groups: groups, gamma: gamma, beta: beta, scale: scale, shift: shift, eps: eps)
    }
}

/// LayerNorm over the last axis with affine γ (ones) and β (zeros).
public final class LayerNorm: Layer {
    public let eps: Float
    public let gamma: Tensor
    public let beta: Tensor

    public init(_ features: Int, eps: Float = 1e-5) {
        self.eps = eps
        gamma = Tensor(repeating: 1, shape: [features], requiresGrad: true)
        beta = Tensor(zeros: [features], requiresGrad: true)
    }
    public var namedParameters: [(String, Tensor)] { [("weight", gamma), ("bias", beta)] }
    public func callAsFunction(_ x: Tensor) -> Tensor { layerNorm(x, gamma: gamma, beta: beta, eps: eps) }
}
