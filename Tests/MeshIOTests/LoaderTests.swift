import Foundation
import Testing
import CAssimp
import Geometry
@testable import MeshIO
import TestSupport

/// assimp-testmodels files that hold triangles and must load (path under /usr/share/assimp/models),
/// with the triangle count Octoplane's loader gives (after dropping degenerate faces): a change in
/// assimp or in the loader that alters what a file yields shows up here.
let loadableModels: [(String, Int)] = [
    ("OBJ/box.obj", 12),
    ("OBJ/WusonOBJ.obj", 3732),
    ("OBJ/spider.obj", 1312),
    ("OBJ/regr01.obj", 2706),
    ("OBJ/concave_polygon.obj", 64),
    ("OBJ/cube_with_vertexcolors.obj", 12),
    ("PLY/cube.ply", 12),
    ("PLY/cube_binary.ply", 12),
    ("PLY/Wuson.ply", 3732),
    ("PLY/float-color.ply", 1),
    ("STL/Wuson.stl", 3732),
    ("STL/Spider_binary.stl", 1312),
    ("STL/Spider_ascii.stl", 1312),
    ("STL/sphereWithHole.stl", 285),
    ("STL/triangle.stl", 1),
    ("OFF/Wuson.off", 3732),
    ("OFF/Cube.off", 12),
    ("glTF2/BoxTextured-glTF/BoxTextured.gltf", 12),
    ("glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb", 110336),
    ("glTF2/BoxTextured-glTF-Binary/BoxTextured.glb", 12),
    ("Collada/duck.dae", 4212),
    ("Collada/teapot_instancenodes.DAE", 1984),
    ("Collada/sphere.dae", 760),
    ("Collada/cube_tristrips.dae", 12),
    ("3DS/fels.3ds", 768),
    ("3DS/test1.3ds", 108),
    ("3DS/cubes_with_alpha.3DS", 60),
    ("FBX/box.fbx", 12),
    ("FBX/spider.fbx", 1312),
    ("FBX/cubes_with_mirroring_and_pivot.fbx", 420),
    ("FBX/phong_cube.fbx", 12),
]

/// Loads `path` with assimp's own `aiProcess_PreTransformVertices` (the reference for node
/// transforms) and returns its triangles' total area (Double) and bounds.
func assimpPretransformed(_ path: String) -> (area: Double, bounds: AABB, triangles: Int)? {
    let flags = MeshLoader.postProcessFlags | aiProcess_PreTransformVertices.rawValue
    return MeshLoader.withAssimpLock { () -> (area: Double, bounds: AABB, triangles: Int)? in
    guard let scene = aiImportFile(path, flags) else { return nil }
    defer { aiReleaseImport(scene) }
    var area = 0.0, bounds = AABB.empty, count = 0
    for m in 0..<Int(scene.pointee.mNumMeshes) {
        let mesh = scene.pointee.mMeshes[m]!.pointee
        for f in 0..<Int(mesh.mNumFaces) where mesh.mFaces[f].mNumIndices == 3 {
            let idx = mesh.mFaces[f].mIndices!
            let p = (0..<3).map { k -> Vec3d in let v = mesh.mVertices[Int(idx[k])]; return Vec3d(Double(v.x), Double(v.y), Double(v.z)) }
            guard p.allSatisfy({ $0.float.isFinite }) else { continue }
            area += 0.5 * length(cross(p[1] - p[0], p[2] - p[0]))
            for q in p { bounds.formUnion(q.float) }
            count += 1
        }
    }
    return (area, bounds, count)
    }
}

