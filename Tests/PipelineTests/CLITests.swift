import ArrayIO
import Foundation
import Generators
import Testing
import TestSupport
@testable import Pipeline

/// The `octoplane` executable built beside the test bundle (`swift build` / `swift test` build it), or nil
/// (shared by the CLI test files of this target).
let octoplaneBinary: String? = {
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for candidate in [dir, dir.deletingLastPathComponent()] {
        let p = candidate.appendingPathComponent("octoplane").path
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
}()

/// The bundled meshes (`Assets/meshes`), found from this file's path.
private let assets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Assets/meshes").path

/// Exit statuses of the command line: 0 success, 1 a job's error (bad input, unwritable output),
/// 64 (EX_USAGE) a bad argument rejected by the parser or `validate()`.
private enum Exit {
    static let ok: Int32 = 0, failure: Int32 = 1, usage: Int32 = 64
}

private struct Run {
    var status: Int32
    var out: String
    var err: String
    /// stdout parsed as a JSON object.
    func json() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any], "not a JSON object: \(out)")
    }
}

/// Runs the binary with `args`; stdout and stderr are read concurrently (no pipe deadlock).
private func octoplane(_ args: [String], environment: [String: String]? = nil) throws -> Run {
    let binary = try #require(octoplaneBinary, "the octoplane executable was not built beside the tests")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: binary)
    p.arguments = args
    if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out; p.standardError = err
    try p.run()
    // stderr is drained on its own thread (a full pipe would block the child); the box is read only
    // after that thread has finished.
    final class Box: @unchecked Sendable { var data = Data() }
    let errBox = Box()
    let reader = Thread { errBox.data = err.fileHandleForReading.readDataToEndOfFile() }
    reader.start()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    while !reader.isFinished { usleep(1000) }
    return Run(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: errBox.data, as: UTF8.self))
}

/// `octoplane(args)` as a tuple, with extra environment variables (for the other CLI test files
/// of this target).
func run(_ args: [String], environment: [String: String]? = nil) throws -> (status: Int32, out: String, err: String) {
    let r = try octoplane(args, environment: environment)
    return (r.status, r.out, r.err)
}

/// Expects `args` to be refused with `status` and a one-line reason on stderr mentioning `mention`,
/// with nothing on stdout.
private func expectRefused(_ args: [String], status: Int32, mentioning mention: String,
                           sourceLocation: SourceLocation = #_sourceLocation) throws {
    let r = try octoplane(args)
    #expect(r.status == status, "\(args): exit \(r.status), stderr: \(r.err)", sourceLocation: sourceLocation)
    #expect(r.err.contains(mention), "\(args): stderr does not mention '\(mention)': \(r.err)", sourceLocation: sourceLocation)
    #expect(r.out.isEmpty, "\(args): stdout: \(r.out)", sourceLocation: sourceLocation)
}

