import Dataset
import Foundation
import Generators
import MeshIO
import Support
import NN
import Testing
import TestSupport
import TensorCore
import Triplanes
@testable import Pipeline

private let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// A `convert --to triplane`-like folder at `dir` of two "categories" of 3 × 8 × 32² planes, three
/// shapes each: chair-folder planes are +0.05 on channel 0, table-folder −0.05, plus N(0, 0.01²);
/// normalization statistics with k = 4. Returns the planes in file order.
func twoCategoryPlaneFolder(_ dir: String) throws -> [Tensor] {
    let shape = [3, 8, 32, 32]
    var rng = SeededRandom(seed: 1)
    var all: [Tensor] = []
    for (synset, sign) in [("03001627", Float(1)), ("04379243", Float(-1))] {
        try FileManager.default.createDirectory(atPath: "\(dir)/\(synset)", withIntermediateDirectories: true)
        for k in 0..<3 {
            let p = Tensor.randn(shape, std: 0.01, rng: &rng)
            for i in 0..<(32 * 32) { p.mutableData[i] += 0.05 * sign }
            try TriplaneFile.write(p, to: "\(dir)/\(synset)/m\(k).npy")
            all.append(p)
        }
    }
    try PlaneNormalization.measure(all, k: 4).write(to: "\(dir)/normalization.json")
    return all
}

@Suite("triplane diffusion jobs: train diffusion and generate")
struct DiffusionJobTests {
    @Test("the diffusion sampler is DDIM 50 unless told otherwise; DDPM takes 100 steps unless --steps says how many")
    func samplerDefaults() {
        var s = GenerationSettings()
        #expect(s.diffusionSampler(dataBound: 3) == SamplerSettings(method: .ddim(eta: 0), steps: 50, clipX0: 3, guidance: 2))
        #expect(s.describe(octree: false) == "50 DDIM steps, guidance 2.0")
        s.sampler = .ddpm
        #expect(s.diffusionSampler(dataBound: 3) == SamplerSettings(method: .ddpm, steps: 100, clipX0: 3, guidance: 2))
        s.steps = 20
        #expect(s.diffusionSampler(dataBound: 0) == SamplerSettings(method: .ddpm, steps: 20, clipX0: nil, guidance: 2))
        #expect(s.describe(octree: false) == "20 DDPM steps, guidance 2.0")
        // Reports print settings as given, not rounded to one decimal.
        s.guidance = 1.25; s.temperature = 0.85
        #expect(s.describe(octree: false) == "20 DDPM steps, guidance 1.25")
        #expect(s.describe(octree: true).hasPrefix("next-token decoding, temperature 0.85,"))
    }

    @Test("mirroring planes across x mirrors the decoded field exactly")
    func mirrorIsExact() throws {
        let (decoder, _) = try TriplaneDecoder.load(from: "\(repoRoot)/Assets/models/\(ShippedModels.triplaneDecoder)")
        var rng = SeededRandom(seed: 5)
        let planes = Tensor.randn(decoder.config.planeShape, std: 0.05, rng: &rng)
        let pts = (0..<600).map { _ in rng.uniform(-1, 1) }
        var flipped = pts
        for i in stride(from: 0, to: pts.count, by: 3) { flipped[i] = -pts[i] }
        let a = decoder.evaluate(mirroredX(planes), points: pts), b = decoder.evaluate(planes, points: flipped)
        #expect(zip(a, b).allSatisfy { Swift.abs($0 - $1) < 1e-5 })
        #expect(mirroredX(mirroredX(planes)).scalars == planes.scalars)
    }

