import Foundation
import Support

/// ShapeNetCore's `taxonomy.json`: a JSON array of nodes
/// `{"synsetId": "03001627", "name": "chair", "children": ["…"], "numInstances": 6778}`, where
/// `name` may list comma-separated synonyms. Read to resolve category names; written by `synth`.
public struct ShapeNetTaxonomy: Sendable, Equatable {
    public struct Node: Codable, Sendable, Equatable {
        public var synsetId: String
        public var name: String
        public var children: [String]
        public var numInstances: Int
        public init(synsetId: String, name: String, children: [String] = [], numInstances: Int) {
            self.synsetId = synsetId; self.name = name; self.children = children; self.numInstances = numInstances
        }
        /// The comma-separated names, trimmed, lower-cased.
        public var names: [String] {
            name.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        }
    }
    public var nodes: [Node]
    public init(nodes: [Node]) { self.nodes = nodes }

    /// Reads `path`; nil when the file does not exist; throws when it exists but is not a taxonomy.
    public static func load(_ path: String) throws -> ShapeNetTaxonomy? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError.unreadableTaxonomy(path: path, reason: "cannot read the file")
        }
        do { return ShapeNetTaxonomy(nodes: try JSONDecoder().decode([Node].self, from: data)) }
        catch { throw DatasetError.unreadableTaxonomy(path: path, reason: "not a JSON array of {synsetId, name, children, numInstances}") }
    }

    /// Pretty-printed JSON with sorted keys (deterministic bytes).
    public func encoded() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(nodes)
    }
}
