import Foundation
import Support
import TensorCore
import Triplanes

/// `octoplane triplane train-decoder DATA --out DECODER [--resume]`: NFD phase 1 — the shared
/// decoder trained jointly with the planes of every object under DATA (NFD `.npy` sample files, as
/// `octoplane convert --preset nfd` writes them).
///
/// Files: the decoder at `output` (written at every checkpoint and at the end, atomically), the
/// whole training state at `output + ".state.safetensors"` every `checkpointEvery` steps (decoder,
/// planes, Adam moments, data order, RNG), and one JSON line per logged step in
/// `output + ".log.jsonl"`. A killed run restarted with `resume` continues from the last
/// checkpoint with the same loss curve (same thread count); without `resume` an existing state
/// file is refused rather than overwritten.
public struct TriplaneTrainDecoderJob: Job {
    public var data: String
    public var output: String
    public var config = TriplaneConfig()
    public var settings = DecoderTrainingSettings()
    /// Rows kept per object (half near-surface, half uniform); nil = all.
    public var rowsPerObject: Int? = 100_000
    public var checkpointEvery = 250
    public var resume = false
    public var quiet = false

    public init(data: String, output: String) { self.data = data; self.output = output }

    public var statePath: String { output + ".state.safetensors" }
    public var logPath: String { output + ".log.jsonl" }

    public struct Report: JobReport {
        public var decoder: String
        public var objects: Int
        public var steps: Int
        public var resumedFrom: Int?
        public var finalLoss: Float
        /// Mean data loss over the last 50 steps (or all, if fewer).
        public var finalDataLoss: Float
        /// Accuracy of the training planes on 4,096 rows of each object (occupancy target).
        public var trainAccuracy: Double
        public var parameters: Int
        public var seconds: Double
        public var config: TriplaneConfig
        public var text: String {
            String(format: "trained %@ on %d objects: %d steps%@, loss %.4f (data %.4f), train accuracy %.4f, %d parameters, %.1f s",
                   decoder, objects, steps, resumedFrom.map { " (resumed at \($0))" } ?? "", finalLoss, finalDataLoss,
                   trainAccuracy, parameters, seconds)
        }
    }

    struct LogLine: Codable { var step: Int; var loss: Float; var data: Float; var seconds: Double }

    public func run() throws -> Report {
        let start = Date()
        guard checkpointEvery >= 1 else { throw PipelineError.invalidOption("--checkpoint-every must be ≥ 1") }
        if let r = rowsPerObject, r < 2 { throw PipelineError.invalidOption("--rows-per-object must be ≥ 2") }
        let files = try npyFiles(under: data)
        guard !files.isEmpty else { throw PipelineError.invalidInput(path: data, reason: "no .npy sample files found (make them with `octoplane convert ROOT --preset nfd`)") }
        let objects = try files.map { try loadTriplaneSamples($0, maxRows: rowsPerObject) }
        let names = files.map { String($0.dropFirst(data.count)) }
        let fm = FileManager.default
        let trainer: DecoderTrainer
        var resumedFrom: Int? = nil
        if fm.fileExists(atPath: statePath) {
            guard resume else {
                throw PipelineError.invalidOption("\(statePath) exists: pass --resume to continue that run, or remove it to start over")
            }
            trainer = try DecoderTrainer.resume(from: statePath, objects: objects, names: names, steps: settings.steps)
            resumedFrom = trainer.completedSteps
        } else {
            trainer = try DecoderTrainer(config: config, settings: settings, objects: objects, names: names)
        }
        let log = try JSONLines(path: logPath)
        let progress = TrainingProgress("train-decoder", total: trainer.settings.steps, startStep: trainer.completedSteps)
        var recent: [Float] = []
        var last: (loss: Float, data: Float) = (.nan, .nan)
        func save() throws {
            try trainer.checkpoint(to: statePath)
            try trainer.decoder.save(to: output, extraMetadata: ["octoplane.steps": "\(trainer.completedSteps)", "octoplane.objects": "\(objects.count)"])
        }
        while trainer.completedSteps < trainer.settings.steps {
            do { last = try trainer.step() } catch {
                try? save()
                throw error
            }
            let s = trainer.completedSteps
            recent.append(last.data); if recent.count > 50 { recent.removeFirst() }
            if s % 10 == 0 || s == trainer.settings.steps {
                log.append(LogLine(step: s, loss: last.loss, data: last.data, seconds: Date().timeIntervalSince(start)))
            }
            progress.report(step: s, values: [("loss", last.loss), ("bce", last.data)], quiet: quiet)
            if s % checkpointEvery == 0 || s == trainer.settings.steps { try save() }
        }
        // Accuracy of the trained planes on a fixed subset of each object's rows.
        var correct = 0, total = 0
        var rng = SeededRandom(seed: 99)
        withNoGrad {
            for (k, o) in objects.enumerated() {
                let (x, y) = o.batch(4096, rng: &rng)
                let out = trainer.decoder(trainer.planes[k], at: x).scalars
                for (v, t) in zip(out, y.scalars) where (v > 0) == (t > 0.5) { correct += 1 }
                total += out.count
            }
        }
        return Report(decoder: output, objects: objects.count, steps: trainer.completedSteps, resumedFrom: resumedFrom,
                      finalLoss: last.loss, finalDataLoss: recent.isEmpty ? .nan : recent.reduce(0, +) / Float(recent.count),
                      trainAccuracy: Double(correct) / Double(max(1, total)), parameters: trainer.decoder.parameterCount,
                      seconds: Date().timeIntervalSince(start), config: trainer.config)
    }
}
