import Foundation
import Generators
import Pipeline
import Support
import TensorCore

/// `octoplane bench diffusion`: whole training steps of the triplane diffusion recipe, timed the
/// way `Scripts/diffusion_torch.py bench-train` times the same U-Net in PyTorch
/// (`Scripts/bench-diffusion.sh` runs both at the same thread counts).
///
/// The workload is `DiffusionTrainer.trainStep()` of `TrainDiffusionJob.defaultConfig(channels:
/// classes:)` at batch `batch` on random images [64 or more, channels, size, size] with random
/// labels: label dropout, t and ε draws, the noising, U-Net forward, MSE, backward, gradient-norm
/// clip, Adam and the EMA update. `warmup` untimed steps, then `steps` timed ones; the median is
/// reported. Timings never enter a test.
public struct BenchDiffusionJob: Job {
    public var channels = 24
    public var classes = 6
    public var size = 32
    public var batch = 32
    public var steps = 5
    public var warmup = 1
    /// Threads for BLAS and the kernels, scoped to this job (nil: the process's count).
    public var threads: Int? = nil
    public init() {}

    public func run() throws -> DiffusionBenchReport {
        guard steps >= 1, warmup >= 0, batch >= 1, channels >= 1, classes >= 1 else {
            throw PipelineError.invalidOption("--steps, --batch, --channels and --classes must be ≥ 1 and --warmup ≥ 0")
        }
        var config = TrainDiffusionJob.defaultConfig(channels: channels, classes: classes)
        config.batchSize = batch
        guard size >= 1, size % config.model.sizeDivisor == 0 else {
            throw PipelineError.invalidOption("--size must be a positive multiple of \(config.model.sizeDivisor)")
        }
        return try Parallelism.withThreadCount(threads ?? Parallelism.threadCount) {
            BLASThreads.sync()
            var rng = SeededRandom(seed: 5)
            let m = max(64, batch)
            let data = try DiffusionDataset(images: Tensor.randn([m, channels, size, size], rng: &rng),
                                            labels: (0..<m).map { _ in Int(rng.next() % UInt64(classes)) })
            let trainer = try DiffusionTrainer(config: config, data: data)
            for _ in 0..<warmup { trainer.trainStep() }
            let samples = (0..<steps).map { _ in
                let t0 = nowMs()
                trainer.trainStep()
                return nowMs() - t0
            }
            return DiffusionBenchReport(threads: Parallelism.threadCount, batch: batch, input: [channels, size, size],
                                        parameters: trainer.model.parameterCount, ms: median(samples), samples: samples)
        }
    }
}

public struct DiffusionBenchReport: JobReport, Codable, Sendable {
    public var threads: Int
    public var batch: Int
    /// [C, H, W] of one image.
    public var input: [Int]
    public var parameters: Int
    /// Median milliseconds per training step.
    public var ms: Double
    /// Every timed step, in milliseconds.
    public var samples: [Double]

    public var text: String {
        String(format: "diffusion training step (default recipe, %d parameters), batch %d of %@, %d thread(s): %.1f ms median of %d",
               parameters, batch, input.map(String.init).joined(separator: "×"), threads, ms, samples.count)
    }
}
