/// Everything that can go wrong building, decoding or reading octrees. Token positions are
/// 0-based indices into the token sequence; depths count from the root (depth 0).
public enum OctreeError: Error, Equatable, CustomStringConvertible {
    /// A depth outside 1…`Morton.maxDepth` (or a full depth outside 0…depth).
    case depthOutOfRange(depth: Int, allowed: ClosedRange<Int>)
    /// The sequence ended inside depth `depth`: `expected` tokens were needed there, `available` were left.
    case truncatedTokens(position: Int, depth: Int, expected: Int, available: Int)
    /// Tokens remain after the deepest level was decoded.
    case trailingTokens(position: Int, count: Int)
    /// A token value that the serialization does not define at its depth (e.g. a split flag of 3,
    /// a flag 2 at the deepest level, a child mask above 255).
    case invalidToken(position: Int, depth: Int, value: Int)
    /// The positions stored with the tokens disagree with those the tokens themselves imply.
    case inconsistentPosition(position: Int, reason: String)
    /// A split node whose 8 children are all empty (so no serialization could tell it from an empty node).
    case splitWithoutChildren(position: Int, depth: Int)
    /// A token file whose header or layout is not the documented one.
    case malformedTokenFile(String)
    /// A tree file that is not an Octoplane tree, of another version, truncated or corrupted.
    case corruptTreeFile(String)
    /// The tree violates a structural invariant (see `Octree.validate()`).
    case invariantViolated(String)
    /// The input holds nothing to build from (no points, no faces).
    case emptyInput(String)

    public var description: String {
        switch self {
        case let .depthOutOfRange(d, r): return "depth \(d) is out of range \(r.lowerBound)…\(r.upperBound)"
        case let .truncatedTokens(p, d, e, a): return "token sequence truncated at position \(p): depth \(d) needs \(e) tokens, only \(a) remain"
        case let .trailingTokens(p, c): return "\(c) unexpected tokens after the deepest level, from position \(p)"
        case let .invalidToken(p, d, v): return "invalid token \(v) at position \(p) (depth \(d))"
        case let .inconsistentPosition(p, r): return "token at position \(p): \(r)"
        case let .splitWithoutChildren(p, d): return "token at position \(p) (depth \(d)) splits a node whose children are all empty"
        case let .malformedTokenFile(r): return "malformed token file: \(r)"
        case let .corruptTreeFile(r): return "corrupt octree file: \(r)"
        case let .invariantViolated(r): return "octree invariant violated: \(r)"
        case let .emptyInput(r): return "nothing to build an octree from: \(r)"
        }
    }
}
