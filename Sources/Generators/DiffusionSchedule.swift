import Foundation

/// How the noise variances β_t grow over the T forward steps.
public enum BetaSchedule: Codable, Sendable, Equatable {
    /// Linear from `start` to `end` (Ho, Jain & Abbeel, "Denoising Diffusion Probabilistic
    /// Models", NeurIPS 2020: 1e-4 → 0.02 for T = 1000). `scaledLinear` rescales these by 1000/T
    /// (Nichol & Dhariwal 2021), so any T spans the same noise range.
    case linear(start: Double, end: Double)
    /// ᾱ(t) = f(t)/f(0), f(t) = cos²(((t/T + s)/(1 + s))·π/2), β_t = min(1 − ᾱ(t+1)/ᾱ(t), maxBeta)
    /// (Nichol & Dhariwal, "Improved Denoising Diffusion Probabilistic Models", ICML 2021:
    /// s = 0.008, maxBeta = 0.999).
    case cosine(s: Double, maxBeta: Double)

    /// Ho et al.'s linear schedule scaled to T steps (ADM's `get_named_beta_schedule("linear")`).
    public static func scaledLinear(steps: Int) -> BetaSchedule {
        let scale = 1000 / Double(steps)
        return .linear(start: scale * 1e-4, end: scale * 0.02)
    }
    /// Nichol & Dhariwal's cosine schedule with their constants.
    public static let cosine = BetaSchedule.cosine(s: 0.008, maxBeta: 0.999)

    /// β_0…β_{T−1}.
    public func betas(steps: Int) -> [Double] {
        precondition(steps >= 1, "BetaSchedule: \(steps) steps")
        switch self {
        case let .linear(start, end):
            if steps == 1 { return [start] }
            return (0..<steps).map { start + (end - start) * Double($0) / Double(steps - 1) }
        case let .cosine(s, maxBeta):
            func f(_ t: Double) -> Double {
                let c = Foundation.cos((t / Double(steps) + s) / (1 + s) * Double.pi / 2)
                return c * c
            }
            return (0..<steps).map { i in min(1 - f(Double(i + 1)) / f(Double(i)), maxBeta) }
        }
    }

    /// Why these constants give no valid schedule, or nil.
    public var problem: String? {
        switch self {
        case let .linear(a, b):
            return a > 0 && b >= a && b < 1 ? nil : "linear betas need 0 < start ≤ end < 1, got \(a)…\(b)"
        case let .cosine(s, m):
            return s >= 0 && m > 0 && m < 1 ? nil : "cosine schedule needs s ≥ 0 and 0 < maxBeta < 1, got s = \(s), maxBeta = \(m)"
        }
    }
}

/// The variance schedule of a Gaussian diffusion and every derived coefficient, in Double.
///
/// Indices are 0-based: entry i belongs to model timestep `timesteps[i]` (i itself for a full
/// schedule; the kept steps of a respaced one). The forward step i takes x_{i−1} to x_i with
/// variance β_i; ᾱ_i = ∏_{j≤i}(1 − β_j), ᾱ_{−1} = 1. Posterior (Ho et al. 2020, eq. 6–7):
///
///     q(x_{i−1} | x_i, x₀) = N(c1_i·x₀ + c2_i·x_i, β̃_i),
///     c1 = √ᾱ_{i−1}·β_i/(1 − ᾱ_i),  c2 = √α_i·(1 − ᾱ_{i−1})/(1 − ᾱ_i),  β̃_i = β_i(1 − ᾱ_{i−1})/(1 − ᾱ_i)
///
/// (β̃_0 = 0: the last reverse step is deterministic).
public struct DiffusionSchedule: Sendable, Equatable {
    /// The model's timestep for each entry (0..<T for a full schedule).
    public let timesteps: [Int]
    public let betas: [Double]
    public let alphaBars: [Double]
    /// ᾱ_{i−1}, with 1 for i = 0.
    public let alphaBarsPrevious: [Double]
    public let sqrtAlphaBars: [Double]
    public let sqrtOneMinusAlphaBars: [Double]
    public let posteriorVariances: [Double]
    public let posteriorMeanCoefficientX0: [Double]
    public let posteriorMeanCoefficientXt: [Double]

