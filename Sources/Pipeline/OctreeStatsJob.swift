import Foundation
import Octrees

/// `octoplane octree stats TREE`: counts of a tree (or of the tree a token file decodes to).
/// With `--depths`, the command runs `OctreeEvalJob` instead.
public struct OctreeStatsJob: Job {
    public var input: String
    public init(input: String) { self.input = input }
    public func run() throws -> OctreeSummary { OctreeSummary(try OctreeInput.readTree(input).tree) }
}
