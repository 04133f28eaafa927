import Dataset
import Foundation
import Geometry
import MeshIO

/// One shape of a regression suite: its id (what results are keyed by and external meshes are
/// found by) and where it comes from.
public struct RegressShape: Codable, Sendable, Equatable {
    public var id: String
    /// `file:<absolute path>` or `synth:<category>:<seed>:<index>`.
    public var source: String

    /// Loads the shape and normalizes it the ONet way (bounding-box centre, longest edge 1).
    /// Returns the normalized mesh and the transform that made it. Throws `MeshIOError` for an
    /// unreadable file, `PipelineError.invalidInput` for a mesh that spans no length.
    public func load() throws -> (mesh: TriangleMesh, transform: SimilarityTransform) {
        let raw: TriangleMesh
        if source.hasPrefix("synth:") {
            let parts = source.split(separator: ":")
            guard parts.count == 4, let c = SynthCategory(name: String(parts[1])), let seed = UInt64(parts[2]), let i = Int(parts[3]), i >= 0 else {
                throw PipelineError.invalidInput(path: source, reason: "not a procedural shape reference synth:<category>:<seed>:<index>")
            }
            raw = ShapeSynthesizer.make(c, seed: seed, index: i).mesh
        } else {
            raw = try MeshLoader.load(path: String(source.dropFirst("file:".count))).mesh
        }
        guard NormalizationConvention.onet.transform(for: raw.positions) != nil else {
            throw PipelineError.invalidInput(path: source, reason: "the mesh spans no length; it cannot be normalized")
        }
        return raw.normalized(.onet)
    }
}

/// The shapes a suite names, in suite order (sources in order; inside a source, sorted ids).
public enum RegressShapes {
    /// Mesh file extensions a `folder` source picks up.
    public static let meshExtensions: Set<String> = ["ply", "obj", "off", "stl", "glb", "gltf", "dae", "fbx", "3ds"]

    /// Lists the shapes of `suite`, whose file is `suitePath` (relative paths resolve against its
    /// folder). `shard` restricts the list to positions k ≡ i (mod n) of the whole list.
    /// Throws `RegressError.missingShape` for a named file or folder that does not exist,
    /// `RegressError.invalidFile` for a folder without meshes or two shapes with one id, and the
    /// ShapeNet walker's `DatasetError`s. Also returns the ShapeNet folders the walker skipped.
    public static func list(_ suite: RegressSuite, suitePath: String, shard: ShapeNetShard = .all) throws -> (shapes: [RegressShape], skipped: [String]) {
        let base = (suitePath as NSString).deletingLastPathComponent
        let fm = FileManager.default
        var shapes: [RegressShape] = [], skipped: [String] = []
        for (i, source) in suite.shapes.enumerated() {
            let field = "shapes[\(i)]"
            switch source {
            case let .files(files):
                for (k, f) in files.enumerated() {
                    let p = absolute(RegressSuite.resolve(f, base: base))
                    var isDir: ObjCBool = false
                    guard fm.fileExists(atPath: p, isDirectory: &isDir), !isDir.boolValue else {
                        throw RegressError.missingShape(suite: suitePath, field: "\(field).files[\(k)]", path: f)
                    }
                    shapes.append(RegressShape(id: ((p as NSString).lastPathComponent as NSString).deletingPathExtension, source: "file:" + p))
                }
            case let .folder(folder):
                let dir = absolute(RegressSuite.resolve(folder, base: base))
                var isDir: ObjCBool = false
                guard fm.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                    throw RegressError.missingShape(suite: suitePath, field: "\(field).folder", path: folder)
                }
                let files = (fm.enumerator(atPath: dir)?.allObjects as? [String] ?? [])
                    .filter { meshExtensions.contains(($0 as NSString).pathExtension.lowercased()) && !$0.split(separator: "/").contains { $0.hasPrefix(".") } }
                    .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
                guard !files.isEmpty else {
                    throw RegressError.invalidFile(path: suitePath, field: "\(field).folder", reason: "'\(folder)' holds no mesh file (\(meshExtensions.sorted().joined(separator: ", ")))")
                }
                shapes += files.map { RegressShape(id: ($0 as NSString).deletingPathExtension, source: "file:" + dir + "/" + $0) }
            case let .shapenet(root, categories, perCategory):
                let r = absolute(RegressSuite.resolve(root, base: base))
                guard fm.fileExists(atPath: r) else { throw RegressError.missingShape(suite: suitePath, field: "\(field).shapenet", path: root) }
                let listing = try ShapeNetTree(root: r).enumerate(categories: categories)
                var seen: [String: Int] = [:]
                for m in listing.models {
                    seen[m.synsetId, default: 0] += 1
                    if let n = perCategory, seen[m.synsetId]! > n { continue }
                    shapes.append(RegressShape(id: "\(m.synsetId)/\(m.modelId)", source: "file:" + m.meshPath))
                }
                skipped += listing.skipped.map(\.description)
            case let .synth(categories, perCategory, seed):
                for c in categories.compactMap(SynthCategory.init(name:)) {
                    for k in 0..<perCategory {
                        shapes.append(RegressShape(id: "\(c.rawValue)-\(k)", source: "synth:\(c.rawValue):\(seed):\(k)"))
                    }
                }
            }
        }
        var ids: [String: String] = [:]
        for s in shapes {
            if let other = ids[s.id] {
                throw RegressError.invalidFile(path: suitePath, field: "shapes", reason: "two shapes have the id '\(s.id)' (\(other) and \(s.source)); ids are file names without extension")
            }
            ids[s.id] = s.source
        }
        return (shapes.enumerated().filter { shard.contains(position: $0.offset) }.map(\.element), skipped)
    }

    static func absolute(_ p: String) -> String {
        URL(fileURLWithPath: p).standardizedFileURL.path
    }
}
