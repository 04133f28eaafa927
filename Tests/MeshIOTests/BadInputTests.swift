import Foundation
import Testing
import Geometry
@testable import MeshIO
import TestSupport

@Suite("Bad input gets a typed error and leaves nothing behind")
struct BadInputTests {
    /// Runs `body` in a fresh folder and checks that the folder holds only `allowed` afterwards.
    func inScratch(allowed: Set<String> = [], _ body: (String) throws -> Void) throws {
        let tmp = try TemporaryDirectory("meshio"); defer { tmp.remove() }
        let dir = tmp.path
        try body(dir)
        #expect(Set(listing(dir)).isSubset(of: allowed), "stray files: \(listing(dir))")
    }

    @Test("a missing path is fileNotFound")
    func missing() {
        #expect(throws: MeshIOError.fileNotFound(path: "/nonexistent/octoplane/x.obj")) {
            try MeshLoader.load(path: "/nonexistent/octoplane/x.obj")
        }
        #expect(throws: MeshIOError.fileNotFound(path: "/nonexistent/octoplane/x.ply")) {
            try MeshReader.read(path: "/nonexistent/octoplane/x.ply")
        }
    }

    @Test("a directory is isDirectory")
    func directory() throws {
        try inScratch(allowed: ["d.obj"]) { dir in
            try FileManager.default.createDirectory(atPath: "\(dir)/d.obj", withIntermediateDirectories: false)
            #expect(throws: MeshIOError.isDirectory(path: "\(dir)/d.obj")) { try MeshLoader.load(path: "\(dir)/d.obj") }
        }
    }

    @Test("a 0-byte file is emptyFile, from disk and from memory")
    func zeroBytes() throws {
        try inScratch(allowed: ["e.ply"]) { dir in
            _ = FileManager.default.createFile(atPath: "\(dir)/e.ply", contents: Data())
            #expect(throws: MeshIOError.emptyFile(path: "\(dir)/e.ply")) { try MeshLoader.load(path: "\(dir)/e.ply") }
            #expect(throws: MeshIOError.emptyFile(path: "<memory>.ply")) { try MeshLoader.load(data: Data(), hint: "ply") }
        }
    }

    @Test("a truncated binary file is assimp's error, with its message", arguments: ["ply", "stl"])
    func truncated(ext: String) throws {
        try checkTruncated(ext == "ply" ? MeshWriter.encodePLY(unitCube()) : stlBinary(unitCube()), ext: ext)
    }

    @Test("a truncated GLB is assimp's error, with its message",
          .enabled(if: Prerequisite.met(haveAssimpModels), "needs the assimp-testmodels package"))
    func truncatedGLB() throws {
        try checkTruncated(try Data(contentsOf: URL(fileURLWithPath: "\(assimpModels)/glTF2/BoxTextured-glTF-Binary/BoxTextured.glb")), ext: "glb")
    }

    /// The first half of `full`, saved as `t.ext`, fails to load with assimp's error naming the file.
    func checkTruncated(_ full: Data, ext: String) throws {
        try inScratch(allowed: ["t.\(ext)"]) { dir in
            try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: "\(dir)/t.\(ext)"))
            let error = try #require(throws: MeshIOError.self) { try MeshLoader.load(path: "\(dir)/t.\(ext)") }
            guard case let .assimp(path, message) = error else { Issue.record("expected an assimp error, got \(error)"); return }
            #expect(path == "\(dir)/t.\(ext)")
            #expect(!message.isEmpty)
            #expect(error.description.contains("t.\(ext)"))
        }
    }

    @Test("binary garbage with a mesh extension is a typed error", arguments: ["obj", "ply", "stl", "glb", "fbx", "dae", "3ds", "off"])
    func garbage(ext: String) throws {
        try inScratch(allowed: ["g.\(ext)"]) { dir in
            var seed: UInt64 = 0x5EED
            let bytes = (0..<4096).map { _ -> UInt8 in seed = seed &* 6364136223846793005 &+ 1442695040888963407; return UInt8(truncatingIfNeeded: seed >> 56) }
            try Data(bytes).write(to: URL(fileURLWithPath: "\(dir)/g.\(ext)"))
            let error = try #require(throws: MeshIOError.self) { try MeshLoader.load(path: "\(dir)/g.\(ext)") }
            switch error {
            case .assimp, .emptyScene, .noTriangles: break
            case .declaredCountsTooLarge: #expect(ext == "stl")   // bytes 80–83 read as a triangle count
            default: Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test("a scene with only points or lines is noTriangles")
    func pointsOnly() throws {
        try inScratch(allowed: ["p.obj", "l.obj"]) { dir in
            try Data("v 0 0 0\nv 1 0 0\nv 0 1 0\np 1\np 2\np 3\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/p.obj"))
            let e = try #require(throws: MeshIOError.self) { try MeshLoader.load(path: "\(dir)/p.obj") }
            guard case let .noTriangles(_, points, lines) = e else { Issue.record("got \(e)"); return }
            #expect(points == 3 && lines == 0)
            try Data("v 0 0 0\nv 1 0 0\nv 0 1 0\nl 1 2 3\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/l.obj"))
            let e2 = try #require(throws: MeshIOError.self) { try MeshLoader.load(path: "\(dir)/l.obj") }
            guard case let .noTriangles(_, _, lines2) = e2 else { Issue.record("got \(e2)"); return }
            #expect(lines2 >= 1)
        }
    }

    @Test("an empty scene is emptyScene or assimp's refusal", arguments: ["obj", "ply", "gltf"])
    func emptyScene(ext: String) throws {
        try inScratch(allowed: ["e.\(ext)"]) { dir in
            let text: String
            switch ext {
            case "obj": text = "# nothing here\no empty\n"
            case "ply": text = "ply\nformat ascii 1.0\nelement vertex 0\nproperty float x\nproperty float y\nproperty float z\nelement face 0\nproperty list uchar int vertex_indices\nend_header\n"
            default: text = #"{"asset":{"version":"2.0"},"scene":0,"scenes":[{"nodes":[]}],"nodes":[]}"#
            }
            try Data(text.utf8).write(to: URL(fileURLWithPath: "\(dir)/e.\(ext)"))
            let e = try #require(throws: MeshIOError.self) { try MeshLoader.load(path: "\(dir)/e.\(ext)") }
            switch e {
            case .emptyScene: break
            case let .assimp(_, message): #expect(!message.isEmpty)
            default: Issue.record("got \(e)")
            }
        }
    }

    @Test("a mesh whose every coordinate is NaN or infinite is nonFinite")
    func nanCoordinates() throws {
        try inScratch(allowed: ["n.ply", "i.stl"]) { dir in
            let m = TriangleMesh(positions: [[.nan, 0, 0], [1, .nan, 0], [0, 1, .nan]], triangles: [[0, 1, 2]])
            try MeshWriter.encodePLY(m).write(to: URL(fileURLWithPath: "\(dir)/n.ply"))
            #expect(throws: MeshIOError.nonFinite(path: "\(dir)/n.ply", faces: 1)) { try MeshLoader.load(path: "\(dir)/n.ply") }
            let inf = TriangleMesh(positions: [[.infinity, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, -.infinity]], triangles: [[0, 1, 2], [1, 2, 3]])
            try stlBinary(inf).write(to: URL(fileURLWithPath: "\(dir)/i.stl"))
            #expect(throws: MeshIOError.nonFinite(path: "\(dir)/i.stl", faces: 2)) { try MeshLoader.load(path: "\(dir)/i.stl") }
        }
    }
}

