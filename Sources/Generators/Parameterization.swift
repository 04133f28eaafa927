import Foundation
import TensorCore

/// What the denoiser predicts from x_t.
public enum PredictionTarget: String, Codable, Sendable, CaseIterable {
    /// The noise ε of x_t = √ᾱ·x₀ + √(1 − ᾱ)·ε (Ho et al. 2020).
    case epsilon
    /// The velocity v = √ᾱ·ε − √(1 − ᾱ)·x₀ (Salimans & Ho, "Progressive Distillation for Fast
    /// Sampling of Diffusion Models", ICLR 2022), well scaled at every noise level.
    case v
}

// Conversions between the three parameterizations, from x_t = √ᾱ·x₀ + √(1 − ᾱ)·ε (write
// a = √ᾱ, s = √(1 − ᾱ), a² + s² = 1):
//
//     x₀ = (x_t − s·ε)/a          ε = (x_t − a·x₀)/s
//     v  = a·ε − s·x₀             x₀ = a·x_t − s·v          ε = s·x_t + a·v
//
// Edge cases: x₀ from ε divides by a (tiny where ᾱ → 0, as at the last cosine step: the model's
// ε error is amplified there, hence x₀ clipping); ε from x₀ divides by s (s > 0 for every step
// since β_0 > 0).

extension DiffusionSchedule {
    public func x0(fromEpsilon eps: Tensor, xt: Tensor, at entries: [Int]) -> Tensor {
        let a = pick(sqrtAlphaBars, entries), s = pick(sqrtOneMinusAlphaBars, entries)
        return perSampleCombination(xt, a.map { 1 / $0 }, eps, zip(s, a).map { -$0 / $1 })
    }

    public func epsilon(fromX0 x0: Tensor, xt: Tensor, at entries: [Int]) -> Tensor {
        let a = pick(sqrtAlphaBars, entries), s = pick(sqrtOneMinusAlphaBars, entries)
        return perSampleCombination(xt, s.map { 1 / $0 }, x0, zip(a, s).map { -$0 / $1 })
    }

    public func velocity(x0: Tensor, epsilon eps: Tensor, at entries: [Int]) -> Tensor {
        perSampleCombination(eps, pick(sqrtAlphaBars, entries), x0, pick(sqrtOneMinusAlphaBars, entries).map { -$0 })
    }

    public func x0(fromVelocity v: Tensor, xt: Tensor, at entries: [Int]) -> Tensor {
        perSampleCombination(xt, pick(sqrtAlphaBars, entries), v, pick(sqrtOneMinusAlphaBars, entries).map { -$0 })
    }

    public func epsilon(fromVelocity v: Tensor, xt: Tensor, at entries: [Int]) -> Tensor {
        perSampleCombination(xt, pick(sqrtOneMinusAlphaBars, entries), v, pick(sqrtAlphaBars, entries))
    }

    /// Min-SNR-γ loss weights (Hang et al., "Efficient Diffusion Training via Min-SNR Weighting
    /// Strategy", ICCV 2023) for a loss on `target`, one per entry: with SNR = ᾱ/(1 − ᾱ), the
    /// x₀-loss weight min(SNR, γ) expressed on the predicted quantity — min(SNR, γ)/SNR for ε,
    /// min(SNR, γ)/(SNR + 1) for v. Every weight lies in (0, 1]; low-noise steps (SNR > γ) are
    /// damped, and for v the high-noise ones too (weight → SNR as SNR → 0), so no few steps
    /// dominate the gradient. `gamma` > 0 (the paper's 5).
    public func minSNRWeights(_ target: PredictionTarget, gamma: Double, at entries: [Int]) -> [Float] {
        precondition(gamma > 0, "min-SNR γ must be > 0, got \(gamma)")
        return entries.map { i in
            let snr = alphaBars[i] / (1 - alphaBars[i])
            switch target {
            case .epsilon: return Float(min(snr, gamma) / snr)
            case .v: return Float(min(snr, gamma) / (snr + 1))
            }
        }
    }

    /// The training target for `target`: ε itself, or v from (x₀, ε).
    public func trainingTarget(_ target: PredictionTarget, x0: Tensor, epsilon eps: Tensor, at entries: [Int]) -> Tensor {
        switch target {
        case .epsilon: return eps
        case .v: return velocity(x0: x0, epsilon: eps, at: entries)
        }
    }

    /// (x₀, ε) implied by a model output of kind `target` at x_t. With a `clip` bound b, x₀ is
    /// clamped to [−b, b] and ε recomputed from the clamped x₀ (as ADM's samplers do with b = 1),
    /// so both stay consistent with x_t; nil leaves x₀ as predicted.
    public func split(_ output: Tensor, as target: PredictionTarget, xt: Tensor, at entries: [Int], clip: Float?) -> (x0: Tensor, epsilon: Tensor) {
        var start: Tensor, noise: Tensor
        switch target {
        case .epsilon: noise = output; start = x0(fromEpsilon: output, xt: xt, at: entries)
        case .v: start = x0(fromVelocity: output, xt: xt, at: entries); noise = epsilon(fromVelocity: output, xt: xt, at: entries)
        }
        if let bound = clip {
            precondition(bound > 0, "split: clip bound \(bound) must be > 0")
            let clamped = withNoGrad { start.clamped(-bound, bound) }
            start = clamped
            noise = epsilon(fromX0: clamped, xt: xt, at: entries)
        }
        return (start, noise)
    }
}
