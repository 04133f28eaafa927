import Foundation
import Support

/// Everything that can go wrong at MeshIO's file boundary. Every case names the file (`path`;
/// `"<memory>"` plus the format hint for in-memory loads) and says why in plain words.
public enum MeshIOError: Error, Equatable, CustomStringConvertible {
    /// Nothing exists at `path`.
    case fileNotFound(path: String)
    /// `path` is a folder.
    case isDirectory(path: String)
    /// The file has 0 bytes.
    case emptyFile(path: String)
    /// The file exists but could not be read (permissions, I/O error).
    case unreadable(path: String, reason: String)
    /// assimp refused the file; `message` is assimp's own (`aiGetErrorString()`).
    case assimp(path: String, message: String)
    /// The scene holds no meshes at all.
    case emptyScene(path: String)
    /// The scene holds only points and/or lines, no triangles.
    case noTriangles(path: String, points: Int, lines: Int)
    /// Every triangle touches a NaN or infinite coordinate.
    case nonFinite(path: String, faces: Int)
    /// Every triangle is degenerate (a repeated index or zero area).
    case allDegenerate(path: String, faces: Int)
    /// The header declares more elements (`declared`) than the file's `size` bytes can hold
    /// (`needed` at least): refused before anything is allocated (`DeclaredCounts`).
    case declaredCountsTooLarge(path: String, declared: String, needed: Int, size: Int)
    /// A native (OBJ/PLY) reader met malformed content.
    case malformed(path: String, reason: String)
    /// The extension names no format this writer or reader knows.
    case unsupportedFormat(path: String, ext: String)
    /// The mesh handed to a writer breaks an invariant (see `TriangleMesh.validate()`).
    case invalidMesh(path: String, reason: String)
    /// Writing the output failed; nothing was left at `path`.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .fileNotFound(p): return "\(p): no such file"
        case let .isDirectory(p): return "\(p): is a directory, not a mesh file"
        case let .emptyFile(p): return "\(p): the file is empty (0 bytes)"
        case let .unreadable(p, r): return "\(p): cannot read the file: \(r)"
        case let .assimp(p, m): return "\(p): assimp could not import it: \(m.isEmpty ? "unknown error" : m)"
        case let .emptyScene(p): return "\(p): the scene contains no meshes"
        case let .noTriangles(p, pts, lines):
            return "\(p): the scene contains no triangles (only \(pts) point and \(lines) line primitives)"
        case let .nonFinite(p, n): return "\(p): all \(n) triangles have NaN or infinite coordinates"
        case let .allDegenerate(p, n): return "\(p): all \(n) triangles are degenerate (repeated vertex or zero area)"
        case let .malformed(p, r): return "\(p): malformed file: \(r)"
        case let .declaredCountsTooLarge(p, d, n, s):
            return "\(p): the header declares \(d), which need at least \(n) bytes, but the file has \(s): truncated or corrupt"
        case let .unsupportedFormat(p, e):
            return "\(p): unsupported mesh format '\(e.isEmpty ? "(no extension)" : "." + e)' (use .obj or .ply)"
        case let .invalidMesh(p, r): return "\(p): refusing to write an invalid mesh: \(r)"
        case let .writeFailed(p, r): return "\(p): \(r)"
        }
    }
}

extension MeshIOError {
    /// Checks that `path` is a readable, non-empty regular file.
    static func checkReadableFile(_ path: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw MeshIOError.fileNotFound(path: path) }
        if isDir.boolValue { throw MeshIOError.isDirectory(path: path) }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw MeshIOError.unreadable(path: path, reason: "permission denied")
        }
        let attrs = try? FileManager.default.attributesOfItem(atPath: path)
        if let size = attrs?[.size] as? NSNumber, size.intValue == 0 { throw MeshIOError.emptyFile(path: path) }
    }

    /// Reads the whole file after `checkReadableFile`.
    static func readFile(_ path: String) throws -> Data {
        try checkReadableFile(path)
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw MeshIOError.unreadable(path: path, reason: error.localizedDescription)
        }
    }

    /// Runs an atomic write, mapping Support's `FileWriteError` to `writeFailed`.
    static func atomically(_ path: String, _ body: (FileHandle) throws -> Void) throws {
        do { try AtomicFile.write(to: path, body) } catch let e as FileWriteError {
            throw MeshIOError.writeFailed(path: path, reason: e.description)
        }
    }
}
