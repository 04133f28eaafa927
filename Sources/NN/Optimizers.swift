import Foundation
import Support
import TensorCore

// First-order optimizers with PyTorch's update rules (so hyper-parameters transfer), fused into
// one parallel pass per parameter. Parameters without a gradient are skipped.

/// Something that updates parameters from their `.grad`.
public protocol Optimizer: AnyObject {
    var parameters: [Tensor] { get }
    /// Learning rate (schedules set it before each step).
    var learningRate: Float { get set }
    /// One update from the current gradients (not recorded by autograd).
    func step()
}

extension Optimizer {
    /// Clears the gradients of all parameters.
    public func zeroGrad() { for p in parameters { p.grad = nil } }
}

/// Stochastic gradient descent with optional momentum (PyTorch's form: v ← μ·v + g; p ← p − lr·v;
/// Nesterov: p ← p − lr·(g + μ·v)) and L2 weight decay added to the gradient.
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public var momentum: Float
    public var nesterov: Bool
    public var weightDecay: Float
    private var velocity: [Tensor?]

    public init(_ parameters: [Tensor], learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        self.parameters = parameters; self.learningRate = learningRate; self.momentum = momentum
        self.nesterov = nesterov; self.weightDecay = weightDecay
        velocity = parameters.map { _ in nil }
    }

    public func step() {
        for (k, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            let n = p.count, pp = p.mutableData, pg = g.data
            let lr = learningRate, mu = momentum, wd = weightDecay, nest = nesterov
            if mu == 0 {
                parallelFor(n, minChunk: 16_384) { r in for i in r { pp[i] -= lr * (pg[i] + wd * pp[i]) } }
                continue
            }
            let first = velocity[k] == nil
            if first { velocity[k] = Tensor(zeros: p.shape) }
            let vel = velocity[k]!
            let pv = vel.mutableData
            parallelFor(n, minChunk: 16_384) { r in
                for i in r {
                    let gi = pg[i] + wd * pp[i]
                    let v = first ? gi : mu * pv[i] + gi
                    pv[i] = v
                    pp[i] -= lr * (nest ? gi + mu * v : v)
                }
            }
        }
    }
}

/// Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015) and AdamW
/// (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019), as PyTorch computes
/// them:
///
///     m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
///     p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε)
///
/// `weightDecay` is L2 added to g (Adam) or, with `decoupled`, p ← p·(1 − lr·wd) first (AdamW).
public final class Adam: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    public var decoupled: Bool
    /// Steps taken so far (the t of the bias corrections).
    public private(set) var stepCount = 0
    /// First and second moment estimates, one per parameter (same shapes): with `stepCount`, the
    /// whole state a resumable checkpoint must keep.
    public private(set) var m: [Tensor]
    public private(set) var v: [Tensor]

    public init(_ parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupled: Bool = false) {
        self.parameters = parameters; self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2
        self.epsilon = epsilon; self.weightDecay = weightDecay; self.decoupled = decoupled
        m = parameters.map { Tensor(zeros: $0.shape) }
        v = parameters.map { Tensor(zeros: $0.shape) }
    }

    /// AdamW with PyTorch's default weight decay 0.01.
    public static func adamW(_ parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                             epsilon: Float = 1e-8, weightDecay: Float = 0.01) -> Adam {
        Adam(parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, decoupled: true)
    }

    /// Restores a saved state (`stepCount`, `m`, `v` as read from a checkpoint): the next `step()`
    /// continues exactly where the saved optimizer stopped. Shapes must match the parameters'.
    public func restore(stepCount: Int, m: [Tensor], v: [Tensor]) {
        precondition(stepCount >= 0 && m.count == parameters.count && v.count == parameters.count, "Adam.restore: state for \(m.count) parameters, have \(parameters.count)")
        for k in parameters.indices {
            precondition(m[k].shape == parameters[k].shape && v[k].shape == parameters[k].shape, "Adam.restore: moment shape mismatch for parameter \(k)")
            self.m[k].assign(m[k]); self.v[k].assign(v[k])
        }
        self.stepCount = stepCount
    }

    public func step() {
        stepCount += 1
        let t = Float(stepCount)
        let bc1 = 1 - Foundation.pow(beta1, t), bc2 = 1 - Foundation.pow(beta2, t)
        let stepSize = learningRate / bc1, invSqrtBc2 = 1 / bc2.squareRoot()
        let b1 = beta1, b2 = beta2, eps = epsilon, wd = weightDecay, dec = decoupled, lr = learningRate
        for (k, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            let pp = p.mutableData, pg = g.data, pm = m[k].mutableData, pv = v[k].mutableData
            parallelFor(p.count, minChunk: 16_384) { r in
                for i in r {
                    var gi = pg[i]
                    if wd != 0 { if dec { pp[i] *= 1 - lr * wd } else { gi += wd * pp[i] } }
                    let mi = b1 * pm[i] + (1 - b1) * gi
                    let vi = b2 * pv[i] + (1 - b2) * gi * gi
                    pm[i] = mi; pv[i] = vi
                    pp[i] -= stepSize * mi / (vi.squareRoot() * invSqrtBc2 + eps)
                }
            }
        }
    }
}