/// A binary STL of `m` (80-byte header, count, 50 bytes per face, zero normals).
func stlBinary(_ m: TriangleMesh) -> Data {
    var d = Data(count: 80)
    withUnsafeBytes(of: UInt32(m.faceCount).littleEndian) { d.append(contentsOf: $0) }
    for f in 0..<m.faceCount {
        let (a, b, c) = m.corners(f)
        for v in [Vec3.zero, a, b, c] { for x in [v.x, v.y, v.z] { withUnsafeBytes(of: x.bitPattern.littleEndian) { d.append(contentsOf: $0) } } }
        d.append(contentsOf: [0, 0])
    }
    return d
}

/// Files of assimp-testmodels that must be refused, with the kind of error they must get.
/// (`invalid/OutOfMemory.off` declares 3.5·10¹¹ vertices: refused by `DeclaredCounts` before assimp
/// would reserve them.)
let refusedModels: [(String, String)] = [
    ("invalid/OutOfMemory.off", "declaredCounts"),
    ("invalid/malformed.obj", "assimp"), ("invalid/emptyIrrMesh.xml", "assimp"), ("invalid/empty.obj", "emptyFile"),
    ("invalid/empty.ply", "emptyFile"), ("invalid/empty.3ds", "emptyFile"),
    ("STL/triangle_with_empty_solid.stl", "assimp"),  // crashed assimp via aiApplyPostProcessing's failure path
    ("glTF2/RecursiveNodes/RecursiveNodes.gltf", "assimp"), ("glTF2/wrongTypes/badArray.gltf", "assimp"),
    ("glTF2/MissingBin/BoxTextured.gltf", "assimp"), ("FBX/transparentTest.fbx", "assimp"),
    ("OBJ/testpoints.obj", "noTriangles"), ("OBJ/testline.obj", "noTriangles"), ("PLY/points.ply", "noTriangles"),
    ("glTF2/glTF-Asset-Generator/Mesh_PrimitiveMode/Mesh_PrimitiveMode_00.gltf", "noTriangles"),
    ("glTF2/glTF-Asset-Generator/Mesh_PrimitiveMode/Mesh_PrimitiveMode_03.gltf", "noTriangles"),
    ("glTF2/TestNoRootNode/SceneWithoutNodes.gltf", "emptyScene"),
    ("glTF2/BoxWithInfinites-glTF-Binary/BoxWithInfinites.glb", "nonFinite"),
    ("OFF/invalid.off", "allDegenerate"),
]

