import Foundation
import Support
import TensorCore

/// A neural network component with named parameters (PyTorch's `nn.Module`, minus the magic).
///
/// Parameter names are dotted paths (`"layers.0.weight"`), stable across runs: they are the keys of
/// safetensors checkpoints (`saveCheckpoint` / `loadCheckpoint`). Layers are reference types, so
/// optimizers update the very tensors the layer computes with.
public protocol Layer: AnyObject {
    /// Parameters with their names, in a fixed order.
    var namedParameters: [(String, Tensor)] { get }
}

extension Layer {
    /// The parameters in `namedParameters` order.
    public var parameters: [Tensor] { namedParameters.map(\.1) }
    /// Total number of scalar parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
    /// Clears every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.grad = nil } }

    /// Writes every parameter and `metadata` to a safetensors file, atomically: F32 (exact), or
    /// F16 with `dtype: .f16` (half the size; `loadCheckpoint` reads either).
    public func saveCheckpoint(to path: String, metadata: [String: String] = [:], dtype: SafetensorsDType = .f32) throws {
        try Safetensors.write(Dictionary(uniqueKeysWithValues: namedParameters), metadata: metadata, dtype: dtype, to: path)
    }

    /// Overwrites every parameter from a safetensors file. Every parameter must be present with its
    /// exact shape (checked for all before any is changed, so a bad file changes nothing). Returns
    /// the file's metadata.
    @discardableResult
    public func loadCheckpoint(from path: String) throws -> [String: String] {
        let f = try Safetensors.read(path)
        let loaded = try namedParameters.map { name, p in (p, try f.tensor(name, shape: p.shape)) }
        for (p, v) in loaded { p.assign(v) }
        return f.metadata
    }
}

/// A child layer's parameters with names prefixed by `prefix.`.
public func prefixed(_ prefix: String, _ child: Layer) -> [(String, Tensor)] {
    child.namedParameters.map { ("\(prefix).\($0.0)", $0.1) }
}

/// Initialisers matching PyTorch's defaults, from a seeded generator.
public enum Init {
    /// U(−1/√fanIn, 1/√fanIn) — `nn.Linear`/`nn.Conv2d`'s default (Kaiming-uniform with a = √5)
    /// for weights and biases alike.
    public static func torchDefault(_ shape: [Int], fanIn: Int, rng: inout SeededRandom) -> Tensor {
        let b = 1 / Float(max(1, fanIn)).squareRoot()
        return Tensor.uniform(shape, -b, b, rng: &rng, requiresGrad: true)
    }
}

/// Fully connected layer y = x·Wᵀ + b: `weight` [out, in], `bias` [out]; input [..., in] →
/// output [..., out].
public final class Linear: Layer {
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, rng: inout SeededRandom) {
        weight = Init.torchDefault([outFeatures, inFeatures], fanIn: inFeatures, rng: &rng)
        self.bias = bias ? Init.torchDefault([outFeatures], fanIn: inFeatures, rng: &rng) : nil
    }
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2 && (bias == nil || bias!.shape == [weight.shape[0]]), "Linear: weight \(weight.shape), bias \(bias?.shape ?? [])")
        self.weight = weight; self.bias = bias
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }
    public var namedParameters: [(String, Tensor)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }

    public func callAsFunction(_ x: Tensor) -> Tensor { linear(x, weight, bias) }
}

/// Pointwise nonlinearities by name (for configurable layers).
public enum Activation: String, Sendable, CaseIterable {
    case relu, silu, gelu, tanh, sigmoid, softplus, identity
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .relu: return x.relu()
        case .silu: return x.silu()
        case .gelu: return x.gelu()
        case .tanh: return x.tanh()
        case .sigmoid: return x.sigmoid()
        case .softplus: return x.softplus()
        case .identity: return x
        }
    }
}

/// Multi-layer perceptron: Linear → activation → … → Linear (no activation after the last).
/// `sizes` = [in, hidden…, out]; parameters are named `layers.<i>.weight` / `.bias`.
public final class MLP: Layer {
    public let layers: [Linear]
    public let activation: Activation

    public init(_ sizes: [Int], activation: Activation = .relu, rng: inout SeededRandom) {
        precondition(sizes.count >= 2, "MLP needs at least input and output sizes")
        var ls: [Linear] = []
        for i in 0..<(sizes.count - 1) { ls.append(Linear(sizes[i], sizes[i + 1], rng: &rng)) }
        layers = ls; self.activation = activation
    }

    public var namedParameters: [(String, Tensor)] {
        layers.enumerated().flatMap { i, l in prefixed("layers.\(i)", l) }
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for (i, l) in layers.enumerated() {
            h = l(h)
            if i + 1 < layers.count { h = activation(h) }
        }
        return h
    }
}
