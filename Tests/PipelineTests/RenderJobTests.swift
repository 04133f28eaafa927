import Foundation
import Geometry
import MeshIO
import Testing
import TestSupport
@testable import Pipeline

/// Width and height from a PNG's IHDR chunk (big-endian at bytes 16 and 20).
private func pngSize(_ path: String) -> (Int, Int)? {
    guard let d = FileManager.default.contents(atPath: path), d.count > 24,
          d.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { return nil }
    func be(_ o: Int) -> Int { d[o...o + 3].reduce(0) { $0 << 8 | Int($1) } }
    return (be(16), be(20))
}

@Suite("The render job")
struct RenderJobTests {
    @Test("renders one view, a view sheet, a gallery and turntable frames; bad inputs leave nothing")
    func renderJob() throws {
        let dir = try TemporaryDirectory("renderjob").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try MeshWriter.write(.icosphere(subdivisions: 2), to: "\(dir)/ball.ply")
        try MeshWriter.write(.torus(major: 1, minor: 0.3, majorSegments: 24, minorSegments: 12), to: "\(dir)/ring.obj")
        var s = RenderSettings()
        s.size = 64; s.supersampling = 1
        _ = try RenderJob(.meshes(["\(dir)/ball.ply"]), output: "\(dir)/one.png", settings: s).run()
        #expect(pngSize("\(dir)/one.png")! == (64, 64))
        s.views = 4
        _ = try RenderJob(.meshes(["\(dir)/ball.ply"]), output: "\(dir)/four.png", settings: s).run()
        let (w4, h4) = pngSize("\(dir)/four.png")!
        #expect(w4 > 128 && w4 < 160 && h4 > 128)
        s.views = 1
        let g = try RenderJob(.meshes(["\(dir)/ball.ply", "\(dir)/ring.obj"]), output: "\(dir)/gallery.png", settings: s).run()
        #expect(g.faces == [320, 576] && pngSize("\(dir)/gallery.png")!.0 > 128)
        s.turntable = 3
        let t = try RenderJob(.meshes(["\(dir)/ring.obj"]), output: "\(dir)/frames", settings: s).run()
        #expect(t.outputs.count == 3 && t.outputs.allSatisfy { pngSize($0)! == (64, 64) })
        s.turntable = nil
        // A missing mesh stops the job before anything is written; so does a missing folder.
        #expect(throws: MeshIOError.self) { try RenderJob(.meshes(["\(dir)/ball.ply", "\(dir)/nope.obj"]), output: "\(dir)/bad.png", settings: s).run() }
        #expect(throws: (any Error).self) { try RenderJob(.meshes(["\(dir)/ball.ply"]), output: "\(dir)/no/such/out.png", settings: s).run() }
        s.views = 0
        #expect(throws: (any Error).self) { try RenderJob(.meshes(["\(dir)/ball.ply"]), output: "\(dir)/bad.png", settings: s).run() }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(left == ["ball.ply", "four.png", "frames", "gallery.png", "one.png", "ring.obj"])
    }
}
