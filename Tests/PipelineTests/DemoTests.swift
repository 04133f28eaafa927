import Foundation
import Testing
@testable import Pipeline

@Suite("The end-to-end demo")
struct DemoTests {
    @Test("a one-mug demo writes its sheets and report, and every reconstruction is close to the input")
    func smallDemo() throws {
        let dir = NSTemporaryDirectory() + "octoplane-demo-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = Demo.Options()
        o.output = dir; o.assets = "/nonexistent"; o.categories = ["mug"]; o.perCategory = 1
        o.resolution = 65; o.dualDepth = 6; o.octreeDepth = 6; o.metricPoints = 20_000; o.tileSize = 96
        let s = try Demo.run(o, log: { _ in })
        #expect(s.models.count == 1 && s.skipped.isEmpty)
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
        let again = try Demo.run(o, log: { _ in })
        #expect(again.models[0].results.map(\.chamferL1) == results.map(\.chamferL1))
    }
}
