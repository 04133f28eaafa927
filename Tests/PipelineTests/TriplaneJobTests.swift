import ArrayIO
import Foundation
import Geometry
import MeshIO
import NN
import Sampling
import Spatial
import Extraction
import TensorCore
import Testing
import TestSupport
import Triplanes
@testable import Pipeline

private let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// NFD samples of two bundled meshes, written as `convert --preset nfd` would.
private func bundledSamples(in dir: String, names: [String] = ["torus.ply", "bevelled-box.ply"]) throws {
    for (i, n) in names.enumerated() {
        let mesh = try MeshLoader.load(path: "\(repoRoot)/Assets/meshes/\(n)").mesh
        let out = try SampleRecipe.run(mesh, settings: SampleSettings(preset: .nfd, count: 40_000, seed: UInt64(i)))
        try out.write(to: "\(dir)/\(n).npy")
    }
}

private let tiny = TriplaneConfig(resolution: 16, channels: 4, hidden: [32, 32], fourierFeatures: 16)

@Suite("triplane jobs: train-decoder, fit, decode, convert --to triplane, render --planes")
struct TriplaneJobTests {
    @Test("train-decoder writes a decoder, refuses to overwrite a run, and resumes it to more steps")
    func trainDecoderResumes() throws {
        let tmp = try TemporaryDirectory("train-decoder"); defer { tmp.remove() }
        let dir = tmp.path
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        try bundledSamples(in: dir + "/data")
        var job = TriplaneTrainDecoderJob(data: dir + "/data", output: dir + "/d.safetensors")
        job.config = tiny
        job.settings = DecoderTrainingSettings(steps: 40, objectsPerStep: 2, pointsPerObject: 512, edrPoints: 128, seed: 3)
        job.checkpointEvery = 20; job.quiet = true; job.rowsPerObject = 10_000
        let r = try job.run()
        #expect(r.steps == 40 && r.objects == 2 && r.resumedFrom == nil)
        #expect(try TriplaneDecoder.load(from: dir + "/d.safetensors").decoder.config == tiny)
        // Without --resume an existing run is not overwritten.
        #expect(throws: PipelineError.self) { try job.run() }
        job.resume = true; job.settings.steps = 60
        let again = try job.run()
        #expect(again.resumedFrom == 40 && again.steps == 60)
        // The log has a line every 10 steps of both runs.
        let lines = try String(contentsOfFile: dir + "/d.safetensors.log.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 6)
        // A folder without sample files is refused, naming it.
        #expect(throws: PipelineError.self) { try TriplaneTrainDecoderJob(data: dir + "/nothing", output: dir + "/x.safetensors").run() }
    }

    @Test("the shipped decoder fits two bundled shapes to IoU ≥ 0.9 and F@1% ≥ 0.9 (seeded)", arguments: ["torus.ply", "goblet.ply"])
    func shippedDecoderFitsBundledShapes(name: String) throws {
        let tmp = try TemporaryDirectory("fit"); defer { tmp.remove() }
        let dir = tmp.path
        var job = TriplaneFitJob(input: "\(repoRoot)/Assets/meshes/\(name)", output: dir + "/planes.npy")
        job.decoder = "\(repoRoot)/Assets/models/\(ShippedModels.triplaneDecoder)"
        job.samplePoints = 100_000; job.metricResolution = 129; job.seed = 1
        let r = try job.run()
        let q = try #require(r.quality)
        #expect(q.iou >= 0.9, "IoU \(q.iou)")
        #expect((q.fScore1 ?? 0) >= 0.9, "F@1% \(q.fScore1 ?? .nan)")
        #expect(r.shape == [3, 8, 32, 32])
        // The planes decode back to a watertight mesh, and render as an image.
        var dec = TriplaneDecodeJob(input: dir + "/planes.npy", output: dir + "/mesh.obj")
        dec.decoder = job.decoder; dec.resolution = 65
        let d = try dec.run()
        #expect(d.faces > 100 && d.watertight)
        let png = try RenderPlanesJob(input: dir + "/planes.npy", output: dir + "/planes.png").run()
        #expect(png.width > 3 * 32 && FileManager.default.fileExists(atPath: dir + "/planes.png"))
    }

    @Test("convert --to triplane writes planes, fit IoU in the manifest and normalization statistics, and resumes")
    func convertWritesTriplanes() throws {
        let tmp = try TemporaryDirectory("convert-triplane"); defer { tmp.remove() }
        let dir = tmp.path
        let items = ["torus.ply", "bevelled-box.ply", "no-such-mesh.ply"].map {
            ConvertItem(key: "meshes/" + $0.replacingOccurrences(of: ".ply", with: ""), meshPath: "\(repoRoot)/Assets/meshes/\($0)")
        }
        var t = TriplaneConvertSettings()
        t.decoder = "\(repoRoot)/Assets/models/\(ShippedModels.triplaneDecoder)"
        t.fit.steps = 30; t.samplePoints = 20_000; t.iouPoints = 5_000
        let opts = ConvertOptions(outputDirectory: dir + "/out", settings: SampleSettings(preset: .nfd), quiet: true)
        let s = try ConvertJob(source: ConvertList(items), options: opts, target: .triplane(t)).run()
        #expect(s.converted == 2 && s.failed == 1)
        #expect(FileManager.default.fileExists(atPath: dir + "/out/meshes/torus.npy"))
        let manifest = try String(contentsOfFile: s.manifest, encoding: .utf8).split(separator: "\n")
        #expect(manifest.count == 2)
        let line = try #require(try JSONSerialization.jsonObject(with: Data(manifest[0].utf8)) as? [String: Any])
        let iou = try #require(line["fitIoU"] as? Double)
        #expect(iou > 0 && iou <= 1)
        let norm = try PlaneNormalization.read(try #require(s.normalization), expectedChannels: 24)
        #expect(norm.objects == 2)
        // A rerun converts nothing and keeps the statistics.
        let again = try ConvertJob(source: ConvertList(items), options: opts, target: .triplane(t)).run()
        #expect(again.converted == 0 && again.alreadyDone == 2)
    }

    @Test("a rod thinner than a coarse lattice's spacing is meshed whole, where coarse-to-fine extraction loses it")
    func thinRodIsNotLost() throws {
        // One channel, no Fourier mapping, logit = 10·relu(f) − 5: inside where the summed feature
        // f > ½. A single texel of 1 on the (x, y) plane makes f a bilinear bump of half-width one
        // texel (2/31), so the inside is a rod along z about a texel thick, through the whole frame.
        let config = TriplaneConfig(resolution: 32, channels: 1, hidden: [1], fourierFeatures: 0)
        let decoder = TriplaneDecoder(config: config, seed: 0)
        decoder.mlp.layers[0].weight.mutableData[0] = 1; decoder.mlp.layers[0].bias!.mutableData[0] = 0
        decoder.mlp.layers[1].weight.mutableData[0] = 10; decoder.mlp.layers[1].bias!.mutableData[0] = -5
        // Put the rod on the texel farthest from the 17³ coarse lattice that sparse extraction at
        // 129³ starts from (the lattice reaches 2 cells past the frame, as decodeTriplane's).
        let n = 129, box = AABB.cube(halfSize: 1 + 4 / Float(n - 5))
        let coarse = (0...16).map { box.min.x + Float($0) * (box.max.x - box.min.x) / 16 }
        let texel = { (k: Int) in -1 + 2 * Float(k) / 31 }
        let k = (0..<32).max { a, b in
            coarse.map { abs($0 - texel(a)) }.min()! < coarse.map { abs($0 - texel(b)) }.min()!
        }!
        let nearest = coarse.map { abs($0 - texel(k)) }.min()! * 31 / 2   // in texels, on both axes
        #expect((1 - nearest) * (1 - nearest) < 0.4, "no coarse corner lies inside the rod (f ≤ ½ there)")
        var values = [Float](repeating: 0, count: 3 * 32 * 32)
        values[k * 32 + k] = 1
        let field = try TriplaneField(decoder: decoder, planes: Tensor(values, shape: [3, 1, 32, 32]))

        let sparse = try SparseMarchingCubes.extract(OutsideBeyondFrame(field: field, outside: -1), bounds: box,
                                                     resolution: n, level: 0, inside: .higher).mesh
        #expect(sparse.isEmpty, "the hazard this guards against: no coarse corner sees the rod")
        let mesh = try decodeTriplane(field, resolution: n, method: .mc)
        let b = mesh.bounds
        #expect(MeshTopology(mesh).isWatertight)
        #expect(b.min.z < -0.98 && b.max.z > 0.98, "the rod runs through the frame: z \(b.min.z)…\(b.max.z)")
        for axis in 0..<2 {
            #expect(abs(b.min[axis] - texel(k)) < 2 / 31 && abs(b.max[axis] - texel(k)) < 2 / 31, "thin across, axis \(axis)")
        }
    }

    @Test("bad samples, planes and decoders end in typed errors naming the file")
    func badInput() throws {
        let tmp = try TemporaryDirectory("triplane-bad"); defer { tmp.remove() }
        let dir = tmp.path
        let decoder = "\(repoRoot)/Assets/models/\(ShippedModels.triplaneDecoder)"
        // Samples without the occupancy column, with a NaN row, with an occupancy of 0.5.
        try Npy.write(try NpyArray(floats: [Float](repeating: 0, count: 30), shape: [10, 3]), to: dir + "/three.npy")
        try Npy.write(try NpyArray(floats: [0, 0, .nan, 1, 0.1, 0.2, 0.3, 0], shape: [2, 4]), to: dir + "/nan.npy")
        try Npy.write(try NpyArray(floats: [0, 0, 0, 0.5], shape: [1, 4]), to: dir + "/half.npy")
        for f in ["three", "nan", "half"] {
            var job = TriplaneFitJob(input: "\(dir)/\(f).npy", output: dir + "/out.npy")
            job.decoder = decoder
            #expect(throws: TriplaneError.self, "\(f)") { try job.run() }
        }
        // Planes of another channel count than the decoder's.
        try Npy.write(try NpyArray(floats: [Float](repeating: 0, count: 3 * 4 * 32 * 32), shape: [3, 4, 32, 32]), to: dir + "/c4.npy")
        var dec = TriplaneDecodeJob(input: dir + "/c4.npy", output: dir + "/m.obj")
        dec.decoder = decoder
        #expect(throws: TriplaneError.self) { try dec.run() }
        // A decoder path that is not a decoder.
        dec.decoder = "\(repoRoot)/Assets/meshes/torus.ply"
        #expect(throws: TriplaneError.self) { try dec.run() }
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.npy") && !FileManager.default.fileExists(atPath: dir + "/m.obj"))
        // `triplane eval` refuses a lattice it cannot decode before it fits anything.
        var eval = TriplaneEvalJob(inputs: ["\(repoRoot)/Assets/meshes/torus.ply"])
        eval.decoder = decoder; eval.metricResolution = 0; eval.quiet = true
        #expect(throws: PipelineError.self) { try eval.run() }
        // `convert --to triplane` refuses options no fit can use before it samples any model: no
        // output folder, manifest or failure log is written.
        let items = [ConvertItem(key: "meshes/torus", meshPath: "\(repoRoot)/Assets/meshes/torus.ply")]
        let opts = ConvertOptions(outputDirectory: dir + "/convert", settings: SampleSettings(preset: .nfd), quiet: true)
        var bad = [TriplaneConvertSettings](repeating: TriplaneConvertSettings(), count: 3)
        bad[0].samplePoints = 1; bad[1].fit.steps = 0; bad[2].normalizationK = .nan
        for (k, var t) in bad.enumerated() {
            t.decoder = decoder
            #expect(throws: (any Error).self, "case \(k)") { try ConvertJob(source: ConvertList(items), options: opts, target: .triplane(t)).run() }
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/convert"))
    }
}

@Suite("the triplane reconstruction method of regress suites")
struct TriplaneReconstructionTests {
    @Test("triplane fit + decode reconstructs a unit-cube shape in its own frame, closed, and round-trips its suite spelling")
    func reconstructsInFrame() throws {
        let raw = try MeshLoader.load(path: "\(repoRoot)/Assets/meshes/torus.ply").mesh
        let (mesh, _) = raw.normalized(.onet)
        let method = ReconstructionMethod.triplane(steps: 150, resolution: 65, decoder: "\(repoRoot)/Assets/models/\(ShippedModels.triplaneDecoder)")
        #expect(try ReconstructionMethod(kind: method.kind, parameters: method.parameters) == method)
        let out = try method.reconstruct(mesh, bvh: TriangleBVH(mesh: mesh), shapeId: "torus")
        #expect(MeshTopology(out.mesh).isWatertight)
        let a = mesh.bounds, b = out.mesh.bounds
        #expect(length(a.min - b.min) < 0.05 && length(a.max - b.max) < 0.05, "input \(a), reconstruction \(b)")
        #expect(throws: ReconstructionMethod.SpecError.self) { try ReconstructionMethod(kind: "triplane", parameters: ["steps": .int(0)]) }
    }
}
