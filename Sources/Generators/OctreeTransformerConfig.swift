import Foundation

/// How the octree transformer produces a sequence (OctGPT, Wei et al., SIGGRAPH 2025, offers both).
public enum OctreeDecoding: String, Codable, Sendable, CaseIterable {
    /// One token at a time in sequence order; slot t sees slots 0…t (causal), and its input is the
    /// previous token (BOS for the first).
    case nextToken = "next-token"
    /// MaskGIT-style within a depth (Chang et al., CVPR 2022): slot t sees every coarser depth and
    /// its whole own depth (bidirectional); its input is its own token, or [MASK] while undecided.
    case parallel
}

/// The octree transformer's shape (a JSON object inside the training config; keys left out take
/// these defaults). Sized for a 2-core CPU: about 0.8 M parameters.
public struct OctreeTransformerConfig: Codable, Sendable, Equatable {
    /// Structure depth D: the sequence describes the occupied nodes of depths 0..<D, the surface
    /// cells are at D (a 2^D grid).
    public var depth = 5
    /// Most node tokens a sequence may have (training refuses longer ones; sampling masks the
    /// child masks that would overrun it).
    public var contextLength = 2048
    public var embedDim = 128
    public var heads = 4
    public var layers = 4
    /// MLP hidden width = mlpRatio · embedDim.
    public var mlpRatio = 4
    /// Categories (0: unconditional; one learned null class).
    public var classCount = 0

    public init(depth: Int = 5, contextLength: Int = 2048, embedDim: Int = 128, heads: Int = 4, layers: Int = 4, mlpRatio: Int = 4, classCount: Int = 0) {
        self.depth = depth; self.contextLength = contextLength; self.embedDim = embedDim; self.heads = heads
        self.layers = layers; self.mlpRatio = mlpRatio; self.classCount = classCount
    }

    private enum CodingKeys: String, CodingKey { case depth, contextLength, embedDim, heads, layers, mlpRatio, classCount }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func take<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try take(.depth, &depth); try take(.contextLength, &contextLength); try take(.embedDim, &embedDim)
        try take(.heads, &heads); try take(.layers, &layers); try take(.mlpRatio, &mlpRatio); try take(.classCount, &classCount)
    }

    /// Why the config cannot build a model, or nil.
    public var problem: String? {
        if !(1...8).contains(depth) { return "depth must lie in 1…8, got \(depth)" }
        if contextLength < depth { return "contextLength must be ≥ depth (\(depth)), got \(contextLength)" }
        if embedDim < 1 || heads < 1 || embedDim % heads != 0 { return "embedDim (\(embedDim)) must be a positive multiple of heads (\(heads))" }
        if layers < 1 || mlpRatio < 1 { return "layers and mlpRatio must be ≥ 1" }
        if classCount < 0 { return "classCount must be ≥ 0" }
        return nil
    }

    // Input vocabulary: 0…255 child masks, [MASK], [BOS], then one class token per category.
    /// Output classes: the 256 child masks.
    public static let maskCount = 256
    public static let maskToken = 256
    public static let bosToken = 257
    /// Rows of the token table: masks, [MASK], [BOS], max(1, classCount) class tokens.
    var tokenRows: Int { 258 + max(1, classCount) }
    /// Rows of each axis table: one per (depth d < D, coordinate < 2^d), i.e. 2^D − 1, plus the
    /// prefix slot's row.
    var axisRows: Int { 1 << depth }
}