/// Expects a successful run and returns it.
@discardableResult
private func expectSuccess(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Run {
    let r = try octoplane(args)
    #expect(r.status == Exit.ok, "\(args): exit \(r.status), stderr: \(r.err)", sourceLocation: sourceLocation)
    return r
}

/// Sphere SDF of radius 0.3 on an n³ grid over [-0.5, 0.5]³, as float32 .npy.
private func writeSphereGrid(_ path: String, n: Int = 12) throws {
    var v: [Float] = []
    for i in 0..<n { for j in 0..<n { for k in 0..<n {
        let p = SIMD3<Float>(Float(i), Float(j), Float(k)) / Float(n - 1) - 0.5
        v.append((p * p).sum().squareRoot() - 0.3)
    } } }
    try Npy.write(try NpyArray(floats: v, shape: [n, n, n]), to: path)
}

/// Every subcommand of the built binary: one small real run, a bad argument, the exit statuses.
@Suite("The octoplane command line", .enabled(if: Prerequisite.met(octoplaneBinary != nil), "needs the octoplane executable (swift build)"))
struct CLITests {
    @Test("info: text and JSON on a bundled mesh; a missing or empty file exits 1 naming it and writes nothing")
    func info() throws {
        let r = try expectSuccess(["info", "\(assets)/icosphere.ply", "--json"])
        let obj = try r.json()
        #expect(obj["faces"] as? Int == 1280 && obj["watertight"] as? Bool == true && obj["eulerCharacteristic"] as? Int == 2)
        #expect(try expectSuccess(["info", "\(assets)/icosphere.ply"]).out.contains("triangles:   1280"))
        let tmp = try TemporaryDirectory("cli-info"); defer { tmp.remove() }
        let dir = tmp.path
        _ = FileManager.default.createFile(atPath: "\(dir)/empty.obj", contents: Data())
        try expectRefused(["info", "\(dir)/missing.ply"], status: Exit.failure, mentioning: "\(dir)/missing.ply")
        try expectRefused(["info", "\(dir)/empty.obj"], status: Exit.failure, mentioning: "\(dir)/empty.obj")
        try expectRefused(["info"], status: Exit.usage, mentioning: "Missing expected argument")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["empty.obj"])
    }

    @Test("normalize: writes the mesh into the unit cube; an unknown convention is a usage error; an empty mesh exits 1")
    func normalize() throws {
        let tmp = try TemporaryDirectory("cli-normalize"); defer { tmp.remove() }
        let dir = tmp.path
        let obj = try expectSuccess(["normalize", "\(assets)/torus.ply", "\(dir)/n.ply", "--convention", "onet", "--json"]).json()
        let lo = try #require(obj["boundsMin"] as? [Double]), hi = try #require(obj["boundsMax"] as? [Double])
        #expect(abs(zip(lo, hi).map { $1 - $0 }.max()! - 1) < 1e-5)
        #expect(FileManager.default.fileExists(atPath: "\(dir)/n.ply"))
        try expectRefused(["normalize", "\(assets)/torus.ply", "\(dir)/x.ply", "--convention", "cube"], status: Exit.usage, mentioning: "cube")
        _ = FileManager.default.createFile(atPath: "\(dir)/empty.obj", contents: Data())
        try expectRefused(["normalize", "\(dir)/empty.obj", "\(dir)/out.ply", "--convention", "nfd"], status: Exit.failure, mentioning: "\(dir)/empty.obj")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out.ply") && !FileManager.default.fileExists(atPath: "\(dir)/x.ply"))
    }

    @Test("render: a small PNG of a bundled mesh; --views 0 is a usage error; a missing mesh exits 1")
    func render() throws {
        let tmp = try TemporaryDirectory("cli-render"); defer { tmp.remove() }
        let r = try expectSuccess(["render", "\(assets)/goblet.ply", "-o", tmp.file("g.png"), "--size", "48", "--views", "2"])
        #expect(r.out.contains("g.png"))
        let png = try Data(contentsOf: URL(fileURLWithPath: tmp.file("g.png")))
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        try expectRefused(["render", "\(assets)/goblet.ply", "-o", tmp.file("x.png"), "--views", "0"], status: Exit.usage, mentioning: "--views")
        try expectRefused(["render", tmp.file("none.ply"), "-o", tmp.file("x.png")], status: Exit.failure, mentioning: tmp.file("none.ply"))
        #expect(!FileManager.default.fileExists(atPath: tmp.file("x.png")))
    }

    @Test("synth, then convert and render --dataset on its tree; bad counts, categories and shards are refused")
    func synthConvertDataset() throws {
        let tmp = try TemporaryDirectory("cli-synth"); defer { tmp.remove() }
        let root = tmp.file("shapenet")
        let s = try expectSuccess(["synth", "--out", root, "--categories", "mug", "--per-category", "1", "--json"]).json()
        #expect(s["written"] as? Int == 1)
        try expectRefused(["synth", "--out", root, "--per-category", "0"], status: Exit.usage, mentioning: "--per-category")
        try expectRefused(["synth", "--out", root, "--categories", "spaceship"], status: Exit.failure, mentioning: "spaceship")

        let c = try expectSuccess(["convert", root, "--out", tmp.file("nfd"), "--preset", "nfd", "--points", "400", "--quiet", "--json"]).json()
        #expect(c["converted"] as? Int == 1 && c["failed"] as? Int == 0)

        try expectRefused(["convert", root, "--out", tmp.file("x"), "--shard", "2/2"], status: Exit.failure, mentioning: "--shard '2/2'")
        try expectRefused(["convert", root, "--out", tmp.file("x"), "--jobs", "0"], status: Exit.usage, mentioning: "--jobs")

        let d = try expectSuccess(["render", "--dataset", root, "--category", "mug", "-o", tmp.file("mugs.png"), "--size", "32"])
        #expect(d.out.contains("mugs.png"))
        try expectRefused(["render", "--dataset", root, "-o", tmp.file("y.png")], status: Exit.usage, mentioning: "--category")
    }

    @Test("sample: an NFD file of the requested rows; a preset/extension mismatch is a usage error")
    func sample() throws {
        let tmp = try TemporaryDirectory("cli-sample"); defer { tmp.remove() }
        let r = try expectSuccess(["sample", "\(assets)/icosphere.ply", "--preset", "nfd", "-o", tmp.file("s.npy"), "--points", "600", "--json"]).json()
        #expect(r["points"] as? Int == 600)
        #expect(try Npy.read(tmp.file("s.npy")).shape == [600, 4])
        try expectRefused(["sample", "\(assets)/icosphere.ply", "--preset", "nfd", "-o", tmp.file("s.npz")], status: Exit.usage, mentioning: ".npy")
        try expectRefused(["sample", "\(assets)/icosphere.ply", "--preset", "nfd", "-o", tmp.file("t.npy"), "--rays", "2"], status: Exit.usage, mentioning: "--rays")
    }

    @Test("extract: a sphere SDF grid to a watertight OBJ; a rank-2 array exits 1 naming the file; bad bounds are a usage error")
    func extract() throws {
        let tmp = try TemporaryDirectory("cli-extract"); defer { tmp.remove() }
        try writeSphereGrid(tmp.file("g.npy"))
        let r = try expectSuccess(["extract", tmp.file("g.npy"), "-o", tmp.file("g.obj"), "--inside-lower", "--json"]).json()
        #expect(r["watertight"] as? Bool == true && (r["faces"] as? Int ?? 0) > 100)
        try Npy.write(try NpyArray(floats: [Float](repeating: 0, count: 16), shape: [4, 4]), to: tmp.file("flat.npy"))
        try expectRefused(["extract", tmp.file("flat.npy"), "-o", tmp.file("f.obj")], status: Exit.failure, mentioning: tmp.file("flat.npy"))
        try expectRefused(["extract", tmp.file("g.npy"), "-o", tmp.file("b.obj"), "--bounds", "1", "2", "3"], status: Exit.usage, mentioning: "--bounds")
        #expect(!FileManager.default.fileExists(atPath: tmp.file("f.obj")) && !FileManager.default.fileExists(atPath: tmp.file("b.obj")))
    }

    @Test("eval and eval-set: a mesh against itself scores IoU 1; bad thresholds are a usage error; a missing folder exits 1")
    func eval() throws {
        let tmp = try TemporaryDirectory("cli-eval"); defer { tmp.remove() }
        let r = try expectSuccess(["eval", "\(assets)/icosphere.ply", "\(assets)/icosphere.ply", "--points", "2000", "--iou-points", "2000", "--json"]).json()
        #expect(r["iou"] as? Double == 1)
        try expectRefused(["eval", "\(assets)/icosphere.ply", "\(assets)/icosphere.ply", "--thresholds", "x"], status: Exit.usage, mentioning: "--thresholds")
        try expectRefused(["eval", tmp.file("none.obj"), "\(assets)/icosphere.ply"], status: Exit.failure, mentioning: tmp.file("none.obj"))

        try FileManager.default.createDirectory(atPath: tmp.file("set"), withIntermediateDirectories: true)
        for name in ["icosphere.ply", "torus.ply"] {
            try FileManager.default.copyItem(atPath: "\(assets)/\(name)", toPath: tmp.file("set/\(name)"))
        }
        let s = try expectSuccess(["eval-set", tmp.file("set"), tmp.file("set"), "--points", "256", "--quiet", "--json"]).json()
        // A set against itself: every reference is its own nearest generated shape.
        #expect((s["metrics"] as? [String: Any])?["covCD"] as? Double == 1)
        try expectRefused(["eval-set", tmp.file("nothere"), tmp.file("set"), "--quiet"], status: Exit.failure, mentioning: tmp.file("nothere"))
        try expectRefused(["eval-set", tmp.file("set"), tmp.file("set"), "--points", "0"], status: Exit.usage, mentioning: "--points")
    }

    @Test("octree build → encode → decode → render → stats on a bundled mesh; bad depths and schemes are usage errors")
    func octree() throws {
        let tmp = try TemporaryDirectory("cli-octree"); defer { tmp.remove() }
        let b = try expectSuccess(["octree", "build", "\(assets)/torus.ply", "--depth", "4", "--full-depth", "2", "-o", tmp.file("t.octree"), "--json"]).json()
        #expect((b["tree"] as? [String: Any])?["depth"] as? Int == 4)
        let e = try expectSuccess(["octree", "encode", tmp.file("t.octree"), "--tokens", "split", "-o", tmp.file("t.npz"), "--json"]).json()
        #expect((e["tokens"] as? Int ?? 0) > 0)
        let d = try expectSuccess(["octree", "decode", tmp.file("t.npz"), "-o", tmp.file("t.obj"), "--json"]).json()
        #expect(d["watertight"] as? Bool == true && (d["faces"] as? Int ?? 0) > 0)
        try expectSuccess(["octree", "render", tmp.file("t.octree"), "-o", tmp.file("t.png"), "--size", "32"])
        #expect(FileManager.default.fileExists(atPath: tmp.file("t.png")))
        let s = try expectSuccess(["octree", "stats", tmp.file("t.octree"), "--json"]).json()
        #expect(s["splitTokens"] as? Int == e["tokens"] as? Int)
        let ev = try expectSuccess(["octree", "stats", "\(assets)/torus.ply", "--depths", "3,4", "--samples", "2000", "--json"]).json()
        #expect((ev["rows"] as? [Any])?.count == 2)
        try expectRefused(["octree", "build", "\(assets)/torus.ply", "--depth", "11", "-o", tmp.file("x.octree")], status: Exit.usage, mentioning: "--depth 11")
        try expectRefused(["octree", "encode", tmp.file("t.octree"), "--tokens", "bytes", "-o", tmp.file("x.npy")], status: Exit.usage, mentioning: "--tokens")
        try expectRefused(["octree", "decode", "\(assets)/torus.ply", "-o", tmp.file("x.obj")], status: Exit.failure, mentioning: "\(assets)/torus.ply")
        try expectRefused(["octree", "stats", "\(assets)/torus.ply", "--depths", "0,12"], status: Exit.usage, mentioning: "--depths")
        #expect(!FileManager.default.fileExists(atPath: tmp.file("x.octree")) && !FileManager.default.fileExists(atPath: tmp.file("x.obj")))
    }

    @Test("demo: a one-mug run at tiny resolutions writes its sheets and a metrics.json that parses; a bad resolution is a usage error")
    func demo() throws {
        let tmp = try TemporaryDirectory("cli-demo"); defer { tmp.remove() }
        try expectSuccess(["demo", "--out", tmp.path, "--assets", tmp.file("none"), "--categories", "mug", "--per-category", "1",
                           "--resolution", "17", "--dual-depth", "3", "--octree-depth", "3", "--points", "1000", "--generate", "0"])
        let metrics = try Data(contentsOf: URL(fileURLWithPath: tmp.file("demo/metrics.json")))
        let obj = try #require(try JSONSerialization.jsonObject(with: metrics) as? [String: Any])
        #expect((obj["models"] as? [Any])?.count == 1)
        #expect(FileManager.default.fileExists(atPath: tmp.file("demo/report.md")) && FileManager.default.fileExists(atPath: tmp.file("demo/mug.png")))
        #expect(!FileManager.default.fileExists(atPath: tmp.file("generated")))
        try expectRefused(["demo", "--out", tmp.path, "--resolution", "2"], status: Exit.usage, mentioning: "--resolution")
        try expectRefused(["demo", "--out", tmp.path, "--generate", "1"], status: Exit.usage, mentioning: "--generate")
    }

    @Test("bench render, queries, mc, nn and chamfer: one tiny run each; bad counts are usage errors")
    func bench() throws {
        let tmp = try TemporaryDirectory("cli-bench"); defer { tmp.remove() }
        let render = try expectSuccess(["bench", "render", "--frames", "1", "--size", "16", "--threads", "1", "--json"])
        #expect(try JSONSerialization.jsonObject(with: Data(render.out.utf8)) is [Any])
        try expectRefused(["bench", "render", "--size", "8"], status: Exit.usage, mentioning: "--size")

        let queries = try expectSuccess(["bench", "queries", "\(assets)/icosphere.ply", "--points", "2000", "--repeats", "1",
                                         "--mesh-dir", tmp.file("q"), "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(queries.out.utf8)) as? [[String: Any]])
        #expect(rows.count == 1 && rows[0]["faces"] as? Int == 1280)
        try expectRefused(["bench", "queries", "\(assets)/icosphere.ply", "--points", "0"], status: Exit.usage, mentioning: "--points")

        try writeSphereGrid(tmp.file("g.npy"), n: 16)
        let mc = try expectSuccess(["bench", "mc", tmp.file("g.npy"), "--runs", "1", "--no-dual", "--no-sparse", "--json"])
        let mcReport = try #require(try JSONSerialization.jsonObject(with: Data(mc.out.utf8)) as? [String: Any])
        let mcRows = try #require(mcReport["marchingCubes"] as? [[String: Any]])
        #expect(mcRows.count == 1 && (mcRows[0]["faces"] as? Int ?? 0) > 100)
        try expectRefused(["bench", "mc", tmp.file("missing.npy"), "--runs", "1", "--no-dual", "--no-sparse"], status: Exit.failure, mentioning: tmp.file("missing.npy"))

        let nn = try expectSuccess(["bench", "nn", "--only", "sgemm", "--steps", "1", "--warmup", "0", "--threads", "1", "--json"]).json()
        #expect(nn["threads"] as? Int == 1)
        try expectRefused(["bench", "nn", "--only", "resnet"], status: Exit.usage, mentioning: "resnet")

        let chamfer = try expectSuccess(["bench", "chamfer", "--points", "500", "--repeats", "1", "--json"]).json()
        #expect(chamfer["pointsA"] as? Int == 500 && chamfer["pointsB"] as? Int == 500)
        // Two independent 500-point samples of one surface: a small but non-zero distance.
        let cd = try #require(chamfer["chamferL1"] as? Double)
        #expect(cd > 0 && cd < 0.2)
        try expectRefused(["bench", "chamfer", tmp.file("a.npy")], status: Exit.usage, mentioning: "two .npy clouds")
    }

    @Test("triplane train-decoder → fit → decode → eval, convert --to triplane, render --planes, train diffusion and generate on tiny settings; bad arguments are refused")
    func triplane() throws {
        let tmp = try TemporaryDirectory("cli-triplane"); defer { tmp.remove() }
        try FileManager.default.createDirectory(atPath: tmp.file("samples"), withIntermediateDirectories: true)
        for name in ["icosphere", "torus"] {
            try expectSuccess(["sample", "\(assets)/\(name).ply", "--preset", "nfd", "-o", tmp.file("samples/\(name).npy"), "--points", "2000"])
        }
        let shape = ["--resolution", "8", "--channels", "2", "--hidden", "8", "--fourier", "4"]
        let t = try expectSuccess(["triplane", "train-decoder", tmp.file("samples"), "--out", tmp.file("d.safetensors")] + shape
                                  + ["--steps", "3", "--objects-per-step", "2", "--points-per-object", "256", "--rows-per-object", "1000",
                                     "--quiet", "--json"]).json()
        #expect(FileManager.default.fileExists(atPath: tmp.file("d.safetensors")) && !t.isEmpty)
        try expectSuccess(["triplane", "fit", "\(assets)/icosphere.ply", "-o", tmp.file("p.npy"), "--decoder", tmp.file("d.safetensors"),
                           "--steps", "3", "--points-per-step", "256", "--sample-points", "2000"])
        #expect(try Npy.read(tmp.file("p.npy")).shape == [3, 2, 8, 8])
        try expectSuccess(["triplane", "decode", tmp.file("p.npy"), "-o", tmp.file("p.obj"), "--decoder", tmp.file("d.safetensors"),
                           "--resolution", "17"])
        #expect(FileManager.default.fileExists(atPath: tmp.file("p.obj")))
        let e = try expectSuccess(["triplane", "eval", "\(assets)/icosphere.ply", "--decoder", tmp.file("d.safetensors"), "--steps", "2",
                                   "--metric-resolution", "17", "--quiet", "--json"]).json()
        #expect(!e.isEmpty)
        try expectSuccess(["render", "--planes", tmp.file("p.npy"), "-o", tmp.file("planes.png"), "--size", "16"])
        #expect(FileManager.default.fileExists(atPath: tmp.file("planes.png")))
        let root = tmp.file("shapenet")
        try expectSuccess(["synth", "--out", root, "--categories", "mug", "--per-category", "1"])
        let c = try expectSuccess(["convert", root, "--out", tmp.file("planes"), "--to", "triplane", "--decoder", tmp.file("d.safetensors"),
                                   "--fit-steps", "2", "--points", "2000", "--quiet", "--json"]).json()
        #expect(c["converted"] as? Int == 1 && c["failed"] as? Int == 0)

        // train diffusion on those planes (the folder's own decoder next to them), then generate.
        try FileManager.default.copyItem(atPath: tmp.file("d.safetensors"), toPath: tmp.file("planes/decoder.safetensors"))
        var cfg = TrainDiffusionJob.defaultConfig(channels: 6, classes: 1)
        cfg.model.baseChannels = 8; cfg.model.channelMultipliers = [1, 2]; cfg.model.attentionResolutions = []
        cfg.batchSize = 2; cfg.warmupSteps = 1
        try JSONOutput.data(cfg).write(to: URL(fileURLWithPath: tmp.file("tiny.json")))
        let train = ["train", "diffusion", tmp.file("planes"), "--out", tmp.file("run"), "--config", tmp.file("tiny.json"), "--steps", "2", "--quiet"]
        let tr = try expectSuccess(train + ["--json"]).json()
        #expect(tr["shapes"] as? Int == 1)
        try expectRefused(train, status: Exit.failure, mentioning: "--resume")
        let g = try expectSuccess(["generate", "--model", tmp.file("run"), "-n", "1", "--steps", "2", "--resolution", "17",
                                   "--out", tmp.file("gen"), "--json"]).json()
        #expect((g["shapes"] as? [Any])?.count == 1 && FileManager.default.fileExists(atPath: tmp.file("gen/sheet.png")))
        try expectRefused(["generate", "--model", tmp.file("run"), "--category", "spaceship", "--out", tmp.file("gen2")],
                          status: Exit.failure, mentioning: "spaceship")
        try expectRefused(["generate", "--model", tmp.file("none"), "--out", tmp.file("gen3")], status: Exit.failure, mentioning: tmp.file("none"))
        try expectRefused(["generate", "--model", tmp.file("run"), "--out", tmp.file("gen4"), "--guidance", "x"], status: Exit.usage, mentioning: "--guidance")
        try expectRefused(["eval-generator", "--model", tmp.file("run"), "--reference", tmp.file("none")], status: Exit.failure, mentioning: tmp.file("none"))
        try expectRefused(["eval-generator", "--model", tmp.file("run"), "--reference", root, "-n", "1"], status: Exit.failure, mentioning: "-n must be ≥ 2")
        try expectRefused(["generate", "--model", tmp.file("run"), "--out", tmp.file("gen5"), "--min-component", "2"], status: Exit.failure, mentioning: "--min-component")

        try expectRefused(["triplane", "train-decoder", tmp.file("samples"), "--out", tmp.file("x.safetensors"), "--aggregation", "max"],
                          status: Exit.usage, mentioning: "max")
        try expectRefused(["triplane", "fit", "\(assets)/icosphere.ply", "-o", tmp.file("x.npy"), "--decoder", tmp.file("none.safetensors")],
                          status: Exit.failure, mentioning: tmp.file("none.safetensors"))
        try expectRefused(["triplane", "decode", tmp.file("p.npy"), "-o", tmp.file("x.obj"), "--method", "voxels"], status: Exit.usage, mentioning: "voxels")
        #expect(!FileManager.default.fileExists(atPath: tmp.file("x.npy")) && !FileManager.default.fileExists(atPath: tmp.file("x.obj")))
    }

    @Test("an unknown subcommand or option is a usage error; --help and --version succeed")
    func usage() throws {
        try expectRefused(["frobnicate"], status: Exit.usage, mentioning: "frobnicate")
        try expectRefused(["info", "\(assets)/icosphere.ply", "--colour"], status: Exit.usage, mentioning: "--colour")
        #expect(try expectSuccess(["--help"]).out.contains("SUBCOMMANDS"))
        #expect(try expectSuccess(["--version"]).out.contains("0.1.0"))
    }
}