    @Test("--mirror auto keeps the mirrors of a category whose planes are symmetric in x and drops those of one whose feature always sits on +x")
    func mirrorPolicy() throws {
        let tmp = try TemporaryDirectory("plane-mirror"); defer { tmp.remove() }
        let shape = [3, 8, 32, 32]
        var rng = SeededRandom(seed: 2)
        // One background shared by every shape, itself symmetric in x: only the bumps differ.
        let noise = Tensor.randn(shape, std: 0.01, rng: &rng), flipped = mirroredX(noise)
        for i in 0..<noise.count { noise.mutableData[i] = 0.5 * (noise.data[i] + flipped.data[i]) }
        var all: [Tensor] = []
        for (synset, oneSided) in [("03001627", false), ("03797390", true)] {
            try FileManager.default.createDirectory(atPath: "\(tmp.path)/\(synset)", withIntermediateDirectories: true)
            for k in 0..<4 {
                let p = noise.copy()
                let height = 0.05 + 0.01 * Float(k)
                // Plane (x, y), channel 0: a bump over columns u (x) — centred, or on the +x side only.
                for v in 0..<32 { for u in 0..<32 where oneSided ? u >= 24 : abs(2 * u - 31) <= 9 { p.mutableData[v * 32 + u] += height } }
                try TriplaneFile.write(p, to: "\(tmp.path)/\(synset)/m\(k).npy")
                all.append(p)
            }
        }
        try PlaneNormalization.measure(all, k: 4).write(to: "\(tmp.path)/normalization.json")
        let auto = try TriplaneTrainingSet(tmp.path, normalizationK: nil, mirror: .auto)
        #expect(auto.mirroredCategories == ["chair"] && auto.dataset.count == 12 && auto.originalIndex == [0, 2, 4, 6, 8, 9, 10, 11])
        let mug = try #require(auto.mirrorEvidence.first { $0.category == "mug" })
        #expect(!mug.invariant && auto.mirrorEvidence.first { $0.category == "chair" }?.invariant == true, "\(auto.mirrorEvidence)")
        let every = try TriplaneTrainingSet(tmp.path, normalizationK: nil, mirror: .all), no = try TriplaneTrainingSet(tmp.path, normalizationK: nil, mirror: .none)
        #expect(every.dataset.count == 16 && every.mirroredCategories == ["chair", "mug"] && every.mirrorEvidence.isEmpty)
        #expect(no.dataset.count == 8 && no.originalIndex == Array(0..<8) && no.mirroredCategories.isEmpty)
        // The mirror follows its shape: image 1 is image 0 mirrored.
        let normalized = auto.normalization.normalize(mirroredX(all[0])).scalars
        #expect(auto.dataset.images.slice(axis: 0, 1..<2).copy().scalars == normalized)
    }

    @Test("a tiny run trains, refuses to overwrite, resumes, and generates meshes of a named category with a sheet")
    func trainAndGenerate() throws {
        let tmp = try TemporaryDirectory("diffusion"); defer { tmp.remove() }
        let dir = tmp.path
        let all = try twoCategoryPlaneFolder(dir + "/data")
        var cfg = TrainDiffusionJob.defaultConfig(channels: 24, classes: 2)
        cfg.model.baseChannels = 8; cfg.model.channelMultipliers = [1, 2]; cfg.model.attentionResolutions = []
        cfg.batchSize = 4; cfg.warmupSteps = 2
        var job = TrainDiffusionJob(data: dir + "/data", output: dir + "/run")
        job.config = cfg; job.steps = 6; job.checkpointEvery = 3; job.previewEvery = 3; job.quiet = true
        let r = try job.run()
        #expect(r.steps == 6 && r.shapes == 6 && r.categories == ["chair", "table"])
        for f in ["loss.png", "previews/step-000003.png", "previews/step-000006.png"] {
            #expect(FileManager.default.fileExists(atPath: "\(dir)/run/\(f)"), "\(f) was not written")
        }
        // Training maps the folder's statistics with its own k (3), and the model keeps that map.
        let manifest = try TriplaneGeneratorManifest.read(dir + "/run")
        let folderStats = try PlaneNormalization.read("\(dir)/data/normalization.json")
        #expect(folderStats.k == 4 && manifest.normalization.k == 3 && manifest.normalization.mean == folderStats.mean)
        // The sampler's default x̂₀ bound is the largest |value| of the normalized training planes,
        // mirrored copies included (mirroring moves values, never changes their magnitudes).
        let largest = all.map { manifest.normalization.normalize($0).scalars.map(Swift.abs).max()! }.max()!
        #expect(manifest.x0Bound == largest && largest > 1)
        #expect(throws: PipelineError.self) { try job.run() }
        // Resuming needs the same config (the engine refuses another one, naming the key).
        job.resume = true
        #expect(try job.run().resumedFrom == 6)
        job.steps = 8
        #expect(throws: GeneratorError.configMismatch(key: "totalSteps")) { try job.run() }

        var gen = GenerateJob(model: dir + "/run", output: dir + "/gen")
        gen.count = 2; gen.category = "table"; gen.settings.steps = 3; gen.settings.resolution = 17
        let g = try gen.run()
        #expect(g.shapes.count == 2 && g.shapes.allSatisfy { $0.category == "table" })
        #expect(FileManager.default.fileExists(atPath: dir + "/gen/sheet.png"))
        #expect(try TriplaneFile.read(g.shapes[0].planes).shape == [3, 8, 32, 32])
        gen.category = "lamp"
        do { _ = try gen.run(); Issue.record("an unknown category was accepted") } catch let PipelineError.invalidOption(m) {
            #expect(m.contains("chair, table"), "\(m)")
        }
        // A manifest from before x0Bound existed still loads (the sampler then clamps to ±1); a
        // bound that is not finite and positive is refused naming the file.
        let json = try String(contentsOfFile: dir + "/run/generator.json", encoding: .utf8)
        let withoutBound = json.split(separator: "\n").filter { !$0.contains("x0Bound") }.joined(separator: "\n")
            .replacingOccurrences(of: ",\n}", with: "\n}")
        try withoutBound.write(toFile: dir + "/run/generator.json", atomically: true, encoding: .utf8)
        #expect(try TriplaneGeneratorManifest.read(dir + "/run").x0Bound == nil)
        var bad = manifest; bad.x0Bound = -1
        try bad.write(to: dir + "/run")
        #expect(throws: PipelineError.self) { try TriplaneGeneratorManifest.read(dir + "/run") }
        try manifest.write(to: dir + "/run")

        // eval-generator: per category, samples vs held-out shapes and the training set.
        for (name, seed) in [("held", UInt64(7)), ("train", UInt64(1))] {
            var synth = SynthJob(output: "\(dir)/\(name)"); synth.categories = ["chair", "table"]; synth.perCategory = 2; synth.seed = seed
            synth.showProgress = false
            _ = try synth.run()
        }
        var eval = GeneratorEvalJob(model: dir + "/run", reference: dir + "/held")
        eval.training = dir + "/train"; eval.count = 2; eval.settings.steps = 2; eval.settings.resolution = 17; eval.points = 256; eval.output = dir + "/eval"; eval.quiet = true
        let e = try eval.run()
        #expect(e.rows.map(\.category) == ["chair", "table"])
        for row in e.rows {
            #expect(row.generated == 2 && row.references == 2 && row.trainingShapes == 2)
            #expect((0...1).contains(row.metrics.nnaCD) && (0...1).contains(row.metrics.covCD) && row.metrics.mmdCD >= 0)
            #expect(row.nearestTrainingMedian != nil && row.referenceNearestTrainingMedian != nil && row.trainingBaseline != nil)
            // Unseen shapes of a category are at some positive distance from every training shape.
            #expect(row.referenceNearestTrainingMedian! > 0)
            #expect(FileManager.default.fileExists(atPath: "\(dir)/eval/\(row.category).png"))
        }
        eval.categories = ["lamp"]
        #expect(throws: PipelineError.self) { try eval.run() }
    }

