import Support
import TensorCore

/// One ancestral step of DDPM sampling (Ho, Jain & Abbeel, NeurIPS 2020, Algorithm 2, in its
/// x₀ form): x_{i−1} = μ̃_i(x̂₀, x_i) + √β̃_i·z, z ~ N(0, I), with the posterior mean and variance
/// of `schedule` (full or respaced, Nichol & Dhariwal 2021). At entry 0 β̃ = 0: the step returns
/// the mean and draws no noise.
func ddpmStep(_ schedule: DiffusionSchedule, xt: Tensor, x0: Tensor, entry i: Int, rng: inout SeededRandom) -> Tensor {
    let n = xt.shape[0]
    let entries = [Int](repeating: i, count: n)
    let mean = schedule.posteriorMean(x0: x0, xt: xt, at: entries)
    let variance = schedule.posteriorVariances[i]
    guard variance > 0 else { return mean }
    let z = Tensor.randn(xt.shape, rng: &rng)
    return perSampleCombination(mean, [Double](repeating: 1, count: n), z, [Double](repeating: variance.squareRoot(), count: n))
}
