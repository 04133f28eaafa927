import TensorCore

// The forward (noising) process and its posterior (Ho, Jain & Abbeel, "Denoising Diffusion
// Probabilistic Models", NeurIPS 2020, eq. 4 and 6–7). Tensors are [N, …] (e.g. [N, C, H, W]);
// `entries` [N] index the schedule, one per sample.

extension DiffusionSchedule {
    /// A draw from q(x_t | x₀) = N(√ᾱ_t·x₀, (1 − ᾱ_t)·I): √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε for the given
    /// standard-normal `noise` ε (same shape as x₀).
    public func noised(_ x0: Tensor, at entries: [Int], noise: Tensor) -> Tensor {
        perSampleCombination(x0, pick(sqrtAlphaBars, entries), noise, pick(sqrtOneMinusAlphaBars, entries))
    }

    /// Mean of q(x_{t−1} | x_t, x₀): c1_t·x₀ + c2_t·x_t. Its variance is `posteriorVariances[t]`.
    public func posteriorMean(x0: Tensor, xt: Tensor, at entries: [Int]) -> Tensor {
        perSampleCombination(x0, pick(posteriorMeanCoefficientX0, entries), xt, pick(posteriorMeanCoefficientXt, entries))
    }
}
