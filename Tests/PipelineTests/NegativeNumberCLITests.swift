import Foundation
import Testing
import TestSupport

/// Every numeric option of the CLI with a negative value in the ordinary spelling (`--opt -3`):
/// the option gets the value (the command's own range check answers, or the value is used), never
/// ArgumentParser's "Missing value" / "Unknown option" (a token starting with "-" read as a name).
@Suite("Negative numbers on the command line", .enabled(if: Prerequisite.met(octoplaneBinary != nil), "needs the octoplane executable (swift build)"))
struct NegativeNumberCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let mesh = "\(root)/Assets/meshes/icosphere.ply"

    /// (arguments, what stderr must say) for options a negative value is out of range for; the
    /// required arguments are given, so the command's own check is what answers.
    static let refused: [([String], String)] = [
        (["sample", mesh, "--preset", "onet", "-o", "/nonexistent/x", "--points", "-5"], "--points must be ≥ 1"),
        (["sample", mesh, "--preset", "onet", "-o", "/nonexistent/x", "--rays", "-3"], "--rays must be 1, 3 or 5"),
        (["convert", "/nonexistent", "--out", "/nonexistent/o", "--points", "-5"], "--points must be ≥ 1"),
        (["convert", "/nonexistent", "--out", "/nonexistent/o", "--jobs", "-2"], "--jobs must be ≥ 1"),
        (["normalize", mesh, "/nonexistent/n.ply", "--convention", "onet", "--padding", "-0.1"], "--padding must lie in [0, 1)"),
        (["render", mesh, "-o", "/nonexistent/r.png", "--size", "-3"], "--size must be"),
        (["render", mesh, "-o", "/nonexistent/r.png", "--views", "-3"], "--views must be"),
        (["render", mesh, "-o", "/nonexistent/r.png", "--ssaa", "-3"], "--ssaa must be"),
        (["render", mesh, "-o", "/nonexistent/r.png", "--turntable", "-3"], "--turntable must be"),
        (["octree", "build", mesh, "-o", "/nonexistent/t.octree", "--tolerance", "-0.05"], "--tolerance must be"),
        (["octree", "build", mesh, "-o", "/nonexistent/t.octree", "--depth", "-3"], "--depth -3 is outside"),
        (["octree", "render", mesh, "-o", "/nonexistent/o.png", "--size", "-3"], "--size must be"),
        (["octree", "stats", mesh, "--samples", "-3"], "--samples must be"),
        (["eval", mesh, mesh, "--points", "-5"], "must be ≥ 1"),
        (["eval", mesh, mesh, "--thresholds", "-0.01"], "--thresholds must be positive"),
        (["eval-set", "/nonexistent/a.npy", "/nonexistent/b.npy", "--points", "-5"], "--points must be ≥ 1"),
        (["synth", "--out", "/nonexistent/s", "--per-category", "-3"], "--per-category must be ≥ 1"),
        (["demo", "--per-category", "-3"], "--per-category must be ≥ 1"),
        (["demo", "--resolution", "-3"], "--resolution must be ≥ 3"),
        (["bench", "queries", "--points", "-5"], "--points must be ≥ 1"),
        (["bench", "chamfer", "--repeats", "-5"], "must be ≥ 1"),
        (["bench", "render", "--frames", "-1"], "--frames must be ≥ 1"),
        (["bench", "nn", "--warmup", "-1"], "--warmup must not be negative"),
        (["bench", "mc", "--runs", "-3"], "--runs must be ≥ 1"),
        (["sample", mesh, "--preset", "onet", "-o", "/nonexistent/x", "--seed", "-1"], "'-1' is invalid for '--seed"),
        (["extract", "/nonexistent/g.npy", "-o", "/nonexistent/g.obj", "--bounds", "1", "-1", "-1", "-1", "1", "1"], "min < max"),
    ]

    @Test("a negative value reaches the option: the command's own range check answers", arguments: refused)
    func refusedByTheCommand(_ args: [String], _ message: String) throws {
        let r = try run(args)
        #expect(r.status != 0)
        #expect(r.err.contains(message), "\(args): \(r.err)")
        #expect(!r.err.contains("Missing value") && !r.err.contains("Unknown option"), "\(args): \(r.err)")
    }

    @Test("negative values that are valid are used: render --elevation -20 --azimuth -30, octree render, extract --bounds -1 … --level -0.01")
    func accepted() throws {
        let tmp = try TemporaryDirectory("neg"); defer { tmp.remove() }
        let dir = tmp.path
        let render = try run(["render", Self.mesh, "-o", "\(dir)/r.png", "--size", "32", "--elevation", "-20", "--azimuth", "-30"])
        #expect(render.status == 0, "\(render.err)")
        let build = try run(["octree", "build", Self.mesh, "-o", "\(dir)/t.octree", "--depth", "4", "--full-depth", "2"])
        #expect(build.status == 0, "\(build.err)")
        let oct = try run(["octree", "render", "\(dir)/t.octree", "-o", "\(dir)/o.png", "--size", "32", "--elevation", "-20", "--azimuth", "-30"])
        #expect(oct.status == 0, "\(oct.err)")
        // A sphere UDF (r = 0.5) on a 24³ grid over [-1, 1]³, meshed at level −0.01 (u = |d + 0.01|:
        // the sphere of radius 0.49) with bounds given the ordinary way.
        let n = 24
        var v = [Float]()
        for i in 0..<n { for j in 0..<n { for k in 0..<n {
            let p = SIMD3<Float>(Float(i), Float(j), Float(k)) * (2 / Float(n - 1)) - 1
            v.append(abs((p * p).sum().squareRoot() - 0.5))
        } } }
        try writeNpy("\(dir)/g.npy", descr: "<f4", shape: [n, n, n], bytes: floatBytes(v))
        let ex = try run(["extract", "\(dir)/g.npy", "-o", "\(dir)/g.obj", "--method", "udf", "--bounds", "-1", "-1", "-1", "1", "1", "1", "--level", "-0.01", "--json"])
        #expect(ex.status == 0, "\(ex.err)")
        let obj = try JSONSerialization.jsonObject(with: Data(ex.out.utf8)) as? [String: Any]
        #expect(obj?["boundsMin"] as? [Double] == [-1, -1, -1])
        #expect(obj?["boundsMax"] as? [Double] == [1, 1, 1])
        #expect((obj?["level"] as? Double).map { abs($0 + 0.01) < 1e-6 } == true)
        #expect(obj?["watertight"] as? Bool == true)
        let area = obj?["surfaceArea"] as? Double ?? 0
        #expect(abs(area - 4 * .pi * 0.49 * 0.49) / (4 * .pi * 0.49 * 0.49) < 0.05, "area \(area)")
    }
}
