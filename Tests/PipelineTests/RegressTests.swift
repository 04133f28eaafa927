import Foundation
import Testing
import Support
import TestSupport
@testable import Pipeline

/// The repository root (for Assets/ and Tests/Regression/).
private let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
private let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
private let pythonAvailable = runPython("import xml.etree.ElementTree").0 == 0

/// A temporary folder removed at the end of the test.
private final class TempDir {
    let path = NSTemporaryDirectory() + "octoplane-regress-\(UUID().uuidString)"
    init() { try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
    func write(_ name: String, _ text: String) -> String {
        _ = FileManager.default.createFile(atPath: file(name), contents: Data(text.utf8)); return file(name)
    }
}

/// A small suite: two bundled meshes and one procedural mug, sdf-mc at `resolution` and a
/// depth-4 octree, 3000 points; tolerances as given.
private func smallSuite(resolution: Int = 33, points: Int = 3000, extra: String = "",
                        tolerances: String = #""chamfer-l1": {"absolute": 1e-5, "relative": 0.01}, "iou": {"absolute": 0.005}"#) -> String {
    """
    {"format": "octoplane-regress-suite", "version": 1, "name": "small",
     "shapes": [{"files": ["\(repoRoot)/Assets/meshes/icosphere.ply", "\(repoRoot)/Assets/meshes/torus.ply"]},
                {"synth": ["mug"], "perCategory": 1, "seed": 7}],
     "methods": [{"method": "sdf-mc", "resolution": \(resolution)}, {"method": "octree", "depth": 4}\(extra)],
     "metrics": ["chamfer-l1", "normal-consistency", "f-score", "iou"],
     "protocol": {"points": \(points), "tau": 0.01, "iouPoints": \(points), "seed": 0},
     "tolerances": {\(tolerances)}}
    """
}

/// Hand-made results for comparison tests: `values[shape]` is the chamfer-l1 and iou of method
/// "m" on that shape.
private func results(_ values: [(String, Double, Double)], tolerance: RegressTolerance = .init(absolute: 0.001),
                     iouTolerance: RegressTolerance = .init(absolute: 0.01), baseline: Bool = false) -> RegressResults {
    let suite = RegressSuite(name: "hand", shapes: [.files([])], methods: [.init(id: "m", .sdfMC(resolution: 33))],
                             metrics: [.chamferL1, .iou], metricProtocol: MetricProtocol(points: 100, fScoreThresholds: [0.01], iouPoints: 100, seed: 0),
                             tolerances: ["chamfer-l1": tolerance, "iou": iouTolerance])
    return RegressResults(format: baseline ? RegressResults.baselineFormat : RegressResults.resultsFormat, suite: suite, suitePath: "hand.json",
                          environment: .init(octoplane: "test", threads: 1, platform: "test", started: "", seconds: 0), shard: "0/1",
                          shapes: values.map { RegressShape(id: $0.0, source: "file:/nonexistent/\($0.0).ply") }, skipped: [],
                          items: values.map { .init(shape: $0.0, method: "m", methodLabel: "sdf-mc 33³", metrics: ["chamfer-l1": $0.1, "iou": $0.2],
                                                    faces: 1, watertight: true, nonManifoldEdges: 0, seconds: 0, seeds: [1, 2, 3],
                                                    mesh: nil, error: nil, fingerprint: "") },
                          blessed: baseline ? "now" : nil)
}

private func compare(_ r: RegressResults, _ b: RegressResults) throws -> RegressComparison {
    try RegressComparison.compare(r, b, resultsPath: "r.json", baselinePath: "b.json")
}

@Suite("Regression tests on reconstruction metrics")
struct RegressTests {
    @Test("an unchanged pipeline reproduces every metric exactly and compares clean")
    func unchangedRunComparesClean() throws {
        let dir = TempDir()
        let suite = dir.write("suite.json", smallSuite())
        var job = RegressRunJob(suite: suite, output: dir.file("a.json")); job.showProgress = false
        let a = try job.run()
        #expect(a.items == 6 && a.computed == 6 && a.failed == 0)
        _ = try RegressBlessJob(results: dir.file("a.json"), output: dir.file("baseline.json")).run()
        job.output = dir.file("b.json")
        _ = try job.run()
        let ra = try RegressResults.read(dir.file("a.json")), rb = try RegressResults.read(dir.file("b.json"))
        #expect(ra.items.map(\.metrics) == rb.items.map(\.metrics))
        // Every metric is finite. On the two thick closed shapes sdf-mc at 33³ is all but exact
        // (3000 samples alone put ~0.015 of Chamfer-L1 between two copies of one sphere) and the
        // depth-4 octree (16 cells across [-0.8, 0.8]) stays within about a cell. The mug's walls
        // are thinner than a depth-4 cell, so its octree is a slab: only finiteness there.
        for it in ra.items {
            #expect(it.metrics.values.allSatisfy(\.isFinite) && it.seeds == [1, 2, 3] && it.mesh != nil)
            guard it.shape != "mug-0" else { continue }
            let (cd, iou) = it.method == "sdf-mc" ? (0.02, 0.95) : (0.03, 0.7)
            #expect(it.metrics["chamfer-l1"]! < cd && it.metrics["iou"]! > iou, "\(it.shape) × \(it.method): \(it.metrics)")
        }
        var cmp = RegressCompareJob(results: dir.file("b.json"), baseline: dir.file("baseline.json"))
        cmp.markdown = dir.file("report.md"); cmp.junit = dir.file("junit.xml"); cmp.sheet = dir.file("sheet.png")
        let c = try cmp.run()
        #expect(c.passed && c.regressions.isEmpty && c.improvements.isEmpty && c.cases.count == 6)
        #expect(c.largestChange.values.allSatisfy { $0 == 0 })
        #expect(c.sheet == nil && !FileManager.default.fileExists(atPath: dir.file("sheet.png")), "nothing got worse: no picture")
        #expect(try String(contentsOfFile: dir.file("report.md"), encoding: .utf8).contains("**PASS small"))
    }