@Suite("assimp-testmodels' own bad files")
struct RefusedModelTests {
    @Test("each is refused with the right kind of typed error, without crashing", .enabled(if: Prerequisite.met(haveAssimpModels), "needs the assimp-testmodels package"), arguments: refusedModels)
    func refused(_ rel: String, _ kind: String) throws {
        let path = "\(assimpModels)/\(rel)"
        let e = try #require(throws: MeshIOError.self) { try MeshLoader.load(path: path) }
        let got: String = switch e {
        case .assimp: "assimp"
        case .emptyFile: "emptyFile"
        case .noTriangles: "noTriangles"
        case .emptyScene: "emptyScene"
        case .nonFinite: "nonFinite"
        case .allDegenerate: "allDegenerate"
        case .declaredCountsTooLarge: "declaredCounts"
        default: "\(e)"
        }
        #expect(got == kind, "\(rel): \(e)")
        #expect(e.description.hasPrefix(path))
    }
}

@Suite("Headers that declare more than the file holds are refused before assimp allocates")
struct DeclaredCountTests {
    func refused(_ data: Data, _ hint: String) -> Bool {
        do { _ = try MeshLoader.load(data: data, hint: hint); return false } catch let e as MeshIOError {
            if case .declaredCountsTooLarge = e { return true }
            return false
        } catch { return false }
    }

    @Test("OFF, PLY (ascii and binary) and binary STL with absurd counts: declaredCountsTooLarge; honest headers load")
    func absurdCounts() throws {
        #expect(refused(Data("OFF\n353535235358 6 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n".utf8), "off"))
        #expect(refused(Data("OFF\n# comment\n3 100000000 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n".utf8), "off"))
        #expect(!refused(Data("OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n".utf8), "off"))
        #expect(try MeshLoader.load(data: Data("OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n".utf8), hint: "off").mesh.faceCount == 1)
        let plyHeader = "ply\nformat ascii 1.0\nelement vertex 100000000\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n"
        #expect(refused(Data((plyHeader + "0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n").utf8), "ply"))
        var binary = Data(plyHeader.replacingOccurrences(of: "ascii", with: "binary_little_endian").utf8)
        binary.append(Data(count: 12 * 3 + 13))
        #expect(refused(binary, "ply"))
        var stl = Data(count: 80)
        withUnsafeBytes(of: UInt32(100_000_000).littleEndian) { stl.append(contentsOf: $0) }
        stl.append(Data(count: 50))
        #expect(refused(stl, "stl"))
        #expect(DeclaredCounts.requiredBytes(ext: "stl", head: stl)?.1 == 84 + 50 * 100_000_000)
    }
}
