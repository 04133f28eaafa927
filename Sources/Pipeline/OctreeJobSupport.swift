import Foundation
import Geometry
import MeshIO
import Octrees

/// An error of an `octree` job, naming the file it concerns and the reason (the underlying
/// module error's message).
public struct OctreeJobError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): \(reason)" }

    /// Runs `body`, turning any error into one naming `path` (errors that already name their file,
    /// like `MeshIOError`, keep their message).
    static func at<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() }
        catch let e as OctreeJobError { throw e }
        catch let e as MeshIOError { throw OctreeJobError(path: path, reason: e.description.hasPrefix(path + ": ") ? String(e.description.dropFirst(path.count + 2)) : e.description) }
        catch { throw OctreeJobError(path: path, reason: String(describing: error)) }
    }
}

/// What the `octree` jobs read: a tree file, or a token file (.npy / .npz) of either scheme.
enum OctreeInput {
    /// Reads a tree file, or decodes a token file into a tree; the kind is told by the file's first bytes.
    static func readTree(_ path: String) throws -> (tree: Octree, tokens: OctreeTokens?) {
        try OctreeJobError.at(path) {
            guard let h = FileHandle(forReadingAtPath: path) else { throw OctreeError.corruptTreeFile("cannot open the file") }
            let head = h.readData(ofLength: 8); try? h.close()
            if head == OctreeFile.magic { return (try OctreeFile.read(path), nil) }
            let t = try TokenFile.read(path)
            return (try Octree(tokens: t), t)
        }
    }

    /// Loads a mesh and the frame that maps it into [-0.8, 0.8]³ (OctGPT's normalization).
    static func loadNormalized(_ path: String) throws -> (mesh: TriangleMesh, frame: SimilarityTransform) {
        let mesh = try OctreeJobError.at(path) { try MeshLoader.load(path: path).mesh }
        let frame = Octree.normalizingFrame(for: mesh.bounds)
        return (mesh.transformed(by: frame), frame)
    }
}

/// Counts of a tree, for reports and `octree stats`.
public struct OctreeSummary: Codable, Sendable, Equatable {
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

extension Encodable {
    /// Pretty, key-sorted JSON.
    func octreeJSON() -> String {
        let e = JSONEncoder(); e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? e.encode(self)) ?? Data(), as: UTF8.self)
    }
}