    @Test("a lower extraction resolution is a regression of sdf-mc on every shape's Chamfer distance, drawn in the sheet, and nowhere else")
    func degradedMethodIsReported() throws {
        let dir = TempDir()
        var job = RegressRunJob(suite: dir.write("suite.json", smallSuite(resolution: 33)), output: dir.file("a.json")); job.showProgress = false
        _ = try job.run()
        _ = try RegressBlessJob(results: dir.file("a.json"), output: dir.file("baseline.json")).run()
        job.suite = dir.write("degraded.json", smallSuite(resolution: 17)); job.output = dir.file("b.json")
        _ = try job.run()
        var cmp = RegressCompareJob(results: dir.file("b.json"), baseline: dir.file("baseline.json"))
        cmp.markdown = dir.file("report.md"); cmp.junit = dir.file("junit.xml"); cmp.sheet = dir.file("sheet.png"); cmp.tileSize = 64
        let c = try cmp.run()
        #expect(!c.passed)
        #expect(Set(c.regressions.map(\.method)) == ["sdf-mc"])
        #expect(Set(c.regressions.filter { $0.metric == .chamferL1 }.map(\.shape)) == ["icosphere", "torus", "mug-0"])
        #expect(c.cases.filter { $0.method == "octree" }.allSatisfy { $0.status == .passed })
        #expect(c.methodChanges == ["sdf-mc: sdf-mc 33³ → sdf-mc 17³"])
        // Worst first.
        #expect(zip(c.regressions, c.regressions.dropFirst()).allSatisfy { $0.relative >= $1.relative })
        #expect(Set(c.sheet ?? []) == ["icosphere × sdf-mc", "torus × sdf-mc", "mug-0 × sdf-mc"])
        let png = try #require(FileManager.default.contents(atPath: dir.file("sheet.png")))
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        let md = try String(contentsOfFile: dir.file("report.md"), encoding: .utf8)
        #expect(md.contains("## Regressions (worst first)") && md.contains("](sheet.png)") && md.contains("sdf-mc 33³ → sdf-mc 17³"))
    }

