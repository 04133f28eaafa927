import Foundation
import Testing
import TestSupport
import Geometry
import MeshIO
@testable import Pipeline

/// An outward unit cube centred at `c` with edge `e`.
private func cube(at c: Vec3 = .zero, edge e: Float = 1) -> TriangleMesh {
    let p: [Vec3] = [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]]
    let f: [SIMD3<UInt32>] = [[0, 2, 1], [0, 3, 2], [4, 5, 6], [4, 6, 7], [0, 1, 5], [0, 5, 4],
                              [2, 3, 7], [2, 7, 6], [1, 2, 6], [1, 6, 5], [0, 4, 7], [0, 7, 3]]
    return TriangleMesh(positions: p.map { c + ($0 - 0.5) * e }, triangles: f)
}

@Suite("The info and normalize jobs")
struct InfoNormalizeTests {
    @Test("info on two disjoint cubes: watertight, 2 components, χ = 4, exact bounds and area")
    func infoTwoCubes() throws {
        let dir = try TemporaryDirectory("pipeline").path; defer { try? FileManager.default.removeItem(atPath: dir) }
        var m = cube(at: [0, 0, 0], edge: 2)
        m.append(cube(at: [5, 0, 0], edge: 1))
        try MeshWriter.write(m, to: "\(dir)/two.ply")
        let info = try InfoJob(path: "\(dir)/two.ply").run()
        #expect(info.vertices == 16 && info.faces == 24)
        #expect(info.watertight && info.components == 2 && info.eulerCharacteristic == 4)
        #expect(info.boundaryEdges == 0 && info.nonManifoldEdges == 0 && info.inconsistentlyOrientedEdges == 0)
        #expect(info.boundsMin == [-1, -1, -1] && info.boundsMax == [5.5, 1, 1])
        #expect(abs(info.surfaceArea - 30) < 1e-9 && abs(info.signedVolume - 9) < 1e-9)
        let decoded = try JSONDecoder().decode(MeshInfo.self, from: Data(info.json.utf8))
        #expect(decoded == info)
    }

    @Test("info welds flat-shaded corners before judging topology", .enabled(if: Prerequisite.file("/usr/share/assimp/models/STL/Wuson.stl"), "needs the assimp-testmodels package"))
    func infoWelds() throws {
        let ply = try InfoJob(path: "/usr/share/assimp/models/PLY/Wuson.ply").run()
        let stl = try InfoJob(path: "/usr/share/assimp/models/STL/Wuson.stl").run()
        #expect(ply.vertices > ply.weldedVertices)
        #expect(ply.weldedVertices == stl.weldedVertices)
        #expect(ply.components == stl.components && ply.eulerCharacteristic == stl.eulerCharacteristic)
        #expect(ply.boundaryEdges == stl.boundaryEdges)
    }

    @Test("normalize writes a mesh whose bbox follows the convention and prints a transform that maps it back",
          arguments: ["onet", "onet-0.1", "nfd", "sphere"])
    func normalizeRoundTrip(_ name: String) throws {
        let dir = try TemporaryDirectory("pipeline").path; defer { try? FileManager.default.removeItem(atPath: dir) }
        var m = cube(at: [10, -3, 7], edge: 4)
        m.positions = m.positions.map { $0 * Vec3(1, 0.5, 0.25) }
        try MeshWriter.write(m, to: "\(dir)/in.obj")
        let convention: NormalizationConvention = switch name {
        case "onet": .onet
        case "onet-0.1": .onet(padding: 0.1)
        case "nfd": .nfd
        default: .unitSphere
        }
        for ext in ["obj", "ply"] {
            let r = try NormalizeJob(input: "\(dir)/in.obj", output: "\(dir)/out.\(ext)", convention: convention).run()
            let out = try MeshReader.read(path: "\(dir)/out.\(ext)")
            let b = out.bounds
            let h = convention.targetHalfExtent
            switch convention {
            case .onet, .nfd: #expect(abs(b.longestSide - 2 * h) < 1e-6)
            case .unitSphere: #expect(abs(out.positions.map { length($0) }.max()! - 1) < 1e-6)
            }
            #expect(length(b.center) < 1e-6)
            let back = out.transformed(by: r.inverse)
            let original = try MeshLoader.load(path: "\(dir)/in.obj").mesh
            #expect(length(back.bounds.min - original.bounds.min) < 1e-5 && length(back.bounds.max - original.bounds.max) < 1e-5)
            #expect(r.faces == 12)
        }
    }

    @Test("normalize refuses bad input without leaving an output file")
    func normalizeRefusals() throws {
        let dir = try TemporaryDirectory("pipeline").path; defer { try? FileManager.default.removeItem(atPath: dir) }
        try MeshWriter.write(cube(), to: "\(dir)/in.ply")
        #expect(throws: MeshIOError.fileNotFound(path: "\(dir)/missing.obj")) {
            try NormalizeJob(input: "\(dir)/missing.obj", output: "\(dir)/o.obj", convention: .nfd).run()
        }
        #expect(throws: MeshIOError.self) { try NormalizeJob(input: "\(dir)/in.ply", output: "\(dir)/o.stl", convention: .nfd).run() }
        #expect(throws: PipelineError.invalidOption("padding 1.5 is not valid: ONet padding must lie in [0, 1)")) { try NormalizeJob(input: "\(dir)/in.ply", output: "\(dir)/o.obj", convention: .onet(padding: 1.5)).run() }
        _ = FileManager.default.createFile(atPath: "\(dir)/garbage.ply", contents: Data([0x70, 0x6c, 0x79, 0x0a, 0xff, 0xfe]))
        #expect(throws: MeshIOError.self) { try NormalizeJob(input: "\(dir)/garbage.ply", output: "\(dir)/o.ply", convention: .unitSphere).run() }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(left == ["garbage.ply", "in.ply"])
    }
}
