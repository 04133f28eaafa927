import Dataset
import Foundation

/// A ShapeNetCore v1/v2 tree as a `ConvertSource`, through `Dataset.ShapeNetTree`: v1
/// `root/<synset>/<model>/model.obj` or v2 `…/<model>/models/model_normalized.obj` (preferred when
/// both exist), filtered by category names (the tree's taxonomy.json or the built-in table) or
/// synset ids, in a stable order (synsets, then model ids), so `--shard i/n` (positions k ≡ i mod n,
/// `ShapeNetShard`) splits the same way on every machine. Keys are `<synset>/<model>`. Folders
/// without a readable mesh come back in `skipped` with the reason; bad roots, unknown categories
/// and categories absent from the tree throw `DatasetError`.
public struct ShapeNetSource: ConvertSource {
    public var root: String
    public var categories: [String]
    public init(root: String, categories: [String] = []) { self.root = root; self.categories = categories }

    public func items(shard: (index: Int, count: Int)) throws -> (items: [ConvertItem], skipped: [(folder: String, reason: String)]) {
        let listing = try ShapeNetTree(root: root).enumerate(categories: categories.isEmpty ? nil : categories,
                                                              shard: try ShapeNetShard(index: shard.index, count: shard.count))
        return (listing.models.map { ConvertItem(key: "\($0.synsetId)/\($0.modelId)", meshPath: $0.meshPath) },
                listing.skipped.map { (folder: $0.folder, reason: $0.reason) })
    }
}
