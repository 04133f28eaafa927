import Foundation
import Octrees

/// `octoplane octree encode`: tree file → token file (.npy table or .npz arrays, see `TokenFile`).
public enum OctreeEncodeJob {
    public struct Report: Codable, Sendable {
        public var input: String
        public var output: String
        public var scheme: String
        public var tokens: Int
        /// Histogram of token values (index = value; 3 entries for split flags, 256 for child masks).
        public var histogram: [Int]
    }

    public static func run(input: String, output: String, scheme: OctreeTokens.Scheme) throws -> Report {
        let (tree, _) = try OctreeInput.readTree(input)
        let t = tree.tokens(scheme)
        try OctreeJobError.at(output) { try TokenFile.write(t, to: output) }
        var hist = [Int](repeating: 0, count: scheme == .splitFlags ? 3 : 256)
        for v in t.tokens { hist[Int(v)] += 1 }
        return Report(input: input, output: output, scheme: scheme.description, tokens: t.count, histogram: hist)
    }
}