    @Test("a shape missing from the results fails, a new shape is reported and passes")
    func missingAndNewShapes() throws {
        let base = results([("a", 0.01, 0.9), ("b", 0.01, 0.9)], baseline: true)
        let c = try compare(results([("a", 0.01, 0.9), ("c", 0.02, 0.5)]), base)
        #expect(c.cases(.missing).map(\.shape) == ["b"] && c.cases(.new).map(\.shape) == ["c"])
        #expect(!c.passed && c.regressions.isEmpty)
        let onlyNew = try compare(results([("a", 0.01, 0.9), ("b", 0.01, 0.9), ("c", 0.02, 0.5)]), base)
        #expect(onlyNew.passed && onlyNew.cases(.new).count == 1)
        #expect(onlyNew.markdown().contains("## New shapes") && c.markdown().contains("## Missing shapes"))
    }

    @Test("a change of exactly the tolerance passes either way, one step beyond fails, and NaN or ∞ is a failure")
    func toleranceEdges() throws {
        let tol = RegressTolerance(absolute: 0.001, relative: 0.1)
        let base = results([("a", 0.01, 0.9)], tolerance: tol, baseline: true)
        let allowedCD = tol.allowed(baseline: 0.01), allowedIoU = 0.01
        let atLimit = try compare(results([("a", 0.01 + allowedCD, 0.9 - allowedIoU)], tolerance: tol), base)
        #expect(atLimit.passed, "\(atLimit.text)")
        let beyondCD = try compare(results([("a", (0.01 + allowedCD).nextUp, 0.9)], tolerance: tol), base)
        #expect(!beyondCD.passed && beyondCD.regressions.map(\.metric) == [.chamferL1])
        let beyondIoU = try compare(results([("a", 0.01, (0.9 - allowedIoU).nextDown)], tolerance: tol), base)
        #expect(!beyondIoU.passed && beyondIoU.regressions.map(\.metric) == [.iou])
        // The other way a change is an improvement, never a failure.
        let better = try compare(results([("a", 0.001, 1.0)], tolerance: tol), base)
        #expect(better.passed && better.improvements.count == 2)
        for bad in [Double.nan, .infinity] {
            let c = try compare(results([("a", bad, 0.9)], tolerance: tol), base)
            #expect(!c.passed && c.cases(.failed).map(\.shape) == ["a"], "\(bad)")
            #expect(c.junitXML.contains("type=\"nan\""))
        }
        // No tolerance: the metric must reproduce exactly.
        let exact = RegressTolerance()
        let b0 = results([("a", 0.01, 0.9)], tolerance: exact, baseline: true)
        #expect(try compare(results([("a", 0.01, 0.9)], tolerance: exact), b0).passed)
        #expect(try !compare(results([("a", 0.01.nextUp, 0.9)], tolerance: exact), b0).passed)
    }

    @Test("the paired test catches a 0.5% average drift over 200 shapes that each stay within tolerance, and not noise")
    func suiteWideDrift() throws {
        var rng = SeededRandom(seed: 17)
        let shapes = (0..<200).map { ("s\($0)", 0.005 + 0.005 * Double($0 % 7) / 7, 0.9) }
        let tol = RegressTolerance(absolute: 0, relative: 0.02, drift: 0.002)
        let base = results(shapes, tolerance: tol, baseline: true)
        // Every shape 0.5% worse ± 0.3%: inside the 2% per-shape tolerance.
        let drifted = results(shapes.map { ($0.0, $0.1 * (1.005 + Double.random(in: -0.003...0.003, using: &rng)), $0.2) }, tolerance: tol)
        let c = try compare(drifted, base)
        #expect(c.regressions.isEmpty)
        let d = try #require(c.drift.first { $0.metric == .chamferL1 })
        #expect(d.failed && d.shapes == 200 && abs(d.mean - 0.005) < 0.001 && d.low > 0.002 && d.high < 0.008, "\(d)")
        #expect(!c.passed && c.junitXML.contains("type=\"drift\""))
        // Symmetric noise of ±1% per shape: no drift.
        let noisy = results(shapes.map { ($0.0, $0.1 * (1 + Double.random(in: -0.01...0.01, using: &rng)), $0.2) }, tolerance: tol)
        let n = try compare(noisy, base)
        #expect(n.passed && !(n.drift.first { $0.metric == .chamferL1 }!.failed))
        // Fewer shapes than the gate needs: reported, not gated.
        let few = try compare(results(Array(drifted.items.prefix(5)).map { ($0.shape, $0.metrics["chamfer-l1"]!, 0.9) }, tolerance: tol),
                              results(Array(shapes.prefix(5)), tolerance: tol, baseline: true))
        #expect(few.passed && few.drift.first!.shapes == 5)
    }

