import Foundation
import Generators
import Rendering
import Support
import TensorCore

/// What `GeneratorTrainingLoop` drives: a trainer that steps, knows its step, and writes its
/// resumable state and its sampling model (EMA weights + config).
protocol GeneratorTraining: AnyObject {
    var step: Int { get }
    func trainStep() -> Float
    func checkpoint(to path: String) throws
    func saveModel(to path: String, dtype: SafetensorsDType) throws
}

extension DiffusionTrainer: GeneratorTraining {
    func saveModel(to path: String, dtype: SafetensorsDType) throws { try DiffusionModelFile(self).save(to: path, dtype: dtype) }
}

extension OctreeTrainer: GeneratorTraining {
    func saveModel(to path: String, dtype: SafetensorsDType) throws { try OctreeModelFile(self).save(to: path, dtype: dtype) }
}

extension AutoencoderTrainer: GeneratorTraining {
    func saveModel(to path: String, dtype: SafetensorsDType) throws { try AutoencoderModelFile(self).save(to: path, dtype: dtype) }
}

extension SurfaceDecoderTrainer: GeneratorTraining {
    func saveModel(to path: String, dtype: SafetensorsDType) throws { try SurfaceDecoderFile(self).save(to: path, dtype: dtype) }
}

/// The step loop `train diffusion` and `train octree` share, and the files it keeps in RUN:
///
///     state.safetensors   the trainer's resumable state  } every `checkpointEvery` steps and at
///     model.safetensors   its sampling model             } the last one, atomically
///     log.jsonl    one `Line` every 10 steps (on resume: the lines up to the checkpoint's step —
///                  a killed run may have logged past it — then this run's)
///     loss.png     the log's loss curve (`LossPlot`, log scale), redrawn at every checkpoint
///
/// At every checkpoint the plot is redrawn too; every `previewEvery`
/// steps and at the last one (0: never), `preview(step)`. A non-finite loss stops the run with
/// `PipelineError.failed` naming the step, *without* checkpointing: the last good checkpoint is
/// what `--resume` continues from. A progress line (loss, steps/s, ETA) goes to stderr every
/// `progressEvery` steps unless `quiet`.
struct GeneratorTrainingLoop {
    struct Line: Codable { var step: Int; var loss: Float; var seconds: Double }

    var label: String
    var output: String
    var totalSteps: Int
    var checkpointEvery: Int
    var previewEvery = 0
    var progressEvery = 25
    /// Title of `loss.png`.
    var lossTitle: String
    var quiet = false
    /// Storage of `model.safetensors`: F32, or F16 (half the size); the resumable state is always F32.
    var modelDType: SafetensorsDType = .f32

    /// The parseable lines of a training log (none if it does not exist).
    static func readLog(_ path: String) -> [Line] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
    }

    /// Trains until `trainer.step` reaches `totalSteps`. `resumed`: the trainer was restored from
    /// a checkpoint (its log is kept up to its step), else the log starts empty. When no step is
    /// left to run and the model file is missing, checkpoints once so the run is usable.
    func run(_ trainer: some GeneratorTraining, resumed: Bool, start: Date, preview: (Int) throws -> Void) throws {
        let logPath = output + "/log.jsonl", modelFile = output + "/model.safetensors"
        let first = trainer.step
        var history = resumed ? Self.readLog(logPath).filter { $0.step <= first } : []
        try AtomicFile.write(Data(history.compactMap { try? JSONOutput.data($0, pretty: false) + Data([0x0A]) }.joined()), to: logPath)
        let log = try JSONLines(path: logPath)
        let progress = TrainingProgress(label, total: totalSteps, startStep: first, every: progressEvery)
        func save() throws {
            try trainer.checkpoint(to: output + "/state.safetensors")
            try trainer.saveModel(to: modelFile, dtype: modelDType)
            try PNG.write(LossPlot.render(steps: history.map(\.step), losses: history.map(\.loss), title: lossTitle), to: output + "/loss.png")
        }
        while trainer.step < totalSteps {
            let loss = trainer.trainStep()
            let s = trainer.step
            guard loss.isFinite else { throw PipelineError.failed("the loss became \(loss) at step \(s); the last checkpoint is kept (continue with --resume, e.g. after lowering the learning rate)") }
            if s % 10 == 0 {
                let line = Line(step: s, loss: loss, seconds: Date().timeIntervalSince(start))
                log.append(line); history.append(line)
            }
            progress.report(step: s, values: [("loss", loss)], quiet: quiet)
            if s % checkpointEvery == 0 || s == totalSteps { try save() }
            if previewEvery > 0 && (s % previewEvery == 0 || s == totalSteps) { try preview(s) }
        }
        if !FileManager.default.fileExists(atPath: modelFile) { try save() }
    }

    /// Writes `RUN/previews/step-NNNNNN.png`: two shapes of every category drawn from `model` with
    /// `settings`, seed 0 (the same draws at every step, so sheets compare across steps).
    static func writePreview(_ model: TrainedGenerator, settings: GenerationSettings, step: Int, output: String) throws {
        let categories = model.categories
        let labels = (0..<(2 * categories.count)).map { $0 % categories.count }
        let meshes = try model.meshes(labels: labels, seed: 0, settings: settings)
        let sheet = try TriplaneGenerator.sheet(meshes, labels: labels.map { categories[$0] })
        try FileManager.default.createDirectory(atPath: output + "/previews", withIntermediateDirectories: true)
        try PNG.write(sheet, to: output + String(format: "/previews/step-%06d.png", step))
    }
}
