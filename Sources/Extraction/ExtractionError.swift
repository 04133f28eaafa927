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
    /// Unsigned-distance extraction: all `samples` values are at the level (|value − level| = 0
    /// everywhere), so the zero set is the whole box, not a surface.
    case degenerateUDF(samples: Int)
    /// Unsigned-distance extraction: no sample is within `reach` (world units) of the level, so no
    /// grid edge can be crossed (an all-far grid, or distances stored in other units than the bounds).
    case noSurfaceNearby(smallest: Float, reach: Float)

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
        case let .degenerateUDF(n):
            return "all \(n) samples are at the level (|value − level| = 0 everywhere): that is a solid block, not a surface"
        case let .noSurfaceNearby(m, r):
            return "no sample is near the surface: the smallest |value − level| is \(m), a crossing needs one below \(r) (1.5 grid spacings); is the grid an unsigned distance in the units of --bounds?"
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