    @Test("the bootstrap interval of identical pairs is the point itself, and of a constant shift the shift")
    func bootstrapClosedForms() {
        let z = RegressDrift.test(worse: [0, 0, 0, 0], baseline: [1, 2, 3, 4])
        #expect(z.mean == 0 && z.low == 0 && z.high == 0)
        let s = RegressDrift.test(worse: [0.01, 0.02, 0.03], baseline: [1, 2, 3])
        #expect(abs(s.mean - 0.01) < 1e-15 && abs(s.low - 0.01) < 1e-15 && abs(s.high - 0.01) < 1e-15)
    }

    @Test("JUnit XML has the structure CI systems read: totals that add up, one test case per shape × method, failures with messages",
          .enabled(if: pythonAvailable || isCI))
    func junitStructure() throws {
        let dir = TempDir()
        let base = results([("a", 0.01, 0.9), ("b", 0.01, 0.9), ("c<&\"'>", 0.01, 0.9)], baseline: true)
        let r = results([("a", 0.02, 0.9), ("c<&\"'>", Double.nan, 0.9), ("d", 0.01, 0.9)])
        let c = try compare(r, base)
        let path = dir.write("junit.xml", c.junitXML)
        let script = """
        import sys, xml.etree.ElementTree as ET
        root = ET.parse(sys.argv[1]).getroot()
        assert root.tag == 'testsuites', root.tag
        tot = {k: 0 for k in ('tests', 'failures', 'errors', 'skipped')}
        cases = []
        for s in root:
            assert s.tag == 'testsuite' and s.get('name'), s.tag
            cs = s.findall('testcase')
            assert int(s.get('tests')) == len(cs)
            assert int(s.get('failures')) == sum(1 for t in cs if t.find('failure') is not None)
            assert int(s.get('errors')) == sum(1 for t in cs if t.find('error') is not None)
            assert int(s.get('skipped')) == sum(1 for t in cs if t.find('skipped') is not None)
            float(s.get('time'))
            for k in tot: tot[k] += int(s.get(k))
            for t in cs:
                assert t.get('name') and t.get('classname'), t.attrib
                float(t.get('time'))
                for f in t.findall('failure') + t.findall('error'):
                    assert f.get('message'), 'failure without message'
                cases.append((t.get('classname'), t.get('name'), [e.tag for e in t if e.tag != 'system-out']))
        for k in tot: assert int(root.get(k)) == tot[k], k
        print(sorted(cases))
        """
        let (status, out) = runPython(script, [path])
        #expect(status == 0, "\(out)")
        #expect(out.contains("('hand.m', 'a', ['failure'])") && out.contains("('hand.m', 'b', ['failure'])"), "\(out)")
        #expect(out.contains("c<&"), "names are escaped and read back: \(out)")
        #expect(out.contains("('hand.m', 'd', ['skipped'])"), "\(out)")
    }

    @Test("an interrupted run resumes from its stored items and ends with the same results as an uninterrupted one")
    func interruptedRunResumes() throws {
        struct Killed: Error {}
        let dir = TempDir()
        let suite = dir.write("suite.json", smallSuite())
        var job = RegressRunJob(suite: suite, output: dir.file("r.json")); job.showProgress = false
        job.afterItem = { n in if n == 4 { throw Killed() } }
        #expect(throws: Killed.self) { try job.run() }
        #expect(!FileManager.default.fileExists(atPath: dir.file("r.json")), "no results file from an interrupted run")
        job.afterItem = nil
        let resumed = try job.run()
        #expect(resumed.resumed == 4 && resumed.computed == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.file("r.json.parts")))
        var fresh = RegressRunJob(suite: suite, output: dir.file("fresh.json")); fresh.showProgress = false
        _ = try fresh.run()
        #expect(try RegressResults.read(dir.file("r.json")).items.map(\.metrics) == RegressResults.read(dir.file("fresh.json")).items.map(\.metrics))
    }

