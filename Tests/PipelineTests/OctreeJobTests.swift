import Foundation
import Testing
import TestSupport
import Geometry
import MeshIO
import Octrees
@testable import Pipeline

/// The bundled meshes (`Assets/meshes`), found from this file's path.
private let assets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Assets/meshes").path

@Suite("The octree jobs")
struct OctreeJobTests {
    @Test("build → encode (both schemes, .npy and .npz) → decode round-trips every bundled mesh into a watertight mesh",
          arguments: ["icosphere.ply", "torus.ply", "bevelled-box.ply", "goblet.ply", "chair.ply", "wuson.ply"])
    func roundTrip(name: String) throws {
        let dir = try TemporaryDirectory("octree").path; defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = OctreeBuildJob.Options(); o.depth = 6; o.fullDepth = 2
        let built = try OctreeBuildJob(input: "\(assets)/\(name)", output: "\(dir)/t.octree", options: o).run()
        let tree = try OctreeFile.read("\(dir)/t.octree")
        #expect(built.tree == OctreeSummary(tree))
        for (scheme, ext) in [(OctreeTokens.Scheme.splitFlags, "npy"), (.childMask, "npz")] {
            let enc = try OctreeEncodeJob(input: "\(dir)/t.octree", output: "\(dir)/t.\(ext)", scheme: scheme).run()
            #expect(enc.tokens == (scheme == .splitFlags ? built.tree.splitTokens : built.tree.childMaskTokens))
            #expect(enc.histogram.reduce(0, +) == enc.tokens)
            // The token file decodes to the very same tree (frame aside: tokens carry none).
            var fromTokens = try OctreeInput.readTree("\(dir)/t.\(ext)").tree
            fromTokens.frame = tree.frame
            #expect(fromTokens == tree)
            let dec = try OctreeDecodeJob(input: "\(dir)/t.\(ext)", output: "\(dir)/t-\(ext).obj").run()
            #expect(dec.filled && dec.watertight && dec.faces > 0)
        }
        // The tree file decodes in the source frame: close to the source's bounds.
        _ = try OctreeDecodeJob(input: "\(dir)/t.octree", output: "\(dir)/t.ply").run()
        let back = try MeshReader.read(path: "\(dir)/t.ply")
        let source = try MeshLoader.load(path: "\(assets)/\(name)").mesh
        // Only a closed source is recovered whole (wuson.ply has holes: parts of it leak and are lost).
        guard MeshTopology(source).isWatertight else { return }
        let cell = source.bounds.longestSide / 0.8 / 64
        #expect(length(back.bounds.min - source.bounds.min) < 2 * cell && length(back.bounds.max - source.bounds.max) < 2 * cell)
    }

    @Test("bad input: depth out of range, missing files, corrupted trees and truncated tokens fail naming the file and leave no output")
    func badInput() throws {
        let dir = try TemporaryDirectory("octree").path; defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = OctreeBuildJob.Options(); o.depth = 11
        #expect(throws: PipelineError.invalidInput(path: "\(assets)/torus.ply", reason: OctreeError.depthOutOfRange(depth: 11, allowed: Octree.depthRange).description)) {
            try OctreeBuildJob(input: "\(assets)/torus.ply", output: "\(dir)/x.octree", options: o).run()
        }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/x.octree"))
        do {
            _ = try OctreeBuildJob(input: "\(dir)/missing.ply", output: "\(dir)/x.octree").run()
            Issue.record("built from a missing file")
        } catch let e as MeshIOError { #expect(e.description.hasPrefix("\(dir)/missing.ply")) }

        o.depth = 5
        _ = try OctreeBuildJob(input: "\(assets)/torus.ply", output: "\(dir)/t.octree", options: o).run()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/t.octree"))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: "\(dir)/bad.octree"))
        do {
            _ = try OctreeDecodeJob(input: "\(dir)/bad.octree", output: "\(dir)/bad.obj").run()
            Issue.record("decoded a corrupted tree")
        } catch let PipelineError.invalidInput(path, reason) {
            #expect(path == "\(dir)/bad.octree" && reason.contains("CRC"))
        }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/bad.obj"))

        // A token table with its last row cut: the header's count no longer matches.
        _ = try OctreeEncodeJob(input: "\(dir)/t.octree", output: "\(dir)/t.npz", scheme: .childMask).run()
        let t = try TokenFile.read("\(dir)/t.npz")
        let cut = OctreeTokens(scheme: t.scheme, depth: t.depth, fullDepth: t.fullDepth, tokens: Array(t.tokens.dropLast()),
                               depths: Array(t.depths.dropLast()), keys: Array(t.keys.dropLast()))
        try TokenFile.write(cut, to: "\(dir)/cut.npz")
        do {
            _ = try OctreeDecodeJob(input: "\(dir)/cut.npz", output: "\(dir)/cut.obj").run()
            Issue.record("decoded truncated tokens")
        } catch let PipelineError.invalidInput(path, reason) {
            #expect(path == "\(dir)/cut.npz" && reason.contains("position \(t.count - 1)"))
        }
    }

    @Test("render writes a PNG showing the voxels; the sheet places one panel per depth")
    func render() throws {
        let dir = try TemporaryDirectory("octree").path; defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = OctreeBuildJob.Options(); o.depth = 4; o.fullDepth = 2
        _ = try OctreeBuildJob(input: "\(assets)/goblet.ply", output: "\(dir)/t.octree", options: o).run()
        var v = OctreeRenderJob.View(); v.size = 96
        let img = try OctreeRenderJob.image(try OctreeFile.read("\(dir)/t.octree"), view: v)
        // Some pixels carry the depth-4 colour's hue (green > red), others the white background.
        var coloured = 0
        for y in 0..<img.height { for x in 0..<img.width { let p = img[x, y]; if Int(p.y) > Int(p.x) + 20 { coloured += 1 } } }
        #expect(coloured > 200 && coloured < 96 * 96 / 2)
        var sheet = OctreeRenderJob(.sheet(mesh: "\(assets)/goblet.ply", depths: [2, 3], columns: 2), output: "\(dir)/s.png")
        sheet.view = v
        let r = try sheet.run()
        #expect(r.width == 2 * 96 && r.height == 96)
        #expect(FileManager.default.fileExists(atPath: "\(dir)/s.png"))
    }

    @Test("evaluation: finer octrees reproduce the mesh better, and token counts grow about 4× per depth")
    func evaluation() throws {
        var job = OctreeEvalJob(input: "\(assets)/torus.ply", depths: [4, 5, 6]); job.samples = 20_000
        let r = try job.run()
        #expect(r.rows.count == 3)
        #expect(r.rows[0].chamferL1 > r.rows[2].chamferL1 && r.rows[0].iou < r.rows[2].iou)
        #expect(r.rows[2].iou > 0.85 && r.rows[2].fScore1 > 0.6)
        for row in r.rows { #expect(row.watertight && row.childMaskTokens * 4 < row.splitTokens) }
        #expect(throws: PipelineError.self) { try OctreeEvalJob(input: "\(assets)/torus.ply", depths: [10]).run() }
    }
}
