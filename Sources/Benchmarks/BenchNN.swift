import CBLAS
import Foundation
import NN
import Pipeline
import Support
import TensorCore

/// `octoplane bench nn`: the neural core's workloads, timed the way `Scripts/bench-nn.py` times
/// PyTorch on the same shapes (same seeds do not matter: only shapes and op sequences do).
///
/// 1. **triplane**: one NFD triplane-fitting step — planes [3, 32, 128, 128], 100k random points
///    in [−1, 1]³, bilinear sampling of the three planes (align_corners, summed features), MLP
///    32→128→128→1 with ReLU, BCE with logits against random occupancies, backward, Adam step
///    over planes and MLP.
/// 2. **unet**: forward + backward of `UNet(inChannels: 48, channels: [64, 128, 128])` on a batch
///    of 8 at 64×64 against an MSE target (no optimizer step).
/// 3. **sgemm**: C = A·B at n³ through `matmul` (tensor + autograd bookkeeping) versus a bare
///    `cblas_sgemm` call on the same buffers, in GFLOP/s.
///
/// Each workload runs `warmup` untimed steps, then `steps` timed ones (the sgemm entries take
/// 3–50 timed calls by size instead, ~20 GFLOP in all); the median is reported.
public struct NNBenchmarkOptions: Sendable {
    public var steps = 10
    public var warmup = 2
    public var triplaneResolution = 128
    public var triplaneChannels = 32
    public var triplanePoints = 100_000
    public var unetBatch = 8
    public var unetSize = 64
    public var unetInChannels = 48
    public var unetChannels = [64, 128, 128]
    public var sgemmSizes = [256, 1024]
    /// Only these workloads (all when empty): "triplane", "unet", "sgemm".
    public var only: Set<String> = []
    public init() {}
}

public struct NNBenchmarkEntry: Codable, Sendable {
    public var name: String
    public var detail: String
    /// Median milliseconds per step.
    public var ms: Double
    /// All timed steps, in milliseconds.
    public var samples: [Double]
    /// GFLOP/s for the sgemm entries.
    public var gflops: Double?
    /// Parameters of the model, where there is one.
    public var parameters: Int?
}

public struct NNBenchmarkReport: JobReport, Codable, Sendable {
    public var threads: Int
    public var entries: [NNBenchmarkEntry]

    public var text: String {
        var lines = ["neural core benchmark, \(threads) thread(s), median of timed steps"]
        for e in entries {
            var l = "  \(e.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(String(format: "%9.2f ms", e.ms))"
            if let g = e.gflops { l += String(format: "  %7.1f GFLOP/s", g) }
            if let p = e.parameters { l += "  \(p) params" }
            lines.append(l + "  (\(e.detail))")
        }
        return lines.joined(separator: "\n")
    }
}

/// Monotonic milliseconds (the benchmarks' clock).
func nowMs() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e6 }

private func timeSteps(_ opts: NNBenchmarkOptions, steps: Int? = nil, _ body: () -> Void) -> [Double] {
    for _ in 0..<opts.warmup { body() }
    return (0..<(steps ?? opts.steps)).map { _ in
        let t0 = nowMs()
        body()
        return nowMs() - t0
    }
}

/// The median of `xs` (0 when empty).
func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? 0 : (s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2]))
}