    /// Number of steps.
    public var count: Int { betas.count }

    /// The full schedule of `steps` steps.
    public init(_ schedule: BetaSchedule, steps: Int) {
        if let p = schedule.problem { preconditionFailure("DiffusionSchedule: \(p)") }
        self.init(betas: schedule.betas(steps: steps), timesteps: Array(0..<steps))
    }

    /// A schedule from its β values (each in (0, 1)) for model timesteps `timesteps`.
    public init(betas: [Double], timesteps: [Int]) {
        precondition(!betas.isEmpty && betas.count == timesteps.count, "DiffusionSchedule: \(betas.count) betas for \(timesteps.count) timesteps")
        precondition(betas.allSatisfy { $0 > 0 && $0 < 1 }, "DiffusionSchedule: betas must lie in (0, 1)")
        self.betas = betas; self.timesteps = timesteps
        var bars: [Double] = [], acc = 1.0
        for b in betas { acc *= 1 - b; bars.append(acc) }
        alphaBars = bars
        alphaBarsPrevious = [1] + bars.dropLast()
        sqrtAlphaBars = bars.map { $0.squareRoot() }
        sqrtOneMinusAlphaBars = bars.map { (1 - $0).squareRoot() }
        let prev = alphaBarsPrevious
        posteriorVariances = betas.indices.map { i in betas[i] * (1 - prev[i]) / (1 - bars[i]) }
        posteriorMeanCoefficientX0 = betas.indices.map { i in prev[i].squareRoot() * betas[i] / (1 - bars[i]) }
        posteriorMeanCoefficientXt = betas.indices.map { i in (1 - betas[i]).squareRoot() * (1 - prev[i]) / (1 - bars[i]) }
    }

    /// The schedule restricted to the entries `kept` (ascending, distinct, within 0..<count),
    /// with β'_j = 1 − ᾱ_{kept[j]}/ᾱ_{kept[j−1]} so that ᾱ at every kept entry is unchanged
    /// (Nichol & Dhariwal 2021, §4 "respacing"). Its `timesteps` are the kept model timesteps.
    public func respaced(_ kept: [Int]) -> DiffusionSchedule {
        precondition(!kept.isEmpty && zip(kept, kept.dropFirst()).allSatisfy { $0 < $1 } && kept.first! >= 0 && kept.last! < count,
                     "respaced: entries must be ascending, distinct and within 0..<\(count)")
        var last = 1.0
        var b: [Double] = []
        for i in kept { b.append(1 - alphaBars[i] / last); last = alphaBars[i] }
        return DiffusionSchedule(betas: b, timesteps: kept.map { timesteps[$0] })
    }
}

/// Which of T timesteps a sampler with fewer steps visits.
public enum TimestepSpacing: String, Codable, Sendable, CaseIterable {
    /// round(linspace(0, T − 1, n)): evenly spaced from the first to the last (ADM's
    /// `space_timesteps` with one section).
    case even
    /// round(T − k·T/n) − 1 for k = 0…n−1: starts at T − 1 and keeps the largest steps (Lin et al.,
    /// "Common Diffusion Noise Schedules and Sample Steps Are Flawed", WACV 2024).
    case trailing

    /// `n` distinct ascending timesteps out of 0..<T (1 ≤ n ≤ T).
    public func timesteps(_ n: Int, of total: Int) -> [Int] {
        precondition(n >= 1 && n <= total, "TimestepSpacing: \(n) steps out of \(total)")
        if n == total { return Array(0..<total) }
        switch self {
        case .even:
            if n == 1 { return [total - 1] }
            let stride = Double(total - 1) / Double(n - 1)
            return (0..<n).map { Int((Double($0) * stride).rounded()) }
        case .trailing:
            let stride = Double(total) / Double(n)
            return (0..<n).map { Int((Double(total) - Double($0) * stride).rounded()) - 1 }.reversed()
        }
    }
}