@Suite("Mesh ingestion through assimp")
struct LoaderTests {
    @Test("every triangle format of assimp-testmodels loads into a compact, finite, non-empty mesh",
          .enabled(if: Prerequisite.met(haveAssimpModels), "needs the assimp-testmodels package"), arguments: loadableModels)
    func loadsTestModels(_ rel: String, _ triangles: Int) throws {
        let loaded = try MeshLoader.load(path: "\(assimpModels)/\(rel)")
        let m = loaded.mesh
        try m.validate()
        #expect(m.faceCount == triangles)
        #expect(m.bounds.min.isFinite && m.bounds.max.isFinite)
        #expect(m.compacted().removed == 0, "loaded meshes have no unused vertices")
        #expect(m.cleanedFaces().report == FaceCleaningReport(), "loaded meshes hold no degenerate or non-finite faces")
        if let n = m.normals { #expect(n.count == m.vertexCount) }
    }

    @Test("the covered formats number at least 8 and the files at least 25")
    func coverage() {
        let formats = Set(loadableModels.map { URL(fileURLWithPath: $0.0).pathExtension.lowercased() })
        #expect(loadableModels.count >= 25)
        #expect(formats.count >= 8)
    }

    @Test("the same model as PLY, STL, OFF and OBJ gives the same area and bounds", .enabled(if: Prerequisite.met(haveAssimpModels), "needs the assimp-testmodels package"))
    func wusonAcrossFormats() throws {
        let ply = try MeshLoader.load(path: "\(assimpModels)/PLY/Wuson.ply").mesh
        for other in ["STL/Wuson.stl", "OFF/Wuson.off", "OBJ/WusonOBJ.obj"] {
            let m = try MeshLoader.load(path: "\(assimpModels)/\(other)").mesh
            #expect(m.faceCount == ply.faceCount, "\(other)")
            #expect(abs(m.surfaceArea - ply.surfaceArea) <= 1e-4 * ply.surfaceArea, "\(other)")
            #expect(length(m.bounds.min - ply.bounds.min) < 1e-4 && length(m.bounds.max - ply.bounds.max) < 1e-4, "\(other)")
        }
    }

    @Test("node transforms put every file where assimp's PreTransformVertices puts it",
          .enabled(if: Prerequisite.met(haveAssimpModels), "needs the assimp-testmodels package"),
          arguments: ["Collada/teapot_instancenodes.DAE", "FBX/cubes_with_mirroring_and_pivot.fbx",
                      "glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb", "3DS/test1.3ds", "Collada/duck.dae"])
    func matchesPretransform(_ rel: String) throws {
        let path = "\(assimpModels)/\(rel)"
        let ours = try MeshLoader.load(path: path).mesh
        let ref = try #require(assimpPretransformed(path))
        let scale = Swift.max(ref.bounds.diagonal, 1e-6)
        #expect(length(ours.bounds.min - ref.bounds.min) <= 1e-5 * scale)
        #expect(length(ours.bounds.max - ref.bounds.max) <= 1e-5 * scale)
        #expect(abs(ours.surfaceArea - ref.area) <= 1e-4 * ref.area)
    }

    @Test("a glTF node graph with translated, scaled, rotated and instanced nodes lands at hand-computed coordinates")
    func handMadeSceneGraph() throws {
        let tmp = try TemporaryDirectory("meshio"); defer { tmp.remove() }
        let dir = tmp.path
        // One triangle (0,0,0) (1,0,0) (0,1,0); root node: translate (10,0,0), scale 2;
        // its child: translate (0,5,0) then rotate 90° about z; both instance the mesh.
        var buf = Data()
        for f: Float in [0, 0, 0, 1, 0, 0, 0, 1, 0] { withUnsafeBytes(of: f.bitPattern.littleEndian) { buf.append(contentsOf: $0) } }
        for i: UInt16 in [0, 1, 2, 0] { withUnsafeBytes(of: i.littleEndian) { buf.append(contentsOf: $0) } }
        let s = 0.70710678118654752
        let gltf = """
        {"asset":{"version":"2.0"},"scene":0,"scenes":[{"nodes":[0]}],
         "nodes":[{"mesh":0,"translation":[10,0,0],"scale":[2,2,2],"children":[1]},
                  {"mesh":0,"translation":[0,5,0],"rotation":[0,0,\(s),\(s)]}],
         "meshes":[{"primitives":[{"attributes":{"POSITION":0},"indices":1,"mode":4}]}],
         "buffers":[{"byteLength":44,"uri":"data:application/octet-stream;base64,\(buf.base64EncodedString())"}],
         "bufferViews":[{"buffer":0,"byteOffset":0,"byteLength":36},{"buffer":0,"byteOffset":36,"byteLength":6}],
         "accessors":[{"bufferView":0,"componentType":5126,"count":3,"type":"VEC3","min":[0,0,0],"max":[1,1,0]},
                      {"bufferView":1,"componentType":5123,"count":3,"type":"SCALAR"}]}
        """
        let path = "\(dir)/graph.gltf"
        try Data(gltf.utf8).write(to: URL(fileURLWithPath: path))
        let loaded = try MeshLoader.load(path: path)
        #expect(loaded.report.meshInstances == 2)
        let m = loaded.mesh
        #expect(m.faceCount == 2)
        let got = Set(m.triangles.map { t in [t.x, t.y, t.z].map { (m.positions[Int($0)] * 1000).rounded(.toNearestOrAwayFromZero) } }.map { $0.map { [$0.x, $0.y, $0.z] } })
        // Root: 2·p + (10,0,0). Child (in root's frame): Rz(90°)·p + (0,5,0), then the root's map.
        let expected: Set<[[Float]]> = [
            [[10, 0, 0], [12, 0, 0], [10, 2, 0]].map { $0.map { $0 * 1000 } },
            [[10, 10, 0], [10, 12, 0], [8, 10, 0]].map { $0.map { $0 * 1000 } },
        ]
        #expect(got == expected)
        // Orientation is kept: both normals point +z.
        for f in 0..<2 { #expect(m.faceNormalScaled(f).z > 0) }
    }

    @Test("a mirroring node transform flips the winding so faces stay outward")
    func mirroredInstance() throws {
        let tmp = try TemporaryDirectory("meshio"); defer { tmp.remove() }
        let dir = tmp.path
        var cube = unitCube()
        cube.positions = cube.positions.map { $0 - 0.5 }
        let obj = String(decoding: MeshWriter.encodeOBJ(cube), as: UTF8.self)
        // A DAE would be verbose; a glTF with scale (-1,1,1) on the node does it in a few lines.
        var buf = Data()
        for p in cube.positions { for f in [p.x, p.y, p.z] { withUnsafeBytes(of: f.bitPattern.littleEndian) { buf.append(contentsOf: $0) } } }
        for t in cube.triangles { for i in [t.x, t.y, t.z] { withUnsafeBytes(of: UInt16(i).littleEndian) { buf.append(contentsOf: $0) } } }
        _ = obj
        let gltf = """
        {"asset":{"version":"2.0"},"scene":0,"scenes":[{"nodes":[0]}],
         "nodes":[{"mesh":0,"scale":[-1,1,1]}],
         "meshes":[{"primitives":[{"attributes":{"POSITION":0},"indices":1,"mode":4}]}],
         "buffers":[{"byteLength":\(buf.count),"uri":"data:application/octet-stream;base64,\(buf.base64EncodedString())"}],
         "bufferViews":[{"buffer":0,"byteOffset":0,"byteLength":96},{"buffer":0,"byteOffset":96,"byteLength":72}],
         "accessors":[{"bufferView":0,"componentType":5126,"count":8,"type":"VEC3","min":[-0.5,-0.5,-0.5],"max":[0.5,0.5,0.5]},
                      {"bufferView":1,"componentType":5123,"count":36,"type":"SCALAR"}]}
        """
        let path = "\(dir)/mirror.gltf"
        try Data(gltf.utf8).write(to: URL(fileURLWithPath: path))
        let loaded = try MeshLoader.load(path: path)
        #expect(loaded.report.mirroredInstances == 1)
        #expect(loaded.mesh.signedVolume > 0.99)
        #expect(MeshTopology(loaded.mesh).inconsistentlyOrientedEdges == 0)
    }

    @Test("loading from memory gives the same mesh as loading from the file",
          .enabled(if: Prerequisite.met(haveAssimpModels), "needs the assimp-testmodels package"),
          arguments: ["PLY/Wuson.ply", "STL/Spider_binary.stl", "OFF/Cube.off", "glTF2/BoxTextured-glTF-Binary/BoxTextured.glb", "OBJ/spider.obj", "FBX/box.fbx"])
    func memoryEqualsFile(_ rel: String) throws {
        let path = "\(assimpModels)/\(rel)"
        let fromFile = try MeshLoader.load(path: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let fromMemory = try MeshLoader.load(data: data, hint: URL(fileURLWithPath: path).pathExtension)
        #expect(bitIdentical(fromFile.mesh, fromMemory.mesh))
        #expect(fromFile.report == fromMemory.report)
    }

    @Test("real files without usable triangles give typed errors: a point cloud, an all-degenerate OBJ",
          .enabled(if: Prerequisite.met(haveAssimpModels), "needs the assimp-testmodels package"))
    func realFilesWithoutTriangles() throws {
        let pond = "\(assimpModels)/PLY/pond.0.ply"
        #expect(throws: MeshIOError.noTriangles(path: pond, points: 70051, lines: 0)) { try MeshLoader.load(path: pond) }
        let numbers = "\(assimpModels)/OBJ/number_formats.obj"
        #expect(throws: MeshIOError.allDegenerate(path: numbers, faces: 1)) { try MeshLoader.load(path: numbers) }
    }

    @Test("degenerate and NaN faces are dropped, counted and compacted away")
    func dropsAndCounts() throws {
        let tmp = try TemporaryDirectory("meshio"); defer { tmp.remove() }
        let dir = tmp.path
        // Binary PLY written by hand: a good triangle, a NaN one, a collinear one, a repeated index.
        var m = TriangleMesh(
            positions: [[0, 0, 0], [1, 0, 0], [0, 1, 0], [.nan, 0, 0], [2, 2, 2], [3, 3, 3], [4, 4, 4], [9, 9, 9]],
            triangles: [[0, 1, 2], [0, 1, 3], [4, 5, 6], [0, 0, 7]])
        let path = "\(dir)/dirty.ply"
        try MeshIOError.atomically(path) { try $0.write(contentsOf: MeshWriter.encodePLY(m)) }
        let loaded = try MeshLoader.load(path: path)
        #expect(loaded.mesh.faceCount == 1)
        #expect(loaded.mesh.vertexCount == 3)
        #expect(loaded.report.droppedNonFinite == 1)
        #expect(loaded.report.droppedDegenerate >= 2)
        m = loaded.mesh
        #expect(m.positions == [[0, 0, 0], [1, 0, 0], [0, 1, 0]])
    }
}