    @Test("the shipped model, for a fixed seed, yields non-empty watertight meshes inside the [-1, 1]³ box for every category",
          .enabled(if: Prerequisite.file("\(repoRoot)/Assets/models/\(ShippedModels.triplaneDiffusion)/model.safetensors"), "needs the shipped diffusion model"))
    func shippedModel() throws {
        let tmp = try TemporaryDirectory("shipped-diffusion"); defer { tmp.remove() }
        var gen = GenerateJob(model: "\(repoRoot)/Assets/models/\(ShippedModels.triplaneDiffusion)", output: tmp.path)
        gen.count = 6; gen.settings.steps = 10; gen.settings.resolution = 65; gen.seed = 3
        let r = try gen.run()
        #expect(Set(r.shapes.map(\.category)) == Set(SynthCategory.allCases.map(\.rawValue)))
        let cell: Float = 2.0 / 64
        for s in r.shapes {
            let mesh = try MeshLoader.load(path: s.mesh).mesh
            #expect(!mesh.isEmpty && s.watertight, "\(s.category): \(s.faces) faces, watertight \(s.watertight)")
            #expect(mesh.positions.allSatisfy { max(Swift.abs($0.x), Swift.abs($0.y), Swift.abs($0.z)) <= 1 + cell }, "\(s.category) leaves the box")
        }
    }

    @Test("a folder of planes without normalization statistics, or of mixed shapes, is refused")
    func badFolders() throws {
        let tmp = try TemporaryDirectory("diffusion-bad"); defer { tmp.remove() }
        let dir = tmp.path
        try FileManager.default.createDirectory(atPath: dir + "/a/03001627", withIntermediateDirectories: true)
        try TriplaneFile.write(Tensor(zeros: [3, 8, 32, 32]), to: dir + "/a/03001627/x.npy")
        #expect(throws: TriplaneError.self) { try TrainDiffusionJob(data: dir + "/a", output: dir + "/r").run() }
        try TriplaneFile.write(Tensor(zeros: [3, 4, 32, 32]), to: dir + "/a/03001627/y.npy")
        #expect(throws: TriplaneError.self) { try TrainDiffusionJob(data: dir + "/a", output: dir + "/r").run() }
        #expect(throws: PipelineError.self) { try GenerateJob(model: dir + "/nothing", output: dir + "/g").run() }
    }
}
