import Foundation
import Generators
import Support
import TensorCore
import Triplanes
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

    @Test("train diffusion --autoencoder diffuses in the latent, and generate decodes its samples back to planes and meshes")
    func latentDiffusion() throws {
        let tmp = try TemporaryDirectory("latent-diffusion"); defer { tmp.remove() }
        let dir = tmp.path
        _ = try twoCategoryPlaneFolder(dir + "/data")
        var ae = TrainAutoencoderJob(data: dir + "/data", output: dir + "/ae")
        var aeConfig = TrainAutoencoderJob.defaultConfig(channels: 24)
        aeConfig.model.channels = [8, 16]; aeConfig.model.latentChannels = 4; aeConfig.model.groups = 4
        aeConfig.batchSize = 4; aeConfig.warmupSteps = 2
        ae.config = aeConfig; ae.steps = 4; ae.previewEvery = 0; ae.iouPoints = 100; ae.quiet = true
        _ = try ae.run()

        var cfg = TrainDiffusionJob.defaultConfig(channels: 4, classes: 2)
        cfg.model.baseChannels = 8; cfg.model.channelMultipliers = [1, 2]; cfg.model.attentionResolutions = []
        cfg.batchSize = 4; cfg.warmupSteps = 2
        var job = TrainDiffusionJob(data: dir + "/data", output: dir + "/run")
        job.config = cfg; job.steps = 4; job.previewEvery = 4; job.quiet = true; job.autoencoder = dir + "/ae"
        _ = try job.run()
        let manifest = try TriplaneGeneratorManifest.read(dir + "/run")
        #expect(manifest.latent?.shape == [4, 16, 16] && manifest.sampleShape == [4, 16, 16])
        #expect(FileManager.default.fileExists(atPath: dir + "/run/autoencoder.safetensors"))
        #expect(FileManager.default.fileExists(atPath: dir + "/run/previews/step-000004.png"))

        var gen = GenerateJob(model: dir + "/run", output: dir + "/gen")
        gen.count = 2; gen.category = "chair"; gen.settings.steps = 3; gen.settings.resolution = 17
        let g = try gen.run()
        #expect(g.shapes.count == 2 && g.shapes.allSatisfy { $0.category == "chair" })
        #expect(try TriplaneFile.read(g.shapes[0].planes).shape == [3, 8, 32, 32])

        // A latent model without its autoencoder, or with another plane size's, is refused.
        try FileManager.default.removeItem(atPath: dir + "/run/autoencoder.safetensors")
        #expect(throws: (any Error).self) { try gen.run() }
        // An autoencoder trained on other planes' statistics is refused before training.
        let other = try twoCategoryPlaneFolder(dir + "/other")
        try PlaneNormalization.measure(other.map { $0 * 2 }, k: 4).write(to: dir + "/other/normalization.json")
        var mismatched = TrainDiffusionJob(data: dir + "/other", output: dir + "/run2")
        mismatched.config = cfg; mismatched.steps = 4; mismatched.quiet = true; mismatched.autoencoder = dir + "/ae"
        #expect(throws: PipelineError.self) { try mismatched.run() }
    }

    @Test("without a config, a latent run trains the latent recipe (min-SNR-γ 5 over 4,000 steps), a plane run the plane recipe")
    func latentRecipeByDefault() {
        var job = TrainDiffusionJob(data: "planes", output: "run")
        let planes = job.trainingConfig(channels: 24, classes: 6)
        #expect(planes.minSNRGamma == 0 && planes.totalSteps == 6_000)
        job.autoencoder = "ae"
        let latent = job.trainingConfig(channels: 8, classes: 6)
        #expect(latent.minSNRGamma == 5 && latent.totalSteps == 4_000)
        #expect(latent.model.inChannels == 8 && latent.model.classCount == 6)
        // Everything else is the one recipe.
        var same = latent; same.minSNRGamma = 0; same.totalSteps = 6_000; same.model.inChannels = 24
        #expect(same == planes)
        job.steps = 10
        #expect(job.trainingConfig(channels: 8, classes: 6).totalSteps == 10)
        job.config = planes
        #expect(job.trainingConfig(channels: 8, classes: 6).minSNRGamma == 0, "a given config is kept")
    }

    @Test("the occupancy term has zero gradient when the reconstruction equals the original, and pulls a perturbed one back")
    func occupancyTerm() throws {
        let tmp = try TemporaryDirectory("occupancy-term"); defer { tmp.remove() }
        let planes = try twoCategoryPlaneFolder(tmp.path)
        let normalization = try PlaneNormalization.read(tmp.path + "/normalization.json")
        let decoder = TriplaneDecoder(config: TriplaneConfig(), seed: 3)
        for p in decoder.trainableParameters { p.requiresGrad = false }
        let term = TrainAutoencoderJob.occupancyConsistency(decoder: decoder, normalization: normalization, planeShape: [3, 8, 32, 32])
        let x = Tensor.concat(planes.prefix(2).map { normalization.normalize($0).reshaped([1, 24, 32, 32]) }, axis: 0)
        func value(_ r: Tensor, seed: UInt64 = 9) -> Tensor { var rng = SeededRandom(seed: seed); return term(r, x, 256, &rng) }

        let exact = x.copy(); exact.requiresGrad = true
        let atOriginal = value(exact)
        atOriginal.backward()
        #expect(exact.grad!.scalars.map(Swift.abs).max()! < 1e-7, "gradient at the original")
        #expect(value(x.copy()).item == atOriginal.item, "the same draws give the same value")

        var rng = SeededRandom(seed: 4)
        let perturbed = x + Tensor.randn(x.shape, std: 0.5, rng: &rng)
        perturbed.requiresGrad = true
        let before = value(perturbed)
        #expect(before.item > atOriginal.item)
        before.backward()
        let stepped = perturbed.detached() - perturbed.grad! * (0.5 / perturbed.grad!.scalars.map(Swift.abs).max()!)
        #expect(value(stepped).item < before.item, "a gradient step lowers the term")
    }
}
