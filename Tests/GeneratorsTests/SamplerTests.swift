import Foundation
import Support
import TensorCore
import Testing
import Generators

/// The exact ε-predictor for data whose values are i.i.d. N(μ_y, σ²), μ_y = μ + shift·y for class
/// y (the null class, and nil labels, give μ): E[ε | x_t] = s·(x_t − a·μ_y)/(a²σ² + s²) with
/// a = √ᾱ_t, s = √(1 − ᾱ_t). A sampler fed this oracle must reproduce the data distribution.
final class GaussianOracle: Denoiser {
    let schedule: DiffusionSchedule
    let mu: Double, sigma: Double, shift: Double
    let nullLabel: Int?
    private(set) var calls = 0

    init(schedule: DiffusionSchedule, mu: Double, sigma: Double, shift: Double = 0, classes: Int? = nil) {
        self.schedule = schedule; self.mu = mu; self.sigma = sigma; self.shift = shift; nullLabel = classes
    }

    func predict(_ xt: Tensor, timesteps: [Int], labels: [Int]?) -> Tensor {
        calls += 1
        let n = xt.shape[0], per = xt.count / n
        var out = [Float](repeating: 0, count: xt.count)
        let x = xt.scalars
        for k in 0..<n {
            let a = schedule.sqrtAlphaBars[timesteps[k]], s = schedule.sqrtOneMinusAlphaBars[timesteps[k]]
            let y = labels?[k]
            let m = mu + (y == nil || y == nullLabel ? 0 : shift * Double(y! + 1))
            for i in (k * per)..<((k + 1) * per) { out[i] = Float(s * (Double(x[i]) - a * m) / (a * a * sigma * sigma + s * s)) }
        }
        return Tensor(out, shape: xt.shape)
    }
}

private func moments(_ t: Tensor) -> (mean: Double, sd: Double) {
    let v = t.scalars.map(Double.init)
    let m = v.reduce(0, +) / Double(v.count)
    return (m, (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1)).squareRoot())
}

@Suite("Samplers")
struct SamplerTests {
    let schedule = DiffusionSchedule(.cosine, steps: 400)

    /// For Gaussian data and the exact denoiser every DDIM step is affine in x plus independent
    /// noise, so the sample after the whole walk is c·x_T + d + N(0, v): (c, d, v) by the same
    /// recursion in Double, written from the paper's eq. 12 (DDPM is the η = 1 case).
    static func affineWalk(_ walk: DiffusionSchedule, mu: Double, sigma: Double, eta: Double) -> (c: Double, d: Double, v: Double) {
        var c = 1.0, d = 0.0, v = 0.0
        for i in stride(from: walk.count - 1, through: 0, by: -1) {
            let a = walk.alphaBars[i], ap = i > 0 ? walk.alphaBars[i - 1] : 1
            let sa = a.squareRoot(), ss = (1 - a).squareRoot(), den = a * sigma * sigma + 1 - a
            let (ec, ed) = (ss / den, -ss * sa * mu / den)                   // ε̂ = ec·x + ed
            let (x0c, x0d) = ((1 - ss * ec) / sa, -ss * ed / sa)             // x̂₀ = (x − s·ε̂)/a
            let sig2 = eta * eta * (1 - ap) / (1 - a) * (1 - a / ap)
            let dir = (1 - ap - sig2).squareRoot()
            let (nc, nd) = (ap.squareRoot() * x0c + dir * ec, ap.squareRoot() * x0d + dir * ed)
            (c, d, v) = (nc * c, nc * d + nd, nc * nc * v + sig2)
        }
        return (c, d, v)
    }

