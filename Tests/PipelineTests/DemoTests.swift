import Foundation
import Testing
import TestSupport
@testable import Pipeline

@Suite("The end-to-end demo")
struct DemoTests {
    @Test("a one-mug demo writes its sheets and report, and every reconstruction is close to the input")
    func smallDemo() throws {
        let tmp = try TemporaryDirectory("demo"); defer { tmp.remove() }
        let dir = tmp.path
        var o = DemoJob()
        o.output = dir; o.assets = "/nonexistent"; o.categories = ["mug"]; o.perCategory = 1
        o.resolution = 65; o.dualDepth = 6; o.octreeDepth = 6; o.metricPoints = 20_000; o.tileSize = 96
        o.generatePerCategory = 2
        o.log = { _ in }
        let s = try o.run()
        #expect(s.models.count == 1 && s.skipped.isEmpty)
        // Step 5: two new mugs from each shipped generator, scored and drawn over their nearest training mugs.
        #expect(s.generations.map(\.family) == ["diffusion", "next-token"], "both shipped generators must be found")
        for g in s.generations {
            #expect(g.rows.map(\.category) == ["mug"] && g.rows[0].generated == 2 && g.rows[0].nonEmpty == 1 && g.rows[0].watertight == 1)
        }
        #expect(FileManager.default.fileExists(atPath: dir + "/generated/mug.png"))
        #expect(FileManager.default.fileExists(atPath: dir + "/generated-octree/mug.png"))
        let report = try String(contentsOfFile: dir + "/demo/report.md", encoding: .utf8)
        #expect(report.contains("New shapes from the shipped triplane diffusion model") && report.contains("New shapes from the shipped octree transformer"))
        let results = try #require(s.models.first?.results)
        #expect(results.map(\.method) == ["sdf-mc", "udf-dual", "octree"])
        for r in results {
            // At 64 cells across the unit cube one cell is 0.0156: every method must land within a
            // cell or so of the input on average, and both watertight methods must be closed.
            #expect(r.chamferL1 < 0.02, "\(r.method): CD-L1 \(r.chamferL1)")
            #expect(r.fScore1 > 0.3, "\(r.method): F@1% \(r.fScore1)")
            #expect(r.iou > 0.5, "\(r.method): IoU \(r.iou)")
        }
        // Marching cubes on the winding-number SDF and the octree decode are closed 2-manifolds.
        #expect(results[0].watertight && results[2].watertight)
        #expect(results[0].nonManifoldEdges == 0 && results[2].nonManifoldEdges == 0)
        // The UDF of interpenetrating parts is zero on every part's whole surface, so its mesh has
        // junction curves where the handle enters the body — and nothing else non-manifold.
        #expect(results[1].nonManifoldEdges * 30 < results[1].faces, "\(results[1].nonManifoldEdges) of \(results[1].faces)")
        #expect(results[2].notes["childMaskTokens"]! * 4 < results[2].notes["splitTokens"]!)
        for f in ["demo/collection.png", "demo/mug.png", "demo/report.md", "demo/metrics.json"] {
            #expect(FileManager.default.fileExists(atPath: "\(dir)/\(f)"), "\(f)")
        }
        // Same options, same numbers.
        let again = try o.run()
        #expect(again.models[0].results.map(\.chamferL1) == results.map(\.chamferL1))
    }

    @Test("an empty reconstruction (NaN Chamfer, no normal consistency) is written as \"nan\" and left out of the means, never a failure")
    func emptyReconstructionReports() throws {
        let dir = try TemporaryDirectory("demo-empty"); defer { dir.remove() }
        func result(_ cd: Double, _ nc: Double?, faces: Int) -> DemoJob.MethodResult {
            DemoJob.MethodResult(method: "udf-dual", faces: faces, watertight: false, nonManifoldEdges: 0, seconds: 0.1,
                                 fieldEvaluations: nil, chamferL1: cd, normalConsistency: nc, fScore1: faces == 0 ? 0 : 0.5,
                                 iou: faces == 0 ? 0 : 0.5)
        }
        let models = [
            DemoJob.ModelResult(category: "mug", modelId: "a", inputFaces: 10, inputWatertight: true, results: [result(0.01, 0.9, faces: 8)]),
            DemoJob.ModelResult(category: "mug", modelId: "b", inputFaces: 10, inputWatertight: true, results: [result(.nan, nil, faces: 0)]),
            DemoJob.ModelResult(category: "mug", modelId: "c", inputFaces: 10, inputWatertight: true, results: [result(0.03, 0.7, faces: 8)]),
        ]
        let summary = DemoJob.Report(models: models, skipped: [], seconds: 1, files: [])
        let markdown = try DemoJob.writeReports(summary, options: DemoJob(), into: dir.path)
        // metrics.json is valid JSON and carries the NaN as "nan".
        let data = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/metrics.json"))
        let obj = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let rows = try #require(obj["models"] as? [[String: Any]])
        let second = try #require((rows[1]["results"] as? [[String: Any]])?.first)
        #expect(second["chamferL1"] as? String == "nan")
        // Means over the two defined values: CD (0.01 + 0.03) / 2, NC (0.9 + 0.7) / 2 — not / 3.
        let meanRow = try #require(markdown.split(separator: "\n").last { $0.hasPrefix("| udf-dual |") })
        #expect(meanRow.contains("| 0.0200 (2 of 3) | 0.800 (2 of 3) |"), "\(meanRow)")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/report.md"))
    }
}