/// Scales all gradients so their global L2 norm is at most `maxNorm` (PyTorch's
/// `clip_grad_norm_`: factor maxNorm / (norm + 1e-6), applied only when < 1). Returns the norm
/// before clipping.
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    var total = 0.0
    for p in parameters {
        guard let g = p.grad else { continue }
        let pg = g.data
        for i in 0..<g.count { total += Double(pg[i]) * Double(pg[i]) }
    }
    let norm = Float(total.squareRoot())
    let factor = maxNorm / (norm + 1e-6)
    if factor < 1 { for p in parameters { p.grad?.scaleInPlace(factor) } }
    return norm
}

/// Clamps every gradient value to [−limit, limit] (PyTorch's `clip_grad_value_`).
public func clipGradValue(_ parameters: [Tensor], limit: Float) {
    for p in parameters {
        guard let g = p.grad else { continue }
        g.withMutableBuffer { b in for i in b.indices { b[i] = min(max(b[i], -limit), limit) } }
    }
}

/// Exponential moving average of weights (as diffusion models keep for sampling):
/// shadow ← decay·shadow + (1 − decay)·param after each `update()`.
public final class EMA {
    public let parameters: [Tensor]
    public let shadow: [Tensor]
    public var decay: Float

    public init(_ parameters: [Tensor], decay: Float = 0.999) {
        self.parameters = parameters; self.decay = decay
        shadow = parameters.map { $0.copy() }
    }

    public func update() {
        let d = decay
        for (p, s) in zip(parameters, shadow) {
            let pp = p.data, ps = s.mutableData
            parallelFor(p.count, minChunk: 16_384) { r in for i in r { ps[i] = d * ps[i] + (1 - d) * pp[i] } }
        }
    }

    /// Copies the averaged weights into the live parameters.
    public func copyToParameters() { for (p, s) in zip(parameters, shadow) { p.assign(s) } }
}

/// Learning-rate schedule: linear warmup from lr/warmup to `peak` over `warmupSteps`, then cosine
/// decay to `floor` at `totalSteps` (held there after).
public struct WarmupCosineSchedule: Sendable {
    public var peak: Float
    public var floor: Float
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(peak: Float, floor: Float = 0, warmupSteps: Int, totalSteps: Int) {
        precondition(totalSteps >= warmupSteps && warmupSteps >= 0, "schedule: warmup \(warmupSteps) > total \(totalSteps)")
        self.peak = peak; self.floor = floor; self.warmupSteps = warmupSteps; self.totalSteps = totalSteps
    }

    /// The learning rate for step `step` (0-based).
    public func learningRate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        if step >= totalSteps { return totalSteps == warmupSteps ? peak : floor }
        let t = Double(step - warmupSteps) / Double(totalSteps - warmupSteps)
        return floor + (peak - floor) * Float(0.5 * (1 + Foundation.cos(Double.pi * t)))
    }
}
