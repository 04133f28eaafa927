import Foundation

/// A ShapeNetCore v1/v2 tree as a `ConvertSource`: `root/<8-digit synset>/<model>/model.obj`
/// (v1) or `…/<model>/models/model_normalized.obj` (v2, preferred when both exist). Order is
/// stable (synsets, then model ids, ascending), so `--shard i/n` (positions k ≡ i mod n) splits
/// the same way on every machine. Keys are `<synset>/<model>`.
///
/// Interim walker: the `Dataset` module's `ShapeNetTree` (category names, taxonomy.json) takes
/// over once it is in main; until then `categories` must be synset ids.
public struct ShapeNetSource: ConvertSource {
    public var root: String
    public var categories: [String]
    public init(root: String, categories: [String] = []) { self.root = root; self.categories = categories }

    public func items(shard: (index: Int, count: Int)) throws -> (items: [ConvertItem], skipped: [(folder: String, reason: String)]) {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: root, isDirectory: &isDir), isDir.boolValue else { throw ShapeNetSourceError.noSuchFolder(root) }
        func isSynset(_ s: String) -> Bool { s.count == 8 && s.allSatisfy(\.isNumber) }
        func subfolders(_ p: String) -> [String] {
            ((try? fm.contentsOfDirectory(atPath: p)) ?? []).filter { e in
                var d: ObjCBool = false
                return !e.hasPrefix(".") && fm.fileExists(atPath: p + "/" + e, isDirectory: &d) && d.boolValue
            }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        }
        let synsets = subfolders(root).filter(isSynset)
        guard !synsets.isEmpty else { throw ShapeNetSourceError.notShapeNet(root) }
        for c in categories where !synsets.contains(c) { throw ShapeNetSourceError.unknownCategory(c, known: synsets) }
        let chosen = categories.isEmpty ? synsets : synsets.filter(categories.contains)
        var items = [ConvertItem](), skipped = [(folder: String, reason: String)]()
        var position = 0
        for sid in chosen {
            for mid in subfolders(root + "/" + sid) {
                defer { position += 1 }
                guard position % shard.count == shard.index else { continue }
                let folder = root + "/" + sid + "/" + mid
                if let path = [folder + "/models/model_normalized.obj", folder + "/model.obj"].first(where: fm.fileExists) {
                    items.append(ConvertItem(key: sid + "/" + mid, meshPath: path))
                } else {
                    skipped.append((folder, "no mesh: neither models/model_normalized.obj (v2) nor model.obj (v1)"))
                }
            }
        }
        return (items, skipped)
    }
}

public enum ShapeNetSourceError: Error, Equatable, CustomStringConvertible {
    case noSuchFolder(String)
    case notShapeNet(String)
    case unknownCategory(String, known: [String])
    public var description: String {
        switch self {
        case let .noSuchFolder(p): return "'\(p)' is not a folder"
        case let .notShapeNet(p): return "'\(p)' is not a ShapeNet tree: no synset folder (8-digit name such as 03001627) under it"
        case let .unknownCategory(c, known): return "category '\(c)' is not a synset folder of this tree (known: \(known.joined(separator: ", ")))"
        }
    }
}