    @Test("DDPM and DDIM fed the exact denoiser of a Gaussian draw the Gaussian their recursion predicts",
          arguments: [(SamplerSettings.Method.ddpm, nil), (.ddpm, 25), (.ddim(eta: 0), 25), (.ddim(eta: 0.5), 25), (.ddim(eta: 0), 100)] as [(SamplerSettings.Method, Int?)])
    func samplersMatchTheirAffineOracle(method: SamplerSettings.Method, steps: Int?) {
        let (mu, sigma) = (0.3, 0.2)
        let oracle = GaussianOracle(schedule: schedule, mu: mu, sigma: sigma)
        let sampler = DiffusionSampler(schedule: schedule, prediction: .epsilon,
                                       settings: SamplerSettings(method: method, steps: steps, clipX0: nil))
        let shape = [16, 1, 16, 16]
        let x = sampler.sample(oracle, shape: shape, seed: 7)
        #expect(oracle.calls == (steps ?? 400))
        let eta: Double
        switch method { case .ddpm: eta = 1; case let .ddim(e): eta = e }
        let (c, d, v) = Self.affineWalk(sampler.walkedSchedule, mu: mu, sigma: sigma, eta: eta)
        if v == 0 {
            // Deterministic: every value is exactly c·x_T + d for the seed's x_T.
            var rng = SeededRandom(seed: 7)
            let xT = Tensor.randn(shape, rng: &rng).scalars
            for i in stride(from: 0, to: xT.count, by: 7) { #expect(Swift.abs(Double(x.scalars[i]) - (c * Double(xT[i]) + d)) < 1e-4) }
        }
        let (m, sd) = moments(x)
        #expect(Swift.abs(m - d) < 0.01, "mean \(m), expected \(d)")
        #expect(Swift.abs(sd / (c * c + v).squareRoot() - 1) < 0.05, "sd \(sd), expected \((c * c + v).squareRoot())")
        // With all 400 steps, or 100 DDIM steps, the walk is within 5% of the data's σ (25 DDIM steps are not: 12% narrow).
        if steps ?? 400 >= 100 { #expect(Swift.abs((c * c + v).squareRoot() / sigma - 1) < 0.05) }
    }

    @Test("DDIM with η = 1 is DDPM ancestral sampling on the same respaced timesteps")
    func ddimEtaOneIsDDPM() {
        let oracle = GaussianOracle(schedule: schedule, mu: -0.2, sigma: 0.5)
        for spacing in TimestepSpacing.allCases {
            let ddpm = DiffusionSampler(schedule: schedule, prediction: .epsilon, settings: SamplerSettings(method: .ddpm, steps: 20, spacing: spacing))
            var ddimSettings = ddpm.settings
            ddimSettings.method = .ddim(eta: 1)
            let ddim = DiffusionSampler(schedule: schedule, prediction: .epsilon, settings: ddimSettings)
            let a = ddpm.sample(oracle, shape: [3, 2, 4, 4], seed: 11), b = ddim.sample(oracle, shape: [3, 2, 4, 4], seed: 11)
            #expect(zip(a.scalars, b.scalars).allSatisfy { Swift.abs($0 - $1) < 1e-4 })
        }
    }

    @Test("a v-predicting model samples the same as the equivalent ε-predicting one")
    func vPredictionSamplesAlike() {
        final class VOracle: Denoiser {
            let eps: GaussianOracle
            init(_ eps: GaussianOracle) { self.eps = eps }
            var nullLabel: Int? { nil }
            func predict(_ xt: Tensor, timesteps: [Int], labels: [Int]?) -> Tensor {
                let e = eps.predict(xt, timesteps: timesteps, labels: labels)
                let x0 = eps.schedule.x0(fromEpsilon: e, xt: xt, at: timesteps)
                return eps.schedule.velocity(x0: x0, epsilon: e, at: timesteps)
            }
        }
        let oracle = GaussianOracle(schedule: schedule, mu: 0.1, sigma: 0.3)
        let settings = SamplerSettings(method: .ddim(eta: 0), steps: 10, spacing: .trailing)
        let a = DiffusionSampler(schedule: schedule, prediction: .epsilon, settings: settings).sample(oracle, shape: [2, 1, 8, 8], seed: 3)
        let b = DiffusionSampler(schedule: schedule, prediction: .v, settings: settings).sample(VOracle(oracle), shape: [2, 1, 8, 8], seed: 3)
        #expect(zip(a.scalars, b.scalars).allSatisfy { Swift.abs($0 - $1) < 1e-3 })
    }

    @Test("clipping keeps every sample inside [−1, 1] even for data far outside it")
    func clippingBoundsSamples() {
        let oracle = GaussianOracle(schedule: schedule, mu: 3, sigma: 1)
        let x = DiffusionSampler(schedule: schedule, prediction: .epsilon, settings: SamplerSettings(method: .ddpm, steps: 30))
            .sample(oracle, shape: [2, 1, 8, 8], seed: 5)
        #expect(x.scalars.allSatisfy { $0 >= -1 && $0 <= 1 })
        #expect(moments(x).mean > 0.5)
    }

    @Test("sampling is deterministic for a seed and differs between seeds")
    func seeded() {
        let oracle = GaussianOracle(schedule: schedule, mu: 0, sigma: 0.5)
        let s = DiffusionSampler(schedule: schedule, prediction: .epsilon, settings: SamplerSettings(method: .ddpm, steps: 10))
        let a = s.sample(oracle, shape: [2, 1, 4, 4], seed: 1), b = s.sample(oracle, shape: [2, 1, 4, 4], seed: 1)
        let c = s.sample(oracle, shape: [2, 1, 4, 4], seed: 2)
        #expect(a.scalars == b.scalars && a.scalars != c.scalars)
    }

    @Test("guidance 0 is the unconditional prediction, 1 the conditional, w the extrapolation uncond + w·(cond − uncond)")
    func guidanceWeights() {
        let oracle = GaussianOracle(schedule: schedule, mu: 0, sigma: 0.5, shift: 0.4, classes: 3)
        var rng = SeededRandom(seed: 9)
        let x = Tensor.randn([3, 1, 4, 4], rng: &rng), t = [10, 200, 399], y = [0, 2, 1]
        let uncond = oracle.predict(x, timesteps: t, labels: nil), cond = oracle.predict(x, timesteps: t, labels: y)
        #expect(guidedPrediction(oracle, x, timesteps: t, labels: y, guidance: 0).scalars == uncond.scalars)
        #expect(guidedPrediction(oracle, x, timesteps: t, labels: y, guidance: 1).scalars == cond.scalars)
        let g = guidedPrediction(oracle, x, timesteps: t, labels: y, guidance: 2.5).scalars
        for i in g.indices { #expect(Swift.abs(g[i] - (uncond.scalars[i] + 2.5 * (cond.scalars[i] - uncond.scalars[i]))) < 1e-5) }
        // The two-pass combination itself at w = 0 is the unconditional prediction.
        #expect(guidanceCombination(conditional: cond, unconditional: uncond, guidance: 0).scalars == uncond.scalars)
        // A whole guided run at w = 0 equals the unconditional run, bit for bit; w = 3 moves the samples.
        let s0 = DiffusionSampler(schedule: schedule, prediction: .epsilon, settings: SamplerSettings(method: .ddim(eta: 0), steps: 8, guidance: 0))
        #expect(s0.sample(oracle, shape: [3, 1, 4, 4], labels: y, seed: 4).scalars == s0.sample(oracle, shape: [3, 1, 4, 4], seed: 4).scalars)
        var s3 = s0
        s3.settings.guidance = 3
        #expect(s3.sample(oracle, shape: [3, 1, 4, 4], labels: y, seed: 4).scalars != s0.sample(oracle, shape: [3, 1, 4, 4], seed: 4).scalars)
    }
}
