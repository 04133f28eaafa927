import Foundation

/// The six categories Octoplane can synthesize, with their ShapeNetCore synset ids.
public enum SynthCategory: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case chair, table, airplane, car, lamp, mug

    /// The WordNet synset id ShapeNetCore files this category under.
    public var synsetId: String {
        switch self {
        case .chair: return "03001627"
        case .table: return "04379243"
        case .airplane: return "02691156"
        case .car: return "02958343"
        case .lamp: return "03636649"
        case .mug: return "03797390"
        }
    }

    /// ShapeNet's `name` field for the synset (comma-separated synonyms), as in taxonomy.json.
    public var taxonomyName: String {
        ShapeNetSynsets.table.first { $0.id == synsetId }!.names.joined(separator: ",")
    }

    public var description: String { rawValue }

    /// A category from its name, one of the synset's synonyms, or its synset id (case-insensitive).
    public init?(name: String) {
        let n = name.trimmingCharacters(in: .whitespaces).lowercased()
        if let c = SynthCategory(rawValue: n) { self = c; return }
        guard let hit = SynthCategory.allCases.first(where: { c in
            c.synsetId == n || ShapeNetSynsets.table.contains { $0.id == c.synsetId && $0.names.contains(n) }
        }) else { return nil }
        self = hit
    }

    /// Parses a comma-separated list (`"chair,table"`); throws `DatasetError.unknownCategory` for
    /// a name that is not one of the six, `invalidOption` for an empty list. Duplicates are dropped;
    /// the result keeps the order of `allCases` (so output does not depend on how the list was typed).
    public static func parseList(_ text: String) throws -> [SynthCategory] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw DatasetError.invalidOption("--categories needs at least one of: \(allCases.map(\.rawValue).joined(separator: ","))") }
        var set = Set<SynthCategory>()
        for n in names {
            guard let c = SynthCategory(name: n) else {
                throw DatasetError.unknownCategory(n, known: allCases.map(\.rawValue))
            }
            set.insert(c)
        }
        return allCases.filter(set.contains)
    }
}
