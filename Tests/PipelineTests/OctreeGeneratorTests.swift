import Fields
import Foundation
import Generators
import Geometry
import MeshIO
import Octrees
import Support
import TensorCore
import Testing
import TestSupport
@testable import Pipeline

/// Inside-positive occupancy of a signed distance (−sdf, level 0).
private struct Solid<F: ScalarField>: ScalarField {
    let sdf: F
    func value(at p: Vec3) -> Float { -sdf.value(at: p) }
}

/// The union of two signed distances, `b` moved by `offset`.
private struct Union<A: ScalarField, B: ScalarField>: ScalarField {
    let a: A, b: B, offset: Vec3
    func value(at p: Vec3) -> Float { min(a.value(at: p), b.value(at: p - offset)) }
}

private func tree(_ sdf: some ScalarField, depth: Int) throws -> Octree {
    try Octree(occupancy: Solid(sdf: sdf), level: 0, depth: depth)
}

@Suite("octree generator jobs: train octree and generate", .serialized)
struct OctreeGeneratorTests {
    @Test("a tree's child-mask tokens give the transformer's sequence, with the same depths and cells")
    func tokensMatchSequence() throws {
        let t = try tree(TorusSDF(majorRadius: 0.5, minorRadius: 0.2), depth: 5)
        let tokens = t.childMaskTokens()
        let s = try OctreeSequenceFolder.sequence(t, path: "torus", depth: 5)
        #expect(s.tokens == tokens.tokens && s.count > 100)
        for i in 0..<s.count {
            let c = tokens.xyz(i)
            #expect(s.positions[i] == OctreeNodePosition(depth: Int(tokens.depths[i]), x: Int(c.x), y: Int(c.y), z: Int(c.z)))
        }
        // The mirrored sequence is the tree of the mirrored solid.
        let mirrored = try tree(TorusSDF(center: Vec3(0.1, 0, 0), majorRadius: 0.5, minorRadius: 0.2), depth: 4)
        let back = try tree(TorusSDF(center: Vec3(-0.1, 0, 0), majorRadius: 0.5, minorRadius: 0.2), depth: 4)
        #expect(try OctreeSequenceFolder.sequence(mirrored, path: "a", depth: 4).mirroredX() == OctreeSequenceFolder.sequence(back, path: "b", depth: 4))
    }

