import Foundation

/// Which categories of a training set also train as their mirror image across x = 0
/// (`train diffusion|octree|autoencoder --mirror`).
///
/// - `all`: every shape — what a reconstruction model wants (`train autoencoder`'s default: a
///   mirrored shape is still a shape to encode).
/// - `none`: no shape.
/// - `auto` (the generators' default): a category when its mirror images look like its data, by
///   `MirrorInvariance`. A generator learns the distribution it is shown: the procedural mugs all
///   carry their handle on +x, and models trained on every shape and its mirror drew about half
///   their mugs with the handle on −x, each far from every real mug (median Chamfer distance to
///   the nearest training mug 0.04–0.07 against 0.006–0.008 for the others, 2026-12-05) — the mug
///   failures of both generator families. Mirror-symmetric categories (chairs, tables, airplanes,
///   cars, lamps) keep their mirrors.
public enum MirrorPolicy: String, Sendable, Equatable, CaseIterable, Codable {
    case auto, all, none

    /// The categories to mirror and, under `auto`, the evidence per category (`measure` is called
    /// only then, once per category).
    func decide(_ categories: [String], measure: (String) -> MirrorInvariance) -> (mirrored: Set<String>, evidence: [MirrorInvariance]) {
        switch self {
        case .all: return (Set(categories), [])
        case .none: return ([], [])
        case .auto:
            let evidence = categories.map(measure)
            return (Set(evidence.filter(\.invariant).map(\.category)), evidence)
        }
    }
}

/// Whether a category's mirror images look like its data: the median, over its shapes, of the
/// distance from a shape's mirror image to the nearest shape of the category (itself included) is
/// at most the median distance from a shape to the nearest *other* shape. A category of mirror-
/// symmetric shapes passes easily (each mirror image is nearly the shape itself); one whose shapes
/// face either way at random sits near the boundary (a mirror image is as near the data as a
/// new shape would be); one whose shapes all face one way fails. Fewer than 2 shapes: no scale to
/// compare with, not invariant.
public struct MirrorInvariance: Sendable, Equatable, Codable {
    public var category: String
    public var shapes: Int
    /// Median over shapes of the distance to the nearest other shape of the category.
    public var nearestOther: Double
    /// Median over shapes of the distance from the shape's mirror image to the nearest shape.
    public var mirroredNearest: Double
    public var invariant: Bool { shapes >= 2 && mirroredNearest <= nearestOther }

    public init(category: String, shapes: Int, nearestOther: Double, mirroredNearest: Double) {
        self.category = category; self.shapes = shapes; self.nearestOther = nearestOther; self.mirroredNearest = mirroredNearest
    }

    /// Measured from `distance(i, j)` between shapes i ≠ j and `mirrored(i, j)` between the mirror
    /// image of shape i and shape j (i = j included), over `shapes` shapes.
    public init(category: String, shapes n: Int, distance: (Int, Int) -> Double, mirrored: (Int, Int) -> Double) {
        let nearest = (0..<n).map { i in (0..<n).filter { $0 != i }.map { distance(i, $0) }.min() ?? .nan }
        let mirroredNearest = (0..<n).map { i in (0..<n).map { mirrored(i, $0) }.min() ?? .nan }
        self.init(category: category, shapes: n, nearestOther: TriplaneEvalJob.quantile(nearest, 0.5),
                  mirroredNearest: TriplaneEvalJob.quantile(mirroredNearest, 0.5))
    }

    /// e.g. "mug: not mirrored (mirror image → nearest shape 8.41 × the shapes' nearest-neighbour spacing, 192 shapes)".
    public var line: String {
        String(format: "%@: %@ (mirror image → nearest shape %.2f × the shapes' nearest-neighbour spacing, %d shapes)",
               category, invariant ? "mirrored" : "not mirrored", mirroredNearest / nearestOther, shapes)
    }
}

/// A training report's mirror lines: which categories were also trained mirrored and, under
/// `--mirror auto`, each category's evidence.
func mirrorLines(_ mirrored: [String], _ evidence: [MirrorInvariance]) -> String {
    "\nmirrored: " + (mirrored.isEmpty ? "none" : mirrored.joined(separator: ", ")) + evidence.map { "\n  " + $0.line }.joined()
}
