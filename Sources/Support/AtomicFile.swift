import Foundation

/// Errors at the file boundary, shared by every writer in Octoplane.
public enum FileWriteError: Error, CustomStringConvertible, Equatable {
    /// The destination's folder does not exist or is not a folder.
    case noSuchDirectory(String)
    /// Writing or renaming failed (disk full, permissions, …); `reason` is the system's message.
    case writeFailed(path: String, reason: String)
    public var description: String {
        switch self {
        case let .noSuchDirectory(p): return "cannot write: folder '\(p)' does not exist"
        case let .writeFailed(p, r): return "cannot write '\(p)': \(r)"
        }
    }
}

/// Atomic file output: the bytes go to a temporary file beside the destination, are flushed, and
/// the temporary is renamed over the destination (rename(2) is atomic on one filesystem). On any
/// failure — a full disk included — the temporary is removed and the destination is untouched:
/// readers see either the old file or the complete new one, never a partial file.
public enum AtomicFile {
    /// Writes `data` to `path` atomically.
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { handle in try handle.write(contentsOf: data) }
    }

    /// Streams into a temporary file through `body`, then renames it to `path`.
    public static func write(to path: String, _ body: (FileHandle) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.isEmpty ? "." : dir, isDirectory: &isDir), isDir.boolValue else {
            throw FileWriteError.noSuchDirectory(dir)
        }
        let tmp = (dir.isEmpty ? "." : dir) + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: tmp, contents: nil) else {
            throw FileWriteError.writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
        do {
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: tmp))
            do {
                try body(h)
                try h.synchronize()
                try h.close()
            } catch {
                try? h.close()
                throw error
            }
            if rename(tmp, path) != 0 {
                throw FileWriteError.writeFailed(path: path, reason: String(cString: strerror(errno)))
            }
        } catch let e as FileWriteError {
            unlink(tmp); throw e
        } catch {
            unlink(tmp)
            throw FileWriteError.writeFailed(path: path, reason: "\(error.localizedDescription)")
        }
    }
}
