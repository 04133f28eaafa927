/// One of `count` disjoint parts of a model list, for running a conversion on several machines
/// or processes: `--shard i/n`, **0-based** (`0/4` … `3/4`).
///
/// Assignment is round-robin over the walker's sorted list of model folders: folder k (0-based,
/// in synset-then-id order, broken folders included) belongs to shard k mod n. So the shards are
/// disjoint, their union is the whole list, their sizes differ by at most one, every shard gets a
/// mix of categories (costs differ by category), and a model's shard does not depend on the
/// category filter's order or on which other folders are broken.
public struct ShapeNetShard: Sendable, Hashable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// Throws `DatasetError.shardOutOfRange` unless 0 ≤ index < count.
    public init(index: Int, count: Int) throws {
        guard count >= 1, index >= 0, index < count else { throw DatasetError.shardOutOfRange(index: index, count: count) }
        self.index = index; self.count = count
    }
    private init(unchecked index: Int, count: Int) { self.index = index; self.count = count }
    /// The whole list as one shard.
    public static let all = ShapeNetShard(unchecked: 0, count: 1)

    /// Parses `"i/n"` (spaces allowed around the numbers).
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let i = Int(parts[0].trimmingCharacters(in: .whitespaces)),
              let n = Int(parts[1].trimmingCharacters(in: .whitespaces))
        else { throw DatasetError.invalidShard(text) }
        try self.init(index: i, count: n)
    }

    /// True when position `k` of the sorted list belongs to this shard.
    public func contains(position k: Int) -> Bool { k % count == index }

    public var description: String { "\(index)/\(count)" }
}

import Foundation
