/// Errors at the dataset boundary (tree walking, synthesis), with a human message each.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    /// The root does not exist or is not a folder.
    case noSuchDirectory(String)
    /// The root exists but holds no synset folder (8-digit name) with a model in it.
    case notAShapeNetTree(path: String, reason: String)
    /// A category name or synset id that neither the tree's taxonomy.json nor the built-in table knows.
    case unknownCategory(String, known: [String])
    /// A known category with no folder under the root.
    case categoryNotInTree(category: String, synset: String, root: String)
    /// `--shard` text that is not `i/n` with integers.
    case invalidShard(String)
    /// `i/n` with n < 1 or i outside 0..<n.
    case shardOutOfRange(index: Int, count: Int)
    /// taxonomy.json exists but cannot be parsed.
    case unreadableTaxonomy(path: String, reason: String)
    /// `synth` options out of range (per-category count, categories list).
    case invalidOption(String)

    public var description: String {
        switch self {
        case let .noSuchDirectory(p): return "'\(p)' does not exist or is not a folder"
        case let .notAShapeNetTree(p, r): return "'\(p)' is not a ShapeNet tree: \(r)"
        case let .unknownCategory(c, known):
            return "unknown category '\(c)'; known: \(known.joined(separator: ", ")) (or an 8-digit synset id)"
        case let .categoryNotInTree(c, s, r): return "category '\(c)' (synset \(s)) has no folder under '\(r)'"
        case let .invalidShard(s): return "invalid shard '\(s)': expected i/n with 0 ≤ i < n (0-based), e.g. 0/4"
        case let .shardOutOfRange(i, n): return "shard \(i)/\(n) is out of range: need n ≥ 1 and 0 ≤ i < n (0-based)"
        case let .unreadableTaxonomy(p, r): return "cannot read taxonomy '\(p)': \(r)"
        case let .invalidOption(m): return m
        }
    }
}
