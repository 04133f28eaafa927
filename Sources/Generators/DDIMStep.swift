import Foundation
import Support
import TensorCore

/// One step of DDIM (Song, Meng & Ermon, "Denoising Diffusion Implicit Models", ICLR 2021,
/// eq. 12) from entry i to entry i − 1 of `schedule` (ᾱ_{−1} = 1):
///
///     σ = η·√((1 − ᾱ_prev)/(1 − ᾱ))·√(1 − ᾱ/ᾱ_prev)
///     x_prev = √ᾱ_prev·x̂₀ + √(1 − ᾱ_prev − σ²)·ε̂ + σ·z
///
/// η = 0 is deterministic (no noise drawn); η = 1 has DDPM's posterior variance and mean, so it is
/// ancestral sampling written another way.
func ddimStep(_ schedule: DiffusionSchedule, x0: Tensor, epsilon eps: Tensor, entry i: Int, eta: Double, rng: inout SeededRandom) -> Tensor {
    let n = x0.shape[0]
    let a = schedule.alphaBars[i], ap = schedule.alphaBarsPrevious[i]
    let sigma = eta * ((1 - ap) / (1 - a)).squareRoot() * (1 - a / ap).squareRoot()
    let direction = max(0, 1 - ap - sigma * sigma).squareRoot()
    let mean = perSampleCombination(x0, [Double](repeating: ap.squareRoot(), count: n), eps, [Double](repeating: direction, count: n))
    guard sigma > 0 else { return mean }
    let z = Tensor.randn(x0.shape, rng: &rng)
    return perSampleCombination(mean, [Double](repeating: 1, count: n), z, [Double](repeating: sigma, count: n))
}