    @Test("bad suites are typed errors that name the field: a missing file, an unknown method, metric or key, an unknown category")
    func badSuites() throws {
        let dir = TempDir()
        func load(_ text: String) throws { let p = dir.write("s.json", text); _ = try RegressShapes.list(try RegressSuite.load(p), suitePath: p) }
        let good = smallSuite()
        #expect(throws: Never.self) { try load(good) }
        #expect(throws: RegressError.missingShape(suite: dir.file("s.json"), field: "shapes[0].files[1]", path: "\(repoRoot)/Assets/meshes/torus.ply.gone")) {
            try load(good.replacingOccurrences(of: "torus.ply", with: "torus.ply.gone"))
        }
        #expect(throws: RegressError.unknownMethod(path: dir.file("s.json"), field: "methods[1].method", name: "poisson", known: RegressSuite.methodKinds)) {
            try load(good.replacingOccurrences(of: "\"octree\", \"depth\": 4", with: "\"poisson\", \"depth\": 4"))
        }
        #expect(throws: RegressError.unknownMetric(path: dir.file("s.json"), field: "metrics[3]", name: "emd", known: RegressMetric.allCases.map(\.rawValue))) {
            try load(good.replacingOccurrences(of: "\"iou\"]", with: "\"emd\"]"))
        }
        #expect(throws: RegressError.invalidFile(path: dir.file("s.json"), field: "methods[0].resolutoin", reason: "unknown key (allowed here: method, id, resolution)")) {
            try load(good.replacingOccurrences(of: "\"resolution\"", with: "\"resolutoin\""))
        }
        #expect(throws: RegressError.self) { try load(good.replacingOccurrences(of: "\"mug\"", with: "\"teapot\"")) }
        #expect(throws: RegressError.self) { try load(good.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 2")) }
        #expect(throws: RegressError.invalidFile(path: dir.file("s.json"), field: "tolerances.hausdorff", reason: "a tolerance for 'hausdorff', which \"metrics\" does not list")) {
            try load(smallSuite(tolerances: #""hausdorff": {"absolute": 1}"#))
        }
        #expect(throws: RegressError.self) { try load("{not json") }
        #expect(throws: RegressError.unreadable(path: dir.file("nope.json"), reason: "no such file")) { _ = try RegressSuite.load(dir.file("nope.json")) }
    }

    @Test("a baseline from another suite version or protocol is refused naming the field; NaN in a baseline, or blessed, is refused")
    func incompatibleBaselines() throws {
        let base = results([("a", 0.01, 0.9)], baseline: true)
        var other = results([("a", 0.01, 0.9)])
        other.suite.metricProtocol.points = 200
        #expect(throws: RegressError.incompatibleBaseline(field: "protocol.points", results: "200", baseline: "100")) { try compare(other, base) }
        other = results([("a", 0.01, 0.9)]); other.suite.version = 2
        #expect(throws: RegressError.incompatibleBaseline(field: "suite.version", results: "2", baseline: "1")) { try compare(other, base) }
        other = results([("a", 0.01, 0.9)]); other.suite.metricProtocol.fScoreThresholds = [0.02]
        #expect(throws: RegressError.incompatibleBaseline(field: "protocol.tau", results: "[0.02]", baseline: "[0.01]")) { try compare(other, base) }
        other = results([("a", 0.01, 0.9)]); other.suite.metrics = [.chamferL1]
        #expect(throws: RegressError.incompatibleBaseline(field: "metrics", results: "chamfer-l1", baseline: "chamfer-l1,iou")) { try compare(other, base) }
        // A results file is not a baseline until blessed.
        #expect(throws: RegressError.self) { try compare(results([("a", 0.01, 0.9)]), results([("a", 0.01, 0.9)])) }
        // NaN in a baseline; NaN is never blessed; a results file with NaN round-trips through JSON.
        #expect(throws: RegressError.nonFinite(path: "b.json", shape: "a", method: "m", metric: "chamfer-l1")) {
            try compare(results([("a", 0.01, 0.9)]), results([("a", .nan, 0.9)], baseline: true))
        }
        let dir = TempDir()
        try results([("a", .nan, 0.9)]).write(to: dir.file("nan.json"))
        #expect(try RegressResults.read(dir.file("nan.json")).items[0].metrics["chamfer-l1"]!.isNaN)
        #expect(throws: RegressError.nonFinite(path: dir.file("nan.json"), shape: "a", method: "m", metric: "chamfer-l1")) {
            try RegressBlessJob(results: dir.file("nan.json"), output: dir.file("b.json")).run()
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("b.json")))
        _ = dir.write("garbage.json", #"{"format": "octoplane-regress-results", "version": 1, "items": 3}"#)
        #expect(throws: RegressError.self) { _ = try RegressResults.read(dir.file("garbage.json")) }
    }

    @Test("the project's own suite loads, lists its shapes, and its committed baseline is compatible with it")
    func projectSuite() throws {
        let suitePath = repoRoot + "/Tests/Regression/suite.json"
        let s = try RegressSuite.load(suitePath)
        let shapes = try RegressShapes.list(s, suitePath: suitePath).shapes
        let baseline = try RegressResults.read(repoRoot + "/Tests/Regression/baseline.json")
        #expect(baseline.isBaseline)
        try RegressComparison.checkCompatible(s, baseline.suite)
        #expect(Set(baseline.items.map(\.shape)) == Set(shapes.map(\.id)))
        #expect(baseline.items.count == shapes.count * s.methods.count)
        for m in s.metrics { #expect(s.tolerances[m.rawValue] != nil, "\(m) has a tolerance") }
    }
}

