import Foundation
import Octrees

/// `octoplane octree stats`: counts of a tree (or of the tree a token file decodes to).
public enum OctreeStatsJob {
    public static func run(input: String) throws -> OctreeSummary {
        OctreeSummary(try OctreeInput.readTree(input).tree)
    }
}