    @Test("the surface stage is watertight and follows a sphere's and a torus's normals better than the depth-5 decode, within a sixth of a cell")
    func smoothSurfaceStage() throws {
        func check<F: GradientField>(_ f: F) throws {
            let t = try tree(f, depth: 5)
            /// Mean |sdf| at the vertices and mean angle (degrees) between face normals and the field's gradient.
            func errors(_ m: TriangleMesh) -> (distance: Float, degrees: Float) {
                let d = m.positions.map { abs(f.value(at: $0)) }.reduce(0, +) / Float(m.positions.count)
                var angle: Float = 0
                for tri in m.triangles {
                    let a = m.positions[Int(tri.x)], b = m.positions[Int(tri.y)], c = m.positions[Int(tri.z)]
                    let n = cross(b - a, c - a), g = f.valueAndGradient(at: (a + b + c) / 3).1
                    angle += acos(max(-1, min(1, (n * g).sum() / ((n * n).sum() * (g * g).sum()).squareRoot()))) * 180 / .pi
                }
                return (d, angle / Float(m.triangles.count))
            }
            let blocky = try t.reconstructMesh(inSourceFrame: false), smooth = try t.smoothMesh(targetDepth: 7, sigma: 0.5)
            #expect(MeshTopology(smooth).isWatertight && MeshTopology(blocky).isWatertight)
            let b = errors(blocky), s = errors(smooth)
            #expect(s.degrees < 0.75 * b.degrees && s.distance < max(1.5 * b.distance, Octree.cellSize(depth: 5) / 6),
                    "\(F.self): normals \(b.degrees)° → \(s.degrees)°, distance \(b.distance) → \(s.distance)")
        }
        try check(SphereSDF(radius: 0.6))
        try check(TorusSDF(majorRadius: 0.5, minorRadius: 0.2))
        #expect(throws: OctreeError.self) { try tree(SphereSDF(radius: 0.6), depth: 5).smoothMesh(targetDepth: 4, sigma: 0.5) }
    }

    @Test("a tiny run trains on trees and token files, refuses to overwrite, resumes, and generates valid watertight shapes in both decodings")
    func trainAndGenerate() throws {
        let tmp = try TemporaryDirectory("octree-gpt"); defer { tmp.remove() }
        let dir = tmp.path
        for (cat, radii) in [("03001627", [0.5, 0.6]), ("04379243", [0.3, 0.4])] {
            try FileManager.default.createDirectory(atPath: "\(dir)/trees/\(cat)", withIntermediateDirectories: true)
            for (k, r) in radii.enumerated() {
                let t = try tree(RoundedBoxSDF(halfExtent: Vec3(Float(r), 0.3, 0.2), radius: 0.05), depth: 3)
                if k == 0 { try OctreeFile.write(t, to: "\(dir)/trees/\(cat)/m\(k).octree") }
                else { try TokenFile.write(t.childMaskTokens(), to: "\(dir)/trees/\(cat)/m\(k).npz") }
            }
        }
        var cfg = OctreeTrainingConfig(model: OctreeTransformerConfig(depth: 3, contextLength: 128, embedDim: 16, heads: 2, layers: 1, mlpRatio: 2, classCount: 2))
        cfg.batchSize = 2; cfg.warmupSteps = 1
        var job = TrainOctreeJob(data: dir + "/trees", output: dir + "/run")
        job.config = cfg; job.steps = 4; job.checkpointEvery = 2; job.quiet = true
        let r = try job.run()
        #expect(r.steps == 4 && r.shapes == 4 && r.categories == ["chair", "table"] && r.depth == 3)
        #expect(FileManager.default.fileExists(atPath: dir + "/run/loss.png"))
        #expect(FileManager.default.fileExists(atPath: dir + "/run/previews/step-000004.png"))   // the last step always previews
        #expect(throws: PipelineError.self) { try job.run() }
        job.resume = true
        #expect(try job.run().resumedFrom == 4)
        job.steps = 6
        #expect(throws: GeneratorError.configMismatch(key: "totalSteps")) { try job.run() }

        for decoding in OctreeDecoding.allCases {
            var gen = GenerateJob(model: dir + "/run", output: dir + "/gen-\(decoding.rawValue)")
            gen.count = 3; gen.category = "table"; gen.settings.decoding = decoding; gen.settings.surfaceDepth = 5
            let g = try gen.run()
            #expect(g.method == decoding.rawValue && g.shapes.count == 3 && g.shapes.allSatisfy { $0.category == "table" })
            for s in g.shapes where !s.watertight {
                let m = try MeshLoader.load(path: s.mesh).mesh
                let t = MeshTopology(m)
                Issue.record("\(s.mesh): boundary \(t.boundaryEdges), non-manifold \(t.nonManifoldEdges), faces \(t.faceCount)")
            }
            for s in g.shapes { #expect(try Octree(tokens: TokenFile.read(s.planes)).depth == 3) }
            #expect(FileManager.default.fileExists(atPath: dir + "/gen-\(decoding.rawValue)/sheet.png"))
        }
        var bad = GenerateJob(model: dir + "/run", output: dir + "/g")
        bad.settings.surfaceDepth = 2
        #expect(throws: PipelineError.self) { try bad.run() }
    }

    @Test("--mirror auto mirrors a symmetric category (its identical mirror images not added twice) and not one whose shapes all face +x; all and none do as they say")
    func mirrorPolicy() throws {
        let tmp = try TemporaryDirectory("octree-mirror"); defer { tmp.remove() }
        let dir = tmp.path
        for (cat, knob) in [("03001627", false), ("03797390", true)] {
            try FileManager.default.createDirectory(atPath: "\(dir)/trees/\(cat)", withIntermediateDirectories: true)
            for (k, w) in [0.35, 0.45, 0.55].enumerated() {
                let body = RoundedBoxSDF(halfExtent: Vec3(Float(w), 0.4, 0.3), radius: 0.05)
                let t = try knob ? tree(Union(a: body, b: SphereSDF(radius: 0.15), offset: Vec3(Float(w) + 0.15, 0, 0)), depth: 4) : tree(body, depth: 4)
                try OctreeFile.write(t, to: "\(dir)/trees/\(cat)/m\(k).octree")
            }
        }
        var cfg = OctreeTrainingConfig(model: OctreeTransformerConfig(depth: 4, contextLength: 512, embedDim: 16, heads: 2, layers: 1, mlpRatio: 2, classCount: 2))
        cfg.batchSize = 2; cfg.warmupSteps = 1
        func train(_ policy: MirrorPolicy) throws -> TrainOctreeJob.Report {
            var job = TrainOctreeJob(data: dir + "/trees", output: dir + "/run-\(policy.rawValue)")
            job.config = cfg; job.steps = 1; job.previewEvery = 0; job.quiet = true; job.mirror = policy
            return try job.run()
        }
        let auto = try train(.auto)
        #expect(auto.mirroredCategories == ["chair"] && auto.sequences == 6, "the boxes' mirrors are the boxes themselves: 3 + 3")
        let chair = try #require(auto.mirrorEvidence.first { $0.category == "chair" }), mug = try #require(auto.mirrorEvidence.first { $0.category == "mug" })
        #expect(chair.invariant && chair.mirroredNearest == 0 && chair.shapes == 3)
        #expect(!mug.invariant && mug.mirroredNearest > mug.nearestOther, "\(mug)")
        #expect(auto.text.contains("mug: not mirrored"))
        let manifest = try #require(try OctreeGeneratorManifest.readIfOctree(dir + "/run-auto"))
        #expect(manifest.mirroredCategories == ["chair"] && manifest.mirrored)
        let all = try train(.all), none = try train(.none)
        #expect(all.mirroredCategories == ["chair", "mug"] && all.sequences == 9 && all.mirrorEvidence.isEmpty)
        #expect(none.mirroredCategories.isEmpty && none.sequences == 6)
        #expect(try OctreeGeneratorManifest.readIfOctree(dir + "/run-none")?.mirrored == false)
    }

    @Test("× 1.25 takes a mesh from the octree frame to NFD's exactly: both centre the bounding box and scale its longest side")
    func octreeFrameToNFD() throws {
        let mesh = TriangleMesh(positions: [Vec3(0.3, -2, 5), Vec3(1.7, 0.4, 5.5), Vec3(0.9, 1, 7.1)], triangles: [SIMD3<UInt32>(0, 1, 2)])
        let octree = mesh.transformed(by: Octree.normalizingFrame(for: mesh.bounds))
        let nfd = mesh.normalized(.nfd).0
        let scaled = octree.transformed(by: SimilarityTransform(scale: OctreeGenerator.toNFDFrame, translation: .zero))
        for (a, b) in zip(scaled.positions, nfd.positions) { #expect(length(a - b) < 1e-5) }
    }

    @Test("eval-generator scores an octree model: every category, its decoding named, every sequence decoded, meshes in NFD's box")
    func evalOctreeModel() throws {
        let tmp = try TemporaryDirectory("octree-eval"); defer { tmp.remove() }
        var synth = SynthJob(output: tmp.path + "/shapes")
        synth.categories = ["chair", "mug"]; synth.perCategory = 2; synth.seed = 5; synth.showProgress = false
        _ = try synth.run()
        var cfg = OctreeTrainingConfig(model: OctreeTransformerConfig(depth: 3, contextLength: 128, embedDim: 16, heads: 2, layers: 1, mlpRatio: 2, classCount: 2))
        cfg.batchSize = 2; cfg.warmupSteps = 1
        var train = TrainOctreeJob(data: synth.output, output: tmp.path + "/run")
        train.config = cfg; train.steps = 2; train.quiet = true
        train.modelDType = .f16                                      // as shipped: the sampling weights in F16
        train.surfaceSteps = 3; train.surfacePointsPerShape = 256    // from meshes: the learned surface stage follows
        let report = try train.run()
        #expect(report.surfaceSteps == 3 && report.surfaceLoss?.isFinite == true)
        for file in ["/run/model.safetensors", "/run/surface/model.safetensors"] {
            #expect(try Safetensors.read(tmp.path + file).entries.values.allSatisfy { $0.dtype == .f16 })
        }
        // A real shape's tree decodes through the run's learned stage (`octree decode --surface-model`): closed
        // (a 3-step decoder may also say "outside" everywhere: then the mesh is empty).
        let mesh = try #require(FileManager.default.enumerator(atPath: synth.output)?.compactMap { $0 as? String }.first { $0.hasSuffix(".obj") })
        var options = OctreeBuildJob.Options(); options.depth = 3; options.fullDepth = 0
        _ = try OctreeBuildJob(input: synth.output + "/" + mesh, output: tmp.path + "/tree.octree", options: options).run()
        var decode = OctreeDecodeJob(input: tmp.path + "/tree.octree", output: tmp.path + "/decoded.obj")
        decode.surfaceDepth = 4; decode.surfaceModel = tmp.path + "/run"
        let decoded = try decode.run()
        #expect(decoded.faces == 0 || decoded.watertight)
        #expect(FileManager.default.fileExists(atPath: tmp.path + "/decoded.obj"))
        decode.surfaceModel = tmp.path + "/run/model.safetensors"             // the transformer's file is no surface model
        #expect(throws: (any Error).self) { try decode.run() }
        for decoding in OctreeDecoding.allCases {
            var eval = GeneratorEvalJob(model: tmp.path + "/run", reference: synth.output)
            eval.training = synth.output; eval.count = 2; eval.points = 128; eval.quiet = true
            eval.settings.decoding = decoding; eval.settings.surfaceDepth = 4
            eval.settings.surface = decoding == .parallel ? .blur : .learned
            let r = try eval.run()
            #expect(r.family == decoding.rawValue && r.sampling.contains(decoding == .parallel ? "parallel" : "next-token"))
            #expect(r.solidSurface && r.text.contains("on each solid's boundary"))           // the default protocol
            #expect(r.rows.map(\.category) == ["chair", "mug"])
            for row in r.rows {
                #expect(row.generated == 2 && row.references == 2 && row.trainingShapes == 2 && row.nonEmpty == 1 && row.insideBox == 1)
                #expect(row.trainingBaseline != nil && row.nearestTrainingMedian != nil)
            }
        }
        // Several seeds: each run is exactly the single-seed run, and the summary is their spread.
        var multi = GeneratorEvalJob(model: tmp.path + "/run", reference: synth.output)
        multi.count = 2; multi.points = 128; multi.quiet = true; multi.settings.surfaceDepth = 4
        multi.seeds = [3, 5]; multi.output = tmp.path + "/eval"
        let r = try multi.run()
        var single = multi
        single.seeds = []; single.output = nil
        single.seed = 5
        let five = try single.run()
        #expect(r.seed == 3 && r.otherSeeds.map(\.seed) == [5] && r.summary.map(\.category) == ["chair", "mug"])
        #expect(r.otherSeeds[0].rows.map(\.metrics) == five.rows.map(\.metrics) && five.otherSeeds.isEmpty && five.summary.isEmpty)
        for (k, s) in r.summary.enumerated() {
            let values = [r.rows[k].metrics.nnaCD, five.rows[k].metrics.nnaCD]
            #expect(s.nnaCD.mean == (values[0] + values[1]) / 2 && s.nnaCD.min == values.min() && s.nnaCD.max == values.max())
        }
        #expect(r.text.contains("over seeds 3, 5") && r.text.contains(", seed 5"))
        #expect(FileManager.default.fileExists(atPath: tmp.path + "/eval/seed-3/chair.png") && FileManager.default.fileExists(atPath: tmp.path + "/eval/seed-5/mug.png"))
    }

    @Test("--surface-only trains just the surface stage into a model folder without training state, leaving the transformer's file byte for byte")
    func surfaceOnly() throws {
        let tmp = try TemporaryDirectory("octree-surface-only"); defer { tmp.remove() }
        var synth = SynthJob(output: tmp.path + "/shapes")
        synth.categories = ["mug"]; synth.perCategory = 2; synth.seed = 3; synth.showProgress = false
        _ = try synth.run()
        var train = TrainOctreeJob(data: synth.output, output: tmp.path + "/run")
        train.config = OctreeTrainingConfig(model: OctreeTransformerConfig(depth: 3, contextLength: 128, embedDim: 16, heads: 2, layers: 1, mlpRatio: 2, classCount: 1))
        train.steps = 2; train.quiet = true; train.surfaceSteps = 0                       // the transformer alone
        _ = try train.run()
        let shipped = tmp.path + "/shipped"                                                // as a shipped model: no state
        try FileManager.default.createDirectory(atPath: shipped, withIntermediateDirectories: true)
        for f in ["generator.json", "model.safetensors"] { try FileManager.default.copyItem(atPath: tmp.path + "/run/" + f, toPath: shipped + "/" + f) }
        let before = try Data(contentsOf: URL(fileURLWithPath: shipped + "/model.safetensors"))
        var stage = TrainOctreeJob(data: synth.output, output: shipped)
        stage.surfaceOnly = true; stage.surfaceSteps = 3; stage.surfacePointsPerShape = 256; stage.quiet = true
        let report = try stage.run()
        #expect(report.surfaceOnly && report.surfaceSteps == 3 && report.surfaceLoss?.isFinite == true && report.depth == 3 && report.shapes == 2)
        #expect(report.text.contains("surface stage only"))
        #expect(try SurfaceDecoderFile.loadChecked(shipped + "/surface/model.safetensors").config.totalSteps == 3)
        #expect(try Data(contentsOf: URL(fileURLWithPath: shipped + "/model.safetensors")) == before)
        #expect(!FileManager.default.fileExists(atPath: shipped + "/state.safetensors"))
        // Again without --resume: its state exists, so the run refuses rather than start over silently.
        #expect(throws: PipelineError.self) { try stage.run() }
        // A folder that holds no octree generator, and data that are not meshes, are refused naming the path.
        var empty = stage
        empty.output = tmp.path + "/nothing"
        do { _ = try empty.run(); Issue.record("a folder without a model was accepted") }
        catch let PipelineError.invalidInput(path, reason) { #expect(path == empty.output && reason.contains("generator.json")) }
        let trees = tmp.path + "/trees/mug"
        try FileManager.default.createDirectory(atPath: trees, withIntermediateDirectories: true)
        try OctreeFile.write(tree(SphereSDF(radius: 0.5), depth: 3), to: trees + "/a.octree")
        var fromTrees = stage
        fromTrees.data = tmp.path + "/trees"; fromTrees.output = tmp.path + "/run"
        do { _ = try fromTrees.run(); Issue.record("trees were accepted") }
        catch let PipelineError.invalidInput(path, reason) { #expect(path == fromTrees.data && reason.contains("meshes")) }
    }

    @Test("--model takes a folder or a shipped model's name; an unknown name is an error naming it")
    func modelNames() throws {
        let octree = try ShippedModels.resolve(ShippedModels.octreeTransformer, default: ShippedModels.triplaneDiffusion)
        #expect(octree.hasSuffix("Assets/models/octree-transformer") && FileManager.default.fileExists(atPath: octree + "/generator.json"))
        #expect(try ShippedModels.resolve(nil, default: ShippedModels.triplaneDiffusion).hasSuffix("Assets/models/triplane-diffusion"))
        #expect(try ShippedModels.resolve("/some/run", default: ShippedModels.triplaneDiffusion) == "/some/run")
        do { _ = try ShippedModels.resolve("no-such-model", default: ShippedModels.triplaneDiffusion); Issue.record("an unknown name resolved") }
        catch let PipelineError.unreadable(path, reason) { #expect(path == "no-such-model" && reason.contains("no shipped model")) }
        var gen = GenerateJob(model: ShippedModels.octreeTransformer, output: FileManager.default.temporaryDirectory.path + "/octoplane-shipped-octree-\(getpid())")
        defer { try? FileManager.default.removeItem(atPath: gen.output) }
        gen.count = 6; gen.seed = 1
        let r = try gen.run()
        #expect(r.method == "next-token" && Set(r.shapes.map(\.category)).count == 6 && r.shapes.allSatisfy(\.watertight))
    }

    @Test("split-flag token files, trees of another depth and adaptive trees are refused naming the file")
    func badTrees() throws {
        let tmp = try TemporaryDirectory("octree-gpt-bad"); defer { tmp.remove() }
        let t = try tree(SphereSDF(radius: 0.5), depth: 4)
        try TokenFile.write(t.splitFlagTokens(), to: tmp.path + "/split.npy")
        do { _ = try OctreeSequenceFolder.sequence(tmp.path + "/split.npy", depth: 4); Issue.record("split flags accepted") } catch let PipelineError.invalidInput(path, reason) {
            #expect(path.hasSuffix("split.npy") && reason.contains("child masks"), "\(reason)")
        }
        try OctreeFile.write(t, to: tmp.path + "/deep.octree")
        do { _ = try OctreeSequenceFolder.sequence(tmp.path + "/deep.octree", depth: 3); Issue.record("a depth-4 tree accepted at depth 3") } catch let PipelineError.invalidInput(path, reason) {
            #expect(path.hasSuffix("deep.octree") && reason.contains("depth-4"), "\(reason)")
        }
        #expect(throws: PipelineError.self) { try TrainOctreeJob(data: tmp.path + "/nothing", output: tmp.path + "/r").run() }
    }
}