@Suite("The regress command", .enabled(if: octoplaneBinary != nil))
struct RegressCLITests {
    @Test("exit 0 on a clean compare, 1 on a regression, 2 on a broken input with the file on stderr; other thread counts reproduce the metrics exactly")
    func exitStatuses() throws {
        let dir = TempDir()
        let suite = dir.write("suite.json", smallSuite())
        let a = try run(["regress", "run", suite, "--out", dir.file("a.json"), "--quiet"], environment: ["OCTOPLANE_THREADS": "3"])
        #expect(a.status == 0 && a.out.contains("6 items"), "\(a.err)")
        #expect(try run(["regress", "bless", dir.file("a.json"), "-o", dir.file("base.json")]).status == 0)
        // One thread instead of three: the same numbers (the noise floor across thread counts is 0).
        _ = try run(["regress", "run", suite, "--out", dir.file("b.json"), "--quiet"], environment: ["OCTOPLANE_THREADS": "1"])
        let clean = try run(["regress", "compare", dir.file("b.json"), "--baseline", dir.file("base.json"), "--json"])
        #expect(clean.status == 0, "\(clean.out)")
        let report = try JSONSerialization.jsonObject(with: Data(clean.out.utf8)) as? [String: Any]
        #expect((report?["largestChange"] as? [String: Double])?.values.allSatisfy { $0 == 0 } == true, "\(clean.out)")

        let degraded = dir.write("degraded.json", smallSuite(resolution: 17))
        _ = try run(["regress", "run", degraded, "--out", dir.file("c.json"), "--quiet"])
        let bad = try run(["regress", "compare", dir.file("c.json"), "--baseline", dir.file("base.json"), "--markdown", dir.file("r.md")])
        #expect(bad.status == 1 && bad.out.hasPrefix("FAIL small") && bad.out.contains("sdf-mc: chamfer-l1 rose"), "\(bad.out)")

        for args in [["regress", "compare", dir.file("missing.json"), "--baseline", dir.file("base.json")],
                     ["regress", "compare", dir.file("c.json"), "--baseline", dir.file("c.json")],
                     ["regress", "run", dir.write("broken.json", "{\"format\": 1}"), "--out", dir.file("x.json")]] {
            let r = try run(args)
            #expect(r.status == 2 && r.err.hasPrefix("Error: ") && r.err.contains(args[2]), "\(args): \(r.status) \(r.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("x.json")))
    }
}
