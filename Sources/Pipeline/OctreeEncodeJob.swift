import Foundation
import Octrees

/// `octoplane octree encode`: tree file → token file (.npy table or .npz arrays, see `TokenFile`).
public struct OctreeEncodeJob: Job {
    public var input: String
    public var output: String
    public var scheme: OctreeTokens.Scheme
    public init(input: String, output: String, scheme: OctreeTokens.Scheme) {
        self.input = input; self.output = output; self.scheme = scheme
    }

    public struct Report: JobReport, Codable, Sendable {
        public var text: String { "\(output): \(tokens) \(scheme) tokens" }
        public var input: String
        public var output: String
        public var scheme: String
        public var tokens: Int
        /// Histogram of token values (index = value; 3 entries for split flags, 256 for child masks).
        public var histogram: [Int]
    }

    public func run() throws -> Report {
        let (tree, _) = try OctreeInput.readTree(input)
        let t = tree.tokens(scheme)
        try PipelineError.writing(output) { try TokenFile.write(t, to: output) }
        var hist = [Int](repeating: 0, count: scheme == .splitFlags ? 3 : 256)
        for v in t.tokens { hist[Int(v)] += 1 }
        return Report(input: input, output: output, scheme: scheme.description, tokens: t.count, histogram: hist)
    }
}
