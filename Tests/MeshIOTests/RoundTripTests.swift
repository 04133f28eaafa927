import Foundation
import Testing
import Geometry
@testable import MeshIO
import TestSupport

@Suite("OBJ and PLY export")
struct RoundTripTests {
    @Test("OBJ and PLY round trips are bit-identical, with and without normals", arguments: MeshFileFormat.allCases)
    func roundTrip(format: MeshFileFormat) throws {
        let tmp = try TemporaryDirectory("meshio"); defer { tmp.remove() }
        let dir = tmp.path
        for (k, mesh) in [awkwardMesh(), { var m = awkwardMesh(seed: 11); m.normals = nil; return m }(), unitCube()].enumerated() {
            let path = "\(dir)/m\(k).\(format.rawValue)"
            try MeshWriter.write(mesh, to: path)
            let back = try MeshReader.read(path: path)
            #expect(bitIdentical(mesh, back), "mesh \(k) changed in a \(format) round trip")
        }
        #expect(listing(dir).allSatisfy { !$0.hasPrefix(".") }, "a temporary file was left behind")
    }

    @Test("assimp reads the written files back to the same surface", arguments: MeshFileFormat.allCases)
    func assimpReadsOurFiles(format: MeshFileFormat) throws {
        let tmp = try TemporaryDirectory("meshio"); defer { tmp.remove() }
        let dir = tmp.path
        var mesh = unitCube().transformed(by: SimilarityTransform(scale: 0.1234567, translation: [0.3, -7.25, 1e-3]))
        mesh.recomputeNormals()
        let path = "\(dir)/cube.\(format.rawValue)"
        try MeshWriter.write(mesh, to: path)
        let loaded = try MeshLoader.load(path: path)
        #expect(loaded.mesh.faceCount == 12)
        #expect(loaded.mesh.vertexCount <= 24)
        #expect(abs(loaded.mesh.surfaceArea - mesh.surfaceArea) < 1e-6 * mesh.surfaceArea)
        #expect(loaded.mesh.bounds == mesh.bounds)
        #expect(MeshTopology(loaded.mesh).eulerCharacteristic == 2)
    }

    @Test("a writer refuses an unknown extension and an invalid mesh and leaves no file")
    func writerRefusals() throws {
        let tmp = try TemporaryDirectory("meshio"); defer { tmp.remove() }
        let dir = tmp.path
        #expect(throws: MeshIOError.unsupportedFormat(path: "\(dir)/x.stl", ext: "stl")) {
            try MeshWriter.write(unitCube(), to: "\(dir)/x.stl")
        }
        var bad = unitCube(); bad.positions[3] = Vec3(.nan, 0, 0)
        #expect(throws: MeshIOError.self) { try MeshWriter.write(bad, to: "\(dir)/x.obj") }
        var bad2 = unitCube(); bad2.triangles.append(SIMD3(0, 1, 99))
        #expect(throws: MeshIOError.self) { try MeshWriter.write(bad2, to: "\(dir)/x.ply") }
        #expect(throws: MeshIOError.self) { try MeshWriter.write(unitCube(), to: "\(dir)/no/such/folder/x.ply") }
        #expect(listing(dir).isEmpty)
    }

    @Test("the PLY reader parses ASCII and big-endian files, fan-triangulates polygons and skips other elements")
    func plyVariants() throws {
        let ascii = """
        ply
        format ascii 1.0
        element vertex 4
        property double x
        property double y
        property double z
        property uchar red
        element face 1
        property list uchar uint vertex_indices
        element edge 1
        property int vertex1
        property int vertex2
        end_header
        0 0 0 1
        1 0 0 2
        1 1 0 3
        0 1 0 4
        4 0 1 2 3
        0 1

        """
        let m = try MeshReader.read(data: Data(ascii.utf8), format: .ply)
        #expect(m.triangles == [SIMD3(0, 1, 2), SIMD3(0, 2, 3)])
        #expect(m.positions[2] == Vec3(1, 1, 0))

        var be = Data("ply\nformat binary_big_endian 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar ushort vertex_indices\nend_header\n".utf8)
        for f: Float in [0, 0, 0, 2, 0, 0, 0, 3, 0] { withUnsafeBytes(of: f.bitPattern.bigEndian) { be.append(contentsOf: $0) } }
        be.append(3)
        for i: UInt16 in [0, 1, 2] { withUnsafeBytes(of: i.bigEndian) { be.append(contentsOf: $0) } }
        let t = try MeshReader.read(data: be, format: .ply)
        #expect(t.positions == [Vec3(0, 0, 0), Vec3(2, 0, 0), Vec3(0, 3, 0)])
        #expect(t.triangles == [SIMD3(0, 1, 2)])
        #expect(throws: MeshIOError.self) { _ = try MeshReader.read(data: be.dropLast(3), format: .ply) }
    }

    @Test("the OBJ reader resolves negative indices and slash forms and drops mismatched normals")
    func objVariants() throws {
        let text = "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nvt 0 0\nvn 0 0 1\nf 1/1/1 2/1/1 3/1/1 4/1/1\nf -4 -2 -1\n"
        let m = try MeshReader.read(data: Data(text.utf8), format: .obj)
        #expect(m.triangles == [SIMD3(0, 1, 2), SIMD3(0, 2, 3), SIMD3(0, 2, 3)])
        #expect(m.normals == nil)
        #expect(throws: MeshIOError.self) { _ = try MeshReader.read(data: Data("v 0 0 0\nf 1 2 3\n".utf8), format: .obj) }
    }
}
