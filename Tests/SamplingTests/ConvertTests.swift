import Foundation
import Dataset
import Testing
import TestSupport
import Geometry
import MeshIO
import Sampling
import Support
@testable import Pipeline

/// A small collection: three good meshes and one broken file, keyed like ShapeNet.
func makeCollection(_ dir: String) throws -> [ConvertItem] {
    let meshes: [(String, TriangleMesh)] = [
        ("02691156/a", .icosphere(subdivisions: 2, radius: 1)),
        ("02691156/b", .box(size: [1, 2, 0.5])),
        ("03001627/c", .torus(major: 0.6, minor: 0.2)),
    ]
    var items = [ConvertItem]()
    for (key, m) in meshes {
        let path = dir + "/" + key.replacingOccurrences(of: "/", with: "_") + ".obj"
        try MeshWriter.write(m, to: path)
        items.append(ConvertItem(key: key, meshPath: path))
    }
    try Data("this is not a mesh\n".utf8).write(to: URL(fileURLWithPath: dir + "/broken.obj"))
    items.insert(ConvertItem(key: "03001627/broken", meshPath: dir + "/broken.obj"), at: 2)
    return items
}

func lines(_ path: String) -> [String] {
    ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
}

@Suite("convert")
struct ConvertTests {
    @Test("an inside-out mesh samples its true inside and is flagged: negative signed volume warns, an open sheet with no inside point warns")
    func insideOutWarnings() throws {
        let tmp = try TemporaryDirectory("inverted"); defer { tmp.remove() }
        let dir = tmp.path
        var m = TriangleMesh.icosphere(subdivisions: 3, radius: 0.5)
        m.triangles = m.triangles.map { SIMD3($0.x, $0.z, $0.y) }
        try MeshWriter.write(m, to: "\(dir)/inverted.ply")
        let r = try SampleJob(input: "\(dir)/inverted.ply", output: "\(dir)/out",
                              settings: SampleSettings(preset: .onet, count: 4000, seed: 1)).run()
        #expect(r.insideFraction > 0.1)
        #expect(r.signedVolume < 0)
        #expect(r.warnings.count == 1 && r.warnings[0].contains("inside-out"))
        #expect(SampleJobResult.warnings(preset: .onet, insideFraction: 0, signedVolume: 0.5).first?.contains("no query point is inside") == true)
        #expect(SampleJobResult.warnings(preset: .udf, insideFraction: 0, signedVolume: 0.5).isEmpty)
    }

