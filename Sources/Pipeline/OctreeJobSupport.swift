import Foundation
import Geometry
import MeshIO
import Octrees

extension PipelineError {
    /// Runs `body`, which reads `path`: a `PipelineError` or a `MeshIOError` (which names its file)
    /// passes through; any other error becomes `.invalidInput(path:reason:)` with its message.
    static func reading<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() }
        catch let e as PipelineError { throw e }
        catch let e as MeshIOError { throw e }
        catch { throw PipelineError.invalidInput(path: path, reason: String(describing: error)) }
    }

    /// Runs `body`, which writes `path`: a `PipelineError` passes through; any other error becomes
    /// `.unwritable(path:reason:)` (its message, less a leading "path: ").
    static func writing<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() }
        catch let e as PipelineError { throw e }
        catch {
            let m = String(describing: error)
            throw PipelineError.unwritable(path: path, reason: m.hasPrefix(path + ": ") ? String(m.dropFirst(path.count + 2)) : m)
        }
    }
}

/// What the `octree` jobs read: a tree file, or a token file (.npy / .npz) of either scheme.
enum OctreeInput {
    /// Reads a tree file, or decodes a token file into a tree; the kind is told by the file's first bytes.
    static func readTree(_ path: String) throws -> (tree: Octree, tokens: OctreeTokens?) {
        guard let h = FileHandle(forReadingAtPath: path) else { throw PipelineError.unreadable(path: path, reason: "cannot open the file") }
        return try PipelineError.reading(path) {
            let head = h.readData(ofLength: 8); try? h.close()
            if head == OctreeFile.magic { return (try OctreeFile.read(path), nil) }
            let t = try TokenFile.read(path)
            return (try Octree(tokens: t), t)
        }
    }

    /// Loads a mesh and the frame that maps it into [-0.8, 0.8]³ (OctGPT's normalization).
    static func loadNormalized(_ path: String) throws -> (mesh: TriangleMesh, frame: SimilarityTransform) {
        let mesh = try MeshLoader.load(path: path).mesh
        let frame = Octree.normalizingFrame(for: mesh.bounds)
        return (mesh.transformed(by: frame), frame)
    }
}

/// Counts of a tree, for reports and `octree stats`.
public struct OctreeSummary: JobReport, Codable, Sendable, Equatable {
    public var depth: Int
    public var fullDepth: Int
    public var adaptive: Bool
    public var nodes: Int
    public var leaves: Int
    /// Per depth 0…depth: nodes, split nodes, surface leaves.
    public var nodesPerDepth: [Int]
    public var splitsPerDepth: [Int]
    public var leavesPerDepth: [Int]
    /// Sequence lengths of both serializations.
    public var splitTokens: Int
    public var childMaskTokens: Int

    public init(_ t: Octree) {
        depth = t.depth; fullDepth = t.fullDepth; adaptive = t.isAdaptive
        nodes = t.nodeCount; leaves = t.leafCount
        nodesPerDepth = t.levels.map(\.count)
        splitsPerDepth = t.levels.map { $0.kinds.filter { $0 == .split }.count }
        leavesPerDepth = t.levels.map { $0.kinds.filter { $0 == .leaf }.count }
        splitTokens = t.splitFlagTokens().count
        childMaskTokens = t.childMaskTokens().count
    }

    /// A human-readable table.
    public var text: String {
        var s = "depth \(depth) (full to \(fullDepth))\(adaptive ? ", adaptive" : ""): \(nodes) nodes, \(leaves) surface leaves\n"
        s += "depth     nodes    splits    leaves\n"
        for d in 0...depth {
            s += String(format: "%5d %9d %9d %9d\n", d, nodesPerDepth[d], splitsPerDepth[d], leavesPerDepth[d])
        }
        s += "tokens: \(splitTokens) split flags (OctGPT), \(childMaskTokens) child masks (Uni-3DAR)"
        return s
    }
}
