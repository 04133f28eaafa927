/// Errors of the extractors (bad input data; programmer errors are preconditions).
public enum ExtractionError: Error, CustomStringConvertible, Equatable {
    /// The grid holds `count` NaN values; the first is at grid point `at` = (i, j, k).
    case nanInGrid(count: Int, at: SIMD3<Int>)
    /// The grid is smaller than 2 samples along some axis (no cell to extract from).
    case gridTooSmall(SIMD3<Int>)
    /// The iso level is not a finite number.
    case nonFiniteLevel(Float)
    /// Sparse extraction: N − 1 (`resolution` − 1) is not a multiple of 2^`levels`.
    case incompatibleLevels(resolution: Int, levels: Int)
    /// An extractor option is out of range (the message says which and why).
    case invalidOption(String)

    public var description: String {
        switch self {
        case let .nanInGrid(n, p):
            return "the grid holds \(n) NaN value\(n == 1 ? "" : "s") (first at index [\(p.x), \(p.y), \(p.z)]); replace them (e.g. numpy.nan_to_num) before extracting"
        case let .gridTooSmall(r):
            return "the grid is \(r.x)×\(r.y)×\(r.z): marching cubes needs at least 2 samples along every axis"
        case let .nonFiniteLevel(l):
            return "the iso level \(l) is not a finite number"
        case let .invalidOption(m):
            return "invalid option: \(m)"
        case let .incompatibleLevels(n, l):
            return "a lattice of \(n) points per axis cannot be refined in \(l) halvings: \(n) − 1 must be a multiple of 2^\(l) (e.g. 129 or 257 points)"
        }
    }
}

/// Which side of the iso level is the solid ("inside").
/// - `.higher`: inside where value ≥ level (occupancy probability, logit).
/// - `.lower`: inside where value ≤ level (signed distance, negative inside).
/// Values exactly equal to the level count as inside in both conventions.
public enum InsideConvention: String, Sendable, CaseIterable {
    case higher, lower
}