/// Runs the neural-core benchmarks with `Parallelism.threadCount` threads (BLAS included).
func runNNBenchmark(_ opts: NNBenchmarkOptions = NNBenchmarkOptions(), progress: (String) -> Void = { _ in }) -> NNBenchmarkReport {
    BLASThreads.sync()
    var entries: [NNBenchmarkEntry] = []
    func wanted(_ s: String) -> Bool { opts.only.isEmpty || opts.only.contains(s) }

    if wanted("triplane") {
        progress("triplane step")
        var rng = SeededRandom(seed: 1)
        let r = opts.triplaneResolution, c = opts.triplaneChannels, n = opts.triplanePoints
        let planes = Tensor.randn([3, c, r, r], std: 0.001, rng: &rng, requiresGrad: true)
        let mlp = MLP([c, 128, 128, 1], activation: .relu, rng: &rng)
        let points = Tensor.uniform([n, 3], -1, 1, rng: &rng)
        let occ = Tensor((0..<n).map { _ in rng.nextFloat() < 0.5 ? 0 : 1 }, shape: [n])
        let opt = Adam([planes] + mlp.parameters, learningRate: 1e-3)
        let samples = timeSteps(opts) {
            opt.zeroGrad()
            let feat = samplePlanes(planes, at: points, alignCorners: true, combine: .sum)
            let loss = bceWithLogits(mlp(feat).reshaped([n]), occ)
            loss.backward()
            opt.step()
        }
        entries.append(NNBenchmarkEntry(name: "triplane", detail: "NFD step: planes 3×\(c)×\(r)², \(n) pts, MLP \(c)-128-128-1, BCE, Adam",
                                        ms: median(samples), samples: samples, gflops: nil, parameters: planes.count + mlp.parameterCount))
    }

    if wanted("unet") {
        progress("U-Net forward+backward")
        var rng = SeededRandom(seed: 2)
        let b = opts.unetBatch, s = opts.unetSize, cin = opts.unetInChannels
        let net = UNet(inChannels: cin, channels: opts.unetChannels, attentionHeads: 4, groups: 32, rng: &rng)
        let x = Tensor.randn([b, cin, s, s], rng: &rng)
        let target = Tensor.randn([b, cin, s, s], rng: &rng)
        let t = (0..<b).map { Float($0 * 100 + 17) }
        let samples = timeSteps(opts) {
            net.zeroGrad()
            let loss = mseLoss(net(x, timesteps: t), target)
            loss.backward()
        }
        entries.append(NNBenchmarkEntry(name: "unet", detail: "U-Net fwd+bwd, batch \(b), \(cin)×\(s)×\(s), channels \(opts.unetChannels)",
                                        ms: median(samples), samples: samples, gflops: nil, parameters: net.parameterCount))
    }

    if wanted("sgemm") {
        for n in opts.sgemmSizes {
            progress("sgemm \(n)³")
            var rng = SeededRandom(seed: 3)
            let a = Tensor.randn([n, n], rng: &rng), bm = Tensor.randn([n, n], rng: &rng)
            let flop = 2 * Double(n) * Double(n) * Double(n)
            let reps = max(3, min(50, Int(2e10 / flop)))
            let core = timeSteps(opts, steps: reps) { _ = withNoGrad { matmul(a, bm) } }
            let c = Tensor(uninitializedShape: [n, n])
            let raw = timeSteps(opts, steps: reps) {
                rawCblasSgemm(m: n, n: n, k: n, a.data, bm.data, c.mutableData)
            }
            let mc = median(core), mr = median(raw)
            entries.append(NNBenchmarkEntry(name: "matmul \(n)", detail: "core matmul \(n)³", ms: mc, samples: core, gflops: flop / mc / 1e6, parameters: nil))
            entries.append(NNBenchmarkEntry(name: "sgemm \(n)", detail: "raw cblas_sgemm \(n)³", ms: mr, samples: raw, gflops: flop / mr / 1e6, parameters: nil))
        }
    }
    return NNBenchmarkReport(threads: Parallelism.threadCount, entries: entries)
}

/// A bare `cblas_sgemm` call, C[m×n] = A[m×k]·B[k×n] row-major, threaded by OpenBLAS itself
/// over `Parallelism.threadCount` threads (set back to one afterwards): the baseline that
/// `octoplane bench nn` compares `matmul` against.
func rawCblasSgemm(m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>) {
    BLASThreads.sync()
    openblas_set_num_threads(Int32(Parallelism.threadCount))
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, c, Int32(n))
    openblas_set_num_threads(1)
}
