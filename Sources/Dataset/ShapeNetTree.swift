import Foundation

/// Which ShapeNetCore release a model folder follows.
public enum ShapeNetLayout: String, Sendable, Codable {
    /// `<synset>/<id>/model.obj`
    case v1
    /// `<synset>/<id>/models/model_normalized.obj` (+Y up, −Z front, bbox diagonal 1)
    case v2

    /// The mesh path inside a model folder.
    public var meshPath: String { self == .v1 ? "model.obj" : "models/model_normalized.obj" }
}

/// One model folder of a ShapeNet tree.
public struct ShapeNetModel: Sendable, Hashable {
    public var synsetId: String
    public var modelId: String
    public var layout: ShapeNetLayout
    /// Absolute path of the mesh file.
    public var meshPath: String
    /// Absolute path of the model folder.
    public var folder: String
    /// Short category name (taxonomy or built-in table), or the synset id when unknown.
    public var category: String
}

/// A model folder that was skipped, and why (missing or unreadable mesh).
public struct ShapeNetSkip: Sendable, Hashable, CustomStringConvertible {
    public var folder: String
    public var reason: String
    public var description: String { "\(folder): \(reason)" }
}

/// The result of walking a tree: usable models (sorted by synset, then model id), the folders
/// skipped (reported and counted, never fatal), and how many folders the shard covered.
public struct ShapeNetListing: Sendable {
    public var models: [ShapeNetModel]
    public var skipped: [ShapeNetSkip]
    /// Model folders in this shard (models + skipped).
    public var folderCount: Int { models.count + skipped.count }
}

/// Walks a ShapeNetCore v1 or v2 tree (or a mix, or Octoplane's `synth` output):
/// `root/<8-digit synset>/<model id>/model.obj` (v1) or `…/<model id>/models/model_normalized.obj`
/// (v2, preferred when both exist). Hidden entries (`.…`) and non-synset folders are ignored;
/// `taxonomy.json` at the root, when present, names the categories, else the built-in table does.
///
/// Order is stable: synset ids ascending, then model ids ascending (byte order), independent of
/// the file system's listing order. `--shard i/n` takes positions k ≡ i (mod n) of that order.
public struct ShapeNetTree: Sendable {
    public let root: String
    public let taxonomy: ShapeNetTaxonomy?
    /// Synset folders found under the root, sorted.
    public let synsets: [String]

    /// Throws `noSuchDirectory` when `root` is not a folder, `unreadableTaxonomy` for a broken
    /// taxonomy.json, `notAShapeNetTree` when no synset folder (8 digits) is present.
    public init(root: String) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        let absRoot = URL(fileURLWithPath: root).standardizedFileURL.path
        guard fm.fileExists(atPath: absRoot, isDirectory: &isDir), isDir.boolValue else { throw DatasetError.noSuchDirectory(root) }
        self.root = absRoot
        taxonomy = try ShapeNetTaxonomy.load(absRoot + "/taxonomy.json")
        let entries = (try? fm.contentsOfDirectory(atPath: absRoot)) ?? []
        synsets = entries.filter { e in
            var d: ObjCBool = false
            return ShapeNetSynsets.looksLikeSynset(e) && fm.fileExists(atPath: absRoot + "/" + e, isDirectory: &d) && d.boolValue
        }.sorted()
        guard !synsets.isEmpty else {
            throw DatasetError.notAShapeNetTree(path: root, reason: "no synset folder (8-digit name such as 03001627) under it")
        }
    }

    /// Short name of a synset: the tree's taxonomy first, then the built-in table.
    public func name(of synset: String) -> String {
        if let n = taxonomy?.nodes.first(where: { $0.synsetId == synset })?.names.first { return n }
        return ShapeNetSynsets.name(of: synset) ?? synset
    }

    /// Resolves category names (any synonym, case-insensitive) or synset ids to the synset ids of
    /// this tree, sorted and without duplicates. Throws `unknownCategory` for a name neither the
    /// taxonomy nor the built-in table knows, `categoryNotInTree` for a known one with no folder.
    public func resolve(categories: [String]) throws -> [String] {
        var out = Set<String>()
        for raw in categories {
            let c = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if c.isEmpty { continue }
            var id: String?
            if ShapeNetSynsets.looksLikeSynset(c) { id = c }
            else if let n = taxonomy?.nodes.first(where: { $0.names.contains(c) }) { id = n.synsetId }
            else if let t = ShapeNetSynsets.table.first(where: { $0.names.contains(c) }) { id = t.id }
            guard let sid = id else {
                let known = Array(Set(synsets.map { name(of: $0) } + SynthCategory.allCases.map(\.rawValue))).sorted()
                throw DatasetError.unknownCategory(raw, known: known)
            }
            guard synsets.contains(sid) else {
                throw DatasetError.categoryNotInTree(category: raw, synset: sid, root: root)
            }
            out.insert(sid)
        }
        return out.sorted()
    }

    /// Every model folder of the chosen synsets (all when `categories` is nil or empty), in the
    /// stable order, restricted to `shard`. A folder without a mesh file, or with an empty or
    /// unreadable one, is listed in `skipped` with the reason.
    public func enumerate(categories: [String]? = nil, shard: ShapeNetShard = .all) throws -> ShapeNetListing {
        let chosen = (categories?.isEmpty ?? true) ? synsets : try resolve(categories: categories!)
        let fm = FileManager.default
        var models = [ShapeNetModel](), skipped = [ShapeNetSkip]()
        var position = 0
        for sid in chosen {
            let dir = root + "/" + sid
            let ids = ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).filter { e in
                var d: ObjCBool = false
                return !e.hasPrefix(".") && fm.fileExists(atPath: dir + "/" + e, isDirectory: &d) && d.boolValue
            }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            for mid in ids {
                defer { position += 1 }
                guard shard.contains(position: position) else { continue }
                let folder = dir + "/" + mid
                var found: (ShapeNetLayout, String)?
                var problem = "no mesh: neither \(ShapeNetLayout.v2.meshPath) (v2) nor \(ShapeNetLayout.v1.meshPath) (v1)"
                for layout in [ShapeNetLayout.v2, .v1] {
                    let path = folder + "/" + layout.meshPath
                    guard fm.fileExists(atPath: path) else { continue }
                    if !fm.isReadableFile(atPath: path) { problem = "\(layout.meshPath) is not readable"; continue }
                    let size = ((try? fm.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
                    if size == 0 { problem = "\(layout.meshPath) is empty"; continue }
                    found = (layout, path); break
                }
                if let (layout, path) = found {
                    models.append(ShapeNetModel(synsetId: sid, modelId: mid, layout: layout, meshPath: path, folder: folder, category: name(of: sid)))
                } else {
                    skipped.append(ShapeNetSkip(folder: folder, reason: problem))
                }
            }
        }
        return ShapeNetListing(models: models, skipped: skipped)
    }
}
