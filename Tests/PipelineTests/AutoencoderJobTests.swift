import Foundation
import Generators
import Testing
import TestSupport
@testable import Pipeline

@Suite("plane autoencoder job: train autoencoder")
struct AutoencoderJobTests {
    @Test("a tiny run writes its model, manifest, previews and per-category reconstruction IoU, refuses to overwrite, and resumes")
    func trainsAndResumes() throws {
        let tmp = try TemporaryDirectory("autoencoder-job"); defer { tmp.remove() }
        let dir = tmp.path
        _ = try twoCategoryPlaneFolder(dir + "/data")
        var cfg = TrainAutoencoderJob.defaultConfig(channels: 24)
        cfg.model.channels = [8, 16]; cfg.model.latentChannels = 2; cfg.model.groups = 4
        cfg.batchSize = 4; cfg.warmupSteps = 2
        var job = TrainAutoencoderJob(data: dir + "/data", output: dir + "/run")
        job.config = cfg; job.steps = 6; job.checkpointEvery = 3; job.previewEvery = 3; job.iouPoints = 500; job.quiet = true
        let r = try job.run()
        #expect(r.steps == 6 && r.shapes == 6 && r.resumedFrom == nil && r.latentShape == [2, 16, 16])
        #expect(r.quality.map(\.category) == ["chair", "table"] && r.quality.allSatisfy { $0.shapes == 3 && (0...1).contains($0.iouMedian) })
        #expect(r.reconstructionMSE.isFinite && r.imageMeanSquare > 0)
        for f in ["model.safetensors", "state.safetensors", "decoder.safetensors", "loss.png", "previews/step-000003.png", "previews/step-000006.png"] {
            #expect(FileManager.default.fileExists(atPath: "\(dir)/run/\(f)"), "\(f) was not written")
        }
        let manifest = try JSONDecoder().decode(PlaneAutoencoderManifest.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/run/autoencoder.json")))
        #expect(manifest.latentShape == [2, 16, 16] && manifest.latentMean.count == 2 && manifest.latentStd.allSatisfy { $0 > 0 })
        #expect(manifest.normalization.k == 3 && manifest.trainingShapes == 6 && manifest.mirrored)
        #expect(try AutoencoderModelFile.load(dir + "/run/model.safetensors").step == 6)

        #expect(throws: PipelineError.self) { try job.run() }   // the run exists and --resume was not given
        job.resume = true
        let resumed = try job.run()
        #expect(resumed.resumedFrom == 6 && resumed.steps == 6)
        job.steps = 8   // the learning-rate schedule depends on the total: another total is another run
        #expect(throws: GeneratorError.configMismatch(key: "totalSteps")) { try job.run() }
    }
}