    @Test("converts a collection to NFD files numpy-compatible, logs the failure, writes the manifest, and resumes")
    func convertAndResume() throws {
        let tmp = try TemporaryDirectory("convert"); defer { tmp.remove() }
        let dir = tmp.path
        let items = try makeCollection(dir)
        var opts = ConvertOptions(outputDirectory: dir + "/out", settings: SampleSettings(preset: .nfd, count: 3000, seed: 1), jobs: 2, quiet: true)
        let s1 = try ConvertJob(source: ConvertList(items), options: opts).run()
        #expect(s1.models == 4 && s1.converted == 3 && s1.failed == 1 && s1.alreadyDone == 0)
        let manifest = lines(opts.manifestPath)
        #expect(manifest.count == 3)
        let entries = try manifest.map { try JSONDecoder().decode(ManifestEntry.self, from: Data($0.utf8)) }
        #expect(Set(entries.map(\.model)) == ["02691156/a", "02691156/b", "03001627/c"])
        #expect(entries.allSatisfy { $0.points == 3000 && $0.insideFraction > 0.2 && $0.insideFraction < 0.8 })
        let failures = try lines(opts.failuresPath).map { try JSONDecoder().decode(FailureEntry.self, from: Data($0.utf8)) }
        #expect(failures.count == 1 && failures[0].model == "03001627/broken" && !failures[0].reason.isEmpty)
        for e in entries { #expect(try NFDSamples.read(path: dir + "/out/" + e.model + ".npy").points.count == 3000) }

        // A run killed half-way: one model's output missing, a stale temporary left behind.
        let bPath = dir + "/out/02691156/b.npy"
        let original = try Data(contentsOf: URL(fileURLWithPath: bPath))
        try FileManager.default.removeItem(atPath: bPath)
        try Data("partial".utf8).write(to: URL(fileURLWithPath: dir + "/out/02691156/.b.npy.tmp-1-2"))
        let s2 = try ConvertJob(source: ConvertList(items), options: opts).run()
        #expect(s2.alreadyDone == 2 && s2.converted == 1 && s2.failed == 1)
        // The rerun reproduces the lost file bit for bit (per-model seeds derive from the key).
        #expect(try Data(contentsOf: URL(fileURLWithPath: bPath)) == original)
        #expect(lines(opts.manifestPath).count == 4)

        // Shards split the work without overlap and give the same files.
        for i in 0..<2 {
            opts.outputDirectory = dir + "/sharded"
            opts.shard = (i, 2)
            let s = try ConvertJob(source: ConvertList(items), options: opts).run()
            #expect(s.models == 2)
            #expect(FileManager.default.fileExists(atPath: dir + "/sharded/manifest.shard-\(i)-of-2.jsonl"))
        }
        for e in entries {
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/sharded/" + e.model + ".npy")) == Data(contentsOf: URL(fileURLWithPath: dir + "/out/" + e.model + ".npy")))
        }
    }

    @Test("ONet preset writes a model folder with points.npz and pointcloud.npz; bad shards and jobs are typed errors")
    func onetAndBadOptions() throws {
        let tmp = try TemporaryDirectory("convert-onet"); defer { tmp.remove() }
        let dir = tmp.path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let items = Array(try makeCollection(dir).prefix(1))
        var settings = SampleSettings(preset: .onet, count: 2000, seed: 1)
        settings.surfaceCount = 500
        let s = try ConvertJob(source: ConvertList(items), options: ConvertOptions(outputDirectory: dir + "/out", settings: settings, quiet: true)).run()
        #expect(s.converted == 1)
        let p = try OnetPoints.read(path: dir + "/out/02691156/a/points.npz")
        #expect(p.points.count == 2000)
        #expect(try OnetPointCloud.read(path: dir + "/out/02691156/a/pointcloud.npz").points.count == 500)
        #expect(throws: PipelineError.invalidOption("--shard '2/2' is not valid: write i/n with 0 ≤ i < n (e.g. 3/16)")) { try parseShard("2/2") }
        #expect(throws: PipelineError.self) { try parseShard("x") }
        #expect(try parseShard("3/16") == (3, 16))
        #expect(throws: PipelineError.invalidOption("--jobs 0 is not valid: it must be ≥ 1")) {
            try ConvertJob(source: ConvertList(items), options: ConvertOptions(outputDirectory: dir + "/o2", settings: settings, jobs: 0, quiet: true)).run()
        }
    }
}

@Suite("ShapeNet source")
struct ShapeNetSourceTests {
    @Test("walks v1 and v2 layouts in a stable order, shards by position, reports folders without a mesh")
    func walk() throws {
        let tmp = try TemporaryDirectory("shapenet"); defer { tmp.remove() }
        let dir = tmp.path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fm = FileManager.default
        let tri = TriangleMesh(positions: [[0, 0, 0], [1, 0, 0], [0, 1, 0]], triangles: [[0, 1, 2]])
        for (folder, file) in [("02691156/b", "model.obj"), ("02691156/a", "models/model_normalized.obj"), ("03001627/c", "model.obj")] {
            let path = dir + "/" + folder + "/" + file
            try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try MeshWriter.write(tri, to: path)
        }
        try fm.createDirectory(atPath: dir + "/03001627/empty", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: dir + "/notasynset/x", withIntermediateDirectories: true)
        let all = try ShapeNetSource(root: dir).items(shard: (0, 1))
        #expect(all.items.map(\.key) == ["02691156/a", "02691156/b", "03001627/c"])
        #expect(all.items[0].meshPath.hasSuffix("models/model_normalized.obj"))
        #expect(all.skipped.count == 1 && all.skipped[0].folder.hasSuffix("03001627/empty"))
        let s0 = try ShapeNetSource(root: dir).items(shard: (0, 2)), s1 = try ShapeNetSource(root: dir).items(shard: (1, 2))
        #expect(Set(s0.items.map(\.key)).union(s1.items.map(\.key)) == Set(all.items.map(\.key)))
        #expect(Set(s0.items.map(\.key)).isDisjoint(with: s1.items.map(\.key)))
        #expect(try ShapeNetSource(root: dir, categories: ["03001627"]).items(shard: (0, 1)).items.map(\.key) == ["03001627/c"])
        #expect(try ShapeNetSource(root: dir, categories: ["chair"]).items(shard: (0, 1)).items.map(\.key) == ["03001627/c"])
        #expect(throws: DatasetError.self) { try ShapeNetSource(root: dir, categories: ["99999999"]).items(shard: (0, 1)) }
        #expect(throws: DatasetError.noSuchDirectory(dir + "/nope")) { try ShapeNetSource(root: dir + "/nope").items(shard: (0, 1)) }
    }
}
