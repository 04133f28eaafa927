import Foundation

/// A fresh folder under the system's temporary directory, `octoplane-<tag>-<UUID>`, for one test.
/// The one temp-folder helper of every test target:
///
///     let dir = try TemporaryDirectory("render"); defer { dir.remove() }
///     try mesh.write(to: dir.path + "/a.ply")
public struct TemporaryDirectory: Sendable {
    public let path: String

    /// Creates the folder (and any missing parents).
    public init(_ tag: String) throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("octoplane-\(tag)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// `path/name`.
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Deletes the folder and everything in it (errors ignored: it is scratch space).
    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
