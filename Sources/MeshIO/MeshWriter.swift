import Foundation
import Geometry

/// The mesh file formats Octoplane writes (and reads natively, bit-exact).
public enum MeshFileFormat: String, Sendable, CaseIterable {
    /// Wavefront OBJ text: `v x y z`, `vn x y z` (when normals are present), `f a b c` or
    /// `f a//a b//b c//c`, 1-based indices.
    case obj
    /// Binary little-endian PLY: `float x y z [nx ny nz]` per vertex, `list uchar int
    /// vertex_indices` per face.
    case ply

    /// The format named by `path`'s extension (case-insensitive), or nil.
    public init?(path: String) {
        self.init(rawValue: URL(fileURLWithPath: path).pathExtension.lowercased())
    }
    static func from(path: String) throws -> MeshFileFormat {
        guard let f = MeshFileFormat(path: path) else {
            throw MeshIOError.unsupportedFormat(path: path, ext: URL(fileURLWithPath: path).pathExtension)
        }
        return f
    }
}

/// Writers for OBJ and binary PLY. Both round-trip exactly through `MeshReader`: the same
/// positions and normals bit for bit, the same indices in the same order.
///
/// Floats are printed in OBJ as Swift's shortest representation that parses back to the same
/// `Float` (at most 9 significant digits, like `%.9g` but shorter where possible). Files are
/// written atomically (`AtomicFile`): on any failure nothing is left at the destination.
public enum MeshWriter {
    /// Writes `mesh` to `path` in the format its extension names (`.obj` or `.ply`).
    public static func write(_ mesh: TriangleMesh, to path: String) throws {
        let format = try MeshFileFormat.from(path: path)
        try write(mesh, to: path, format: format)
    }

    /// Writes `mesh` to `path` as `format`, atomically. Refuses invalid meshes (indices out of
    /// range, non-finite positions, a normals count that differs from the vertex count).
    public static func write(_ mesh: TriangleMesh, to path: String, format: MeshFileFormat) throws {
        do { try mesh.validate() } catch let e as TriangleMesh.InvariantViolation {
            throw MeshIOError.invalidMesh(path: path, reason: e.description)
        }
        let bytes: Data
        switch format {
        case .obj: bytes = encodeOBJ(mesh)
        case .ply: bytes = encodePLY(mesh)
        }
        try MeshIOError.atomically(path) { try $0.write(contentsOf: bytes) }
    }

    /// The OBJ text of `mesh` (which must be valid).
    public static func encodeOBJ(_ mesh: TriangleMesh) -> Data {
        var s = ""
        s.reserveCapacity(mesh.vertexCount * (mesh.normals == nil ? 36 : 72) + mesh.faceCount * 24 + 64)
        s += "# Octoplane OBJ: \(mesh.vertexCount) vertices, \(mesh.faceCount) triangles\n"
        for p in mesh.positions { s += "v \(p.x) \(p.y) \(p.z)\n" }
        if let normals = mesh.normals {
            for n in normals { s += "vn \(n.x) \(n.y) \(n.z)\n" }
            for t in mesh.triangles {
                let a = t.x + 1, b = t.y + 1, c = t.z + 1
                s += "f \(a)//\(a) \(b)//\(b) \(c)//\(c)\n"
            }
        } else {
            for t in mesh.triangles { s += "f \(t.x + 1) \(t.y + 1) \(t.z + 1)\n" }
        }
        return Data(s.utf8)
    }

    /// The binary little-endian PLY bytes of `mesh` (which must be valid).
    public static func encodePLY(_ mesh: TriangleMesh) -> Data {
        let hasNormals = mesh.normals != nil
        var header = "ply\nformat binary_little_endian 1.0\ncomment written by Octoplane\n"
        header += "element vertex \(mesh.vertexCount)\nproperty float x\nproperty float y\nproperty float z\n"
        if hasNormals { header += "property float nx\nproperty float ny\nproperty float nz\n" }
        header += "element face \(mesh.faceCount)\nproperty list uchar int vertex_indices\nend_header\n"
        let stride = hasNormals ? 24 : 12
        var out = Data(header.utf8)
        var body = [UInt8](repeating: 0, count: mesh.vertexCount * stride + mesh.faceCount * 13)
        body.withUnsafeMutableBytes { raw in
            var o = 0
            func put(_ f: Float) { raw.storeBytes(of: f.bitPattern.littleEndian, toByteOffset: o, as: UInt32.self); o += 4 }
            for v in 0..<mesh.vertexCount {
                let p = mesh.positions[v]
                put(p.x); put(p.y); put(p.z)
                if let n = mesh.normals?[v] { put(n.x); put(n.y); put(n.z) }
            }
            for t in mesh.triangles {
                raw[o] = 3; o += 1
                for i in [t.x, t.y, t.z] { raw.storeBytes(of: i.littleEndian, toByteOffset: o, as: UInt32.self); o += 4 }
            }
        }
        out.append(contentsOf: body)
        return out
    }
}
